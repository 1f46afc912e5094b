//! `peilian check`: everything a scenario author can get wrong, each with its place.

use super::{Facts, Scenario, When, holds};
use crate::diag::{Diagnostic, line_col};
use crate::rubric::{CheckId, Rubric, TurnSpec};
use std::collections::{HashSet, VecDeque};

/// Byte offset of the quoted `value` preceded (ignoring spaces) by `prefix`, searching from
/// `from`; falls back to any quoted occurrence, then to `from`.
fn find_quoted_after(src: &str, prefix: &str, value: &str, from: usize) -> usize {
    let needle = format!("\"{value}\"");
    let mut at = from.min(src.len());
    while let Some(i) = src.get(at..).and_then(|s| s.find(&needle)) {
        let pos = at + i;
        if src[..pos].trim_end().ends_with(prefix) {
            return pos;
        }
        at = pos + needle.len();
    }
    src.get(from.min(src.len())..)
        .and_then(|s| s.find(&needle))
        .map(|i| from + i)
        .unwrap_or(from)
}

struct Locator<'a> {
    src: &'a str,
    path: &'a std::path::Path,
}

impl Locator<'_> {
    fn at(&self, offset: usize, msg: String) -> Diagnostic {
        let (l, c) = line_col(self.src, offset);
        Diagnostic::new(self.path, l, c, msg)
    }
}

