//! `peilian progress --trainee NAME`: scores over time, the three weakest checks, the shipped
//! scenarios that train them most, and a 错题本 of the replies that failed them.

use super::{Filter, TraineeStats, by_trainee, drill_text, labels, load, outcome_text, short_time};
use crate::catalog::{Sources, load_rubric, scenario_dir};
use crate::rubric::{CheckId, CheckRole};
use crate::scenario::Scenario;
use crate::session::results_dir;
use crate::term::{Style, pad};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

fn spark(v: u32) -> char {
    SPARKS[((v.min(100) as usize) * (SPARKS.len() - 1) + 50) / 100]
}

fn bar(rate: f64, width: usize) -> String {
    let full = ((rate / 100.0) * width as f64).round() as usize;
    format!(
        "{}{}",
        "█".repeat(full.min(width)),
        "·".repeat(width - full.min(width))
    )
}

/// (distinct checks exercised, total weight, weight per check).
pub type Exercise = (usize, u32, Vec<(CheckId, u32)>);

/// How much a scenario trains `checks`, over its nodes' `expect` and `forbid` lists.
pub fn exercise(s: &Scenario, checks: &[CheckId]) -> Exercise {
    let mut per: Vec<(CheckId, u32)> = checks.iter().map(|c| (*c, 0)).collect();
    for n in s.nodes.iter().filter(|n| !n.is_ending()) {
        for (c, w) in n.expected().into_iter().chain(n.forbidden()) {
            if let Some(p) = per.iter_mut().find(|(x, _)| *x == c) {
                p.1 += w.max(1);
            }
        }
    }
    let distinct = per.iter().filter(|(_, w)| *w > 0).count();
    let total = per.iter().map(|(_, w)| w).sum();
    (distinct, total, per)
}

/// The scenarios that exercise `checks` most, best first (at most `n`).
pub fn recommend<'a>(
    scenarios: &'a [Scenario],
    checks: &[CheckId],
    n: usize,
) -> Vec<(&'a Scenario, Vec<(CheckId, u32)>)> {
    let mut v: Vec<(&Scenario, Exercise)> = scenarios
        .iter()
        .map(|s| (s, exercise(s, checks)))
        .filter(|(_, (d, _, _))| *d > 0)
        .collect();
    v.sort_by(|a, b| {
        (b.1.0, b.1.1)
            .cmp(&(a.1.0, a.1.1))
            .then(a.0.id.cmp(&b.0.id))
    });
    v.into_iter()
        .take(n)
        .map(|(s, (_, _, per))| (s, per))
        .collect()
}

/// How many of a scenario's turns (nodes awaiting a reply) judge `c`.
pub fn nodes_training(s: &Scenario, c: CheckId) -> usize {
    s.nodes
        .iter()
        .filter(|n| !n.is_ending())
        .filter(|n| {
            n.expected()
                .iter()
                .chain(&n.forbidden())
                .any(|(x, _)| *x == c)
        })
        .count()
}

/// A weak check in the trainee's own numbers, e.g. 「12 次回复里有 5 次没做到认同感受」 or
/// 「40 次回复里有 3 次违规让价」.
pub fn weak_reason(c: CheckId, label: &str, t: super::Tally) -> String {
    let missed = t.involved - t.passed;
    let rate = t.rate_text();
    if c.is_violation() {
        format!(
            "{label}：{} 次回复里有 {missed} 次出现{label}（没出现的占 {rate}）",
            t.involved
        )
    } else {
        format!(
            "{label}：{} 次回复里有 {missed} 次没做到（做到的占 {rate}）",
            t.involved
        )
    }
}

/// Why a scenario is recommended for `c`, e.g. 「3 处回复考查「认同感受」」 or
/// 「2 处回复容易引人「违规让价」，练习守住」.
pub fn train_reason(c: CheckId, label: &str, turns: usize) -> String {
    if c.is_violation() {
        format!("{turns} 处回复容易引人「{label}」，练习守住")
    } else {
        format!("{turns} 处回复考查「{label}」")
    }
}

