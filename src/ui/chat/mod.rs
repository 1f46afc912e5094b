//! The chat screen: the customer's name and persona, a mood meter, the reply timer, the
//! conversation as bubbles, and the composer (Enter sends, Shift+Enter starts a new line).
//!
//! [`ChatModel`] holds what the simulation said; the systems here only draw it, so the screen
//! can be rebuilt at any time from the model.

pub mod model;

use model::{ChatModel, Entry, ModelUpdated, ReplyBox, ReplyInput, SubmitReply};

use super::coach::CoachSlot;
use super::phrases::{PhraseEditInput, Phrases, PhrasesSlot};
use super::strings::{self as s, fill};
use super::theme::{self, palette, persona_color, size};
use super::widgets::{self, ButtonKind, Probe};
use super::{Launch, Screen};
use crate::scenario::Scenario;
use crate::session::{MAX_REPLY_CHARS, Mode};
use crate::sim::AbandonSession;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input_focus::{AutoFocus, FocusCause, FocusedInput, InputFocus};
use bevy::prelude::*;
use bevy::text::{EditableText, TextEdit};
use bevy::ui_widgets::{Activate, ScrollArea};
use std::time::Instant;

pub fn plugin(app: &mut App) {
    app.add_plugins(model::plugin)
        .init_resource::<LeaveAsk>()
        .add_systems(OnEnter(Screen::Chat), spawn)
        .add_systems(
            Update,
            (
                sync_messages,
                sync_header,
                sync_notice,
                sync_end,
                sync_leave_dialog,
                tick_timer,
                keys,
                input_border,
            )
                .after(ModelUpdated)
                .run_if(in_state(Screen::Chat)),
        )
        .add_observer(on_activate);
}

#[derive(Component, Clone, Copy, Debug)]
enum ChatAction {
    Send,
    Leave,
    ViewReport,
    /// In the leave dialog: leave after all (saved as unfinished).
    LeaveConfirmed,
    /// In the leave dialog: keep practising, the draft as it was.
    Stay,
    /// Insert a 表情 code.
    Emoji(usize),
}

/// Is the "leave?" question up?
#[derive(Resource, Default, Debug)]
struct LeaveAsk(bool);

/// The "leave this session?" dialog over the chat.
#[derive(Component)]
pub struct LeaveDialog;

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
#[derive(Component)]
struct StayButton;
#[derive(Component)]
struct EmojiRow;

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
                        // Narrower on a laptop, never so narrow a verdict is unreadable.
                        width: percent(28),
                        min_width: px(280),
                        max_width: px(420),
                        flex_shrink: 0.0,
                        flex_direction: FlexDirection::Column,
                        border: UiRect::left(px(1)),
                        ..default()
                    },
                    BackgroundColor(palette::PANEL_ALT),
                    BorderColor::all(palette::BORDER),
                ));
            });
            leave_dialog(root);
        });
}

