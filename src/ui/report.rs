//! The report: total score and rank, a bar per check, the outcome, the whole transcript with
//! each reply's verdicts, and buttons to retry with the same seed, pick another scenario, or
//! open the folder holding the result file. In a drill, the drill's card (this step passed or
//! not, every step's best) and its retry / next step replace the free-practice buttons.

use super::catalog::Catalog;
use super::chat::model::{ChatModel, ReportData};
use super::drill::{self, DrillSet, DrillState};
use super::strings::{self as s, fill};
use super::theme::{self, palette, size};
use super::widgets::{self, ButtonKind};
use super::{BeginPractice, Screen};
use crate::drill::DrillRun;
use crate::rubric::{CheckId, CheckRole, CheckVerdict, LostPoints};
use crate::session::{Mode, SessionRecord, Turn};
use bevy::input_focus::AutoFocus;
use bevy::prelude::*;
use bevy::ui_widgets::{Activate, ScrollArea};
use std::path::Path;
use std::sync::Arc;

pub fn plugin(app: &mut App) {
    app.init_resource::<ReportData>()
        .init_resource::<Reviewing>()
        .add_systems(
            Update,
            (build.after(DrillSet), keys).run_if(in_state(Screen::Report)),
        )
        .add_systems(OnExit(Screen::Report), |mut r: ResMut<Reviewing>| {
            if r.0 {
                r.0 = false;
            }
        })
        .add_observer(on_activate);
}

/// The report shows a past session opened from the 组长 view: nothing to retry, and the way
/// back leads to that view. Cleared when the report is left.
#[derive(Resource, Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reviewing(pub bool);

#[derive(Component)]
struct ReportRoot;

#[derive(Component, Clone, Copy, Debug)]
enum ReportAction {
    Retry,
    Other,
    OpenFolder,
    BackToTeam,
}

/// How the trainee did on one check over the whole session.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckTally {
    pub id: CheckId,
    pub label: String,
    pub role: CheckRole,
    /// Turns where it was judged.
    pub judged: usize,
    /// Turns where the trainee did the right thing.
    pub passed: usize,
}

/// Tally every check over the turns, in the order they first appear.
pub fn tally(turns: &[Turn]) -> Vec<CheckTally> {
    let mut out: Vec<CheckTally> = Vec::new();
    for t in turns {
        for c in &t.verdict.checks {
            let i = match out.iter().position(|x| x.id == c.id && x.role == c.role) {
                Some(i) => i,
                None => {
                    out.push(CheckTally {
                        id: c.id,
                        label: c.label.clone(),
                        role: c.role,
                        judged: 0,
                        passed: 0,
                    });
                    out.len() - 1
                }
            };
            out[i].judged += 1;
            out[i].passed += usize::from(c.passed);
        }
    }
    // Expected checks first, violations after.
    out.sort_by_key(|x| x.role == CheckRole::Violation);
    out
}

fn build(
    mut commands: Commands,
    data: Res<ReportData>,
    drills: Res<DrillState>,
    reviewing: Res<Reviewing>,
    roots: Query<Entity, With<ReportRoot>>,
) {
    if !data.is_changed() && !drills.is_changed() && !reviewing.is_changed() && !roots.is_empty() {
        return;
    }
    // A reviewed session is not the drill's.
    let run = drills.run.as_ref().filter(|_| !reviewing.0);
    let review = reviewing.0;
    for r in &roots {
        commands.entity(r).despawn();
    }
    commands
        .spawn((ReportRoot, widgets::screen_root(Screen::Report)))
        .with_children(|root| {
            let Some(r) = &data.record else {
                root.spawn(widgets::body(s::REPORT_NO_FILE));
                buttons(root, &data, run, review);
                return;
            };
            topbar(root, r);
            root.spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                padding: px(20).all(),
                column_gap: px(20),
                ..default()
            })
            .with_children(|body| {
                body.spawn((
                    ScrollArea,
                    Node {
                        width: px(430),
                        flex_shrink: 0.0,
                        flex_direction: FlexDirection::Column,
                        row_gap: px(14),
                        overflow: Overflow::scroll_y(),
                        ..default()
                    },
                ))
                .with_children(|left| {
                    score_card(left, r);
                    if let Some(run) = run {
                        drill::report_card(left, run);
                    }
                    if !r.turns.is_empty() {
                        checks_card(left, r);
                    }
                    buttons(left, &data, run, review);
                });
                transcript(body, r);
            });
        });
}

