//! Drills in the window: the picker lists the plans in `<scenarios>/drills`; choosing one
//! plays its sessions in order, with the plan's mode, seeds, time target, pass mark and
//! attempts — exactly the sessions `peilian drill` plays in the terminal — and the report after
//! each session says whether the step passed and offers the retry or the next step.
//!
//! The progress itself is plain logic ([`crate::drill::DrillRun`]); this plugin feeds it the
//! result of every session and starts what it says comes next.

use super::catalog::Catalog;
use super::chat::model::ReportData;
use super::strings::{self as s, fill};
use super::theme::{palette, size};
use super::widgets;
use super::{BeginPractice, Launch, Screen};
use crate::drill::{DrillPlan, DrillRun, Move};
use crate::session::Mode;
use bevy::prelude::*;
use bevy::ui_widgets::Activate;

pub fn plugin(app: &mut App) {
    app.init_resource::<DrillState>()
        .add_message::<StartDrill>()
        .add_message::<DrillContinue>()
        .add_systems(OnEnter(Screen::Picker), leave_drill)
        .add_observer(on_continue_button)
        .add_systems(
            Update,
            (start, note_result, proceed)
                .chain()
                .in_set(DrillSet)
                .before(super::begin_practice),
        );
}

/// The drill being played, if any.
#[derive(Resource, Default, Debug)]
pub struct DrillState {
    pub run: Option<DrillRun>,
    /// Why the last drill could not start (shown in the picker).
    pub error: Option<String>,
}

/// Start a drill plan from its first step.
#[derive(Message, Clone, Debug)]
pub struct StartDrill {
    pub plan: DrillPlan,
}

/// After a report: the retry or the next step, or — when the drill is over — back to the
/// picker.
#[derive(Message, Clone, Copy, Debug, Default)]
pub struct DrillContinue;

/// The report's button for the drill's retry, next step or end.
#[derive(Component, Clone, Copy, Debug)]
pub struct ContinueButton;

fn on_continue_button(
    ev: On<Activate>,
    buttons: Query<(), With<ContinueButton>>,
    mut go: MessageWriter<DrillContinue>,
) {
    if buttons.contains(ev.entity) {
        go.write(DrillContinue);
    }
}

/// The drill systems; the report is built after them so it shows the step's result.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct DrillSet;

/// Back on the picker, no drill is running (finished, or left with 换个场景 / Esc).
fn leave_drill(mut state: ResMut<DrillState>) {
    if state.run.is_some() {
        state.run = None;
    }
}

fn start(
    mut starts: MessageReader<StartDrill>,
    catalog: Res<Catalog>,
    launch: Res<Launch>,
    mut state: ResMut<DrillState>,
    mut begin: MessageWriter<BeginPractice>,
) {
    for st in starts.read() {
        // `--seed` replaces the plan's seed, as it does for `peilian drill`.
        let seed = launch.seed.unwrap_or(st.plan.seed);
        match DrillRun::new(st.plan.clone(), seed, &catalog.scenario_values()) {
            Ok(run) => {
                info!(
                    "drill {} ({} steps, seed {seed}) for {}",
                    run.plan.name,
                    run.steps.len(),
                    launch.trainee
                );
                begin.write(BeginPractice::step(run.session()));
                state.run = Some(run);
                state.error = None;
            }
            Err(e) => {
                state.error = Some(fill(s::DRILL_CANNOT_START, &[&e]));
            }
        }
    }
}

/// Give the drill the result of the session the report shows.
fn note_result(report: Res<ReportData>, mut state: ResMut<DrillState>) {
    if !report.is_changed() {
        return;
    }
    let Some(r) = &report.record else {
        return;
    };
    // The state counts as changed only when the drill took the result (the report and the
    // picker rebuild on that).
    let path = report.result_path.clone();
    if let Some(run) = state.bypass_change_detection().run.as_mut()
        && run.record(r, path)
    {
        state.set_changed();
    }
}

fn proceed(
    mut go: MessageReader<DrillContinue>,
    mut state: ResMut<DrillState>,
    mut begin: MessageWriter<BeginPractice>,
    mut next: ResMut<NextState<Screen>>,
) {
    if go.read().count() == 0 {
        return;
    }
    let Some(run) = state.run.as_mut() else {
        return;
    };
    match run.advance() {
        Some(step) => {
            begin.write(BeginPractice::step(step));
        }
        None if run.is_over() => next.set(Screen::Picker),
        // The session has no result yet: nothing to continue to.
        None => {}
    }
}