/// "Leave this session?" — over everything, hidden until Esc or 离开 asks.
fn leave_dialog(root: &mut ChildSpawnerCommands) {
    root.spawn((
        LeaveDialog,
        Node {
            display: Display::None,
            position_type: PositionType::Absolute,
            width: percent(100),
            height: percent(100),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            ..default()
        },
        BackgroundColor(Color::srgba(0.05, 0.07, 0.1, 0.45)),
        GlobalZIndex(10),
    ))
    .with_children(|d| {
        d.spawn(widgets::panel())
            .insert(Node {
                flex_direction: FlexDirection::Column,
                padding: px(20).all(),
                row_gap: px(12),
                border: px(1).all(),
                border_radius: BorderRadius::all(px(10)),
                max_width: px(460),
                ..default()
            })
            .with_children(|p| {
                p.spawn(widgets::header(s::CHAT_LEAVE_ASK));
                p.spawn(widgets::text(
                    s::CHAT_LEAVE_NOTE,
                    size::SMALL,
                    palette::TEXT,
                ));
                p.spawn(widgets::row(10)).with_children(|r| {
                    r.spawn(widgets::spacer());
                    r.spawn((
                        StayButton,
                        Probe::new("leave-stay"),
                        widgets::button(s::CHAT_LEAVE_STAY, ButtonKind::Primary, ChatAction::Stay),
                    ));
                    r.spawn((
                        Probe::new("leave-go"),
                        widgets::button(
                            s::CHAT_LEAVE_GO,
                            ButtonKind::Plain,
                            ChatAction::LeaveConfirmed,
                        ),
                    ));
                });
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
        bar.spawn(widgets::text(s::APP_NAME, size::HEADER, palette::BRAND));
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
        Probe::new("chat-side"),
        Node {
            width: percent(22),
            min_width: px(230),
            max_width: px(300),
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
            p.spawn(widgets::row(8)).with_children(|r| {
                r.spawn(widgets::header(s::CHAT_ORDER));
                r.spawn(widgets::spacer());
                r.spawn(widgets::chip(
                    s::CHAT_ORDER_STATE,
                    palette::ACCENT,
                    palette::ACCENT_SOFT,
                ));
            });
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
            p.spawn(widgets::text(
                fill(s::CHAT_SHIPPING, &[&shop.shipping]),
                size::SMALL,
                palette::TEXT,
            ));
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
        // It wraps rather than clips: on a laptop the timer moves to a second line.
        col.spawn((
            Node {
                padding: UiRect::axes(px(16), px(10)),
                column_gap: px(12),
                row_gap: px(6),
                flex_wrap: FlexWrap::Wrap,
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
            h.spawn(widgets::row(8)).with_children(|m| {
                m.spawn(widgets::label(s::CHAT_MOOD, size::SMALL, palette::TEXT_DIM));
                m.spawn(widgets::marked_bar(
                    0.5,
                    100.0,
                    theme::mood_color(50),
                    MoodFill,
                ));
                m.spawn((MoodText, widgets::label("", size::SMALL, palette::TEXT)));
            });
            h.spawn((
                TimerText,
                Probe::new("timer"),
                widgets::label("", size::SMALL, palette::TEXT_DIM),
            ));
        });
        // The conversation.
        col.spawn((
            MessageList { shown: 0 },
            Probe::new("messages"),
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
        ))
        .observe(focus_reply_on_click);
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
        c.spawn(widgets::row(8)).with_children(|r| {
            r.spawn((
                Probe::new("emoji"),
                widgets::button(
                    s::CHAT_EMOJI,
                    ButtonKind::Plain,
                    ChatAction::Emoji(usize::MAX),
                ),
            ));
            r.spawn(widgets::dim(s::CHAT_INPUT_HINT));
        });
        c.spawn((
            EmojiRow,
            Node {
                display: Display::None,
                flex_wrap: FlexWrap::Wrap,
                column_gap: px(4),
                row_gap: px(4),
                ..default()
            },
        ))
        .with_children(|r| {
            for (i, code) in s::EMOJI_CODES.split(' ').enumerate() {
                r.spawn((
                    Probe::new(format!("emoji-{i}")),
                    widgets::small_button(code, ChatAction::Emoji(i)),
                ));
            }
        });
        c.spawn(widgets::row(10)).with_children(|r| {
            r.spawn((
                ReplyInput,
                Probe::new("reply"),
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
            r.spawn((
                Probe::new("send"),
                widgets::button(s::CHAT_SEND, ButtonKind::Primary, ChatAction::Send),
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

#[allow(clippy::too_many_arguments)]
fn on_activate(
    ev: On<Activate>,
    actions: Query<&ChatAction>,
    mut reply: ReplyBox,
    mut submit: MessageWriter<SubmitReply>,
    model: Res<ChatModel>,
    mut ask: ResMut<LeaveAsk>,
    mut focus: ResMut<InputFocus>,
    mut abandon: MessageWriter<AbandonSession>,
    mut next: ResMut<NextState<Screen>>,
    mut emoji_rows: Query<&mut Node, With<EmojiRow>>,
) {
    let Ok(action) = actions.get(ev.entity) else {
        return;
    };
    match *action {
        ChatAction::Send => {
            if let Some(text) = reply.take() {
                submit.write(SubmitReply {
                    text,
                    at: Instant::now(),
                });
            }
            // The next reply is typed where the last one was.
            reply.focus(&mut focus);
        }
        ChatAction::Leave => leave(&model, &mut ask, &mut next),
        ChatAction::ViewReport => next.set(Screen::Report),
        ChatAction::LeaveConfirmed => {
            ask.0 = false;
            abandon.write(AbandonSession);
        }
        ChatAction::Stay => {
            ask.0 = false;
            reply.focus(&mut focus);
        }
        ChatAction::Emoji(i) => match s::EMOJI_CODES.split(' ').nth(i) {
            Some(code) => reply.insert(code, &mut focus),
            None => {
                for mut n in &mut emoji_rows {
                    n.display = match n.display {
                        Display::None => Display::Flex,
                        _ => Display::None,
                    };
                }
                reply.focus(&mut focus);
            }
        },
    }
}

/// A click anywhere in the conversation gives the reply box the keyboard back.
fn focus_reply_on_click(
    _: On<Pointer<Click>>,
    reply: ReplyBox,
    model: Res<ChatModel>,
    mut focus: ResMut<InputFocus>,
) {
    if model.ended.is_none() {
        reply.focus(&mut focus);
    }
}

/// Esc / 离开: a session in progress asks first (it would be saved as unfinished and the
/// draft not sent); a finished one shows the report.
fn leave(model: &ChatModel, ask: &mut LeaveAsk, next: &mut NextState<Screen>) {
    if model.ended.is_some() {
        next.set(Screen::Report);
    } else {
        ask.0 = true;
    }
}

/// Show or hide the leave dialog; the keyboard goes to 继续对练 when it opens and back to the
/// reply box (its draft untouched) when it closes.
fn sync_leave_dialog(
    mut ask: ResMut<LeaveAsk>,
    model: Res<ChatModel>,
    mut dialogs: Query<&mut Node, With<LeaveDialog>>,
    stay: Query<Entity, With<StayButton>>,
    reply: ReplyBox,
    mut focus: ResMut<InputFocus>,
    mut shown: Local<bool>,
) {
    if model.ended.is_some() && ask.0 {
        ask.0 = false;
    }
    if *shown == ask.0
        && !dialogs
            .iter()
            .any(|n| (n.display != Display::None) != ask.0)
    {
        return;
    }
    for mut n in &mut dialogs {
        n.display = if ask.0 { Display::Flex } else { Display::None };
    }
    if ask.0 {
        if let Ok(b) = stay.single() {
            focus.set(b, FocusCause::Navigated);
        }
    } else if *shown {
        reply.focus(&mut focus);
    }
    *shown = ask.0;
}

#[allow(clippy::too_many_arguments)]
fn keys(
    keys: Res<ButtonInput<KeyCode>>,
    model: Res<ChatModel>,
    mut phrases: ResMut<Phrases>,
    mut reply: ReplyBox,
    mut focus: ResMut<InputFocus>,
    mut ask: ResMut<LeaveAsk>,
    mut next: ResMut<NextState<Screen>>,
    editing: Query<Has<PhraseEditInput>>,
) {
    // Esc in a phrase being edited cancels the edit, nothing more.
    if keys.just_pressed(KeyCode::Escape)
        && focus.get().is_some_and(|e| editing.get(e).unwrap_or(false))
    {
        phrases.cancel_edit();
        reply.focus(&mut focus);
        return;
    }
    if keys.just_pressed(KeyCode::Escape) && !reply.is_composing() {
        if ask.0 {
            // Esc again: stay.
            ask.0 = false;
        } else {
            leave(&model, &mut ask, &mut next);
        }
        return;
    }
    if ask.0 {
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
        Entry::Customer { text, at } => {
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
                    c.spawn(widgets::dim(format!("{name}  {}", model::clock(*at))));
                    bubble(c, text, &[], palette::CUSTOMER_BUBBLE, palette::BORDER);
                });
            });
        }
        Entry::Trainee {
            text,
            score,
            violations,
            at,
        } => {
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
                        h.spawn(widgets::dim(format!(
                            "{}  {}",
                            model::clock(*at),
                            s::CHAT_YOU
                        )));
                    });
                    // 教练模式 marks what broke a rule right in the bubble; 考核模式 waits.
                    let marks: &[crate::rubric::Span] = if practice { violations } else { &[] };
                    bubble(c, text, marks, palette::AGENT_BUBBLE, palette::AGENT_BUBBLE);
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

/// A message bubble; `marks` (char offsets) are shown as in the coach panel.
fn bubble(
    c: &mut ChildSpawnerCommands,
    text: &str,
    marks: &[crate::rubric::Span],
    bg: Color,
    border: Color,
) {
    c.spawn((
        Node {
            max_width: percent(100),
            padding: UiRect::axes(px(12), px(8)),
            border: px(1).all(),
            border_radius: BorderRadius::all(px(10)),
            ..default()
        },
        BackgroundColor(bg),
        BorderColor::all(if marks.is_empty() {
            border
        } else {
            palette::BAD
        }),
    ))
    .with_children(|b| widgets::highlighted(b, text, marks, size::BODY));
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
