//! `SimPlugin`: the Bevy face of persona + rubric + session.
//!
//! Front ends (terminal, window, tests) write `StartSession`, `TraineeReplied` and
//! `AbandonSession`; the plugin answers with `CustomerSpoke`, `TurnScored`, `ReplyRejected`
//! and `SessionEnded`, and keeps the result file on disk up to date after every turn.

use crate::rubric::Rubric;
use crate::scenario::{Outcome, Scenario};
use crate::session::{Mode, ResultStore, Session, Turn};
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// The loaded rubric.
#[derive(Resource, Clone)]
pub struct SimRubric(pub Arc<Rubric>);

/// Where result files go.
#[derive(Resource, Clone, Debug)]
pub struct ResultsDir(pub PathBuf);

/// The live session, if any, and its result file.
#[derive(Resource, Default)]
pub struct ActiveSession {
    pub session: Option<Session>,
    pub store: Option<ResultStore>,
    /// The last error writing the result file, if any (shown to the trainee).
    pub save_error: Option<String>,
    /// Saving failed: no more replies are taken and front ends must say so and stop.
    pub failure: Option<SaveFailure>,
}

/// Why a session cannot go on: its result file cannot be written.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveFailure {
    /// The results folder failed its write test before the first customer line: nothing was
    /// played.
    NotWritable { error: String },
    /// A write failed mid-session. Replies are no longer taken; the record so far went to
    /// `rescue` (or, when even that failed, the reasons why).
    Lost {
        error: String,
        rescue: Result<PathBuf, String>,
    },
}

impl SaveFailure {
    /// What to tell the trainee, in plain words (Chinese, then English).
    pub fn message(&self) -> String {
        match self {
            SaveFailure::NotWritable { error } => format!(
                "结果文件夹无法写入，对话没有开始。\n(the results folder cannot be written; the session was not started)\n{error}"
            ),
            SaveFailure::Lost { error, rescue } => {
                let rescue = match rescue {
                    Ok(p) => format!(
                        "到目前为止的对话已另存为救援副本 (rescue copy)：{}",
                        p.display()
                    ),
                    Err(e) => format!("救援副本也无法写入 (the rescue copy failed too)：{e}"),
                };
                format!(
                    "结果文件写入失败，对话已停止，不再接收回复。\n(the result file could not be written; the session was stopped)\n{error}\n{rescue}"
                )
            }
        }
    }

    /// The rescue copy, if one was written.
    pub fn rescue_path(&self) -> Option<&PathBuf> {
        match self {
            SaveFailure::Lost { rescue: Ok(p), .. } => Some(p),
            _ => None,
        }
    }
}

#[derive(Message, Clone, Debug)]
pub struct StartSession {
    pub scenario: Arc<Scenario>,
    pub seed: u64,
    pub trainee: String,
    pub mode: Mode,
    pub frontend: String,
    pub drill: Option<crate::session::DrillRef>,
}

#[derive(Message, Clone, Debug)]
pub struct TraineeReplied {
    pub text: String,
    pub seconds: f32,
}

/// Leave the session before it ends: it is saved marked unfinished.
#[derive(Message, Clone, Debug, Default)]
pub struct AbandonSession;

#[derive(Message, Clone, Debug)]
pub struct CustomerSpoke {
    pub text: String,
    pub node: String,
    pub mood: i32,
}

#[derive(Message, Clone, Debug)]
pub struct TurnScored {
    pub turn: Turn,
}

#[derive(Message, Clone, Debug)]
pub struct ReplyRejected {
    pub reason: String,
}

#[derive(Message, Clone, Debug)]
pub struct SessionEnded {
    /// None when the session was left unfinished.
    pub outcome: Option<Outcome>,
    pub total: u32,
    pub rank: String,
    pub result_path: Option<PathBuf>,
}

pub struct SimPlugin {
    pub rubric: Arc<Rubric>,
    pub results: PathBuf,
}

