//! Listening: what the customer understood from a trainee's reply.
//!
//! Plain Rust, no Bevy. Every reply passes through [`listen`] before the customer reacts. It
//! returns a [`Heard`]: the options the trainee put to the customer (`offered`), what they asked
//! for (`asked`), what they committed to (`promised`), what they refused (`refused`), the topics
//! they took up, and whether the reply repeats an earlier one (`repeated`) or answers something
//! the customer did not raise (`off_topic`, 答非所问). Scenarios branch on it, customer lines quote
//! it, the scorer counts expected checks only in a reply that listened, and the result file
//! records it per turn.
//!
//! The vocabulary is data: `assets/rubric/listening.ron`.

use crate::diag::{self, Diagnostic};
use crate::rubric::normalize::{Normalized, clauses, is_cjk, normalize, quoted_clauses};
use crate::rubric::similarity::{Measure, comparable, similarity_prepared};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

pub const BUILTIN_PATH: &str = "assets/rubric/listening.ron";
const BUILTIN_SRC: &str = include_str!("../../assets/rubric/listening.ron");

/// A named thing with the cue phrases that name it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub label: String,
    pub cues: Vec<String>,
    /// Longer words a cue can stand inside without naming this (重发 in 身高体重发我).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// A group a node can name to take any of its members (`colors`: every colour, the
    /// shop's own colour names included).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
}

/// The group of colour options; a node naming it takes the shop's own colours too.
pub const COLOURS: &str = "colors";

/// Options from the shop being played: each colour in the product's `colors` fact
/// (`燕麦色、雾霾蓝、黑色`), so a customer can take the colours a team's own product comes in.
/// Cues: the name, the name without 色, without a leading number (`01豆沙` → 豆沙), without a
/// note in brackets (`深蓝色（原色）`).
pub fn shop_options(colors: &str) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    for raw in colors.split(['、', '，', ',', '/', '；', ';']) {
        let name: String = match raw.find(['（', '(']) {
            Some(i) => raw[..i].to_string(),
            None => raw.to_string(),
        };
        let name = name.trim().to_string();
        let n = name.chars().count();
        // "只有一个版本" is not a colour.
        if !(1..=6).contains(&n) || name.contains(['有', '个']) {
            continue;
        }
        let mut cues = vec![name.clone()];
        let bare: String = name
            .trim_start_matches(|c: char| c.is_ascii_alphanumeric())
            .to_string();
        if bare != name && bare.chars().count() >= 2 {
            cues.push(bare.clone());
        }
        for c in cues.clone() {
            if let Some(b) = c.strip_suffix('色')
                && b.chars().count() >= 2
            {
                cues.push(b.to_string());
            }
        }
        let cues: Vec<String> = cues.iter().map(|c| normalize(c).text()).collect();
        if out.iter().any(|t| t.label == name) {
            continue;
        }
        out.push(Term {
            unless: Vec::new(),
            id: format!("color:{name}"),
            label: name,
            cues,
            group: COLOURS.into(),
        });
    }
    out
}

