//! `peilian score`: JSON Lines in, JSON Lines out, streaming; and `peilian bench`.

use super::{BenchArgs, ScoreArgs, load_rubric, scenario_dir};
use crate::rubric::{CheckId, Detection, Policy, Rubric, Scratch, TurnSpec};
use crate::scenario::{self, Scenario};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Deserialize)]
struct InLine<'a> {
    #[serde(default, borrow)]
    id: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow)]
    reply: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    node: Option<String>,
}

#[derive(Serialize)]
struct ErrLine<'a> {
    id: Option<&'a serde_json::value::RawValue>,
    error: String,
}

/// Scores a stream. Keeps loaded scenarios; reuses every buffer.
pub struct Scorer<'r> {
    rubric: &'r Rubric,
    dir: std::path::PathBuf,
    scenarios: HashMap<String, Option<Scenario>>,
    scratch: Scratch,
    det: Detection,
}

impl<'r> Scorer<'r> {
    pub fn new(rubric: &'r Rubric, dir: std::path::PathBuf) -> Self {
        Scorer {
            rubric,
            dir,
            scenarios: HashMap::new(),
            scratch: Scratch::default(),
            det: Detection::default(),
        }
    }

    fn load_scenario(&mut self, id: &str) {
        if !self.scenarios.contains_key(id) {
            let s = scenario::resolve(id, &self.dir, self.rubric).ok();
            self.scenarios.insert(id.to_string(), s);
        }
    }

    /// Score one input line into `out` (one JSON line). Returns false for a bad line.
    pub fn line(
        &mut self,
        lineno: usize,
        line: &str,
        out: &mut impl Write,
    ) -> std::io::Result<bool> {
        let parsed: Result<InLine, _> = serde_json::from_str(line);
        let (id, reply, scen, node) = match parsed {
            Err(e) => {
                let id = serde_json::from_str::<IdOnly>(line).ok().and_then(|x| x.id);
                return bad(out, id, format!("line {lineno}: invalid JSON: {e}"));
            }
            Ok(InLine {
                id, reply: None, ..
            }) => {
                return bad(
                    out,
                    id,
                    format!("line {lineno}: missing \"reply\" (a string)"),
                );
            }
            Ok(InLine {
                id,
                reply: Some(r),
                scenario,
                node,
            }) => (id, r, scenario, node),
        };
        let n = reply.chars().count();
        if n > crate::rubric::engine::MAX_ANALYZED {
            return bad(
                out,
                id,
                format!(
                    "line {lineno}: reply too long ({n} characters; at most {})",
                    crate::rubric::engine::MAX_ANALYZED
                ),
            );
        }
        let mut policy: Option<Policy> = None;
        let mut score = None;
        if let Some(sid) = &scen {
            self.load_scenario(sid);
            let Some(s) = self.scenarios.get(sid.as_str()).and_then(|s| s.as_ref()) else {
                return bad(out, id, format!("line {lineno}: unknown scenario `{sid}`"));
            };
            policy = Some(s.shop.policy());
            if let Some(nid) = &node {
                let Some(n) = s.node(nid) else {
                    return bad(
                        out,
                        id,
                        format!("line {lineno}: scenario `{sid}` has no node `{nid}`"),
                    );
                };
                let (e, f) = (n.expected(), n.forbidden());
                let p = s.shop.policy();
                let spec = TurnSpec {
                    expect: &e,
                    forbid: &f,
                    model_answers: &n.model_answers,
                    target_seconds: None,
                    policy: Some(&p),
                };
                score = Some(self.rubric.score_turn(&spec, &reply, 0.0).score);
            }
        } else if node.is_some() {
            return bad(
                out,
                id,
                format!("line {lineno}: \"node\" needs \"scenario\""),
            );
        }
        self.rubric.detect_with(
            &reply,
            policy.as_ref(),
            &mut self.scratch,
            &mut self.det,
            true,
        );
        write_line(out, id, &self.det, score)?;
        out.write_all(b"\n")?;
        Ok(true)
    }
}

/// One output line, written by hand: this is the hot path of `score` (see `peilian bench`).
fn write_line(
    out: &mut impl Write,
    id: Option<&serde_json::value::RawValue>,
    det: &Detection,
    score: Option<u32>,
) -> std::io::Result<()> {
    out.write_all(b"{")?;
    if let Some(id) = id {
        out.write_all(b"\"id\":")?;
        out.write_all(id.get().as_bytes())?;
        out.write_all(b",")?;
    }
    out.write_all(b"\"detected\":{")?;
    for (i, c) in CheckId::ALL.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\"")?;
        out.write_all(c.as_str().as_bytes())?;
        out.write_all(if det.has(*c) { b"\":true" } else { b"\":false" })?;
    }
    out.write_all(b"},\"evidence\":{")?;
    let mut first = true;
    for c in CheckId::ALL {
        if !det.has(c) {
            continue;
        }
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(b"\"")?;
        out.write_all(c.as_str().as_bytes())?;
        out.write_all(b"\":[")?;
        for (k, sp) in det.evidence(c).iter().enumerate() {
            if k > 0 {
                out.write_all(b",")?;
            }
            write!(out, "{{\"start\":{},\"end\":{},\"text\":", sp.start, sp.end)?;
            serde_json::to_writer(&mut *out, &sp.text)?;
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    out.write_all(b"}")?;
    if let Some(n) = score {
        write!(out, ",\"score\":{n}")?;
    }
    out.write_all(b"}")
}

#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(default, borrow)]
    id: Option<&'a serde_json::value::RawValue>,
}