/// Every `{name}` inside a string literal of RON source (comments skipped), with the byte
/// offset of its `{`.
fn braces_in_strings(src: &str) -> Vec<(usize, &str)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        match (in_str, b[i]) {
            (false, b'"') => in_str = true,
            (false, b'/') if b.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(b.len(), |n| i + n);
            }
            (false, b'/') if b.get(i + 1) == Some(&b'*') => {
                i = src[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 1);
            }
            (true, b'\\') => i += 1,
            (true, b'"') => in_str = false,
            // A told slot, `{?topic:what she asks}` (round 57): its whole inside.
            (true, b'{') if b.get(i + 1) == Some(&b'?') => {
                if let Some(n) = src[i + 1..].find(['}', '"'])
                    && src.as_bytes()[i + 1 + n] == b'}'
                {
                    out.push((i, &src[i + 1..i + 1 + n]));
                }
            }
            (true, b'{') => {
                let name_len = src[i + 1..]
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count();
                if name_len > 0 && b.get(i + 1 + name_len) == Some(&b'}') {
                    out.push((i, &src[i + 1..i + 1 + name_len]));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn walk_when<'a>(w: &'a When, out: &mut Vec<&'a str>) {
    match w {
        When::Detected(id) | When::Missing(id) => out.push(id),
        When::All(v) | When::Any(v) => v.iter().for_each(|w| walk_when(w, out)),
        _ => {}
    }
}

/// Validate a scenario parsed as written (placeholders not filled: see
/// [`Scenario::parse_as_written`]). `src` is its RON text, for positions.
pub fn validate(s: &Scenario, src: &str, rubric: &Rubric) -> Vec<Diagnostic> {
    let loc = Locator {
        src,
        path: &s.source,
    };
    let mut out = Vec::new();
    let top = |f: &str| src.find(f).unwrap_or(0);

    if s.id.trim().is_empty() || s.id.contains(['/', '\\', ' ']) {
        out.push(loc.at(
            top("id"),
            format!(
                "scenario id `{}` must be a non-empty word without spaces or slashes",
                s.id
            ),
        ));
    }
    if !(1..=5).contains(&s.difficulty) {
        out.push(loc.at(
            top("difficulty"),
            format!("difficulty must be 1–5, found {}", s.difficulty),
        ));
    }
    let p = &s.persona;
    for (name, (a, b)) in [("mood", p.mood), ("patience", p.patience)] {
        if a > b || a < 0 || b > 100 {
            out.push(loc.at(
                top(name),
                format!("persona {name} range ({a}, {b}) must satisfy 0 <= low <= high <= 100"),
            ));
        }
    }
    if s.shop.lowest_price > s.shop.price || s.shop.price <= 0.0 {
        out.push(loc.at(
            top("lowest_price"),
            format!(
                "shop prices: lowest_price {} must be positive and not above price {}",
                s.shop.lowest_price, s.shop.price
            ),
        ));
    }

    // Placeholders: only the known ones, and only those the shop has a value for.
    // Customer lines may also name what was heard ({picked}, {promise}, {question}) and the
    // persona's facts ({order_number}…); `listening` below checks where those may stand.
    let shop_named = match &s.shop.profile {
        Some(r) => format!(
            "shop profile `{}` ({}), product `{}`",
            r.id,
            r.source.display(),
            r.product
        ),
        None => "the scenario's `shop`".to_string(),
    };
    for (at, name) in braces_in_strings(src) {
        if name.starts_with('?') {
            match crate::listen::told_slot(name) {
                Some((topic, _)) if crate::listen::shared().topic(topic).is_some() => {}
                Some((topic, _)) => out.push(loc.at(
                    at,
                    format!("told slot `{{{name}}}`: `{topic}` is not a listening topic"),
                )),
                None => out.push(loc.at(
                    at,
                    format!("told slot `{{{name}}}`: write it `{{?topic:what she asks}}`"),
                )),
            }
            continue;
        }
        match s.placeholder(name) {
            None if crate::listen::HEARD_SLOTS.contains(&name)
                || s.persona.facts.contains_key(name) => {}
            None => out.push(loc.at(
                at,
                format!(
                    "placeholder `{{{name}}}`: {shop_named} has no fact `{name}` — add `\"{name}\": \"…\"` to its facts (or to the product's), or use {}, a shop/product fact ({}), a persona fact ({}), or in customer lines {{picked}} {{promise}} {{question}}",
                    super::PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" "),
                    s.shop.facts.keys().map(|k| format!("{{{k}}}")).collect::<Vec<_>>().join(" "),
                    s.persona.facts.keys().map(|k| format!("{{{k}}}")).collect::<Vec<_>>().join(" ")
                ),
            )),
            Some(None) => out.push(loc.at(
                at,
                format!(
                    "placeholder `{{{name}}}` but {shop_named} has no `{name}`: add `{name}: …` to it, or write the amount"
                ),
            )),
            Some(Some(_)) => {}
        }
    }
    for k in s.persona.facts.keys() {
        if s.shop.facts.contains_key(k) {
            out.push(loc.at(
                src.find(&format!("\"{k}\"")).unwrap_or(0),
                format!("persona fact `{k}` has the name of a fact of {shop_named}: rename one"),
            ));
        }
    }

    // Node offsets, duplicate ids.
    let mut node_at = Vec::with_capacity(s.nodes.len());
    let mut seen = HashSet::new();
    let mut search = top("nodes");
    for n in &s.nodes {
        let at = find_quoted_after(src, "id:", &n.id, search);
        search = at + 1;
        node_at.push(at);
        if !seen.insert(n.id.as_str()) {
            out.push(loc.at(at, format!("node `{}` is defined twice", n.id)));
        }
    }

    if s.node(&s.start).is_none() {
        out.push(loc.at(
            find_quoted_after(src, "start:", &s.start, 0),
            format!("start node `{}` does not exist", s.start),
        ));
    }
    if let Some(w) = &s.walkout {
        match s.node(w) {
            None => out.push(loc.at(
                find_quoted_after(src, "walkout:", w, 0),
                format!("walkout node `{w}` does not exist"),
            )),
            Some(n) if !n.is_ending() => out.push(loc.at(
                find_quoted_after(src, "walkout:", w, 0),
                format!("walkout node `{w}` must be an ending"),
            )),
            _ => {}
        }
    }

    let policy = s.shop.policy();
    for (i, n) in s.nodes.iter().enumerate() {
        let at = node_at[i];
        if n.lines.iter().all(|l| l.trim().is_empty()) {
            out.push(loc.at(at, format!("node `{}` has no customer line", n.id)));
        }
        if let Some(m) = n.mood
            && !(-100..=100).contains(&m)
        {
            out.push(loc.at(
                at,
                format!(
                    "node `{}`: mood {m} is out of range (-100 … 100: how far the line moves the meter)",
                    n.id
                ),
            ));
        }
        // Check ids.
        let mut ids: Vec<&str> = n
            .expect
            .iter()
            .chain(&n.forbid)
            .map(|(id, _)| id.as_str())
            .collect();
        for b in &n.next {
            walk_when(&b.when, &mut ids);
        }
        for id in ids {
            if let Err(e) = id.parse::<CheckId>() {
                out.push(loc.at(find_quoted_after(src, "", id, at), e.to_string()));
            }
        }
        for (id, _) in &n.expect {
            if id.parse::<CheckId>().is_ok_and(|c| c.is_violation()) {
                out.push(loc.at(
                    find_quoted_after(src, "", id, at),
                    format!(
                        "node `{}` expects `{id}`, a violation: put it under `forbid`",
                        n.id
                    ),
                ));
            }
        }
        // Branches.
        if n.is_ending() {
            if !n.next.is_empty() {
                out.push(loc.at(
                    at,
                    format!("ending `{}` must not have branches (`next`)", n.id),
                ));
            }
        } else {
            if n.next.is_empty() {
                out.push(loc.at(
                    at,
                    format!(
                        "node `{}` is a dead end: it has no `next` branches and no `ending`",
                        n.id
                    ),
                ));
            } else if !matches!(n.next.last().map(|b| &b.when), Some(When::Always)) {
                out.push(loc.at(at, format!(
                    "node `{}` can get stuck: its last branch must be `(when: Always, goto: …)`", n.id
                )));
            }
            if n.expect.is_empty() {
                out.push(loc.at(
                    at,
                    format!(
                        "node `{}` expects no checks: add `expect: [(\"…\", weight)]`",
                        n.id
                    ),
                ));
            }
            if n.model_answers.is_empty() {
                out.push(loc.at(at, format!("node `{}` has no model answers", n.id)));
            }
        }
        for b in &n.next {
            if s.node(&b.goto).is_none() {
                // The first `goto: "…"` after the node's id is this node's own.
                let off = find_quoted_after(src, "goto:", &b.goto, at);
                out.push(loc.at(
                    off,
                    format!("branch of `{}` goes to missing node `{}`", n.id, b.goto),
                ));
            }
        }
        // Model answers must meet their own node.
        if !n.is_ending() {
            let expect = n.expected();
            let forbid = n.forbidden();
            for a in &n.model_answers {
                // Scored as trainees will see it, placeholders filled.
                let filled = s.fill(a);
                let spec = TurnSpec {
                    expect: &expect,
                    forbid: &forbid,
                    model_answers: &[],
                    target_seconds: None,
                    policy: Some(&policy),
                    listened: None,
                    carried: &[],
                };
                let v = rubric.score_turn(&spec, &filled, 0.0);
                let missing: Vec<String> = v
                    .checks
                    .iter()
                    .filter(|c| !c.passed && c.role == crate::rubric::CheckRole::Expected)
                    .map(|c| format!("{} {}", c.id, c.label))
                    .collect();
                let bad: Vec<String> = v
                    .violations()
                    .map(|c| {
                        let ev: Vec<&str> = c.evidence.iter().map(|e| e.text.as_str()).collect();
                        format!("{} {}「{}」", c.id, c.label, ev.join("、"))
                    })
                    .collect();
                let off = find_quoted_after(src, "", a, at);
                let short: String = filled.chars().take(16).collect();
                if !missing.is_empty() {
                    out.push(loc.at(
                        off,
                        format!(
                            "model answer「{short}…」of `{}` misses its node's expected checks: {}",
                            n.id,
                            missing.join(", ")
                        ),
                    ));
                }
                if !bad.is_empty() {
                    out.push(loc.at(
                        off,
                        format!(
                            "model answer「{short}…」of `{}` trips a violation: {}",
                            n.id,
                            bad.join(", ")
                        ),
                    ));
                }
            }
        }
    }

    out.extend(listening(s, &loc, &node_at, rubric));

    // Reachability from start (walkout counts as reachable from every node with replies).
    if let Some(start) = s.node_index(&s.start) {
        let mut reach = vec![false; s.nodes.len()];
        let mut q = VecDeque::from([start]);
        reach[start] = true;
        while let Some(i) = q.pop_front() {
            let mut nexts: Vec<&str> = s.nodes[i].next.iter().map(|b| b.goto.as_str()).collect();
            if !s.nodes[i].is_ending()
                && let Some(w) = &s.walkout
            {
                nexts.push(w);
            }
            for t in nexts {
                if let Some(j) = s.node_index(t)
                    && !reach[j]
                {
                    reach[j] = true;
                    q.push_back(j);
                }
            }
        }
        for (i, n) in s.nodes.iter().enumerate() {
            if !reach[i] {
                out.push(loc.at(
                    node_at[i],
                    format!("node `{}` is unreachable from start `{}`", n.id, s.start),
                ));
            }
        }
        // Nodes with no path to an ending (reverse search from endings).
        let mut ends = vec![false; s.nodes.len()];
        let mut changed = true;
        for (i, n) in s.nodes.iter().enumerate() {
            ends[i] = n.is_ending();
        }
        while changed {
            changed = false;
            for (i, n) in s.nodes.iter().enumerate() {
                if !ends[i]
                    && n.next
                        .iter()
                        .any(|b| s.node_index(&b.goto).is_some_and(|j| ends[j]))
                {
                    ends[i] = true;
                    changed = true;
                }
            }
        }
        for (i, n) in s.nodes.iter().enumerate() {
            if reach[i] && !ends[i] && !n.next.is_empty() {
                out.push(loc.at(
                    node_at[i],
                    format!("node `{}` has no path to an ending", n.id),
                ));
            }
        }
    }
    out.sort();
    out
}

