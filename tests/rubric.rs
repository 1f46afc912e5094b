//! Rubric checks: fixtures per check, policy-aware concessions, evidence, suggestions, speed of
//! nothing (speed is measured by `peilian bench`, not here).

use peilian::rubric::{CheckId, Policy, Rubric, TurnSpec};

fn fixtures() -> Vec<(CheckId, bool, String)> {
    parse_fixtures(include_str!("fixtures/checks.txt"))
}

/// Real-style fixtures: run-on chat, particles, placeholders, word-segmented text.
fn real_style_fixtures() -> Vec<(CheckId, bool, String)> {
    parse_fixtures(include_str!("fixtures/real_style.txt"))
}

fn parse_fixtures(text: &str) -> Vec<(CheckId, bool, String)> {
    let mut out = Vec::new();
    let mut cur = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(id) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            cur = Some(
                id.parse::<CheckId>()
                    .expect("fixture section is a check id"),
            );
        } else if let Some(r) = line.strip_prefix("+ ") {
            out.push((cur.expect("section first"), true, r.to_string()));
        } else if let Some(r) = line.strip_prefix("- ") {
            out.push((cur.expect("section first"), false, r.to_string()));
        } else {
            panic!("bad fixture line: {line}");
        }
    }
    out
}

#[test]
fn every_check_has_fixtures_both_ways() {
    let f = fixtures();
    for c in CheckId::ALL {
        assert!(
            f.iter().any(|(id, p, _)| *id == c && *p),
            "{c} needs a present fixture"
        );
        assert!(
            f.iter().any(|(id, p, _)| *id == c && !*p),
            "{c} needs an absent fixture"
        );
    }
}

#[test]
fn fixtures_hold() {
    assert_fixtures_hold(fixtures());
}

#[test]
fn real_style_fixtures_hold() {
    let f = real_style_fixtures();
    assert!(f.len() >= 60, "only {} real-style fixtures", f.len());
    assert_fixtures_hold(f);
}

/// The fast path (no evidence built, a check's later rules skipped once it is found) finds
/// what the evidence path finds — also where a rule's finding `stands` beside an offer and
/// an earlier rule's finding would have been withdrawn.
#[test]
fn the_fast_path_finds_what_the_evidence_path_finds() {
    use peilian::cli::eval::read_items;
    use peilian::rubric::{Detection, Scratch};
    let rubric = Rubric::builtin();
    let (mut scratch, mut fast) = (Scratch::default(), Detection::default());
    let mut replies: Vec<String> = fixtures()
        .into_iter()
        .chain(real_style_fixtures())
        .map(|(_, _, r)| r)
        .collect();
    for set in ["r44-dev-appl", "r44-dev-appl2", "dev"] {
        let path = format!("{}/tests/corpus/{set}.jsonl", env!("CARGO_MANIFEST_DIR"));
        let (items, bad) = read_items(std::path::Path::new(&path)).expect("corpus file");
        assert!(bad.is_empty(), "{set}: {bad:?}");
        replies.extend(items.into_iter().map(|it| it.reply));
    }
    assert!(replies.len() > 1000);
    for reply in &replies {
        let slow = rubric.detect(reply, None);
        rubric.detect_with(reply, None, &mut scratch, &mut fast, false);
        assert_eq!(
            slow.present, fast.present,
            "fast and evidence paths differ on「{reply}」"
        );
    }
}

