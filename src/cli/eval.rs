//! `peilian eval`: how well the rubric agrees with labelled replies.

use super::{EvalArgs, load_rubric};
use crate::rubric::{CheckId, Rubric, suggest};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

#[derive(Deserialize)]
pub struct Item {
    pub id: String,
    pub reply: String,
    pub labels: BTreeMap<String, bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
    pub tn: u32,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// One disagreement between the rubric and a label.
#[derive(Debug, Clone)]
pub struct Disagreement {
    pub id: String,
    pub check: CheckId,
    pub expected: bool,
    pub reply: String,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub items: usize,
    pub counts: BTreeMap<CheckId, Counts>,
    pub disagreements: Vec<Disagreement>,
    /// Lines that could not be read: (line number, message).
    pub bad_lines: Vec<(usize, String)>,
    /// Violations found where the label has them too: how many.
    pub violations_found: usize,
    /// Those of them the trainee would see without a suggested rewrite: (id, check, reply).
    pub without_rewrite: Vec<(String, CheckId, String)>,
}

impl EvalReport {
    pub fn macro_f1(&self) -> f64 {
        if self.counts.is_empty() {
            return 0.0;
        }
        self.counts.values().map(|c| c.f1()).sum::<f64>() / self.counts.len() as f64
    }
}

/// Items read, and the lines that could not be read: (line number, message).
pub type ReadItems = (Vec<Item>, Vec<(usize, String)>);

pub fn read_items(path: &Path) -> std::io::Result<ReadItems> {
    let f = std::fs::File::open(path)?;
    let mut items = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Item>(&line) {
            Ok(it) => {
                let missing: Vec<&str> = CheckId::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .filter(|c| !it.labels.contains_key(*c))
                    .collect();
                if missing.is_empty() {
                    items.push(it);
                } else {
                    bad.push((i + 1, format!("labels lack {}", missing.join(", "))));
                }
            }
            Err(e) => bad.push((i + 1, e.to_string())),
        }
    }
    Ok((items, bad))
}

pub fn evaluate(rubric: &Rubric, items: &[Item]) -> EvalReport {
    let mut r = EvalReport {
        items: items.len(),
        ..Default::default()
    };
    for c in CheckId::ALL {
        r.counts.insert(c, Counts::default());
    }
    for it in items {
        let d = rubric.detect(&it.reply, None);
        for c in CheckId::ALL {
            let want = it.labels.get(c.as_str()).copied().unwrap_or(false);
            let got = d.has(c);
            let k = r.counts.entry(c).or_default();
            match (want, got) {
                (true, true) => k.tp += 1,
                (false, true) => k.fp += 1,
                (true, false) => k.fn_ += 1,
                (false, false) => k.tn += 1,
            }
            if want && got && c.is_violation() {
                r.violations_found += 1;
                if suggest(rubric.def(c), &it.reply, d.evidence(c)).is_none() {
                    r.without_rewrite.push((it.id.clone(), c, it.reply.clone()));
                }
            }
            if want != got {
                r.disagreements.push(Disagreement {
                    id: it.id.clone(),
                    check: c,
                    expected: want,
                    reply: it.reply.clone(),
                    evidence: d.evidence(c).iter().map(|s| s.text.clone()).collect(),
                });
            }
        }
    }
    r
}

