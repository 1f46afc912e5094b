//! Two files with the same scenario id, or the same drill name: `check` names both places,
//! and `scenarios` lists the id once (the first file by name) with the problem shown.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Each test gets a folder of its own (tests run in parallel).
static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn folder() -> PathBuf {
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("duplicates-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("drills")).expect("mkdir");
    let case = std::fs::read_to_string("scenarios/haggler-phone-case.ron").expect("shipped");
    std::fs::write(d.join("a-case.ron"), &case).expect("write");
    // Same id, different title, and a comment line so the id sits on another line.
    let copy = format!("// a copy\n{}", case.replace("title: \"", "title: \"副本 "));
    std::fs::write(d.join("b-case.ron"), copy).expect("write");
    let plan = "DrillPlan(\n    name: \"first-week\",\n    title: \"一关\",\n    seed: 1,\n    mode: Practice,\n    scenarios: Fixed([\"haggler-phone-case\"]),\n    pass_mark: 60,\n    attempts: 1,\n)\n";
    std::fs::write(d.join("drills/one.ron"), plan).expect("write");
    std::fs::write(d.join("drills/two.ron"), format!("\n\n{plan}")).expect("write");
    d
}

fn place(file: &Path, needle: &str) -> String {
    let src = std::fs::read_to_string(file).unwrap();
    let (n, line) = src
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap();
    let col = line[..line.find(needle).unwrap()].chars().count() + 1;
    format!("{}:{}:{}", file.display(), n + 1, col)
}

#[test]
fn check_names_both_files_and_scenarios_lists_once() {
    let d = folder();
    let out = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .args(["check", "--scenarios"])
        .arg(&d)
        .arg(&d)
        .output()
        .expect("check runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = "\"haggler-phone-case\"";
    let want = format!(
        "{}: scenario id `haggler-phone-case` is already used by {}",
        place(&d.join("b-case.ron"), id),
        place(&d.join("a-case.ron"), id)
    );
    assert!(text.contains(&want), "want {want}\n{text}");
    let name = "\"first-week\"";
    let want = format!(
        "{}: drill name `first-week` is already used by {}",
        place(&d.join("drills/two.ron"), name),
        place(&d.join("drills/one.ron"), name)
    );
    assert!(text.contains(&want), "want {want}\n{text}");

    let out = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .args(["scenarios", "--scenarios"])
        .arg(&d)
        .env("NO_COLOR", "1")
        .output()
        .expect("scenarios runs");
    let list = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    let rows = list
        .lines()
        .filter(|l| l.starts_with("haggler-phone-case "))
        .count();
    assert_eq!(rows, 1, "listed once:\n{list}");
    assert!(
        !list.contains("副本"),
        "the first file by name is the one listed:\n{list}"
    );
    assert!(
        err.contains("b-case.ron") && err.contains("already used by"),
        "problem shown: {err}"
    );
    assert!(
        err.contains("two.ron") && err.contains("drill name `first-week`"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn the_window_catalog_lists_an_id_once_and_shows_the_problem() {
    let d = folder();
    let rubric = peilian::rubric::Rubric::builtin();
    let c = peilian::ui::catalog::Catalog::load(&d, &rubric, None);
    let ids: Vec<&str> = c.scenarios.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["haggler-phone-case"]);
    assert!(
        !c.scenarios[0].title.contains("副本"),
        "the first file by name"
    );
    assert_eq!(c.plans.len(), 1, "one plan named first-week");
    assert!(
        c.problems
            .iter()
            .any(|p| p.contains("b-case.ron") && p.contains("already used by")),
        "{:?}",
        c.problems
    );
    assert!(
        c.problems
            .iter()
            .any(|p| p.contains("two.ron") && p.contains("drill name")),
        "{:?}",
        c.problems
    );
    let _ = std::fs::remove_dir_all(d);
}
