//! The window, driven by `--replay` under Xvfb (with Mesa's software Vulkan): a PNG of every
//! screen that is not blank, and a result file that matches a terminal run with the same seed
//! and replies; and a drill plan chosen in the window plays the same sessions, retries and
//! result files as `peilian drill` in the terminal. Skipped, with a note, only when Xvfb is not installed (`.ci/run` installs it).
//! At a laptop's 1024×700 and a desktop's 1920×1080, scripted keys, clicks, the wheel and the
//! system clipboard (text put there by `xclip`) go in through the window's input messages
//! and a probe reports what a trainee would see.
//! `PEILIAN_KEEP_SHOTS=1 cargo test --test window -- --nocapture` keeps the screenshots.

use peilian::drill::{self, PlannedStep};
use peilian::rubric::Rubric;
use peilian::scenario::{self, Scenario};
use peilian::session::{Mode, SessionRecord};
use peilian::sim::{SimDriver, StartSession};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

mod xvfb;
use xvfb::Xvfb;

const BIN: &str = env!("CARGO_BIN_EXE_peilian");
const SEED: u64 = 1;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("peilian-window-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// The first shipped scenario that loads, and its file.
fn shipped_scenario(rubric: &Rubric) -> Scenario {
    let (all, problems) = scenario::load_dir(&root().join("scenarios"), rubric);
    for p in &problems {
        eprintln!("(skipping a scenario that does not load) {p}");
    }
    all.into_iter()
        .next()
        .expect("at least one shipped scenario loads")
}

/// Replies that play a whole conversation: each node's first model answer, except one reply
/// that breaks the rules (so the screenshots show a highlighted violation).
fn script(rubric: &Arc<Rubric>, sc: &Arc<Scenario>) -> Vec<String> {
    let dir = tmp("script");
    let mut sim = SimDriver::new(Arc::clone(rubric), dir.clone());
    sim.start(StartSession {
        scenario: Arc::clone(sc),
        seed: SEED,
        trainee: "script".into(),
        mode: Mode::Practice,
        frontend: "test".into(),
        drill: None,
    });
    let mut replies = Vec::new();
    while let Some(s) = sim.session() {
        if s.is_over() || replies.len() >= 12 {
            break;
        }
        let reply = if replies.len() == 1 {
            "这个我保证明天肯定给您解决，详情页写得很清楚，您自己没看。".to_string()
        } else {
            s.current_node()
                .model_answers
                .first()
                .cloned()
                .unwrap_or_else(|| "您好，请问有什么可以帮您？".into())
        };
        sim.reply(&reply, 1.0);
        replies.push(reply);
    }
    let _ = std::fs::remove_dir_all(dir);
    replies
}

fn only_result(dir: &Path) -> SessionRecord {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("results dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one result file in {}: {files:?}",
        dir.display()
    );
    serde_json::from_slice(&std::fs::read(&files[0]).expect("read result")).expect("a result")
}

/// How `peilian practice` gets its replies: typed on stdin, or as a `--script` file (whose
/// shop placeholders it fills).
#[derive(Clone, Copy)]
enum Feed {
    Stdin,
    Script,
}

fn terminal(sc_path: &Path, replies: &Path, feed: Feed) -> SessionRecord {
    let results = tmp(match feed {
        Feed::Stdin => "terminal",
        Feed::Script => "terminal-script",
    });
    let mut cmd = Command::new(BIN);
    cmd.args([
        "practice",
        &sc_path.to_string_lossy(),
        "--seed",
        &SEED.to_string(),
    ])
    .arg("--results")
    .arg(&results)
    .args(["--trainee", "tester"]);
    match feed {
        Feed::Stdin => cmd.stdin(std::fs::File::open(replies).expect("replies")),
        Feed::Script => cmd.arg("--script").arg(replies),
    };
    let out = cmd.output().expect("run peilian practice");
    assert!(
        out.status.success(),
        "practice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    only_result(&results)
}

fn window(x: &Xvfb, sc_path: &Path, replies: &Path, shots: &Path) -> SessionRecord {
    let results = tmp(&format!(
        "window-{}",
        shots.file_name().unwrap().to_string_lossy()
    ));
    let sc_dir = sc_path.parent().expect("scenario folder");
    run_window(
        x,
        Command::new(BIN)
            .args([
                "window",
                &sc_path.to_string_lossy(),
                "--seed",
                &SEED.to_string(),
            ])
            .arg("--scenarios")
            .arg(sc_dir)
            .arg("--results")
            .arg(&results),
        replies,
        shots,
    );
    only_result(&results)
}

/// Run `peilian window …` on the private display as trainee `tester`, replaying `replies`
/// with screenshots into `shots`; it must succeed.
fn run_window(x: &Xvfb, cmd: &mut Command, replies: &Path, shots: &Path) {
    let out = cmd
        .arg("--replay")
        .arg(replies)
        .arg("--screenshots")
        .arg(shots)
        .args(["--trainee", "tester"])
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run peilian window");
    assert!(
        out.status.success(),
        "window failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| !l.contains("ICU4X"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Same turns, scores, verdicts, path and outcome; times and front end may differ.
fn assert_same_session(term: &SessionRecord, win: &SessionRecord) {
    assert_eq!(win.frontend, "window");
    assert_eq!(term.seed, win.seed);
    assert_eq!(term.scenario, win.scenario);
    assert_eq!(term.temperament, win.temperament);
    assert_eq!(term.turns.len(), win.turns.len(), "number of turns");
    for (a, b) in term.turns.iter().zip(&win.turns) {
        assert_eq!(a.index, b.index);
        assert_eq!(a.node, b.node, "node of turn {}", a.index);
        assert_eq!(a.customer, b.customer, "customer line of turn {}", a.index);
        assert_eq!(a.reply, b.reply, "reply of turn {}", a.index);
        assert_eq!(a.score, b.score, "score of turn {}", a.index);
        assert_eq!(
            (a.mood_before, a.mood_after),
            (b.mood_before, b.mood_after),
            "mood of turn {}",
            a.index
        );
        type Verdicts = Vec<(String, bool, Vec<(usize, usize)>)>;
        let checks = |r: &SessionRecord, i: usize| -> Verdicts {
            r.turns[i]
                .verdict
                .checks
                .iter()
                .map(|c| {
                    (
                        c.id.to_string(),
                        c.passed,
                        c.evidence.iter().map(|e| (e.start, e.end)).collect(),
                    )
                })
                .collect()
        };
        assert_eq!(
            checks(term, a.index - 1),
            checks(win, b.index - 1),
            "verdicts of turn {}",
            a.index
        );
    }
    assert_eq!(term.finished, win.finished, "finished");
    assert_eq!(term.outcome, win.outcome, "outcome");
    assert_eq!(term.ending_line, win.ending_line, "ending line");
    assert_eq!(term.pending_line, win.pending_line, "line left waiting");
    assert_eq!(term.total, win.total, "total");
    assert_eq!(term.rank, win.rank, "rank");
}

/// The PNG exists, is the window's size, and shows more than a blank screen.
fn assert_not_blank(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let img = bevy::image::Image::from_buffer(
        &bytes,
        bevy::image::ImageType::Extension("png"),
        bevy::image::CompressedImageFormats::NONE,
        true,
        bevy::image::ImageSampler::Default,
        bevy::asset::RenderAssetUsages::default(),
    )
    .unwrap_or_else(|e| panic!("{} is not a PNG: {e:?}", path.display()));
    let rgb = img
        .try_into_dynamic()
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .to_rgb8();
    assert!(
        rgb.width() >= 800 && rgb.height() >= 600,
        "{} is {}x{}",
        path.display(),
        rgb.width(),
        rgb.height()
    );
    let mut counts = std::collections::HashMap::new();
    for p in rgb.pixels() {
        *counts.entry(p.0).or_insert(0usize) += 1;
    }
    let total = (rgb.width() * rgb.height()) as usize;
    let top = counts.values().copied().max().unwrap_or(0);
    assert!(
        counts.len() > 50,
        "{} has only {} colours",
        path.display(),
        counts.len()
    );
    assert!(
        top * 100 < total * 95,
        "{} is almost one colour",
        path.display()
    );
}

fn shots_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("screenshot dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".png"))
        .collect();
    v.sort();
    v
}

#[test]
fn replay_through_the_window_matches_the_terminal() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let rubric = Arc::new(Rubric::builtin());
    let sc = Arc::new(shipped_scenario(&rubric));
    let replies = script(&rubric, &sc);
    assert!(!replies.is_empty());
    let work = tmp("work");
    let replies_file = work.join("replies.txt");
    std::fs::write(&replies_file, replies.join("\n") + "\n").expect("write replies");

    // A whole conversation.
    let term = terminal(&sc.source, &replies_file, Feed::Stdin);
    let shots = work.join("shots");
    let win = window(&x, &sc.source, &replies_file, &shots);
    assert_same_session(&term, &win);
    assert!(win.finished, "the script plays the conversation to its end");

    let names = shots_in(&shots);
    println!("screenshots in {}: {names:?}", shots.display());
    let has = |suffix: &str| names.iter().any(|n| n.ends_with(suffix));
    assert!(has("-picker.png"), "picker screenshot: {names:?}");
    assert!(has("-chat-start.png"), "chat start screenshot: {names:?}");
    for i in 1..=win.turns.len() {
        assert!(
            has(&format!("-chat-reply-{i}.png")),
            "chat after reply {i}: {names:?}"
        );
    }
    assert!(has("-report.png"), "report screenshot: {names:?}");
    assert_eq!(names.len(), win.turns.len() + 3, "{names:?}");
    for n in &names {
        assert_not_blank(&shots.join(n));
    }

    // Out of replies halfway: the transcript so far is kept and marked unfinished.
    let half = work.join("half.txt");
    std::fs::write(&half, replies[..1].join("\n") + "\n").expect("write replies");
    let term = terminal(&sc.source, &half, Feed::Stdin);
    let win = window(&x, &sc.source, &half, &work.join("half-shots"));
    assert!(!win.finished && win.outcome.is_none() && win.turns.len() == 1);
    assert_same_session(&term, &win);
    if std::env::var_os("PEILIAN_KEEP_SHOTS").is_some() {
        println!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(work);
    }
}

/// A replay script with shop placeholders ({part_days}, {install_days}…), as the scenario's good
/// script is written, plays in the window exactly as `practice --script` plays it: the
/// placeholders are filled from the shop before the reply is typed.
#[test]
fn a_replay_with_shop_placeholders_plays_as_the_terminal_script_does() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let sc_path = root().join("scenarios/after-sofa-delivery.ron");
    let script_path = root().join("tests/scripts/after-sofa-delivery.good.txt");
    let text = std::fs::read_to_string(&script_path).expect("read the good script");
    assert!(text.contains('{'), "the script uses shop placeholders");

    let term = terminal(&sc_path, &script_path, Feed::Script);
    let win = window(
        &x,
        &sc_path,
        &script_path,
        &tmp("placeholders").join("shots"),
    );
    assert_same_session(&term, &win);
    assert!(
        win.finished,
        "the good script plays the conversation to its end"
    );
    for t in &win.turns {
        assert!(!t.reply.contains('{'), "turn {}: 「{}」", t.index, t.reply);
    }
}

/// Play one planned drill session in the simulation: `reply` gives the reply for turn `i`
/// (from 0) at the current node, or None for the node's first model answer.
fn play_step(
    rubric: &Arc<Rubric>,
    step: &PlannedStep,
    reply: impl Fn(usize) -> Option<String>,
) -> (Vec<String>, SessionRecord) {
    let dir = tmp(&format!("step-{}-{}", step.drill.step, step.drill.attempt));
    let mut sim = SimDriver::new(Arc::clone(rubric), dir.clone());
    sim.start(StartSession {
        scenario: Arc::clone(&step.scenario),
        seed: step.seed,
        trainee: "script".into(),
        mode: step.mode,
        frontend: "test".into(),
        drill: Some(step.drill.clone()),
    });
    let mut replies = Vec::new();
    while let Some(s) = sim.session() {
        if s.is_over() || replies.len() >= 12 {
            break;
        }
        let text = reply(replies.len()).unwrap_or_else(|| {
            s.current_node()
                .model_answers
                .first()
                .cloned()
                .unwrap_or_else(|| "您好，请问有什么可以帮您？".into())
        });
        sim.reply(&text, 1.0);
        replies.push(text);
    }
    let record = sim.session().expect("a session").record.clone();
    let _ = std::fs::remove_dir_all(dir);
    (replies, record)
}

/// Every result file in `dir`, ordered by drill step and attempt.
fn drill_results(dir: &Path) -> Vec<SessionRecord> {
    let mut v: Vec<SessionRecord> = std::fs::read_dir(dir)
        .expect("results dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("a result"))
        .collect();
    v.sort_by_key(|r| r.drill.as_ref().map(|d| (d.step, d.attempt)));
    v
}

#[test]
fn a_drill_chosen_in_the_window_plays_like_the_terminal_drill() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let rubric = Arc::new(Rubric::builtin());
    // A scenario folder with two shipped scenarios and a two-step plan that allows a retry.
    let work = tmp("drill");
    let sc_dir = work.join("scenarios");
    std::fs::create_dir_all(sc_dir.join("drills")).expect("drills dir");
    let (shipped, _) = scenario::load_dir(&root().join("scenarios"), &rubric);
    let picked: Vec<&Scenario> = shipped.iter().take(2).collect();
    assert_eq!(picked.len(), 2, "two shipped scenarios load");
    for sc in &picked {
        std::fs::copy(
            &sc.source,
            sc_dir.join(sc.source.file_name().expect("file name")),
        )
        .expect("copy scenario");
    }
    let plan_src = format!(
        r#"DrillPlan(
    name: "window-test",
    title: "窗口测试训练",
    about: "两关，每关两次机会。",
    seed: 4242,
    mode: Practice,
    scenarios: Fixed(["{}", "{}"]),
    target_seconds: 120.0,
    pass_mark: 60,
    attempts: 2,
)
"#,
        picked[0].id, picked[1].id
    );
    std::fs::write(sc_dir.join("drills").join("window-test.ron"), plan_src).expect("plan");
    let (scenarios, problems) = scenario::load_dir(&sc_dir, &rubric);
    assert!(problems.is_empty(), "{problems:?}");
    let plan = drill::resolve("window-test", &sc_dir, &scenarios).expect("plan loads");
    let steps = drill::plan_sessions(&plan, plan.seed, &scenarios).expect("plan sessions");

    // Step 1 fails first (curt replies), then passes on the retry; step 2 passes.
    let (fail, failed) = play_step(&rubric, &steps[0], |_| Some("哦，你自己看详情页。".into()));
    assert!(
        !plan.passes(&failed),
        "the curt script must fail step 1 (total {})",
        failed.total
    );
    let (pass1, passed1) = play_step(&rubric, &steps[0].retry(2), |_| None);
    let (pass2, passed2) = play_step(&rubric, &steps[1], |_| None);
    assert!(
        plan.passes(&passed1) && plan.passes(&passed2),
        "model answers pass ({} and {})",
        passed1.total,
        passed2.total
    );
    let all: Vec<String> = [fail, pass1, pass2].concat();
    let replies = work.join("replies.txt");
    std::fs::write(&replies, all.join("\n") + "\n").expect("write replies");

    // The terminal drill.
    let term_results = work.join("term-results");
    let out = Command::new(BIN)
        .args(["drill", "window-test", "--trainee", "tester"])
        .arg("--scenarios")
        .arg(&sc_dir)
        .arg("--results")
        .arg(&term_results)
        .stdin(std::fs::File::open(&replies).expect("replies"))
        .output()
        .expect("run peilian drill");
    assert!(
        out.status.success(),
        "drill failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The same drill, started in the window.
    let win_results = work.join("win-results");
    let shots = work.join("shots");
    run_window(
        &x,
        Command::new(BIN)
            .args(["window", "--drill", "window-test"])
            .arg("--scenarios")
            .arg(&sc_dir)
            .arg("--results")
            .arg(&win_results),
        &replies,
        &shots,
    );

    let term = drill_results(&term_results);
    let win = drill_results(&win_results);
    let steps_of = |v: &[SessionRecord]| -> Vec<(String, usize, u32, u64)> {
        v.iter()
            .map(|r| {
                let d = r.drill.as_ref().expect("a drill session");
                (d.name.clone(), d.step, d.attempt, r.seed)
            })
            .collect()
    };
    let expected = vec![
        ("window-test".to_string(), 1, 1, steps[0].seed),
        ("window-test".to_string(), 1, 2, steps[0].seed),
        ("window-test".to_string(), 2, 1, steps[1].seed),
    ];
    assert_eq!(steps_of(&term), expected, "terminal drill sessions");
    assert_eq!(steps_of(&win), expected, "window drill sessions");
    for (t, w) in term.iter().zip(&win) {
        assert_eq!(w.trainee, "tester");
        assert_eq!(w.mode, Mode::Practice);
        assert_eq!(
            w.drill.as_ref().and_then(|d| d.pass_mark),
            Some(plan.pass_mark)
        );
        assert_same_session(t, w);
    }
    assert_eq!(
        win.iter().map(|r| plan.passes(r)).collect::<Vec<_>>(),
        vec![false, true, true]
    );

    // A screenshot of every screen, none blank: the picker, and per session the chat and
    // the report with the drill's card.
    let names = shots_in(&shots);
    println!("screenshots in {}: {names:?}", shots.display());
    assert!(names[0].ends_with("-picker.png"), "{names:?}");
    let count = |suffix: &str| names.iter().filter(|n| n.ends_with(suffix)).count();
    assert_eq!(count("-chat-start.png"), 3, "{names:?}");
    assert_eq!(count("-report.png"), 3, "{names:?}");
    assert_eq!(
        names.len(),
        1 + 3 * 2 + all.len(),
        "picker, 3 × (chat start, report), one per reply: {names:?}"
    );
    for n in &names {
        assert_not_blank(&shots.join(n));
    }
    if std::env::var_os("PEILIAN_KEEP_SHOTS").is_some() {
        println!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(work);
    }
}

/// What `#!probe` printed: the screen, what has the keyboard, the reply box, the leave
/// dialog, and the named elements wholly on screen.
#[derive(Debug, Default, Clone)]
struct Seen {
    screen: String,
    focus: String,
    reply: String,
    dialog: bool,
    visible: Vec<String>,
    /// How far each named scrolling list is scrolled, in logical pixels.
    scrolled: Vec<(String, f32)>,
}

impl Seen {
    fn sees(&self, name: &str) -> bool {
        self.visible.iter().any(|v| v == name)
    }

    fn scrolled(&self, name: &str) -> f32 {
        self.scrolled
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, y)| *y)
            .unwrap_or_else(|| panic!("no scrolling list {name}: {self:?}"))
    }
}