/// One line about a plan for the picker: steps, mode, pass mark, attempts, time target.
pub fn plan_summary(plan: &DrillPlan) -> String {
    let mut parts = vec![
        fill(s::DRILL_STEPS, &[&plan.steps()]),
        Mode::from(plan.mode).label().to_string(),
        fill(s::DRILL_PASS_MARK, &[&plan.pass_mark]),
        fill(s::DRILL_ATTEMPTS, &[&plan.attempts]),
    ];
    if let Some(t) = plan.target_seconds {
        parts.push(fill(s::DRILL_TARGET, &[&t.round()]));
    }
    parts.join(" · ")
}

/// The label of the report's main button for what comes next.
pub fn continue_label(run: &DrillRun) -> Option<String> {
    Some(match run.next_move()? {
        Move::Retry(a) => fill(s::DRILL_RETRY, &[&a, &run.plan.attempts]),
        Move::Next(i) => fill(s::DRILL_NEXT, &[&(i + 1), &run.steps[i].scenario.title]),
        Move::Done => s::DRILL_FINISH.to_string(),
    })
}

/// The drill card on the report: this step's verdict, every step's best try, and — when
/// the drill is over — whether it passed.
pub fn report_card(parent: &mut ChildSpawnerCommands, run: &DrillRun) {
    parent.spawn(widgets::panel()).with_children(|p| {
        p.spawn(widgets::row(8)).with_children(|r| {
            r.spawn(widgets::header(fill(s::DRILL_CARD, &[&run.plan.title])));
            r.spawn(widgets::spacer());
            r.spawn(widgets::dim(fill(
                s::DRILL_AT,
                &[
                    &(run.current + 1),
                    &run.steps.len(),
                    &run.attempt,
                    &run.plan.attempts,
                ],
            )));
        });
        if let Some(last) = run.tries[run.current].last() {
            let (text, color) = if last.passed {
                (
                    fill(s::DRILL_STEP_PASSED, &[&last.total, &run.plan.pass_mark]),
                    palette::GOOD,
                )
            } else if !last.finished {
                (s::DRILL_STEP_UNFINISHED.to_string(), palette::BAD)
            } else {
                (
                    fill(s::DRILL_STEP_FAILED, &[&last.total, &run.plan.pass_mark]),
                    palette::BAD,
                )
            };
            p.spawn(widgets::text(text, size::BODY, color));
        }
        for (i, step) in run.steps.iter().enumerate() {
            p.spawn(widgets::row(8)).with_children(|r| {
                let sc = &step.scenario;
                // The step number and the note never wrap; a long title does (at 1024×700
                // «第 6 关» and «未开始» broke over two lines beside a long title).
                r.spawn(widgets::label(
                    fill(s::DRILL_STEP_NO, &[&(i + 1)]),
                    size::SMALL,
                    palette::TEXT_DIM,
                ));
                r.spawn(widgets::persona_chip(sc.persona.kind));
                r.spawn(widgets::text(sc.title.clone(), size::SMALL, palette::TEXT));
                r.spawn(widgets::spacer());
                let tries = &run.tries[i];
                let (note, color) = if tries.is_empty() {
                    (s::DRILL_NOT_YET.to_string(), palette::TEXT_DIM)
                } else {
                    let best = run
                        .best(i)
                        .map(|t| fill(s::CHAT_SCORE, &[&t.total]))
                        .unwrap_or_else(|| s::REPORT_UNFINISHED.to_string());
                    let tried = if tries.len() > 1 {
                        fill(s::DRILL_TRIES, &[&tries.len()])
                    } else {
                        String::new()
                    };
                    if run.step_passed(i) {
                        (format!("{}{best}{tried}", s::COACH_PASS), palette::GOOD)
                    } else {
                        (format!("{}{best}{tried}", s::COACH_FAIL), palette::BAD)
                    }
                };
                r.spawn(widgets::label(note, size::SMALL, color));
            });
        }
        if run.is_over() {
            let (text, color) = if run.passed() {
                (s::DRILL_PASSED, palette::GOOD)
            } else {
                (s::DRILL_FAILED, palette::BAD)
            };
            p.spawn(widgets::text(
                fill(text, &[&run.passed_steps(), &run.steps.len()]),
                size::HEADER,
                color,
            ));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::Rubric;
    use crate::session::Session;
    use std::sync::Arc;

    /// The BeginPractice messages written since the last call.
    fn begun(app: &mut App) -> Vec<BeginPractice> {
        app.world_mut()
            .resource_mut::<Messages<BeginPractice>>()
            .drain()
            .collect()
    }

    /// The session a BeginPractice starts, played with one reply and "saved" into the report.
    fn finish(app: &mut App, b: &BeginPractice, reply: &str) {
        let rubric = Rubric::builtin();
        let mut s = Session::start(
            Arc::clone(&b.scenario),
            &rubric,
            b.seed.expect("a drill fixes the seed"),
            "小王",
            b.mode.expect("a drill fixes the mode"),
            "test",
        );
        s.record.drill = b.drill.clone();
        while !s.is_over() && s.record.turns.len() < 12 {
            let _ = s.reply(&rubric, reply, 1.0);
        }
        app.world_mut().resource_mut::<ReportData>().record = Some(s.record);
    }

    /// Play the session curtly, then press the drill's continue button: what it starts.
    fn fail_and_continue(app: &mut App, b: &BeginPractice) -> Vec<BeginPractice> {
        finish(app, b, "哦");
        app.update();
        app.world_mut().write_message(DrillContinue);
        app.update();
        begun(app)
    }

    fn running(app: &App) -> DrillRun {
        app.world()
            .resource::<DrillState>()
            .run
            .clone()
            .expect("a drill is running")
    }

    /// The drill plugin in a headless App: start, a failed step retried, the next step, the
    /// end — the messages the window's screens would act on.
    #[test]
    fn a_drill_steps_through_retries_and_ends() {
        let rubric = Rubric::builtin();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let catalog = Catalog::load(&dir, &rubric, None);
        let mut plan = catalog
            .plans
            .iter()
            .find(|p| p.name == "first-week")
            .expect("shipped plan")
            .clone();
        plan.scenarios = crate::drill::Scenarios::Fixed(vec![
            "hesitant-dress".into(),
            "complaint-late-delivery".into(),
        ]);
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, bevy::state::app::StatesPlugin))
            .init_state::<Screen>()
            .add_message::<BeginPractice>()
            .init_resource::<ReportData>()
            .insert_resource(catalog)
            .insert_resource(Launch {
                trainee: "小王".into(),
                seed: None,
                mode: Mode::Exam,
                results: std::env::temp_dir(),
                scripted: true,
            })
            .add_plugins(plugin);
        app.update();

        app.world_mut()
            .write_message(StartDrill { plan: plan.clone() });
        app.update();
        let b = begun(&mut app);
        assert_eq!(b.len(), 1);
        let d = b[0].drill.clone().expect("a drill step");
        assert_eq!(
            (d.name.as_str(), d.step, d.of, d.attempt),
            ("first-week", 1, 2, 1)
        );
        assert_eq!(b[0].scenario.id, "hesitant-dress");
        assert_eq!(
            b[0].mode,
            Some(Mode::Practice),
            "the plan's mode, not the picker's"
        );
        assert_eq!(b[0].scenario.target_seconds, plan.target_seconds);

        // A curt session fails the step: the retry meets the same customer.
        finish(&mut app, &b[0], "哦");
        app.update();
        let run = running(&app);
        assert_eq!(run.next_move(), Some(Move::Retry(2)));
        assert!(continue_label(&run).is_some_and(|l| l.contains("2/2")));
        app.world_mut().write_message(DrillContinue);
        app.update();
        let b2 = begun(&mut app);
        assert_eq!(b2.len(), 1);
        assert_eq!(
            b2[0].drill.as_ref().map(|d| (d.step, d.attempt)),
            Some((1, 2))
        );
        assert_eq!(
            (b2[0].seed, &b2[0].scenario.id),
            (b[0].seed, &b[0].scenario.id)
        );

        // Out of tries: on to step 2 (failed twice too), then the end.
        let b3 = fail_and_continue(&mut app, &b2[0]);
        assert_eq!(
            b3[0].drill.as_ref().map(|d| (d.step, d.attempt)),
            Some((2, 1))
        );
        assert_eq!(b3[0].scenario.id, "complaint-late-delivery");
        let b4 = fail_and_continue(&mut app, &b3[0]);
        assert_eq!(
            b4[0].drill.as_ref().map(|d| (d.step, d.attempt)),
            Some((2, 2))
        );
        finish(&mut app, &b4[0], "哦");
        app.update();
        let run = running(&app);
        assert!(run.is_over() && !run.passed());
        assert_eq!(run.passed_steps(), 0);
        app.world_mut().write_message(DrillContinue);
        app.update();
        app.update();
        assert!(begun(&mut app).is_empty(), "nothing after the last step");
        assert_eq!(
            *app.world().resource::<State<Screen>>().get(),
            Screen::Picker
        );
        assert!(
            app.world().resource::<DrillState>().run.is_none(),
            "back on the picker the drill is over"
        );
    }
}
