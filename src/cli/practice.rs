//! Terminal practice: the customer's lines, the trainee's replies, feedback, the final report.

use super::{PracticeArgs, ScenariosArgs, load_rubric, scenario_dir};
use crate::rubric::{CheckRole, Span, TurnVerdict};
use crate::scenario::{self, Scenario};
use crate::session::{Mode, SessionRecord, Turn, results_dir};
use crate::sim::{SimDriver, SimEvent, StartSession};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Columns a string takes in a terminal: East Asian wide characters take two
/// (Unicode's East Asian Width data, from the `unicode-width` crate).
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` padded with spaces to `cols` terminal columns.
pub fn pad(s: &str, cols: usize) -> String {
    format!("{s}{}", " ".repeat(cols.saturating_sub(width(s))))
}

/// Styling for a terminal, or plain text for pipes.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn detect() -> Style {
        Style {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn good(self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn bad(self, s: &str) -> String {
        self.paint("31", s)
    }
    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Mark evidence inside a reply: colour on a terminal, 【】 in plain text.
    pub fn highlight(self, reply: &str, spans: &[Span]) -> String {
        let chars: Vec<char> = reply.chars().collect();
        let mut spans: Vec<&Span> = spans.iter().collect();
        spans.sort_by_key(|s| s.start);
        let mut out = String::new();
        let mut at = 0;
        for s in spans {
            if s.start < at || s.end > chars.len() {
                continue;
            }
            out.extend(&chars[at..s.start]);
            let piece: String = chars[s.start..s.end].iter().collect();
            if self.color {
                out.push_str(&format!("\x1b[1;4;31m{piece}\x1b[0m"));
            } else {
                out.push_str(&format!("【{piece}】"));
            }
            at = s.end;
        }
        out.extend(&chars[at.min(chars.len())..]);
        out
    }
}

/// `peilian scenarios`
pub fn list(a: ScenariosArgs) -> ExitCode {
    let rubric = match load_rubric(&a.common) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let dir = scenario_dir(&a.common);
    let (all, problems) = scenario::load_dir(&dir, &rubric);
    for p in &problems {
        eprintln!("{p}");
    }
    if all.is_empty() {
        eprintln!("no scenarios found in {}", dir.display());
        return ExitCode::from(2);
    }
    println!(
        "{} {} {} 标题 / brief",
        pad("id", 26),
        pad("类型", 10),
        pad("难度", 6)
    );
    for s in &all {
        println!(
            "{} {} {} {} — {}",
            pad(&s.id, 26),
            pad(s.persona.kind.label(), 10),
            pad(&"★".repeat(s.difficulty as usize), 6),
            s.title,
            s.brief
        );
    }
    // The drill plans next to them, so they can be found from the terminal too.
    let plans_dir = crate::drill::plans_dir(&dir);
    if plans_dir.is_dir() {
        let (plans, plan_problems) = crate::drill::load_plans(&plans_dir, &all);
        for p in &plan_problems {
            eprintln!("{p}");
        }
        if !plans.is_empty() {
            println!();
            println!(
                "训练计划 drill plans（peilian drill NAME --trainee 姓名，或在窗口的场景列表里选）"
            );
            for p in &plans {
                println!(
                    "{} {}  {} 关 · {} · 及格 {} 分 · 每关 {} 次{}",
                    pad(&p.name, 26),
                    p.title,
                    p.steps(),
                    Mode::from(p.mode).label(),
                    p.pass_mark,
                    p.attempts,
                    p.target_seconds
                        .map(|t| format!(" · 每条 {t:.0} 秒内"))
                        .unwrap_or_default()
                );
            }
        }
        if !plan_problems.is_empty() {
            return ExitCode::from(1);
        }
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub fn default_trainee() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "trainee".into())
}

pub fn random_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    (t ^ (std::process::id() as u64).rotate_left(32)) % 1_000_000
}

/// Print the feedback for one turn.
pub fn print_feedback(out: &mut impl Write, st: Style, turn: &Turn) -> std::io::Result<()> {
    let v: &TurnVerdict = &turn.verdict;
    let head = format!(
        "  本轮得分 {} / 100  （用时 {:.0} 秒{}，相似度 {:.0}%）",
        turn.score,
        turn.seconds,
        match v.target_seconds {
            Some(t) if !v.on_time => format!("，超过目标 {t:.0} 秒"),
            Some(t) => format!("，目标 {t:.0} 秒内"),
            None => String::new(),
        },
        v.similarity * 100.0
    );
    writeln!(out, "{}", st.bold(&head))?;
    for c in &v.checks {
        let mark = if c.passed {
            st.good("✓")
        } else {
            st.bad("✗")
        };
        let ev: Vec<&str> = c.evidence.iter().map(|e| e.text.as_str()).collect();
        let ev = if ev.is_empty() {
            String::new()
        } else {
            format!("「{}」", ev.join("、"))
        };
        writeln!(out, "  {mark} {}{}：{}", c.label, ev, c.message)?;
        if c.role == CheckRole::Violation && !c.passed {
            writeln!(out, "      {}", st.highlight(&turn.reply, &c.evidence))?;
            if let Some(s) = &c.suggestion {
                writeln!(out, "      建议改为：{s}")?;
            }
        }
        if !c.passed {
            writeln!(out, "      {}", st.dim(&format!("课件：{}", c.section)))?;
        }
    }
    if let Some(a) = &v.closest_answer
        && turn.score < 85
    {
        writeln!(out, "  {}", st.dim(&format!("参考回复：{a}")))?;
    }
    Ok(())
}

/// Print the final report of a session.
pub fn print_report(
    out: &mut impl Write,
    st: Style,
    r: &SessionRecord,
    exam: bool,
) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", st.bold("══════ 对练报告 Report ══════"))?;
    writeln!(
        out,
        "学员 {}  场景 {}（{}）  种子 seed {}  {}",
        r.trainee,
        r.scenario.title,
        r.scenario.persona_label,
        r.seed,
        r.mode.label()
    )?;
    let outcome = match (&r.outcome, r.finished) {
        (Some(o), _) => {
            let l = o.label();
            if o.is_good() { st.good(l) } else { st.bad(l) }
        }
        (None, _) => st.bad("未完成 (unfinished)"),
    };
    writeln!(
        out,
        "结果 {outcome}   总分 {} / 100   等级 {}",
        r.total,
        st.bold(&r.rank)
    )?;
    for t in &r.turns {
        let bad: Vec<String> = t.verdict.violations().map(|c| c.label.clone()).collect();
        let missed: Vec<String> = t
            .verdict
            .checks
            .iter()
            .filter(|c| c.role == CheckRole::Expected && !c.passed)
            .map(|c| c.label.clone())
            .collect();
        writeln!(
            out,
            "  第{}轮 {:>3}分  {}{}",
            t.index,
            t.score,
            if missed.is_empty() {
                String::new()
            } else {
                format!("缺少：{}  ", missed.join("、"))
            },
            if bad.is_empty() {
                String::new()
            } else {
                st.bad(&format!("违规：{}", bad.join("、")))
            }
        )?;
        if exam {
            print_feedback(out, st, t)?;
        }
    }
    Ok(())
}

/// Read one reply. Returns None at end of input. A line longer than a reply may be is
/// refused with a message and skipped without being held (see `crate::textio`).
fn read_line(input: &mut impl BufRead) -> Option<String> {
    use crate::textio::{Read, read_line_bounded};
    let mut buf = Vec::new();
    loop {
        match read_line_bounded(input, &mut buf, crate::session::MAX_REPLY_BYTES) {
            Ok(Read::End) | Err(_) => return None,
            Ok(Read::Line) => return Some(String::from_utf8_lossy(&buf).into_owned()),
            Ok(Read::TooLong { chars, .. }) => println!(
                "  {}",
                crate::session::ReplyError::TooLong(chars.try_into().unwrap_or(usize::MAX))
            ),
        }
    }
}

fn choose_scenario(
    all: &[Scenario],
    input: &mut impl BufRead,
    interactive: bool,
) -> Option<Scenario> {
    println!("请选择场景 Choose a scenario:");
    for (i, s) in all.iter().enumerate() {
        println!(
            "  {:>2}. [{}] {} {} — {}",
            i + 1,
            s.persona.kind.label(),
            "★".repeat(s.difficulty as usize),
            s.title,
            s.brief
        );
    }
    loop {
        if interactive {
            print!("编号 number> ");
            let _ = std::io::stdout().flush();
        }
        let line = read_line(input)?;
        let t = line.trim();
        if let Ok(n) = t.parse::<usize>()
            && (1..=all.len()).contains(&n)
        {
            return Some(all[n - 1].clone());
        }
        if let Some(s) = all.iter().find(|s| s.id == t) {
            return Some(s.clone());
        }
        eprintln!(
            "请输入 1 到 {} 之间的编号，或场景 id。(enter 1–{} or an id)",
            all.len(),
            all.len()
        );
    }
}

/// `peilian practice`
pub fn run(a: PracticeArgs) -> ExitCode {
    let rubric = match load_rubric(&a.common) {
        Ok(r) => Arc::new(r),
        Err(c) => return c,
    };
    let dir = scenario_dir(&a.common);
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut input = stdin.lock();
    let st = Style::detect();

    let scenario = match &a.scenario {
        Some(name) => match scenario::resolve(name, &dir, &rubric) {
            Ok(s) => s,
            Err(ds) => {
                for d in ds {
                    eprintln!("{d}");
                }
                return ExitCode::from(2);
            }
        },
        None => {
            let (all, problems) = scenario::load_dir(&dir, &rubric);
            for p in problems {
                eprintln!("{p}");
            }
            if all.is_empty() {
                eprintln!("no scenarios found in {}", dir.display());
                return ExitCode::from(2);
            }
            match choose_scenario(&all, &mut input, interactive) {
                Some(s) => s,
                None => {
                    eprintln!("没有选择场景，已退出。(no scenario chosen)");
                    return ExitCode::SUCCESS;
                }
            }
        }
    };
    let seed = a.seed.unwrap_or_else(random_seed);
    let trainee = a.trainee.clone().unwrap_or_else(default_trainee);
    let mode = if a.exam { Mode::Exam } else { Mode::Practice };
    let results = results_dir(a.results.as_deref());
    let code = practice_session(
        &rubric,
        Arc::new(scenario),
        seed,
        &trainee,
        mode,
        results,
        &mut input,
        interactive,
        st,
        None,
    );
    match code {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// Run one session against `input`; returns the final record.
#[allow(clippy::too_many_arguments)]
pub fn practice_session(
    rubric: &Arc<crate::rubric::Rubric>,
    scenario: Arc<Scenario>,
    seed: u64,
    trainee: &str,
    mode: Mode,
    results: std::path::PathBuf,
    input: &mut impl BufRead,
    interactive: bool,
    st: Style,
    drill: Option<crate::session::DrillRef>,
) -> Result<SessionRecord, String> {
    let mut out = std::io::stdout().lock();
    let mut sim = SimDriver::new(Arc::clone(rubric), results);
    let s = &scenario;
    let _ = writeln!(
        out,
        "{}",
        st.bold(&format!("【{}】{}", s.persona.kind.label(), s.title))
    );
    let _ = writeln!(out, "{}", s.brief);
    let _ = writeln!(
        out,
        "{}",
        st.dim(&format!(
            "店铺 {}：{} {}元（最低 {}元{}）；退换：{}；发货：{}",
            s.shop.name,
            s.shop.product,
            s.shop.price,
            s.shop.lowest_price,
            s.shop
                .free_shipping_over
                .map(|t| format!("，满{t}元包邮"))
                .unwrap_or_default(),
            s.shop.returns,
            s.shop.shipping
        ))
    );
    let _ = writeln!(out, "种子 seed: {seed}   模式: {}", mode.label());
    if interactive {
        let _ = writeln!(
            out,
            "{}",
            st.dim("输入回复后按回车发送；Ctrl-D 结束（未完成的对话也会保存）。")
        );
    }
    let events = sim.start(StartSession {
        scenario: Arc::clone(&scenario),
        seed,
        trainee: trainee.to_string(),
        mode,
        frontend: "terminal".into(),
        drill,
    });
    if let Some(e) = sim.save_error() {
        let _ = writeln!(out, "{}", st.bad(&format!("无法写入结果文件：{e}")));
    }
    let name = scenario.persona.name.clone();
    let show_customer = |out: &mut std::io::StdoutLock, text: &str| {
        let _ = writeln!(out, "\n{} {}", st.bold(&format!("{name}：")), text);
    };
    for e in &events {
        if let SimEvent::Spoke(c) = e {
            show_customer(&mut out, &c.text);
        }
    }
    let mut finished = false;
    while !finished {
        if interactive {
            let _ = write!(out, "{}", st.bold("你> "));
            let _ = out.flush();
        }
        let t0 = Instant::now();
        let Some(line) = read_line(input) else {
            break;
        };
        let secs = t0.elapsed().as_secs_f32();
        if !interactive {
            let _ = writeln!(out, "你> {line}");
        }
        for e in sim.reply(&line, secs) {
            match e {
                SimEvent::Rejected(r) => {
                    let _ = writeln!(out, "  {}", st.bad(&r.reason));
                }
                SimEvent::Scored(t) => {
                    if mode == Mode::Practice {
                        let _ = print_feedback(&mut out, st, &t.turn);
                    }
                }
                SimEvent::Spoke(c) => show_customer(&mut out, &c.text),
                SimEvent::Ended(_) => finished = true,
            }
        }
        if let Some(e) = sim.save_error() {
            let _ = writeln!(out, "{}", st.bad(&format!("无法写入结果文件：{e}")));
        }
    }
    if !finished {
        let _ = sim.abandon();
        let _ = writeln!(
            out,
            "\n{}",
            st.dim("输入结束，对话未完成，已保存。(input ended; session saved as unfinished)")
        );
    }
    let record = sim
        .session()
        .map(|s| s.record.clone())
        .or_else(|| {
            // Abandoned sessions are dropped from the resource; read back what was saved.
            let p = sim.result_path()?;
            let bytes = std::fs::read(p).ok()?;
            serde_json::from_slice(&bytes).ok()
        })
        .ok_or_else(|| "the session record was lost".to_string())?;
    let _ = print_report(&mut out, st, &record, mode == Mode::Exam);
    match sim.result_path() {
        Some(p) => {
            let _ = writeln!(out, "结果文件 result file: {}", p.display());
        }
        None => {
            let _ = writeln!(
                out,
                "{}",
                st.bad("结果文件没有保存 (the result file could not be written)")
            );
        }
    }
    Ok(record)
}
