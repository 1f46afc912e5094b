//! Saving you can trust, through the binary: an unwritable results folder stops before the
//! first customer line; a write that fails mid-session (injected with the debug-build-only
//! `PEILIAN_FAIL_WRITE_AT=N`) stops the session, writes a rescue copy and never says "saved".
//! Also: escape sequences in piped replies, and trainee names.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SCENARIO: &str = "complaint-late-delivery";

fn run_with(args: &[&str], stdin: &[u8], env: &[(&str, &Path)], fail_at: Option<u32>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_peilian"));
    c.env_remove("PEILIAN_RESULTS")
        .env_remove("PEILIAN_FAIL_WRITE_AT")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    if let Some(n) = fail_at {
        c.env("PEILIAN_FAIL_WRITE_AT", n.to_string());
    }
    let mut child = c
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn peilian");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    out
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("peilian-save-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn json_files(dir: &Path) -> Vec<(PathBuf, serde_json::Value)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let j = serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("json");
            (p, j)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const REPLIES: &str =
    "亲，您好，非常抱歉让您久等了\n您别着急，我马上帮您联系快递加急\n好的，今天下班前给您回复\n";

#[test]
fn an_unwritable_results_folder_stops_before_the_first_customer_line() {
    let base = tmp("unwritable");
    // A folder below a regular file can never be made, even by root.
    let file = base.join("not-a-folder");
    std::fs::write(&file, b"x").expect("file");
    let results = file.join("results");
    let r = results.to_string_lossy().into_owned();
    for args in [
        vec!["practice", SCENARIO, "--results", &r, "--trainee", "小王"],
        vec!["drill", "first-week", "--results", &r, "--trainee", "小王"],
    ] {
        let out = run_with(&args, REPLIES.as_bytes(), &[], None);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
        assert!(all.contains(&r), "names the folder: {all}");
        assert!(all.contains("Not a directory"), "says why: {all}");
        assert!(!all.contains("你> "), "no reply was taken: {all}");
        assert!(
            !all.contains("已保存") && !all.contains("result file:"),
            "{all}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_results_folder_stops_before_the_first_customer_line() {
    use std::os::unix::fs::PermissionsExt;
    let base = tmp("readonly");
    let results = base.join("results");
    std::fs::create_dir_all(&results).expect("dir");
    std::fs::set_permissions(&results, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root writes through permissions: then there is nothing to test here (the test above
    // covers an unwritable folder for root too).
    if std::fs::write(results.join("root-check"), b"x").is_ok() {
        eprintln!("running as root: read-only permissions do not stop writes; skipped");
        return;
    }
    let r = results.to_string_lossy().into_owned();
    let out = run_with(
        &["practice", SCENARIO, "--results", &r, "--trainee", "小王"],
        REPLIES.as_bytes(),
        &[],
        None,
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&r) && all.contains("Permission denied"),
        "{all}"
    );
    let _ = std::fs::set_permissions(&results, std::fs::Permissions::from_mode(0o755));
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the PEILIAN_FAIL_WRITE_AT fault hook is compiled into debug builds only"
)]
fn a_write_failing_mid_session_stops_it_and_leaves_a_rescue_copy() {
    let base = tmp("midway");
    let results = base.join("results");
    let tmpdir = base.join("tmp");
    std::fs::create_dir_all(&tmpdir).expect("tmp");
    let r = results.to_string_lossy().into_owned();
    // Write 1 claims the result file, write 2 saves turn 1, write 3 (turn 2) fails.
    let out = run_with(
        &[
            "practice",
            SCENARIO,
            "--results",
            &r,
            "--trainee",
            "小王",
            "--seed",
            "1",
        ],
        REPLIES.as_bytes(),
        &[("TMPDIR", &tmpdir)],
        Some(3),
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("结果文件写入失败，对话已停止"), "{all}");
    assert!(all.contains("PEILIAN_FAIL_WRITE_AT=3"), "says why: {all}");
    assert!(
        !all.contains("result file:") && !all.contains("已保存"),
        "{all}"
    );
    // The third reply was never taken.
    assert!(!all.contains("你> 好的，今天下班前给您回复"), "{all}");
    let rescued = json_files(&tmpdir.join("peilian-rescue"));
    assert_eq!(rescued.len(), 1, "{all}");
    let (rescue_path, rescue) = &rescued[0];
    assert!(
        all.contains(&rescue_path.display().to_string()),
        "names it: {all}"
    );
    assert_eq!(rescue["turns"].as_array().map(Vec::len), Some(2));
    assert_eq!(rescue["trainee"], "小王");
    // The results folder holds the last good save (one turn) and no temporary files.
    let saved = json_files(&results);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].1["turns"].as_array().map(Vec::len), Some(1));
    let names: Vec<String> = std::fs::read_dir(&results)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the PEILIAN_FAIL_WRITE_AT fault hook is compiled into debug builds only"
)]
fn a_drill_whose_write_fails_stops_with_a_rescue_copy() {
    let base = tmp("drill");
    let results = base.join("results");
    let tmpdir = base.join("tmp");
    std::fs::create_dir_all(&tmpdir).expect("tmp");
    let r = results.to_string_lossy().into_owned();
    let out = run_with(
        &["drill", "first-week", "--results", &r, "--trainee", "小王"],
        REPLIES.as_bytes(),
        &[("TMPDIR", &tmpdir)],
        Some(2),
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("救援副本"), "{all}");
    assert!(!all.contains("训练小结"), "the drill stopped: {all}");
    assert_eq!(json_files(&tmpdir.join("peilian-rescue")).len(), 1, "{all}");
}

#[test]
fn escape_sequences_in_piped_replies_are_not_scored() {
    let base = tmp("escapes");
    let r = base.to_string_lossy().into_owned();
    let out = run_with(
        &["practice", SCENARIO, "--results", &r, "--trainee", "小王"],
        "亲，您好\x1b[D\x1b[DX\t在的\x1b[1;31m\n".as_bytes(),
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let saved = json_files(&base);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].1["turns"][0]["reply"], "亲，您好X 在的");
}

