//! The chat's model and events: what the simulation said ([`ChatModel`]), what a session
//! left behind ([`ReportData`]), a reply on its way ([`SubmitReply`]), and the reply box
//! ([`ReplyBox`]). The chat screen, coach, quick phrases, report, drill and trace read this
//! module; it reads none of them, so the window's modules depend in one direction.

use super::super::Screen;
use super::super::strings::{self as s, fill};
use crate::rubric::{CheckRole, Span};
use crate::scenario::{Outcome, Scenario};
use crate::session::{Mode, SessionRecord, Turn};
use crate::sim::{
    AbandonSession, ActiveSession, CustomerSpoke, ReplyRejected, SessionEnded, SimSet,
    TraineeReplied, TurnScored,
};
use bevy::clipboard::Clipboard;
use bevy::ecs::system::SystemParam;
use bevy::input_focus::{FocusCause, InputFocus};
use bevy::prelude::*;
use bevy::text::{EditableText, FontCx, LayoutCx, TextEdit};
use bevy::window::WindowCloseRequested;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

pub fn plugin(app: &mut App) {
    app.init_resource::<ChatModel>()
        .init_resource::<ReportData>()
        .add_message::<SubmitReply>()
        .add_systems(
            Update,
            (
                (leave_on_close, submit).before(SimSet),
                absorb.after(SimSet).in_set(ModelUpdated),
            ),
        );
}

/// What a finished or abandoned session left: its record and its result file.
#[derive(Resource, Default, Debug, Clone)]
pub struct ReportData {
    pub record: Option<SessionRecord>,
    pub result_path: Option<PathBuf>,
    /// Why the folder could not be opened.
    pub open_error: Option<String>,
}

/// After this set, [`ChatModel`] holds everything the simulation said this frame.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelUpdated;

/// One line of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Customer {
        text: String,
        at: SystemTime,
    },
    Trainee {
        text: String,
        score: u32,
        /// Characters of the reply that broke a rule (marked in its bubble).
        violations: Vec<Span>,
        at: SystemTime,
    },
    /// A note from the workbench (the end of the conversation).
    Note(String),
}

/// How the session ended.
#[derive(Debug, Clone)]
pub struct Ended {
    pub outcome: Option<Outcome>,
    pub total: u32,
    pub rank: String,
}

/// Everything the chat screen shows, as the simulation reported it.
#[derive(Resource, Default, Debug)]
pub struct ChatModel {
    pub scenario: Option<Arc<Scenario>>,
    pub mode: Mode,
    pub seed: u64,
    pub entries: Vec<Entry>,
    pub mood: i32,
    /// How the last reply moved the mood.
    pub mood_delta: i32,
    /// The node waiting for a reply.
    pub node: String,
    pub target: Option<f32>,
    /// When the customer's line waiting for a reply appeared.
    pub asked_at: Option<Instant>,
    pub last_turn: Option<Turn>,
    /// A rejected reply or a save error, shown above the composer.
    pub notice: Option<String>,
    pub ended: Option<Ended>,
}

impl ChatModel {
    pub fn reset(&mut self, scenario: Arc<Scenario>, mode: Mode, seed: u64) {
        *self = ChatModel {
            scenario: Some(scenario),
            mode,
            seed,
            mood: 50,
            ..default()
        };
    }

    /// The coaching hint for the node waiting for a reply.
    pub fn hint(&self) -> Option<&str> {
        if self.ended.is_some() {
            return None;
        }
        let sc = self.scenario.as_ref()?;
        let h = sc.node(&self.node)?.hint.trim();
        (!h.is_empty()).then_some(h)
    }

    pub fn customer_name(&self) -> &str {
        self.scenario
            .as_ref()
            .map(|s| s.persona.name.as_str())
            .unwrap_or("")
    }
}

/// Send a reply (taken from the reply box by Enter, the send button, or a replay script).
#[derive(Message, Clone, Debug)]
pub struct SubmitReply {
    pub text: String,
    /// When Enter was pressed, for the latency trace.
    pub at: Instant,
}

/// The reply box, with what it takes to apply the keystrokes still queued in it.
#[derive(SystemParam)]
pub struct ReplyBox<'w, 's> {
    pub(super) inputs: Query<'w, 's, (Entity, &'static mut EditableText), With<ReplyInput>>,
    font_cx: ResMut<'w, FontCx>,
    layout_cx: ResMut<'w, LayoutCx>,
    clipboard: ResMut<'w, Clipboard>,
}

impl ReplyBox<'_, '_> {
    /// Everything typed so far — including keystrokes of this frame not yet applied — and
    /// an empty box. None while the IME is composing (its Enter belongs to the IME).
    pub fn take(&mut self) -> Option<String> {
        let (_, mut input) = self.inputs.single_mut().ok()?;
        if input.is_composing() {
            return None;
        }
        input.apply_pending_edits(
            &mut self.font_cx,
            &mut self.layout_cx,
            &mut self.clipboard,
            |_| true,
        );
        let text = input.value().to_string();
        input.clear();
        Some(text)
    }

    /// Put `text` in the box, as if typed.
    pub fn type_text(&mut self, text: &str) {
        if let Ok((_, mut input)) = self.inputs.single_mut() {
            input.editor_mut().set_text(text);
            input.queue_edit(TextEdit::TextEnd(false));
        }
    }

    /// Insert at the cursor and give the box the keyboard.
    pub fn insert(&mut self, text: &str, focus: &mut InputFocus) {
        if let Ok((_, mut input)) = self.inputs.single_mut() {
            input.queue_edit(TextEdit::Insert(text.into()));
        }
        self.focus(focus);
    }

