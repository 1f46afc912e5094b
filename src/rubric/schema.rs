//! The rubric file format (`assets/rubric/*.ron`): every check is data.

use super::check::CheckId;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RubricFile {
    pub version: u32,
    pub name: String,
    pub checks: Vec<CheckDef>,
    pub scoring: Scoring,
    /// Conduct the listening step finds (a repeated reply, 答非所问): violations of their own.
    #[serde(default)]
    pub conduct: Conduct,
    /// Ranks named after the courseware's levels, lowest first: a session with a total at
    /// or above `min` earns `name`.
    pub ranks: Vec<Rank>,
    /// Named cue classes (who acts for the customer, feelings, third parties…). An entry
    /// `"@name"` in any cue or exception list of a rule stands for every cue of the class, so
    /// one class grows for every rule that uses it. A class may use other classes.
    #[serde(default)]
    pub classes: std::collections::BTreeMap<String, Vec<String>>,
}

impl RubricFile {
    /// Replace every `"@name"` entry by its class's cues (classes inside classes too).
    /// Returns the names used but not defined, and names defined in a cycle.
    pub fn expand_classes(&mut self) -> Vec<String> {
        let mut bad = Vec::new();
        let mut done: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let names: Vec<String> = self.classes.keys().cloned().collect();
        for name in &names {
            let mut stack = Vec::new();
            resolve_class(name, &self.classes, &mut done, &mut stack, &mut bad);
        }
        let mut expand = |list: &mut Vec<String>| {
            if !list.iter().any(|c| c.starts_with('@') || is_template(c)) {
                return;
            }
            let mut out = Vec::with_capacity(list.len());
            for cue in list.drain(..) {
                out.extend(expand_cue(&cue, |name| match done.get(name) {
                    Some(cues) => Cow::Borrowed(cues.as_slice()),
                    None => {
                        bad.push(name.to_string());
                        Cow::Owned(Vec::new())
                    }
                }));
            }
            let mut seen = std::collections::HashSet::new();
            out.retain(|c| seen.insert(c.clone()));
            *list = out;
        };
        for def in &mut self.checks {
            def.rule.for_each_list(&mut expand);
            for rw in &mut def.rewrites {
                expand(&mut rw.when);
            }
            expand(&mut def.kept_by);
            expand(&mut def.long_kept_by);
        }
        bad.sort();
        bad.dedup();
        bad
    }
}

/// A cue template: parts joined by `+`, at least one of them a class (`肯定+@degree+@feeling`
/// stands for 肯定很生气, 肯定挺着急 …). A `+` with no class part is a literal char (`+号`).
fn is_template(cue: &str) -> bool {
    cue.contains('+') && cue.split('+').any(|p| p.starts_with('@'))
}

/// The cues `cue` stands for: one part, or a template's parts joined by `+`
/// (肯定+@degree+@feeling), every literal and class cue of the parts joined in order, so `@name`
/// alone stands for its class and a literal for itself. `class` gives a class's cues.
fn expand_cue<'c>(cue: &str, mut class: impl FnMut(&str) -> Cow<'c, [String]>) -> Vec<String> {
    if !is_template(cue) {
        return match cue.strip_prefix('@') {
            Some(name) => class(name).into_owned(),
            None => vec![cue.to_string()],
        };
    }
    let mut joined = vec![String::new()];
    for part in cue.split('+') {
        let options = match part.strip_prefix('@') {
            Some(name) => class(name),
            None => Cow::Owned(vec![part.to_string()]),
        };
        joined = joined
            .iter()
            .flat_map(|head| options.iter().map(move |o| format!("{head}{o}")))
            .collect();
    }
    joined
}

fn resolve_class(
    name: &str,
    classes: &std::collections::BTreeMap<String, Vec<String>>,
    done: &mut std::collections::BTreeMap<String, Vec<String>>,
    stack: &mut Vec<String>,
    bad: &mut Vec<String>,
) -> Option<Vec<String>> {
    if let Some(d) = done.get(name) {
        return Some(d.clone());
    }
    if stack.iter().any(|s| s == name) {
        bad.push(name.to_string());
        return None;
    }
    let Some(cues) = classes.get(name) else {
        bad.push(name.to_string());
        return None;
    };
    stack.push(name.to_string());
    let mut out = Vec::new();
    for cue in cues {
        // A template inside a class (`@leaning_subject+@leaning`) is expanded as in a rule list.
        out.extend(expand_cue(cue, |inner| {
            Cow::Owned(resolve_class(inner, classes, done, stack, bad).unwrap_or_default())
        }));
    }
    stack.pop();
    done.insert(name.to_string(), out.clone());
    Some(out)
}

