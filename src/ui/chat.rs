//! The chat screen: the customer's name and persona, a mood meter, the reply timer, the
//! conversation as bubbles, and the composer (Enter sends, Shift+Enter starts a new line).
//!
//! [`ChatModel`] holds what the simulation said; the systems here only draw it, so the screen
//! can be rebuilt at any time from the model.

use super::coach::CoachSlot;
use super::phrases::{Phrases, PhrasesSlot};
use super::report::ReportData;
use super::strings::{self as s, fill};
use super::theme::{self, palette, persona_color, size};
use super::widgets::{self, ButtonKind};
use super::{Launch, Screen};
use crate::scenario::{Outcome, Scenario};
use crate::session::{MAX_REPLY_CHARS, Mode, SessionRecord, Turn};
use crate::sim::{
    AbandonSession, ActiveSession, CustomerSpoke, ReplyRejected, SessionEnded, SimSet,
    TraineeReplied, TurnScored,
};
use bevy::clipboard::Clipboard;
use bevy::ecs::system::SystemParam;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input_focus::{AutoFocus, FocusCause, FocusedInput, InputFocus};
use bevy::prelude::*;
use bevy::text::{EditableText, FontCx, LayoutCx, TextEdit};
use bevy::ui_widgets::{Activate, ScrollArea};
use bevy::window::WindowCloseRequested;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub fn plugin(app: &mut App) {
    app.init_resource::<ChatModel>()
        .add_message::<SubmitReply>()
        .add_systems(OnEnter(Screen::Chat), spawn)
        .add_systems(
            Update,
            (
                (leave_on_close, submit).before(SimSet),
                absorb.after(SimSet).in_set(ModelUpdated),
                (
                    sync_messages,
                    sync_header,
                    sync_notice,
                    sync_end,
                    tick_timer,
                    keys,
                    input_border,
                )
                    .after(absorb)
                    .run_if(in_state(Screen::Chat)),
            ),
        )
        .add_observer(on_activate);
}

/// After this set, [`ChatModel`] holds everything the simulation said this frame.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelUpdated;

/// One line of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Customer(String),
    Trainee {
        text: String,
        score: u32,
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
    inputs: Query<'w, 's, (Entity, &'static mut EditableText), With<ReplyInput>>,
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
        if let Ok((e, mut input)) = self.inputs.single_mut() {
            input.queue_edit(TextEdit::Insert(text.into()));
            focus.set(e, FocusCause::Navigated);
        }
    }

    pub fn is_composing(&self) -> bool {
        self.inputs.iter().any(|(_, t)| t.is_composing())
    }
}

#[derive(Component)]
pub struct ReplyInput;

#[derive(Component, Clone, Copy, Debug)]
enum ChatAction {
    Send,
    Leave,
    ViewReport,
}

#[derive(Component)]
struct MessageList {
    shown: usize,
}
#[derive(Component)]
struct MoodFill;
#[derive(Component)]
struct MoodText;
#[derive(Component)]
struct TimerText;
#[derive(Component)]
struct NoticeText;
#[derive(Component)]
struct Composer;
#[derive(Component)]
struct EndBanner;
#[derive(Component)]
struct EndText;
#[derive(Component)]
struct ViewReportButton;

// ---------------------------------------------------------------------------------------------
// The model, from the simulation's messages

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
        m.entries.push(Entry::Customer(c.text.clone()));
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
            None if e.result_path.is_none() => s::CHAT_UNFINISHED_NOT_SAVED.to_string(),
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
            result_path: e.result_path.clone(),
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
    mut trace: ResMut<super::trace::Trace>,
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
        trace.reply_sent(sub.at);
    }
}

// ---------------------------------------------------------------------------------------------
// The screen