    /// Give the box the keyboard (after sending, after a click in the chat).
    pub fn focus(&self, focus: &mut InputFocus) {
        if let Ok((e, _)) = self.inputs.single()
            && focus.get() != Some(e)
        {
            focus.set(e, FocusCause::Navigated);
        }
    }

    /// What is in the box now, keystrokes of this frame not counted.
    pub fn draft(&self) -> String {
        self.inputs
            .single()
            .map(|(_, t)| t.value().to_string())
            .unwrap_or_default()
    }

    pub fn is_composing(&self) -> bool {
        self.inputs.iter().any(|(_, t)| t.is_composing())
    }
}

#[derive(Component)]
pub struct ReplyInput;

/// The model, from the simulation's messages.
#[allow(clippy::too_many_arguments)]
fn absorb(
    mut scored: MessageReader<TurnScored>,
    mut spoke: MessageReader<CustomerSpoke>,
    mut rejected: MessageReader<ReplyRejected>,
    mut ended: MessageReader<SessionEnded>,
    active: Res<ActiveSession>,
    mut model: ResMut<ChatModel>,
    mut report: ResMut<ReportData>,
    mut next: ResMut<NextState<Screen>>,
) {
    if scored.is_empty() && spoke.is_empty() && rejected.is_empty() && ended.is_empty() {
        return;
    }
    let m = &mut *model;
    for t in scored.read() {
        m.entries.push(Entry::Trainee {
            text: t.turn.reply.clone(),
            score: t.turn.score,
            violations: violation_spans(&t.turn),
            at: SystemTime::now(),
        });
        m.last_turn = Some(t.turn.clone());
        m.notice = None;
    }
    for c in spoke.read() {
        if m.entries.is_empty() {
            m.mood_delta = 0;
        } else {
            m.mood_delta = c.mood - m.mood;
        }
        m.mood = c.mood;
        m.entries.push(Entry::Customer {
            text: c.text.clone(),
            at: SystemTime::now(),
        });
        m.node = c.node.clone();
        m.target = m
            .scenario
            .as_ref()
            .and_then(|sc| sc.node(&c.node).and_then(|n| sc.target_for(n)));
        m.asked_at = Some(Instant::now());
    }
    for r in rejected.read() {
        m.notice = Some(r.reason.clone());
    }
    if let Some(e) = &active.save_error {
        m.notice = Some(fill(s::CHAT_SAVE_ERROR, &[e]));
    }
    let current = active.store.as_ref().map(|st| st.path.clone());
    for e in ended.read() {
        // A new session closing an unfinished one reports the old one: not ours.
        if e.result_path.is_some() && active.session.is_some() && e.result_path != current {
            continue;
        }
        m.asked_at = None;
        m.ended = Some(Ended {
            outcome: e.outcome,
            total: e.total,
            rank: e.rank.clone(),
        });
        m.entries.push(Entry::Note(match e.outcome {
            Some(o) => fill(s::CHAT_ENDED, &[&o.label()]),
            None if e.result_path.is_none() || active.save_error.is_some() => {
                s::CHAT_UNFINISHED_NOT_SAVED.to_string()
            }
            None => s::CHAT_UNFINISHED.to_string(),
        }));
        let record = active
            .session
            .as_ref()
            .filter(|_| e.outcome.is_some())
            .map(|s| s.record.clone())
            .or_else(|| read_record(e.result_path.as_ref()?));
        *report = ReportData {
            record,
            // A file whose last write failed is not "saved": the report says so.
            result_path: e
                .result_path
                .clone()
                .filter(|_| active.save_error.is_none()),
            open_error: None,
        };
        if e.outcome.is_none() {
            // Left on purpose (Esc, closing the window): straight to the report.
            next.set(Screen::Report);
        }
    }
}

/// Abandoned sessions leave the simulation's resource; read back what was saved.
fn read_record(path: &PathBuf) -> Option<SessionRecord> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Closing the window mid-session keeps the transcript and marks the session unfinished.
fn leave_on_close(
    mut closing: MessageReader<WindowCloseRequested>,
    model: Res<ChatModel>,
    mut abandon: MessageWriter<AbandonSession>,
) {
    if closing.read().count() > 0 && model.scenario.is_some() && model.ended.is_none() {
        abandon.write(AbandonSession);
    }
}

fn submit(
    mut submits: MessageReader<SubmitReply>,
    mut model: ResMut<ChatModel>,
    mut replied: MessageWriter<TraineeReplied>,
) {
    for sub in submits.read() {
        if model.ended.is_some() {
            continue;
        }
        if crate::session::clean_reply(&sub.text).is_empty() {
            model.notice = Some(s::CHAT_EMPTY_REPLY.to_string());
            continue;
        }
        let seconds = model
            .asked_at
            .map(|t| t.elapsed().as_secs_f32())
            .unwrap_or(0.0);
        replied.write(TraineeReplied {
            text: sub.text.clone(),
            seconds,
        });
    }
}

/// The evidence of every rule the reply broke.
pub fn violation_spans(t: &Turn) -> Vec<Span> {
    t.verdict
        .checks
        .iter()
        .filter(|c| c.role == CheckRole::Violation && !c.passed)
        .flat_map(|c| c.evidence.iter().cloned())
        .collect()
}

/// "14:05" in the machine's local time zone (`TZ` honoured).
pub fn clock(at: SystemTime) -> String {
    match jiff::Timestamp::try_from(at) {
        Ok(t) => t
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%H:%M")
            .to_string(),
        Err(_) => String::new(),
    }
}
