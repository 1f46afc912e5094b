//! The mood meter agrees with the customer's reaction: a broken rule the customer hears as good
//! news (a price cut the shop does not allow) never shows the meter falling while the customer
//! cheers; the score and the coach carry the violation.

use peilian::rubric::{CheckId, Rubric};
use peilian::scenario::{self, Scenario};
use peilian::session::{Mode, Session, Turn};
use std::path::Path;
use std::sync::Arc;

fn shop_pairings(rubric: &Rubric) -> Vec<Scenario> {
    let dir = Path::new("scenarios");
    let (profiles, problems) = scenario::shop::load_dir(&scenario::shop::dir_for(dir));
    assert!(problems.is_empty(), "shop profiles: {problems:?}");
    let mut out = Vec::new();
    for p in &profiles {
        out.extend(scenario::load_dir_in(dir, rubric, Some(p)).scenarios);
    }
    let (own, _) = scenario::load_dir(dir, rubric);
    out.extend(own.into_iter().filter(|s| s.own_shop.is_some()));
    out
}

/// Play one reply at the opening and return the turn and the customer's answer.
/// haggler-phone-case, played in the first shop that stocks it.
fn haggler(rubric: &Rubric) -> Scenario {
    shop_pairings(rubric)
        .into_iter()
        .find(|s| s.id == "haggler-phone-case")
        .expect("haggler-phone-case in some shop")
}

fn first_turn(rubric: &Rubric, s: &Scenario, seed: u64, reply: &str) -> (Turn, String) {
    let mut session = Session::start(
        Arc::new(s.clone()),
        rubric,
        seed,
        "mood",
        Mode::Practice,
        "test",
    );
    let r = session
        .reply(rubric, &s.fill(reply), 10.0)
        .expect("reply accepted");
    (r.turn, r.customer_line)
}

const CONCESSION: &str = "亲，您好！这样吧，给您便宜10块，再给您包邮，您看行吗？";

#[test]
fn a_welcome_price_cut_never_shows_the_meter_falling() {
    let rubric = Rubric::builtin();
    let mut conceded = 0;
    for s in shop_pairings(&rubric) {
        for seed in 1..=3 {
            let (t, line) = first_turn(&rubric, &s, seed, CONCESSION);
            // A price cut put to a customer who was talking about something else is 答非所问:
            // they answer «这跟我说的有什么关系？» and the meter falls with them.
            if !t
                .verdict
                .violations()
                .any(|c| c.id == CheckId::PriceConcession)
                || !t.heard.listened()
            {
                continue;
            }
            conceded += 1;
            assert!(
                t.mood_after >= t.mood_before,
                "{} seed {seed}: mood {} → {} after a price cut the customer answered «{line}»",
                s.id,
                t.mood_before,
                t.mood_after
            );
            // The violation is still scored.
            assert!(
                t.verdict
                    .lost
                    .iter()
                    .any(|l| l.check == Some(CheckId::PriceConcession))
            );
        }
    }
    assert!(
        conceded >= 5,
        "only {conceded} openings heard the price cut"
    );
}

#[test]
fn the_haggler_cheers_a_price_cut_and_the_meter_rises_with_him() {
    let rubric = Rubric::builtin();
    let s = haggler(&rubric);
    for seed in 1..=5 {
        let (t, line) = first_turn(&rubric, &s, seed, CONCESSION);
        assert!(
            t.verdict
                .violations()
                .any(|c| c.id == CheckId::PriceConcession),
            "the price cut is a violation in this shop"
        );
        let greedy = s
            .nodes
            .iter()
            .find(|n| n.id == "greedy")
            .expect("the greedy node");
        let cheering = greedy.lines.iter().any(|l| {
            let head: String = l.chars().take(4).collect();
            line.contains(&head)
        });
        assert!(cheering, "seed {seed}: the customer cheers: «{line}»");
        assert!(
            t.mood_after > t.mood_before,
            "seed {seed}: mood {} → {} while the customer says «{line}»",
            t.mood_before,
            t.mood_after
        );
        assert!(
            t.score < 60,
            "the score still carries the violation: {}",
            t.score
        );
    }
}

#[test]
fn a_price_cut_with_an_insult_still_hurts() {
    let rubric = Rubric::builtin();
    let s = haggler(&rubric);
    let (t, _) = first_turn(&rubric, &s, 1, "你烦不烦啊，给你便宜10块行了吧，别再问了。");
    let ids: Vec<CheckId> = t.verdict.violations().map(|c| c.id).collect();
    if ids.contains(&CheckId::Rude) {
        assert!(
            t.mood_after < t.mood_before,
            "rude with a price cut: {} → {}",
            t.mood_before,
            t.mood_after
        );
    } else {
        panic!("the insult was not heard as rude: {ids:?}");
    }
}

/// A polite, correct refusal the customer grumbles at (haggler-phone-case: a price cut, then
/// the shop's price held at `greedy`, and he grumbles «刚才还能便宜，现在又不行了？») scores
/// well, yet the meter does not rise: it falls with his line (the node's `mood: -5`).
#[test]
fn a_good_refusal_the_customer_grumbles_at_does_not_lift_the_meter() {
    let rubric = Rubric::builtin();
    let s = haggler(&rubric);
    let node = |id: &str| {
        s.nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("node {id}"))
    };
    let (greedy, grumble) = (node("greedy"), node("grumble"));
    assert_eq!(grumble.mood, Some(-5), "the grumble is marked as such");
    let mut checked = 0;
    for seed in 1..=5 {
        for refusal in &greedy.model_answers {
            let mut session = Session::start(
                Arc::new(s.clone()),
                &rubric,
                seed,
                "mood",
                Mode::Practice,
                "test",
            );
            let first = session
                .reply(&rubric, &s.fill(CONCESSION), 10.0)
                .expect("reply accepted");
            assert_eq!(session.record.turns[0].node, "open");
            assert!(!first.customer_line.is_empty());
            let r = session
                .reply(&rubric, &s.fill(refusal), 10.0)
                .expect("reply accepted");
            let t = &r.turn;
            assert_eq!(t.node, "greedy", "seed {seed}");
            assert!(
                t.score >= 60,
                "seed {seed}: the refusal is a good reply: {} «{refusal}»",
                t.score
            );
            let grumbles = grumble.lines.iter().any(|l| {
                let head: String = l.chars().take(4).collect();
                r.customer_line.contains(&head)
            });
            assert!(grumbles, "seed {seed}: «{}»", r.customer_line);
            assert!(
                t.mood_after < t.mood_before,
                "seed {seed}: mood {} → {} while the customer grumbles «{}»",
                t.mood_before,
                t.mood_after,
                r.customer_line
            );
            checked += 1;
        }
    }
    assert!(checked >= 5);
}
