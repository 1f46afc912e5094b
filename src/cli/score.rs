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
    /// The shop every scenario is played in (`--shop`), else each one's default.
    shop: Option<crate::scenario::shop::ShopProfile>,
    scenarios: HashMap<String, Option<Scenario>>,
    scratch: Scratch,
    det: Detection,
    /// One output line, built here and written with one call.
    buf: Vec<u8>,
    detected: DetectedTable,
}

/// Checks per group of the `"detected"` table: 2^7 texts per group.
const GROUP: usize = 7;

/// The `"detected":{..}` object of an output line, precomputed: for each group of `GROUP`
/// checks, the text for every combination of present and absent, so writing it is one copy
/// per group instead of three per check.
struct DetectedTable {
    /// `texts[group][mask]`: bit `i` of `mask` set when check `GROUP * group + i` is present.
    texts: Vec<Vec<Vec<u8>>>,
}

impl DetectedTable {
    fn new() -> Self {
        let groups: Vec<&[CheckId]> = CheckId::ALL.chunks(GROUP).collect();
        let last = groups.len() - 1;
        let texts = groups
            .iter()
            .enumerate()
            .map(|(g, checks)| {
                (0..1usize << checks.len())
                    .map(|mask| {
                        let mut t = Vec::new();
                        t.extend_from_slice(if g == 0 { b"\"detected\":{" } else { b"," });
                        for (i, c) in checks.iter().enumerate() {
                            if i > 0 {
                                t.push(b',');
                            }
                            t.push(b'"');
                            t.extend_from_slice(c.as_str().as_bytes());
                            let present = mask & (1 << i) != 0;
                            t.extend_from_slice(if present { b"\":true" } else { b"\":false" });
                        }
                        if g == last {
                            t.extend_from_slice(b"},\"evidence\":{");
                        }
                        t
                    })
                    .collect()
            })
            .collect();
        DetectedTable { texts }
    }

    fn write(&self, out: &mut Vec<u8>, det: &Detection) {
        for (g, texts) in self.texts.iter().enumerate() {
            let mut mask = 0;
            for (i, c) in CheckId::ALL.iter().skip(g * GROUP).take(GROUP).enumerate() {
                mask |= usize::from(det.has(*c)) << i;
            }
            out.extend_from_slice(&texts[mask]);
        }
    }
}

impl<'r> Scorer<'r> {
    pub fn new(rubric: &'r Rubric, dir: std::path::PathBuf) -> Self {
        Scorer {
            rubric,
            dir,
            shop: None,
            scenarios: HashMap::new(),
            scratch: Scratch::default(),
            det: Detection::default(),
            buf: Vec::with_capacity(1024),
            detected: DetectedTable::new(),
        }
    }

    fn load_scenario(&mut self, id: &str) {
        if !self.scenarios.contains_key(id) {
            let s = scenario::resolve_in(id, &self.dir, self.rubric, self.shop.as_ref()).ok();
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
        // `id` is the id's JSON text, as given.
        let (id, reply, scen, node) = if let Some((id, reply)) = parse_simple(line) {
            (id, std::borrow::Cow::Borrowed(reply), None, None)
        } else {
            match serde_json::from_str::<InLine>(line) {
                Err(e) => {
                    let id = serde_json::from_str::<IdOnly>(line).ok().and_then(|x| x.id);
                    let id = id.map(|r| r.get());
                    return bad(out, id, format!("line {lineno}: invalid JSON: {e}"));
                }
                Ok(InLine {
                    id, reply: None, ..
                }) => {
                    let id = id.map(|r| r.get());
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
                }) => (id.map(|r| r.get()), r, scenario, node),
            }
        };
        // A reply has at most as many chars as bytes: most need no counting.
        let max = crate::rubric::engine::MAX_ANALYZED;
        let n = if reply.len() > max {
            reply.chars().count()
        } else {
            0
        };
        if n > max {
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
                    listened: None,
                    carried: &[],
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
        self.buf.clear();
        write_line(&mut self.buf, id, &self.det, &self.detected, score);
        self.buf.push(b'\n');
        out.write_all(&self.buf)?;
        Ok(true)
    }
}

/// One output line, built by hand into `out`: this is the hot path of `score` (see
/// `peilian bench`). The bytes are exactly what serde_json would write for the same values.
fn write_line(
    out: &mut Vec<u8>,
    id: Option<&str>,
    det: &Detection,
    detected: &DetectedTable,
    score: Option<u32>,
) {
    out.push(b'{');
    if let Some(id) = id {
        out.extend_from_slice(b"\"id\":");
        out.extend_from_slice(id.as_bytes());
        out.push(b',');
    }
    detected.write(out, det);
    let mut first = true;
    for c in CheckId::ALL {
        if !det.has(c) {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(c.as_str().as_bytes());
        out.extend_from_slice(b"\":[");
        for (k, sp) in det.evidence(c).iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"start\":");
            push_uint(out, sp.start as u64);
            out.extend_from_slice(b",\"end\":");
            push_uint(out, sp.end as u64);
            out.extend_from_slice(b",\"text\":");
            push_json_str(out, &sp.text);
            out.push(b'}');
        }
        out.push(b']');
    }
    out.push(b'}');
    if let Some(n) = score {
        out.extend_from_slice(b",\"score\":");
        push_uint(out, n as u64);
    }
    out.push(b'}');
}

