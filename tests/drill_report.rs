//! Drills, result folders and reports, end to end through the `peilian` binary: a scripted
//! drill for three trainees, CSV / HTML / result-file agreement, corrupt files, HTML escaping,
//! concurrent drills into one folder, plan checking, and `progress`.

use peilian::rubric::CheckId;
use peilian::session::SessionRecord;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_peilian");

const SCARF: &str = r#"(
    id: "hesitant-scarf",
    title: "围巾犹豫",
    brief: "顾客想买围巾又拿不定主意。",
    difficulty: 1,
    persona: (kind: Hesitant, name: "犹豫的小林", mood: (50, 60), patience: (50, 70)),
    shop: (name: "暖冬小铺", product: "羊毛围巾", price: 129.0, lowest_price: 119.0, returns: "七天无理由退换", shipping: "48小时内发货"),
    target_seconds: 60.0,
    start: "open",
    nodes: [
        (
            id: "open",
            lines: ["这条围巾我再考虑一下吧。", "我再看看别家的。"],
            expect: [("greeting", 1), ("politeness", 1), ("empathy", 2)],
            model_answers: ["您好，理解您的顾虑，请问您是自己戴还是送人呢？"],
            next: [(when: Always, goto: "close")],
        ),
        (
            id: "close",
            lines: ["那我先拍下了。", "行，我拍了。"],
            expect: [("closing", 2), ("politeness", 1)],
            model_answers: ["谢谢您的支持，祝您购物愉快，欢迎随时联系我们！"],
            next: [(when: Always, goto: "sale")],
        ),
        (id: "sale", lines: ["好的，谢谢。"], ending: Sale),
    ],
)
"#;

const LATE: &str = r#"(
    id: "complaint-late",
    title: "快递延误投诉",
    brief: "顾客的快递迟迟没到，很着急。",
    difficulty: 2,
    persona: (kind: Complainant, name: "着急的王姐", mood: (20, 40), patience: (30, 50)),
    shop: (name: "暖冬小铺", product: "羊毛围巾", price: 129.0, lowest_price: 119.0, returns: "七天无理由退换", shipping: "48小时内发货"),
    target_seconds: 60.0,
    start: "open",
    nodes: [
        (
            id: "open",
            lines: ["我的快递怎么五天了还没到？", "都五天了，快递还没动静！"],
            expect: [("apology", 2), ("empathy", 2), ("remedy", 2)],
            model_answers: ["非常抱歉让您久等了，理解您着急的心情，我已经帮您联系快递催件了。"],
            next: [(when: Always, goto: "close")],
        ),
        (
            id: "close",
            lines: ["那你们快点吧。"],
            listen: (topics: ["delivery", "follow"]),
            expect: [("follow_up", 2), ("closing", 1)],
            model_answers: ["预计明天下午送到，有消息第一时间通知您，祝您生活愉快！"],
            next: [(when: Always, goto: "done")],
        ),
        (id: "done", lines: ["行吧，等你消息。"], ending: Resolved),
    ],
)
"#;

const PLAN: &str = r#"// A two-step drill for the tests.
DrillPlan(
    name: "onboard",
    title: "入门测试",
    seed: 42,
    mode: Practice,
    scenarios: Fixed(["hesitant-scarf", "complaint-late"]),
    pass_mark: 60,
    attempts: 1,
)
"#;

const DRAW_PLAN: &str = r#"DrillPlan(
    name: "complaints",
    title: "投诉抽题",
    seed: 7,
    mode: Exam,
    scenarios: Draw(from: Persona(Complainant), count: 2),
    target_seconds: 45.0,
    pass_mark: 90,
    attempts: 2,
)
"#;

/// Replies that meet every check of the onboarding drill.
const GOOD: &[&str] = &[
    "您好，理解您的顾虑，请问您是自己戴还是送人呢？",
    "谢谢您的支持，祝您购物愉快，欢迎随时联系我们！",
    "",
    "非常抱歉让您久等了，理解您着急的心情，我已经帮您联系快递催件了。",
    "预计明天下午送到，有消息第一时间通知您，祝您生活愉快！",
];
/// Some right, some wrong.
const MIXED: &[&str] = &[
    "您好，请问您想要什么颜色？",
    "好的，谢谢",
    "不好意思让您久等了，我帮您看看。",
    "明天应该能到，祝您生活愉快！",
];
/// Rude and blaming, with a reply that tries to inject markup.
const BAD: &[&str] = &[
    "不知道，你自己考虑吧。",
    "爱买不买",
    "快递的问题不归我们管",
    "<script>alert(1)</script>快递的事别催",
];

