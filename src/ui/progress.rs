//! 我的进度 on the picker — `peilian progress` in the window: the trainee's sessions in the
//! results folder, their scores lately, the checks they miss most, and the scenarios that
//! train those checks most, one click away.

use super::catalog::{self, Catalog};
use super::strings::{self as s, fill};
use super::{Launch, Screen};
use crate::report::{Entry, Filter, by_trainee, labels, load, recommend};
use crate::scenario::Scenario;
use bevy::prelude::*;
use bevy::tasks::futures::check_ready;
use bevy::tasks::{AsyncComputeTaskPool, Task};
use bevy::window::RequestRedraw;

pub fn plugin(app: &mut App) {
    app.init_resource::<MyProgress>()
        .init_resource::<Loading>()
        .add_systems(OnEnter(Screen::Picker), refresh.after(catalog::reload))
        .add_systems(
            Update,
            (
                refresh.run_if(in_state(Screen::Picker).and_then(resource_changed::<Catalog>)),
                collect,
            )
                .chain(),
        );
}

/// What the picker shows of the trainee's own progress.
#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct MyProgress {
    pub sessions: usize,
    pub finished: usize,
    /// Mean total of the finished sessions, one decimal.
    pub average: Option<f64>,
    /// Totals of the last finished sessions, oldest first (at most [`RECENT`]).
    pub recent: Vec<u32>,
    /// The weakest checks, worst first: (label, rate in words — 做到率 for what a reply
    /// should do, 违规率 for rules it broke, so a high number is never good news in disguise).
    pub weakest: Vec<(String, String)>,
    /// Ids of the scenarios that train the weakest checks most, best first.
    pub recommended: Vec<String>,
}

/// How many recent scores the picker lists.
pub const RECENT: usize = 6;

/// Summarise `trainee`'s sessions among `entries` against the scenarios on offer.
pub fn summarize(entries: &[Entry], trainee: &str, scenarios: &[Scenario]) -> MyProgress {
    let keep = Filter {
        trainee: Some(trainee.to_string()),
        ..Filter::default()
    };
    let mine: Vec<Entry> = entries
        .iter()
        .filter(|e| keep.keeps(&e.record))
        .cloned()
        .collect();
    let stats = by_trainee(&mine);
    let Some(t) = stats.first() else {
        return MyProgress::default();
    };
    let names = labels(&mine);
    let weakest = t.weakest(3);
    let mut recent: Vec<u32> = t
        .sessions
        .iter()
        .filter(|e| e.record.finished)
        .map(|e| e.record.total)
        .collect();
    recent.drain(..recent.len().saturating_sub(RECENT));
    MyProgress {
        sessions: t.sessions.len(),
        finished: t.finished,
        average: t.average,
        recent,
        weakest: weakest
            .iter()
            .map(|c| {
                (
                    names[c.index()].clone(),
                    rate_words(*c, t.checks[c.index()]),
                )
            })
            .collect(),
        recommended: recommend(scenarios, &weakest, 3)
            .into_iter()
            .map(|(s, _)| s.id.clone())
            .collect(),
    }
}

/// "做到率 40.0%" for an expected check; "违规率 100.0%" (the share of replies that broke
/// the rule) for a violation.
pub fn rate_words(c: crate::rubric::CheckId, t: crate::report::Tally) -> String {
    if c.is_violation() {
        let broke = crate::report::Tally {
            involved: t.involved,
            passed: t.involved - t.passed,
        };
        fill(s::PROGRESS_RATE_VIOLATED, &[&broke.rate_text()])
    } else {
        fill(s::PROGRESS_RATE_DONE, &[&t.rate_text()])
    }
}

/// The results folder being read in the background.
#[derive(Resource, Default)]
struct Loading(Option<Task<MyProgress>>);

/// Re-read the trainee's results whenever the picker opens (after a session, say). A results
/// folder shared by a whole team can hold thousands of files (5 000 parse in about 0.3 s in a
/// release build), so it is read on the task pool and the picker never waits for it.
/// Also when the catalog changes (read after the window opened, another shop): the
/// recommendations name its scenarios.
fn refresh(launch: Res<Launch>, catalog: Res<Catalog>, mut loading: ResMut<Loading>) {
    if catalog.loading {
        return;
    }
    let dir = launch.results.clone();
    let trainee = launch.trainee.clone();
    let scenarios = catalog.scenario_values();
    loading.0 = Some(AsyncComputeTaskPool::get().spawn(async move {
        let filter = Filter {
            trainee: Some(trainee.clone()),
            ..Filter::default()
        };
        // No folder yet means no sessions yet.
        let entries = load(&dir, &filter).map(|(e, _)| e).unwrap_or_default();
        summarize(&entries, &trainee, &scenarios)
    }));
}

