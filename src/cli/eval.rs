//! `peilian eval`: how well the rubric agrees with labelled replies.

use super::{EvalArgs, load_rubric};
use crate::rubric::{CheckId, Detection, Rubric, Scratch, suggest};
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
    let mut items = Vec::new();
    // Bad lines, told with their file when there are several.
    let mut bad = Vec::new();
    for file in &a.files {
        match read_items(file) {
            Ok((mut it, b)) => {
                items.append(&mut it);
                let name = file.display();
                bad.extend(b.into_iter().map(|(n, e)| match a.files.len() {
                    1 => format!("line {n}: {e}"),
                    _ => format!("{name}:{n}: {e}"),
                }));
            }
            Err(e) => {
                for b in &bad {
                    eprintln!("{b}");
                }
                eprintln!("{}: cannot read: {e}", file.display());
                return ExitCode::from(2);
            }
        }
    }
    let r = evaluate(&rubric, &items);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let printed = print_report(&mut out, &rubric, &r, a.quiet).and_then(|()| {
        if a.similarity {
            similarity_study(&mut out, &rubric, &super::scenario_dir(&a.common), &items)
        } else {
            Ok(())
        }
    });
    // Parts that could not be judged (a rubric that no longer compiles without one).
    let mut unjudged = Vec::new();
    let printed = printed.and_then(|()| {
        if a.ablate {
            let (effects, failed) = ablate(&rubric, &items);
            unjudged = failed;
            print_ablation(&mut out, &effects, unjudged.len())
        } else {
            Ok(())
        }
    });
    let printed = printed.and_then(|()| out.flush());
    drop(out);
    // Bad input lines are told on stderr whatever became of stdout.
    for e in &bad {
        eprintln!("{e}");
    }
    match printed {
        Ok(()) => {}
        Err(e) if super::reader_gone(&e) => {}
        Err(e) => {
            eprintln!("eval: cannot write the report: {e}");
            return ExitCode::from(2);
        }
    }
    for e in &unjudged {
        eprintln!("ablate: {e}");
    }
    if !unjudged.is_empty() {
        ExitCode::from(2)
    } else if bad.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// What one rule part alone does on a corpus: labels it gets right that nothing else would,
/// and labels it gets wrong that would otherwise be right (over every check, since a check may
/// withdraw another).
#[derive(Debug, Clone, PartialEq)]
pub struct PartEffect {
    pub check: CheckId,
    /// The part's index in `Rule::parts` of its check.
    pub part: usize,
    pub name: String,
    pub helps: u32,
    pub hurts: u32,
}

impl PartEffect {
    /// Labels the part earns, net: what leaving it out adds to the wrong labels.
    pub fn net(&self) -> i64 {
        i64::from(self.helps) - i64::from(self.hurts)
    }
}

/// One bit per check, bit `i` for `CheckId::ALL[i]`: set where `on` says so.
fn check_bits(on: impl Fn(CheckId) -> bool) -> u32 {
    const _: () = assert!(CheckId::COUNT <= 32);
    CheckId::ALL
        .iter()
        .enumerate()
        .fold(0, |m, (i, c)| m | (u32::from(on(*c)) << i))
}