impl Plugin for SimPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(SimRubric(Arc::clone(&self.rubric)))
            .insert_resource(ResultsDir(self.results.clone()))
            .init_resource::<ActiveSession>()
            .add_message::<StartSession>()
            .add_message::<TraineeReplied>()
            .add_message::<AbandonSession>()
            .add_message::<CustomerSpoke>()
            .add_message::<TurnScored>()
            .add_message::<ReplyRejected>()
            .add_message::<SessionEnded>()
            .add_systems(
                Update,
                (start_sessions, handle_replies, handle_abandon)
                    .chain()
                    .in_set(SimSet),
            );
    }
}

/// The simulation's systems; front ends order their own systems around it.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimSet;

fn save(active: &mut ActiveSession) {
    if active.failure.is_some() {
        // Stopped already: the rescue copy holds the record.
        return;
    }
    if let (Some(s), Some(store)) = (&active.session, &active.store)
        && let Err(e) = store.save(&s.record)
    {
        let error = format!("{}: {e}", store.path.display());
        error!("cannot save the result file {error}");
        let rescue = crate::session::store::write_rescue(&s.record, &store.path);
        match &rescue {
            Ok(p) => warn!("rescue copy written to {}", p.display()),
            Err(e) => error!("the rescue copy failed too: {e}"),
        }
        active.save_error = Some(error.clone());
        active.failure = Some(SaveFailure::Lost { error, rescue });
    }
}

/// The result file of the active session, unless saving it failed.
fn saved_path(active: &ActiveSession) -> Option<PathBuf> {
    match active.failure {
        Some(_) => None,
        None => active.store.as_ref().map(|s| s.path.clone()),
    }
}

fn start_sessions(
    mut starts: MessageReader<StartSession>,
    rubric: Res<SimRubric>,
    dir: Res<ResultsDir>,
    mut active: ResMut<ActiveSession>,
    mut spoke: MessageWriter<CustomerSpoke>,
    mut ended: MessageWriter<SessionEnded>,
) {
    for s in starts.read() {
        // A session still running is kept as unfinished before the next begins.
        finish_unfinished(&mut active, &mut ended);
        let mut session = Session::start(
            Arc::clone(&s.scenario),
            &rubric.0,
            s.seed,
            &s.trainee,
            s.mode,
            &s.frontend,
        );
        session.record.drill = s.drill.clone();
        active.save_error = None;
        active.failure = None;
        // Prove the folder takes files before the customer says a word.
        let created = crate::session::store::probe_writable(&dir.0).and_then(|_| {
            ResultStore::create(&dir.0, &session.record).map_err(|e| {
                format!(
                    "{}: the results folder cannot be written (cannot create a result file: {e})",
                    dir.0.display()
                )
            })
        });
        active.store = match created {
            Ok(st) => Some(st),
            Err(error) => {
                error!("{error}");
                active.store = None;
                active.save_error = Some(error.clone());
                active.failure = Some(SaveFailure::NotWritable { error });
                active.session = None;
                continue;
            }
        };
        spoke.write(CustomerSpoke {
            text: session.customer_line().to_string(),
            node: session.current_node().id.clone(),
            mood: session.customer.mood,
        });
        active.session = Some(session);
    }
}

fn handle_replies(
    mut replies: MessageReader<TraineeReplied>,
    rubric: Res<SimRubric>,
    mut active: ResMut<ActiveSession>,
    mut spoke: MessageWriter<CustomerSpoke>,
    mut scored: MessageWriter<TurnScored>,
    mut rejected: MessageWriter<ReplyRejected>,
    mut ended: MessageWriter<SessionEnded>,
) {
    for r in replies.read() {
        if let Some(f) = &active.failure {
            rejected.write(ReplyRejected {
                reason: f.message(),
            });
            continue;
        }
        let Some(session) = active.session.as_mut() else {
            rejected.write(ReplyRejected {
                reason: "还没有开始对话。(no session)".into(),
            });
            continue;
        };
        match session.reply(&rubric.0, &r.text, r.seconds) {
            Err(e) => {
                rejected.write(ReplyRejected {
                    reason: e.to_string(),
                });
            }
            Ok(res) => {
                let mood = session.customer.mood;
                let node = session.current_node().id.clone();
                scored.write(TurnScored { turn: res.turn });
                spoke.write(CustomerSpoke {
                    text: res.customer_line,
                    node,
                    mood,
                });
                save(&mut active);
                if let Some(o) = res.ended {
                    let rec = &active.session.as_ref().map(|s| s.record.clone());
                    if let Some(rec) = rec {
                        ended.write(SessionEnded {
                            outcome: Some(o),
                            total: rec.total,
                            rank: rec.rank.clone(),
                            result_path: saved_path(&active),
                        });
                    }
                }
            }
        }
    }
}