#[test]
fn bad_trainee_names_are_refused_on_every_command() {
    let base = tmp("names");
    let r = base.to_string_lossy().into_owned();
    for (name, problem) in [
        ("", "empty"),
        ("  ", "only spaces"),
        (".", "no letter or digit"),
        ("小\n王", "a newline"),
        ("小\t王", "a tab"),
    ] {
        for args in [
            vec!["practice", SCENARIO, "--results", &r, "--trainee", name],
            vec!["drill", "first-week", "--results", &r, "--trainee", name],
            vec!["window", "--results", &r, "--trainee", name],
            vec!["progress", "--results", &r, "--trainee", name],
            vec!["report", &r, "--trainee", name],
        ] {
            let out = run_with(&args, b"", &[], None);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(problem), "{args:?}: {err}");
        }
    }
    assert!(json_files(&base).is_empty());
}

#[test]
fn a_very_long_name_is_stored_whole_and_shown_short() {
    let base = tmp("longname");
    let r = base.to_string_lossy().into_owned();
    let long = "长".repeat(80);
    let out = run_with(
        &["practice", SCENARIO, "--results", &r, "--trainee", &long],
        "亲，您好\n".as_bytes(),
        &[],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains(&long), "shortened on screen");
    assert!(
        stdout.contains(&format!("学员 {}…", "长".repeat(23))),
        "{stdout}"
    );
    let saved = json_files(&base);
    assert_eq!(saved[0].1["trainee"], long.as_str());
}

// The same through the headless simulation (what the window drives).

mod headless {
    use peilian::rubric::Rubric;
    use peilian::scenario::{self, Scenario};
    use peilian::session::Mode;
    use peilian::sim::{SaveFailure, SimDriver, SimEvent, StartSession};
    use std::path::Path;
    use std::sync::Arc;

    fn scenario(rubric: &Rubric) -> Arc<Scenario> {
        let (all, _) = scenario::load_dir(Path::new("scenarios"), rubric);
        Arc::new(
            all.into_iter()
                .find(|s| s.id == super::SCENARIO)
                .expect("scenario"),
        )
    }

    fn start(s: &Arc<Scenario>) -> StartSession {
        StartSession {
            scenario: Arc::clone(s),
            seed: 5,
            trainee: "小李".into(),
            mode: Mode::Practice,
            frontend: "test".into(),
            drill: None,
        }
    }

    #[test]
    fn an_unwritable_folder_starts_nothing() {
        let rubric = Arc::new(Rubric::builtin());
        let s = scenario(&rubric);
        let base = super::tmp("sim-unwritable");
        let file = base.join("file");
        std::fs::write(&file, b"x").expect("file");
        let mut sim = SimDriver::new(rubric, file.join("results"));
        let ev = sim.start(start(&s));
        assert!(ev.is_empty(), "no customer line: {ev:?}");
        assert!(sim.session().is_none());
        assert!(matches!(
            sim.save_failure(),
            Some(SaveFailure::NotWritable { error }) if error.contains("Not a directory")
        ));
        let ev = sim.reply("亲，您好", 1.0);
        assert!(matches!(ev.as_slice(), [SimEvent::Rejected(_)]), "{ev:?}");
        assert_eq!(sim.result_path(), None);
    }

    #[test]
    fn a_folder_lost_mid_session_stops_replies_and_rescues_the_record() {
        let rubric = Arc::new(Rubric::builtin());
        let s = scenario(&rubric);
        let base = super::tmp("sim-midway");
        let results = base.join("results");
        let mut sim = SimDriver::new(rubric, results.clone());
        sim.start(start(&s));
        let ev = sim.reply("亲，您好，非常抱歉让您久等了", 2.0);
        assert!(ev.iter().any(|e| matches!(e, SimEvent::Scored(_))));
        assert!(sim.save_failure().is_none());
        let first = sim.result_path().expect("saved after turn 1");
        // The folder goes away and a file takes its place: the next save fails.
        std::fs::remove_dir_all(&results).expect("rm");
        std::fs::write(&results, b"x").expect("file");
        let ev = sim.reply("您别着急，我马上帮您联系快递加急", 2.0);
        assert!(ev.iter().any(|e| matches!(e, SimEvent::Scored(_))));
        let failure = sim.save_failure().expect("the save failed");
        let rescue = failure.rescue_path().expect("rescue copy written").clone();
        assert!(failure.message().contains(&rescue.display().to_string()));
        assert_eq!(sim.result_path(), None, "never reported as saved");
        let rec: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&rescue).expect("rescue")).expect("json");
        assert_eq!(rec["turns"].as_array().map(Vec::len), Some(2));
        assert_eq!(rescue.file_name(), first.file_name());
        // No more replies are taken.
        let ev = sim.reply("好的", 1.0);
        assert!(
            matches!(ev.as_slice(), [SimEvent::Rejected(r)] if r.reason.contains("对话已停止"))
        );
        assert_eq!(sim.session().map(|s| s.record.turns.len()), Some(2));
        // Leaving ends it without claiming a file.
        let ev = sim.abandon();
        assert!(
            ev.iter()
                .any(|e| matches!(e, SimEvent::Ended(x) if x.result_path.is_none())),
            "{ev:?}"
        );
        let _ = std::fs::remove_file(&rescue);
    }
}
