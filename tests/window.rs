//! The window, driven by `--replay` under Xvfb (with Mesa's software Vulkan): a PNG of every
//! screen that is not blank, and a result file that matches a terminal run with the same seed
//! and replies; and a drill plan chosen in the window plays the same sessions, retries and
//! result files as `peilian drill` in the terminal. Skipped, with a note, only when Xvfb is not installed (`.ci/run` installs it).
//! `PEILIAN_KEEP_SHOTS=1 cargo test --test window -- --nocapture` keeps the screenshots.

use peilian::drill::{self, PlannedStep};
use peilian::rubric::Rubric;
use peilian::scenario::{self, Scenario};
use peilian::session::{Mode, SessionRecord};
use peilian::sim::{SimDriver, StartSession};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

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

/// A private X server; killed on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Option<Xvfb> {
        // -displayfd: Xvfb picks a free display and prints its number once it is ready.
        let mut child = match Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("cannot start Xvfb: {e}"),
        };
        let mut line = String::new();
        let out = child.stdout.take().expect("Xvfb stdout");
        BufReader::new(out)
            .read_line(&mut line)
            .expect("Xvfb display number");
        let n = line.trim();
        assert!(!n.is_empty(), "Xvfb did not report a display");
        Some(Xvfb {
            display: format!(":{n}"),
            child,
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

fn terminal(sc_path: &Path, replies: &Path) -> SessionRecord {
    let results = tmp("terminal");
    let out = Command::new(BIN)
        .args([
            "practice",
            &sc_path.to_string_lossy(),
            "--seed",
            &SEED.to_string(),
        ])
        .arg("--results")
        .arg(&results)
        .args(["--trainee", "tester"])
        .stdin(std::fs::File::open(replies).expect("replies"))
        .output()
        .expect("run peilian practice");
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
    let Some(x) = Xvfb::start() else {
        println!(
            "SKIPPED: Xvfb is not installed (apt-get install xvfb mesa-vulkan-drivers; .ci/run does)"
        );
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
    let term = terminal(&sc.source, &replies_file);
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
    let term = terminal(&sc.source, &half);
    let win = window(&x, &sc.source, &half, &work.join("half-shots"));
    assert!(!win.finished && win.outcome.is_none() && win.turns.len() == 1);
    assert_same_session(&term, &win);
    if std::env::var_os("PEILIAN_KEEP_SHOTS").is_some() {
        println!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(work);
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
    let Some(x) = Xvfb::start() else {
        println!(
            "SKIPPED: Xvfb is not installed (apt-get install xvfb mesa-vulkan-drivers; .ci/run does)"
        );
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