/// Does a node's `listen.options` take this offered item (its id, or its group)?
pub fn takes(options: &[String], item: &Item) -> bool {
    options
        .iter()
        .any(|o| o == &item.id || (!item.group.is_empty() && o == &item.group))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromiseCues {
    pub times: Vec<String>,
    /// Time words that only say "now" (马上, 立刻): a time promise only about an outcome
    /// (马上发货), not about what the trainee does in the chat (我马上帮您核实).
    pub immediate: Vec<String>,
    /// Outcomes a customer waits for: an immediate word before one of these names a time.
    pub outcomes: Vec<String>,
    /// What the trainee does in the chat itself (核实, 查): with one of these the outcome is
    /// what is looked into (我马上帮您核实退款进度), not a time promised.
    pub in_chat: Vec<String>,
    pub units: Vec<String>,
    /// Time words that promise without saying when (尽快, 第一时间, 稍后): still a time
    /// promised, but no answer to a "how long" part (多久能处理好).
    #[serde(default)]
    pub vague: Vec<String>,
    pub commits: Vec<String>,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reactions {
    pub repeated: Vec<String>,
    pub off_topic: Vec<String>,
    pub give_up: Vec<String>,
    /// The reply answered part of a two-part question: the customer asks the rest again
    /// ({question}: the parts left unanswered).
    #[serde(default)]
    pub half_answered: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub ask: String,
    pub lines: Vec<String>,
}

/// A reply on topic `reply` takes up a customer line on any of `to`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Related {
    pub reply: String,
    pub to: Vec<String>,
}

/// `assets/rubric/listening.ron`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    pub version: u32,
    pub repeat_threshold: f32,
    pub give_up_after: u32,
    pub options: Vec<Term>,
    pub asks: Vec<Term>,
    pub always_on_topic: Vec<String>,
    pub topics: Vec<Term>,
    /// Topics that answer each other (see the file).
    pub related: Vec<Related>,
    pub refusals: Vec<String>,
    /// Words a refusal cue can stand in without refusing: a cue that overlaps one of these is
    /// skipped (要不给您返现 is "how about", 不给您添麻烦 refuses nothing).
    #[serde(default)]
    pub refusal_unless: Vec<String>,
    pub question_words: Vec<String>,
    /// The agent's own finding-out (问问, 查一下…): question words after one of these, with
    /// one of `embed_agents` before it, ask the customer nothing.
    #[serde(default)]
    pub embedders: Vec<String>,
    /// Who finds out (我, 小妹, 帮您…): one must stand before the embedder.
    #[serde(default)]
    pub embed_agents: Vec<String>,
    pub request_words: Vec<String>,
    pub choice_joiners: Vec<String>,
    pub promise: PromiseCues,
    pub stop_bigrams: Vec<String>,
    pub reactions: Reactions,
    pub answers: Vec<Answer>,
}

/// The built-in vocabulary, loaded once and shared.
///
/// `$PEILIAN_LISTENING` names a vocabulary file to use instead (for authors trying new cues
/// without a rebuild); a file that does not load is reported on stderr and the built-in one
/// is used.
pub fn shared() -> std::sync::Arc<Vocabulary> {
    static V: std::sync::OnceLock<std::sync::Arc<Vocabulary>> = std::sync::OnceLock::new();
    std::sync::Arc::clone(V.get_or_init(|| {
        let from_env = std::env::var_os("PEILIAN_LISTENING").map(std::path::PathBuf::from);
        let v = match from_env {
            None => Vocabulary::builtin(),
            Some(path) => match std::fs::read_to_string(&path)
                .map_err(|e| vec![Diagnostic::new(&path, 1, 1, format!("cannot read: {e}"))])
                .and_then(|src| Vocabulary::from_str(&src, &path))
            {
                Ok(v) => v,
                Err(ds) => {
                    for d in ds {
                        eprintln!("{d}");
                    }
                    eprintln!("PEILIAN_LISTENING: using the built-in vocabulary instead");
                    Vocabulary::builtin()
                }
            },
        };
        std::sync::Arc::new(v)
    }))
}

/// One thing heard, with where it stands in the reply (char offsets into the reply as typed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub label: String,
    /// The words that carried it.
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// The option's group (`colors`), if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseKind {
    /// A time the trainee committed to (今天下午, 48小时内, 周六前).
    Time,
    /// An action the trainee committed to (联系快递, 补发) without a time.
    Action,
}

/// A commitment the customer will hold the trainee to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub kind: PromiseKind,
    /// The clause that made the promise, as typed.
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// What the customer understood from one reply. Recorded per turn in the result file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Heard {
    /// Options put to the customer (choice questions, named remedies and actions).
    pub offered: Vec<Item>,
    /// True when the options were put as a choice (A还是B, A或者B, a list + 哪).
    pub choice: bool,
    /// The option the customer took, by id (one of `offered`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picked: Option<String>,
    /// What the trainee asked the customer for.
    pub asked: Vec<Item>,
    /// Which of the asks the customer answered (ask ids), from the persona's facts.
    pub answered: Vec<String>,
    /// Times and actions committed to.
    pub promised: Vec<Promise>,
    /// Refusals (不能便宜, 包邮不了, 不支持…).
    pub refused: Vec<Item>,
    /// Topics the reply took up (ids from the vocabulary).
    pub topics: Vec<String>,
    /// The reply is nearly the same as an earlier one in this session.
    pub repeated: bool,
    /// Which earlier turn it repeats (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeats_turn: Option<usize>,
    /// The reply addresses nothing the customer just said or asked (答非所问).
    pub off_topic: bool,
    /// The parts of a two-part question the reply left unanswered (their `ask` words), when it
    /// answered the customer at all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unanswered: Vec<String>,
}

