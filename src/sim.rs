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
    if let (Some(s), Some(store)) = (&active.session, &active.store) {
        active.save_error = store
            .save(&s.record)
            .err()
            .map(|e| format!("{}: {e}", store.path.display()));
        if let Some(e) = &active.save_error {
            error!("cannot save the result file {e}");
        }
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
        active.store = match ResultStore::create(&dir.0, &session.record) {
            Ok(st) => Some(st),
            Err(e) => {
                let msg = format!("{}: {e}", dir.0.display());
                error!("cannot create a result file in {msg}");
                active.save_error = Some(msg);
                None
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
                            result_path: active.store.as_ref().map(|s| s.path.clone()),
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
            result_path: active.store.as_ref().map(|s| s.path.clone()),
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

    pub fn result_path(&self) -> Option<PathBuf> {
        self.app
            .world()
            .resource::<ActiveSession>()
            .store
            .as_ref()
            .map(|s| s.path.clone())
    }

    pub fn save_error(&self) -> Option<String> {
        self.app
            .world()
            .resource::<ActiveSession>()
            .save_error
            .clone()
    }
}
