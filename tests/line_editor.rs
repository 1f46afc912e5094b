//! The terminal line editor, driven through tmux (skipped when tmux is missing): cursor keys
//! and backspace over wide characters, Home/End, history, Ctrl+C leaves and saves.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .args(args)
        .output()
        .expect("tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool, show: impl Fn() -> String) {
    let t0 = Instant::now();
    while !ok() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "timed out: {what}\n{}",
            show()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn result(dir: &Path) -> Option<serde_json::Value> {
    let p: PathBuf = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))?;
    serde_json::from_slice(&std::fs::read(p).ok()?).ok()
}

#[test]
fn the_line_editor_edits_wide_characters_recalls_history_and_leaves_on_ctrl_c() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux not installed; skipped");
        return;
    }
    let socket = format!("peilian-test-{}", std::process::id());
    let dir = std::env::temp_dir().join(format!("peilian-editor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let cmd = format!(
        "NO_COLOR=1 {} practice complaint-late-delivery --trainee 小王 --seed 1 --results {}; echo EXIT=$? > {}/exit; sleep 30",
        env!("CARGO_BIN_EXE_peilian"),
        dir.display(),
        dir.display()
    );
    tmux(
        &socket,
        &[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "160",
            "-y",
            "50",
            &cmd,
        ],
    );
    let screen = || tmux(&socket, &["capture-pane", "-p", "-t", "t"]);
    wait_for("the first prompt", || screen().contains("\n你>"), screen);
    // 您好X, three steps left (over two wide characters), 亲; Home, 啊; End, backspace.
    tmux(&socket, &["send-keys", "-t", "t", "您好X"]);
    tmux(
        &socket,
        &["send-keys", "-t", "t", "Left", "Left", "Left", "亲"],
    );
    tmux(
        &socket,
        &["send-keys", "-t", "t", "Home", "啊", "End", "BSpace"],
    );
    wait_for(
        "the edited line",
        || screen().contains("你> 啊亲您好\n"),
        screen,
    );
    tmux(&socket, &["send-keys", "-t", "t", "Enter"]);
    wait_for(
        "turn 1 saved",
        || result(&dir).is_some_and(|r| r["turns"].as_array().is_some_and(|t| t.len() == 1)),
        screen,
    );
    // Up brings the last reply back in place of what was typed.
    tmux(&socket, &["send-keys", "-t", "t", "第二条", "Up"]);
    wait_for(
        "history",
        || {
            screen()
                .lines()
                .filter(|l| l.starts_with("你> 啊亲您好"))
                .count()
                == 2
        },
        screen,
    );
    tmux(&socket, &["send-keys", "-t", "t", "C-c"]);
    wait_for("exit", || dir.join("exit").exists(), screen);
    let shown = screen();
    let _ = tmux(&socket, &["kill-server"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("exit"))
            .unwrap_or_default()
            .trim(),
        "EXIT=0"
    );
    assert!(
        shown.contains("已离开（Ctrl-C），对话未完成，已保存"),
        "{shown}"
    );
    let r = result(&dir).expect("result");
    assert_eq!(r["turns"][0]["reply"], "啊亲您好");
    assert_eq!(r["turns"].as_array().map(Vec::len), Some(1));
    assert_eq!(r["finished"], false);
}