impl Heard {
    pub fn offered_ids(&self) -> BTreeSet<&str> {
        self.offered.iter().map(|i| i.id.as_str()).collect()
    }
    pub fn asked_ids(&self) -> BTreeSet<&str> {
        self.asked.iter().map(|i| i.id.as_str()).collect()
    }
    /// Listened: neither repeated nor off topic.
    pub fn listened(&self) -> bool {
        !self.repeated && !self.off_topic
    }
}

/// What the node tells the listener about the conversation at this point.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeListen {
    /// Topics the customer raises here (vocabulary ids), in addition to those found in their
    /// line. A reply that takes up none of them, and asks nothing relevant, is 答非所问.
    pub topics: Vec<String>,
    /// The options the customer can take here (vocabulary ids); empty: any offered option.
    pub options: Vec<String>,
    /// What the customer expects to be asked here (vocabulary ids); asking it is on topic.
    pub asks: Vec<String>,
    /// The customer's question in a few words, for "我问的是…" (default: their whole line).
    pub question: String,
    /// The customer's question in parts when it asks two things at once (这回怎么包？周六前能收到吗？):
    /// a reply that takes up some parts and not the others leaves those unanswered, and the
    /// customer asks again.
    pub parts: Vec<AskPart>,
}

/// One part of a question that asks two things at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AskPart {
    /// What the customer asked, in a few words (这回怎么包).
    pub ask: String,
    /// The topic (vocabulary id) a reply must take up to answer it.
    pub topic: String,
    /// A "when / how long" part (多久能处理好): a time given in a statement (今天, 48小时内,
    /// 两个工作日, 马上处理好) answers it as well as its topic does; with no topic, only a time does.
    pub time: bool,
}

/// The context one reply is heard in.
pub struct Context<'a> {
    /// The customer's line the trainee is answering.
    pub customer_line: &'a str,
    pub node: Option<&'a NodeListen>,
    /// The product talked about (the shop's product name): naming it takes up a customer's
    /// question about the product.
    pub product: &'a str,
    /// The trainee's earlier replies in this session, oldest first.
    pub earlier: &'a [&'a str],
    /// Options from the shop being played (its product's colours: [`shop_options`]).
    pub shop_options: &'a [Term],
}

impl Vocabulary {
    /// The vocabulary compiled into the binary.
    pub fn builtin() -> Vocabulary {
        match Vocabulary::from_str(BUILTIN_SRC, Path::new(BUILTIN_PATH)) {
            Ok(v) => v,
            // Tested; failing here is a build defect.
            Err(d) => panic!("the built-in listening vocabulary is invalid: {}", d[0]),
        }
    }