/// A fresh folder for one test.
fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("drill_report")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// A scenarios folder with three scenarios and two drill plans.
fn scenarios(root: &Path) -> PathBuf {
    let s = root.join("scenarios");
    std::fs::create_dir_all(s.join("drills")).expect("mkdir");
    std::fs::write(s.join("hesitant-scarf.ron"), SCARF).expect("write");
    std::fs::write(s.join("complaint-late.ron"), LATE).expect("write");
    let broken = LATE
        .replace("complaint-late", "complaint-broken")
        .replace("快递延误投诉", "收到破损投诉")
        .replace("我的快递怎么五天了还没到？", "杯子收到就是碎的！");
    std::fs::write(s.join("complaint-broken.ron"), broken).expect("write");
    std::fs::write(s.join("drills/onboard.ron"), PLAN).expect("write");
    std::fs::write(s.join("drills/complaints.ron"), DRAW_PLAN).expect("write");
    s
}

fn spawn_drill(scen: &Path, results: &Path, plan: &str, trainee: &str, script: &[&str]) -> Child {
    let mut child = Command::new(BIN)
        .args(["drill", plan, "--trainee", trainee, "--scenarios"])
        .arg(scen)
        .arg("--results")
        .arg(results)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn peilian drill");
    let mut input = child.stdin.take().expect("stdin");
    let mut text = script.join("\n");
    text.push('\n');
    input.write_all(text.as_bytes()).expect("write replies");
    drop(input);
    child
}

fn drill(scen: &Path, results: &Path, plan: &str, trainee: &str, script: &[&str]) -> Output {
    let out = spawn_drill(scen, results, plan, trainee, script)
        .wait_with_output()
        .expect("drill runs");
    assert!(
        out.status.success(),
        "drill failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn peilian(args: &[&str], dirs: &[&Path]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args).env("NO_COLOR", "1");
    for d in dirs {
        c.arg(d);
    }
    c.output().expect("run peilian")
}

fn report(results: &Path, format: &str) -> (String, String) {
    let out = Command::new(BIN)
        .arg("report")
        .arg(results)
        .args(["--format", format])
        .output()
        .expect("report runs");
    assert!(
        out.status.success(),
        "report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("utf-8 report"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every result file in a folder, by file name.
fn result_files(dir: &Path) -> BTreeMap<String, SessionRecord> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).expect("read results") {
        let p = e.expect("entry").path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".tmp"),
            "temporary file left behind: {name}"
        );
        if name.ends_with(".json") {
            let bytes = std::fs::read(&p).expect("read");
            let r: SessionRecord = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
            m.insert(name, r);
        }
    }
    m
}

/// A CSV parser that honours quotes, doubled quotes and line breaks inside quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of `attr="…"` in a tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')? + i;
    Some(unescape(&tag[i..j]))
}

/// Every opening tag in `html` that starts with `prefix`, e.g. `<tr class="session"`.
fn tags<'a>(html: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut v = Vec::new();
    let mut at = 0;
    while let Some(i) = html[at..].find(prefix) {
        let s = at + i;
        let e = html[s..].find('>').map(|j| s + j + 1).unwrap_or(html.len());
        v.push(&html[s..e]);
        at = e;
    }
    v
}

/// (involved, passed) per trainee and check, counted straight from the result files.
fn tallies(files: &BTreeMap<String, SessionRecord>) -> BTreeMap<(String, String), (u32, u32)> {
    let mut m = BTreeMap::new();
    for r in files.values() {
        for c in CheckId::ALL {
            m.entry((r.trainee.clone(), c.as_str().to_string()))
                .or_insert((0, 0));
        }
        for t in &r.turns {
            for c in &t.verdict.checks {
                let e = m
                    .entry((r.trainee.clone(), c.id.as_str().to_string()))
                    .or_insert((0, 0));
                e.0 += 1;
                if c.passed {
                    e.1 += 1;
                }
            }
        }
    }
    m
}

const TRAINEES: [(&str, &[&str]); 3] = [("小王", GOOD), ("李, \"小李\"", MIXED), ("阿强", BAD)];