fn print(
    out: &mut impl Write,
    st: Style,
    t: &TraineeStats,
    labels: &[String; CheckId::COUNT],
    scenarios: &[Scenario],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}",
        st.bold(&format!(
            "══════ 学习进度 {} ══════",
            crate::catalog::display_name(&t.name)
        ))
    )?;
    writeln!(
        out,
        "{} 场对练，完成 {} 场，平均分 {}{}",
        t.sessions.len(),
        t.finished,
        t.average_text(),
        t.steps_text()
            .map(|x| format!("，训练关卡通过 {x}"))
            .unwrap_or_default()
    )?;

    let zone = crate::session::clock::zone_label(&crate::session::clock::zone());
    writeln!(
        out,
        "\n{}",
        st.bold(&format!("得分走势（本地时间 {zone}）"))
    )?;
    let line: String = t.sessions.iter().map(|e| spark(e.record.total)).collect();
    writeln!(out, "  {line}")?;
    let shown = t.sessions.len().saturating_sub(12);
    if shown > 0 {
        writeln!(out, "  {}", st.dim(&format!("（更早的 {shown} 场略）")))?;
    }
    for e in &t.sessions[shown..] {
        let r = &e.record;
        let score = format!("{:>3} 分", r.total);
        writeln!(
            out,
            "  {}  {} {} {}  {}{}",
            short_time(&r.started),
            pad(&r.scenario.title, 32),
            pad(&drill_text(r), 18),
            if r.finished {
                st.bold(&score)
            } else {
                st.dim(&score)
            },
            outcome_text(r),
            match crate::drill::record_passed(r) {
                Some(true) => format!("  {}", st.good("通过")),
                Some(false) => format!("  {}", st.bad("未通过")),
                None => String::new(),
            }
        )?;
    }

    writeln!(out, "\n{}", st.bold("各项检查通过率"))?;
    for c in CheckId::ALL {
        let x = t.checks[c.index()];
        if let Some(r) = x.rate() {
            let text = format!("{} {:>5.1}%  ({}/{})", bar(r, 20), r, x.passed, x.involved);
            let text = if r >= 80.0 {
                st.good(&text)
            } else if r >= 60.0 {
                text
            } else {
                st.bad(&text)
            };
            writeln!(out, "  {}{}", pad(&labels[c.index()], 14), text)?;
        }
    }
    if let Some(r) = t.time.rate() {
        writeln!(
            out,
            "  {}{} {:>5.1}%  ({}/{})",
            pad("响应时效", 14),
            bar(r, 20),
            r,
            t.time.passed,
            t.time.involved
        )?;
    }

    let weak = t.weakest(3);
    if weak.is_empty() {
        writeln!(
            out,
            "\n{}",
            st.good("目前每一项检查都做到了，继续保持！可以试试更难的场景或考核模式。")
        )?;
        return Ok(());
    }
    writeln!(out, "\n{}", st.bold("最弱的三项："))?;
    for c in &weak {
        writeln!(
            out,
            "  {}",
            st.bad(&weak_reason(*c, &labels[c.index()], t.checks[c.index()]))
        )?;
    }

    let recs = recommend(scenarios, &weak, 3);
    writeln!(out, "\n{}", st.bold("推荐练习（最能练到这几项的场景）"))?;
    if recs.is_empty() {
        writeln!(out, "  {}", st.dim("场景库里没有专门考这几项的场景。"))?;
    }
    for (s, per) in recs {
        let what: Vec<String> = per
            .iter()
            .filter(|(_, w)| *w > 0)
            .map(|(c, _)| train_reason(*c, &labels[c.index()], nodes_training(s, *c)))
            .collect();
        writeln!(
            out,
            "  peilian practice {} 【{}】{}\n      {}",
            pad(&s.id, 26),
            s.persona.kind.label(),
            s.title,
            st.dim(&format!("能练到：{}", what.join("；")))
        )?;
    }

    writeln!(out, "\n{}", st.bold("错题本（最近没做到的回复）"))?;
    for c in &weak {
        writeln!(out, "  {}", st.bold(&format!("【{}】", labels[c.index()])))?;
        let mut n = 0;
        'sessions: for e in t.sessions.iter().rev() {
            let r = &e.record;
            for turn in r.turns.iter().rev() {
                let Some(v) = turn.verdict.checks.iter().find(|v| v.id == *c && !v.passed) else {
                    continue;
                };
                writeln!(
                    out,
                    "    {} {} 第{}轮",
                    st.dim(&short_time(&r.started)),
                    r.scenario.title,
                    turn.index
                )?;
                writeln!(out, "      顾客：{}", turn.customer)?;
                let reply = if v.role == CheckRole::Violation {
                    st.highlight(&turn.reply, &v.evidence)
                } else {
                    turn.reply.clone()
                };
                writeln!(out, "      你的回复：{reply}")?;
                writeln!(out, "      {}", st.bad(&v.message))?;
                if let Some(sg) = &v.suggestion {
                    writeln!(out, "      建议改为：{sg}")?;
                } else if let Some(a) = &turn.verdict.closest_answer {
                    // Result files from before placeholders were filled at load hold them raw.
                    let a = scenarios
                        .iter()
                        .find(|s| s.id == r.scenario.id)
                        .map_or_else(|| a.clone(), |s| s.fill(a));
                    writeln!(out, "      参考回复：{a}")?;
                }
                n += 1;
                if n >= 3 {
                    break 'sessions;
                }
            }
        }
    }
    Ok(())
}