    pub fn from_str(src: &str, path: &Path) -> Result<Vocabulary, Vec<Diagnostic>> {
        let mut v: Vocabulary = crate::ron_options()
            .from_str(src)
            .map_err(|e| vec![Diagnostic::from_ron(path, &e)])?;
        let mut problems = Vec::new();
        for (kind, terms) in [
            ("option", &v.options),
            ("ask", &v.asks),
            ("topic", &v.topics),
        ] {
            let mut seen = BTreeSet::new();
            for t in terms {
                if !seen.insert(t.id.as_str()) {
                    let (l, c) = diag::locate_quoted(src, &t.id, 0);
                    problems.push(Diagnostic::new(
                        path,
                        l,
                        c,
                        format!("{kind} `{}` is defined twice", t.id),
                    ));
                }
                if t.cues.iter().any(|c| c.trim().is_empty()) || t.cues.is_empty() {
                    let (l, c) = diag::locate_quoted(src, &t.id, 0);
                    problems.push(Diagnostic::new(
                        path,
                        l,
                        c,
                        format!("{kind} `{}` needs non-empty cues", t.id),
                    ));
                }
            }
        }
        for a in v
            .always_on_topic
            .iter()
            .chain(v.answers.iter().map(|a| &a.ask))
        {
            if !v.asks.iter().any(|t| &t.id == a) {
                let (l, c) = diag::locate_quoted(src, a, 0);
                problems.push(Diagnostic::new(path, l, c, format!("unknown ask `{a}`")));
            }
        }
        for r in &v.related {
            for t in std::iter::once(&r.reply).chain(&r.to) {
                if !v.topics.iter().any(|x| &x.id == t) {
                    let (l, c) = diag::locate_quoted(src, t, 0);
                    problems.push(Diagnostic::new(path, l, c, format!("unknown topic `{t}`")));
                }
            }
        }
        if !(0.0..=1.0).contains(&v.repeat_threshold) {
            problems.push(Diagnostic::new(
                path,
                1,
                1,
                "repeat_threshold must lie between 0 and 1",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // Cues are matched on normalised text: fold them the same way.
        let fold = |s: &mut String| *s = normalize(s).text();
        for t in v.options.iter_mut().chain(&mut v.asks).chain(&mut v.topics) {
            t.cues.iter_mut().for_each(fold);
            t.unless.iter_mut().for_each(fold);
        }
        Ok(v)
    }

    pub fn option(&self, id: &str) -> Option<&Term> {
        self.options.iter().find(|t| t.id == id)
    }
    pub fn ask(&self, id: &str) -> Option<&Term> {
        self.asks.iter().find(|t| t.id == id)
    }
    pub fn topic(&self, id: &str) -> Option<&Term> {
        self.topics.iter().find(|t| t.id == id)
    }
    pub fn answer(&self, ask: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.ask == ask)
    }

    /// Topics named in a text (ids, vocabulary order).
    pub fn topics_in(&self, text: &str) -> Vec<String> {
        let t = normalize(text).text();
        self.topics
            .iter()
            .filter(|tp| tp.cues.iter().any(|c| t.contains(c.as_str())))
            .map(|tp| tp.id.clone())
            .collect()
    }
}

/// Every occurrence of `needle` in `hay` (char offsets), non-overlapping.
fn find_all(hay: &[char], needle: &[char]) -> Vec<usize> {
    let mut v = Vec::new();
    if needle.is_empty() || needle.len() > hay.len() {
        return v;
    }
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if hay[i..i + needle.len()] == *needle {
            v.push(i);
            i += needle.len();
        } else {
            i += 1;
        }
    }
    v
}

fn contains(hay: &[char], needle: &str) -> bool {
    find_str(hay, needle).is_some()
}

/// The first place `needle` stands in `hay` (char offsets), without allocating.
fn find_str(hay: &[char], needle: &str) -> Option<(usize, usize)> {
    let mut chars = needle.chars();
    let first = chars.next()?;
    hay.iter()
        .enumerate()
        .filter(|(_, c)| **c == first)
        .find_map(|(i, _)| {
            let mut j = i + 1;
            for c in chars.clone() {
                if hay.get(j) != Some(&c) {
                    return None;
                }
                j += 1;
            }
            Some((i, j))
        })
}

fn first_at(hay: &[char], needles: &[String]) -> Option<(usize, usize)> {
    needles.iter().filter_map(|n| find_str(hay, n)).min()
}

/// The first place one of a term's cues stands in `hay`, not inside one of its `unless` words.
fn term_at(hay: &[char], t: &Term) -> Option<(usize, usize)> {
    first_cue(hay, &t.cues, &t.unless, |(x, y), (a, b)| x <= a && b <= y)
}

/// The first place one of `cues` stands in `hay` that overlaps none of the `unless` words.
fn first_outside(hay: &[char], cues: &[String], unless: &[String]) -> Option<(usize, usize)> {
    first_cue(hay, cues, unless, |(x, y), (a, b)| x < b && a < y)
}

/// The first place one of `cues` stands in `hay` that no `unless` word's place blocks
/// (`blocks(word span, cue span)`).
fn first_cue(
    hay: &[char],
    cues: &[String],
    unless: &[String],
    blocks: impl Fn((usize, usize), (usize, usize)) -> bool,
) -> Option<(usize, usize)> {
    if unless.is_empty() {
        return first_at(hay, cues);
    }
    let spans: Vec<(usize, usize)> = unless
        .iter()
        .flat_map(|u| {
            let w: Vec<char> = u.chars().collect();
            find_all(hay, &w).into_iter().map(move |k| (k, k + w.len()))
        })
        .collect();
    let mut best: Option<(usize, usize)> = None;
    for c in cues {
        let needle: Vec<char> = c.chars().collect();
        let free = find_all(hay, &needle)
            .into_iter()
            .map(|a| (a, a + needle.len()))
            .find(|&m| !spans.iter().any(|&w| blocks(w, m)));
        if let Some(m) = free
            && best.is_none_or(|x| m < x)
        {
            best = Some(m);
        }
    }
    best
}

struct Clause<'a> {
    start: usize,
    chars: &'a [char],
    /// Inside quotation marks that report someone's words (您说的“今天一定到”): mentioned, so it
    /// neither promises nor refuses.
    quoted: bool,
    question: bool,
    request: bool,
    refusal: Option<(usize, usize)>,
}

