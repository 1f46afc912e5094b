//! The `peilian` binary: practice from piped stdin, score, check on broken files, scenarios.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_peilian"));
    c.env_remove("PEILIAN_RESULTS").env("NO_COLOR", "1");
    c
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
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
    let d = std::env::temp_dir().join(format!("peilian-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A patient customer who does not walk out after one plain greeting: the first hesitant
/// scenario by file name.
fn first_scenario_id() -> String {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|s| s.contains("kind: Hesitant")))
        .collect();
    files.sort();
    files[0].file_stem().unwrap().to_string_lossy().into_owned()
}

fn results_in(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .collect()
}

#[test]
fn practice_from_piped_stdin_saves_an_unfinished_session_when_input_ends() {
    let dir = tmp("practice");
    let id = first_scenario_id();
    let out = run(
        &[
            "practice",
            &id,
            "--seed",
            "5",
            "--trainee",
            "../小王",
            "--results",
            dir.to_str().unwrap(),
        ],
        "您好亲，在的！请问有什么可以帮您？\n\n\u{7}理解您的想法哦\n".as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("seed: 5"), "prints the seed: {text}");
    assert!(text.contains("本轮得分"), "feedback per reply: {text}");
    assert!(text.contains("回复是空的"), "empty reply explained: {text}");
    assert!(text.contains("未完成"), "unfinished noted: {text}");
    let files = results_in(&dir);
    assert_eq!(files.len(), 1);
    let r = &files[0];
    assert_eq!(r["schema"], "peilian.result/2");
    assert_eq!(r["seed"], 5);
    assert_eq!(r["finished"], false);
    assert_eq!(r["trainee"], "../小王");
    assert_eq!(r["turns"].as_array().unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn practice_ignores_lines_after_the_ending_and_plays_the_menu() {
    let dir = tmp("menu");
    let id = first_scenario_id();
    let good = std::fs::read_to_string(format!("tests/scripts/{id}.good.txt")).unwrap();
    let input = format!("1\n{good}\n多余的一行\n还有一行\n");
    let out = run(
        &[
            "practice",
            "--seed",
            "1",
            "--results",
            dir.to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("请选择场景"), "{text}");
    assert!(text.contains("对练报告"), "{text}");
    let files = results_in(&dir);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["finished"], true);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_huge_paste_is_refused_with_a_message() {
    let dir = tmp("huge");
    let id = first_scenario_id();
    let mut input = "好".repeat(1_000_000);
    input.push('\n');
    let out = run(
        &[
            "practice",
            &id,
            "--seed",
            "2",
            "--results",
            dir.to_str().unwrap(),
        ],
        input.as_bytes(),
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("回复太长"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn score_streams_json_lines_and_reports_bad_lines() {
    let input = concat!(
        "{\"id\":\"a\",\"reply\":\"亲，您好！非常抱歉给您添麻烦了，我们保证明天到\"}\n",
        "this is not json\n",
        "{\"id\":7,\"reply\":\"爱买不买😀\"}\n",
        "{\"id\":\"no-reply\"}\n",
    );
    let out = run(&["score", "-"], input.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(1),
        "bad lines make the exit status 1"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "one output line per input line");
    assert_eq!(lines[0]["id"], "a");
    let d = lines[0]["detected"].as_object().unwrap();
    assert_eq!(d.len(), 14);
    assert_eq!(d["greeting"], true);
    assert_eq!(d["apology"], true);
    assert_eq!(d["over_promise"], true);
    assert_eq!(d["rude"], false);
    assert_eq!(lines[0]["evidence"]["over_promise"][0]["text"], "保证");
    assert!(lines[1]["error"].as_str().unwrap().contains("line 2"));
    assert_eq!(lines[2]["id"], 7);
    assert_eq!(lines[2]["detected"]["rude"], true);
    assert!(lines[3]["error"].as_str().unwrap().contains("reply"));
    assert_eq!(lines[3]["id"], "no-reply");
}

#[test]
fn check_reports_file_line_column() {
    let dir = tmp("check");
    let broken = dir.join("broken.ron");
    std::fs::write(&broken, "Scenario(\n  id: \"x\",\n  title: 12,\n)\n").unwrap();
    let out = run(&["check", broken.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("{}:3:", broken.display())), "{text}");

    // A scenario whose branch names a missing node, and an unknown check id.
    let id = first_scenario_id();
    let src = std::fs::read_to_string(format!("scenarios/{id}.ron")).unwrap();
    let target = src
        .split("goto: \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let bad = src
        .replacen(&format!("goto: \"{target}\""), "goto: \"nowhere\"", 1)
        .replacen("(\"empathy\"", "(\"empaty\"", 1);
    let f = dir.join("missing.ron");
    std::fs::write(&f, bad).unwrap();
    let out = run(&["check", f.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("missing node `nowhere`"), "{text}");
    assert!(
        text.lines()
            .all(|l| l.starts_with(&f.display().to_string())),
        "{text}"
    );

    // A shipped scenario with one edit: `check` exits 1 and names the file and the fault.
    let check_edited = |id: &str, from: &str, to: &str, name: &str, fault: &str| {
        let src = std::fs::read_to_string(format!("scenarios/{id}.ron")).unwrap();
        let bad = src.replacen(from, to, 1);
        assert_ne!(bad, src, "{id} has {from}");
        let f = dir.join(name);
        std::fs::write(&f, bad).unwrap();
        let out = run(&["check", f.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("{}:", f.display())) && text.contains(fault),
            "{text}"
        );
    };
    // A two-part question whose part names an unknown topic, with its place.
    check_edited(
        "complaint-broken-dishes",
        "topic: \"packing\")",
        "topic: \"packign\")",
        "parts.ron",
        "listens for unknown topic `packign`",
    );
    // A part that nothing could answer (no topic, and not a "how long" part).
    check_edited(
        "review-threat",
        "(ask: \"多久弄好\", time: true)",
        "(ask: \"多久弄好\")",
        "timeless.ron",
        "part `多久弄好` says nothing that would answer it",
    );

    // Unreadable input is exit 2.
    let out = run(&["check", dir.join("absent.ron").to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn shipped_files_check_clean_and_list() {
    let out = run(&["check"], b"");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["scenarios"], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("讨价还价") && text.contains("投诉") && text.contains("犹豫型"),
        "{text}"
    );
}

#[test]
fn practice_with_a_non_ron_file_is_a_clear_error() {
    let dir = tmp("notron");
    let f = dir.join("notes.ron");
    std::fs::write(&f, "这不是RON文件").unwrap();
    let out = run(
        &[
            "practice",
            f.to_str().unwrap(),
            "--results",
            dir.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:1:1:", f.display())), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `peilian eval` reads several corpora as one, names the file of a bad line, and with
/// `--ablate` prints what each rule part alone gets right and wrong (here on a cut-down rubric,
/// the first part of every check, so the run is short).
#[test]
fn eval_reads_several_corpora_and_ablates_rule_parts() {
    use peilian::rubric::{Rubric, Rule};
    let dir = tmp("ablate");
    let mut file = Rubric::builtin().file.clone();
    for def in &mut file.checks {
        let first: Vec<Rule> = def.rule.parts().into_iter().take(1).cloned().collect();
        def.rule = Rule::AnyOf(first);
    }
    let rubric = dir.join("small.ron");
    std::fs::write(&rubric, ron::ser::to_string(&file).unwrap()).unwrap();
    let labels = |apology: bool| {
        let mut m = serde_json::Map::new();
        for c in peilian::rubric::CheckId::ALL {
            m.insert(c.as_str().to_string(), serde_json::Value::Bool(false));
        }
        m.insert("apology".into(), serde_json::Value::Bool(apology));
        serde_json::Value::Object(m)
    };
    let line = |id: &str, reply: &str, apology: bool| {
        serde_json::json!({"id": id, "reply": reply, "labels": labels(apology)}).to_string() + "\n"
    };
    let a = dir.join("a.jsonl");
    let b = dir.join("b.jsonl");
    std::fs::write(&a, line("a1", "真的非常抱歉", true)).unwrap();
    std::fs::write(&b, line("b1", "抱歉抱歉", false) + "not json\n").unwrap();
    let out = run(
        &[
            "eval",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--quiet",
            "--ablate",
            "--rubric",
            rubric.to_str().unwrap(),
        ],
        b"",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a bad line: {err}");
    assert!(err.contains(&format!("{}:2:", b.display())), "{err}");
    assert!(text.contains("items 2 "), "both files read as one: {text}");
    let row = text
        .lines()
        .skip_while(|l| !l.starts_with("ablation:"))
        .find(|l| l.starts_with("apology "))
        .unwrap_or_else(|| panic!("an apology row: {text}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&cols[1..5], &["0", "1", "1", "+0"], "{row}");
    assert!(text.contains("parts 14 "), "{text}");
    // A file that cannot be read stops the run with status 2, after the bad lines already found.
    let missing = dir.join("missing.jsonl");
    let out = run(
        &["eval", b.to_str().unwrap(), missing.to_str().unwrap()],
        b"",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:2:", b.display())), "{err}");
    assert!(err.contains("missing.jsonl: cannot read"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
