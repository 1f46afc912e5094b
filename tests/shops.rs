//! Shop profiles: every shipped scenario played in every shop that stocks it shows no
//! unfilled placeholder anywhere a person reads (customer lines, model answers, hints, the
//! result file, the HTML report); the same scenario in two shops is two different customers;
//! `check` names a fact a shop lacks with `file:line:col`; `--shop` works from the command line.

use peilian::report::{Entry, render_html};
use peilian::rubric::Rubric;
use peilian::scenario::{self, Scenario, shop};
use peilian::session::{Mode, Session, SessionRecord};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

fn profiles() -> Vec<shop::ShopProfile> {
    let (p, problems) = shop::load_dir(Path::new("scenarios/shops"));
    assert!(problems.is_empty(), "{problems:?}");
    p
}

/// Any `{name}` left where name is a shop placeholder or fact of any shipped shop.
fn unfilled(text: &str, names: &[String]) -> Option<String> {
    names
        .iter()
        .map(|n| format!("{{{n}}}"))
        .find(|p| text.contains(p.as_str()))
}

fn shop_names(profiles: &[shop::ShopProfile]) -> Vec<String> {
    let mut v: Vec<String> = scenario::PLACEHOLDERS
        .iter()
        .map(|s| s.to_string())
        .collect();
    for p in profiles {
        v.extend(p.facts.keys().cloned());
        for prod in &p.products {
            v.extend(prod.facts.keys().cloned());
        }
    }
    v.sort();
    v.dedup();
    v
}

fn play(rubric: &Rubric, s: &Scenario, seed: u64, kind: &str) -> SessionRecord {
    let script = std::fs::read_to_string(format!("tests/scripts/{}.{kind}.txt", s.id))
        .unwrap_or_else(|e| panic!("{}: {e}", s.id));
    let mut session = Session::start(
        Arc::new(s.clone()),
        rubric,
        seed,
        "店长",
        Mode::Practice,
        "test",
    );
    for line in script.lines().filter(|l| !l.trim().is_empty()) {
        if session.is_over() {
            break;
        }
        session.reply(rubric, &s.fill(line), 8.0).expect("reply");
    }
    session.record
}

#[test]
fn every_pairing_shows_no_unfilled_placeholder_anywhere() {
    let rubric = Rubric::builtin();
    let profiles = profiles();
    assert!(profiles.len() >= 3);
    let names = shop_names(&profiles);
    let mut pairings = 0;
    for p in &profiles {
        let l = scenario::load_dir_in(Path::new("scenarios"), &rubric, Some(p));
        assert!(l.problems.is_empty(), "{}: {:?}", p.id, l.problems);
        assert!(!l.scenarios.is_empty(), "{} plays nothing", p.id);
        for s in &l.scenarios {
            pairings += 1;
            let mut texts = vec![
                s.title.clone(),
                s.brief.clone(),
                s.shop.returns.clone(),
                s.shop.shipping.clone(),
                s.persona.about.clone(),
            ];
            texts.extend(s.persona.facts.values().cloned());
            texts.extend(s.shop.notes.iter().cloned());
            for n in &s.nodes {
                texts.extend(n.lines.iter().cloned());
                texts.extend(n.model_answers.iter().cloned());
                texts.push(n.hint.clone());
            }
            for t in &texts {
                if let Some(ph) = unfilled(t, &names) {
                    panic!("{} in shop {}: {ph} left in「{t}」", s.id, p.id);
                }
            }
            // Played through, the result file and the HTML report read clean too.
            for kind in ["good", "poor"] {
                let rec = play(&rubric, s, 1, kind);
                assert_eq!(
                    rec.scenario.shop.as_ref().map(|r| r.id.as_str()),
                    Some(p.id.as_str())
                );
                let json = serde_json::to_string(&rec).unwrap();
                if let Some(ph) = unfilled(&json, &names) {
                    panic!(
                        "{} in shop {} ({kind} run): {ph} in the result file",
                        s.id, p.id
                    );
                }
                let html = render_html(
                    Path::new("results"),
                    vec![Entry {
                        file: "x.json".into(),
                        record: rec,
                    }],
                    vec![],
                );
                if let Some(ph) = unfilled(&html, &names) {
                    panic!(
                        "{} in shop {} ({kind} run): {ph} in the HTML report",
                        s.id, p.id
                    );
                }
            }
        }
    }
    assert!(pairings >= 80, "{pairings} scenario/shop pairings");
}

#[test]
fn without_a_shop_a_scenario_about_any_product_is_not_played_in_a_specialist_shop() {
    // The mother-and-baby shop sorts first by file name; a complaint about a late birthday
    // present must not default to infant formula, while the formula scenario still finds it.
    let rubric = Rubric::builtin();
    let profiles = profiles();
    let specialists: Vec<&shop::ShopProfile> = profiles.iter().filter(|p| p.specialist).collect();
    assert!(!specialists.is_empty(), "no specialist shop shipped");
    let names: Vec<&str> = specialists.iter().map(|p| p.name.as_str()).collect();
    let (all, problems) = scenario::load_dir(Path::new("scenarios"), &rubric);
    assert!(problems.is_empty(), "{problems:?}");
    let mut in_specialist = Vec::new();
    for s in &all {
        if s.own_shop.is_some() {
            continue;
        }
        let general = profiles
            .iter()
            .any(|p| !p.specialist && p.product_for(&s.needs).is_some());
        let here = names.contains(&s.shop.name.as_str());
        if general {
            assert!(
                !here,
                "{} defaults to the specialist shop {}",
                s.id, s.shop.name
            );
        } else if here {
            in_specialist.push(s.id.clone());
        }
    }
    assert!(
        in_specialist.iter().any(|id| id == "after-formula-rash"),
        "the formula scenario is not played in the mother-and-baby shop: {in_specialist:?}"
    );
}