/// An unsigned integer in decimal (as `Display` writes it), without the `fmt` machinery.
#[inline]
fn push_uint(out: &mut Vec<u8>, mut n: u64) {
    // Offsets are mostly small.
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    if n < 100 {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
        return;
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A JSON string literal, escaped exactly as `serde_json::to_writer` escapes a `str`: `"` and
/// `\\`, the short escapes `\b \f \n \r \t`, other control characters as `\u00xx`
/// (lower-case hex), everything else (non-ASCII included) as it is.
fn push_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut plain = 0;
    let mut i = find_special(bytes, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ],
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[plain..i]);
        out.extend_from_slice(esc);
        plain = i + 1;
        i = find_special(bytes, plain);
    }
    out.extend_from_slice(&bytes[plain..]);
    out.push(b'"');
}

/// The index of the first byte at or after `i` that is `"`, `\\` or a control character
/// (below 0x20), or `b.len()`.
fn find_special(b: &[u8], mut i: usize) -> usize {
    // 8 bytes at a time, each chunk read as a u64. The usual zero-byte tests flag every special
    // byte, and the lowest flagged byte is always a special one (a false flag only ever sits
    // above a true one), so the first special byte of a chunk is found without a byte loop.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let found = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    // The last few bytes, one by one.
    while i < b.len() && !matches!(b[i], b'"' | b'\\' | 0x00..=0x1f) {
        i += 1;
    }
    i
}

/// The usual input line, parsed without serde_json: `{"id":ID,"reply":"TEXT"}`, the id
/// optional, JSON white space allowed between tokens, where ID is a JSON integer or string and
/// no string holds an escape (`\`) or a control character. Returns the id's JSON text and the
/// reply. Any other line (other keys or order, escapes, other id types, bad JSON) gives `None`
/// and goes through serde_json, which gives the same id and reply for every line accepted here.
fn parse_simple(line: &str) -> Option<(Option<&str>, &str)> {
    let mut c = Cursor {
        b: line.as_bytes(),
        i: 0,
    };
    c.ws();
    c.eat(b"{")?;
    c.ws();
    let mut id = None;
    if c.eat(b"\"id\"").is_some() {
        c.ws();
        c.eat(b":")?;
        c.ws();
        let start = c.i;
        if c.b.get(c.i) == Some(&b'"') {
            c.string()?;
        } else {
            c.integer()?;
        }
        id = Some(&line[start..c.i]);
        c.ws();
        c.eat(b",")?;
        c.ws();
    }
    c.eat(b"\"reply\"")?;
    c.ws();
    c.eat(b":")?;
    c.ws();
    let (a, b) = c.string()?;
    c.ws();
    c.eat(b"}")?;
    c.ws();
    // Every position used to slice is next to an ASCII byte, so on a char boundary.
    (c.i == c.b.len()).then(|| (id, &line[a..b]))
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// JSON white space.
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, token: &[u8]) -> Option<()> {
        if self.b[self.i..].starts_with(token) {
            self.i += token.len();
            Some(())
        } else {
            None
        }
    }

    /// A string with no escape and no control character; returns its contents' range.
    fn string(&mut self) -> Option<(usize, usize)> {
        self.eat(b"\"")?;
        let start = self.i;
        self.i = find_special(self.b, self.i);
        match *self.b.get(self.i)? {
            b'"' => {
                self.i += 1;
                Some((start, self.i - 1))
            }
            _ => None,
        }
    }

    /// A JSON integer: `-?(0|[1-9][0-9]*)`, not followed by a fraction or an exponent.
    fn integer(&mut self) -> Option<()> {
        let _ = self.eat(b"-");
        match *self.b.get(self.i)? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        match self.b.get(self.i) {
            Some(b'.' | b'e' | b'E' | b'0'..=b'9') => None,
            _ => Some(()),
        }
    }
}