fn topbar(root: &mut ChildSpawnerCommands, r: &SessionRecord) {
    root.spawn(widgets::topbar()).with_children(|bar| {
        bar.spawn(widgets::text(s::REPORT, size::HEADER, palette::BRAND));
        bar.spawn(widgets::text(
            fill(
                s::REPORT_META,
                &[
                    &r.trainee,
                    &r.scenario.title,
                    &r.scenario.persona_label,
                    &r.mode.label(),
                ],
            ),
            size::BODY,
            palette::TEXT_ON_DARK,
        ));
    });
}

fn score_card(left: &mut ChildSpawnerCommands, r: &SessionRecord) {
    left.spawn(widgets::panel()).with_children(|p| {
        p.spawn(widgets::row(18)).with_children(|row| {
            row.spawn(widgets::column(0)).with_children(|c| {
                c.spawn(widgets::dim(s::REPORT_TOTAL));
                c.spawn(widgets::text(
                    r.total.to_string(),
                    size::HUGE,
                    theme::score_color(r.total),
                ));
            });
            row.spawn(widgets::column(8)).with_children(|c| {
                c.spawn(widgets::row(8)).with_children(|l| {
                    l.spawn(widgets::dim(s::REPORT_RANK));
                    l.spawn(widgets::chip(r.rank.clone(), Color::WHITE, palette::ACCENT));
                });
                c.spawn(widgets::row(8)).with_children(|l| {
                    l.spawn(widgets::dim(s::REPORT_OUTCOME));
                    let label = r.outcome.map(|o| o.label()).unwrap_or(s::REPORT_UNFINISHED);
                    l.spawn(widgets::chip(
                        label,
                        Color::WHITE,
                        theme::outcome_color(r.outcome),
                    ));
                });
            });
        });
    });
}

fn checks_card(left: &mut ChildSpawnerCommands, r: &SessionRecord) {
    left.spawn(widgets::panel()).with_children(|p| {
        p.spawn(widgets::header(s::REPORT_CHECKS));
        for t in tally(&r.turns) {
            p.spawn(widgets::row(10)).with_children(|row| {
                row.spawn((
                    widgets::label(t.label.clone(), size::SMALL, palette::TEXT),
                    Node {
                        width: px(100),
                        flex_shrink: 0.0,
                        ..default()
                    },
                ));
                let frac = if t.judged == 0 {
                    0.0
                } else {
                    t.passed as f32 / t.judged as f32
                };
                let color = if frac >= 0.999 {
                    palette::GOOD
                } else if t.role == CheckRole::Violation || frac < 0.5 {
                    palette::BAD
                } else {
                    palette::WARN
                };
                row.spawn(widgets::bar(frac, 170.0, color));
                let note = if t.role == CheckRole::Violation {
                    let n = t.judged - t.passed;
                    if n == 0 {
                        s::REPORT_NO_VIOLATION.to_string()
                    } else {
                        fill(s::REPORT_VIOLATION_COUNT, &[&n])
                    }
                } else {
                    fill(s::REPORT_CHECK_COUNT, &[&t.passed, &t.judged])
                };
                row.spawn(widgets::text(note, size::SMALL, color));
            });
        }
    });
}

