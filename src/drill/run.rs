//! `peilian drill PLAN --trainee NAME`: run a drill plan in the terminal.

use super::{DrillPlan, DrillRun, Move, resolve};
use crate::catalog::{Sources, load_rubric, scenario_dir};
use crate::session::results_dir;
use crate::term::{Style, practice_session, stdin_replies};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// What `peilian drill` is run with.
#[derive(Debug, Clone, Default)]
pub struct DrillOptions {
    /// Drill plan: a path to a .ron plan or its name under scenarios/drills/.
    pub plan: String,
    pub trainee: String,
    pub results: Option<PathBuf>,
    /// Override the plan's seed.
    pub seed: Option<u64>,
    pub sources: Sources,
}

pub fn run(a: DrillOptions) -> ExitCode {
    let rubric = match load_rubric(&a.sources) {
        Ok(r) => Arc::new(r),
        Err(c) => return c,
    };
    let trainee = match crate::catalog::check_trainee(&a.trainee) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("--trainee: {e}");
            return ExitCode::from(2);
        }
    };
    let dir = scenario_dir(&a.sources);
    let (mut scenarios, problems) = crate::scenario::load_dir(&dir, &rubric);
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
    // The plan's shop, or the one named with --shop: the same customers in the team's shop.
    let shop_name = a.sources.shop.clone().or(plan.shop.clone());
    if let Some(name) = shop_name {
        let shop = match crate::scenario::shop::resolve(&name, &dir) {
            Ok(p) => p,
            Err(ds) => {
                for d in ds {
                    eprintln!("{d}");
                }
                return ExitCode::from(2);
            }
        };
        let loaded = crate::scenario::load_dir_in(&dir, &rubric, Some(&shop));
        println!("店铺 shop: {}（{}）", shop.name, shop.id);
        scenarios = loaded.scenarios;
    }
    let seed = a.seed.unwrap_or(plan.seed);
    let plan_source = plan.source.clone();
    let mut drill = match DrillRun::new(plan, seed, &scenarios) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", plan_source.display());
            return ExitCode::from(2);
        }
    };
    let results = results_dir(a.results.as_deref());
    // Before anything is played: the results folder must take files.
    if let Err(e) = crate::session::store::probe_writable(&results) {
        eprintln!(
            "结果文件夹无法写入，训练没有开始。(the results folder cannot be written; nothing was started)\n{e}"
        );
        eprintln!("(choose another folder with --results DIR or $PEILIAN_RESULTS)");
        return ExitCode::from(2);
    }
    let mut input = stdin_replies();
    let st = Style::detect();

    print_header(st, &drill.plan, seed, &trainee, drill.steps.len());
    let mut input_ended = false;
    let mut planned = drill.session();
    loop {
        let plan = &drill.plan;
        println!();
        println!(
            "{}",
            st.bold(&format!(
                "━━━ 第 {}/{} 关{} ━━━",
                planned.drill.step,
                planned.drill.of,
                if plan.attempts > 1 {
                    format!("（第 {}/{} 次）", planned.drill.attempt, plan.attempts)
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
            input.as_mut(),
            st,
            Some(planned.drill.clone()),
        ) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        drill.record(&rec, None);
        if !rec.finished {
            // Out of input: stop here; what was played is saved.
            input_ended = true;
            break;
        }
        let (total, mark) = (rec.total, drill.plan.pass_mark);
        if drill.plan.passes(&rec) {
            println!(
                "{}",
                st.good(&format!("本关通过：{total} 分 ≥ 及格线 {mark} 分。"))
            );
        } else if let Some(Move::Retry(attempt)) = drill.next_move() {
            println!(
                "{}",
                st.bad(&format!(
                    "本关未通过：{total} 分 < 及格线 {mark} 分。还有 {} 次机会，同一位顾客再来一次。",
                    drill.plan.attempts + 1 - attempt
                ))
            );
        } else {
            println!(
                "{}",
                st.bad(&format!("本关未通过：{total} 分 < 及格线 {mark} 分。"))
            );
        }
        match drill.advance() {
            Some(next) => planned = next,
            None => break,
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = print_summary(&mut out, st, &drill, input_ended);
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
        "学员 {}   共 {n} 关   {}   及格线 {} 分   每关最多 {} 次{}   种子 seed {seed}",
        crate::catalog::display_name(trainee),
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
    drill: &DrillRun,
    input_ended: bool,
) -> std::io::Result<()> {
    let plan = &drill.plan;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        st.bold(&format!("══════ 训练小结 {} ══════", plan.title))
    )?;
    for (i, step) in drill.steps.iter().enumerate() {
        let title = format!("{}（{}）", step.scenario.title, step.scenario.id);
        let tries = &drill.tries[i];
        let line = if tries.is_empty() {
            st.dim(&format!("  第{}关 {title}  未开始", i + 1))
        } else {
            let best = drill.best(i);
            let status = match (drill.step_passed(i), best) {
                (true, _) => st.good("通过"),
                (false, Some(_)) => st.bad("未通过"),
                (false, None) => st.bad("未完成"),
            };
            let scores: Vec<String> = tries
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
                tries.len(),
                scores.join(" / ")
            )
        };
        writeln!(out, "{line}")?;
    }
    let passed = drill.passed_steps();
    writeln!(
        out,
        "通过 {passed}/{} 关，及格线 {} 分：{}",
        drill.steps.len(),
        plan.pass_mark,
        if drill.passed() {
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
