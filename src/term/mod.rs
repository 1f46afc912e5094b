//! The terminal front end: styling, feedback and reports, and the session loop that
//! `peilian practice` and `peilian drill` share.

pub mod input;

pub use input::{Input, PlainLines, Replies, clean_line, stdin_replies};

use crate::rubric::{CheckRole, Span, TurnVerdict};
use crate::scenario::Scenario;
use crate::session::{Mode, SessionRecord, Turn, explain};
use crate::sim::{SimDriver, SimEvent, StartSession};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

/// Columns a string takes in a terminal: East Asian wide characters take two.
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
    if let Some(h) = explain::heard_line(&turn.heard) {
        writeln!(out, "  {}", st.dim(&h))?;
    }
    for c in &v.conduct {
        writeln!(out, "  {} {}：{}", st.bad("✗"), c.label, c.message)?;
        writeln!(out, "      {}", st.dim(&cite(&c.section)))?;
    }
    if let Some(k) = explain::key_points_line(v) {
        writeln!(out, "  {k}")?;
    }
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
            writeln!(out, "      {}", st.dim(&cite(&c.section)))?;
        }
    }
    if let Some(l) = explain::lost_line(v) {
        writeln!(out, "  {}", st.bad(&l))?;
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
        crate::catalog::display_name(&r.trainee),
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
        let bad: Vec<String> = t
            .verdict
            .conduct
            .iter()
            .map(|c| c.label.clone())
            .chain(t.verdict.violations().map(|c| c.label.clone()))
            .collect();
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

/// One line for the end of a run whose saving failed (the full story was shown above it).
fn failure_summary(f: &crate::sim::SaveFailure) -> String {
    match f {
        crate::sim::SaveFailure::NotWritable { .. } => {
            "结果文件夹无法写入，对话没有开始。(the results folder cannot be written)".into()
        }
        crate::sim::SaveFailure::Lost { rescue: Ok(p), .. } => format!(
            "结果文件没有保存；救援副本 rescue copy: {} (the result file was not saved)",
            p.display()
        ),
        crate::sim::SaveFailure::Lost { rescue: Err(e), .. } => {
            format!("结果文件没有保存，救援副本也没有保存 (nothing could be saved): {e}")
        }
    }
}

/// Run one session against `input`; returns the final record. An `Err` means the session
/// could not be saved: it has been said on screen, with where the rescue copy went.
#[allow(clippy::too_many_arguments)]
pub fn practice_session(
    rubric: &Arc<crate::rubric::Rubric>,
    scenario: Arc<Scenario>,
    seed: u64,
    trainee: &str,
    mode: Mode,
    results: std::path::PathBuf,
    input: &mut dyn Replies,
    st: Style,
    drill: Option<crate::session::DrillRef>,
) -> Result<SessionRecord, String> {
    let interactive = input.interactive();
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
            st.dim(
                "输入回复后按回车发送；←→ Home End 移动光标，↑↓ 翻看本次的回复；Ctrl-C 或 Ctrl-D 离开（未完成的对话也会保存）。"
            )
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
    if let Some(f) = sim.save_failure() {
        let _ = writeln!(out, "{}", st.bad(&f.message()));
        return Err(failure_summary(&f));
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
    let prompt = if interactive {
        st.bold("你> ")
    } else {
        String::new()
    };
    let mut finished = false;
    let mut interrupted = false;
    while !finished && sim.save_failure().is_none() {
        let _ = out.flush();
        let t0 = Instant::now();
        let line = match input.read(&prompt) {
            Input::Line(l) => l,
            Input::End => break,
            Input::Interrupted => {
                interrupted = true;
                break;
            }
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
    }
    if let Some(f) = sim.save_failure() {
        // Nothing more is taken; show what was played, where it went, and stop.
        let msg = f.message();
        let _ = writeln!(out, "\n{}", st.bad(&msg));
        if let Some(rec) = sim.session().map(|s| s.record.clone()) {
            let _ = print_report(&mut out, st, &rec, mode == Mode::Exam);
        }
        let _ = out.flush();
        return Err(failure_summary(&f));
    }
    let record_now = sim.session().map(|s| s.record.clone());
    if !finished {
        let _ = sim.abandon();
        if let Some(f) = sim.save_failure() {
            let _ = writeln!(out, "\n{}", st.bad(&f.message()));
            return Err(failure_summary(&f));
        }
        let why = if interrupted {
            "已离开（Ctrl-C），对话未完成，已保存。(left with Ctrl-C; session saved as unfinished)"
        } else {
            "输入结束，对话未完成，已保存。(input ended; session saved as unfinished)"
        };
        let _ = writeln!(out, "\n{}", st.dim(why));
    }
    let record = sim
        .session()
        .map(|s| s.record.clone())
        .or(record_now)
        .ok_or_else(|| "the session record was lost".to_string())?;
    let _ = print_report(&mut out, st, &record, mode == Mode::Exam);
    match sim.result_path() {
        Some(p) => {
            let _ = writeln!(out, "结果文件 result file: {}", p.display());
        }
        None => {
            let msg = "结果文件没有保存 (the result file could not be written)";
            let _ = writeln!(out, "{}", st.bad(msg));
            return Err(msg.into());
        }
    }
    Ok(record)
}

/// A "课件：…" line: the section titles of a rubric citation, without file names.
fn cite(section: &str) -> String {
    format!(
        "课件：{}",
        crate::rubric::section_titles(section).join("；")
    )
}