/// Listen to one reply.
pub fn listen(vocab: &Vocabulary, reply: &str, ctx: &Context) -> Heard {
    // A tilde ends a clause in chat (在的～请问…), though normalisation drops it: make it a
    // comma first (one char for one, so spans still point into the reply as typed).
    let norm = normalize(&reply.replace(['~', '～'], "，"));
    let chars = &norm.chars;
    let original: Vec<char> = reply.chars().collect();
    let span_text = |n: &Normalized, a: usize, b: usize| -> (String, usize, usize) {
        let (s, e) = n.original_span(a, b);
        let e = e.min(original.len());
        let s = s.min(e);
        (original[s..e].iter().collect(), s, e)
    };
    // What was heard of a term at normalised chars `a..b`, as typed.
    let term_item = |a: usize, b: usize, t: &Term, group: String| {
        let (text, start, end) = span_text(&norm, a, b);
        Item {
            id: t.id.clone(),
            label: t.label.clone(),
            text,
            start,
            end,
            group,
        }
    };
    let mut heard = Heard::default();

    let spans = clauses(chars);
    let mut quoted_at = Vec::new();
    quoted_clauses(
        &original,
        &norm.origin,
        spans.iter().map(|c| c.0),
        &mut quoted_at,
    );
    let mut cls: Vec<Clause> = spans
        .into_iter()
        .enumerate()
        .map(|(k, (a, b, term))| {
            let c = &chars[a..b];
            let question = term == '?'
                || vocab.question_words.iter().any(|w| contains(c, w))
                    && !c.ends_with(&['了'])
                    && !embedded_question(c, vocab);
            let quoted = quoted_at.get(k).copied().unwrap_or(false);
            Clause {
                start: a,
                chars: c,
                quoted,
                question,
                // 申请 holds 请 but asks nothing of the customer.
                request: {
                    let c: Vec<char> = c
                        .iter()
                        .collect::<String>()
                        .replace("申请", "")
                        .chars()
                        .collect();
                    vocab.request_words.iter().any(|w| contains(&c, w))
                },
                // Not the customer's words, not a "no" put to the customer as one side of a
                // choice (您是要换新还是不换呢), and not a "no" under its condition (不换的话小妹给您
                // 寄修): those refuse nothing.
                refusal: if quoted {
                    None
                } else {
                    first_outside(c, &vocab.refusals, &vocab.refusal_unless).filter(|&(_, b)| {
                        let offered_choice =
                            question && vocab.choice_joiners.iter().any(|j| contains(c, j));
                        let condition = contains(&c[b..c.len().min(b + 4)], "的话");
                        !offered_choice && !condition
                    })
                },
            }
        })
        .collect();
    // The first half of a choice asks with the second: in 您看是给您补发，还是退差价呢 the
    // trainee offers 补发, it does not promise it.
    for k in (0..cls.len().saturating_sub(1)).rev() {
        let next = &cls[k + 1];
        // (Not 还是 in a yes/no question, which means "still": 今天给您换货，还是发原来的地址吗？)
        let still =
            next.chars.starts_with(&['还', '是']) && matches!(next.chars.last(), Some('吗' | '么'));
        if next.question
            && !still
            && vocab.choice_joiners.iter().any(|j| {
                next.chars
                    .iter()
                    .copied()
                    .take(j.chars().count())
                    .eq(j.chars())
            })
        {
            cls[k].question = true;
        }
    }

    // A time given in a statement, for "how long" parts.
    let mut gave_time = false;
    for cl in &cls {
        // Asked: an ask cue in a question or a request — not in a sign-off (有什么问题随时找我).
        let sign_off = contains(cl.chars, "随时");
        if (cl.question || cl.request) && !sign_off {
            // Each ask's cue in this clause, found once.
            let found: Vec<(usize, usize, &Term)> = vocab
                .asks
                .iter()
                .filter_map(|t| term_at(cl.chars, t).map(|(a, b)| (a, b, t)))
                .collect();
            for &(a, b, t) in &found {
                if heard.asked.iter().any(|i| i.id == t.id) {
                    continue;
                }
                // A cue inside another ask's cue here is that ask (单号 in 退货单号).
                if found
                    .iter()
                    .any(|&(x, y, o)| o.id != t.id && x <= a && b <= y && y - x > b - a)
                {
                    continue;
                }
                heard
                    .asked
                    .push(term_item(cl.start + a, cl.start + b, t, String::new()));
            }
        }
        // Refused.
        if let Some((a, b)) = cl.refusal {
            let (text, s, e) = span_text(&norm, cl.start, cl.start + cl.chars.len());
            let (cue, _, _) = span_text(&norm, cl.start + a, cl.start + b);
            heard.refused.push(Item {
                id: cue,
                label: "拒绝".into(),
                text,
                start: s,
                end: e,
                group: String::new(),
            });
        }
        // Offered: options named in a clause that does not refuse them, and not in the
        // customer's words quoted back (您说客服讲“不能退款”).
        let mut here = Vec::new();
        for t in vocab
            .options
            .iter()
            .chain(ctx.shop_options)
            .filter(|_| !cl.quoted)
        {
            if let Some((a, b)) = term_at(cl.chars, t) {
                // A refusal in the option's clause refuses it (不能退款, 赠品也不能再加了).
                if cl.refusal.is_some() {
                    continue;
                }
                here.push((a, b, t));
            }
        }
        // Drop options whose cue lies inside another's (换一款 vs 一款…).
        here.sort_by_key(|(a, b, _)| (*a, std::cmp::Reverse(*b)));
        let mut last_end = 0;
        for (a, b, t) in here {
            if a < last_end {
                continue;
            }
            last_end = b;
            if heard.offered.iter().any(|i| i.id == t.id) {
                continue;
            }
            heard
                .offered
                .push(term_item(cl.start + a, cl.start + b, t, t.group.clone()));
        }
        // Promised: a time (or a committed action) in a statement that refuses nothing.
        if !cl.question && cl.refusal.is_none() && !cl.quoted {
            let p = &vocab.promise;
            let time = first_at(cl.chars, &p.times).is_some()
                || has_duration(cl.chars, &p.units)
                || says_now(p, cl.chars);
            // For a "how long" part: a time that says when (not only 尽快 / 第一时间).
            gave_time |= says_when(p, cl.chars);
            let commit = vocab.promise.commits.iter().any(|w| contains(cl.chars, w));
            let action = vocab.promise.actions.iter().any(|w| contains(cl.chars, w));
            let kind = if time && (commit || action) {
                Some(PromiseKind::Time)
            } else if commit && action {
                Some(PromiseKind::Action)
            } else {
                None
            };
            if let Some(kind) = kind {
                let (text, s, e) = span_text(&norm, cl.start, cl.start + cl.chars.len());
                heard.promised.push(Promise {
                    kind,
                    text: text.trim().to_string(),
                    start: s,
                    end: e,
                });
            }
        }
    }

    // A choice: two or more options and a question that joins or picks (A还是B, A或者B,
    // 黑色、白色您喜欢哪一种).
    let asks_to_pick = cls.iter().any(|cl| {
        cl.question
            && (vocab.choice_joiners.iter().any(|j| contains(cl.chars, j))
                || contains(cl.chars, "哪"))
    });
    heard.choice = asks_to_pick && heard.offered.len() >= 2;
    heard.offered.sort_by_key(|i| i.start);

    heard.topics = vocab.topics_in(reply);

    // Repeated: nearly the same as an earlier reply.
    let mine = comparable(reply);
    let mut best = (0.0f32, None);
    for (i, e) in ctx.earlier.iter().enumerate() {
        let s = similarity_prepared(Measure::BigramDice, &mine, &comparable(e));
        if s > best.0 {
            best = (s, Some(i + 1));
        }
    }
    if best.0 >= vocab.repeat_threshold {
        heard.repeated = true;
        heard.repeats_turn = best.1;
    }

    heard.off_topic = !on_topic(vocab, &heard, &mine, ctx);
    if heard.listened()
        && let Some(n) = ctx.node
        && !n.parts.is_empty()
    {
        // A part on a topic the trainee's previous reply already answered (来回运费都我们出, then the
        // customer asks "运费谁出？多久能拿到？" and hears only the time) is not left unanswered: it
        // was asked right after being told (round 48, played in after-plating-green). A time is
        // not carried over: the earlier reply's time was for another question.
        let prev_topics = ctx
            .earlier
            .last()
            .map(|e| vocab.topics_in(e))
            .unwrap_or_default();
        // Round 55 (played in after-faucet-leak): the amount the customer asked about, taken up
        // in a statement (楼下的800我帮您向保险报案), answers the part and takes up its topic,
        // whatever words carry it.
        let by_amount = |p: &AskPart| {
            amounts(&p.ask).iter().any(|n| {
                cls.iter()
                    .any(|c| !c.question && !c.quoted && has_amount(c.chars, n))
            })
        };
        for p in n
            .parts
            .iter()
            .filter(|p| !p.topic.is_empty() && by_amount(p))
        {
            if !heard.topics.contains(&p.topic) {
                heard.topics.push(p.topic.clone());
            }
        }
        heard.unanswered = n
            .parts
            .iter()
            .filter(|p| {
                let by_time = p.time && gave_time;
                let by_topic = !p.topic.is_empty()
                    && (takes_up(vocab, &heard.topics, &p.topic)
                        || takes_up(vocab, &prev_topics, &p.topic));
                !(by_time || by_topic || by_amount(p))
            })
            .map(|p| p.ask.clone())
            .collect();
        // Round 57 (played after-book-missing-pages): that part's topic counts as taken up by this
        // reply too, so a key point on it is not lost for having been said one turn early (有问题
        // 那本不用寄回, then "坏的那本要我寄回去吗？新的什么时候能到？" answered with the time only).
        for p in &n.parts {
            if !p.topic.is_empty()
                && !takes_up(vocab, &heard.topics, &p.topic)
                && takes_up(vocab, &prev_topics, &p.topic)
            {
                heard.topics.push(p.topic.clone());
            }
        }
    }
    heard
}

