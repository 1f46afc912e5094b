//! SimPlugin driven headlessly through `App::update()` with MinimalPlugins.

use peilian::rubric::Rubric;
use peilian::scenario::{self, Scenario};
use peilian::session::{Mode, SessionRecord};
use peilian::sim::{ActiveSession, SimDriver, SimEvent, StartSession};
use std::path::Path;
use std::sync::Arc;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("peilian-sim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn first_scenario(rubric: &Rubric) -> Scenario {
    let (all, problems) = scenario::load_dir(Path::new("scenarios"), rubric);
    assert!(problems.is_empty(), "{problems:?}");
    all.into_iter().next().expect("at least one scenario")
}

fn start(s: &Scenario, seed: u64) -> StartSession {
    StartSession {
        scenario: Arc::new(s.clone()),
        seed,
        trainee: "测试/../x".into(),
        mode: Mode::Practice,
        frontend: "test".into(),
        drill: None,
    }
}

#[test]
fn plugin_runs_a_session_and_saves_after_every_turn() {
    let rubric = Arc::new(Rubric::builtin());
    let s = first_scenario(&rubric);
    let dir = tmp("turns");
    let mut sim = SimDriver::new(rubric, dir.clone());
    let ev = sim.start(start(&s, 3));
    assert!(matches!(ev.as_slice(), [SimEvent::Spoke(_)]), "{ev:?}");
    let path = sim.result_path().expect("result file created");
    assert!(
        path.starts_with(&dir),
        "safe file name inside the folder: {}",
        path.display()
    );

    // An empty reply is rejected with a message and scores nothing.
    let ev = sim.reply("   ", 1.0);
    assert!(matches!(ev.as_slice(), [SimEvent::Rejected(_)]), "{ev:?}");

    let ev = sim.reply("亲，您好！非常理解您的想法，请问您主要担心哪方面呢？", 8.0);
    assert!(ev.iter().any(|e| matches!(e, SimEvent::Scored(_))));
    let rec: SessionRecord = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(rec.turns.len(), 1, "written after the first turn");
    assert_eq!(rec.seed, 3);
    assert!(!rec.finished);

    // Leaving keeps the transcript and marks it unfinished.
    let ev = sim.abandon();
    assert!(
        ev.iter()
            .any(|e| matches!(e, SimEvent::Ended(x) if x.outcome.is_none()))
    );
    let rec: SessionRecord = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(rec.turns.len(), 1);
    assert!(!rec.finished);
    assert!(
        sim.app
            .world()
            .resource::<ActiveSession>()
            .session
            .is_none()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn same_seed_same_transcript() {
    let rubric = Arc::new(Rubric::builtin());
    let s = first_scenario(&rubric);
    let run = |seed: u64| {
        let dir = tmp(&format!("seed{seed}-{}", rand_suffix()));
        let mut sim = SimDriver::new(Arc::clone(&rubric), dir.clone());
        sim.start(start(&s, seed));
        for r in [
            "您好亲，在的~请问有什么顾虑呢？",
            "理解您的顾虑，这款是纯棉的，做工很好",
            "您要白色还是黑色呢？",
        ] {
            sim.reply(r, 5.0);
        }
        let rec = sim.session().expect("live").record.clone();
        let _ = std::fs::remove_dir_all(dir);
        rec.turns
            .iter()
            .map(|t| (t.customer.clone(), t.score, t.mood_after))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(11), run(11));
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}