fn assert_fixtures_hold(fixtures: Vec<(CheckId, bool, String)>) {
    let rubric = Rubric::builtin();
    let mut failures = Vec::new();
    for (c, want, reply) in fixtures {
        let d = rubric.detect(&reply, None);
        if d.has(c) != want {
            failures.push(format!(
                "{c}: expected {want} for「{reply}」, evidence {:?}",
                d.evidence(c).iter().map(|s| &s.text).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Evidence a team lead would sign: no two spans of one check overlap or repeat the same words.
#[test]
fn evidence_never_overlaps_or_repeats() {
    let rubric = Rubric::builtin();
    for (_, _, reply) in fixtures().into_iter().chain(real_style_fixtures()) {
        let d = rubric.detect(&reply, None);
        for c in CheckId::ALL {
            let ev = d.evidence(c);
            for (i, a) in ev.iter().enumerate() {
                for b in &ev[i + 1..] {
                    assert!(
                        a.end <= b.start || b.end <= a.start,
                        "{c} in「{reply}」: {a:?} overlaps {b:?}"
                    );
                    assert_ne!(a.text, b.text, "{c} in「{reply}」repeats 「{}」", a.text);
                }
            }
        }
    }
}

#[test]
fn evidence_points_at_the_characters_typed() {
    let rubric = Rubric::builtin();
    let reply = "[微笑]亲～我们保证明天送到！";
    let d = rubric.detect(reply, None);
    let ev = d.evidence(CheckId::OverPromise);
    assert!(!ev.is_empty());
    let chars: Vec<char> = reply.chars().collect();
    let s: String = chars[ev[0].start..ev[0].end].iter().collect();
    assert_eq!(s, "保证");
    assert_eq!(ev[0].text, "保证");
}

#[test]
fn concessions_follow_the_shop_policy() {
    let rubric = Rubric::builtin();
    let strict = Policy {
        price: 129.0,
        lowest_price: 129.0,
        free_shipping_over: Some(199.0),
        gifts_allowed: false,
    };
    let roomy = Policy {
        price: 129.0,
        lowest_price: 109.0,
        free_shipping_over: Some(99.0),
        gifts_allowed: true,
    };
    let cases = [
        ("给您便宜10块吧", true, false),
        ("给您便宜30块吧", true, true),
        ("那就算您119吧", true, false),
        ("这单给您包邮", true, false),
        ("再送您一个小挂件", true, false),
        ("给您打个九折", true, false),
        ("给您打个八折", true, true),
    ];
    for (reply, strict_bad, roomy_bad) in cases {
        assert_eq!(
            rubric
                .detect(reply, Some(&strict))
                .has(CheckId::PriceConcession),
            strict_bad,
            "strict: {reply}"
        );
        assert_eq!(
            rubric
                .detect(reply, Some(&roomy))
                .has(CheckId::PriceConcession),
            roomy_bad,
            "roomy: {reply}"
        );
    }
}

#[test]
fn violations_get_a_suggested_rewrite_and_cost_points() {
    let rubric = Rubric::builtin();
    let expect = [(CheckId::Apology, 50), (CheckId::Remedy, 50)];
    let spec = TurnSpec {
        expect: &expect,
        ..Default::default()
    };
    let good = rubric.score_turn(&spec, "非常抱歉，马上给您补发一件新的", 5.0);
    let bad = rubric.score_turn(&spec, "非常抱歉，马上给您补发，保证明天到", 5.0);
    assert!(good.score > bad.score, "{} vs {}", good.score, bad.score);
    let v = bad.violations().next().expect("over_promise flagged");
    assert_eq!(v.id, CheckId::OverPromise);
    let s = v.suggestion.as_deref().expect("a rewrite");
    assert!(s.contains("尽量") || s.contains("争取"), "{s}");
    assert!(!v.section.is_empty());
}

/// Every violation reply in tests/fixtures/rewrites.txt gets exactly the rewrite listed there:
/// the offending clause replaced by a whole courseware-style sentence.
#[test]
fn rewrites_read_as_whole_sentences() {
    let rubric = Rubric::builtin();
    let text = include_str!("fixtures/rewrites.txt");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (reply, want) = line
            .split_once(" => ")
            .unwrap_or_else(|| panic!("rewrites.txt: no ` => ` in: {line}"));
        n += 1;
        let v = rubric.score_turn(&TurnSpec::default(), reply, 5.0);
        let got: Vec<&str> = v
            .violations()
            .filter_map(|c| c.suggestion.as_deref())
            .collect();
        if !got.contains(&want) {
            failures.push(format!("「{reply}」: want {want}, got {got:?}"));
        }
        // A rewrite never keeps an absolute word of the promise it replaces.
        for g in &got {
            let (_, after) = g.split_once('→').unwrap_or(("", g));
            for w in ["保证", "肯定", "绝对", "百分百"] {
                if after.contains(w) && !after.contains("打包票") {
                    failures.push(format!("「{reply}」: rewrite keeps {w}: {g}"));
                }
            }
        }
    }
    assert!(n >= 12, "only {n} rewrite fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every part of a violation's rule carries a whole-sentence rewrite of its own, so a shape
/// heard without a listed word (a sequence, a bare refusal) still gets one; and no rewrite, of a
/// part or of a word, is itself a violation the rubric would flag.
#[test]
fn every_violation_rule_has_a_clean_rewrite() {
    let rubric = Rubric::builtin();
    // A concession is judged against the shop: one with a free-shipping threshold and public
    // coupons, as the price rewrites name them.
    let shop = Policy {
        price: 199.0,
        lowest_price: 199.0,
        free_shipping_over: Some(99.0),
        gifts_allowed: false,
    };
    let mut failures = Vec::new();
    let mut n = 0;
    for c in CheckId::ALL.into_iter().filter(|c| c.is_violation()) {
        let def = rubric.def(c);
        let mut texts: Vec<String> = def.rewrites.iter().map(|r| r.to.clone()).collect();
        for (k, part) in def.rule.parts().iter().enumerate() {
            match part.own_rewrite() {
                Some(r) => texts.push(r.to_string()),
                None => failures.push(format!("{c} part {k}: no rewrite")),
            }
        }
        for t in texts.iter().filter(|t| t.chars().count() > 4) {
            n += 1;
            let d = rubric.detect(t, Some(&shop));
            for v in d.violations() {
                failures.push(format!("{c} rewrite flagged as {v}: {t}"));
            }
        }
    }
    assert!(n >= 100, "only {n} rewrites");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A clause two checks find (blame and rude) is shown one rewrite in both verdicts, the one keyed
/// on its words when either check has such: the trainee is not told two different things.
#[test]
fn a_clause_two_checks_find_gets_one_rewrite() {
    let rubric = Rubric::builtin();
    for reply in [
        "签收了就代表没问题 现在说有破损",
        "自己看物流",
        "你跟快递扯去",
        "退换的事不归我，我这边只管售前",
    ] {
        let v = rubric.score_turn(&TurnSpec::default(), reply, 5.0);
        let got: Vec<&str> = v
            .violations()
            .filter_map(|c| c.suggestion.as_deref())
            .collect();
        assert!(got.len() >= 2, "「{reply}」: {got:?}");
        assert!(got.iter().all(|g| *g == got[0]), "「{reply}」: {got:?}");
    }
}

/// One rewrite is shown once in a check's suggestion: clauses apart that take the same rewrite
/// are listed before it together, and a clause inside another (a span over a comma, then a
/// span in its second half) is one clause, not quoted twice.
#[test]
fn a_rewrite_is_shown_once_per_check() {
    let rubric = Rubric::builtin();
    for (reply, check) in [
        ("行了行了，给您便宜5块，别再讲了", CheckId::Rude),
        (
            "我们这个洁面绝对不紧绷 洗完水润 保证你用了还回购",
            CheckId::OverPromise,
        ),
        (
            "别人家便宜是他们的事，我们就这个价，您自己看着办",
            CheckId::Rude,
        ),
    ] {
        let v = rubric.score_turn(&TurnSpec::default(), reply, 5.0);
        let s = v
            .violations()
            .find(|c| c.id == check)
            .and_then(|c| c.suggestion.clone())
            .unwrap_or_else(|| panic!("「{reply}」: no {check:?} suggestion"));
        let rewrites: Vec<&str> = s.split('；').filter_map(|p| p.split('→').nth(1)).collect();
        let mut unique = rewrites.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(rewrites.len(), unique.len(), "「{reply}」: {s}");
        let quoted: Vec<&str> = s
            .split('「')
            .skip(1)
            .filter_map(|q| q.split('」').next())
            .collect();
        for (i, q) in quoted.iter().enumerate() {
            for other in &quoted[i + 1..] {
                assert!(!q.contains(other) && !other.contains(q), "「{reply}」: {s}");
            }
        }
    }
}

#[test]
fn slow_replies_lose_time_points() {
    let rubric = Rubric::builtin();
    let expect = [(CheckId::Greeting, 100)];
    let spec = TurnSpec {
        expect: &expect,
        target_seconds: Some(30.0),
        ..Default::default()
    };
    let fast = rubric.score_turn(&spec, "您好", 10.0);
    let slow = rubric.score_turn(&spec, "您好", 50.0);
    assert!(fast.on_time && !slow.on_time);
    assert!(fast.score > slow.score);
}

#[test]
fn hostile_input_never_panics() {
    let rubric = Rubric::builtin();
    let big = "保证".repeat(500_000);
    let inputs = [
        "",
        "   ",
        "\u{0}\u{7}\u{1b}[31m",
        "😀😀😀[微笑][",
        "【",
        "[一二三四五六七八九]",
        &big,
    ];
    for i in inputs {
        let _ = rubric.detect(i, None);
    }
}

#[test]
fn ranks_follow_the_courseware_levels() {
    let rubric = Rubric::builtin();
    assert_eq!(rubric.rank(10).name, "初级客服");
    assert_eq!(rubric.rank(70).name, "中级客服");
    assert_eq!(rubric.rank(95).name, "高级客服");
}

const BUILTIN: &str = include_str!("../assets/rubric/courseware.ron");

/// Every problem `Rubric::from_str` reports for `src` (named test.ron), one a line; the
/// source must be refused.
fn rubric_errors(src: &str, why: &str) -> String {
    let err = Rubric::from_str(src, std::path::Path::new("test.ron")).expect_err(why);
    err.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The built-in rubric with `classes` added and `cue` put first in the greeting's cues: which
/// of `cases` greet.
fn assert_greets_with(classes: &str, cue: &str, cases: &[(&str, bool)]) {
    let src = BUILTIN
        .replacen("    classes: {", &format!("    classes: {{\n{classes}"), 1)
        .replacen("any: [\"您好\",", &format!("any: [\"{cue}\", \"您好\","), 1);
    let rubric = Rubric::from_str(&src, std::path::Path::new("test.ron")).expect("valid rubric");
    for &(reply, greets) in cases {
        let d = rubric.detect(reply, None);
        assert_eq!(d.has(CheckId::Greeting), greets, "{reply}");
    }
}

#[test]
fn cue_classes_stand_for_their_cues_wherever_used() {
    // A class used in the greeting's cues makes its words greetings, and a class may use
    // another class.
    assert_greets_with(
        "        \"morning\": [\"早安呀\", \"@evening\"],\n        \"evening\": [\"晚安好\"],",
        "@morning",
        &[
            ("早安呀 这款有货", true),
            ("晚安好 在的", true),
            ("这款有货", false),
        ],
    );
}

#[test]
fn a_cue_template_joins_its_parts_in_order() {
    // "周+@when+@mood" stands for every join: 周一快乐, 周一愉快, 周五快乐 ….
    assert_greets_with(
        "        \"when\": [\"一\", \"五\"],\n        \"mood\": [\"快乐\", \"愉快\"],",
        "周+@when+@mood",
        &[
            ("周一快乐 这款有货", true),
            ("周五愉快 在的", true),
            ("周一 这款有货", false),
            ("快乐 这款有货", false),
        ],
    );
    // A template inside a class is expanded too, and the class stands for every join.
    assert_greets_with(
        "        \"when\": [\"一\", \"五\"],\n        \"mood\": [\"快乐\", \"愉快\"],\n        \"wish\": [\"周末好\", \"周+@when+@mood\"],",
        "@wish",
        &[
            ("周五快乐 这款有货", true),
            ("周末好 在的", true),
            ("周五 这款有货", false),
        ],
    );
    // A `+` with no class part stays a literal char: the built-in rating cue +号.
    assert!(
        BUILTIN.contains("\"+号\""),
        "the built-in rubric has the cue +号"
    );
    let rubric = Rubric::from_str(BUILTIN, std::path::Path::new("test.ron")).expect("valid");
    let closes = |reply: &str| rubric.detect(reply, None).has(CheckId::Closing);
    assert!(closes("戳一下+号给五星哦"));
    assert!(!closes("戳一下号给五星哦"));
    let src = BUILTIN.replacen(
        "any: [\"您好\",",
        "any: [\"早+@no_such_part\", \"您好\",",
        1,
    );
    let text = rubric_errors(&src, "an unknown class in a template is an error");
    assert!(text.contains("@no_such_part"), "{text}");
    let src = BUILTIN.replacen(
        "    classes: {",
        "    classes: {\n        \"wish\": [\"早+@no_such_inner\"],",
        1,
    );
    let text = rubric_errors(&src, "an unknown class in a class's template is an error");
    assert!(
        text.contains("@no_such_inner") || text.contains("no_such_inner"),
        "{text}"
    );
}

#[test]
fn an_unknown_or_circular_cue_class_is_named_at_its_place() {
    let src = BUILTIN.replacen("[\"@third_party\"]", "[\"@no_such_class\"]", 1);
    let line = src[..src.find("@no_such_class").expect("replaced")]
        .matches('\n')
        .count()
        + 1;
    let text = rubric_errors(&src, "an unknown class is an error");
    assert!(text.contains("@no_such_class"), "{text}");
    assert!(text.contains(&format!("test.ron:{line}:")), "{text}");

    let src = BUILTIN.replacen(
        "    classes: {",
        "    classes: {\n        \"a\": [\"@b\"],\n        \"b\": [\"@a\"],",
        1,
    );
    let text = rubric_errors(&src, "a class defined through itself is an error");
    assert!(text.contains("@a") || text.contains("@b"), "{text}");
}

#[test]
fn unless_checks_must_name_another_check() {
    let src = BUILTIN.replacen(
        "unless_checks: [\"blame\", \"rude\"]",
        "unless_checks: [\"blame\", \"no_such_check\"]",
        1,
    );
    assert_ne!(src, BUILTIN, "the value check withdraws on blame and rude");
    let text = rubric_errors(&src, "an unknown check in unless_checks is an error");
    assert!(text.contains("no_such_check"), "{text}");
}

#[test]
fn checks_that_withdraw_each_other_in_a_circle_are_refused() {
    // value is withdrawn by blame, and blame by remedy; remedy withdrawn by value closes a circle.
    let src = BUILTIN.replacen(
        "id: \"remedy\",",
        "id: \"remedy\",\n            unless_checks: [\"value\"],",
        1,
    );
    assert_ne!(src, BUILTIN, "the built-in rubric has a remedy check");
    let text = rubric_errors(&src, "a circle of unless_checks is an error");
    assert!(text.contains("circle"), "{text}");
    for id in ["value", "blame", "remedy"] {
        assert!(text.contains(&format!("`{id}`")), "names {id}: {text}");
    }
}

#[test]
fn a_withdrawn_check_no_longer_withdraws_another() {
    // Blame is withdrawn where the shop offers a remedy, so the praise of the goods beside it is
    // value again; without the remedy, blame stands and withdraws value.
    let rubric = Rubric::builtin();
    let fault = "这种属于人为损坏 我们面料是进口的真丝";
    let d = rubric.detect(fault, None);
    assert!(d.has(CheckId::Blame), "{fault}");
    assert!(!d.has(CheckId::Value), "{fault}");
    let offered = "这种属于人为损坏 不过可以给您半价换个新的 我们面料是进口的真丝";
    let d = rubric.detect(offered, None);
    assert!(d.has(CheckId::Remedy), "{offered}");
    assert!(!d.has(CheckId::Blame), "{offered}");
    assert!(d.has(CheckId::Value), "{offered}");
}

#[test]
fn a_phrase_whose_edge_the_reader_drops_is_refused_at_its_place() {
    // 赶紧拍~ once normalised is 赶紧拍: as an exception it would cancel every 赶紧拍, not
    // only the one said with a tilde. A char dropped inside a phrase (华*官方) reads the same
    // in a reply, so it stands.
    let src = BUILTIN.replacen("any: [\"您好\",", "any: [\"您好~\", \"您好\",", 1);
    assert_ne!(src, BUILTIN, "the greeting's cues start with 您好");
    let line = src[..src.find("您好~").expect("replaced")]
        .matches('\n')
        .count()
        + 1;
    let text = rubric_errors(&src, "a phrase with a dropped edge is an error");
    assert!(
        text.contains("您好~") && text.contains("reads as `您好`"),
        "{text}"
    );
    assert!(text.contains(&format!("test.ron:{line}:")), "{text}");
    assert!(
        BUILTIN.contains("华*官方"),
        "the built-in rubric has 华*官方"
    );
}