/// Does `c` hold the amount `n` as a whole number (800 in 赔800块, not in 8000)?
fn has_amount(c: &[char], n: &str) -> bool {
    let n: Vec<char> = n.chars().collect();
    c.windows(n.len()).enumerate().any(|(i, w)| {
        w == n.as_slice()
            && !(i > 0 && c[i - 1].is_ascii_digit())
            && !c.get(i + n.len()).is_some_and(|d| d.is_ascii_digit())
    })
}

/// The amounts in a customer's question (楼下那800块怎么办 → 800): runs of two or more digits.
fn amounts(ask: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in ask.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            if run.len() >= 2 {
                out.push(std::mem::take(&mut run));
            }
            run.clear();
        }
    }
    out
}

/// "Now" before an outcome the customer waits for (马上发货), not about the chat (马上帮您核实).
fn says_now(p: &PromiseCues, c: &[char]) -> bool {
    first_at(c, &p.immediate).is_some()
        && first_at(c, &p.outcomes).is_some()
        && first_at(c, &p.in_chat).is_none()
}

/// A time that says when: a duration (48小时内), a day or hour (今天, 周六前), or "now" before an
/// outcome — not only 尽快 / 第一时间, which promise without saying when.
fn says_when(p: &PromiseCues, c: &[char]) -> bool {
    has_duration(c, &p.units)
        || says_now(p, c)
        || p.times
            .iter()
            .any(|w| !p.vague.contains(w) && contains(c, w))
}