#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(default, borrow)]
    id: Option<&'a serde_json::value::RawValue>,
}

/// An error line; `id` is the id's JSON text, as given.
fn bad(out: &mut impl Write, id: Option<&str>, error: String) -> std::io::Result<bool> {
    // The id is JSON already (serde_json or `parse_simple` checked it); as a raw value it is
    // written as it is.
    let id = id.and_then(|t| serde_json::from_str::<&serde_json::value::RawValue>(t).ok());
    serde_json::to_writer(&mut *out, &ErrLine { id, error })?;
    out.write_all(b"\n")?;
    Ok(false)
}

/// The `id` at the start of a line too long to read whole, from its first bytes: a number
/// or a plain string right after `{"id":` (JSON text, as given).
fn leading_id(prefix: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(prefix)
        .or_else(|e| std::str::from_utf8(&prefix[..e.valid_up_to()]))
        .ok()?;
    let rest = s.trim_start().strip_prefix('{')?.trim_start();
    let rest = rest
        .strip_prefix("\"id\"")?
        .trim_start()
        .strip_prefix(':')?;
    let rest = rest.trim_start();
    let end = if let Some(body) = rest.strip_prefix('"') {
        1 + body
            .find(['"', '\\'])
            .filter(|&i| body.as_bytes()[i] == b'"')?
            + 1
    } else {
        rest.find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .filter(|&i| i > 0)?
    };
    let id = &rest[..end];
    serde_json::from_str::<&serde_json::value::RawValue>(id).ok()?;
    Some(id)
}

