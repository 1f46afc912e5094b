//! Terminal practice: the customer's lines, the trainee's replies, feedback, the final report.

use super::{PracticeArgs, ScenariosArgs, load_rubric, scenario_dir};
use crate::catalog::{default_trainee, random_seed};
use crate::scenario::{self, Scenario};
use crate::session::store::probe_writable;
use crate::session::{Mode, results_dir};
use crate::term::{Input, Replies, Style, pad, practice_session, stdin_replies};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// `peilian scenarios`
pub fn list(a: ScenariosArgs) -> ExitCode {
    let rubric = match load_rubric(&a.common) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let dir = scenario_dir(&a.common);
    let shop = match crate::catalog::load_shop(&a.common.sources()) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let loaded = scenario::load_dir_in(&dir, &rubric, shop.as_ref());
    let (all, problems) = (loaded.scenarios, loaded.problems);
    for p in &problems {
        eprintln!("{p}");
    }
    if all.is_empty() {
        eprintln!("no scenarios found in {}", dir.display());
        return ExitCode::from(2);
    }
    // Written at once, so a reader that stops early (| head) ends the listing quietly.
    let mut o = String::new();
    if let Some(p) = &shop {
        o += &format!(
            "店铺 shop: {}（{}）· 本店能练 {} 个场景{}\n",
            p.name,
            p.id,
            all.len(),
            if loaded.not_stocked.is_empty() {
                String::new()
            } else {
                format!(
                    "；{} 个需要本店没有的商品，未列出：{}",
                    loaded.not_stocked.len(),
                    loaded
                        .not_stocked
                        .iter()
                        .map(|(id, need)| format!("{id}（{need}）"))
                        .collect::<Vec<_>>()
                        .join("、")
                )
            }
        );
    }
    o += &format!(
        "{} {} {} 标题 / brief\n",
        pad("id", 26),
        pad("类型", 10),
        pad("难度", 6)
    );
    for s in &all {
        o += &format!(
            "{} {} {} {} — {}  [{}·{}]\n",
            pad(&s.id, 26),
            pad(s.persona.kind.label(), 10),
            pad(&"★".repeat(s.difficulty as usize), 6),
            s.title,
            s.brief,
            s.shop.name,
            s.shop.product
        );
    }
    // The drill plans next to them, so they can be found from the terminal too.
    let plans_dir = crate::drill::plans_dir(&dir);
    if plans_dir.is_dir() {
        let (plans, mut plan_problems) = crate::drill::load_plans(&plans_dir, &all);
        if let Some(p) = &shop
            && !plan_problems.is_empty()
        {
            // Plans that need scenarios this shop does not sell are not errors here.
            o += &format!(
                "（{} 的部分训练计划要用本店没有的场景，未列出；`peilian check` 检查计划本身）\n",
                p.name
            );
            plan_problems.clear();
        }
        for p in &plan_problems {
            eprintln!("{p}");
        }
        if !plans.is_empty() {
            o.push('\n');
            o += "训练计划 drill plans（peilian drill NAME --trainee 姓名，或在窗口的场景列表里选）\n";
            for p in &plans {
                o += &format!(
                    "{} {}  {} 关 · {} · 及格 {} 分 · 每关 {} 次{}\n",
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
            emit(&o);
            return ExitCode::from(1);
        }
    }
    emit(&o);
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Write a listing to stdout; a reader that closed the pipe early (`| head`) is no error.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && !super::reader_gone(&e)
    {
        eprintln!("scenarios: cannot write the list: {e}");
    }
}

fn choose_scenario(all: &[Scenario], input: &mut dyn Replies) -> Option<Scenario> {
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
        let _ = std::io::stdout().flush();
        let Input::Line(line) = input.read("编号 number> ") else {
            return None;
        };
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
    let results = results_dir(a.results.as_deref());
    // Before anything is played: the results folder must take files.
    if let Err(e) = probe_writable(&results) {
        eprintln!(
            "结果文件夹无法写入，对话没有开始。(the results folder cannot be written; nothing was started)\n{e}"
        );
        eprintln!("(choose another folder with --results DIR or $PEILIAN_RESULTS)");
        return ExitCode::from(2);
    }
    let shop = match crate::catalog::load_shop(&a.common.sources()) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let mut input = stdin_replies();
    let st = Style::detect();

    let scenario = match &a.scenario {
        Some(name) => match scenario::resolve_in(name, &dir, &rubric, shop.as_ref()) {
            Ok(s) => s,
            Err(ds) => {
                for d in ds {
                    eprintln!("{d}");
                }
                return ExitCode::from(2);
            }
        },
        None => {
            let loaded = scenario::load_dir_in(&dir, &rubric, shop.as_ref());
            let (all, problems) = (loaded.scenarios, loaded.problems);
            for p in problems {
                eprintln!("{p}");
            }
            if all.is_empty() {
                eprintln!("no scenarios found in {}", dir.display());
                return ExitCode::from(2);
            }
            match choose_scenario(&all, input.as_mut()) {
                Some(s) => s,
                None => {
                    eprintln!("没有选择场景，已退出。(no scenario chosen)");
                    return ExitCode::SUCCESS;
                }
            }
        }
    };
    // A replay script: one reply per line, shop placeholders ({price}, {courier}…) filled
    // from the shop being played.
    if let Some(path) = &a.script {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let filled: String = text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| scenario.fill(l) + "\n")
                    .collect();
                input = Box::new(crate::term::PlainLines::new(std::io::Cursor::new(
                    filled.into_bytes(),
                )));
            }
            Err(e) => {
                eprintln!("{}: cannot read script: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let seed = a.seed.unwrap_or_else(random_seed);
    let trainee = a.trainee.clone().unwrap_or_else(default_trainee);
    let mode = if a.exam { Mode::Exam } else { Mode::Practice };
    let code = practice_session(
        &rubric,
        Arc::new(scenario),
        seed,
        &trainee,
        mode,
        results,
        input.as_mut(),
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
