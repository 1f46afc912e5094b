//! `peilian drill PLAN --trainee NAME`: run a drill plan in the terminal.

use super::{DrillPlan, PlannedStep, plan_sessions, resolve};
use crate::cli::practice::{Style, practice_session};
use crate::cli::{DrillArgs, load_rubric, scenario_dir};
use crate::session::{SessionRecord, results_dir};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

/// How one step of the drill went.
struct StepResult {
    tries: Vec<SessionRecord>,
}

impl StepResult {
    fn best(&self) -> Option<&SessionRecord> {
        self.tries
            .iter()
            .filter(|r| r.finished)
            .max_by_key(|r| r.total)
    }
}

pub fn run(a: DrillArgs) -> ExitCode {
    let rubric = match load_rubric(&a.common) {
        Ok(r) => Arc::new(r),
        Err(c) => return c,
    };
    let trainee = a.trainee.trim().to_string();
    if trainee.is_empty() {
        eprintln!("--trainee needs a name (学员姓名不能为空)");
        return ExitCode::from(2);
    }
    let dir = scenario_dir(&a.common);
    let (scenarios, problems) = crate::scenario::load_dir(&dir, &rubric);
    for p in &problems {
        eprintln!("{p}");
    }
    let plan = match resolve(&a.plan, &dir, &scenarios) {
        Ok(p) => p,
        Err(ds) => {
            for d in ds {
                eprintln!("{d}");
            }
            return ExitCode::from(2);
        }
    };
    let seed = a.seed.unwrap_or(plan.seed);
    let steps = match plan_sessions(&plan, seed, &scenarios) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: {e}", plan.source.display());
            return ExitCode::from(2);
        }
    };
    let results = results_dir(a.results.as_deref());
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut input = stdin.lock();
    let st = Style::detect();

    print_header(st, &plan, seed, &trainee, steps.len());
    let mut done: Vec<StepResult> = Vec::new();
    let mut input_ended = false;
    'steps: for step in &steps {
        let mut res = StepResult { tries: Vec::new() };
        for attempt in 1..=plan.attempts {
            let planned = step.retry(attempt);
            println!();
            println!(
                "{}",
                st.bold(&format!(
                    "━━━ 第 {}/{} 关{} ━━━",
                    planned.drill.step,
                    planned.drill.of,
                    if plan.attempts > 1 {
                        format!("（第 {attempt}/{} 次）", plan.attempts)
                    } else {
                        String::new()
                    }
                ))
            );
            let rec = match practice_session(
                &rubric,
                Arc::clone(&planned.scenario),
                planned.seed,
                &trainee,
                planned.mode,
                results.clone(),
                &mut input,
                interactive,
                st,
                Some(planned.drill.clone()),
            ) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("{e}");
                    done.push(res);
                    return ExitCode::from(1);
                }
            };
            let finished = rec.finished;
            let passed = plan.passes(&rec);
            let total = rec.total;
            res.tries.push(rec);
            if !finished {
                input_ended = true;
                done.push(res);
                break 'steps;
            }
            if passed {
                println!(
                    "{}",
                    st.good(&format!(
                        "本关通过：{total} 分 ≥ 及格线 {} 分。",
                        plan.pass_mark
                    ))
                );
                break;
            }
            let left = plan.attempts - attempt;
            if left > 0 {
                println!(
                    "{}",
                    st.bad(&format!(
                        "本关未通过：{total} 分 < 及格线 {} 分。还有 {left} 次机会，同一位顾客再来一次。",
                        plan.pass_mark
                    ))
                );
            } else {
                println!(
                    "{}",
                    st.bad(&format!(
                        "本关未通过：{total} 分 < 及格线 {} 分。",
                        plan.pass_mark
                    ))
                );
            }
        }
        done.push(res);
    }
    let mut out = std::io::stdout().lock();
    let _ = print_summary(&mut out, st, &plan, &steps, &done, input_ended);
    ExitCode::SUCCESS
}

fn print_header(st: Style, plan: &DrillPlan, seed: u64, trainee: &str, n: usize) {
    println!(
        "{}",
        st.bold(&format!(
            "══════ 训练计划 {}（{}）══════",
            plan.title, plan.name
        ))
    );
    if !plan.about.is_empty() {
        println!("{}", plan.about);
    }
    println!(
        "学员 {trainee}   共 {n} 关   {}   及格线 {} 分   每关最多 {} 次{}   种子 seed {seed}",
        crate::session::Mode::from(plan.mode).label(),
        plan.pass_mark,
        plan.attempts,
        plan.target_seconds
            .map(|t| format!("   每条回复 {t:.0} 秒内"))
            .unwrap_or_default(),
    );
}

fn print_summary(
    out: &mut impl Write,
    st: Style,
    plan: &DrillPlan,
    steps: &[PlannedStep],
    done: &[StepResult],
    input_ended: bool,
) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        st.bold(&format!("══════ 训练小结 {} ══════", plan.title))
    )?;
    let mut passed = 0;
    for (i, step) in steps.iter().enumerate() {
        let title = format!("{}（{}）", step.scenario.title, step.scenario.id);
        let line = match done.get(i) {
            None => st.dim(&format!("  第{}关 {title}  未开始", i + 1)),
            Some(r) => {
                let best = r.best();
                let ok = best.is_some_and(|b| plan.passes(b));
                if ok {
                    passed += 1;
                }
                let status = match (ok, best) {
                    (true, _) => st.good("通过"),
                    (false, Some(_)) => st.bad("未通过"),
                    (false, None) => st.bad("未完成"),
                };
                let scores: Vec<String> = r
                    .tries
                    .iter()
                    .map(|t| {
                        if t.finished {
                            t.total.to_string()
                        } else {
                            "未完成".into()
                        }
                    })
                    .collect();
                format!(
                    "  第{}关 {title}  {status}  最高 {} 分  （{} 次：{}）",
                    i + 1,
                    best.map(|b| b.total.to_string())
                        .unwrap_or_else(|| "—".into()),
                    r.tries.len(),
                    scores.join(" / ")
                )
            }
        };
        writeln!(out, "{line}")?;
    }
    let all = passed == steps.len();
    writeln!(
        out,
        "通过 {passed}/{} 关，及格线 {} 分：{}",
        steps.len(),
        plan.pass_mark,
        if all {
            st.good("训练通过")
        } else {
            st.bad("训练未通过")
        }
    )?;
    if input_ended {
        writeln!(out, "{}", st.dim("输入结束，训练没有做完；做完的部分已经保存。(input ended before the drill was done)"))?;
    }
    Ok(())
}