/// Every rule part of every check, left out in turn (see `Rubric::without_part`), against the
/// labelled items: the effects in rubric order, and a message for each part that could not be
/// judged. Parts are shared out over the machine's cores.
pub fn ablate(rubric: &Rubric, items: &[Item]) -> (Vec<PartEffect>, Vec<String>) {
    // What a rubric finds, and what the labels say, one bit per check (presence only, so no
    // evidence is built).
    let detect_all = |rb: &Rubric| -> Vec<u32> {
        let (mut scratch, mut det) = (Scratch::default(), Detection::default());
        items
            .iter()
            .map(|it| {
                rb.detect_with(&it.reply, None, &mut scratch, &mut det, false);
                check_bits(|c| det.has(c))
            })
            .collect()
    };
    let labels: Vec<u32> = items
        .iter()
        .map(|it| check_bits(|c| it.labels.get(c.as_str()).copied().unwrap_or(false)))
        .collect();
    let base = detect_all(rubric);
    let mut jobs = Vec::new();
    for c in CheckId::ALL {
        for (k, p) in rubric.def(c).rule.parts().iter().enumerate() {
            jobs.push((c, k, p.describe()));
        }
    }
    let judge = |(check, part, name): &(CheckId, usize, String)| -> Result<PartEffect, String> {
        let without = match rubric.without_part(*check, *part) {
            Some(Ok(r)) => r,
            Some(Err(e)) => return Err(format!("{check} part {part} ({name}): {e}")),
            None => return Err(format!("{check} has no part {part}")),
        };
        let (mut helps, mut hurts) = (0, 0);
        for ((with, without), lab) in base.iter().zip(detect_all(&without)).zip(&labels) {
            let (wrong_with, wrong_without) = (with ^ lab, without ^ lab);
            helps += (wrong_without & !wrong_with).count_ones();
            hurts += (wrong_with & !wrong_without).count_ones();
        }
        Ok(PartEffect {
            check: *check,
            part: *part,
            name: name.clone(),
            helps,
            hurts,
        })
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = jobs.len().div_ceil(threads).max(1);
    let results: Vec<Result<PartEffect, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(judge).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(r) => r,
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    });
    let mut effects = Vec::new();
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(e) => effects.push(e),
            Err(e) => failed.push(e),
        }
    }
    (effects, failed)
}