fn buttons(
    left: &mut ChildSpawnerCommands,
    data: &ReportData,
    run: Option<&DrillRun>,
    review: bool,
) {
    if review {
        left.spawn(widgets::row(10)).with_children(|row| {
            row.spawn((
                widgets::button(
                    s::REPORT_BACK_TO_TEAM,
                    ButtonKind::Primary,
                    ReportAction::BackToTeam,
                ),
                AutoFocus,
            ));
            row.spawn(widgets::button(
                s::REPORT_OPEN_FOLDER,
                ButtonKind::Plain,
                ReportAction::OpenFolder,
            ));
        });
        if let Some(e) = &data.open_error {
            left.spawn(widgets::text(e.clone(), size::SMALL, palette::BAD));
        }
        left.spawn(widgets::dim(s::REPORT_REVIEW_HINT));
        return;
    }
    if let Some(label) = run.and_then(drill::continue_label) {
        left.spawn((
            widgets::button(label, ButtonKind::Primary, drill::ContinueButton),
            AutoFocus,
        ));
    }
    left.spawn(widgets::row(10)).with_children(|row| {
        if let Some(run) = run {
            // Once the drill is over its main button goes back: no need to quit it.
            if !run.is_over() {
                row.spawn(widgets::button(
                    s::DRILL_QUIT,
                    ButtonKind::Plain,
                    ReportAction::Other,
                ));
            }
        } else {
            row.spawn((
                widgets::button(s::REPORT_RETRY, ButtonKind::Primary, ReportAction::Retry),
                AutoFocus,
            ));
            row.spawn(widgets::button(
                s::REPORT_OTHER,
                ButtonKind::Plain,
                ReportAction::Other,
            ));
        }
        row.spawn(widgets::button(
            s::REPORT_OPEN_FOLDER,
            ButtonKind::Plain,
            ReportAction::OpenFolder,
        ));
    });
    if let Some(e) = &data.open_error {
        left.spawn(widgets::text(e.clone(), size::SMALL, palette::BAD));
    }
    left.spawn(widgets::dim(match &data.result_path {
        // The path is a developer's word: 打开结果文件夹 shows the file.
        Some(_) => s::REPORT_FILE.to_string(),
        None => s::REPORT_NO_FILE.to_string(),
    }));
    left.spawn(widgets::dim(s::REPORT_HINT));
}

fn transcript(body: &mut ChildSpawnerCommands, r: &SessionRecord) {
    body.spawn(widgets::panel())
        .insert(Node {
            flex_grow: 1.0,
            min_width: px(0),
            flex_direction: FlexDirection::Column,
            padding: px(14).all(),
            row_gap: px(8),
            border: px(1).all(),
            border_radius: BorderRadius::all(px(8)),
            ..default()
        })
        .with_children(|p| {
            p.spawn(widgets::header(s::REPORT_TRANSCRIPT));
            p.spawn((
                ScrollArea,
                Node {
                    flex_grow: 1.0,
                    min_height: px(0),
                    flex_direction: FlexDirection::Column,
                    row_gap: px(12),
                    overflow: Overflow::scroll_y(),
                    ..default()
                },
            ))
            .with_children(|list| {
                if r.turns.is_empty() {
                    list.spawn(widgets::dim(s::REPORT_NO_TURNS));
                }
                for t in &r.turns {
                    turn(list, r, t);
                }
                if let Some(line) = r.pending_line.as_ref().filter(|_| !r.finished) {
                    list.spawn(widgets::text(
                        fill(
                            s::REPORT_PENDING,
                            &[&format!("{}：{line}", r.scenario.customer_name)],
                        ),
                        size::BODY,
                        palette::TEXT_DIM,
                    ));
                }
                if let Some(end) = &r.ending_line {
                    list.spawn(widgets::text(
                        fill(
                            s::REPORT_ENDING,
                            &[&format!("{}：{end}", r.scenario.customer_name)],
                        ),
                        size::BODY,
                        theme::outcome_color(r.outcome),
                    ));
                }
            });
        });
}