#[test]
fn three_trainees_report_numbers_agree_with_result_files() {
    let root = tmp("three");
    let scen = scenarios(&root);
    let results = root.join("results");
    for (name, script) in TRAINEES {
        let out = drill(&scen, &results, "onboard", name, script);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("训练小结"),
            "no drill summary for {name}:\n{text}"
        );
        assert!(
            text.contains("通过 ") && text.contains("及格线 60 分"),
            "{text}"
        );
    }
    let files = result_files(&results);
    assert_eq!(
        files.len(),
        6,
        "two sessions per trainee: {:?}",
        files.keys()
    );
    for (name, _) in TRAINEES {
        assert_eq!(
            files.values().filter(|r| r.trainee == name).count(),
            2,
            "{name}"
        );
    }
    // Same plan and seed: every trainee met the same customers.
    for step in [1, 2] {
        let seen: Vec<(String, u64)> = files
            .values()
            .filter(|r| {
                r.drill
                    .as_ref()
                    .is_some_and(|d| d.step == step && d.name == "onboard")
            })
            .map(|r| (r.scenario.id.clone(), r.seed))
            .collect();
        assert_eq!(seen.len(), 3);
        assert!(
            seen.iter().all(|s| *s == seen[0]),
            "step {step} differs: {seen:?}"
        );
    }
    assert!(
        files.values().all(|r| r.finished),
        "every scripted session finishes"
    );
    let good = files
        .values()
        .filter(|r| r.trainee == "小王")
        .map(|r| r.total)
        .min();
    let bad = files
        .values()
        .filter(|r| r.trainee == "阿强")
        .map(|r| r.total)
        .max();
    assert!(
        good > bad,
        "the good script outscores the bad one: {good:?} vs {bad:?}"
    );

    // CSV, one table per file: sessions.csv (one row per session) and checks.csv (one row per
    // trainee × check), each with a BOM and a single header.
    let csv_dir = root.join("csv");
    let (_, err) = report_args(
        &results,
        &["--format", "csv", "--out", csv_dir.to_str().unwrap()],
    );
    assert!(
        err.contains("sessions.csv") && err.contains("checks.csv"),
        "{err}"
    );
    let table = |name: &str| {
        let text = std::fs::read_to_string(csv_dir.join(name)).expect("CSV file written");
        assert!(text.starts_with('\u{FEFF}'), "{name} starts with a BOM");
        let rows = parse_csv(text.trim_start_matches('\u{FEFF}'));
        assert!(
            rows.iter().all(|r| r.len() == rows[0].len()),
            "{name}: one table, every row as wide as the header"
        );
        rows
    };
    let rows = table("sessions.csv");
    let header = &rows[0];
    assert_eq!(header[0], "file");
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("column {n}"))
    };
    let sessions: Vec<&Vec<String>> = rows[1..].iter().collect();
    assert_eq!(sessions.len(), 6);
    let mut csv_totals = BTreeMap::new();
    for r in &sessions {
        let f = &files[&r[col("file")]];
        assert_eq!(r[col("trainee")], f.trainee);
        assert_eq!(r[col("total")], f.total.to_string());
        assert_eq!(r[col("seed")], f.seed.to_string());
        assert_eq!(r[col("turns")], f.turns.len().to_string());
        assert_eq!(r[col("passed")], if f.total >= 60 { "yes" } else { "no" });
        csv_totals.insert(r[col("file")].clone(), r[col("total")].clone());
    }
    let want = tallies(&files);
    let mut csv_checks = BTreeMap::new();
    let rows = table("checks.csv");
    assert_eq!(
        rows[0],
        [
            "trainee",
            "check",
            "label",
            "involved",
            "passed",
            "pass_rate"
        ]
    );
    for r in rows[1..].iter().filter(|r| r[1] != "response_time") {
        let key = (r[0].clone(), r[1].clone());
        let (inv, pass) = want
            .get(&key)
            .unwrap_or_else(|| panic!("unexpected check row {r:?}"));
        assert_eq!(
            (r[3].parse::<u32>().unwrap(), r[4].parse::<u32>().unwrap()),
            (*inv, *pass),
            "{key:?}"
        );
        if *inv > 0 {
            let rate: f64 = r[5].parse().expect("rate");
            assert!(
                (rate - *pass as f64 * 100.0 / *inv as f64).abs() < 0.051,
                "{key:?} rate {rate}"
            );
        } else {
            assert_eq!(r[5], "");
        }
        csv_checks.insert(key, (r[3].clone(), r[4].clone(), r[5].clone()));
    }
    assert_eq!(csv_checks.len(), 3 * CheckId::COUNT);
    // On standard output, one table at a time.
    let (checks_out, _) = report_args(&results, &["--format", "csv", "--table", "checks"]);
    assert_eq!(
        checks_out,
        std::fs::read_to_string(csv_dir.join("checks.csv")).unwrap()
    );

    // HTML: the same session totals and the same per-check numbers.
    let (html, _) = report(&results, "html");
    let html_totals: BTreeMap<String, String> = tags(&html, "<tr class=\"session\"")
        .iter()
        .map(|t| {
            (
                attr(t, "data-file").unwrap(),
                attr(t, "data-total").unwrap(),
            )
        })
        .collect();
    assert_eq!(html_totals, csv_totals);
    let cells = tags(&html, "<td class=\"rate\"")
        .into_iter()
        .chain(tags(&html, "<td class=\"none\""));
    let mut compared = 0;
    for t in cells {
        let check = attr(t, "data-check").unwrap();
        if check == "response_time" {
            continue;
        }
        let key = (attr(t, "data-trainee").unwrap(), check);
        let (inv, pass, rate) = &csv_checks[&key];
        assert_eq!(&attr(t, "data-involved").unwrap(), inv, "{key:?}");
        assert_eq!(&attr(t, "data-passed").unwrap(), pass, "{key:?}");
        if !rate.is_empty() {
            let shown = format!(">{rate}%<");
            assert!(
                html.contains(&format!("{t}{}", &shown[1..])),
                "{key:?} shows {rate}%"
            );
        }
        compared += 1;
    }
    assert!(compared >= 3 * 5, "overview cells compared: {compared}");
    for (name, _) in TRAINEES {
        let esc = name
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;");
        assert!(
            html.contains(&format!("学员：{esc}")),
            "a section for {name}"
        );
    }
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(
        !html.contains(" src=") && !html.contains("<link") && !html.contains("url("),
        "no external resources"
    );
    assert!(!html.contains("<script"), "no scripts at all");

    // Markdown carries the same overview.
    let (md, _) = report(&results, "md");
    assert!(md.contains("| 学员 |"));
    for (name, _) in TRAINEES {
        assert!(md.contains(&name.replace('|', "\\|")), "{name} in md");
    }

    // Filters.
    let (only, _) = report_args(&results, &["--format", "csv", "--trainee", "阿强"]);
    assert_eq!(session_rows(&only), 2);
    let (none, _) = report_args(&results, &["--format", "csv", "--since", "2999-01-01"]);
    assert_eq!(session_rows(&none), 0);
    let (drill_only, _) = report_args(&results, &["--format", "csv", "--drill", "onboard"]);
    assert_eq!(session_rows(&drill_only), 6);
}

