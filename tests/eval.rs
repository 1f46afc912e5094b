//! The rubric against the labelled corpus (tests/corpus, labelled by tests/corpus/LABELLING.md).

use peilian::cli::eval::{evaluate, read_items};
use peilian::rubric::{CheckId, Rubric};
use std::path::Path;

#[test]
fn dev_corpus_meets_the_accuracy_targets() {
    let (items, bad) = read_items(Path::new("tests/corpus/dev.jsonl")).expect("dev corpus");
    assert!(bad.is_empty(), "malformed corpus lines: {bad:?}");
    assert!(items.len() >= 400, "corpus has {} items", items.len());
    let rubric = Rubric::builtin();
    let r = evaluate(&rubric, &items);
    let mut low = Vec::new();
    for (c, k) in &r.counts {
        if k.f1() < 0.90 {
            low.push(format!(
                "{c}: F1 {:.3} (tp {} fp {} fn {})",
                k.f1(),
                k.tp,
                k.fp,
                k.fn_
            ));
        }
    }
    assert!(
        r.macro_f1() >= 0.95,
        "macro-F1 {:.3} < 0.95; {}",
        r.macro_f1(),
        low.join("; ")
    );
    assert!(low.is_empty(), "checks under F1 0.90: {}", low.join("; "));
}

/// Every violation the rubric finds in a labelled corpus comes with a suggested rewrite: a
/// trainee told "this blames the customer" is also shown what to say instead.
#[test]
fn every_violation_found_gets_a_rewrite() {
    let rubric = Rubric::builtin();
    let mut found = 0;
    let mut missing = Vec::new();
    for entry in std::fs::read_dir("tests/corpus").expect("tests/corpus") {
        let path = entry.expect("corpus entry").path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        let (items, _) = read_items(&path).expect("corpus file");
        let r = evaluate(&rubric, &items);
        found += r.violations_found;
        missing.extend(
            r.without_rewrite
                .iter()
                .map(|(id, c, _)| format!("{id} {c}")),
        );
    }
    assert!(
        found >= 1000,
        "only {found} violations found across the corpora"
    );
    assert!(
        missing.is_empty(),
        "{} of {found} violations without a rewrite: {}",
        missing.len(),
        missing.join(", ")
    );
}

#[test]
fn corpora_are_well_formed_and_cover_every_check_and_trap() {
    for (file, min_items, min_pos) in [
        ("tests/corpus/dev.jsonl", 400, 40),
        ("tests/corpus/holdout.jsonl", 100, 15),
    ] {
        let (items, bad) = read_items(Path::new(file)).expect(file);
        assert!(bad.is_empty(), "{file}: {bad:?}");
        assert!(items.len() >= min_items, "{file}: {} items", items.len());
        for c in CheckId::ALL {
            let pos = items.iter().filter(|i| i.labels[c.as_str()]).count();
            assert!(
                pos >= min_pos && pos < items.len(),
                "{file}: {c} has {pos} positives"
            );
        }
    }
    // The dev set covers each named trap with at least 8 items.
    let text = std::fs::read_to_string("tests/corpus/dev.jsonl").expect("dev corpus");
    for trap in [
        "negated_promise",
        "effort_commitment",
        "compound_baozheng",
        "kending_fault",
        "haishi_not_choice",
        "choice_without_haishi",
        "lijie_not_empathy",
        "buhaoyisi_softener",
        "blame_implication",
        "deflection",
        "emoji_punct_typo",
    ] {
        let n = text.matches(&format!("\"trap\":\"{trap}\"")).count()
            + text.matches(&format!("\"trap\": \"{trap}\"")).count();
        assert!(n >= 8, "trap {trap}: {n} items");
    }
}