fn turn(list: &mut ChildSpawnerCommands, r: &SessionRecord, t: &Turn) {
    list.spawn((
        Node {
            flex_direction: FlexDirection::Column,
            row_gap: px(5),
            padding: UiRect::bottom(px(10)),
            border: UiRect::bottom(px(1)),
            ..default()
        },
        BorderColor::all(palette::TRACK),
    ))
    .with_children(|b| {
        b.spawn(widgets::text(
            fill(s::REPORT_TURN, &[&t.index, &t.score, &t.seconds.round()]),
            size::SMALL,
            theme::score_color(t.score),
        ));
        b.spawn(widgets::text(
            format!("{}：{}", r.scenario.customer_name, t.customer),
            size::BODY,
            palette::TEXT_DIM,
        ));
        let spans: Vec<_> = t
            .verdict
            .violations()
            .flat_map(|c| c.evidence.iter().cloned())
            .collect();
        b.spawn((
            Node {
                padding: UiRect::axes(px(10), px(6)),
                border_radius: BorderRadius::all(px(8)),
                ..default()
            },
            BackgroundColor(palette::AGENT_BUBBLE),
        ))
        .with_children(|bubble| {
            widgets::highlighted(bubble, &t.reply, &spans, size::BODY);
        });
        b.spawn(Node {
            flex_wrap: FlexWrap::Wrap,
            column_gap: px(6),
            row_gap: px(4),
            ..default()
        })
        .with_children(|chips| {
            for c in &t.verdict.checks {
                let (words, fg, bg) = super::coach::verdict_mark(c);
                chips.spawn(widgets::chip(words, fg, bg));
            }
        });
        lost_points(b, &t.verdict.lost);
        // Exam sessions had no feedback during the conversation: give the gist here.
        if r.mode == Mode::Exam {
            for c in t.verdict.checks.iter().filter(|c| !c.passed) {
                b.spawn(widgets::dim(format!("{}：{}", c.label, c.message)));
                if let Some(sug) = &c.suggestion {
                    b.spawn(widgets::text(
                        fill(s::COACH_SUGGEST, &[sug]),
                        size::SMALL,
                        palette::GOOD,
                    ));
                }
            }
        } else {
            for c in t.verdict.violations() {
                if let Some(sug) = &c.suggestion {
                    b.spawn(widgets::text(
                        fill(s::COACH_SUGGEST, &[sug]),
                        size::SMALL,
                        palette::GOOD,
                    ));
                }
            }
        }
    });
}

/// What each lost point of a turn was for, largest first, with the courseware section.
fn lost_points(b: &mut ChildSpawnerCommands, lost: &[LostPoints]) {
    let lost: Vec<&LostPoints> = lost.iter().filter(|l| l.points >= 0.5).collect();
    if lost.is_empty() {
        return;
    }
    b.spawn(widgets::column(2)).with_children(|col| {
        col.spawn(widgets::text(s::REPORT_LOST, size::SMALL, palette::TEXT));
        for l in lost {
            let mut line = fill(
                s::REPORT_LOST_ITEM,
                &[&format!("{:.0}", l.points), &l.reason],
            );
            let title = section_title(&l.section);
            if !title.is_empty() {
                line.push_str(" · ");
                line.push_str(&fill(s::REPORT_SECTION, &[&title]));
            }
            col.spawn(widgets::text(line, size::SMALL, palette::BAD));
        }
    });
}

/// A check's chip: its text and whether it is good news. An expected check reads ✓ when
/// done and × when missed; a violation reads × with its name when committed, and ✓ 没有… when
/// avoided — never a tick beside a violation's name.
pub fn chip_text(c: &CheckVerdict) -> (String, bool) {
    let t = match (c.role, c.passed) {
        (CheckRole::Violation, true) => s::REPORT_CHIP_AVOIDED,
        (CheckRole::Violation, false) => s::REPORT_CHIP_COMMITTED,
        (_, true) => s::REPORT_CHIP_DONE,
        (_, false) => s::REPORT_CHIP_MISSED,
    };
    (fill(t, &[&c.label]), c.passed)
}

/// A courseware citation as the course names it: the section titles, without the file names
/// in brackets (`售中服务·①进门问好（pre-in-after-sales-service.txt）；话术技巧·1.开场问候
/// （service-standards-and-scripts.txt）` → `售中服务·①进门问好；话术技巧·1.开场问候`).
pub fn section_title(section: &str) -> String {
    s::without_files(section)
}

fn keys(
    keys: Res<ButtonInput<KeyCode>>,
    reviewing: Res<Reviewing>,
    mut next: ResMut<NextState<Screen>>,
) {
    if keys.just_pressed(KeyCode::Escape) {
        next.set(if reviewing.0 {
            Screen::Team
        } else {
            Screen::Picker
        });
    }
}