#[test]
fn the_same_scenario_in_two_shops_is_two_different_customers() {
    let rubric = Rubric::builtin();
    let profiles = profiles();
    let in_shop = |id: &str| -> Vec<Scenario> {
        profiles
            .iter()
            .filter_map(|p| scenario::resolve_in(id, Path::new("scenarios"), &rubric, Some(p)).ok())
            .collect()
    };
    // A scenario about any product plays in every shop.
    let all = in_shop("complaint-late-delivery");
    assert_eq!(
        all.len(),
        profiles.len(),
        "complaint-late-delivery plays in every shop"
    );
    let products: std::collections::BTreeSet<&str> =
        all.iter().map(|s| s.shop.product.as_str()).collect();
    assert_eq!(
        products.len(),
        all.len(),
        "each shop its own product: {products:?}"
    );
    // Same seed, another shop: another temperament or another opening, for most seeds.
    let mut differ = 0;
    for seed in 0..10 {
        let start = |s: &Scenario| {
            let sess = Session::start(Arc::new(s.clone()), &rubric, seed, "x", Mode::Practice, "t");
            (
                sess.record.temperament,
                sess.customer_line().replace(&s.shop.product, "…"),
            )
        };
        if start(&all[0]) != start(&all[1]) {
            differ += 1;
        }
    }
    assert!(
        differ >= 8,
        "only {differ}/10 seeds differ between two shops"
    );
    // And the same shop twice is the same customer.
    let a = Session::start(
        Arc::new(all[0].clone()),
        &rubric,
        3,
        "x",
        Mode::Practice,
        "t",
    );
    let b = Session::start(
        Arc::new(all[0].clone()),
        &rubric,
        3,
        "x",
        Mode::Practice,
        "t",
    );
    assert_eq!(a.record.temperament, b.record.temperament);
    assert_eq!(a.customer_line(), b.customer_line());
}

fn tmp(name: &str) -> PathBuf {
    let d =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("shops-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("shops")).unwrap();
    d
}

#[test]
fn check_names_the_fact_a_shop_lacks_with_its_place() {
    let dir = tmp("check");
    let src = std::fs::read_to_string("scenarios/complaint-late-delivery.ron").unwrap();
    std::fs::write(dir.join("complaint-late-delivery.ron"), &src).unwrap();
    // A team's shop without a fast courier.
    let shop = std::fs::read_to_string("scenarios/shops/home.ron").unwrap();
    let cut: String = shop
        .lines()
        .filter(|l| !l.contains("\"fast_courier\""))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(cut, shop, "home.ron names fast_courier");
    std::fs::write(dir.join("shops/home.ron"), &cut).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .arg("check")
        .arg(&dir)
        .output()
        .expect("check runs");
    let text = String::from_utf8_lossy(&out.stdout);
    if src.contains("{fast_courier}") {
        assert_eq!(out.status.code(), Some(1), "{text}");
        let (l, line) = src
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains("{fast_courier}") && !l.trim_start().starts_with("//"))
            .unwrap();
        let col = line[..line.find("{fast_courier}").unwrap()].chars().count() + 1;
        let want = format!(
            "{}:{}:{}: placeholder `{{fast_courier}}`: shop profile `home`",
            dir.join("complaint-late-delivery.ron").display(),
            l + 1,
            col
        );
        assert!(text.contains(&want), "want {want}\n{text}");
        assert!(text.contains("has no fact `fast_courier`"), "{text}");
    }
    // Contradicting prices in a shop are named where they stand.
    let bad = shop.replacen("lowest_price: 279", "lowest_price: 399", 1);
    assert_ne!(bad, shop);
    std::fs::write(dir.join("shops/home.ron"), &bad).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .arg("check")
        .arg(dir.join("shops/home.ron"))
        .output()
        .expect("check runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let (l, _) = bad
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("lowest_price: 399"))
        .unwrap();
    assert!(text.contains(&format!("home.ron:{}:", l + 1)), "{text}");
    assert!(
        text.contains("lowest_price 399 not above price 299"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn practice_and_scenarios_take_a_shop_from_the_command_line() {
    let results = tmp("cli");
    let out = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .args(["scenarios", "--shop", "home"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("厨乐家居旗舰店"), "{text}");
    assert!(
        text.contains("未列出"),
        "a home shop does not sell jeans: {text}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .args([
            "practice",
            "complaint-late-delivery",
            "--shop",
            "scenarios/shops/fashion.ron",
            "--seed",
            "1",
        ])
        .args([
            "--script",
            "tests/scripts/complaint-late-delivery.good.txt",
            "--trainee",
            "店长",
        ])
        .arg("--results")
        .arg(&results)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("棠梨原创女装") || text.contains("针织开衫"),
        "{text}"
    );
    assert!(
        !text.contains("{fast_courier}") && !text.contains("{product}"),
        "{text}"
    );
    // A shop that does not stock what the scenario needs says so and plays nothing.
    let out = Command::new(env!("CARGO_BIN_EXE_peilian"))
        .args([
            "practice",
            "hesitant-dress",
            "--shop",
            "digital",
            "--seed",
            "1",
            "--results",
        ])
        .arg(&results)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("digital") && err.contains("不能在该店练"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(results);
}
