//! The coach beside the chat (教练模式): for the last reply, each expected check passed or
//! failed, violations with the offending characters highlighted, the courseware section and
//! the suggested rewrite; before a reply, the node's hint. In 考核模式 it stays quiet.

use super::chat::ChatModel;
use super::strings::{self as s, fill};
use super::theme::{self, palette, size};
use super::widgets;
use crate::rubric::{CheckRole, CheckVerdict};
use crate::session::{Mode, Turn};
use bevy::prelude::*;
use bevy::ui_widgets::ScrollArea;

pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        rebuild
            .after(super::chat::ModelUpdated)
            .run_if(in_state(super::Screen::Chat)),
    );
}

/// Where the chat screen wants the coach.
#[derive(Component)]
pub struct CoachSlot;

#[derive(Component)]
struct CoachContent;

fn rebuild(
    mut commands: Commands,
    model: Res<ChatModel>,
    slots: Query<Entity, With<CoachSlot>>,
    added: Query<(), Added<CoachSlot>>,
    content: Query<Entity, With<CoachContent>>,
) {
    if !model.is_changed() && added.is_empty() {
        return;
    }
    let Ok(slot) = slots.single() else {
        return;
    };
    for c in &content {
        commands.entity(c).despawn();
    }
    commands.entity(slot).with_children(|slot| {
        slot.spawn((
            CoachContent,
            ScrollArea,
            Node {
                flex_grow: 1.0,
                min_height: px(0),
                flex_direction: FlexDirection::Column,
                padding: px(14).all(),
                row_gap: px(10),
                overflow: Overflow::scroll_y(),
                ..default()
            },
        ))
        .with_children(|c| {
            c.spawn(widgets::row(8)).with_children(|r| {
                r.spawn(widgets::header(s::COACH));
            });
            if model.mode == Mode::Exam {
                c.spawn(widgets::dim(s::COACH_EXAM));
                return;
            }
            if let Some(h) = model.hint() {
                c.spawn(widgets::tinted_panel(
                    palette::WARN_SOFT,
                    palette::WARN_SOFT,
                ))
                .with_children(|p| {
                    p.spawn(widgets::text(
                        fill(s::COACH_HINT, &[&h]),
                        size::SMALL,
                        palette::TEXT,
                    ));
                });
            }
            match &model.last_turn {
                None => {
                    c.spawn(widgets::dim(s::COACH_WAITING));
                }
                Some(t) => turn(c, t),
            }
        });
    });
}

/// Feedback on one turn (also used by the report for exam sessions).
pub fn turn(c: &mut ChildSpawnerCommands, t: &Turn) {
    let v = &t.verdict;
    c.spawn(widgets::row(8)).with_children(|r| {
        r.spawn(widgets::text(
            fill(s::COACH_TURN, &[&t.index, &t.score]),
            size::HEADER,
            theme::score_color(t.score),
        ));
    });
    let secs = t.seconds.round();
    let time = match v.target_seconds {
        Some(target) if !v.on_time => fill(s::COACH_TIME_OVER, &[&secs, &target]),
        Some(target) => fill(s::COACH_TIME_OK, &[&secs, &target]),
        None => fill(s::COACH_TIME, &[&secs]),
    };
    c.spawn(widgets::text(
        time,
        size::SMALL,
        if v.on_time {
            palette::TEXT_DIM
        } else {
            palette::BAD
        },
    ));
    if v.closest_answer.is_some() {
        c.spawn(widgets::dim(fill(
            s::COACH_SIMILARITY,
            &[&(v.similarity * 100.0).round()],
        )));
    }
    // What went wrong first: violations, then missed checks, then what went right.
    let rank = |ch: &&CheckVerdict| match (ch.passed, ch.role) {
        (false, CheckRole::Violation) => 0,
        (false, CheckRole::Expected) => 1,
        (true, CheckRole::Expected) => 2,
        (true, CheckRole::Violation) => 3,
    };
    let mut checks: Vec<&CheckVerdict> = v.checks.iter().collect();
    checks.sort_by_key(rank);
    for check in checks {
        check_row(c, check, &t.reply);
    }
    if let Some(a) = &v.closest_answer
        && t.score < 85
    {
        c.spawn(widgets::tinted_panel(
            palette::GOOD_SOFT,
            palette::GOOD_SOFT,
        ))
        .with_children(|p| {
            p.spawn(widgets::text(
                fill(s::COACH_MODEL, &[a]),
                size::SMALL,
                palette::TEXT,
            ));
        });
    }
}

fn check_row(c: &mut ChildSpawnerCommands, check: &CheckVerdict, reply: &str) {
    let (mark, color) = if check.passed {
        (s::COACH_PASS, palette::GOOD)
    } else {
        (s::COACH_FAIL, palette::BAD)
    };
    let mut evidence: Vec<&str> = Vec::new();
    for e in &check.evidence {
        if !evidence.contains(&e.text.as_str()) {
            evidence.push(&e.text);
        }
    }
    let quoted = if evidence.is_empty() || check.role == CheckRole::Violation {
        String::new()
    } else {
        format!("「{}」", evidence.join("、"))
    };
    c.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            row_gap: px(4),
            padding: UiRect::left(px(8)),
            border: UiRect::left(px(3)),
            ..default()
        },
        BorderColor::all(color),
    ))
    .with_children(|b| {
        b.spawn(widgets::text(
            format!("{mark} {}{quoted}", check.label),
            size::BODY,
            color,
        ));
        b.spawn(widgets::text(
            check.message.clone(),
            size::SMALL,
            palette::TEXT,
        ));
        if check.role == CheckRole::Violation && !check.passed {
            b.spawn(widgets::dim(s::COACH_IN_REPLY));
            widgets::highlighted(b, reply, &check.evidence, size::BODY);
            if let Some(sug) = &check.suggestion {
                b.spawn(widgets::text(
                    fill(s::COACH_SUGGEST, &[sug]),
                    size::SMALL,
                    palette::GOOD,
                ));
            }
        }
        if !check.passed {
            b.spawn(widgets::dim(fill(s::COACH_SECTION, &[&check.section])));
        }
    });
}