/// Score every line of `input` into `out`; returns (lines scored, bad lines). Error messages
/// count physical lines (blank lines included). A line longer than
/// [`MAX_LINE_BYTES`](crate::textio::MAX_LINE_BYTES) is never held whole: it gets an error
/// object (with its `id` when that comes first) and is skipped.
pub fn score_stream(
    scorer: &mut Scorer,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> std::io::Result<(usize, usize)> {
    use crate::textio::{MAX_LINE_BYTES, Read, read_line_bounded};
    let mut buf = Vec::with_capacity(4096);
    let (mut lineno, mut n, mut nbad) = (0, 0, 0);
    loop {
        let read = read_line_bounded(input, &mut buf, MAX_LINE_BYTES)?;
        if read == Read::End {
            break;
        }
        lineno += 1;
        if let Read::TooLong { bytes, .. } = read {
            n += 1;
            nbad += 1;
            bad(
                out,
                leading_id(&buf),
                format!(
                    "line {lineno}: line too long ({bytes} bytes; at most {MAX_LINE_BYTES} bytes, 1 MiB); skipped"
                ),
            )?;
            continue;
        }
        // Valid UTF-8 (the usual case) is borrowed as it is; only a line with invalid bytes is
        // copied with U+FFFD in their place.
        let text = match std::str::from_utf8(&buf) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(&buf),
        };
        let line = text.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        n += 1;
        if !scorer.line(lineno, line, out)? {
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
    scorer.shop = match crate::catalog::load_shop(&a.common.sources()) {
        Ok(s) => s,
        Err(c) => return c,
    };
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
        Err(e) if super::reader_gone(&e) => ExitCode::SUCCESS,
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
    let mut rates = Vec::with_capacity(a.runs as usize);
    let mut scored = 0;
    for run in 1..=a.runs {
        let t0 = Instant::now();
        let res = score_stream(&mut scorer, &mut &input[..], &mut out);
        let dt = t0.elapsed().as_secs_f64();
        let n = match res {
            Ok((n, _)) => n,
            Err(e) => {
                eprintln!("bench: {e}");
                return ExitCode::from(2);
            }
        };
        if run == 1 {
            println!(
                "peilian bench: scoring {n} generated replies ({} bytes of JSON Lines) on one thread, {} runs",
                input.len(),
                a.runs
            );
        }
        scored = n;
        let rate = n as f64 / dt;
        println!("  run {run:<3}     {dt:.3} s  {rate:.0} replies/s");
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    let median = if rates.len() % 2 == 1 {
        rates[rates.len() / 2]
    } else {
        (rates[rates.len() / 2 - 1] + rates[rates.len() / 2]) / 2.0
    };
    println!(
        "  throughput  {median:.0} replies/s (median of {} runs of {scored}; min {:.0}, max {:.0})",
        rates.len(),
        rates[0],
        rates[rates.len() - 1]
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped_as_serde_json_does() {
        let mut cases: Vec<String> = (0u8..0x80).map(|b| (b as char).to_string()).collect();
        cases.extend(
            [
                "",
                "亲，您好~",
                "a\"b\\c\u{7f}\u{2028}😀",
                "0123456\"89abcdef\n亲亲亲亲亲亲\\",
                "\u{1}\u{8}\u{c}\u{1f}\t\r\n",
            ]
            .map(String::from),
        );
        // Specials at every position around the 8-byte chunks.
        for i in 0..20 {
            let mut s = "亲".repeat(i / 3) + &"x".repeat(i % 3);
            s.push('"');
            s.push_str("尾巴tail\u{0}");
            cases.push(s);
        }
        for s in cases {
            let mut out = Vec::new();
            push_json_str(&mut out, &s);
            assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn special_bytes_are_found_wherever_they_are() {
        for len in 0..24 {
            for pos in 0..=len {
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut b: Vec<u8> = "亲a~\u{7f}".bytes().cycle().take(len).collect();
                    if pos < len {
                        b[pos] = special;
                    }
                    let want = b
                        .iter()
                        .position(|c| matches!(c, b'"' | b'\\' | 0x00..=0x1f))
                        .unwrap_or(len);
                    assert_eq!(find_special(&b, 0), want, "{b:?}");
                    if pos < len {
                        assert_eq!(find_special(&b, pos), pos);
                        assert_eq!(find_special(&b, pos + 1), len);
                    }
                }
            }
        }
    }

    #[test]
    fn integers_are_written_as_display_does() {
        for n in [
            0u64,
            7,
            9,
            10,
            42,
            99,
            100,
            999,
            1000,
            20_000,
            u32::MAX as u64,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            push_uint(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }

    #[test]
    fn the_detected_table_matches_writing_each_check() {
        let table = DetectedTable::new();
        for mask in 0..1u32 << CheckId::COUNT {
            let mut det = Detection::default();
            for i in 0..CheckId::COUNT {
                det.present[i] = mask & (1 << i) != 0;
            }
            let mut want = b"\"detected\":{".to_vec();
            for (i, c) in CheckId::ALL.iter().enumerate() {
                if i > 0 {
                    want.push(b',');
                }
                want.extend_from_slice(format!("\"{}\":{}", c.as_str(), det.has(*c)).as_bytes());
            }
            want.extend_from_slice(b"},\"evidence\":{");
            let mut out = Vec::new();
            table.write(&mut out, &det);
            assert_eq!(out, want);
        }
    }

    #[test]
    fn the_simple_parser_agrees_with_serde_json() {
        let accepted = [
            r#"{"id":0,"reply":"亲，您好~"}"#,
            r#"{"reply":""}"#,
            r#" { "id" : "d0001" , "reply" : "在的亲" } "#,
            "\t{\t\"id\"\t:\t-7\t,\t\"reply\"\t:\t\"x\"\t}\t",
            r#"{"id":-0,"reply":"x"}"#,
            r#"{"id":123456789012345678901234567890,"reply":"x"}"#,
            r#"{"id":"","reply":"/"}"#,
        ];
        for line in accepted {
            let (id, reply) = parse_simple(line).unwrap_or_else(|| panic!("{line}"));
            let v: InLine = serde_json::from_str(line).unwrap();
            assert_eq!(id, v.id.map(|r| r.get()), "{line}");
            assert_eq!(Some(reply), v.reply.as_deref(), "{line}");
            assert!(v.scenario.is_none() && v.node.is_none());
        }
        let declined = [
            r#"{"id":01,"reply":"x"}"#,
            r#"{"id":1.5,"reply":"x"}"#,
            r#"{"id":1e3,"reply":"x"}"#,
            r#"{"id":-,"reply":"x"}"#,
            r#"{"id":null,"reply":"x"}"#,
            r#"{"id":true,"reply":"x"}"#,
            r#"{"id":[1],"reply":"x"}"#,
            r#"{"id":"a\"b","reply":"x"}"#,
            r#"{"id":1,"reply":"a\nb"}"#,
            "{\"id\":1,\"reply\":\"a\tb\"}",
            r#"{"reply":"x","id":1}"#,
            r#"{"id":1,"reply":"x","scenario":"s"}"#,
            r#"{"id":1,"reply":"x",}"#,
            r#"{"id":1,"reply":"x"}x"#,
            r#"{"id":1,"reply":"x""#,
            r#"{"id":1,"reply":null}"#,
            r#"{"id":1}"#,
            "",
        ];
        for line in declined {
            assert_eq!(parse_simple(line), None, "{line}");
        }
    }
}
