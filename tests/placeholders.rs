//! Placeholders (`{price}`, `{free_shipping_over}` …) are filled in everything a trainee sees
//! — customer lines, model answers, hints, verdicts, result files — and `check` points at
//! unknown ones and ones the shop has no value for.

use peilian::rubric::Rubric;
use peilian::scenario::{self, Scenario};
use peilian::session::{Mode, Session};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

fn phone_case(rubric: &Rubric) -> Scenario {
    scenario::resolve("haggler-phone-case", Path::new("scenarios"), rubric)
        .unwrap_or_else(|d| panic!("{d:?}"))
}

#[test]
fn loaded_scenarios_hold_filled_text() {
    let rubric = Rubric::builtin();
    let (all, problems) = scenario::load_dir(Path::new("scenarios"), &rubric);
    assert!(problems.is_empty(), "{problems:?}");
    for s in &all {
        let mut texts = vec![
            s.brief.clone(),
            s.shop.returns.clone(),
            s.shop.shipping.clone(),
        ];
        for n in &s.nodes {
            texts.extend(n.lines.iter().cloned());
            texts.extend(n.model_answers.iter().cloned());
            texts.push(n.hint.clone());
        }
        for t in texts {
            for p in scenario::PLACEHOLDERS {
                assert!(
                    !t.contains(&format!("{{{p}}}")),
                    "{}: raw placeholder in「{t}」",
                    s.id
                );
            }
        }
    }
    let s = phone_case(&rubric);
    let node = s.node("shipping").expect("node `shipping`");
    assert!(
        node.model_answers[0].contains("满59元包邮"),
        "{}",
        node.model_answers[0]
    );
}

#[test]
fn verdicts_and_result_records_carry_filled_model_answers() {
    let rubric = Rubric::builtin();
    let s = Arc::new(phone_case(&rubric));
    let mut session = Session::start(s.clone(), &rubric, 1, "t", Mode::Practice, "test");
    // Walk to the `shipping` node with the exemplary first reply, then answer it badly so
    // the verdict offers a model answer.
    let script = std::fs::read_to_string("tests/scripts/haggler-phone-case.good.txt").unwrap();
    let first = script.lines().next().unwrap();
    let mut guard = 0;
    while session.current_node().id != "shipping" && !session.is_over() && guard < 5 {
        session.reply(&rubric, first, 5.0).expect("reply");
        guard += 1;
    }
    assert_eq!(
        session.current_node().id,
        "shipping",
        "reached the shipping node"
    );
    let t = session.reply(&rubric, "不包邮", 5.0).expect("reply").turn;
    let answer = t
        .verdict
        .closest_answer
        .clone()
        .expect("a model answer is offered");
    assert!(answer.contains("满59"), "filled: {answer}");
    let json = serde_json::to_string(&session.record).unwrap();
    assert!(!json.contains("{free_shipping_over}"), "{json}");
}

#[test]
fn check_points_at_unknown_and_valueless_placeholders() {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("placeholders-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("shops")).unwrap();
    let src = std::fs::read_to_string("scenarios/haggler-phone-case.ron").unwrap();
    // A team's shop with no free-shipping threshold, and a misspelt placeholder in a customer
    // line.
    let shop = std::fs::read_to_string("scenarios/shops/digital.ron").unwrap();
    let shop: String = shop
        .lines()
        .filter(|l| !l.trim_start().starts_with("free_shipping_over:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("shops/digital.ron"), shop).unwrap();
    let src = src.replacen(
        "那包邮总行吧？",
        "那包邮总行吧？{prise}块呢{?nosuchtopic:运费谁出？}",
        1,
    );
    assert!(src.contains("{prise}"));
    let file = dir.join("bad.ron");
    std::fs::write(&file, &src).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .arg("check")
        .arg(&file)
        .output()
        .expect("check runs");
    assert_eq!(out.status.code(), Some(1), "problems found");
    let text = String::from_utf8_lossy(&out.stdout);
    let place = |needle: &str, nth: usize| {
        let (l, line) = src
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .nth(nth)
            .expect("needle in source");
        let col = line[..line.find(needle).unwrap()].chars().count() + 1;
        format!("{}:{}:{}:", file.display(), l + 1, col)
    };
    let unknown = format!(
        "{} placeholder `{{prise}}`: shop profile `digital` ({}), product `phone_case` has no fact `prise`",
        place("{prise}", 0),
        dir.join("shops/digital.ron").display()
    );
    assert!(text.contains(&unknown), "want {unknown}\n{text}");
    let missing = format!(
        "{} placeholder `{{free_shipping_over}}` but shop profile `digital`",
        place("{free_shipping_over}", 0)
    );
    assert!(text.contains(&missing), "want {missing}\n{text}");
    // Round 57: a told slot names a listening topic.
    let told = format!(
        "{} told slot `{{?nosuchtopic:运费谁出？}}`: `nosuchtopic` is not a listening topic",
        place("{?nosuchtopic", 0)
    );
    assert!(text.contains(&told), "want {told}\n{text}");
    // One report per placeholder, wherever it stands in the file.
    let uses = src.matches("{free_shipping_over}").count();
    assert!(uses >= 2);
    assert_eq!(
        text.matches("placeholder `{free_shipping_over}`").count(),
        uses,
        "{text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