fn bad(
    out: &mut impl Write,
    id: Option<&serde_json::value::RawValue>,
    error: String,
) -> std::io::Result<bool> {
    serde_json::to_writer(&mut *out, &ErrLine { id, error })?;
    out.write_all(b"\n")?;
    Ok(false)
}

/// Score every line of `input` into `out`; returns (lines, bad lines).
pub fn score_stream(
    scorer: &mut Scorer,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> std::io::Result<(usize, usize)> {
    let mut buf = Vec::with_capacity(4096);
    let (mut n, mut nbad) = (0, 0);
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        n += 1;
        let text = String::from_utf8_lossy(&buf);
        let line = text.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            n -= 1;
            continue;
        }
        if !scorer.line(n, line, out)? {
            nbad += 1;
        }
    }
    out.flush()?;
    Ok((n, nbad))
}

pub fn run(a: ScoreArgs) -> ExitCode {
    let rubric = match load_rubric(&a.common) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let mut scorer = Scorer::new(&rubric, scenario_dir(&a.common));
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let res = match a.input.as_deref() {
        None => score_stream(&mut scorer, &mut std::io::stdin().lock(), &mut out),
        Some(p) if p.as_os_str() == "-" => {
            score_stream(&mut scorer, &mut std::io::stdin().lock(), &mut out)
        }
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => score_stream(
                &mut scorer,
                &mut std::io::BufReader::with_capacity(1 << 16, f),
                &mut out,
            ),
            Err(e) => {
                eprintln!("{}: cannot open: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    match res {
        Ok((n, 0)) => {
            eprintln!("scored {n} lines");
            ExitCode::SUCCESS
        }
        Ok((n, bad)) => {
            eprintln!("scored {n} lines, {bad} bad (see their \"error\")");
            ExitCode::from(1)
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("score: {e}");
            ExitCode::from(2)
        }
    }
}

/// Peak resident memory of this process in KiB (Linux), if known.
pub fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Generate `n` JSON Lines of realistic replies (deterministic for a seed).
pub fn generate(n: usize, seed: u64, mut w: impl Write) -> std::io::Result<()> {
    use rand::{RngExt, SeedableRng};
    const PARTS: &[&str] = &[
        "亲，您好~",
        "在的亲[微笑]",
        "非常理解您的心情，",
        "真的很抱歉给您添麻烦了，",
        "我们保证明天一定送到！",
        "不敢保证具体时间，但我们会尽量争取，",
        "您要红色还是蓝色呢？",
        "请问是自己穿还是送人呢？",
        "这款是纯棉面料，做工很细，一分钱一分货哦。",
        "马上给您补发一件新的，",
        "预计24小时内给您回复。",
        "详情页写得很清楚了。",
        "爱买不买。",
        "给您便宜10块吧，",
        "感谢您的惠顾，祝您购物愉快！",
        "不好意思问一下您的订单号是多少？",
        "还是建议您选M码。",
        "感谢您的理解。",
        "快递的问题您去找快递吧。",
        "为了保证您的权益，请当面验货。",
        "肯定是我们发错了，",
        "运费我们来承担，",
        "还有其他可以帮到您的吗？",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut line = String::new();
    for i in 0..n {
        line.clear();
        let k = rng.random_range(1..=4);
        for _ in 0..k {
            line.push_str(PARTS[rng.random_range(0..PARTS.len())]);
        }
        serde_json::to_writer(&mut w, &serde_json::json!({"id": i, "reply": line}))?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// `peilian bench`: generate input, score it on one thread, report replies/s and peak memory.
pub fn bench(a: BenchArgs) -> ExitCode {
    let rubric = match load_rubric(&a.common) {
        Ok(r) => r,
        Err(c) => return c,
    };
    if let Some(path) = &a.emit {
        let res = std::fs::File::create(path)
            .and_then(|f| generate(a.lines, a.seed, BufWriter::with_capacity(1 << 16, f)));
        return match res {
            Ok(()) => {
                eprintln!("wrote {} generated replies to {}", a.lines, path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                ExitCode::from(2)
            }
        };
    }
    let mut input = Vec::new();
    if let Err(e) = generate(a.lines, a.seed, &mut input) {
        eprintln!("bench: {e}");
        return ExitCode::from(2);
    }
    let rss_before = peak_rss_kib();
    let mut scorer = Scorer::new(&rubric, scenario_dir(&a.common));
    let mut sink = std::io::sink();
    let mut out = BufWriter::new(&mut sink);
    // Warm up the buffers, then time.
    let _ = score_stream(
        &mut scorer,
        &mut &input[..input.len().min(64 * 1024)],
        &mut out,
    );
    let t0 = Instant::now();
    let res = score_stream(&mut scorer, &mut &input[..], &mut out);
    let dt = t0.elapsed().as_secs_f64();
    let (n, _) = match res {
        Ok(x) => x,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "peilian bench: scored {n} generated replies ({} bytes of JSON Lines) on one thread",
        input.len()
    );
    println!("  time        {:.3} s", dt);
    println!("  throughput  {:.0} replies/s", n as f64 / dt);
    if let (Some(a), Some(b)) = (rss_before, peak_rss_kib()) {
        println!(
            "  peak RSS    {:.1} MiB (input held in memory: {:.1} MiB; before scoring {:.1} MiB)",
            b as f64 / 1024.0,
            input.len() as f64 / 1048576.0,
            a as f64 / 1024.0
        );
    }
    ExitCode::SUCCESS
}