fn spawn(
    mut commands: Commands,
    model: Res<ChatModel>,
    launch: Res<Launch>,
    drills: Res<super::drill::DrillState>,
) {
    let Some(sc) = model.scenario.clone() else {
        return;
    };
    let step = drills.run.as_ref().map(|r| {
        if r.attempt > 1 {
            fill(
                s::DRILL_CHIP_RETRY,
                &[&(r.current + 1), &r.steps.len(), &r.attempt],
            )
        } else {
            fill(s::DRILL_CHIP, &[&(r.current + 1), &r.steps.len()])
        }
    });
    commands
        .spawn((widgets::screen_root(Screen::Chat),))
        .with_children(|root| {
            topbar(root, &sc, model.mode, &launch, step);
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Row,
                ..default()
            })
            .with_children(|body| {
                sidebar(body, &sc);
                center(body, &sc, model.mode);
                body.spawn((
                    CoachSlot,
                    Node {
                        // 考核模式: no coaching until the report.
                        display: if model.mode == Mode::Exam {
                            Display::None
                        } else {
                            Display::Flex
                        },
                        width: px(360),
                        flex_shrink: 0.0,
                        flex_direction: FlexDirection::Column,
                        border: UiRect::left(px(1)),
                        ..default()
                    },
                    BackgroundColor(palette::PANEL_ALT),
                    BorderColor::all(palette::BORDER),
                ));
            });
        });
}

fn topbar(
    root: &mut ChildSpawnerCommands,
    sc: &Scenario,
    mode: Mode,
    launch: &Launch,
    drill_step: Option<String>,
) {
    root.spawn(widgets::topbar()).with_children(|bar| {
        bar.spawn(widgets::text(s::APP_NAME, size::HEADER, palette::ACCENT));
        bar.spawn(widgets::text(
            sc.title.clone(),
            size::BODY,
            palette::TEXT_ON_DARK,
        ));
        bar.spawn(widgets::chip(
            mode.label(),
            Color::WHITE,
            if mode == Mode::Exam {
                palette::BAD
            } else {
                palette::GOOD
            },
        ));
        if let Some(step) = drill_step {
            bar.spawn(widgets::chip(step, Color::WHITE, palette::ACCENT));
        }
        bar.spawn(widgets::text(
            fill(s::PICKER_TRAINEE, &[&launch.trainee]),
            size::SMALL,
            palette::TEXT_ON_DARK_DIM,
        ));
        bar.spawn(widgets::spacer());
        bar.spawn(widgets::button(
            s::CHAT_LEAVE,
            ButtonKind::Plain,
            ChatAction::Leave,
        ));
    });
}

fn avatar(name: &str, color: Color) -> impl Bundle {
    let initial: String = name.chars().next().map(String::from).unwrap_or_default();
    (
        Node {
            width: px(36),
            height: px(36),
            flex_shrink: 0.0,
            border_radius: BorderRadius::MAX,
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            ..default()
        },
        BackgroundColor(color),
        children![(
            Text::new(initial),
            TextFont::from_font_size(size::BODY),
            TextColor(Color::WHITE),
        )],
    )
}

