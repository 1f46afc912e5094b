//! The coach beside the chat (教练模式), in reading order: the verdict on the reply just sent
//! (each check passed or failed, violations with the offending characters highlighted, the
//! suggested rewrite), then what the customer heard in it, then what cost points and the course section that teaches it, then the
//! hint for the next reply. Model answers and rewrites can be copied. In 考核模式 it stays
//! quiet.

use super::chat::model::{ChatModel, ModelUpdated};
use super::strings::{self as s, fill, section_titles};
use super::theme::{self, palette, size};
use super::widgets;
use crate::rubric::{CheckRole, CheckVerdict};
use crate::session::explain::heard_line;
use crate::session::{Mode, Turn};
use bevy::clipboard::Clipboard;
use bevy::prelude::*;
use bevy::ui_widgets::{Activate, ScrollArea};

pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        rebuild
            .after(ModelUpdated)
            .run_if(in_state(super::Screen::Chat)),
    )
    .add_observer(on_copy);
}

/// A 复制 button: puts its text on the system clipboard.
#[derive(Component, Debug, Clone)]
pub struct CopyText(pub String);

/// Copy a model answer or a suggested rewrite, and say on the button whether it worked.
fn on_copy(
    ev: On<Activate>,
    texts: Query<(&CopyText, &Children)>,
    mut labels: Query<&mut Text>,
    mut clipboard: ResMut<Clipboard>,
) {
    let Ok((copy, children)) = texts.get(ev.entity) else {
        return;
    };
    let said = match clipboard.set_text(copy.0.as_str()) {
        Ok(()) => s::COACH_COPIED,
        Err(e) => {
            warn!("cannot copy to the clipboard: {e:?}");
            s::COACH_COPY_FAILED
        }
    };
    for c in children.iter() {
        if let Ok(mut t) = labels.get_mut(c) {
            t.0 = said.to_string();
        }
    }
}

/// A 复制 button for `text`.
pub fn copy_button(text: &str) -> impl Bundle {
    widgets::small_button(s::COACH_COPY, CopyText(text.to_string()))
}

/// The courseware titles of a `section`, for a "课件：…" line.
pub fn cite(section: &str) -> String {
    section_titles(section).join("；")
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
            widgets::Probe::new("coach"),
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
            // The reply just sent first, then what comes next.
            match &model.last_turn {
                None => {
                    c.spawn(widgets::dim(s::COACH_WAITING));
                }
                Some(t) => turn(c, t),
            }
            if let Some(h) = model.hint() {
                c.spawn(widgets::tinted_panel(
                    palette::WARN_SOFT,
                    palette::WARN_SOFT,
                ))
                .with_children(|p| {
                    p.spawn(widgets::text(s::COACH_NEXT, size::SMALL, palette::WARN));
                    p.spawn(widgets::text(
                        fill(s::COACH_HINT, &[&h]),
                        size::SMALL,
                        palette::TEXT,
                    ));
                });
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
    // What the customer understood (the options, asks, promises and refusals they heard), as
    // the terminal and the report say it: the verdict explains the score, this the reaction.
    if let Some(line) = heard_line(&t.heard) {
        c.spawn((
            widgets::Probe::new("coach-heard"),
            widgets::tinted_panel(palette::PANEL_ALT, palette::BORDER),
        ))
        .with_children(|p| {
            p.spawn(widgets::text(line, size::SMALL, palette::TEXT));
        });
    }
    // What cost points, largest first, each with the section that teaches it.
    let lost: Vec<_> = v.lost.iter().filter(|l| l.points >= 0.5).collect();
    if !lost.is_empty() {
        c.spawn(widgets::tinted_panel(palette::BAD_SOFT, palette::BAD_SOFT))
            .with_children(|p| {
                p.spawn(widgets::text(s::COACH_LOST, size::SMALL, palette::BAD));
                for l in lost {
                    p.spawn(widgets::text(
                        fill(s::COACH_LOST_ROW, &[&l.points.round(), &l.reason]),
                        size::SMALL,
                        palette::TEXT,
                    ));
                    let cited = cite(&l.section);
                    if !cited.is_empty() {
                        p.spawn(widgets::dim(fill(s::COACH_SECTION, &[&cited])));
                    }
                }
            });
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
            p.spawn(widgets::row(0)).with_children(|r| {
                r.spawn(widgets::spacer());
                r.spawn((widgets::Probe::new("copy-model"), copy_button(a)));
            });
        });
    }
}