fn finish_unfinished(active: &mut ActiveSession, ended: &mut MessageWriter<SessionEnded>) {
    let Some(s) = active.session.as_ref() else {
        return;
    };
    if s.is_over() {
        return;
    }
    save(active);
    if let Some(s) = active.session.as_ref() {
        ended.write(SessionEnded {
            outcome: None,
            total: s.record.total,
            rank: s.record.rank.clone(),
            result_path: saved_path(active),
        });
    }
    active.session = None;
}

fn handle_abandon(
    mut abandon: MessageReader<AbandonSession>,
    mut active: ResMut<ActiveSession>,
    mut ended: MessageWriter<SessionEnded>,
) {
    if abandon.read().count() > 0 {
        finish_unfinished(&mut active, &mut ended);
    }
}

/// Everything the simulation said in one update, in the order a front end shows it.
#[derive(Debug, Clone)]
pub enum SimEvent {
    Rejected(ReplyRejected),
    Scored(Box<TurnScored>),
    Spoke(CustomerSpoke),
    Ended(SessionEnded),
}

/// A headless app running `SimPlugin` on `MinimalPlugins`: used by the terminal front end,
/// batch drills and the tests. Each call writes a message, runs one `app.update()` and
/// returns what the simulation said.
pub struct SimDriver {
    pub app: App,
}

impl SimDriver {
    pub fn new(rubric: Arc<Rubric>, results: PathBuf) -> SimDriver {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .add_plugins(SimPlugin { rubric, results });
        SimDriver { app }
    }

    fn step(&mut self) -> Vec<SimEvent> {
        self.app.update();
        let w = self.app.world_mut();
        let mut out = Vec::new();
        out.extend(
            w.resource_mut::<Messages<ReplyRejected>>()
                .drain()
                .map(SimEvent::Rejected),
        );
        out.extend(
            w.resource_mut::<Messages<TurnScored>>()
                .drain()
                .map(|t| SimEvent::Scored(Box::new(t))),
        );
        out.extend(
            w.resource_mut::<Messages<CustomerSpoke>>()
                .drain()
                .map(SimEvent::Spoke),
        );
        out.extend(
            w.resource_mut::<Messages<SessionEnded>>()
                .drain()
                .map(SimEvent::Ended),
        );
        out
    }

    pub fn start(&mut self, start: StartSession) -> Vec<SimEvent> {
        self.app.world_mut().write_message(start);
        self.step()
    }

    pub fn reply(&mut self, text: &str, seconds: f32) -> Vec<SimEvent> {
        self.app.world_mut().write_message(TraineeReplied {
            text: text.to_string(),
            seconds,
        });
        self.step()
    }

    pub fn abandon(&mut self) -> Vec<SimEvent> {
        self.app.world_mut().write_message(AbandonSession);
        self.step()
    }

    pub fn session(&self) -> Option<&Session> {
        self.app
            .world()
            .resource::<ActiveSession>()
            .session
            .as_ref()
    }

    /// The session's result file, unless saving it failed.
    pub fn result_path(&self) -> Option<PathBuf> {
        saved_path(self.app.world().resource::<ActiveSession>())
    }

    /// Why saving failed, if it did: the session no longer takes replies.
    pub fn save_failure(&self) -> Option<SaveFailure> {
        self.app.world().resource::<ActiveSession>().failure.clone()
    }

    pub fn save_error(&self) -> Option<String> {
        self.app
            .world()
            .resource::<ActiveSession>()
            .save_error
            .clone()
    }
}