/// Take the summary when it is ready; until then keep frames coming (the window otherwise
/// sleeps until input).
fn collect(
    mut loading: ResMut<Loading>,
    mut progress: ResMut<MyProgress>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let Some(task) = loading.0.as_mut() else {
        return;
    };
    match check_ready(task) {
        Some(fresh) => {
            loading.0 = None;
            if *progress != fresh {
                *progress = fresh;
            }
        }
        None => {
            redraw.write(RequestRedraw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::Rubric;
    use crate::session::{Mode, Session};
    use std::sync::Arc;

    fn played(sc: &Scenario, trainee: &str, replies: &[&str]) -> Entry {
        let rubric = Rubric::builtin();
        let mut s = Session::start(
            Arc::new(sc.clone()),
            &rubric,
            1,
            trainee,
            Mode::Practice,
            "t",
        );
        for r in replies {
            if s.is_over() {
                break;
            }
            let _ = s.reply(&rubric, r, 1.0);
        }
        Entry {
            file: format!("{trainee}.json"),
            record: s.record,
        }
    }

    #[test]
    fn weakest_checks_and_the_scenarios_that_train_them() {
        let rubric = Rubric::builtin();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let (scenarios, _) = crate::scenario::load_dir(&dir, &rubric);
        let complaint = scenarios
            .iter()
            .find(|s| s.id == "complaint-broken-dishes")
            .expect("shipped scenario");
        let entries = vec![
            played(complaint, "小王", &["哦", "知道了", "你自己看详情页"]),
            played(complaint, "小李", &["您好，非常抱歉给您添麻烦了！"]),
        ];
        let p = summarize(&entries, "小王", &scenarios);
        assert_eq!(p.sessions, 1, "only 小王's sessions");
        assert!(!p.weakest.is_empty(), "curt replies fail checks");
        assert!(p.weakest.len() <= 3);
        assert!(
            p.weakest
                .iter()
                .all(|(label, rate)| !label.is_empty() && rate.ends_with('%')),
            "{:?}",
            p.weakest
        );
        // A rule broken in every reply reads as a high 违规率, never as "0.0%".
        use crate::rubric::CheckId;
        let always = crate::report::Tally {
            involved: 4,
            passed: 0,
        };
        assert_eq!(rate_words(CheckId::OverPromise, always), "违规率 100.0%");
        assert_eq!(rate_words(CheckId::Greeting, always), "做到率 0.0%");
        assert!(!p.recommended.is_empty() && p.recommended.len() <= 3);
        assert!(
            p.recommended
                .iter()
                .all(|id| scenarios.iter().any(|s| &s.id == id)),
            "{:?}",
            p.recommended
        );
        assert_eq!(
            summarize(&entries, "没练过的人", &scenarios),
            MyProgress::default()
        );
    }

    /// The plugin in a headless App: opening the picker reads the results folder on the task
    /// pool, and the summary arrives a few updates later.
    #[test]
    fn the_picker_gets_the_summary_from_the_task_pool() {
        use crate::session::store::ResultStore;
        let rubric = Rubric::builtin();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let catalog = Catalog::load(&dir, &rubric, None);
        let sc = catalog
            .find("complaint-broken-dishes")
            .expect("shipped scenario")
            .clone();
        let results =
            std::env::temp_dir().join(format!("peilian-progress-app-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&results);
        let e = played(&sc, "小王", &["哦", "知道了"]);
        let store = ResultStore::create(&results, &e.record).expect("result file");
        store.save(&e.record).expect("saved");

        let mut app = App::new();
        app.add_plugins((MinimalPlugins, bevy::state::app::StatesPlugin))
            .add_message::<RequestRedraw>()
            .init_state::<Screen>()
            .insert_resource(catalog)
            .insert_resource(crate::sim::SimRubric(Arc::new(rubric)))
            .insert_resource(Launch {
                trainee: "小王".into(),
                seed: None,
                mode: Mode::Practice,
                results: results.clone(),
                scripted: true,
            })
            .add_plugins((super::super::catalog::plugin, plugin));
        let mut updates = 0;
        while app.world().resource::<MyProgress>().sessions == 0 && updates < 500 {
            app.update();
            updates += 1;
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let p = app.world().resource::<MyProgress>().clone();
        assert_eq!(
            p.sessions, 1,
            "the summary arrived (after {updates} updates)"
        );
        assert!(!p.weakest.is_empty() && !p.recommended.is_empty(), "{p:?}");
        assert!(
            app.world().resource::<Loading>().0.is_none(),
            "the task is collected"
        );
        let _ = std::fs::remove_dir_all(&results);
    }
}