fn sidebar(body: &mut ChildSpawnerCommands, sc: &Scenario) {
    body.spawn((
        Node {
            width: px(270),
            flex_shrink: 0.0,
            flex_direction: FlexDirection::Column,
            padding: px(12).all(),
            row_gap: px(12),
            border: UiRect::right(px(1)),
            overflow: Overflow::scroll_y(),
            ..default()
        },
        ScrollArea,
        BackgroundColor(palette::PANEL_ALT),
        BorderColor::all(palette::BORDER),
    ))
    .with_children(|side| {
        side.spawn(widgets::panel()).with_children(|p| {
            p.spawn(widgets::row(10)).with_children(|r| {
                r.spawn(avatar(&sc.persona.name, persona_color(sc.persona.kind)));
                r.spawn(widgets::column(2)).with_children(|c| {
                    c.spawn(widgets::body(sc.persona.name.clone()));
                    c.spawn(widgets::persona_chip(sc.persona.kind));
                });
            });
            if !sc.persona.about.trim().is_empty() {
                p.spawn(widgets::dim(sc.persona.about.clone()));
            }
        });
        side.spawn(widgets::panel()).with_children(|p| {
            let shop = &sc.shop;
            p.spawn(widgets::text(
                format!("{}：{}", s::CHAT_SHOP, shop.name),
                size::SMALL,
                palette::TEXT,
            ));
            p.spawn(widgets::text(
                format!("{}：{}", s::CHAT_PRODUCT, shop.product),
                size::SMALL,
                palette::TEXT,
            ));
            p.spawn(widgets::text(
                fill(
                    s::CHAT_PRICE,
                    &[&sc.fill("{price}"), &sc.fill("{lowest_price}")],
                ),
                size::SMALL,
                palette::TEXT,
            ));
            let ship = match shop.free_shipping_over {
                Some(_) => fill(s::CHAT_FREE_SHIPPING, &[&sc.fill("{free_shipping_over}")]),
                None => s::CHAT_NO_FREE_SHIPPING.to_string(),
            };
            let gifts = if shop.gifts_allowed {
                s::CHAT_GIFTS_OK
            } else {
                s::CHAT_GIFTS_NO
            };
            p.spawn(widgets::dim(format!("{ship} · {gifts}")));
            p.spawn(widgets::dim(fill(s::CHAT_RETURNS, &[&shop.returns])));
            p.spawn(widgets::dim(fill(s::CHAT_SHIPPING, &[&shop.shipping])));
            for n in &shop.notes {
                p.spawn(widgets::dim(n.clone()));
            }
        });
        side.spawn((
            PhrasesSlot,
            Node {
                flex_direction: FlexDirection::Column,
                flex_grow: 1.0,
                flex_shrink: 0.0,
                min_height: px(270),
                ..default()
            },
        ));
    });
}

fn center(body: &mut ChildSpawnerCommands, sc: &Scenario, mode: Mode) {
    body.spawn(Node {
        flex_grow: 1.0,
        min_width: px(0),
        flex_direction: FlexDirection::Column,
        ..default()
    })
    .with_children(|col| {
        // Header: who, how they feel, how long you are taking.
        col.spawn((
            Node {
                padding: UiRect::axes(px(16), px(10)),
                column_gap: px(12),
                align_items: AlignItems::Center,
                border: UiRect::bottom(px(1)),
                flex_shrink: 0.0,
                ..default()
            },
            BackgroundColor(palette::PANEL),
            BorderColor::all(palette::BORDER),
        ))
        .with_children(|h| {
            h.spawn(widgets::label(
                sc.persona.name.clone(),
                size::HEADER,
                palette::TEXT,
            ));
            h.spawn(widgets::persona_chip(sc.persona.kind));
            if mode == Mode::Exam {
                h.spawn(widgets::chip(
                    s::CHAT_EXAM_BADGE,
                    palette::BAD,
                    palette::BAD_SOFT,
                ));
            }
            h.spawn(widgets::spacer());
            h.spawn(widgets::label(s::CHAT_MOOD, size::SMALL, palette::TEXT_DIM));
            h.spawn(widgets::marked_bar(
                0.5,
                120.0,
                theme::mood_color(50),
                MoodFill,
            ));
            h.spawn((MoodText, widgets::label("", size::SMALL, palette::TEXT)));
            h.spawn((
                TimerText,
                widgets::label("", size::SMALL, palette::TEXT_DIM),
                Node {
                    margin: UiRect::left(px(10)),
                    ..default()
                },
            ));
        });
        // The conversation.
        col.spawn((
            MessageList { shown: 0 },
            ScrollArea,
            Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Column,
                padding: px(16).all(),
                row_gap: px(12),
                overflow: Overflow::scroll_y(),
                ..default()
            },
        ));
        col.spawn((
            NoticeText,
            widgets::text("", size::SMALL, palette::BAD),
            Node {
                padding: UiRect::horizontal(px(16)),
                flex_shrink: 0.0,
                ..default()
            },
        ));
        composer(col);
        end_banner(col);
    });
}