/// What `peilian progress` is run with.
#[derive(Debug, Clone, Default)]
pub struct ProgressOptions {
    pub trainee: String,
    pub results: Option<PathBuf>,
    pub sources: Sources,
}

/// `peilian progress`
pub fn run_progress(a: ProgressOptions) -> ExitCode {
    let dir = results_dir(a.results.as_deref());
    let name = a.trainee.trim().to_string();
    let filter = Filter {
        trainee: Some(name.clone()),
        ..Filter::default()
    };
    let entries = match load(&dir, &filter) {
        Ok((e, _)) => e,
        Err(e) => {
            eprintln!("{}: cannot read the results folder: {e}", dir.display());
            eprintln!(
                "(practise first with `peilian practice --trainee {name}`, or pass --results DIR)"
            );
            return ExitCode::from(2);
        }
    };
    let stats = by_trainee(&entries);
    let Some(t) = stats.first() else {
        eprintln!("no sessions of trainee `{name}` in {}", dir.display());
        return ExitCode::from(1);
    };
    let rubric = match load_rubric(&a.sources) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let (scenarios, _) = crate::scenario::load_dir(&scenario_dir(&a.sources), &rubric);
    let labels = labels(&entries);
    let mut out = std::io::stdout().lock();
    match print(&mut out, Style::detect(), t, &labels, &scenarios).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Tally;

    #[test]
    fn reasons_read_as_sentences() {
        let t = Tally {
            involved: 40,
            passed: 37,
        };
        let v = CheckId::ALL.into_iter().find(|c| c.is_violation()).unwrap();
        let e = CheckId::ALL
            .into_iter()
            .find(|c| !c.is_violation())
            .unwrap();
        assert_eq!(
            weak_reason(v, "违规让价", t),
            "违规让价：40 次回复里有 3 次出现违规让价（没出现的占 92.5%）"
        );
        assert_eq!(
            weak_reason(e, "认同感受", t),
            "认同感受：40 次回复里有 3 次没做到（做到的占 92.5%）"
        );
        assert_eq!(
            train_reason(v, "违规让价", 2),
            "2 处回复容易引人「违规让价」，练习守住"
        );
        assert_eq!(train_reason(e, "认同感受", 3), "3 处回复考查「认同感受」");
        assert!(!train_reason(v, "违规让价", 2).contains('×'));
    }

    #[test]
    fn turns_that_train_a_check_are_counted() {
        let rubric = crate::rubric::Rubric::builtin();
        let s = crate::scenario::resolve(
            "haggler-phone-case",
            std::path::Path::new("scenarios"),
            &rubric,
        )
        .unwrap();
        let empathy: CheckId = "empathy".parse().unwrap();
        let want = s
            .nodes
            .iter()
            .filter(|n| !n.is_ending() && n.expect.iter().any(|(id, _)| id == "empathy"))
            .count();
        assert!(want > 0);
        assert_eq!(nodes_training(&s, empathy), want);
    }
}