/// The listening fields: vocabulary ids, slots and persona facts, conditions that can never
/// hold, and model answers that a listening customer would not accept (答非所问 to one of the
/// node's lines, or missing one of its key points).
fn listening(s: &Scenario, loc: &Locator, node_at: &[usize], rubric: &Rubric) -> Vec<Diagnostic> {
    use crate::listen::{self, HEARD_SLOTS, slots};
    let vocab = listen::shared();
    let src = loc.src;
    let mut out = Vec::new();
    let known = |kind: &str, id: &str| match kind {
        "option" => vocab.option(id).is_some() || id == listen::COLOURS,
        "ask" => vocab.ask(id).is_some(),
        _ => vocab.topic(id).is_some(),
    };
    let persona_at = src.find("persona").unwrap_or(0);
    for p in &s.persona.prefers {
        if !known("option", p) {
            out.push(loc.at(
                find_quoted_after(src, "", p, persona_at),
                format!("persona prefers unknown option `{p}` (see assets/rubric/listening.ron)"),
            ));
        }
    }
    for (i, n) in s.nodes.iter().enumerate() {
        let at = node_at[i];
        let part_topics: Vec<String> = n
            .listen
            .parts
            .iter()
            .filter(|p| !p.topic.is_empty())
            .map(|p| p.topic.clone())
            .collect();
        for p in n
            .listen
            .parts
            .iter()
            .filter(|p| p.topic.is_empty() && !p.time)
        {
            out.push(loc.at(
                find_quoted_after(src, "", &p.ask, at),
                format!(
                    "node `{}`: part `{}` says nothing that would answer it (give a topic, or time: true)",
                    n.id, p.ask
                ),
            ));
        }
        for (kind, ids) in [
            ("topic", &n.listen.topics),
            ("option", &n.listen.options),
            ("ask", &n.listen.asks),
            ("topic", &part_topics),
        ] {
            for id in ids {
                if !known(kind, id) {
                    out.push(loc.at(
                        find_quoted_after(src, "", id, at),
                        format!("node `{}` listens for unknown {kind} `{id}`", n.id),
                    ));
                }
            }
        }
        // Conditions in branches and key points.
        let mut conds: Vec<&When> = n.next.iter().map(|b| &b.when).collect();
        conds.extend(n.key_points.iter().map(|k| &k.when));
        let mut flat = Vec::new();
        for c in conds {
            flatten(c, &mut flat);
        }
        for c in flat {
            let (kind, id) = match c {
                When::Offered(id) | When::Picked(id) => ("option", id),
                When::Asked(id) => ("ask", id),
                When::Mentions(id) => ("topic", id),
                When::Promised(k) => {
                    if !["time", "action", "any"].contains(&k.as_str()) {
                        out.push(loc.at(
                            find_quoted_after(src, "Promised(", k, at),
                            format!("`Promised(\"{k}\")`: use \"time\", \"action\" or \"any\""),
                        ));
                    }
                    continue;
                }
                _ => continue,
            };
            if id != "any" && !known(kind, id) {
                out.push(loc.at(
                    find_quoted_after(src, "", id, at),
                    format!(
                        "node `{}` names unknown {kind} `{id}` (see assets/rubric/listening.ron)",
                        n.id
                    ),
                ));
            } else if let When::Picked(id) = c
                && id != "any"
                && !n.listen.options.is_empty()
                && !n.listen.options.contains(id)
                && !(n.listen.options.iter().any(|o| o == listen::COLOURS)
                    && vocab.option(id).is_some_and(|t| t.group == listen::COLOURS))
            {
                out.push(loc.at(
                    find_quoted_after(src, "Picked(", id, at),
                    format!(
                        "branch `Picked(\"{id}\")` of `{}` can never hold: the customer only takes one of {:?} here",
                        n.id, n.listen.options
                    ),
                ));
            }
        }
        // Slots in lines.
        let mut slot_free = false;
        for l in &n.lines {
            let used = slots(l);
            if !used.iter().any(|u| HEARD_SLOTS.contains(u)) {
                slot_free = true;
            }
        }
        if !slot_free && !n.lines.is_empty() {
            out.push(loc.at(
                at,
                format!("node `{}` needs one line without {{picked}}/{{promise}}/{{question}}, for when nothing was heard", n.id),
            ));
        }
        // Asks the node listens for must be answerable from the persona's facts.
        for a in &n.listen.asks {
            if let Some(ans) = vocab.answer(a)
                && !ans
                    .lines
                    .iter()
                    .any(|l| slots(l).iter().all(|f| s.persona.facts.contains_key(*f)))
            {
                let need: Vec<&str> = ans.lines.iter().flat_map(|l| slots(l)).collect();
                out.push(loc.at(
                    find_quoted_after(src, "", a, at),
                    format!("node `{}` listens for the ask `{a}`, but the persona has no facts to answer it (needs {need:?} under persona `facts`)", n.id),
                ));
            }
        }
        // Model answers a listening customer accepts.
        if n.is_ending() {
            continue;
        }
        // 答非所问 can only be told when the listener knows what the customer is talking about.
        if n.listen.topics.is_empty() {
            for line in &n.lines {
                let line = s.fill(line);
                if vocab.topics_in(&line).is_empty() {
                    out.push(loc.at(
                        find_quoted_after(src, "", &line, at),
                        format!(
                            "the line「{line}」of `{}` names no topic the listener knows, so a reply about something else would pass: name its topics under `listen: (topics: [...])`",
                            n.id
                        ),
                    ));
                }
            }
        }
        let policy = s.shop.policy();
        for a in &n.model_answers {
            let off = find_quoted_after(src, "", a, at);
            let short: String = a.chars().take(16).collect();
            // Judged as trainees will see it, the shop's placeholders filled.
            let filled = s.fill(a);
            let a = &filled;
            // Detected once per answer; only what was heard depends on the customer's line.
            let det = rubric.detect(a, Some(&policy));
            let detected = |c| det.has(c);
            for line in &n.lines {
                let line = s.fill(line);
                let heard = listen::listen(
                    &vocab,
                    a,
                    &listen::Context {
                        customer_line: &line,
                        node: Some(&n.listen),
                        product: &s.shop.product,
                        shop_options: &s.shop_options,
                        earlier: &[],
                    },
                );
                if heard.off_topic {
                    out.push(loc.at(
                        off,
                        format!(
                            "model answer「{short}…」of `{}` reads as 答非所问 to the line「{line}」: it takes up none of {:?} — name the topic under `listen: (topics: [...])`",
                            n.id,
                            vocab.topics_in(&line)
                        ),
                    ));
                    break;
                }
                let missed: Vec<&str> = n
                    .key_points
                    .iter()
                    .filter(|k| {
                        !holds(
                            &k.when,
                            &Facts {
                                detected: &detected,
                                score: 0,
                                mood: 50,
                                heard: &heard,
                            },
                        )
                    })
                    .map(|k| k.point.as_str())
                    .collect();
                if !missed.is_empty() {
                    out.push(loc.at(
                        off,
                        format!(
                            "model answer「{short}…」of `{}` misses its key points: {}",
                            n.id,
                            missed.join("、")
                        ),
                    ));
                    break;
                }
            }
        }
    }
    out
}

fn flatten<'a>(w: &'a When, out: &mut Vec<&'a When>) {
    match w {
        When::All(v) | When::Any(v) => v.iter().for_each(|w| flatten(w, out)),
        w => out.push(w),
    }
}