fn on_activate(
    ev: On<Activate>,
    actions: Query<&ReportAction>,
    model: Res<ChatModel>,
    catalog: Res<Catalog>,
    mut data: ResMut<ReportData>,
    mut begin: MessageWriter<BeginPractice>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Ok(action) = actions.get(ev.entity) else {
        return;
    };
    match action {
        ReportAction::Retry => {
            let Some(old) = &model.scenario else {
                return;
            };
            // The scenario as it is on disk now (it may have been edited), same seed.
            let scenario = catalog
                .find(&old.id)
                .cloned()
                .unwrap_or_else(|| Arc::clone(old));
            begin.write(BeginPractice::scenario(scenario, Some(model.seed)));
        }
        ReportAction::Other => next.set(Screen::Picker),
        ReportAction::BackToTeam => next.set(Screen::Team),
        ReportAction::OpenFolder => {
            let dir = data
                .result_path
                .as_deref()
                .and_then(Path::parent)
                .map(Path::to_path_buf);
            if let Some(dir) = dir {
                data.open_error = open_folder(&dir)
                    .err()
                    .map(|e| fill(s::REPORT_OPEN_FAILED, &[&e]));
            }
        }
    }
}

/// Show a folder in the platform's file manager.
pub fn open_folder(dir: &Path) -> std::io::Result<()> {
    let program = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::{ScoreParts, TurnVerdict};

    fn check(id: CheckId, role: CheckRole, passed: bool) -> CheckVerdict {
        CheckVerdict {
            id,
            label: id.to_string(),
            role,
            passed,
            weight: 10,
            evidence: vec![],
            message: String::new(),
            section: String::new(),
            suggestion: None,
        }
    }

    fn turn(checks: Vec<CheckVerdict>) -> Turn {
        Turn {
            index: 1,
            node: "n".into(),
            customer: String::new(),
            reply: String::new(),
            seconds: 1.0,
            score: 50,
            mood_before: 50,
            mood_after: 50,
            verdict: TurnVerdict {
                score: 50,
                parts: ScoreParts::default(),
                lost: Vec::new(),
                key_points: Vec::new(),
                conduct: Vec::new(),
                checks,
                detected: Default::default(),
                similarity: 0.0,
                closest_answer: None,
                seconds: 1.0,
                target_seconds: None,
                on_time: true,
            },
            heard: Default::default(),
        }
    }

    #[test]
    fn tally_counts_each_check_across_turns() {
        let turns = vec![
            turn(vec![
                check(CheckId::Rude, CheckRole::Violation, false),
                check(CheckId::Greeting, CheckRole::Expected, true),
            ]),
            turn(vec![check(CheckId::Greeting, CheckRole::Expected, false)]),
        ];
        let t = tally(&turns);
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].id, t[0].judged, t[0].passed),
            (CheckId::Greeting, 2, 1)
        );
        assert_eq!((t[1].id, t[1].judged, t[1].passed), (CheckId::Rude, 1, 0));
    }

    #[test]
    fn chips_never_tick_a_violation_name() {
        let committed = check(CheckId::PriceConcession, CheckRole::Violation, false);
        let avoided = check(CheckId::PriceConcession, CheckRole::Violation, true);
        let done = check(CheckId::Greeting, CheckRole::Expected, true);
        let missed = check(CheckId::Greeting, CheckRole::Expected, false);
        let l = CheckId::PriceConcession.to_string();
        assert_eq!(chip_text(&committed), (format!("×{l}"), false));
        assert_eq!(chip_text(&avoided), (format!("✓没有{l}"), true));
        let g = CheckId::Greeting.to_string();
        assert_eq!(chip_text(&done), (format!("✓{g}"), true));
        assert_eq!(chip_text(&missed), (format!("×{g}"), false));
    }

    #[test]
    fn citations_name_sections_not_files() {
        assert_eq!(
            section_title(
                "售中服务·①进门问好（pre-in-after-sales-service.txt）；话术技巧·1.开场问候（service-standards-and-scripts.txt）"
            ),
            "售中服务·①进门问好；话术技巧·1.开场问候"
        );
        // Brackets that are part of a title stay; a title without a file is left alone.
        assert_eq!(section_title("异议处理（价格）"), "异议处理（价格）");
        assert_eq!(section_title("服务规范"), "服务规范");
        assert_eq!(section_title(""), "");
        // Every shipped citation loses its file names and keeps a title.
        let rubric = crate::rubric::Rubric::builtin();
        for c in &rubric.file.checks {
            let t = section_title(&c.section);
            assert!(!t.is_empty(), "{}", c.section);
            assert!(!t.contains(".txt"), "{t}");
        }
    }
}