/// The ablation table: each part with an effect (grouped by check, most useful first), then
/// the counts of parts that help, hurt or do nothing on this corpus, and of any left unjudged.
pub fn print_ablation(
    out: &mut dyn Write,
    effects: &[PartEffect],
    unjudged: usize,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "ablation: each rule part left out in turn (helps = labels only it gets right, hurts = labels only it gets wrong)"
    )?;
    writeln!(
        out,
        "{:<16} {:>5} {:>6} {:>6} {:>5}  part",
        "check", "part", "helps", "hurts", "net"
    )?;
    let mut shown: Vec<&PartEffect> = effects.iter().filter(|e| e.helps + e.hurts > 0).collect();
    shown.sort_by_key(|e| (e.check.index(), -e.net(), e.part));
    for e in &shown {
        writeln!(
            out,
            "{:<16} {:>5} {:>6} {:>6} {:>+5}  {}",
            e.check.as_str(),
            e.part,
            e.helps,
            e.hurts,
            e.net(),
            e.name
        )?;
    }
    let none = effects.len() - shown.len();
    let helps = shown.iter().filter(|e| e.net() > 0).count();
    let hurts = shown.iter().filter(|e| e.net() < 0).count();
    writeln!(
        out,
        "parts {}  with no effect here {}  net help {}  net harm {}  even {}{}",
        effects.len(),
        none,
        helps,
        hurts,
        shown.len() - helps - hurts,
        match unjudged {
            0 => String::new(),
            n => format!("  ({n} more could not be judged: see stderr)"),
        }
    )?;
    out.flush()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::Rule;

    /// The built-in rubric cut down to the first two parts of every check: small enough to
    /// leave each part out in turn in a unit test.
    fn small_rubric() -> Rubric {
        let mut file = Rubric::builtin().file.clone();
        for def in &mut file.checks {
            let parts: Vec<Rule> = def.rule.parts().into_iter().take(2).cloned().collect();
            def.rule = Rule::AnyOf(parts);
        }
        let src = ron::ser::to_string(&file).expect("serialise the rubric");
        Rubric::from_str(&src, Path::new("small.ron")).expect("the cut-down rubric loads")
    }

    /// `without_part` numbers parts as `Rule::parts` does, through a nested `AnyOf` and for a
    /// check whose rule is a single part.
    #[test]
    fn without_part_leaves_out_exactly_the_numbered_part() {
        let mut file = Rubric::builtin().file.clone();
        let apology = file
            .checks
            .iter_mut()
            .find(|d| d.id == "apology")
            .expect("apology");
        let p: Vec<Rule> = apology.rule.parts().into_iter().take(4).cloned().collect();
        apology.rule = Rule::AnyOf(vec![
            p[0].clone(),
            Rule::AnyOf(vec![p[1].clone(), p[2].clone()]),
            p[3].clone(),
        ]);
        let greeting = file
            .checks
            .iter_mut()
            .find(|d| d.id == "greeting")
            .expect("greeting");
        greeting.rule = greeting.rule.parts()[0].clone();
        let src = ron::ser::to_string(&file).expect("serialise");
        let rb = Rubric::from_str(&src, Path::new("nested.ron")).expect("loads");
        let names = |r: &Rubric, c: CheckId| -> Vec<String> {
            r.def(c)
                .rule
                .parts()
                .iter()
                .map(|p| format!("{p:?}"))
                .collect()
        };
        let all = names(&rb, CheckId::Apology);
        assert_eq!(all.len(), 4);
        for k in 0..4 {
            let without = rb
                .without_part(CheckId::Apology, k)
                .expect("part exists")
                .expect("compiles");
            let mut want = all.clone();
            want.remove(k);
            assert_eq!(names(&without, CheckId::Apology), want, "part {k}");
        }
        assert!(rb.without_part(CheckId::Apology, 4).is_none());
        let single = rb
            .without_part(CheckId::Greeting, 0)
            .expect("the single part")
            .expect("compiles");
        assert!(names(&single, CheckId::Greeting).is_empty());
        assert!(!single.detect("您好", None).has(CheckId::Greeting));
        assert!(rb.detect("您好", None).has(CheckId::Greeting));
        assert!(rb.without_part(CheckId::Greeting, 1).is_none());
    }

    fn item(id: &str, reply: &str, labels: &[&str]) -> Item {
        Item {
            id: id.to_string(),
            reply: reply.to_string(),
            labels: CheckId::ALL
                .iter()
                .map(|c| (c.as_str().to_string(), labels.contains(&c.as_str())))
                .collect(),
        }
    }

    fn wrong(rb: &Rubric, items: &[Item]) -> i64 {
        let r = evaluate(rb, items);
        r.counts.values().map(|c| i64::from(c.fp + c.fn_)).sum()
    }

    #[test]
    fn ablation_credits_each_part_with_what_it_alone_gets_right_and_wrong() {
        let rb = small_rubric();
        let items = [
            // The first apology part finds it, and nothing else would.
            item("a", "非常抱歉", &["apology"]),
            // Labelled no apology: the same part gets it wrong.
            item("b", "抱歉抱歉", &[]),
            // Mocked: the part's own exception keeps it out, so leaving the part out changes nothing.
            item("c", "抱歉有什么用", &[]),
        ];
        let (effects, failed) = ablate(&rb, &items);
        assert!(failed.is_empty(), "{failed:?}");
        let parts: usize = rb.file.checks.iter().map(|d| d.rule.parts().len()).sum();
        assert_eq!(effects.len(), parts, "every part is judged");
        let apology: Vec<&PartEffect> = effects
            .iter()
            .filter(|e| e.check == CheckId::Apology)
            .collect();
        assert_eq!(apology.len(), 2, "two apology parts are judged");
        assert_eq!((apology[0].helps, apology[0].hurts), (1, 1));
        assert!(
            apology[0].name.starts_with("Phrases 抱歉"),
            "{}",
            apology[0].name
        );
        // Every part's net effect is what leaving it out does to the count of wrong labels.
        let base = wrong(&rb, &items);
        for e in &effects {
            let without = rb
                .without_part(e.check, e.part)
                .expect("the part exists")
                .expect("compiles");
            assert_eq!(
                wrong(&without, &items) - base,
                e.net(),
                "{} part {}",
                e.check,
                e.part
            );
        }
        assert!(
            rb.without_part(CheckId::Apology, 2).is_none(),
            "no third part"
        );
        let mut out = Vec::new();
        print_ablation(&mut out, &effects, 0).expect("print");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.lines()
                .any(|l| l.starts_with("apology") && l.contains("Phrases 抱歉")),
            "the apology part's row: {text}"
        );
        assert!(
            text.contains(&format!("parts {}", effects.len())),
            "the summary counts every part: {text}"
        );
    }
}
