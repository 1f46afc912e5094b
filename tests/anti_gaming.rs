//! One keyword-stuffed paragraph pasted at every turn must not pass: across every shipped
//! scenario and every drill, three seeds each, every such session ends below 60 and never
//! 成交/已解决. The paragraphs are written to hit as many expected checks as possible (sales and
//! after-sales flavours), plus each scenario's own first model answer.

use peilian::drill;
use peilian::rubric::Rubric;
use peilian::scenario::{self, Scenario};
use peilian::session::{Mode, Session, SessionRecord};
use std::path::Path;
use std::sync::Arc;

const STUFFED: &[&str] = &[
    // After-sales: apology, empathy, remedy as a choice, a time frame, closing.
    "亲您好，非常抱歉给您添麻烦了，理解您的心情，换做是我也会着急。这边马上帮您处理，预计今天给您答复，您看是补发还是退款呢？感谢您的耐心，祝您生活愉快！",
    // Sales: greeting, empathy, value, a choice, a gentle push, closing.
    "您好亲，在的～理解您的顾虑，很多顾客一开始也这么想。我们家用料扎实做工好，一分钱一分货，售后有保障，七天无理由退换。您是自己用还是送人？喜欢黑色还是白色？现在下单今天就能发货，感谢您的支持，祝您购物愉快！",
    // Everything at once, unpunctuated, as real agents paste it.
    "亲亲您好 很高兴为您服务 抱歉让您久等了 您的心情小妹非常理解 这边已经帮您登记加急处理 可以给您补发或者退款 您看哪个方便呢 预计24小时内给您回复 有问题随时联系小妹 祝您生活愉快",
];

fn shipped(rubric: &Rubric) -> Vec<Scenario> {
    let (all, problems) = scenario::load_dir(Path::new("scenarios"), rubric);
    assert!(problems.is_empty(), "{problems:?}");
    all
}

/// Send `paragraph` at every turn until the session ends (at most 40 turns).
fn paste(
    rubric: &Rubric,
    s: Arc<Scenario>,
    seed: u64,
    mode: Mode,
    paragraph: &str,
) -> SessionRecord {
    let mut sess = Session::start(s, rubric, seed, "lazy", mode, "test");
    for _ in 0..40 {
        if sess.is_over() {
            break;
        }
        sess.reply(rubric, paragraph, 8.0).expect("reply accepted");
    }
    sess.record
}

fn judge(r: &SessionRecord, what: &str, failures: &mut Vec<String>) {
    let good = r.outcome.is_some_and(|o| o.is_good());
    if !r.finished || r.total >= 60 || good {
        failures.push(format!(
            "{what}: finished {} total {} outcome {:?} after {} turns",
            r.finished,
            r.total,
            r.outcome,
            r.turns.len()
        ));
    }
}

#[test]
fn a_pasted_paragraph_passes_no_scenario() {
    let rubric = Rubric::builtin();
    let mut failures = Vec::new();
    let mut sessions = 0;
    for s in shipped(&rubric) {
        let s = Arc::new(s);
        let own = s.nodes[s.node_index(&s.start).expect("start")].model_answers[0].clone();
        let mut paragraphs: Vec<String> = STUFFED.iter().map(|p| p.to_string()).collect();
        paragraphs.push(own);
        for (i, p) in paragraphs.iter().enumerate() {
            for seed in [1, 2, 3] {
                let r = paste(&rubric, Arc::clone(&s), seed, Mode::Practice, p);
                judge(
                    &r,
                    &format!("{} paragraph {i} seed {seed}", s.id),
                    &mut failures,
                );
                sessions += 1;
            }
        }
    }
    assert!(sessions >= 9 * 4 * 3);
    assert!(
        failures.is_empty(),
        "{} of {sessions} lazy sessions passed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_pasted_paragraph_passes_no_drill_step() {
    let rubric = Rubric::builtin();
    let all = shipped(&rubric);
    let (plans, problems) = drill::load_plans(Path::new("scenarios/drills"), &all);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(!plans.is_empty());
    let mut failures = Vec::new();
    for plan in &plans {
        for seed in [plan.seed, plan.seed + 1, plan.seed + 2] {
            let steps = drill::plan_sessions(plan, seed, &all).expect("plan");
            for p in STUFFED {
                for step in &steps {
                    let r = paste(&rubric, Arc::clone(&step.scenario), step.seed, step.mode, p);
                    let what = format!("drill {} seed {seed} step {}", plan.name, step.drill.step);
                    judge(&r, &what, &mut failures);
                    if plan.passes(&r) {
                        failures.push(format!("{what}: passes the plan's mark {}", plan.pass_mark));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