fn probes(stdout: &str) -> Vec<Seen> {
    let mut out: Vec<Seen> = Vec::new();
    for line in stdout.lines() {
        let Some(kv) = line.strip_prefix("peilian-probe: ") else {
            continue;
        };
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "screen" => out.push(Seen {
                screen: v.to_string(),
                ..Seen::default()
            }),
            "error" => panic!("a scripted action failed: {v}"),
            _ => {
                let last = out.last_mut().expect("screen= starts a probe");
                match k {
                    "focus" => last.focus = v.to_string(),
                    "reply" => last.reply = v.to_string(),
                    "leave-dialog" => last.dialog = v == "true",
                    "scrolled" => {
                        last.scrolled = v
                            .split(',')
                            .filter_map(|x| x.split_once(':'))
                            .map(|(n, y)| (n.to_string(), y.parse().expect("a scroll position")))
                            .collect()
                    }
                    "visible" => {
                        last.visible = v
                            .split(',')
                            .filter(|x| !x.is_empty())
                            .map(String::from)
                            .collect()
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Puts `text` on the X clipboard of `display` for as long as it lives.
struct Xclip(Child);

impl Xclip {
    fn offer(display: &str, text: &str) -> Option<Xclip> {
        use std::io::Write;
        let mut child = match Command::new("xclip")
            .args(["-selection", "clipboard", "-quiet"])
            .env("DISPLAY", display)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("cannot start xclip: {e}"),
        };
        child
            .stdin
            .take()
            .expect("xclip stdin")
            .write_all(text.as_bytes())
            .expect("write to xclip");
        // xclip owns the selection once it has read its input.
        std::thread::sleep(std::time::Duration::from_millis(300));
        Some(Xclip(child))
    }
}

impl Drop for Xclip {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// At 1024×700 and 1920×1080: every scenario card can be reached by the wheel and by Tab
/// (the focused card is always wholly on screen, and a screenshot shows the last one); the
/// reply timer is in view; Esc with a draft asks first and the draft survives staying; Chinese
/// text put on the clipboard by `xclip` is pasted by Ctrl+V and by Shift+Insert; after a mouse
/// send the keyboard is still in the reply box; the 表情 row inserts [微笑].
#[test]
fn laptop_and_desktop_sizes_keep_everything_reachable() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    const CLIP: &str = "亲，您好！这段话是从别的程序里复制的。";
    if Command::new("xclip").arg("-version").output().is_err() {
        println!("SKIPPED: xclip is not installed (apt-get install xclip; .ci/run does)");
        return;
    }
    let rubric = Rubric::builtin();
    let (shipped, _) = scenario::load_dir(&root().join("scenarios"), &rubric);
    let last = shipped.len() - 1;
    assert!(last >= 4, "enough scenarios to need scrolling");
    let work = tmp("sizes");
    // A screenshot asked for first lands in the picker's own screenshot frame: it is taken a
    // frame later, not skipped (a skipped one left the replay waiting for it).
    let mut script = vec![
        "#!shot picker-first".to_string(),
        "#!probe".into(),
        "#!wheel cards 60".into(),
        "#!probe".into(),
    ];
    script.push("#!shot cards-by-wheel".into());
    script.push("#!wheel cards -60".into());
    // From the first card, Tab walks the cards in order.
    for _ in 0..last {
        script.push("#!key Tab".into());
        script.push("#!probe".into());
    }
    script.push("#!shot cards-by-tab".into());
    for line in [
        "#!start",
        "#!probe",
        "#!shot chat",
        // Shift+Tab from the reply box skips the closed 表情 row; Tab comes back.
        "#!key shift+Tab",
        "#!probe",
        "#!key Tab",
        "#!probe",
        "#!type 草稿还没发",
        "#!key Escape",
        "#!probe",
        "#!shot leave-dialog",
        "#!key Escape",
        "#!probe",
        "#!key ctrl+a",
        "#!key ctrl+v",
        "#!probe",
        "#!key shift+Insert",
        "#!probe",
        "#!click send",
        "#!probe",
        "#!shot after-mouse-send",
        "#!click emoji",
        "#!click emoji-0",
        "#!probe",
        // 复制 under the model answer, then time for the test to read the clipboard.
        "#!wheel coach 60",
        "#!click copy-model",
        "#!shot copied",
        "#!shot still-running-1",
        "#!shot still-running-2",
        "#!shot still-running-3",
    ] {
        script.push(line.into());
    }
    let replies = work.join("actions.txt");
    std::fs::write(&replies, script.join("\n") + "\n").expect("write script");

    for size in ["1024x700", "1920x1080"] {
        // Afresh for each run: the window's 复制 takes the clipboard over.
        let _clip = Xclip::offer(&x.display, CLIP).expect("xclip");
        let shots = work.join(size);
        let results = work.join(format!("results-{size}"));
        // A patient customer (the first card may be one who walks out on a pasted reply).
        let mut child = Command::new(BIN)
            .args([
                "window",
                "hesitant-dress",
                "--seed",
                "1",
                "--trainee",
                "tester",
            ])
            .arg("--scenarios")
            .arg(root().join("scenarios"))
            .arg("--results")
            .arg(&results)
            .arg("--replay")
            .arg(&replies)
            .arg("--screenshots")
            .arg(&shots)
            .env("DISPLAY", &x.display)
            .env("PEILIAN_WINDOW_SIZE", size)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(work.join(format!("stderr-{size}.txt"))).expect("log"))
            .spawn()
            .expect("run peilian window");
        // While it runs, read the clipboard as another program would: the first text that is
        // not ours is what the window copied.
        let mut copied = None;
        while let Ok(None) = child.try_wait() {
            if copied.is_none() {
                let o = Command::new("xclip")
                    .args(["-o", "-selection", "clipboard"])
                    .env("DISPLAY", &x.display)
                    .stderr(Stdio::null())
                    .output()
                    .expect("run xclip -o");
                let text = String::from_utf8_lossy(&o.stdout).into_owned();
                if o.status.success() && !text.is_empty() && text != CLIP {
                    copied = Some(text);
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let out = child.wait_with_output().expect("window output");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "window at {size} failed ({}):\n{stdout}\n(stderr in {})",
            out.status,
            work.display()
        );
        let seen = probes(&stdout);
        assert_eq!(
            seen.len(),
            2 + last + 9,
            "{size}: one probe per #!probe:\n{stdout}"
        );
        let card = |i: usize| format!("card-{i}");

        // The wheel brings the last card wholly into view.
        assert_eq!(seen[0].screen, "Picker");
        assert!(seen[0].sees(&card(0)), "{size}: {:?}", seen[0]);
        assert!(
            seen[1].sees(&card(last)),
            "{size}, after the wheel: {:?}",
            seen[1]
        );
        if size == "1024x700" {
            assert!(
                !seen[0].sees(&card(last)),
                "at 1024×700 the grid must scroll to show the last card"
            );
        }

        // Tab: each card in turn has the keyboard and is wholly on screen.
        for (n, s) in seen[2..2 + last].iter().enumerate() {
            assert_eq!(s.focus, card(n + 1), "{size}: Tab number {}", n + 1);
            assert!(
                s.sees(&s.focus),
                "{size}: focused {} is off screen: {s:?}",
                s.focus
            );
        }

        // The chat: the reply box has the keyboard, the reply timer is in view.
        let chat = &seen[2 + last];
        assert_eq!(chat.screen, "Chat");
        assert_eq!(chat.focus, "reply");
        assert!(
            chat.sees("timer") && chat.sees("reply") && chat.sees("send"),
            "{size}: {chat:?}"
        );

        // Hidden controls are out of the Tab order.
        assert_eq!(
            seen[3 + last].focus,
            "emoji",
            "{size}: Shift+Tab from the reply box"
        );
        assert_eq!(seen[4 + last].focus, "reply", "{size}: Tab back");
        let seen = [&seen[..3 + last], &seen[5 + last..]].concat();
        // Esc with a draft asks first; Esc again stays, with the draft.
        let asked = &seen[3 + last];
        assert!(
            asked.dialog && asked.screen == "Chat",
            "{size}: Esc left without asking: {asked:?}"
        );
        assert_eq!(asked.reply, "草稿还没发");
        let stayed = &seen[4 + last];
        assert!(
            !stayed.dialog && stayed.screen == "Chat",
            "{size}: {stayed:?}"
        );
        assert_eq!(
            (stayed.reply.as_str(), stayed.focus.as_str()),
            ("草稿还没发", "reply")
        );

        // The clipboard of other programs: Ctrl+V replaces the selected draft, Shift+Insert
        // pastes again at the cursor.
        assert_eq!(seen[5 + last].reply, CLIP, "{size}: Ctrl+V");
        assert_eq!(
            seen[6 + last].reply,
            format!("{CLIP}{CLIP}"),
            "{size}: Shift+Insert"
        );

        // A mouse send: the box is empty and still has the keyboard.
        let sent = &seen[7 + last];
        assert_eq!(
            (sent.reply.as_str(), sent.focus.as_str()),
            ("", "reply"),
            "{size}: {sent:?}"
        );
        // The 表情 row inserts the platform's text code, and the keyboard stays in the box.
        let emoji = &seen[8 + last];
        assert_eq!(
            (emoji.reply.as_str(), emoji.focus.as_str()),
            ("[微笑]", "reply")
        );
        let record = only_result(&results);
        assert_eq!(record.turns.len(), 1, "{size}: the pasted reply was sent");
        assert_eq!(record.turns[0].reply, format!("{CLIP}{CLIP}"));
        // 复制 put the model answer on the system clipboard, where xclip read it.
        let model = record.turns[0].verdict.closest_answer.clone();
        assert!(model.is_some(), "{size}: a weak reply shows a model answer");
        assert_eq!(
            copied, model,
            "{size}: what another program pastes after 复制"
        );

        let names = shots_in(&shots);
        for want in [
            "-picker-first.png",
            "-cards-by-wheel.png",
            "-cards-by-tab.png",
            "-leave-dialog.png",
            "-after-mouse-send.png",
        ] {
            assert!(
                names.iter().any(|n| n.ends_with(want)),
                "{size}: {want} in {names:?}"
            );
        }
        for n in &names {
            assert_not_blank(&shots.join(n));
        }
    }
    if std::env::var_os("PEILIAN_KEEP_SHOTS").is_some() {
        println!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(work);
    }
}

/// At 1024×700 every scrolling list has a scrollbar that the mouse can drag: dragging the
/// scenario grid's thumb to the bottom brings the last card wholly into view and dragging it
/// back shows the first; a click on the track below the thumb pages down; in the chat, the
/// coach's thumb dragged down brings the model answer's 复制 into view; the chat, which follows
/// its last message, scrolls to the top when its thumb is dragged up. A drag never takes the
/// keyboard away (the reply box keeps it).
#[test]
fn scrollbar_thumbs_drag_the_lists() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let rubric = Rubric::builtin();
    let (shipped, _) = scenario::load_dir(&root().join("scenarios"), &rubric);
    let last = shipped.len() - 1;
    let work = tmp("drag");
    let script = [
        "#!probe",
        "#!drag cards-thumb 0 2000",
        "#!probe",
        "#!shot cards-by-drag",
        "#!drag cards-thumb 0 -2000",
        "#!probe",
        "#!click cards-scrollbar",
        "#!probe",
        "#!start",
        "好的",
        "#!probe",
        "#!drag coach-thumb 0 1000",
        "#!probe",
        "#!shot coach-by-drag",
        // Two long replies: the conversation outgrows its list, which follows its end.
        "在的亲，M码现在有货的，这款连衣裙是碎花雪纺面料，轻薄透气，夏天穿很舒服。方便说一下您的身高体重吗？我帮您看看哪个码更合身。",
        "好的亲，您这个身高体重穿M码正合适，腰身是收腰设计，显瘦不显胖。颜色有蓝色碎花和米白碎花两种，您更喜欢哪一种呢？",
        "#!probe",
        "#!drag messages-thumb 0 -1000",
        "#!probe",
        "#!shot messages-by-drag",
    ];
    let replies = work.join("actions.txt");
    std::fs::write(&replies, script.join("\n") + "\n").expect("write script");
    let shots = work.join("shots");
    let out = Command::new(BIN)
        .args([
            "window",
            "hesitant-dress",
            "--seed",
            "1",
            "--trainee",
            "tester",
        ])
        .arg("--scenarios")
        .arg(root().join("scenarios"))
        .arg("--results")
        .arg(work.join("results"))
        .arg("--replay")
        .arg(&replies)
        .arg("--screenshots")
        .arg(&shots)
        .env("DISPLAY", &x.display)
        .env("PEILIAN_WINDOW_SIZE", "1024x700")
        .env_remove("WAYLAND_DISPLAY")
        .stderr(std::fs::File::create(work.join("stderr.txt")).expect("log"))
        .output()
        .expect("run peilian window");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "window failed ({}):\n{stdout}\n(stderr in {})",
        out.status,
        work.display()
    );
    let seen = probes(&stdout);
    assert_eq!(seen.len(), 8, "one probe per #!probe:\n{stdout}");
    let card = |i: usize| format!("card-{i}");

    let top = &seen[0];
    assert!(
        top.sees("cards-thumb") && top.sees(&card(0)) && !top.sees(&card(last)),
        "the grid starts at the top with its thumb shown: {top:?}"
    );
    let dragged = &seen[1];
    assert!(
        dragged.sees(&card(last)) && !dragged.sees(&card(0)),
        "dragging the thumb down shows the last card: {dragged:?}"
    );
    assert_eq!(
        dragged.focus, top.focus,
        "a drag leaves the keyboard where it was"
    );
    let back = &seen[2];
    assert!(
        back.sees(&card(0)) && !back.sees(&card(last)),
        "dragging it back shows the first: {back:?}"
    );
    let paged = &seen[3];
    assert!(
        !paged.sees(&card(0)),
        "a click on the track below the thumb pages down: {paged:?}"
    );

    let chat = &seen[4];
    assert_eq!(chat.screen, "Chat");
    assert!(
        chat.sees("coach-thumb") && !chat.sees("copy-model"),
        "the coach after a weak reply is taller than its panel: {chat:?}"
    );
    let coached = &seen[5];
    assert!(
        coached.sees("copy-model"),
        "dragging the coach's thumb down shows the model answer: {coached:?}"
    );
    assert_eq!(
        (chat.focus.as_str(), coached.focus.as_str()),
        ("reply", "reply"),
        "the keyboard stays in the reply box while the coach is scrolled"
    );
    // The chat follows its end; its thumb dragged up from there goes to the top.
    let (end, up) = (&seen[6], &seen[7]);
    assert!(
        up.screen == "Chat" && end.scrolled("messages") > 0.0,
        "the conversation outgrew its list: {end:?}"
    );
    assert_eq!(up.scrolled("messages"), 0.0, "{up:?}");
    assert_eq!(up.focus, "reply");
    let names = shots_in(&shots);
    assert!(
        names.iter().any(|n| n.ends_with("-cards-by-drag.png")),
        "{names:?}"
    );
    for n in &names {
        assert_not_blank(&shots.join(n));
    }
    if std::env::var_os("PEILIAN_KEEP_SHOTS").is_some() {
        println!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(work);
    }
}

/// With no scenario named, the window opens before the scenario folder is read (the picker
/// says 正在读取场景…) and fills the picker when the folder has been read on the task pool:
/// the first frame comes first, the replay waits for the cards, the first card has the
/// keyboard, Tab moves on to the second, and the first scenario is played from the picker.
#[test]
fn the_picker_opens_first_and_fills_in_when_the_scenarios_are_read() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let work = tmp("deferred");
    let replies = work.join("actions.txt");
    std::fs::write(
        &replies,
        "#!probe\n#!key Tab\n#!probe\n#!start\n您好，请问有什么可以帮您？\n",
    )
    .expect("write script");
    let shots = work.join("shots");
    let out = Command::new(BIN)
        .args(["window", "--seed", "1", "--trainee", "tester"])
        .arg("--scenarios")
        .arg(root().join("scenarios"))
        .arg("--results")
        .arg(work.join("results"))
        .arg("--replay")
        .arg(&replies)
        .arg("--screenshots")
        .arg(&shots)
        .env("DISPLAY", &x.display)
        .env("PEILIAN_WINDOW_SIZE", "1024x700")
        .env("PEILIAN_TRACE", "1")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run peilian window");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "window failed:\n{stdout}\n{stderr}");
    let seen = probes(&stdout);
    assert_eq!(seen.len(), 2, "{stdout}");
    assert_eq!(seen[0].screen, "Picker");
    assert!(
        seen[0].sees("card-0") && !seen[0].sees("loading"),
        "the cards are there: {:?}",
        seen[0]
    );
    assert_eq!(seen[0].focus, "card-0", "the first card has the keyboard");
    assert_eq!(seen[1].focus, "card-1", "Tab moves to the second card");
    // Both timings are printed; the folder is read after the first frame.
    let ms = |key: &str| -> f64 {
        stderr
            .lines()
            .find_map(|l| l.strip_prefix(&format!("peilian-trace: {key}=")))
            .unwrap_or_else(|| panic!("no {key} in:\n{stderr}"))
            .parse()
            .expect("milliseconds")
    };
    assert!(ms("first_frame_ms") <= ms("scenarios_on_screen_ms"));
    // The first scenario in the folder was played from the picker.
    let results: Vec<_> = std::fs::read_dir(work.join("results"))
        .expect("results")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(results.len(), 1);
    for n in shots_in(&shots) {
        assert_not_blank(&shots.join(n));
    }
    if std::env::var_os("PEILIAN_KEEP_SHOTS").is_some() {
        println!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(work);
    }
}