impl Rule {
    /// Every cue and exception list of the rule (and its parts), for class expansion.
    pub fn for_each_list(&mut self, f: &mut impl FnMut(&mut Vec<String>)) {
        match self {
            Rule::Phrases(p) => {
                for l in [
                    &mut p.any,
                    &mut p.unless,
                    &mut p.unless_before,
                    &mut p.unless_after,
                    &mut p.unless_after_if,
                    &mut p.conditions,
                    &mut p.unless_clause,
                    &mut p.unless_reply,
                    &mut p.requires_reply,
                    &mut p.unless_later,
                    &mut p.unless_subject,
                    &mut p.other_subject,
                    &mut p.requires_clause,
                    &mut p.whole_clause,
                    &mut p.bare_clause,
                ] {
                    f(l);
                }
            }
            Rule::Seq(q) => {
                for step in &mut q.steps {
                    f(step);
                }
                for l in [
                    &mut q.unless,
                    &mut q.unless_before,
                    &mut q.unless_after,
                    &mut q.unless_clause,
                    &mut q.unless_reply,
                    &mut q.requires_reply,
                    &mut q.unless_later,
                    &mut q.unless_subject,
                    &mut q.other_subject,
                ] {
                    f(l);
                }
            }
            Rule::Choice(c) => {
                for l in [
                    &mut c.joiners,
                    &mut c.not_choice,
                    &mut c.pickers,
                    &mut c.sets,
                    &mut c.askers,
                    &mut c.not_lists,
                ] {
                    f(l);
                }
            }
            Rule::Concession(c) => {
                for l in [
                    &mut c.discount,
                    &mut c.free_shipping,
                    &mut c.gift,
                    &mut c.unless,
                    &mut c.unless_clause,
                    &mut c.unless_before,
                    &mut c.unless_reply,
                ] {
                    f(l);
                }
            }
            Rule::AnyOf(parts) => {
                for r in parts {
                    r.for_each_list(f);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    pub id: String,
    /// Chinese short name, e.g. 认同感受.
    pub label: String,
    /// The courseware file and section the check comes from.
    pub section: String,
    /// What to tell the trainee when an expected check is missing, or a violation is present.
    pub feedback: String,
    /// Praise when an expected check is met (optional).
    #[serde(default)]
    pub praise: String,
    pub rule: Rule,
    /// Suggested rewrites for violations: the offending words and what to say instead.
    #[serde(default)]
    pub rewrites: Vec<Rewrite>,
    /// Penalty (points off a turn) when a violation is present and the node sets no weight.
    #[serde(default)]
    pub penalty: u32,
    /// The check is not credited in a reply where one of these checks is present: a question
    /// inside a scolding is not 了解需求, praise of the goods in a reply that blames the
    /// customer is not 突出价值.
    #[serde(default)]
    pub unless_checks: Vec<String>,
    /// Words that keep the check in a reply where one of its `unless_checks` is present: blame is
    /// withdrawn where the shop offers a remedy, but a wall beside a token step (我联系过仓库了
    /// 规定就是这样 没办法) still blames.
    #[serde(default)]
    pub kept_by: Vec<String>,
    /// The check is not found in a reply of at least this many chars (spaces not counted): rude
    /// is curt, and a reply that long explains (round 40). Unset: any length.
    #[serde(default)]
    pub max_chars: Option<usize>,
    /// Words that keep the check in a reply past `max_chars`: what is unmistakable at any length
    /// (说了多少遍, 爱买不买, 催什么催).
    #[serde(default)]
    pub long_kept_by: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rewrite {
    pub from: String,
    pub to: String,
    /// Replace the whole clause holding `from` with `to` (for concessions, rude or blaming
    /// clauses, where swapping one word would not make a sentence).
    #[serde(default)]
    pub clause: bool,
    /// The rewrite applies only when the clause also holds one of these (保证 + 到货 → a
    /// template about delivery; 保证 + 质量 → one about quality).
    #[serde(default)]
    pub when: Vec<String>,
}

/// How a check is detected.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub enum Rule {
    /// Present when a cue phrase occurs and no exception cancels it.
    Phrases(PhraseRule),
    /// A choice question: two options joined by a joiner, or an enumeration plus a picker.
    Choice(ChoiceRule),
    /// A concession on price, shipping or gifts, judged against the shop's policy.
    Concession(ConcessionRule),
    /// Present when cues of each class stand in order inside one clause.
    Seq(SeqRule),
    /// Present when any of the parts is.
    AnyOf(Vec<Rule>),
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhraseRule {
    /// Cue phrases: any one makes the check present.
    pub any: Vec<String>,
    /// Exceptions that overlap the cue cancel it (compound words: 保证金, 感谢您的理解).
    pub unless: Vec<String>,
    /// Exceptions ending at most `window` chars before the cue, in its clause (negation: 不敢保证).
    pub unless_before: Vec<String>,
    /// Exceptions after the cue in its clause (effort: 一定会尽力).
    pub unless_after: Vec<String>,
    /// Exceptions starting at the cue or after it in its clause (so a template may name the cue:
    /// 肯定+@duty) that count only under one of `conditions`: the shop's own duty taken on if
    /// something happened (真的坏了我们肯定赔的, 如果确实发错了 我们肯定给您换) is a commitment,
    /// where the same words said flat (肯定给您退) may still promise.
    pub unless_after_if: Vec<String>,
    /// What makes `unless_after_if` count: a condition anywhere in the cue's clause, in one of
    /// the two clauses before it (如果收到有破损 拍个照发我 我们肯定给您补的) or in the one after
    /// it (肯定给您换的 如果是质量问题的话).
    pub conditions: Vec<String>,
    /// Exceptions anywhere in the cue's clause.
    pub unless_clause: Vec<String>,
    /// Exceptions anywhere in the reply.
    pub unless_reply: Vec<String>,
    /// When set, a cue counts only if one of these stands somewhere in the reply: what makes
    /// the words mean the check is said elsewhere (谁看了不心塞 is shared feeling when the shop
    /// acts in the same reply — 马上给您补发 — and a brush-off when it does not).
    pub requires_reply: Vec<String>,
    /// Exceptions in a clause after the cue's: the reply goes on to ask or to carry on
    /// (感谢支持哈 宝宝多高我帮您对下码 — the thanks open a question, they do not close).
    pub unless_later: Vec<String>,
    /// Who the cue's clause is about: the cue is cancelled when the person standing nearest
    /// before it in its clause as a subject is one of these (小妹今天真的心塞 — the agent's own
    /// feeling, not the customer's). A person word right after an object marker (给您, 帮您,
    /// 让您) or before 的 (您的) or 好 (您好) is no subject, nor is one more than 8 chars before
    /// the cue, and a nearer subject from `other_subject` (我知道您很着急吧) shields the cue.
    pub unless_subject: Vec<String>,
    /// The other persons that may stand as the subject nearer the cue (see `unless_subject`).
    pub other_subject: Vec<String>,
    /// When set, a cue counts only if one of these also stands in its clause.
    pub requires_clause: Vec<String>,
    /// The cue's clause must be a question (ends with ? or a question particle).
    pub question: bool,
    /// The cue's clause must not be a question.
    pub not_question: bool,
    /// How far before the cue `unless_before` looks, in chars (default 4).
    pub window: Option<usize>,
    /// Cues that count only at the very start of a clause (and the clause is short): `不知道。`.
    pub whole_clause: Vec<String>,
    /// Cues in `any` also match with one char inserted, dropped or
    /// mistyped inside the cue (还有什么可以帮您的的吗, 已经邦您申请): real agents type fast.
    /// Cues of five or more chars only, and the first and last chars must stand as written.
    pub fuzzy: bool,
    /// Cues that count only when they make up their whole clause, but for address words and
    /// particles (亲 不清楚哦, 没办法 你自己跟快递说): a bare "don't know" / "can't".
    pub bare_clause: Vec<String>,
    /// Cues count only in the reply's last clause (感谢您的耐心 ending a conversation is a
    /// wrap-up; in the middle it is a courtesy).
    pub at_end: bool,
    /// Cues count only between a word and its echo, a tautology that closes the subject
    /// (没货就是没货, 不送赠品就是不送): the two chars after the cue stood in the six before it
    /// (or the one char after it right before it), and only filler follows in the clause.
    pub echo: bool,
    /// Ask words (麻烦, 请问, 确认, 插一句): the cue only softens an ask, and does not count, when
    /// the rest of its clause holds one, or holds only filler and the next clause holds one or
    /// asks by its own form (不好意思 您要哪个尺码呀, 不好意思亲 麻烦发下订单号). Not where something
    /// else is said first (不好意思让您久等了，麻烦发下订单号).
    pub softens: Vec<String>,
    /// Cues that count only with nothing but filler before them in their clause: 在的 opening a
    /// reply (亲 在的, 在哦 有什么可以帮您), not 吊牌和包装都在哦.
    pub leading: Vec<String>,
    /// What this rule finds stands beside the check's `unless_checks`: a rebuttal that an
    /// offer in the same reply does not take back (签了就默认外观没问题了 我这边帮您申请看看).
    pub stands: bool,
    /// For a violation: a whole-sentence rewrite of a clause this part found, used when none of
    /// the check's `rewrites` applies to it (a shape heard without a listed word has no word
    /// to key a rewrite on).
    pub rewrite: String,
}

/// Cue classes in order inside one clause, each within `max_gap` chars of the one before:
/// [帮您/为您/这边] … [申请/取消/备注] … [了] finds 这边已经给您申请了 and 已帮您把订单取消了
/// without listing every wording. Exceptions work as in `PhraseRule`, on the whole sequence.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeqRule {
    /// One class of cues per step; a match takes one cue of every step, in order.
    pub steps: Vec<Vec<String>>,
    /// At most this many chars between one step's cue and the next (default 4).
    pub max_gap: Option<usize>,
    /// Exceptions that overlap the sequence.
    pub unless: Vec<String>,
    /// Exceptions ending at most `window` chars before the sequence, in its clause.
    pub unless_before: Vec<String>,
    /// Exceptions after the sequence in its clause.
    pub unless_after: Vec<String>,
    /// Exceptions anywhere in the sequence's clause.
    pub unless_clause: Vec<String>,
    /// Exceptions anywhere in the reply.
    pub unless_reply: Vec<String>,
    /// The sequence counts only if one of these stands somewhere in the reply (as in
    /// `PhraseRule`).
    pub requires_reply: Vec<String>,
    /// Exceptions in a clause after the sequence's (as in `PhraseRule`).
    pub unless_later: Vec<String>,
    /// The subject before the sequence in its clause (as in `PhraseRule`).
    pub unless_subject: Vec<String>,
    /// The other persons that may stand as that subject (as in `PhraseRule`).
    pub other_subject: Vec<String>,
    /// The clause must be a question.
    pub question: bool,
    /// The clause must not be a question.
    pub not_question: bool,
    /// How far before the sequence `unless_before` looks, in chars (default 4).
    pub window: Option<usize>,
    /// The sequence counts only when it makes up its whole clause, but for address words,
    /// particles and a topic (这个 / 我们 / 小妹): a bare refusal of any wording (这个退不了,
    /// 不归我们管, 没法开票哦) rather than a list of them.
    pub bare: bool,
    /// The reply's other clauses hold at most this many chars but for fillers, so the sequence
    /// is all the customer gets (没这颜色; not 没这颜色 黑色的有现货).
    pub rest_max: Option<usize>,
    /// Only filler may follow the sequence in its clause: the last cue ends what is said
    /// (我们这边也是没有办法的, 收货点我们真的查不到 — a wall), where an object after it names a
    /// request refused with the agent's reason elsewhere (没办法改价).
    pub ends_clause: bool,
    /// The sequence counts only in the reply's last clause but for address words: what the
    /// customer is left with (我们也是按流程处理的), not a rule that goes on to what happens next
    /// (都是按流程走的 您这单排在明天上午发).
    pub at_end: bool,
    /// Only filler may stand before the sequence in its clause: the first cue opens what is
    /// said (人为损坏 不给换 — the refusal is the statement), where a topic or a condition before
    /// it in the same clause qualifies it (偏远地区不包邮, 天猫不能改价的).
    pub leads_clause: bool,
    /// The chain may run on into the next clause, as run-on chat splits one thought with a space
    /// (你都签收了 现在说有破损？). Gaps still count in chars; clause exceptions are judged on the
    /// clause of the first cue.
    pub next_clause: bool,
    /// What this sequence finds stands beside the check's `unless_checks` (as in `PhraseRule`).
    pub stands: bool,
    /// For a violation: a whole-sentence rewrite of a clause this sequence found, used when none
    /// of the check's `rewrites` applies to it.
    pub rewrite: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChoiceRule {
    /// Words joining two options: 还是, 或者.
    pub joiners: Vec<String>,
    /// Joiner uses that are not a choice: 还是建议, 还是那句话.
    pub not_choice: Vec<String>,
    /// Words that ask the customer to pick from a list: 哪一种, 哪个.
    pub pickers: Vec<String>,
    /// Words that point at a set of options already named: 这两款, 这几种.
    pub sets: Vec<String>,
    /// Words before a joiner that make the clause a question even without `?`: 您看, 请问.
    pub askers: Vec<String>,
    /// Words that make a numbered list steps, notes or a request rather than options to pick
    /// from (操作步骤 1.… 2.…, 麻烦提供 1.订单号 2.照片): 步骤, 注意事项, 提供.
    pub not_lists: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConcessionRule {
    /// Cutting the price: 便宜, 少收, 打折.
    pub discount: Vec<String>,
    /// Waiving shipping: 包邮, 免运费.
    pub free_shipping: Vec<String>,
    /// Adding a gift: 送您, 赠品.
    pub gift: Vec<String>,
    /// Exceptions overlapping the cue.
    pub unless: Vec<String>,
    /// Exceptions anywhere in the cue's clause (after-sales compensation, public offers).
    pub unless_clause: Vec<String>,
    /// Exceptions before the cue in its clause (negation: 没法包邮).
    pub unless_before: Vec<String>,
    /// Exceptions anywhere in the reply (an apology for a fault makes a coupon compensation).
    pub unless_reply: Vec<String>,
    /// A whole-sentence rewrite of a clause this rule found, used when none of the check's
    /// `rewrites` applies to it.
    pub rewrite: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// Points for the node's expected checks (shared by their weights).
    pub expected: f32,
    /// Points for the node's key points (what a good reply must address there); a node
    /// without key points gives them to its expected checks.
    #[serde(default)]
    pub key_points: f32,
    /// Points for similarity to the node's model answers.
    pub similarity: f32,
    /// Points for replying within the node's target time.
    pub time: f32,
    /// Similarity at or below this earns nothing.
    pub similarity_floor: f32,
    /// Similarity at or above this earns full points.
    pub similarity_full: f32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rank {
    pub min: u32,
    pub name: String,
    pub description: String,
}

impl CheckDef {
    pub fn check_id(&self) -> Option<CheckId> {
        self.id.parse().ok()
    }
}

impl Rule {
    /// The rule's parts in order, an `AnyOf` flattened (as the matcher compiles them): evidence
    /// names the part that found it by its index here.
    pub fn parts(&self) -> Vec<&Rule> {
        fn flatten<'a>(r: &'a Rule, out: &mut Vec<&'a Rule>) {
            match r {
                Rule::AnyOf(v) => v.iter().for_each(|r| flatten(r, out)),
                r => out.push(r),
            }
        }
        let mut out = Vec::new();
        flatten(self, &mut out);
        out
    }

    /// A short name for the part, for reports: its kind and first cues (`Phrases 对8起 / 骚瑞 /
    /// 多有得罪 …`; a sequence by the first cue of each step, `Seq 早跟你说 … → 你不看 …`).
    pub fn describe(&self) -> String {
        fn first(words: &[String], n: usize) -> String {
            let mut s = words
                .iter()
                .take(n)
                .cloned()
                .collect::<Vec<_>>()
                .join(" / ");
            if words.len() > n {
                s.push_str(" …");
            }
            s
        }
        match self {
            Rule::Phrases(p) => {
                // Cues stand in `any`, or only in the clause-shaped lists.
                let cues = [&p.any, &p.whole_clause, &p.bare_clause, &p.leading]
                    .into_iter()
                    .find(|l| !l.is_empty())
                    .map_or(String::new(), |l| first(l, 3));
                format!("Phrases {cues}")
            }
            Rule::Seq(q) => {
                let steps: Vec<String> = q.steps.iter().map(|s| first(s, 1)).collect();
                format!("Seq {}", steps.join(" → "))
            }
            Rule::Choice(c) => format!("Choice {}", first(&c.joiners, 3)),
            Rule::Concession(_) => "Concession".to_string(),
            Rule::AnyOf(v) => format!("AnyOf ({} parts)", v.len()),
        }
    }

    /// The part's own whole-sentence rewrite, if it has one.
    pub fn own_rewrite(&self) -> Option<&str> {
        let r = match self {
            Rule::Phrases(p) => &p.rewrite,
            Rule::Seq(q) => &q.rewrite,
            Rule::Concession(c) => &c.rewrite,
            _ => return None,
        };
        (!r.trim().is_empty()).then_some(r.as_str())
    }
}

/// A fault of conduct rather than wording, found by the listening step.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConductDef {
    /// 重复回复, 答非所问.
    pub label: String,
    pub section: String,
    pub feedback: String,
    pub penalty: u32,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Conduct {
    /// The reply repeats an earlier one of the session.
    pub repeated: Option<ConductDef>,
    /// The reply answers something the customer did not raise.
    pub off_topic: Option<ConductDef>,
}
