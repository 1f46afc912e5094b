//! Input limits: `score` counts physical lines and answers a line over 1 MiB with an error
//! object of its own without holding it; practice refuses an over-long reply the same way.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: Vec<u8>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("PEILIAN_RESULTS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn peilian");
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    out
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn score_reports_physical_line_numbers() {
    let input = "{\"id\":1,\"reply\":\"您好\"}\n\n\r\nnot json\n{\"id\":2}\n";
    let out = run(&["score", "-"], input.into());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "blank lines give no output");
    let err = lines[1]["error"].as_str().expect("an error");
    assert!(err.starts_with("line 4:"), "{err}");
    let err = lines[2]["error"].as_str().expect("an error");
    assert!(err.starts_with("line 5:"), "{err}");
}

#[test]
fn a_line_over_a_mebibyte_gets_its_own_error_and_the_next_line_is_scored() {
    let mut input = b"\n{\"id\":\"big\",\"reply\":\"".to_vec();
    input.extend("好".repeat(1_000_000).as_bytes()); // 3 MB
    input.extend("\"}\n{\"id\":\"next\",\"reply\":\"亲，您好\"}\n".as_bytes());
    // Exactly at the limit still reads (then fails as JSON, not as too long).
    input.extend(vec![b'x'; 1 << 20]);
    input.push(b'\n');
    let out = run(&["score", "-"], input);
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(
        lines[0]["id"], "big",
        "the id is taken from the start of the line"
    );
    let err = lines[0]["error"].as_str().expect("an error");
    assert!(
        err.starts_with("line 2: line too long (3000023 bytes; at most 1048576 bytes"),
        "{err}"
    );
    assert_eq!(lines[1]["id"], "next");
    assert_eq!(lines[1]["detected"]["greeting"], true);
    let err = lines[2]["error"].as_str().expect("an error");
    assert!(err.starts_with("line 4: invalid JSON"), "{err}");
}

#[test]
fn practice_refuses_a_reply_over_the_limit_and_carries_on() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("long-lines-{}", std::process::id()));
    let mut input = "好".repeat(3000).into_bytes();
    input.extend("\n您好亲，在的！请问有什么可以帮您？\n".as_bytes());
    let out = run(
        &[
            "practice",
            "haggler-phone-case",
            "--seed",
            "2",
            "--results",
            dir.to_str().expect("utf-8 path"),
        ],
        input,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("回复太长（3000 字）"), "{text}");
    assert!(
        text.contains("你> 您好亲"),
        "the next reply is taken: {text}"
    );
    assert_eq!(
        text.matches("本轮得分").count(),
        1,
        "one reply scored: {text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