fn composer(col: &mut ChildSpawnerCommands) {
    col.spawn((
        Composer,
        Node {
            flex_direction: FlexDirection::Column,
            padding: UiRect::axes(px(16), px(10)),
            row_gap: px(6),
            border: UiRect::top(px(1)),
            flex_shrink: 0.0,
            ..default()
        },
        BackgroundColor(palette::PANEL),
        BorderColor::all(palette::BORDER),
    ))
    .with_children(|c| {
        c.spawn(widgets::dim(s::CHAT_INPUT_HINT));
        c.spawn(widgets::row(10)).with_children(|r| {
            r.spawn((
                ReplyInput,
                Node {
                    flex_grow: 1.0,
                    min_width: px(0),
                    border: px(1).all(),
                    padding: px(8).all(),
                    border_radius: BorderRadius::all(px(6)),
                    ..default()
                },
                EditableText {
                    visible_lines: Some(3.0),
                    allow_newlines: false,
                    max_characters: Some(MAX_REPLY_CHARS),
                    ..default()
                },
                TextLayout::new(Justify::Left, LineBreak::WordOrCharacter),
                widgets::text_box_style(size::BODY),
                AutoFocus,
            ))
            .observe(on_input_key);
            r.spawn(widgets::button(
                s::CHAT_SEND,
                ButtonKind::Primary,
                ChatAction::Send,
            ));
        });
    });
}

fn end_banner(col: &mut ChildSpawnerCommands) {
    col.spawn((
        EndBanner,
        Node {
            display: Display::None,
            padding: UiRect::axes(px(16), px(14)),
            column_gap: px(14),
            align_items: AlignItems::Center,
            border: UiRect::top(px(1)),
            flex_shrink: 0.0,
            ..default()
        },
        BackgroundColor(palette::ACCENT_SOFT),
        BorderColor::all(palette::BORDER),
    ))
    .with_children(|b| {
        b.spawn((EndText, widgets::header("")));
        b.spawn(widgets::spacer());
        b.spawn((
            ViewReportButton,
            widgets::button(
                s::CHAT_VIEW_REPORT,
                ButtonKind::Primary,
                ChatAction::ViewReport,
            ),
        ));
    });
}

/// Enter sends, Shift+Enter starts a new line (the IME keeps Enter while composing).
///
/// Keys arrive here in the order they were typed, so Shift is tracked from the events
/// themselves as well: a Shift+Enter delivered in one burst still counts.
fn on_input_key(
    mut ev: On<FocusedInput<KeyboardInput>>,
    keys: Res<ButtonInput<Key>>,
    mut shift: Local<bool>,
    mut reply: ReplyBox,
    mut submit: MessageWriter<SubmitReply>,
) {
    let pressed = ev.input.state.is_pressed();
    match &ev.input.logical_key {
        Key::Shift => *shift = pressed,
        Key::Enter if pressed && !reply.is_composing() => {
            ev.propagate(false);
            if *shift || keys.pressed(Key::Shift) {
                if let Ok((_, mut input)) = reply.inputs.single_mut() {
                    input.queue_edit(TextEdit::Insert("\n".into()));
                }
            } else if !ev.input.repeat
                && let Some(text) = reply.take()
            {
                submit.write(SubmitReply {
                    text,
                    at: Instant::now(),
                });
            }
        }
        _ => {}
    }
}

fn on_activate(
    ev: On<Activate>,
    actions: Query<&ChatAction>,
    mut reply: ReplyBox,
    mut submit: MessageWriter<SubmitReply>,
    model: Res<ChatModel>,
    mut abandon: MessageWriter<AbandonSession>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Ok(action) = actions.get(ev.entity) else {
        return;
    };
    match action {
        ChatAction::Send => {
            if let Some(text) = reply.take() {
                submit.write(SubmitReply {
                    text,
                    at: Instant::now(),
                });
            }
        }
        ChatAction::Leave => leave(&model, &mut abandon, &mut next),
        ChatAction::ViewReport => next.set(Screen::Report),
    }
}

/// Esc / 离开: an unfinished session is saved as unfinished; a finished one shows the report.
fn leave(
    model: &ChatModel,
    abandon: &mut MessageWriter<AbandonSession>,
    next: &mut NextState<Screen>,
) {
    if model.ended.is_some() {
        next.set(Screen::Report);
    } else {
        abandon.write(AbandonSession);
    }
}