/// How a check's outcome reads everywhere (coach, report chips): ✓ in green only for what
/// went right — a check done, or a rule not broken ("✓ 没有违规让价"); × in red for a missed
/// check or a broken rule ("× 违规：违规让价"). Returns the words, the text colour and the
/// chip's background.
pub fn verdict_mark(check: &CheckVerdict) -> (String, Color, Color) {
    let label = &check.label;
    match (check.passed, check.role) {
        (true, CheckRole::Violation) => (
            fill(s::COACH_AVOIDED, &[label]),
            palette::GOOD,
            palette::GOOD_SOFT,
        ),
        (true, CheckRole::Expected) => (
            format!("{} {label}", s::COACH_PASS),
            palette::GOOD,
            palette::GOOD_SOFT,
        ),
        (false, CheckRole::Violation) => (
            fill(s::COACH_VIOLATED, &[label]),
            palette::BAD,
            palette::BAD_SOFT,
        ),
        (false, CheckRole::Expected) => (
            format!("{} {label}", s::COACH_FAIL),
            palette::BAD,
            palette::BAD_SOFT,
        ),
    }
}

fn check_row(c: &mut ChildSpawnerCommands, check: &CheckVerdict, reply: &str) {
    let (line, color, _) = verdict_mark(check);
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
        b.spawn(widgets::text(format!("{line}{quoted}"), size::BODY, color));
        b.spawn(widgets::text(
            check.message.clone(),
            size::SMALL,
            palette::TEXT,
        ));
        if check.role == CheckRole::Violation && !check.passed {
            b.spawn(widgets::dim(s::COACH_IN_REPLY));
            widgets::highlighted(b, reply, &check.evidence, size::BODY);
            if let Some(sug) = &check.suggestion {
                b.spawn(widgets::row(6)).with_children(|r| {
                    r.spawn((
                        widgets::text(fill(s::COACH_SUGGEST, &[sug]), size::SMALL, palette::GOOD),
                        Node {
                            flex_grow: 1.0,
                            min_width: px(0),
                            ..default()
                        },
                    ));
                    r.spawn(copy_button(sug));
                });
            }
        }
        let cited = cite(&check.section);
        if !check.passed && !cited.is_empty() {
            b.spawn(widgets::dim(fill(s::COACH_SECTION, &[&cited])));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::{CheckId, LostPoints, ScoreParts, TurnVerdict};
    use bevy::ecs::system::RunSystemOnce;

    /// A turn with one committed violation, a reply the customer heard as a repetition, and
    /// points lost for it.
    fn sample() -> Turn {
        let violation = CheckVerdict {
            id: CheckId::PriceConcession,
            label: "违规让价".into(),
            role: CheckRole::Violation,
            passed: false,
            weight: 25,
            evidence: vec![],
            message: "不要擅自让价。".into(),
            section: String::new(),
            suggestion: None,
        };
        let heard = crate::listen::Heard {
            repeated: true,
            repeats_turn: Some(1),
            ..Default::default()
        };
        Turn {
            index: 2,
            node: "n".into(),
            customer: "能便宜点吗？".into(),
            reply: "给您便宜二十块。".into(),
            seconds: 5.0,
            score: 40,
            mood_before: 50,
            mood_after: 50,
            verdict: TurnVerdict {
                score: 40,
                parts: ScoreParts::default(),
                lost: vec![LostPoints {
                    reason: "违规「违规让价」（较重）".into(),
                    points: 25.0,
                    check: Some(CheckId::PriceConcession),
                    section: String::new(),
                }],
                key_points: Vec::new(),
                conduct: Vec::new(),
                checks: vec![violation],
                detected: Default::default(),
                similarity: 0.0,
                closest_answer: None,
                seconds: 5.0,
                target_seconds: None,
                on_time: true,
            },
            heard,
        }
    }

    /// Every text under `e`, in reading order (depth first, children in order).
    fn texts(world: &World, e: Entity, out: &mut Vec<String>) {
        if let Some(t) = world.get::<Text>(e) {
            out.push(t.0.clone());
        }
        if let Some(children) = world.get::<Children>(e) {
            for c in children.iter() {
                texts(world, c, out);
            }
        }
    }

    #[test]
    fn what_the_customer_heard_sits_between_the_verdict_and_the_lost_points() {
        let mut world = World::new();
        let t = sample();
        let root = world
            .run_system_once(move |mut commands: Commands| {
                commands
                    .spawn(Node::default())
                    .with_children(|c| turn(c, &t))
                    .id()
            })
            .expect("spawn the coach's turn");
        world.flush();
        let mut out = Vec::new();
        texts(&world, root, &mut out);
        let at = |needle: &str| {
            out.iter()
                .position(|t| t.contains(needle))
                .unwrap_or_else(|| panic!("{needle:?} in {out:?}"))
        };
        let verdict = at("× 违规：违规让价");
        let heard = at("顾客听到：和第 1 轮说的一样。");
        let lost = at(s::COACH_LOST);
        assert!(verdict < heard && heard < lost, "{out:?}");
        assert_eq!(
            heard_line(&sample().heard).as_deref(),
            Some(out[heard].as_str())
        );
    }
}
