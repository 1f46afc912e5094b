//! Local time: result files, file names, reports and `--since` follow the machine's time zone
//! (`TZ`), and result files from before (UTC, `Z`) still read.

use peilian::session::SessionRecord;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_peilian");

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("local_time")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

fn run(tz: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("TZ", tz)
        .env("NO_COLOR", "1")
        .env_remove("PEILIAN_RESULTS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn peilian");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("peilian runs")
}

fn only_result(dir: &Path) -> (PathBuf, SessionRecord) {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("results folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let r = serde_json::from_slice(&std::fs::read(&files[0]).expect("read")).expect("a result");
    (files[0].clone(), r)
}

#[test]
fn a_beijing_morning_session_falls_on_that_day() {
    let dir = tmp("beijing");
    let results = dir.join("results");
    let out = run(
        "Asia/Shanghai",
        &[
            "practice",
            "haggler-phone-case",
            "--seed",
            "3",
            "--trainee",
            "小王",
            "--results",
            results.to_str().expect("utf-8 path"),
        ],
        "您好亲，在的！请问有什么可以帮您？\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (path, mut r) = only_result(&results);
    assert!(
        r.started.ends_with("+08:00"),
        "offset in `started`: {}",
        r.started
    );
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&r.started[..10]),
        "{name} vs {}",
        r.started
    );

    // Rewrite it as an older file would hold it: UTC with `Z`, at 07:30 Beijing on 2 March
    // (23:30 UTC on 1 March).
    std::fs::remove_file(&path).expect("remove");
    r.started_at = 1_772_407_800;
    r.started = "2026-03-01T23:30:00Z".into();
    std::fs::write(
        results.join("old.json"),
        serde_json::to_vec_pretty(&r).expect("json"),
    )
    .expect("write old result");
    let res = results.to_str().expect("utf-8 path");
    let args = ["report", res, "--format", "md", "--since", "2026-03-02"];

    let beijing = run("Asia/Shanghai", &args, "");
    assert!(
        beijing.status.success(),
        "{}",
        String::from_utf8_lossy(&beijing.stderr)
    );
    let text = String::from_utf8_lossy(&beijing.stdout);
    assert!(
        text.contains("2026-03-02 07:30"),
        "local time shown: {text}"
    );
    assert!(
        text.contains("Asia/Shanghai UTC+08:00"),
        "zone named: {text}"
    );
    assert!(text.contains("小王"), "kept by --since in Beijing: {text}");

    let utc = run("UTC", &args, "");
    let text = String::from_utf8_lossy(&utc.stdout);
    assert!(
        !text.contains("小王"),
        "in UTC it was the day before: {text}"
    );
    let prev = run(
        "UTC",
        &["report", res, "--format", "md", "--since", "2026-03-01"],
        "",
    );
    let text = String::from_utf8_lossy(&prev.stdout);
    assert!(text.contains("2026-03-01 23:30"), "UTC time shown: {text}");
    let _ = std::fs::remove_dir_all(dir);
}