/// Does a promise's words say when (今天下午发出, 48小时内处理好), not only 尽快 / 第一时间?
pub fn promise_says_when(vocab: &Vocabulary, text: &str) -> bool {
    let chars: Vec<char> = normalize(text).text().chars().collect();
    says_when(&vocab.promise, &chars)
}

/// Does a reply on topic `t` answer a customer topic that `wanted` accepts: that topic itself,
/// or one `t` answers by the vocabulary's `related`?
fn answers(vocab: &Vocabulary, t: &str, wanted: impl Fn(&str) -> bool) -> bool {
    wanted(t)
        || vocab
            .related
            .iter()
            .any(|r| r.reply == t && r.to.iter().any(|x| wanted(x)))
}

/// Digits (or 一…十) followed by a unit: 2小时, 48小时内, 3天, 两个工作日.
fn has_duration(c: &[char], units: &[String]) -> bool {
    let numeral = |ch: char| ch.is_ascii_digit() || "一二两三四五六七八九十半几".contains(ch);
    for u in units {
        let uc: Vec<char> = u.chars().collect();
        for i in find_all(c, &uc) {
            if i > 0 && numeral(c[i - 1]) {
                return true;
            }
        }
    }
    false
}

/// Does the reply take up what the customer said? Judged on topics (from the vocabulary, in
/// the customer's line or declared by the node), on asks the node expects or that always fit
/// (what is wrong, what holds them back), and on the customer's own words taken up (a shared
/// pair of Chinese characters that is not a stock phrase).
fn on_topic(vocab: &Vocabulary, heard: &Heard, mine: &str, ctx: &Context) -> bool {
    let mut raised: BTreeSet<String> = vocab.topics_in(ctx.customer_line).into_iter().collect();
    if let Some(n) = ctx.node {
        raised.extend(n.topics.iter().cloned());
        if heard.asked.iter().any(|a| n.asks.contains(&a.id)) {
            return true;
        }
        if !n.options.is_empty() && heard.offered.iter().any(|o| takes(&n.options, o)) {
            return true;
        }
    }
    if raised.is_empty() {
        // Nothing to judge by (a thank-you, a bare "嗯"): any reply answers it.
        return true;
    }
    if heard
        .topics
        .iter()
        .any(|t| answers(vocab, t, |x| raised.contains(x)))
    {
        return true;
    }
    // Asking what is wrong or what holds them back always fits; asking about their needs fits
    // a customer who is deciding (帮助准顾客挑选).
    if heard
        .asked
        .iter()
        .any(|a| vocab.always_on_topic.contains(&a.id) || raised.contains("decision"))
    {
        return true;
    }
    if raised.contains("product") {
        let name: Vec<char> = comparable(ctx.product).chars().collect();
        let mine: Vec<char> = mine.chars().collect();
        if name
            .windows(2)
            .any(|w| is_cjk(w[0]) && is_cjk(w[1]) && mine.windows(2).any(|m| m == w))
        {
            return true;
        }
    }
    let theirs: Vec<char> = comparable(ctx.customer_line).chars().collect();
    let mine: Vec<char> = mine.chars().collect();
    let pairs = |v: &[char]| -> BTreeSet<(char, char)> {
        v.windows(2)
            .filter(|w| is_cjk(w[0]) && is_cjk(w[1]))
            .map(|w| (w[0], w[1]))
            .collect()
    };
    let stop: BTreeSet<(char, char)> = vocab
        .stop_bigrams
        .iter()
        .filter_map(|s| {
            let mut it = s.chars();
            Some((it.next()?, it.next()?))
        })
        .collect();
    let theirs = pairs(&theirs);
    pairs(&mine)
        .intersection(&theirs)
        .any(|p| !stop.contains(p))
}