/// Print the table (and the disagreements unless `quiet`) to `out`.
pub fn print_report(
    out: &mut dyn Write,
    rubric: &Rubric,
    r: &EvalReport,
    quiet: bool,
) -> io::Result<()> {
    writeln!(
        out,
        "{:<18} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
        "check", "tp", "fp", "fn", "precision", "recall", "F1"
    )?;
    for (c, k) in &r.counts {
        writeln!(
            out,
            "{:<18} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}  {}",
            c.as_str(),
            k.tp,
            k.fp,
            k.fn_,
            k.precision(),
            k.recall(),
            k.f1(),
            rubric.label(*c)
        )?;
    }
    writeln!(
        out,
        "items {}  macro-F1 {:.3}  disagreements {}",
        r.items,
        r.macro_f1(),
        r.disagreements.len()
    )?;
    if r.violations_found > 0 {
        writeln!(
            out,
            "rewrites: {} of {} violations found (labelled too) get a suggested rewrite",
            r.violations_found - r.without_rewrite.len(),
            r.violations_found
        )?;
    }
    if !quiet {
        for (id, c, reply) in &r.without_rewrite {
            writeln!(out, "{id} {c} found, no rewrite: {reply}")?;
        }
        for d in &r.disagreements {
            let evidence = if d.evidence.is_empty() {
                String::new()
            } else {
                format!(" 「{}」", d.evidence.join("、"))
            };
            writeln!(
                out,
                "{} {} expected {} got {}{}: {}",
                d.id, d.check, d.expected, !d.expected, evidence, d.reply
            )?;
        }
    }
    out.flush()
}

pub fn run(a: EvalArgs) -> ExitCode {
    let rubric = match load_rubric(&a.common) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let (items, bad) = match read_items(&a.file) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{}: cannot read: {e}", a.file.display());
            return ExitCode::from(2);
        }
    };
    let mut r = evaluate(&rubric, &items);
    r.bad_lines = bad;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let printed = print_report(&mut out, &rubric, &r, a.quiet).and_then(|()| {
        if a.similarity {
            similarity_study(&mut out, &rubric, &super::scenario_dir(&a.common), &items)
        } else {
            Ok(())
        }
    });
    drop(out);
    // Bad input lines are told on stderr whatever became of stdout.
    for (n, e) in &r.bad_lines {
        eprintln!("line {n}: {e}");
    }
    match printed {
        Ok(()) => {}
        Err(e) if super::reader_gone(&e) => {}
        Err(e) => {
            eprintln!("eval: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    }
    if r.bad_lines.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Compare similarity measures: for each scenario node, which measure best ranks replies that
/// meet the node's expected checks (by label) above those that do not? Reports the mean AUC.
pub fn similarity_study(
    out: &mut dyn Write,
    rubric: &Rubric,
    dir: &Path,
    items: &[Item],
) -> io::Result<()> {
    use crate::rubric::similarity::{Measure, best};
    let (scenarios, _) = crate::scenario::load_dir(dir, rubric);
    writeln!(
        out,
        "\nsimilarity measures (AUC: P(similarity of a labelled-good reply > a labelled-poor one), per node, averaged)"
    )?;
    for m in Measure::ALL {
        let mut aucs = Vec::new();
        for s in &scenarios {
            for n in s
                .nodes
                .iter()
                .filter(|n| !n.is_ending() && !n.model_answers.is_empty())
            {
                let exp = n.expected();
                if exp.is_empty() {
                    continue;
                }
                let mut good = Vec::new();
                let mut poor = Vec::new();
                for it in items {
                    let met = exp
                        .iter()
                        .filter(|(c, _)| it.labels.get(c.as_str()).copied().unwrap_or(false))
                        .count();
                    let viol = CheckId::ALL.iter().any(|c| {
                        c.is_violation() && it.labels.get(c.as_str()).copied().unwrap_or(false)
                    });
                    let sim = best(m, &it.reply, &n.model_answers).0;
                    if met == exp.len() && !viol {
                        good.push(sim);
                    } else if met == 0 || viol {
                        poor.push(sim);
                    }
                }
                if good.is_empty() || poor.is_empty() {
                    continue;
                }
                let mut wins = 0.0;
                for g in &good {
                    for p in &poor {
                        wins += if g > p {
                            1.0
                        } else if g == p {
                            0.5
                        } else {
                            0.0
                        };
                    }
                }
                aucs.push(wins / (good.len() * poor.len()) as f64);
            }
        }
        let mean = if aucs.is_empty() {
            0.0
        } else {
            aucs.iter().sum::<f64>() / aucs.len() as f64
        };
        writeln!(
            out,
            "  {:<14} mean AUC {:.3} over {} nodes",
            m.name(),
            mean,
            aucs.len()
        )?;
    }
    out.flush()
}