fn keys(
    keys: Res<ButtonInput<KeyCode>>,
    model: Res<ChatModel>,
    phrases: Res<Phrases>,
    mut reply: ReplyBox,
    mut focus: ResMut<InputFocus>,
    mut abandon: MessageWriter<AbandonSession>,
    mut next: ResMut<NextState<Screen>>,
) {
    if keys.just_pressed(KeyCode::Escape) && !reply.is_composing() {
        leave(&model, &mut abandon, &mut next);
        return;
    }
    if !keys.any_pressed([KeyCode::ControlLeft, KeyCode::ControlRight]) {
        return;
    }
    const DIGITS: [KeyCode; 9] = [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
    ];
    for (i, k) in DIGITS.iter().enumerate() {
        if keys.just_pressed(*k)
            && let Some(p) = phrases.list.get(i)
        {
            reply.insert(p, &mut focus);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Drawing the model

fn spawn_entry(list: &mut ChildSpawnerCommands, entry: &Entry, model: &ChatModel) {
    let practice = model.mode == Mode::Practice;
    match entry {
        Entry::Customer(text) => {
            let (name, color) = model
                .scenario
                .as_ref()
                .map(|s| (s.persona.name.as_str(), persona_color(s.persona.kind)))
                .unwrap_or(("", palette::TEXT_DIM));
            list.spawn(Node {
                column_gap: px(10),
                align_items: AlignItems::FlexStart,
                ..default()
            })
            .with_children(|r| {
                r.spawn(avatar(name, color));
                r.spawn(Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(4),
                    max_width: percent(78),
                    ..default()
                })
                .with_children(|c| {
                    c.spawn(widgets::dim(name.to_string()));
                    c.spawn(bubble(text, palette::CUSTOMER_BUBBLE, palette::BORDER));
                });
            });
        }
        Entry::Trainee { text, score } => {
            list.spawn(Node {
                column_gap: px(10),
                align_items: AlignItems::FlexStart,
                justify_content: JustifyContent::FlexEnd,
                ..default()
            })
            .with_children(|r| {
                r.spawn(Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(4),
                    align_items: AlignItems::FlexEnd,
                    max_width: percent(78),
                    ..default()
                })
                .with_children(|c| {
                    c.spawn(widgets::row(6)).with_children(|h| {
                        if practice {
                            h.spawn(widgets::chip(
                                fill(s::CHAT_SCORE, &[score]),
                                Color::WHITE,
                                theme::score_color(*score),
                            ));
                        }
                        h.spawn(widgets::dim(s::CHAT_YOU));
                    });
                    c.spawn(bubble(text, palette::AGENT_BUBBLE, palette::AGENT_BUBBLE));
                });
                r.spawn(avatar(s::CHAT_YOU, palette::ACCENT));
            });
        }
        Entry::Note(text) => {
            list.spawn(Node {
                justify_content: JustifyContent::Center,
                ..default()
            })
            .with_children(|r| {
                r.spawn(widgets::chip(
                    text.clone(),
                    palette::TEXT_DIM,
                    palette::BUTTON_HOVER,
                ));
            });
        }
    }
}

fn bubble(text: &str, bg: Color, border: Color) -> impl Bundle {
    (
        Node {
            max_width: percent(100),
            padding: UiRect::axes(px(12), px(8)),
            border: px(1).all(),
            border_radius: BorderRadius::all(px(10)),
            ..default()
        },
        BackgroundColor(bg),
        BorderColor::all(border),
        children![widgets::body(text.to_string())],
    )
}

fn sync_messages(
    mut commands: Commands,
    model: Res<ChatModel>,
    mut lists: Query<(Entity, &mut MessageList, &mut ScrollPosition)>,
) {
    for (e, mut list, mut scroll) in &mut lists {
        if list.shown >= model.entries.len() {
            continue;
        }
        commands.entity(e).with_children(|l| {
            for entry in &model.entries[list.shown..] {
                spawn_entry(l, entry, &model);
            }
        });
        list.shown = model.entries.len();
        // Follow the conversation (layout clamps this to the bottom).
        scroll.y = 1.0e7;
    }
}

fn sync_header(
    model: Res<ChatModel>,
    mut fill_q: Query<(&mut Node, &mut BackgroundColor), With<MoodFill>>,
    mood_text: Single<&mut Text, With<MoodText>>,
) {
    if !model.is_changed() {
        return;
    }
    for (mut node, mut bg) in &mut fill_q {
        node.width = percent(model.mood.clamp(0, 100) as f32);
        bg.0 = theme::mood_color(model.mood);
    }
    let delta = match model.mood_delta {
        d if d > 0 => format!(" {}", fill(s::CHAT_MOOD_UP, &[&d])),
        d if d < 0 => format!(" {}", fill(s::CHAT_MOOD_DOWN, &[&-d])),
        _ => String::new(),
    };
    mood_text.into_inner().0 = format!("{}{delta}", model.mood);
}

fn tick_timer(
    model: Res<ChatModel>,
    timer: Single<(&mut Text, &mut TextColor), With<TimerText>>,
    mut last: Local<Option<(u64, bool)>>,
) {
    let (mut text, mut color) = timer.into_inner();
    let Some(at) = model.asked_at else {
        if last.is_some() || model.is_changed() {
            *last = None;
            text.0.clear();
        }
        return;
    };
    let secs = at.elapsed().as_secs();
    let key = (secs, model.is_changed());
    if *last == Some(key) && !model.is_changed() {
        return;
    }
    *last = Some(key);
    let (t, c) = match model.target {
        Some(target) if secs as f32 > target => (
            format!(
                "{} · {}",
                fill(s::CHAT_TIMER_TARGET, &[&secs, &target]),
                fill(s::CHAT_TIMER_OVER, &[&(secs as f32 - target).ceil()])
            ),
            palette::BAD,
        ),
        Some(target) => (
            fill(s::CHAT_TIMER_TARGET, &[&secs, &target]),
            if secs as f32 > target * 0.7 {
                palette::WARN
            } else {
                palette::TEXT_DIM
            },
        ),
        None => (fill(s::CHAT_TIMER, &[&secs]), palette::TEXT_DIM),
    };
    text.0 = t;
    color.0 = c;
}

fn sync_notice(model: Res<ChatModel>, notice: Single<&mut Text, With<NoticeText>>) {
    if model.is_changed() {
        notice.into_inner().0 = model.notice.clone().unwrap_or_default();
    }
}

#[allow(clippy::type_complexity)]
fn sync_end(
    model: Res<ChatModel>,
    mut nodes: ParamSet<(
        Query<&mut Node, With<Composer>>,
        Query<&mut Node, With<EndBanner>>,
    )>,
    end_text: Single<&mut Text, With<EndText>>,
    button: Single<Entity, With<ViewReportButton>>,
    mut focus: ResMut<InputFocus>,
    mut shown: Local<bool>,
) {
    if !model.is_changed() && *shown == model.ended.is_some() {
        return;
    }
    let ended = model.ended.is_some();
    for mut n in &mut nodes.p0() {
        n.display = if ended { Display::None } else { Display::Flex };
    }
    for mut n in &mut nodes.p1() {
        n.display = if ended { Display::Flex } else { Display::None };
    }
    if let Some(e) = &model.ended {
        let outcome = e
            .outcome
            .map(|o| o.label().to_string())
            .unwrap_or_else(|| s::REPORT_UNFINISHED.to_string());
        end_text.into_inner().0 = format!(
            "{} · {} {} · {}",
            fill(s::CHAT_ENDED, &[&outcome]),
            s::REPORT_TOTAL,
            e.total,
            e.rank
        );
        if !*shown {
            focus.set(*button, FocusCause::Navigated);
        }
    }
    *shown = ended;
}

/// The reply box's border shows where the keyboard is.
fn input_border(
    focus: Res<InputFocus>,
    mut inputs: Query<(Entity, &mut BorderColor), With<ReplyInput>>,
) {
    if !focus.is_changed() {
        return;
    }
    for (e, mut border) in &mut inputs {
        *border = BorderColor::all(if focus.get() == Some(e) {
            palette::ACCENT
        } else {
            palette::BORDER
        });
    }
}