/// Slots a customer line may use that come from the conversation (not the shop or persona):
/// the option the customer took, the trainee's latest promise, the customer's question.
pub const HEARD_SLOTS: [&str; 3] = ["picked", "promise", "question"];

/// A told slot in a customer line, `{?topic:text}`: the customer asks `text` unless the reply that
/// led to the line already took up `topic` (坏的那本要我寄回去吗 is not asked right after 不用寄回).
/// Returns (topic, text) for a slot name of that form.
pub fn told_slot(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix('?')?;
    let (topic, text) = rest.split_once(':')?;
    (!topic.is_empty()).then_some((topic, text))
}

/// Did a reply heard on `topics` take up the customer's `topic` (itself, or a topic that answers
/// it by the vocabulary's `related`)?
pub fn takes_up(vocab: &Vocabulary, topics: &[String], topic: &str) -> bool {
    topics.iter().any(|t| answers(vocab, t, |x| x == topic))
}

/// Fill `{name}` slots from `lookup`; `None` when a slot has no value.
pub fn fill_slots(line: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return Some(out);
        };
        let name = &after[..j];
        out.push_str(&lookup(name)?);
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The `{name}` slots a line uses.
pub fn slots(line: &str) -> Vec<&str> {
    let mut v = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else { break };
        v.push(&after[..j]);
        rest = &after[j + 1..];
    }
    v
}

/// Whether every question word in clause `c` stands after the agent's own finding-out
/// (我明天联系您问问团子恢复得怎么样): what the agent will ask or look up, not a question put to
/// the customer. A clause ending in 吗 / 呢 still asks.
fn embedded_question(c: &[char], vocab: &Vocabulary) -> bool {
    if matches!(c.last(), Some('吗' | '呢')) {
        return false;
    }
    let Some(at) = vocab
        .embedders
        .iter()
        .filter_map(|w| find_str(c, w).map(|(a, _)| a))
        .min()
    else {
        return false;
    };
    let agent_before = vocab.embed_agents.iter().any(|w| contains(&c[..at], w));
    agent_before && !vocab.question_words.iter().any(|w| contains(&c[..at], w))
}

#[cfg(test)]
mod tests;