/// Data rows in a sessions table (CSV text, header excluded).
fn session_rows(text: &str) -> usize {
    let rows = parse_csv(text.trim_start_matches('\u{FEFF}'));
    assert!(
        rows.is_empty() || rows[0][0] == "file",
        "a sessions table: {rows:?}"
    );
    rows.len().saturating_sub(1)
}

fn report_args(results: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(BIN)
        .arg("report")
        .arg(results)
        .args(args)
        .output()
        .expect("report");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn corrupt_files_are_named_and_skipped() {
    let root = tmp("corrupt");
    let scen = scenarios(&root);
    let results = root.join("results");
    drill(&scen, &results, "onboard", "小王", GOOD);
    let files = result_files(&results);
    let (first, _) = files.iter().next().unwrap();
    let bytes = std::fs::read(results.join(first)).unwrap();
    std::fs::write(results.join("cut-short.json"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(results.join("garbage.json"), b"\x00\xffnot json at all").unwrap();
    std::fs::write(results.join("other.json"), br#"{"hello": "world"}"#).unwrap();

    for format in ["csv", "html", "md"] {
        let (text, err) = report(&results, format);
        for name in ["cut-short.json", "garbage.json", "other.json"] {
            assert!(err.contains(name), "{format}: stderr names {name}: {err}");
        }
        if format == "csv" {
            assert_eq!(session_rows(&text), 2);
        } else {
            assert!(
                text.contains("cut-short.json"),
                "{format} report lists the skipped file"
            );
        }
    }
    let out = Command::new(BIN)
        .args(["progress", "--trainee", "小王", "--results"])
        .arg(&results)
        .arg("--scenarios")
        .arg(&scen)
        .output()
        .unwrap();
    assert!(out.status.success(), "progress survives corrupt files");
}

#[test]
fn what_trainees_type_is_escaped_in_html() {
    let root = tmp("escape");
    let scen = scenarios(&root);
    let results = root.join("results");
    drill(
        &scen,
        &results,
        "onboard",
        "<img src=x onerror=alert(2)>",
        BAD,
    );
    let files = result_files(&results);
    assert!(files.values().any(|r| {
        r.turns
            .iter()
            .any(|t| t.reply == "<script>alert(1)</script>快递的事别催")
    }));
    let (html, _) = report(&results, "html");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the reply shows as text"
    );
    assert!(!html.contains("<script"), "no raw script tag");
    assert!(
        !html.contains("<img"),
        "no raw img tag from the trainee's name"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    let (md, _) = report(&results, "md");
    assert!(!md.contains("<img"), "md escapes markup too");
}

#[test]
fn drills_running_at_once_into_one_folder_lose_nothing() {
    let root = tmp("concurrent");
    let scen = scenarios(&root);
    let results = root.join("results");
    // Four drills at the same moment, two of them by the same trainee.
    let runs = [
        ("小王", GOOD),
        ("小王", MIXED),
        ("阿强", BAD),
        ("小李", MIXED),
    ];
    let children: Vec<Child> = runs
        .iter()
        .map(|(name, script)| spawn_drill(&scen, &results, "onboard", name, script))
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let files = result_files(&results);
    assert_eq!(files.len(), 8, "{:?}", files.keys());
    assert!(files.values().all(|r| r.finished && r.turns.len() == 2));
    assert_eq!(files.values().filter(|r| r.trainee == "小王").count(), 4);
    let (csv, err) = report(&results, "csv");
    assert!(!err.contains("skipped"), "nothing corrupt: {err}");
    assert_eq!(session_rows(csv.trim_start_matches('\u{FEFF}')), 8);
}

#[test]
fn draws_and_retries_reuse_the_same_customers() {
    let root = tmp("draw");
    let scen = scenarios(&root);
    let results = root.join("results");
    // Pass mark 90 with two attempts: the bad script fails and retries each step.
    // Rude but on the customer's subject, so each session ends after two replies (a reply on
    // no subject of the customer's makes them ask again).
    let bad = [
        "快递的事我不知道。",
        "快递等着吧",
        "快递的事我不知道。",
        "快递等着吧",
        "快递的事我不知道。",
        "快递等着吧",
        "快递的事我不知道。",
        "快递等着吧",
    ];
    let out = drill(&scen, &results, "complaints", "阿强", &bad);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("训练未通过"), "{text}");
    drill(&scen, &results, "complaints", "小王", &GOOD[3..]);
    let files = result_files(&results);
    let qiang: Vec<&SessionRecord> = files.values().filter(|r| r.trainee == "阿强").collect();
    assert_eq!(qiang.len(), 4, "two steps × two attempts");
    for step in [1, 2] {
        let tries: Vec<&&SessionRecord> = qiang
            .iter()
            .filter(|r| r.drill.as_ref().unwrap().step == step)
            .collect();
        assert_eq!(tries.len(), 2);
        assert_eq!(
            tries[0].seed, tries[1].seed,
            "a retry meets the same customer"
        );
        assert_eq!(tries[0].scenario.id, tries[1].scenario.id);
        assert!(tries.iter().all(|r| r.scenario.persona_label == "投诉"));
        assert!(tries.iter().all(|r| r.mode == peilian::session::Mode::Exam));
        assert!(tries.iter().all(|r| {
            r.turns
                .iter()
                .all(|t| t.verdict.target_seconds == Some(45.0))
        }));
    }
    let wang = files
        .values()
        .find(|r| {
            r.trainee == "小王"
                && r.drill
                    .as_ref()
                    .is_some_and(|d| d.step == 1 && d.attempt == 1)
        })
        .unwrap();
    let first = qiang
        .iter()
        .find(|r| r.drill.as_ref().unwrap().step == 1)
        .unwrap();
    assert_eq!(
        (&wang.scenario.id, wang.seed),
        (&first.scenario.id, first.seed),
        "same draw for everyone"
    );

    // The plan API the window uses gives the same sessions.
    let rubric = peilian::rubric::Rubric::builtin();
    let (all, problems) = peilian::scenario::load_dir(&scen, &rubric);
    assert!(problems.is_empty(), "{problems:?}");
    let (plans, problems) = peilian::drill::load_plans(&peilian::drill::plans_dir(&scen), &all);
    assert!(problems.is_empty(), "{problems:?}");
    let plan = plans.iter().find(|p| p.name == "complaints").unwrap();
    let steps = peilian::drill::plan_sessions(plan, plan.seed, &all).unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(
        (steps[0].scenario.id.as_str(), steps[0].seed),
        (first.scenario.id.as_str(), first.seed)
    );
    assert_eq!(steps[1].retry(2).drill.attempt, 2);
}

#[test]
fn check_reports_plan_problems_with_places() {
    let root = tmp("check");
    let scen = scenarios(&root);
    let out = peilian(&["check", "--scenarios"], &[&scen, &scen]);
    assert!(
        out.status.success(),
        "fixture plans are clean: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let bad = root.join("bad.ron");
    std::fs::write(
        &bad,
        "DrillPlan(\n    name: \"bad\",\n    title: \"坏计划\",\n    seed: 1,\n    scenarios: Draw(from: Ids([\"complaint-late\", \"no-such\"]), count: 3),\n    pass_mark: 101,\n    attempts: 0,\n)\n",
    )
    .unwrap();
    let out = peilian(&["check", "--scenarios"], &[&scen, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let b = bad.display().to_string();
    for want in [
        format!("{b}:5:50: unknown scenario id `no-such`"),
        format!("{b}:5:63: the draw asks for 3"),
        format!("{b}:6:5: pass_mark must be 0–100"),
        format!("{b}:7:5: attempts must be at least 1"),
    ] {
        assert!(text.contains(&want), "missing `{want}` in:\n{text}");
    }

    let persona = root.join("persona.ron");
    std::fs::write(
        &persona,
        "DrillPlan(name: \"p\", title: \"t\", seed: 1, pass_mark: 60,\n  scenarios: Draw(from: Persona(Grumpy), count: 1))\n",
    )
    .unwrap();
    let out = peilian(&["check", "--scenarios"], &[&scen, &persona]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{}:2:", persona.display())) && text.contains("Grumpy"),
        "{text}"
    );

    let empty = root.join("empty.ron");
    std::fs::write(&empty, "DrillPlan(name: \"e\", title: \"t\", seed: 1, pass_mark: 60, scenarios: Draw(from: Persona(Returner), count: 1))").unwrap();
    let out = peilian(&["check", "--scenarios"], &[&scen, &empty]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no scenario of persona type `Returner`")
    );
}

#[test]
fn progress_names_weakest_checks_scenarios_and_failed_replies() {
    let root = tmp("progress");
    let scen = scenarios(&root);
    let results = root.join("results");
    drill(&scen, &results, "onboard", "阿强", BAD);
    drill(&scen, &results, "onboard", "阿强", MIXED);
    let out = Command::new(BIN)
        .args(["progress", "--trainee", "阿强", "--results"])
        .arg(&results)
        .arg("--scenarios")
        .arg(&scen)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "得分走势",
        "最弱的三项",
        "推荐练习",
        "peilian practice ",
        "错题本",
        "你的回复：",
    ] {
        assert!(text.contains(want), "missing {want}:\n{text}");
    }
    assert!(
        text.contains("建议改为") || text.contains("参考回复"),
        "{text}"
    );
    assert!(
        BAD.iter().any(|b| text.contains(b)),
        "the failed replies are listed:\n{text}"
    );

    let out = Command::new(BIN)
        .args(["progress", "--trainee", "nobody", "--results"])
        .arg(&results)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody"));
}

#[test]
fn shipped_drill_plans_check_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let drills = root.join("scenarios/drills");
    let plans: Vec<PathBuf> = std::fs::read_dir(&drills)
        .expect("scenarios/drills exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    assert!(plans.len() >= 2, "at least two shipped drill plans");
    let mut c = Command::new(BIN);
    c.arg("check")
        .arg("--scenarios")
        .arg(root.join("scenarios"))
        .args(&plans);
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
