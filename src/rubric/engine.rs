//! The compiled rubric: one Aho–Corasick automaton over every phrase of every check (see
//! `automaton`), so one pass over a reply finds all cues and exceptions; the rules then judge
//! them by clause.

use super::automaton::{CharAutomaton, MATCH, START};
use super::check::CheckId;
use super::normalize::{self, Normalized, quoted_clauses};
use super::schema::{ChoiceRule, ConcessionRule, PhraseRule, Rule, SeqRule};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The shop facts a concession is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub price: f32,
    pub lowest_price: f32,
    pub free_shipping_over: Option<f32>,
    pub gifts_allowed: bool,
}

/// A detection span: char offsets `[start, end)` into the reply as typed, and the text there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The part of the check's rule that found it (its index in `Rule::parts`), for the part's
    /// own rewrite. Not written out: a result file keeps the words.
    #[serde(skip)]
    pub part: u16,
}

/// What the rubric found in one reply: every check present or absent, with evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub present: [bool; CheckId::COUNT],
    pub evidence: [Vec<Span>; CheckId::COUNT],
    /// A rule marked `stands` found the check: the finding is not withdrawn by the check's
    /// `unless_checks` (a rebuttal that an offer in the same reply does not take back).
    #[serde(skip)]
    pub stands: [bool; CheckId::COUNT],
}

impl Detection {
    pub fn has(&self, c: CheckId) -> bool {
        self.present[c.index()]
    }
    pub fn evidence(&self, c: CheckId) -> &[Span] {
        &self.evidence[c.index()]
    }
    pub fn violations(&self) -> impl Iterator<Item = CheckId> + '_ {
        CheckId::ALL
            .into_iter()
            .filter(|c| c.is_violation() && self.has(*c))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Cue,
    Unless,
    Before,
    After,
    /// An exception from the cue on that counts only under a condition (`unless_after_if`).
    AfterIf,
    /// A condition in the cue's clause, one of the two before it or the one after (`conditions`).
    Condition,
    /// An exception in a clause after the cue's (`unless_later`).
    Later,
    /// A person whose standing as the subject before the cue cancels it (`unless_subject`).
    Subject,
    /// Another person who, standing as the subject nearer the cue, keeps it (`other_subject`).
    Person,
    Clause,
    Reply,
    Whole,
    Joiner,
    NotChoice,
    Picker,
    Set,
    Asker,
    /// A word that makes a numbered list steps or a request, not options (`not_lists`).
    NotList,
    Discount,
    FreeShipping,
    Gift,
    Requires,
    /// A word the rule needs somewhere in the reply (`requires_reply`).
    NeedReply,
    /// A cue that counts only when it fills its clause.
    Bare,
    /// A cue that counts only with nothing but filler before it in its clause.
    Lead,
    /// An ask word after a cue that may only soften it (`softens`).
    Asks,
    /// A cue of step k of a `Seq` rule.
    Step(u8),
    /// The first / second half of fuzzy cue k: where one half stands, the whole cue is looked
    /// for with one edit (an edit leaves at least one half intact).
    FuzzyL(u16),
    FuzzyR(u16),
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    /// The rule slot (a check, or one part of an `AnyOf`).
    check: u16,
    role: Role,
    start: u32,
    end: u32,
    /// The clause holding `start` (`u32::MAX` where `start` is a clause break).
    clause: u32,
}

#[derive(Debug)]
enum CompiledRule {
    Phrases {
        question: Option<bool>,
        window: usize,
        requires: bool,
        at_end: bool,
        echo: bool,
        softens: bool,
    },
    Seq {
        steps: u8,
        max_gap: usize,
        window: usize,
        question: Option<bool>,
        bare: bool,
        rest_max: Option<usize>,
        ends_clause: bool,
        leads_clause: bool,
        next_clause: bool,
        at_end: bool,
    },
    Choice,
    Concession,
    None,
}

/// Reusable buffers, so scoring a stream allocates nothing per reply once warm.
#[derive(Debug, Default)]
pub struct Scratch {
    src: Vec<char>,
    /// `src_byte[i]`: the byte offset of `src[i]` in the reply; one more entry for the end.
    src_byte: Vec<u32>,
    norm: Normalized,
    /// Where a half of a fuzzy cue stands (they become cue hits in `expand_fuzzy`).
    fuzzy_hits: Vec<Hit>,
    /// (automaton state, end) of every match with hits for `scan_rest`.
    ends: Vec<(u32, u32)>,
    /// The rule slots with hits in this reply, in slot order once sorted. Every per-slot
    /// array below is zero for every other slot, so a reply costs nothing for the (many)
    /// slots it never touches: they are reset through this list, not swept.
    touched: Vec<u16>,
    /// The touched slots as bits, while scanning (zero between replies).
    touched_bits: Vec<u64>,
    /// Per rule slot: its hits, sorted by start (then end) before the rules read them.
    slot_hits: Vec<Vec<Hit>>,
    /// Per rule slot: `EXC` when an exception of any kind stands in this reply, `REPLY` when
    /// a reply-wide one does.
    slot_flags: Vec<u8>,
    clauses: Vec<(usize, usize, char)>,
    clause_of: Vec<u32>,
    question: Vec<bool>,
    /// The last clause that says something: only address words stand after it (晚安哦 亲 —
    /// the particle splits 亲 off, and 晚安 still ends the reply). A cue in it but not in the
    /// reply's last clause ends the reply only when it also ends its clause (not 晚安配方 亲).
    last_clause: u32,
    /// Per clause: it stands inside quotation marks that report someone's words (您说的“保证三天
    /// 到”). Empty when no clause does, as in most replies, which then skip the filter.
    quoted: Vec<bool>,
    /// The reply's body: how many normalised chars are neither clause breaks nor 亲, and the
    /// last of them.
    body_len: usize,
    body_last: Option<char>,
    /// Evidence strings of the previous reply, kept for reuse so evidence costs no allocation
    /// once warm.
    pool: Vec<String>,
}

impl Scratch {
    /// The normalised text of the reply last analysed with this scratch.
    pub fn normalized(&self) -> &[char] {
        &self.norm.chars
    }
}

/// Where a rule's evidence goes: the check's spans, and the strings to build their text in.
struct Sink<'a> {
    /// The reply as typed: span texts are copied from it.
    reply: &'a str,
    spans: &'a mut Vec<Span>,
    pool: &'a mut Vec<String>,
    evidence: bool,
    /// The rule part judged (see `Span::part`).
    part: u16,
}

impl Sink<'_> {
    /// At most 4 spans of evidence per check; without evidence the first find settles it.
    fn full(&self) -> bool {
        !self.evidence || self.spans.len() >= 4
    }
}

/// `Scratch::slot_flags`: an exception hit (`Unless`, `Before`, `After`, `Clause` or `Reply`)
/// stands in the reply; a reply-wide one (`Reply`) does.
const EXC: u8 = 1;
const REPLY: u8 = 2;
/// Not a slot flag: marks a half of a fuzzy cue in `Matcher::roles`.
const FUZZY: u8 = 4;
/// A word the slot's rule needs in the reply (`requires_reply`) stands in it.
const NEEDED: u8 = 64;
/// A hit that can make its rule find something stands in the slot: a cue (`Cue`, `Whole`,
/// `Bare`), a first step, a joiner or picker, a concession. Every rule finds nothing without
/// one, so a slot without it is not judged.
const TRIGGER: u8 = 8;
/// Not a slot flag: marks a trigger that counts only with nothing but filler before it in its
/// clause (a `bare_clause` cue, the first step of a `bare` sequence), so the scan drops it
/// at once where its clause holds more.
const BARE_FIRST: u8 = 16;
/// Not a slot flag: marks a trigger spelt in Latin letters (hi, hello), which counts only as a
/// whole word (not the hi of Machine).
const LATIN: u8 = 32;

/// The `slot_flags` bits a hit of this role sets (a sequence's trigger step gets `TRIGGER` when
/// the rule is compiled).
fn role_flags(role: Role) -> u8 {
    match role {
        Role::Reply => EXC | REPLY,
        Role::Unless
        | Role::Before
        | Role::After
        | Role::AfterIf
        | Role::Later
        | Role::Clause
        | Role::Subject => EXC,
        Role::FuzzyL(_) | Role::FuzzyR(_) => FUZZY,
        Role::NeedReply => NEEDED,
        Role::Cue
        | Role::Whole
        | Role::Bare
        | Role::Lead
        | Role::Joiner
        | Role::Picker
        | Role::Discount
        | Role::FreeShipping
        | Role::Gift => TRIGGER,
        _ => 0,
    }
}

/// Chars after which a person word is the object of a verb or preposition, not the subject
/// of its clause (给您补发, 帮你查, 让您久等, 跟您说, 被你催), with the verbs that take the customer
/// as their object (送您, 退您, 补你, 发您, 回复您, 告诉您, 联系您, 通知您, 提醒您).
const OBJECT_MARKERS: [char; 31] = [
    '给', '帮', '为', '替', '让', '把', '跟', '和', '对', '向', '被', '叫', '找', '问', '陪', '请',
    '送', '退', '补', '赔', '发', '寄', '教', '约', '诉', '复', '系', '知', '醒', '走', '用',
];

/// Classifiers after 那 / 这 that make a person word before them a possessive (您那个件, 你那单).
const CLASSIFIERS: [char; 11] = [
    '个', '件', '单', '款', '张', '笔', '台', '双', '份', '箱', '包',
];

/// How many chars may stand between a subject and the cue it is the subject of
/// (小妹这两天真的心塞: three).
const SUBJECT_REACH: usize = 8;

/// Evidence strings longer than this are not kept for reuse (memory stays flat).
const POOL_MAX_CAPACITY: usize = 256;

/// A hit an automaton state makes: the phrase's slot, role, `slot_flags` bits and length.
#[derive(Debug, Clone, Copy)]
struct StateHit {
    check: u16,
    role: Role,
    flags: u8,
    chars: u32,
}

/// The rubric compiled into matchers.
#[derive(Debug)]
pub struct Matcher {
    /// Every phrase, as a char-level Aho–Corasick automaton stepped in `scan`.
    ac: CharAutomaton,
    /// Every (check, role) hit that automaton state `s` makes, for every phrase it ends
    /// (longest first) and every role the phrase plays, in two lists: the hits that can make
    /// their slot judged (`TRIGGER`) and the halves of fuzzy cues are
    /// `first_hits[first_lo[s]..first_lo[s + 1]]`, the rest (exceptions and the other parts of
    /// a rule) `rest_hits[rest_lo[s]..rest_lo[s + 1]]`.
    first_lo: Vec<u32>,
    first_hits: Vec<StateHit>,
    rest_lo: Vec<u32>,
    rest_hits: Vec<StateHit>,
    /// (check index, rule) per slot.
    rules: Vec<(usize, CompiledRule)>,
    /// Per slot: its index among its check's parts (`Rule::parts`).
    part_of: Vec<u16>,
    /// Fuzzy cues (normalised chars), indexed by `Role::FuzzyL/FuzzyR`.
    fuzzy: Vec<Vec<char>>,
    /// Per slot: its rule finds nothing unless a `requires_reply` word stands in the reply.
    needs_reply: Vec<bool>,
    /// Per slot: what its rule finds stands beside the check's `unless_checks` (`stands`).
    stands: Vec<bool>,
}

/// Fuzzy cues have at least this many chars: shorter ones would match too much (欢迎再来 with
/// one char dropped is 欢迎来, an opening).
pub const FUZZY_MIN_CHARS: usize = 5;

fn question_of(question: bool, not_question: bool) -> Option<bool> {
    if question {
        Some(true)
    } else if not_question {
        Some(false)
    } else {
        None
    }
}

/// At most this many chars of a reply are analysed.
pub const MAX_ANALYZED: usize = 20_000;

const INTERROGATIVES: [&[char]; 19] = [
    &['几'],
    &['啥'],
    &['咋'],
    &['多', '久'],
    // 方便说下身高体重嘛: asking whether it suits the customer is a question.
    &['方', '便'],
    &['什', '么'],
    &['哪'],
    &['怎', '么'],
    &['怎', '样'],
    &['多', '少'],
    &['是', '否'],
    &['有', '没', '有'],
    &['是', '不', '是'],
    &['能', '不', '能'],
    &['可', '不', '可', '以'],
    &['要', '不', '要'],
    &['还', '是'],
    &['多', '高'],
    &['多', '大'],
];

impl Matcher {
    /// Compile the rules; `rules[i]` belongs to `CheckId::ALL[i]` (None: never present).
    pub fn compile(rules: &[Option<&Rule>; CheckId::COUNT]) -> Result<Matcher, String> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut fuzzy: Vec<Vec<char>> = Vec::new();
        let mut phrases: Vec<String> = Vec::new();
        let mut roles: Vec<Vec<(u16, Role)>> = Vec::new();
        // Adds the words for (check, role); returns the char count of the shortest one.
        let mut add = |words: &[String], check: usize, role: Role| {
            let mut shortest = usize::MAX;
            for w in words {
                let w = normalize::normalize(w).text();
                if w.is_empty() {
                    continue;
                }
                shortest = shortest.min(w.chars().count());
                let i = *index.entry(w.clone()).or_insert_with(|| {
                    phrases.push(w.clone());
                    roles.push(Vec::new());
                    phrases.len() - 1
                });
                if !roles[i].contains(&(check as u16, role)) {
                    roles[i].push((check as u16, role));
                }
            }
            shortest
        };
        // Flatten every check's rule (AnyOf into its parts) into slots.
        let mut flat: Vec<(usize, &Rule)> = Vec::new();
        let mut part_of: Vec<u16> = Vec::new();
        for (ci, rule) in rules.iter().enumerate() {
            if let Some(r) = rule {
                for (k, part) in r.parts().into_iter().enumerate() {
                    flat.push((ci, part));
                    part_of.push(u16::try_from(k).map_err(|_| "a rule has too many parts")?);
                }
            }
        }
        let mut compiled = Vec::with_capacity(flat.len());
        let mut bare_slot = vec![false; flat.len()];
        let mut needs_reply = vec![false; flat.len()];
        let mut stands = vec![false; flat.len()];
        // The step of a sequence whose hits make its slot judged: the one whose shortest cue is
        // longest (a rare word rather than 我 or 不), the first on a tie. Any step would do, as a
        // sequence needs all of them; a bare sequence keeps its first, which the scan tests.
        let mut trigger_step = vec![0u8; flat.len()];
        for (slot, (ci, rule)) in flat.into_iter().enumerate() {
            let rule = match rule {
                Rule::AnyOf(_) => CompiledRule::None,
                Rule::Phrases(p) => {
                    let PhraseRule {
                        any,
                        unless,
                        unless_before,
                        unless_after,
                        unless_after_if,
                        conditions,
                        unless_clause,
                        unless_reply,
                        requires_reply,
                        unless_later,
                        unless_subject,
                        other_subject,
                        requires_clause,
                        question,
                        not_question,
                        window,
                        whole_clause,
                        fuzzy: fuzzy_on,
                        bare_clause,
                        at_end,
                        echo,
                        softens,
                        leading,
                        stands: kept,
                        rewrite: _,
                    } = p;
                    stands[slot] = *kept;
                    add(bare_clause, slot, Role::Bare);
                    add(leading, slot, Role::Lead);
                    if *fuzzy_on {
                        for w in any {
                            let cue: Vec<char> = normalize::normalize(w).chars;
                            if cue.len() < FUZZY_MIN_CHARS {
                                continue;
                            }
                            let k = u16::try_from(fuzzy.len())
                                .map_err(|_| "the rubric has too many fuzzy cues".to_string())?;
                            let half = cue.len() / 2;
                            add(&[cue[..half].iter().collect()], slot, Role::FuzzyL(k));
                            add(&[cue[half..].iter().collect()], slot, Role::FuzzyR(k));
                            fuzzy.push(cue);
                        }
                    }
                    add(any, slot, Role::Cue);
                    add(unless, slot, Role::Unless);
                    add(unless_before, slot, Role::Before);
                    add(unless_after, slot, Role::After);
                    add(unless_after_if, slot, Role::AfterIf);
                    add(conditions, slot, Role::Condition);
                    add(unless_clause, slot, Role::Clause);
                    add(unless_reply, slot, Role::Reply);
                    add(unless_later, slot, Role::Later);
                    add(unless_subject, slot, Role::Subject);
                    add(other_subject, slot, Role::Person);
                    add(whole_clause, slot, Role::Whole);
                    add(requires_clause, slot, Role::Requires);
                    add(requires_reply, slot, Role::NeedReply);
                    needs_reply[slot] = !requires_reply.is_empty();
                    add(softens, slot, Role::Asks);
                    CompiledRule::Phrases {
                        question: question_of(*question, *not_question),
                        window: window.unwrap_or(4),
                        requires: !requires_clause.is_empty(),
                        at_end: *at_end,
                        echo: *echo,
                        softens: !softens.is_empty(),
                    }
                }
                Rule::Seq(q) => {
                    let SeqRule {
                        steps,
                        max_gap,
                        unless,
                        unless_before,
                        unless_after,
                        unless_clause,
                        unless_reply,
                        requires_reply,
                        unless_later,
                        unless_subject,
                        other_subject,
                        question,
                        not_question,
                        window,
                        bare,
                        rest_max,
                        ends_clause,
                        leads_clause,
                        next_clause,
                        at_end,
                        stands: kept,
                        rewrite: _,
                    } = q;
                    stands[slot] = *kept;
                    if steps.is_empty() || steps.len() > 8 || steps.iter().any(|s| s.is_empty()) {
                        return Err(format!(
                            "a Seq rule of check `{}` needs 1 to 8 steps, none of them empty",
                            CheckId::ALL[ci]
                        ));
                    }
                    let mut best = (0, 0);
                    for (k, words) in steps.iter().enumerate() {
                        let shortest = add(words, slot, Role::Step(k as u8));
                        if k == 0 || shortest > best.0 {
                            best = (shortest, k);
                        }
                    }
                    bare_slot[slot] = *bare;
                    if !*bare {
                        trigger_step[slot] = best.1 as u8;
                    }
                    add(unless, slot, Role::Unless);
                    add(unless_before, slot, Role::Before);
                    add(unless_after, slot, Role::After);
                    add(unless_clause, slot, Role::Clause);
                    add(unless_reply, slot, Role::Reply);
                    add(requires_reply, slot, Role::NeedReply);
                    needs_reply[slot] = !requires_reply.is_empty();
                    add(unless_later, slot, Role::Later);
                    add(unless_subject, slot, Role::Subject);
                    add(other_subject, slot, Role::Person);
                    CompiledRule::Seq {
                        steps: steps.len() as u8,
                        max_gap: max_gap.unwrap_or(4),
                        window: window.unwrap_or(4),
                        question: question_of(*question, *not_question),
                        bare: *bare,
                        rest_max: *rest_max,
                        ends_clause: *ends_clause,
                        leads_clause: *leads_clause,
                        next_clause: *next_clause,
                        at_end: *at_end,
                    }
                }
                Rule::Choice(c) => {
                    let ChoiceRule {
                        joiners,
                        not_choice,
                        pickers,
                        sets,
                        askers,
                        not_lists,
                    } = c;
                    add(joiners, slot, Role::Joiner);
                    add(not_choice, slot, Role::NotChoice);
                    add(pickers, slot, Role::Picker);
                    add(sets, slot, Role::Set);
                    add(askers, slot, Role::Asker);
                    add(not_lists, slot, Role::NotList);
                    CompiledRule::Choice
                }
                Rule::Concession(c) => {
                    let ConcessionRule {
                        discount,
                        free_shipping,
                        gift,
                        unless,
                        unless_clause,
                        unless_before,
                        unless_reply,
                        rewrite: _,
                    } = c;
                    add(unless_reply, slot, Role::Reply);
                    add(discount, slot, Role::Discount);
                    add(free_shipping, slot, Role::FreeShipping);
                    add(gift, slot, Role::Gift);
                    add(unless, slot, Role::Unless);
                    add(unless_clause, slot, Role::Clause);
                    add(unless_before, slot, Role::Before);
                    CompiledRule::Concession
                }
            };
            compiled.push((ci, rule));
        }
        if compiled.len() > u16::MAX as usize {
            return Err("the rubric has too many rules".into());
        }
        let ac = CharAutomaton::new(&phrases)?;
        let pattern_chars: Vec<u32> = phrases.iter().map(|p| p.chars().count() as u32).collect();
        let (mut first_lo, mut first_hits) = (vec![0u32], Vec::new());
        let (mut rest_lo, mut rest_hits) = (vec![0u32], Vec::new());
        for st in 0..ac.states() {
            for &pid in ac.matches(st as u32) {
                let pid = pid as usize;
                for &(check, role) in &roles[pid] {
                    let mut flags = role_flags(role);
                    if role == Role::Step(trigger_step[check as usize]) {
                        flags |= TRIGGER;
                    }
                    if matches!(role, Role::Bare | Role::Lead)
                        || (role == Role::Step(0) && bare_slot[check as usize])
                    {
                        flags |= BARE_FIRST;
                    }
                    if phrases[pid].chars().all(|c| c.is_ascii_alphabetic()) {
                        flags |= LATIN;
                    }
                    let h = StateHit {
                        check,
                        role,
                        flags,
                        chars: pattern_chars[pid],
                    };
                    if flags & (TRIGGER | FUZZY) != 0 {
                        first_hits.push(h);
                    } else {
                        rest_hits.push(h);
                    }
                }
            }
            first_lo.push(first_hits.len() as u32);
            rest_lo.push(rest_hits.len() as u32);
        }
        Ok(Matcher {
            ac,
            first_lo,
            first_hits,
            rest_lo,
            rest_hits,
            rules: compiled,
            part_of,
            fuzzy,
            needs_reply,
            stands,
        })
    }

    /// Detect every check in `reply`.
    pub fn detect(&self, reply: &str, policy: Option<&Policy>, s: &mut Scratch) -> Detection {
        let mut d = Detection::default();
        self.detect_into(reply, policy, s, &mut d, true);
        d
    }

    /// Detect into `out`; with `evidence == false` no span text is built (the fast path).
    pub fn detect_into(
        &self,
        reply: &str,
        policy: Option<&Policy>,
        s: &mut Scratch,
        out: &mut Detection,
        evidence: bool,
    ) {
        out.present = [false; CheckId::COUNT];
        out.stands = [false; CheckId::COUNT];
        let mut pool = std::mem::take(&mut s.pool);
        for e in out.evidence.iter_mut() {
            for sp in e.drain(..) {
                if sp.text.capacity() <= POOL_MAX_CAPACITY {
                    pool.push(sp.text);
                }
            }
        }
        // Replies are bounded (practice refuses more than 2,000 chars); analysis looks at the
        // first MAX_ANALYZED chars so a pathological paste costs bounded time. (A reply has at
        // least as many bytes as chars: most need no cut.)
        let text = if reply.len() <= MAX_ANALYZED {
            reply
        } else {
            reply
                .char_indices()
                .nth(MAX_ANALYZED)
                .map_or(reply, |(b, _)| &reply[..b])
        };
        // The chars and their byte offsets, written in place (no capacity check per char).
        let n = text.chars().count();
        s.src.clear();
        s.src.resize(n, '\0');
        s.src_byte.clear();
        s.src_byte.resize(n + 1, text.len() as u32);
        for ((c, b), (at, ch)) in s
            .src
            .iter_mut()
            .zip(s.src_byte.iter_mut())
            .zip(text.char_indices())
        {
            *c = ch;
            *b = at as u32;
        }
        normalize::normalize_into(&s.src, &mut s.norm);
        Self::mark_clauses(s);
        self.scan(s);
        if !s.fuzzy_hits.is_empty() {
            self.expand_fuzzy(s);
        }
        self.scan_rest(s);
        Self::sort_hits(s);
        if !s.norm.read_in.is_empty() {
            Self::drop_read_in(s);
        }
        // Only the slots with hits are judged: a slot without hits finds nothing, whatever its
        // rule. They are judged in slot order, as the evidence of a check is found in that order.
        for &slot in &s.touched {
            let (ci, rule) = &self.rules[slot as usize];
            let ci = *ci;
            // A violation is not heard in quoted words (您说的“肯定不会掉色”我们没法承诺).
            if !s.quoted.is_empty() && CheckId::ALL[ci].is_violation() {
                let quoted = &s.quoted;
                s.slot_hits[slot as usize]
                    .retain(|h| !quoted.get(h.clause as usize).copied().unwrap_or(false));
            }
            // Untriggered, or cancelled by a reply-wide exception (every rule with one would
            // find each hit `cancelled`): nothing to find.
            // (A slot whose finding stands is still judged while the check's finding does not:
            // whether it stands must not depend on the evidence being built.)
            if (out.present[ci] && !evidence && (out.stands[ci] || !self.stands[slot as usize]))
                || s.slot_flags[slot as usize] & (TRIGGER | REPLY) != TRIGGER
                || (self.needs_reply[slot as usize] && s.slot_flags[slot as usize] & NEEDED == 0)
            {
                continue;
            }
            let ev = &mut Sink {
                reply,
                spans: &mut out.evidence[ci],
                pool: &mut pool,
                evidence,
                part: self.part_of[slot as usize],
            };
            let found = match rule {
                CompiledRule::None => None,
                CompiledRule::Phrases {
                    question,
                    window,
                    requires,
                    at_end,
                    echo,
                    softens,
                } => self.eval_phrases(
                    slot,
                    *question,
                    *window,
                    *requires,
                    (*at_end, *echo, *softens),
                    s,
                    ev,
                ),
                CompiledRule::Seq {
                    steps,
                    max_gap,
                    window,
                    question,
                    bare,
                    rest_max,
                    ends_clause,
                    leads_clause,
                    next_clause,
                    at_end,
                } => self.eval_seq(
                    slot,
                    *steps,
                    *max_gap,
                    *window,
                    *question,
                    (
                        *bare,
                        *rest_max,
                        *ends_clause,
                        *leads_clause,
                        *next_clause,
                        *at_end,
                    ),
                    s,
                    ev,
                ),
                CompiledRule::Choice => self.eval_choice(slot, s, ev),
                CompiledRule::Concession => self.eval_concession(slot, policy, s, ev),
            };
            if found.is_some() {
                out.present[ci] = true;
                out.stands[ci] |= self.stands[slot as usize];
            }
        }
        s.pool = pool;
    }

    #[inline(never)]
    fn mark_clauses(s: &mut Scratch) {
        s.body_len = 0;
        s.body_last = None;
        for &c in &s.norm.chars {
            if !normalize::is_clause_break(c) && c != '亲' {
                s.body_len += 1;
                s.body_last = Some(c);
            }
        }
        // Clauses and which of them are questions.
        normalize::clauses_into(&s.norm.chars, &mut s.clauses);
        s.clause_of.clear();
        s.clause_of.resize(s.norm.chars.len() + 1, u32::MAX);
        s.question.clear();
        for (k, &(a, b, term)) in s.clauses.iter().enumerate() {
            for slot in &mut s.clause_of[a..b] {
                *slot = k as u32;
            }
            let chars = &s.norm.chars[a..b];
            let last = chars.last().copied().unwrap_or(' ');
            // Only address words after it (红色还是黑色 宝宝): the clause ends the reply.
            let at_end = s.clauses[k + 1..]
                .iter()
                .all(|&(a, b, _)| is_address(&s.norm.chars[a..b]));
            // Colloquial A-not-A with the 不 left at the end (还有要帮忙的不, 收到了不).
            let bu_tag = chars.ends_with(&['的', '不']) || chars.ends_with(&['了', '不']);
            let is_q = term == '?'
                || matches!(last, '吗' | '么')
                || bu_tag
                || ((matches!(last, '呢' | '嘛' | '呀') || (at_end && term != '!'))
                    && has_interrogative(chars));
            // 十分钟内回复您可以吗？ asks for agreement to what it tells: it tells, not asks.
            s.question.push(is_q && !offer_for_agreement(chars, &[]));
        }
        s.last_clause = s
            .clauses
            .iter()
            .rposition(|&(a, b, _)| {
                let c = &s.norm.chars[a..b];
                // 宝宝呢 asks after the child; 宝宝 alone calls the customer.
                !is_address(c) || c.last() == Some(&'呢')
            })
            .unwrap_or(s.clauses.len().saturating_sub(1)) as u32;
        // Quoted words are mentioned, not said: a clause inside a closed pair of quotation
        // marks that reports what someone said or wrote (您说的“保证三天到”, 页面写的是“预计”), or
        // that opens the reply (the customer's words pasted back). A quoted word for emphasis
        // (我们家都是“百分百”正品) is still said. The marks are read in the reply as typed:
        // normalisation merges a mark into the punctuation beside it.
        quoted_clauses(
            &s.src,
            &s.norm.origin,
            s.clauses.iter().map(|c| c.0),
            &mut s.quoted,
        );
        // A question mark asks the whole sentence: clauses joined by , ; : share it. A bare
        // confirming tag (对吗, 是吧, 对不对) asks whatever clause it follows, punctuated or not.
        for k in (0..s.clauses.len().saturating_sub(1)).rev() {
            let (a, b, term) = s.clauses[k + 1];
            if (matches!(s.clauses[k].2, ',' | ';' | ':')
                && s.question[k + 1]
                && term == '?'
                && !offer_for_agreement(
                    &s.norm.chars[a..b],
                    &s.norm.chars[s.clauses[k].0..s.clauses[k].1],
                ))
                || is_tag(&s.norm.chars[a..b])
            {
                s.question[k] = true;
            }
        }
    }

    #[inline(never)]
    fn scan(&self, s: &mut Scratch) {
        // One pass finds every phrase: every match, overlapping ones too, in order of its end
        // and then longest first (as an overlapping Aho–Corasick search reports them), one
        // automaton step per normalised char.
        // Clear the per-slot arrays of the previous reply (only its slots are set), and size
        // them for this rubric.
        for &k in &s.touched {
            let k = k as usize;
            s.slot_hits[k].clear();
            s.slot_flags[k] = 0;
        }
        s.touched.clear();
        let slots = self.rules.len();
        s.touched_bits.resize(slots.div_ceil(64), 0);
        if s.slot_hits.len() < slots {
            s.slot_hits.resize_with(slots, Vec::new);
            s.slot_flags.resize(slots, 0);
        }
        s.fuzzy_hits.clear();
        s.ends.clear();
        let mut sid = START;
        for i in 0..s.norm.chars.len() {
            sid = self.ac.next(sid, s.norm.chars[i]);
            if sid & MATCH == 0 {
                continue;
            }
            let end = i as u32 + 1;
            let st = (sid & !MATCH) as usize;
            let (lo, hi) = (self.first_lo[st], self.first_lo[st + 1]);
            for e in &self.first_hits[lo as usize..hi as usize] {
                let start = end - e.chars;
                let h = Hit {
                    check: e.check,
                    role: e.role,
                    start,
                    end,
                    clause: s.clause_of[start as usize],
                };
                if e.flags & LATIN != 0 && !Self::whole_word(s, &h) {
                    continue;
                }
                let flags = e.flags & !LATIN;
                if flags & FUZZY != 0 {
                    s.fuzzy_hits.push(h);
                } else if flags & BARE_FIRST != 0 {
                    // A lead (在的) keeps to filler, or the agent naming themselves with nothing
                    // after (妹子在的哦; not 这边在的区域); a bare answer may have the agent as
                    // its subject (小妹这边实在不知道呢).
                    let clear = if e.role == Role::Lead {
                        Self::filler_before(s, &h)
                            || (Self::self_before(s, &h)
                                && Self::filler_after(s, h.clause, h.end as usize))
                    } else {
                        Self::subject_before(s, &h)
                    };
                    if clear {
                        Self::push_hit(s, flags & !BARE_FIRST, h);
                    }
                } else {
                    Self::push_hit(s, flags, h);
                }
            }
            if self.rest_lo[st] != self.rest_lo[st + 1] {
                s.ends.push((st as u32, end));
            }
        }
    }

    /// The second pass of the scan, after `expand_fuzzy`: the other hits (exceptions, later
    /// steps, sets, askers …) go only to the slots a trigger stands in, as no other slot is
    /// judged. A slot's hits are sorted by `sort_hits` afterwards.
    #[inline(never)]
    fn scan_rest(&self, s: &mut Scratch) {
        for k in 0..s.ends.len() {
            let (st, end) = s.ends[k];
            let st = st as usize;
            let (lo, hi) = (self.rest_lo[st], self.rest_lo[st + 1]);
            for e in &self.rest_hits[lo as usize..hi as usize] {
                // An untriggered slot is not judged; a slot a reply-wide exception already
                // cancelled finds nothing whatever else stands in it.
                if s.slot_flags[e.check as usize] & (TRIGGER | REPLY) != TRIGGER {
                    continue;
                }
                let start = end - e.chars;
                if e.chars == 1
                    && e.flags & EXC != 0
                    && emphatic_shi(&s.norm.chars, start)
                    && Self::rest_len(s, s.clause_of[start as usize]) == 0
                {
                    continue;
                }
                let h = Hit {
                    check: e.check,
                    role: e.role,
                    start,
                    end,
                    clause: s.clause_of[start as usize],
                };
                Self::push_hit(s, e.flags, h);
            }
        }
    }

    /// Add a hit to its slot (a slot's first hit marks it touched) and its flags.
    #[inline]
    fn push_hit(s: &mut Scratch, flags: u8, h: Hit) {
        let k = h.check as usize;
        let v = &mut s.slot_hits[k];
        if v.is_empty() {
            s.touched_bits[k / 64] |= 1 << (k % 64);
        }
        v.push(h);
        s.slot_flags[k] |= flags;
    }

    /// List the touched slots in slot order and sort each one's hits by start (then end), so
    /// its hits in one clause are one contiguous range. The hits went into their slot as they
    /// were found, in order of their ends, so a slot is nearly sorted already and a short one
    /// is finished by insertion. (Hits of equal start and end differ at most in role; every
    /// rule reads them by role, so their order among themselves decides nothing.)
    #[inline(never)]
    fn sort_hits(s: &mut Scratch) {
        // The touched slots in slot order, read off their bits (which are cleared).
        let t = &mut s.touched;
        for (w, bits) in s.touched_bits.iter_mut().enumerate() {
            while *bits != 0 {
                t.push((w * 64 + bits.trailing_zeros() as usize) as u16);
                *bits &= *bits - 1;
            }
        }
        for &k in t.iter() {
            let bucket = &mut s.slot_hits[k as usize][..];
            if bucket.len() > 32 {
                bucket.sort_unstable_by_key(|h| (h.start, h.end));
                continue;
            }
            for i in 1..bucket.len() {
                let mut j = i;
                while j > 0
                    && (bucket[j - 1].start, bucket[j - 1].end) > (bucket[j].start, bucket[j].end)
                {
                    bucket.swap(j - 1, j);
                    j -= 1;
                }
            }
        }
    }

    /// A 您 read in from an address word (给亲补发) counts inside longer cues only: a cue that
    /// is that char alone is dropped (亲 is no courtesy); exceptions keep it.
    #[cold]
    fn drop_read_in(s: &mut Scratch) {
        let read_in = &s.norm.read_in;
        for &k in &s.touched {
            s.slot_hits[k as usize].retain(|h| {
                !(matches!(h.role, Role::Cue | Role::Whole | Role::Bare | Role::Lead)
                    && h.end == h.start + 1
                    && read_in.contains(&(h.start as usize)))
            });
        }
    }

    #[inline(never)]
    fn push_span(s: &Scratch, start: u32, end: u32, ev: &mut Sink) {
        if ev.full() {
            return;
        }
        let (a, b) = s.norm.original_span(start as usize, end as usize);
        // Evidence is the words that carry the check, each once: no span overlapping another
        // (the longer wins), no second copy of the same words (not 「您、您、您」).
        let overlaps = |x: &Span| x.start < b && a < x.end;
        if ev.spans.iter().any(overlaps) {
            let covers = |x: &Span| a <= x.start && x.end <= b && b - a > x.end - x.start;
            if !ev.spans.iter().filter(|x| overlaps(x)).all(covers) {
                return;
            }
            ev.spans.retain(|x| !overlaps(x));
        }
        let n = s.src.len();
        let (ba, bb) = (s.src_byte[a.min(n)] as usize, s.src_byte[b.min(n)] as usize);
        let words = ev.reply.get(ba..bb).unwrap_or_default();
        if ev.spans.iter().any(|x| x.text == words) {
            return;
        }
        let mut text = ev.pool.pop().unwrap_or_default();
        text.clear();
        text.push_str(words);
        ev.spans.push(Span {
            start: a,
            end: b,
            text,
            part: ev.part,
        });
    }

    /// Is the cue at `h` cancelled by an exception of `check`?
    /// The hits of one rule slot.
    fn slot(s: &Scratch, check: u16) -> &[Hit] {
        let k = check as usize;
        s.slot_hits.get(k).map_or(&[], |v| v.as_slice())
    }

    /// The hits of a slot whose start lies in clause `cl` (phrases never cross a clause).
    fn clause_hits_in(s: &Scratch, check: u16, cl: u32) -> &[Hit] {
        Self::clauses_hits_in(s, check, cl, cl)
    }

    /// The hits of `check` in clauses `first..=last` (`last` past the reply's end stops at it).
    fn clauses_hits_in(s: &Scratch, check: u16, first: u32, last: u32) -> &[Hit] {
        let hits = Self::slot(s, check);
        let Some(&(a, b, _)) = s.clauses.get(first as usize) else {
            return &[];
        };
        let b = s.clauses.get(last as usize).map_or(b, |&(_, b2, _)| b2);
        let lo = hits.partition_point(|h| (h.start as usize) < a);
        let hi = hits.partition_point(|h| (h.start as usize) < b);
        &hits[lo..hi]
    }

    /// Whether `h` stands between a word and its echo, and the echo ends the clause but for
    /// filler (没了就是没了, 不送赠品就是不送, 好就是好): the two chars after `h` stood in the six
    /// before it, or the one char after it right before it. Not 今天下单就是今天发货: more follows.
    fn echoed(s: &Scratch, h: &Hit) -> bool {
        let (a, b) = (h.start as usize, h.end as usize);
        let c = &s.norm.chars;
        let Some(&(clause_start, _, _)) = s.clauses.get(h.clause as usize) else {
            return false;
        };
        let from = clause_start.max(a.saturating_sub(6));
        let pair = c.get(b..b + 2);
        (pair.is_some_and(|p| c[from..a].windows(2).any(|w| w == p))
            && Self::filler_after(s, h.clause, b + 2))
            || (a > from && c.get(b) == Some(&c[a - 1]) && Self::filler_after(s, h.clause, b + 1))
    }

    #[inline(never)]
    fn cancelled(check: u16, h: &Hit, window: usize, s: &Scratch) -> bool {
        let flags = s.slot_flags.get(check as usize).copied().unwrap_or(0);
        if flags & REPLY != 0 {
            return true;
        }
        // No exception anywhere in the reply: nothing to look for.
        if flags & EXC == 0 {
            return false;
        }
        let cl = h.clause;
        let last = s.clauses.len().saturating_sub(1) as u32;
        if cl < last
            && Self::clauses_hits_in(s, check, cl + 1, last)
                .iter()
                .any(|x| x.role == Role::Later && x.start >= h.end)
        {
            return true;
        }
        let hits = Self::clause_hits_in(s, check, cl);
        if Self::subject_is_excepted(s, hits, h) {
            return true;
        }
        // An exception overlapping the hit cancels it, also in the clauses a sequence ran on into
        // (早跟您说了不用担心嘛 不信您看物流).
        let end_cl = match s.clause_of.get((h.end as usize).saturating_sub(1)) {
            Some(&c) if c != u32::MAX && c > cl => c,
            _ => cl,
        };
        if Self::clauses_hits_in(s, check, cl, end_cl)
            .iter()
            .any(|x| x.role == Role::Unless && x.start < h.end && h.start < x.end)
        {
            return true;
        }
        if hits
            .iter()
            .any(|x| x.role == Role::AfterIf && x.start >= h.start && x.clause == cl)
            && Self::clauses_hits_in(s, check, cl.saturating_sub(2), (cl + 1).min(last))
                .iter()
                .any(|x| x.role == Role::Condition)
        {
            return true;
        }
        hits.iter().any(|x| match x.role {
            Role::Before => {
                x.end <= h.start && (h.start - x.end) as usize <= window && x.clause == cl
            }
            Role::After => x.start >= h.end && x.clause == cl,
            Role::Clause => x.clause == cl,
            Role::Reply => true,
            _ => false,
        })
    }

    /// Whether the person standing nearest before `h` in its clause as a subject is one of the
    /// rule's `unless_subject` (not one of its `other_subject`). Nearest is the person word
    /// ending last before the cue, the longer on a tie (您这边 over 这边); a word right after an
    /// object marker (给您, 帮你, 让您) or before 的 or 好 (您的, 您好) stands as no subject, nor
    /// does one more than `SUBJECT_REACH` chars before the cue (in run-on text 我看了下…四天了
    /// 确实挺熬人的, 我 is the subject of 看, not of what follows).
    fn subject_is_excepted(s: &Scratch, hits: &[Hit], h: &Hit) -> bool {
        if !hits
            .iter()
            .any(|x| x.role == Role::Subject && x.end <= h.start)
        {
            return false;
        }
        let chars = &s.norm.chars;
        let clause_start = s.clauses.get(h.clause as usize).map_or(0, |c| c.0);
        let mut nearest: Option<&Hit> = None;
        for x in hits {
            if !matches!(x.role, Role::Subject | Role::Person)
                || x.end > h.start
                || (h.start - x.end) as usize > SUBJECT_REACH
            {
                continue;
            }
            let (a, b) = (x.start as usize, x.end as usize);
            // The marker may stand a space away in word-segmented text (帮 您 查 了).
            let mut m = a;
            while m > clause_start && chars[m - 1] == ' ' {
                m -= 1;
            }
            if m > clause_start && OBJECT_MARKERS.contains(&chars[m - 1]) {
                continue;
            }
            if matches!(chars.get(b), Some('的' | '好')) && b < h.start as usize {
                continue;
            }
            // 您看 asking the customer's view (您看是补发还是退款, 你看要不要换) frames the
            // question; the customer is not the one who acts (您看下订单 still is; 我看 is the
            // agent's "I think", the agent still the subject).
            if chars.get(b) == Some(&'看')
                && matches!(chars.get(b.wrapping_sub(1)), Some('您' | '你'))
                && !matches!(
                    chars.get(b + 1),
                    Some(
                        '下' | '一'
                            | '到'
                            | '了'
                            | '见'
                            | '过'
                            | '看'
                            | '好'
                            | '清'
                            | '准'
                            | '不'
                            | '着'
                            | '完'
                    )
                )
                && b < h.start as usize
            {
                continue;
            }
            // A possessive before 那个 / 这单 (您那个件查到了, 你那单催过了): the customer's thing is
            // the topic, not the customer the subject (您这次 is "this time": 您 stays the subject).
            if matches!(chars.get(b), Some('那' | '这'))
                && chars.get(b + 1).is_some_and(|c| CLASSIFIERS.contains(c))
                && b + 1 < h.start as usize
            {
                continue;
            }
            let better = match nearest {
                None => true,
                Some(n) => {
                    x.end > n.end
                        || (x.end == n.end
                            && (x.start < n.start
                                || (x.start == n.start && x.role == Role::Subject)))
                }
            };
            if better {
                nearest = Some(x);
            }
        }
        nearest.is_some_and(|n| n.role == Role::Subject)
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn eval_phrases(
        &self,
        check: u16,
        question: Option<bool>,
        window: usize,
        requires: bool,
        (at_end, echo, softens): (bool, bool, bool),
        s: &Scratch,
        ev: &mut Sink,
    ) -> Option<()> {
        let mut found = None;
        let last_clause = s.last_clause;
        for h in Self::slot(s, check) {
            match h.role {
                // A leading cue was kept by the scan only with filler before it.
                Role::Cue | Role::Lead => {}
                Role::Whole => {
                    // The cue is the whole reply (but for 亲 and a particle): 不知道。
                    // (The body's length and last char are counted once per reply.)
                    let len = (h.end - h.start) as usize;
                    let body_len = s.body_len;
                    let tail_ok = body_len == len
                        || (body_len == len + 1
                            && matches!(
                                s.body_last,
                                Some('啊' | '呢' | '哦' | '了' | '吧' | '呀')
                            ));
                    if !tail_ok {
                        continue;
                    }
                }
                Role::Bare => {
                    // The scan kept only bare cues with nothing but filler before them.
                    if !Self::filler_after(s, h.clause, h.end as usize) {
                        continue;
                    }
                }
                _ => continue,
            }
            if at_end
                && (h.clause != last_clause
                    || (h.clause as usize + 1 != s.clauses.len()
                        && !Self::filler_after(s, h.clause, h.end as usize)))
            {
                continue;
            }
            if echo && !Self::echoed(s, h) {
                continue;
            }
            if let Some(q) = question {
                let cl = h.clause as usize;
                if s.question.get(cl).copied().unwrap_or(false) != q {
                    continue;
                }
            }
            if requires {
                let ok = Self::clause_hits_in(s, check, h.clause)
                    .iter()
                    .any(|x| x.role == Role::Requires);
                if !ok {
                    continue;
                }
            }
            if Self::cancelled(check, h, window, s) {
                continue;
            }
            if softens && Self::softens_ask(s, check, h) {
                continue;
            }
            found = Some(());
            Self::push_span(s, h.start, h.end, ev);
            if ev.full() {
                break;
            }
        }
        found
    }

    /// Whether cue `h` only softens an ask (see `PhraseRule::softens`): an ask word after it in
    /// its clause, or only filler after it and the next clause holds an ask word or asks by its
    /// own form (its own ? or 吗, or a question word), not by a ? it shares with others.
    fn softens_ask(s: &Scratch, check: u16, h: &Hit) -> bool {
        // An ask after `from` in clause `cl`, with what it asks for between (不好意思亲 您下单留的
        // 手机号麻烦提供一下); not one after news of its own, a done thing or a reason
        // (不好意思亲您的货今天仓库给您发出了麻烦您等待物流更新 apologises).
        let asks_word = |cl: u32, from: u32| {
            Self::clause_hits_in(s, check, cl).iter().any(|x| {
                x.role == Role::Asks
                    && x.start >= from
                    && !news(&s.norm.chars[from as usize..x.start as usize])
            })
        };
        if asks_word(h.clause, h.end) {
            return true;
        }
        // Else the cue must open the reply (after a greeting or an address at most) with
        // nothing after it in its clause: 专票开不了，不好意思哈，您需要普票吗 apologises.
        if !Self::filler_after(s, h.clause, h.end as usize) || !Self::filler_before(s, h) {
            return false;
        }
        let said_before: usize = s.clauses[..h.clause as usize]
            .iter()
            .map(|&(a, b, _)| s.norm.chars[a..b].iter().filter(|c| !filler(c)).count())
            .sum();
        if said_before > 3 {
            return false;
        }
        let next = h.clause + 1;
        let Some(&(a, b, term)) = s.clauses.get(next as usize) else {
            return false;
        };
        let c = &s.norm.chars[a..b];
        asks_word(next, a as u32)
            || (s.question.get(next as usize).copied().unwrap_or(false)
                && (term == '?' || matches!(c.last(), Some('吗' | '么')) || has_interrogative(c)))
    }

    /// How many chars the reply's clauses other than `clause` hold, fillers aside.
    fn rest_len(s: &Scratch, clause: u32) -> usize {
        s.clauses
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != clause as usize)
            // 是 is filler inside a bare answer (这个是不行的) but a reason beside it (这个是厂家定的).
            .map(|(_, &(a, b, _))| {
                s.norm.chars[a..b]
                    .iter()
                    .filter(|c| !filler(c) || **c == '是')
                    .count()
            })
            .sum()
    }

    /// Whether only filler stands before `h` in its clause.
    fn filler_before(s: &Scratch, h: &Hit) -> bool {
        Self::only_before(s, h, filler)
    }

    /// Whether only filler stands before a bare answer in its clause, the agent as its subject
    /// counting as filler.
    fn subject_before(s: &Scratch, h: &Hit) -> bool {
        let Some(c) = Self::before(s, h) else {
            return false;
        };
        // The agent as the subject, 这边 (小妹这边实在不知道呢), is filler before a cue as 我 is;
        // 边 alone is not (旁边, 那边), nor 我们这边 set against another party (快递的事您找快递
        // 我们这边管不了: a wall, blame).
        c.iter().enumerate().all(|(i, ch)| {
            filler(ch) || (*ch == '边' && i > 0 && c[i - 1] == '这' && (i < 2 || c[i - 2] != '们'))
        })
    }

    /// Whether every char before `h` in its clause is one `keep` accepts.
    #[inline]
    fn only_before(s: &Scratch, h: &Hit, keep: impl Fn(&char) -> bool) -> bool {
        Self::before(s, h).is_some_and(|c| c.iter().all(keep))
    }

    /// The chars before `h` in its clause.
    #[inline]
    fn before<'a>(s: &'a Scratch, h: &Hit) -> Option<&'a [char]> {
        let &(a, _, _) = s.clauses.get(h.clause as usize)?;
        Some(&s.norm.chars[a..h.start as usize])
    }

    /// Whether no Latin letter touches `h` before it, and the letters after it only stretch
    /// the word (hi, hihi, hiii, helloooo, sorryyy; not the hi of Machine or Hitachi).
    fn whole_word(s: &Scratch, h: &Hit) -> bool {
        let chars = &s.norm.chars;
        let (start, end) = (h.start as usize, h.end as usize);
        if start > 0 && chars[start - 1].is_ascii_alphabetic() {
            return false;
        }
        let cue = &chars[start..end];
        let Some(&last) = cue.last() else {
            return false;
        };
        let mut repeat = true;
        let mut stretch = true;
        for (k, c) in chars[end..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .enumerate()
        {
            repeat &= *c == cue[k % cue.len()];
            stretch &= *c == last;
        }
        repeat || stretch
    }

    /// Whether only filler and the agent naming themselves (妹子, 小萌妹, 小二, 这边) stand before
    /// a leading cue in its clause: 妹子在的哦 answers 在吗 as 在的 does. The caller also asks
    /// that only filler follow (not 妹子在的时间是早上九点, 这边在的区域).
    fn self_before(s: &Scratch, h: &Hit) -> bool {
        Self::only_before(s, h, |c| {
            filler(c) || matches!(c, '妹' | '子' | '纸' | '萌' | '二' | '店' | '边' | '爱')
        })
    }

    /// Only particles and one address word follow `end` in its clause (吧宝妈, 了吧 姐妹哈).
    fn address_after(s: &Scratch, clause: u32, end: usize) -> bool {
        let Some(&(_, b, _)) = s.clauses.get(clause as usize) else {
            return false;
        };
        if end > b {
            return false;
        }
        let particle = |c: &char| {
            matches!(
                c,
                '哦' | '呢' | '啊' | '吧' | '呀' | '哈' | '哟' | '啦' | '嘛' | '了' | '~' | ' '
            )
        };
        let rest = &s.norm.chars[end..b];
        let from = rest.iter().take_while(|c| particle(c)).count();
        let to = rest.len()
            - rest[from..]
                .iter()
                .rev()
                .take_while(|c| particle(c))
                .count();
        // One customer addressed (宝妈), not an audience (家人们, 宝宝们): a pitch to a live room.
        from < to && rest[to - 1] != '们' && is_address(&rest[from..to])
    }

    /// Whether only filler stands from `end` to the end of `clause` (nothing when `end` lies
    /// past it).
    fn filler_after(s: &Scratch, clause: u32, end: usize) -> bool {
        let Some(&(_, b, _)) = s.clauses.get(clause as usize) else {
            return false;
        };
        end <= b && s.norm.chars[end..b].iter().all(filler)
    }
}

/// Is the char at `i` the 是 of the emphatic 是…的 before a negation (这个是没有的, 是不支持的,
/// 确实是无法更换了的)? In a reply that says nothing else (the caller asks) it stresses the
/// refusal and gives no reason, so an exception that is 是 alone (a reason: 这个是特价) does not
/// stand there; with more said (是没有的哦 这个颜色停产了) the reply is not bare. 是不是 still asks.
fn emphatic_shi(chars: &[char], i: u32) -> bool {
    const NO: [&[char]; 12] = [
        &['没', '有'],
        &['没', '法'],
        &['没', '办', '法'],
        &['无', '法'],
        &['不', '行'],
        &['不', '能'],
        &['不', '可', '以'],
        &['不', '支', '持'],
        &['不', '退'],
        &['不', '换'],
        &['不', '包'],
        &['不', '给'],
    ];
    let i = i as usize;
    if chars.get(i) != Some(&'是') {
        return false;
    }
    let rest = &chars[i + 1..];
    let Some(no) = NO.iter().find(|w| rest.starts_with(w)) else {
        return false;
    };
    // The frame closes with 的 within a few chars, and only filler follows it in the clause
    // (是没有的呢, 是无法更换了的哟); 是没有库存了 and 是不同的型号 give reasons.
    let after = &rest[no.len()..];
    after
        .iter()
        .take(5)
        .position(|c| *c == '的')
        .is_some_and(|d| {
            after[d + 1..]
                .iter()
                .take_while(|c| !normalize::is_clause_break(**c))
                .all(filler)
        })
}

/// Address words, particles, topic words and the emphatic 是…的 around a bare answer (亲 这个我们也
///不清楚哦, 这个是不行的呢).
fn filler(c: &char) -> bool {
    matches!(
        c,
        '亲' | '哦'
            | '呢'
            | '啊'
            | '吧'
            | '呀'
            | '哈'
            | '哟'
            | '啦'
            | '嘛'
            | '了'
            | '的'
            | '那'
            | '这'
            | '个'
            | '也'
            | '就'
            | '真'
            | '我'
            | '们'
            | '客'
            | '服'
            | '宝'
            | '小'
            | '妹'
            | '咱'
            | '是'
            | '恩'
            | '嗯'
    )
}

/// Whether `c` tells news of its own: a thing done or changed (发出了, 没有单号了), not the 了
/// of 为了, 除了, 麻烦了 or 不好意思了.
fn news(c: &[char]) -> bool {
    c.iter().enumerate().any(|(i, &ch)| {
        ch == '了' && (i == 0 || !matches!(c[i - 1], '为' | '除' | '烦' | '思' | '罢'))
    })
}

impl Matcher {
    /// Where half of a fuzzy cue stands, look for the whole cue with at most one edit around
    /// it, inside one clause; each find becomes a cue hit like an exact one.
    #[inline(never)]
    fn expand_fuzzy(&self, s: &mut Scratch) {
        for k in 0..s.fuzzy_hits.len() {
            let h = s.fuzzy_hits[k];
            let (id, left) = match h.role {
                Role::FuzzyL(id) => (id, true),
                Role::FuzzyR(id) => (id, false),
                _ => continue,
            };
            let Some(cue) = self.fuzzy.get(id as usize) else {
                continue;
            };
            let n = cue.len();
            let cl = h.clause;
            if cl == u32::MAX {
                continue;
            }
            let len = s.norm.chars.len();
            let mut best: Option<(usize, u32, u32)> = None;
            // Window lengths: the cue's own (a typo), one more (a char inserted), one less
            // (a char dropped).
            for w in [n, n + 1, n - 1] {
                let (a, b) = if left {
                    (h.start as usize, h.start as usize + w)
                } else {
                    let e = h.end as usize;
                    if e < w {
                        continue;
                    }
                    (e - w, e)
                };
                if b > len || s.clause_of[a..b].iter().any(|c| *c != cl) {
                    continue;
                }
                // The edit is inside the cue: its first and last chars stand as written
                // (还有什么可以帮 without its 还 is 有什么可以帮, the opening formula).
                if s.norm.chars[a] != cue[0] || s.norm.chars[b - 1] != cue[n - 1] {
                    continue;
                }
                let text: &[char] = &s.norm.chars[a..b];
                // Transposed neighbours count as one typo too.
                if let Some(d) = edits_up_to_one(text, cue)
                    && best.is_none_or(|(bd, _, _)| d < bd)
                {
                    best = Some((d, a as u32, b as u32));
                }
            }
            if let Some((_, a, b)) = best {
                Self::push_hit(
                    s,
                    TRIGGER,
                    Hit {
                        check: h.check,
                        role: Role::Cue,
                        start: a,
                        end: b,
                        clause: cl,
                    },
                );
            }
        }
    }

    /// One cue of every step, in order, in one clause, each within `max_gap` chars of the one
    /// before; exceptions judged on the whole sequence.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn eval_seq(
        &self,
        check: u16,
        steps: u8,
        max_gap: usize,
        window: usize,
        question: Option<bool>,
        (bare, rest_max, ends_clause, leads_clause, next_clause, at_end): (
            bool,
            Option<usize>,
            bool,
            bool,
            bool,
            bool,
        ),
        s: &Scratch,
        ev: &mut Sink,
    ) -> Option<()> {
        // The end of the first chain of steps k.. starting at or after `from` (within the gap)
        // whose end `accept` takes (a bare sequence must end where only filler is left).
        fn chain(
            hits: &[Hit],
            k: u8,
            steps: u8,
            from: u32,
            max_gap: usize,
            budget: &mut u32,
            accept: &dyn Fn(u32) -> bool,
        ) -> Option<u32> {
            if k == steps {
                return accept(from).then_some(from);
            }
            for x in hits {
                if *budget == 0 {
                    return None;
                }
                if x.role != Role::Step(k) || x.start < from {
                    continue;
                }
                if (x.start - from) as usize > max_gap {
                    // Hits are sorted by start: the rest are further away.
                    break;
                }
                *budget -= 1;
                if let Some(end) = chain(hits, k + 1, steps, x.end, max_gap, budget, accept) {
                    return Some(end);
                }
            }
            None
        }
        let mut found = None;
        let firsts = Self::slot(s, check)
            .iter()
            .filter(|h| h.role == Role::Step(0) && h.clause != u32::MAX)
            .take(64);
        for h in firsts {
            if at_end && h.clause != s.last_clause {
                continue;
            }
            if let Some(q) = question
                && s.question.get(h.clause as usize).copied().unwrap_or(false) != q
            {
                continue;
            }
            if leads_clause && !Self::filler_before(s, h) {
                continue;
            }
            let in_clause = if next_clause {
                Self::clauses_hits_in(s, check, h.clause, h.clause + 1)
            } else {
                Self::clause_hits_in(s, check, h.clause)
            };
            let mut budget = 256;
            // A bare sequence fills its clause: the scan kept only first steps with nothing but
            // filler before them, and the chain must end where only filler is left; so must a
            // sequence that ends its clause.
            // A sequence that ends its clause may also be followed by an address word alone
            // (累坏了吧宝妈, 气到了吧 姐妹): who it is said to adds nothing.
            // A chain run on into the next clause ends there: that clause is the one it must end
            // (or fill, for a bare sequence).
            let end_clause = |end: u32| {
                let past = s
                    .clauses
                    .get(h.clause as usize)
                    .is_some_and(|c| end as usize > c.1);
                if next_clause && past {
                    h.clause + 1
                } else {
                    h.clause
                }
            };
            let accept = |end: u32| {
                if !(bare || ends_clause) {
                    return true;
                }
                let c = end_clause(end);
                Self::filler_after(s, c, end as usize)
                    || (!bare && Self::address_after(s, c, end as usize))
            };
            let Some(end) = chain(in_clause, 1, steps, h.end, max_gap, &mut budget, &accept) else {
                continue;
            };
            let whole = Hit {
                end,
                role: Role::Cue,
                ..*h
            };
            if let Some(max) = rest_max
                && Self::rest_len(s, whole.clause) > max
            {
                continue;
            }
            if Self::cancelled(check, &whole, window, s) {
                continue;
            }
            found = Some(());
            Self::push_span(s, whole.start, whole.end, ev);
            if ev.full() {
                break;
            }
        }
        found
    }

    #[inline(never)]
    fn eval_choice(&self, check: u16, s: &Scratch, ev: &mut Sink) -> Option<()> {
        let mine = || Self::slot(s, check).iter();
        // 1. Two options joined by a joiner, in a question. Options may sit in two clauses of
        // one sentence (您看是换成黑色，还是直接退款？).
        let soft = |t: char| matches!(t, ',' | ';' | ':');
        for j in mine().filter(|h| h.role == Role::Joiner).take(64) {
            let clause_start = s.clauses.get(j.clause as usize).map_or(0, |c| c.0);
            // 退还是不退, 要还是不要: yes and no are the two options, whatever the verb; the
            // 还是不 the not-a-choice list holds (还是不行) does not stop it.
            if let Some((lo, hi)) = a_not_a(&s.norm.chars, j.start as usize, j.end as usize)
                && !Self::whichever(s, j)
                && !contains_any(
                    &s.norm.chars[clause_start..lo],
                    &[&['不', '管'], &['无', '论'], &['不', '论']],
                )
            {
                Self::push_span(s, lo as u32, hi as u32, ev);
                return Some(());
            }
            // Round 53 (reviews): a second "option" that is open (是掉色还是别的原因, 是卡住了还是
            // 出啥问题了, 还是其他什么情况) asks what happened; no framing by 是 makes it a pick.
            if open_second(&s.norm.chars[j.end as usize..]) {
                continue;
            }
            // A picker in the next clause, not one asking what is unclear or where (麻烦拍下是哪个
            // 位置开胶了).
            let picker_next = {
                let next = Self::clause_hits_in(s, check, j.clause + 1);
                next.iter().any(|x| x.role == Role::Picker)
                    && !next.iter().any(|x| x.role == Role::NotList)
            };
            let far_frame = shi_frame_back(s, j, if picker_next { 2 } else { 1 });
            let not_choice = Self::clause_hits_in(s, check, j.clause)
                .iter()
                .any(|x| x.role == Role::NotChoice && x.start < j.end && j.start < x.end);
            if not_choice
                && !shi_options(&s.norm.chars, clause_start, j)
                // Round 37: 是 framing the first option (是要拦截退回 还是先签收) makes 还是 "or";
                // round 55: two clauses back when a picker follows.
                && far_frame.is_none()
                // 给您补发一只 还是您想整双换新呢: "or do you want" asked. Round 51: or asked by a
                // picker in the next clause (先给您发新码 或者您想直接退款也行 您看选哪个).
                && !or_you_want(s, j, picker_next)
            {
                continue;
            }
            let cl = j.clause as usize;
            if cl >= s.clauses.len() {
                continue;
            }
            let (mut first, mut last) = (cl, cl);
            while first > 0 && soft(s.clauses[first - 1].2) {
                first -= 1;
            }
            while last + 1 < s.clauses.len() && soft(s.clauses[last].2) {
                last += 1;
            }
            // Run-on chat may put an option in a clause of its own, after a space (洗碗机是放在
            // 橱柜里面嵌入 还是单独放台面上用呀): the option then comes from the clause beside.
            if j.start as usize == s.clauses[first].0 && first > 0 && s.clauses[first - 1].2 == ' '
            {
                first -= 1;
            }
            // Round 55: the evidence starts where 是 framed the first option. Round 56: also two
            // clauses back when the framing clause asks (您看是等我们调货到城东 大概1-2天 还是直接去城西
            // 那家装): an asker before the 是 asks as a picker after would. Not where 还是 is on the
            // not-a-choice list (您看是23款的车 装上以后 还是会有点缝隙): that frame is a statement (review).
            let asker_frame = || {
                shi_frame_back(s, j, 2).filter(|&k| {
                    Self::clause_hits_in(s, check, k as u32)
                        .iter()
                        .any(|x| x.role == Role::Asker)
                })
            };
            if let Some(k) = far_frame
                .or_else(|| (!not_choice).then(asker_frame).flatten())
                .filter(|&k| k < first)
            {
                first = k;
            }
            if j.end as usize == s.clauses[last].1 && s.clauses[last].2 == ' ' {
                last = (last + 1).min(s.clauses.len() - 1);
            }
            let (a, b) = (s.clauses[first].0, s.clauses[last].1);
            let words = |r: &[char]| {
                r.iter()
                    .filter(|c| {
                        !normalize::is_clause_break(**c)
                            && !matches!(c, '呢' | '吗' | '呀' | '啊' | '哈' | '的' | '了' | '嘛')
                    })
                    .count()
            };
            // What stands before the joiner in its sentence: the first option and any asker.
            let lead = &s.norm.chars[a..j.start as usize];
            let before = words(lead);
            let after = words(&s.norm.chars[j.end as usize..b]);
            if before == 0 || after == 0 || Self::whichever(s, j) {
                continue;
            }
            let is_haishi =
                s.norm.chars.get(j.start as usize..j.end as usize) == Some(&['还', '是'][..]);
            // 还是 right after the agent (我还是帮您催一下吧, 小妹还是…) means "rather".
            if Self::rather(s, j) {
                continue;
            }
            // A yes/no question (冰袋还是冻着的吗, 您还是想要红色吗): 还是 means "still" — unless
            // the choice is asked to be told (方便说一下是燃气灶还是电磁炉吗).
            let own_end = s.norm.chars[s.clauses[cl].0..s.clauses[cl].1]
                .last()
                .copied()
                .unwrap_or(' ');
            if is_haishi && matches!(own_end, '吗' | '么') && !asks_to_tell(lead) {
                continue;
            }
            // 或者 in a yes/no question (是有人通过微信或者QQ联系您的吗, 有没有收到短信或者电话呢) or
            // in a request for one of two things (请您提供订单号或者服务单号) leaves nothing to
            // pick: either will do.
            // Round 33: 或者 inside a guess at the cause (是不是摔过或者磕碰过, 一般是尺码偏小或者
            // 腿围没拉出来) or a condition in a clause that does not ask (如果是少发或者破损的情况)
            // joins what may have happened, not two things offered.
            // Round 34: nor inside something to try or look for (换个充电头或者换个插座试试, 看一下门口
            // 或者快递柜有没有): either may be tried; the customer picks nothing.
            if !is_haishi
                && ((matches!(own_end, '吗' | '么') && !asks_to_tell(lead))
                    || supplies(lead)
                    || yes_no(lead)
                    || guessed(
                        // Round 36: 或者 opening its clause in run-on chat takes the guess from the
                        // option before it (您看下是不是家人帮您拿了 或者放在快递柜了呢).
                        if j.start as usize == clause_start {
                            &s.norm.chars[a..j.start as usize]
                        } else {
                            &s.norm.chars[clause_start..j.start as usize]
                        },
                        s.question.get(cl).copied().unwrap_or(false),
                    )
                    || tried(&s.norm.chars[j.end as usize..b])
                    || (either_offered(lead)
                        && !asks_to_tell(lead)
                        && !contains_any(lead, &[&['是', '要'], &['您', '要'], &['你', '要']])))
            {
                continue;
            }
            let term = s.clauses[last].2;
            let tail = s.norm.chars[..b].last().copied().unwrap_or(' ');
            // In run-on chat the question often stands beside the options: 请问您家里几口人用呢
            // 放在厨房还是客厅; 顺丰还是中通 您选一个.
            let next_q = s.clauses.get(last + 1).is_some_and(|c| c.2 == '?')
                || (first > 0
                    && s.question.get(first - 1).copied().unwrap_or(false)
                    // Round 37: 或者 after a question takes its options from it only when that
                    // question asks what the customer wants (您想怎么处理呢 退款或者补发); after a
                    // question about what happened (是什么样的味道呢 新衣服有一点染料味或者羽绒味是正
                    // 常的) the 或者 clause explains.
                    && (is_haishi
                        || asks_want(&s.norm.chars[s.clauses[first - 1].0..s.clauses[first - 1].1])))
                || s.question.get(last + 1).copied().unwrap_or(false)
                || Self::clause_hits_in(s, check, last as u32 + 1)
                    .iter()
                    .any(|x| x.role == Role::Picker);
            // 还是 between two options asks by itself (红色还是黑色 宝宝, 给小朋友吃还是大人吃哈),
            // unless it means "still" (还是建议, 还是挺好): the clause's question test knows which.
            let haishi =
                is_haishi && s.question.get(cl).copied().unwrap_or(false) && !embedded(lead);
            // 要拦截退回呢 还是等送到了您拒收: the first option asks with 呢 before the joiner.
            let ne_before = j.start as usize == s.clauses[cl].0
                && cl > 0
                && option_clause(&s.norm.chars[s.clauses[cl - 1].0..s.clauses[cl - 1].1]);
            // Round 37: 是A还是B framed at the start of its sentence asks in run-on chat with no
            // mark when more follows after a space (是包装破损还是收到就这样 麻烦拍个照片).
            let shi_asks = is_haishi
                && term == ' '
                && last + 1 < s.clauses.len()
                && shi_frame(s, j)
                && !embedded(lead)
                // …得寄回来检测了才知道: the options are what is not known yet, not a question; nor
                // with "either way" after them (…小妹都会给您处理好的).
                && !contains_any(
                    &s.norm.chars[s.clauses[last + 1].0..s.clauses[last + 1].1],
                    &[&['才', '知'], &['才', '能'], &['才', '清'], &['要', '看'], &['不', '好', '说'], &['说', '不'], &['都']],
                );
            let asked = term == '?'
                || shi_asks
                || matches!(tail, '吗' | '呢' | '呀' | '么')
                || haishi
                || ne_before
                || next_q
                // 退款或者换新您选哪个 小妹马上办: the picker after the options in their clause.
                || mine().any(|x| x.role == Role::Picker && x.clause == j.clause && x.start >= j.end)
                || mine()
                    .any(|x| x.role == Role::Asker && x.start as usize >= a && x.end <= j.start);
            if asked {
                Self::push_span(s, a as u32, b as u32, ev);
                return Some(());
            }
        }
        // 2. A picker in a question, after an enumeration or a named set of options. Options
        // numbered in the reply, not as steps or notes (`not_lists`), list them for every picker:
        // found once, when a picker first needs it.
        let numbered_list = std::cell::OnceCell::new();
        let numbered_list = || {
            // Round 57 review: a not-list word around a picker (在哪个邮箱收) asks where, and says
            // nothing of whether the numbers list steps.
            *numbered_list.get_or_init(|| {
                numbered(&s.norm.chars)
                    && !mine().any(|x| {
                        x.role == Role::NotList
                            && !mine().any(|q| {
                                q.role == Role::Picker && q.start < x.end && x.start < q.end
                            })
                    })
            })
        };
        for p in mine().filter(|h| h.role == Role::Picker).take(64) {
            let cl = p.clause as usize;
            // A picker that tells the customer to pick (您选一个, 您挑一下, 您来定) asks without a
            // question mark; one that asks which (哪个) needs its question.
            // Not the agent picking for the customer (我帮您挑合适的尺码), nor advice or a past
            // instruction (推荐您选对应段位的, 当时让您选大一码: round 39, when 您选 became a picker).
            let for_you = p.start > 0
                && matches!(
                    s.norm.chars[p.start as usize - 1],
                    '帮' | '替' | '为' | '给' | '荐' | '议' | '让' | '叫'
                );
            let tells = !for_you && !s.norm.chars[p.start as usize..p.end as usize].contains(&'哪');
            // Round 37: in run-on chat a picker asked of the customer (您看选哪个, 你要哪种) asks
            // with no mark when more text follows after a space (…您看选哪个 换新的话要等几天).
            let spaced_ask = s.clauses.get(cl).is_some_and(|c| {
                c.2 == ' '
                    && contains_any(
                        &s.norm.chars[c.0..p.start as usize],
                        &[
                            &['您', '看'],
                            &['你', '看'],
                            &['请', '问'],
                            &['您', '要'],
                            &['你', '要'],
                        ],
                    )
            });
            if !tells && !s.question.get(cl).copied().unwrap_or(false) && !spaced_ask {
                continue;
            }
            // Round 38: a picker asking what is unclear or what fails (您看哪个不明白再问我, 哪个步骤不行
            // 您跟我说下) asks no choice: a `not_lists` word after it in its clause. Round 57: or one
            // around it (是哪个, 在哪个) with what it asks about named after it (您是在哪个APP里输的呀,
            // 您是哪个地区呀), not one left bare at the end (pro和普通款不通用 你是哪个: pick one).
            // Review: not where the customer is asked what she wants or picks before it (您要的是哪个
            // 版本呀, 您想在哪个平台下单呢): that asks for a pick.
            let named_after = || {
                s.clauses.get(cl).is_some_and(|c| {
                    s.norm.chars[(p.end as usize).min(c.1)..c.1]
                        .iter()
                        .any(|ch| !filler(ch))
                        && !contains_any(
                            &s.norm.chars[c.0..(p.start as usize).max(c.0)],
                            &[
                                &['您', '要'],
                                &['你', '要'],
                                &['要', '的'],
                                &['想'],
                                &['选'],
                                &['拍'],
                                &['买'],
                                &['订'],
                            ],
                        )
                })
            };
            if mine().any(|x| {
                x.role == Role::NotList
                    && x.clause == p.clause
                    && (x.start >= p.start || (x.end > p.start && named_after()))
            }) {
                continue;
            }
            let upto = s.clauses.get(cl).map(|c| c.1).unwrap_or(0);
            let first = s.clauses.first().map(|c| c.0).unwrap_or(0);
            // Options listed as bare words between spaces just before (黑色 白色 杏色 您喜欢哪一种
            // 呀): short clauses, no address or greeting among them (亲, 在呢, 您).
            let short_before = s.clauses[..cl]
                .iter()
                .rev()
                .take_while(|c| {
                    c.1 - c.0 <= 4
                        && c.2 == ' '
                        && !s.norm.chars[c.0..c.1]
                            .iter()
                            .any(|ch| matches!(ch, '亲' | '在' | '您' | '你' | '好'))
                })
                .count();
            // Two options said in parallel just before (公蟹4两 母蟹3两 您想要哪种规格呢, 今天发的话没有
            // 礼盒 明天发就能带礼盒 您看哪种合适): two short clauses that share a word's char.
            let parallel = cl >= 2 && cl < s.clauses.len() && {
                let opt = |c: &(usize, usize, char)| {
                    let t = &s.norm.chars[c.0..c.1];
                    (2..=16).contains(&t.len())
                        && matches!(c.2, ' ' | ',')
                        && !t
                            .iter()
                            .any(|ch| matches!(ch, '亲' | '您' | '你' | '吗' | '么'))
                };
                let (x, y) = (&s.clauses[cl - 2], &s.clauses[cl - 1]);
                let (tx, ty) = (&s.norm.chars[x.0..x.1], &s.norm.chars[y.0..y.1]);
                // Not one clause said twice (在呢在呢), nor a question about the customer's own
                // habit after them (…请问您平时穿哪个码呢: clarify).
                let habit = s.norm.chars[s.clauses[cl].0..s.clauses[cl].1]
                    .windows(2)
                    .any(|w| w == ['平', '时'] || w == ['平', '常']);
                opt(x)
                    && opt(y)
                    && tx != ty
                    && !habit
                    && tx
                        .iter()
                        .any(|ch| !filler(ch) && !ch.is_ascii_digit() && ty.contains(ch))
            };
            let listed = s.norm.chars[first..upto].contains(&'、')
                || numbered_list()
                || short_before >= 2
                || parallel
                || mine().any(|x| x.role == Role::Set && x.start < p.start)
                || mine().any(|x| {
                    x.role == Role::Joiner
                        && x.end <= p.start
                        && !Self::rather(s, x)
                        // 补发或者退款都可以 您看要哪个呢: either will do, then pick one.
                        && (!Self::whichever(s, x) || (x.clause < p.clause && Self::either_ok(s, x)))
                        && !mine().any(|n| {
                            n.role == Role::NotChoice && n.start < x.end && x.start < n.end
                        })
                });
            if listed {
                let (a, b, _) = s.clauses[cl];
                Self::push_span(s, a as u32, b as u32, ev);
                return Some(());
            }
        }
        None
    }

    /// 还是 right after the agent or the customer addressed (我还是帮您催一下吧, 小妹还是…,
    /// 您还是选一下尺码吧) means "rather" or "still", not "or".
    fn rather(s: &Scratch, j: &Hit) -> bool {
        let Some(&(a, _, _)) = s.clauses.get(j.clause as usize) else {
            return false;
        };
        let lead = &s.norm.chars[a..(j.start as usize).max(a)];
        if s.norm.chars.get(j.start as usize..j.end as usize) != Some(&['还', '是'][..]) {
            return false;
        }
        // Round 42: advice right before it, closed by 吧 or 哦 (建议亲还是收下吧, 推荐您还是选大份哦),
        // means "rather" — not advice to choose, with the first option before it (建议您先想好要大份
        // 还是小份吧).
        let after = Self::after_joiner(s, j);
        let advised = {
            let mut t = lead;
            while let [head @ .., c] = t
                && matches!(c, '您' | '你' | '亲' | '宝' | '子' | '们')
            {
                t = head;
            }
            t.ends_with(&['建', '议']) || t.ends_with(&['推', '荐'])
        };
        let advice = advised && matches!(after.last(), Some('吧' | '哦'));
        agent_only(lead) || address_only(lead) || advice
    }

    /// 补发或者退款都可以: the shop accepts either (都可以, 都行, 都能), so the customer is to pick.
    /// Not 都还有货, which tells.
    fn either_ok(s: &Scratch, j: &Hit) -> bool {
        let after = Self::after_joiner(s, j);
        after
            .windows(2)
            .any(|w| w[0] == '都' && matches!(w[1], '可' | '行' | 'o'))
            || after.ends_with(&['都'])
    }

    /// The rest of joiner `j`'s clause after it.
    fn after_joiner<'s>(s: &'s Scratch, j: &Hit) -> &'s [char] {
        let end = s
            .clauses
            .get(j.clause as usize)
            .map(|c| c.1)
            .unwrap_or(j.end as usize);
        &s.norm.chars[j.end as usize..end.max(j.end as usize)]
    }

    /// 红色还是蓝色都有货: a joiner followed by 都 in its clause means "whichever".
    fn whichever(s: &Scratch, j: &Hit) -> bool {
        // 红色还是蓝色都好看: either will do. Not 都 inside the second option (一直都卡, 两边都没声).
        let after = Self::after_joiner(s, j);
        after.iter().enumerate().any(|(i, &c)| {
            c == '都'
                && !(i > 0
                    && matches!(after[i - 1], '边' | '直' | '部' | '次' | '全' | '每' | '些'))
        })
    }

    #[inline(never)]
    fn eval_concession(
        &self,
        check: u16,
        policy: Option<&Policy>,
        s: &Scratch,
        ev: &mut Sink,
    ) -> Option<()> {
        let mut found = None;
        for h in Self::slot(s, check)
            .iter()
            .filter(|h| matches!(h.role, Role::Discount | Role::FreeShipping | Role::Gift))
        {
            if Self::cancelled(check, h, 4, s) {
                continue;
            }
            let allowed = match (policy, h.role) {
                (None, _) => false,
                (Some(p), Role::FreeShipping) => p.free_shipping_over.is_some_and(|t| p.price >= t),
                (Some(p), Role::Gift) => p.gifts_allowed,
                (Some(p), _) => discount_allowed(p, s, h),
            };
            if !allowed {
                found = Some(());
                Self::push_span(s, h.start, h.end, ev);
                if ev.full() {
                    break;
                }
            }
        }
        found
    }
}

/// The Damerau–Levenshtein distance between `a` and `b` (one substitution, insertion,
/// deletion or swap of neighbours is one edit) where it is 0 or 1, else `None`: the same
/// answer as `strsim::generic_damerau_levenshtein(a, b) <= 1`, in one pass and without the
/// allocation and hashing of the full computation.
fn edits_up_to_one(a: &[char], b: &[char]) -> Option<usize> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // The common prefix; the first difference must be the only edit.
    let i = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 if i == short.len() => Some(0),
        // One substitution, or two neighbours swapped.
        0 => {
            let swapped = i + 1 < short.len()
                && short[i] == long[i + 1]
                && short[i + 1] == long[i]
                && short[i + 2..] == long[i + 2..];
            (short[i + 1..] == long[i + 1..] || swapped).then_some(1)
        }
        // One char inserted into the shorter.
        1 => (short[i..] == long[i + 1..]).then_some(1),
        _ => None,
    }
}

fn has_interrogative(chars: &[char]) -> bool {
    // 没货，不知道什么时候有: a question the agent cannot answer, not one put to the customer.
    if chars
        .windows(3)
        .any(|w| matches!(w, ['不', '知', '道'] | ['不', '清', '楚']))
    {
        return false;
    }
    // A-not-A asks (脚背高不高, 合不合适, 收没收到), but not 不得不 or 一…不….
    if chars.windows(3).any(|w| {
        w[0] == w[2]
            && matches!(w[1], '不' | '没')
            && !matches!(w[0], '不' | '没' | '一' | '要' | '是' | '能' | '可' | '有')
    }) {
        return true;
    }
    // One pass: only where a char can start an interrogative are the words compared.
    (0..chars.len()).any(|i| {
        matches!(
            chars[i],
            '什' | '哪'
                | '怎'
                | '多'
                | '是'
                | '有'
                | '能'
                | '可'
                | '要'
                | '还'
                | '几'
                | '方'
                | '啥'
                | '咋'
        ) && INTERROGATIVES
            .iter()
            .any(|w| chars[i..].starts_with(w) && asks(chars, i, w.len()))
    })
}

/// A question asking what the customer wants or picks (您想怎么处理呢, 您看要哪种, 您要哪个颜色呢),
/// not what happened (是什么样的味道呢, 您是怎么洗的呢).
fn asks_want(q: &[char]) -> bool {
    // 您是想问发货时间吗, 您要的是哪款呢, 您想什么时候收到呢: about what happened or when, not a pick.
    if contains_any(
        q,
        &[&['想', '问'], &['要', '的', '是'], &['什', '么', '时']],
    ) {
        return false;
    }
    q.iter()
        .any(|c| matches!(c, '想' | '要' | '选' | '挑' | '喜' | '倾'))
        || contains_any(
            q,
            &[
                &['您', '看'],
                &['你', '看'],
                &['处', '理'],
                &['方', '案'],
                &['打', '算'],
            ],
        )
}

/// Words before a choice that ask the customer to tell it (方便说一下…吗, 能告诉我…吗): the 吗
/// then asks whether they can tell, and the choice stands. (Not 请问, which opens most yes/no
/// questions: 请问冰袋还是冻着的吗.)
fn asks_to_tell(before: &[char]) -> bool {
    const WORDS: [&[char]; 6] = [
        &['方', '便'],
        &['说', '一', '下'],
        &['说', '下'],
        &['告', '诉'],
        &['问', '一', '下'],
        &['问', '下'],
    ];
    contains_any(before, &WORDS)
}

/// Words asking the customer to hand something over (请您提供, 发一下, 上传): options after
/// them are what will do, not a choice (提供订单号或者服务单号都可以).
fn supplies(before: &[char]) -> bool {
    const WORDS: [&[char]; 5] = [
        &['提', '供'],
        &['发', '一', '下'],
        &['发', '下'],
        &['上', '传'],
        &['填', '写'],
    ];
    contains_any(before, &WORDS)
}

/// Words that leave two things open to the customer rather than ask for a pick: permission
/// (您可以联系这个电话咨询 或者关注公众号看一下), or what there is (有鱼豆腐或者坚果试吃). A picker
/// beside them (您看哪个方便) or an ask in the sentence (您可以考虑一下，是要红色或者蓝色呢) still asks.
fn either_offered(before: &[char]) -> bool {
    const WORDS: [&[char]; 2] = [&['您', '可', '以'], &['你', '可', '以']];
    // Not under a condition (如果您可以…的话, 有需要的话 A或者B).
    let conditional = contains_any(before, &[&['如', '果'], &['的', '话']]);
    !conditional
        && (before.iter().find(|c| !filler(c)) == Some(&'有')
            || contains_any(before, &WORDS)
            || qin_allows(before))
}

/// 亲可以 leaving the choice to the customer (亲可以自己申请换货或者退款). Round 52: not 亲 typed
/// onto the shop's own 可以 before 给您 / 帮您 and a service verb (亲可以给您换货 或者您想退款), which
/// the shop offers; review A: 亲可以给您爸妈用或者自己用, where 给您 is "for your", still allows.
fn qin_allows(before: &[char]) -> bool {
    const TO_YOU: [&[char]; 5] = [
        &['给', '您'],
        &['帮', '您'],
        &['给', '你'],
        &['帮', '你'],
        &['为', '您'],
    ];
    const SERVES: [char; 19] = [
        '换', '退', '补', '发', '寄', '申', '安', '处', '改', '修', '重', '送', '备', '登', '预',
        '加', '取', '赔', '办',
    ];
    before.windows(3).enumerate().any(|(i, w)| {
        w == ['亲', '可', '以'] && {
            let rest = &before[i + 3..];
            !(TO_YOU.iter().any(|p| rest.starts_with(p))
                && rest.get(2).is_some_and(|c| SERVES.contains(c)))
        }
    })
}

/// A guess at the cause before 或者 in its clause (是不是…, 一般是…, 可能是…), or a condition
/// (如果是…, …的话) in a clause that does not ask: 有急用的话发顺丰或者京东呢? still offers two.
fn guessed(before: &[char], asks: bool) -> bool {
    const GUESS: [&[char]; 3] = [
        &['是', '不', '是'],
        &['一', '般', '是'],
        &['可', '能', '是'],
    ];
    const CONDITION: [&[char]; 5] = [
        &['如', '果'],
        &['要', '是'],
        &['假', '如'],
        &['万', '一'],
        &['的', '话'],
    ];
    contains_any(before, &GUESS) || (!asks && contains_any(before, &CONDITION))
}

/// Whether what follows 或者 is something to try or look for (…或者换个插座试试, …或者快递柜
/// 有没有, …或者再观察两天, …或者重新连下蓝牙看看呢, …或者换个碗喂喂呢): a troubleshooting step, not options to
/// choose from: a try word anywhere after it, or a doubled verb ending its clause but for
/// particles (看看, 喂喂).
fn tried(after: &[char]) -> bool {
    const WORDS: [&[char]; 7] = [
        &['试', '试'],
        &['观', '察'],
        &['试', '一', '下'],
        &['试', '下'],
        &['试', '一', '试'],
        &['有', '没', '有'],
        &['在', '不', '在'],
    ];
    if contains_any(after, &WORDS) {
        return true;
    }
    // The doubled verb must end the clause 或者 stands in (退款或者换货 您看看 still offers).
    let mut end = after
        .iter()
        .position(|c| normalize::is_clause_break(*c))
        .unwrap_or(after.len());
    while end > 0
        && matches!(
            after[end - 1],
            '呢' | '吧' | '哈' | '哦' | '啊' | '呀' | '~'
        )
    {
        end -= 1;
    }
    // A doubled verb of trying or looking (插拔插拔 试试, 重启看看, 喂喂), not a doubled noun
    // (送给妈妈, 小熊或者兔兔), an outing (出去逛逛) or the customer asked to weigh the offer
    // (补发或者退款您看看, 您再比比).
    const TRY: &str = "试看找查问瞧摸按擦洗泡晃拍喂插拔摇敲揉吹晒刷冲拧翻搜";
    let asked = |i: usize| i > 0 && matches!(after[i - 1], '您' | '你');
    end >= 2 && after[end - 1] == after[end - 2] && TRY.contains(after[end - 1]) && !asked(end - 2)
}

/// Words that make a question yes/no whatever follows (有没有收到短信或者电话, 是否…).
fn yes_no(before: &[char]) -> bool {
    const WORDS: [&[char]; 3] = [&['有', '没', '有'], &['是', '否'], &['有', '无']];
    contains_any(before, &WORDS)
}

/// An A-not-A choice around the joiner at `start..end` (退还是不退, 要还是不要, 换还是不换): the
/// one or two chars before 还是 stand again after its 不. Returns the span of both options.
fn a_not_a(chars: &[char], start: usize, end: usize) -> Option<(usize, usize)> {
    if chars.get(start..end) != Some(&['还', '是'][..]) || chars.get(end) != Some(&'不') {
        return None;
    }
    (1..=2).rev().find_map(|k| {
        let verb = chars.get(start.checked_sub(k)?..start)?;
        let again = chars.get(end + 1..end + 1 + k)?;
        let word = verb
            .iter()
            .all(|c| !normalize::is_clause_break(*c) && !matches!(c, '不' | '还' | '是'));
        (word && verb == again).then_some((start - k, end + 1 + k))
    })
}

/// Whether what follows a joiner is an open "something else" rather than a second option
/// (还是别的原因, 还是其他什么情况, 还是有别的问题, 还是出啥问题了, 还是怎么回事); a named other
/// kind (还是别的费用) is still an option.
fn open_second(after: &[char]) -> bool {
    const OPEN: [&[char]; 24] = [
        &['别', '的', '原', '因'],
        &['别', '的', '问', '题'],
        &['别', '的', '情', '况'],
        &['别', '的', '什', '么'],
        &['其', '他', '原', '因'],
        &['其', '他', '问', '题'],
        &['其', '他', '情', '况'],
        &['其', '他', '什', '么'],
        &['其', '它', '原', '因'],
        &['其', '它', '问', '题'],
        &['其', '它', '情', '况'],
        &['有', '别', '的'],
        &['有', '其', '他'],
        &['有', '啥'],
        &['有', '什', '么'],
        &['出', '啥'],
        &['出', '什', '么'],
        &['出', '了', '什', '么'],
        &['怎', '么', '回', '事'],
        &['怎', '么', '了'],
        &['什', '么', '原', '因'],
        &['啥', '原', '因'],
        &['啥', '情', '况'],
        &['什', '么', '情', '况'],
    ];
    OPEN.iter().any(|w| after.starts_with(w))
}

/// 是 opening the first option before 还是不 (是商品有问题还是不喜欢了, 您是要印字还是不印): the 还是不
/// the not-a-choice list holds ("still not") is the second option here. 是 stands near the
/// clause's start (after at most four chars: 您, 请问, 亲), is not 是不是, and an option of at
/// least two chars lies between it and 还是.
fn shi_options(chars: &[char], clause_start: usize, j: &Hit) -> bool {
    let (start, end) = (j.start as usize, j.end as usize);
    if chars.get(end) != Some(&'不') || clause_start > start {
        return false;
    }
    let lead = &chars[clause_start..start];
    lead.iter()
        .take(5)
        .position(|c| *c == '是')
        .is_some_and(|i| lead.get(i + 1) != Some(&'不') && lead.len() >= i + 3)
}

/// 是要拦截退回 还是先签收, 是家里老人用还是您自己用: 是 near the start frames the first option,
/// so 还是 joins two options even before a word that often means "still" or "rather".
fn shi_frame(s: &Scratch, j: &Hit) -> bool {
    shi_frame_back(s, j, 1).is_some()
}

/// [`shi_frame`] with the first option up to `back` clauses before a joiner that opens its
/// clause. Round 55: when a picker follows, an option may carry a clause of detail before 还是
/// (您看是给您换白色 我们上门取件 还是您留着金色我们补点差价呢 您选哈). Gives the clause that
/// holds the framing 是.
fn shi_frame_back(s: &Scratch, j: &Hit, back: usize) -> Option<usize> {
    let chars = &s.norm.chars;
    let cl = j.clause as usize;
    let &(start, _, _) = s.clauses.get(cl)?;
    // 你是没看见还是咋的: "or what" asks nothing.
    if contains_any(
        &chars[j.end as usize..(j.end as usize + 2).min(chars.len())],
        &[&['咋'], &['啥'], &['什', '么'], &['怎', '么']],
    ) {
        return None;
    }
    // 是要拦截退回 还是先签收: in run-on chat the first option is the clause before; each
    // clause back is tried in turn, nearest first.
    let mut k = cl;
    if start == j.start as usize {
        while k > 0 && cl - k < back && matches!(s.clauses[k - 1].2, ' ' | ',') {
            k -= 1;
        }
    }
    if k == cl {
        return shi_lead(&chars[start..j.start as usize]).then_some(cl);
    }
    (1..=cl - k)
        .find(|&n| shi_lead(&chars[s.clauses[cl - n].0..j.start as usize]))
        .map(|n| cl - n)
}

/// Whether `lead`, the text from a clause start to a joiner, opens with 是 framing an option.
fn shi_lead(lead: &[char]) -> bool {
    let skip = lead
        .iter()
        .take_while(|c| matches!(c, '亲' | '您' | '你' | ' ' | '请' | '问' | '那' | '看'))
        .count();
    let rest = &lead[skip..];
    // 是不是 opens a yes/no question, not the first option; 是的 / 是这样的 / 是有点贵 / 是我们的
    // 问题 answer or own something, and 还是 after them keeps its "still"/"rather".
    let answers = matches!(
        rest.get(1),
        Some('不' | '的' | '有' | '我' | '挺' | '很' | '真' | '对' | '啊' | '呀' | '哦' | '嘛')
    ) || rest.get(1..3) == Some(&['这', '样'][..]);
    rest.first() == Some(&'是') && !answers && rest.len() >= 3
}

/// 给您补发一只 还是您想整双换新呢: 还是 before the customer wanting, in a question, is "or".
fn or_you_want(s: &Scratch, j: &Hit, picker_next: bool) -> bool {
    let chars = &s.norm.chars;
    let Some(&(a, b, term)) = s.clauses.get(j.clause as usize) else {
        return false;
    };
    let after = &chars[j.end as usize..b];
    let wants = [
        &['您', '想'][..],
        &['您', '要'],
        &['你', '想'],
        &['你', '要'],
        &['亲', '想'],
        &['亲', '要'],
    ];
    let asks = term == '?' || matches!(chars[a..b].last(), Some('呢' | '呀')) || picker_next;
    // The first option is something the shop offers (给您补发一只, 可以先换), not news (这款已经是
    // 最低价了 还是您想再考虑一下呢).
    // Round 51: in run-on chat the offer may stand two clauses back (可以先给您发新的 收到再寄回旧的
    // 或者您想直接退款也行).
    let start = if j.start as usize == a && j.clause > 0 {
        let back = if picker_next && j.clause > 1 { 2 } else { 1 };
        s.clauses[j.clause as usize - back].0
    } else {
        a
    };
    let offered = contains_any(
        &chars[start..j.start as usize],
        &[
            &['给', '您'],
            &['帮', '您'],
            &['给', '你'],
            &['帮', '你'],
            &['可', '以'],
            &['先'],
            &['直', '接'],
        ],
    );
    // Review (round 51): a picker after it asks only when the first option is still on offer,
    // not done (已经给您申请退款了 或者您想了解别的款 … 您看选哪个).
    let done = picker_next
        && term != '?'
        && (contains_any(&chars[start..j.start as usize], &[&['已'], &['好', '了']])
            || chars[start..j.start as usize]
                .iter()
                .rev()
                .find(|c| !c.is_whitespace())
                == Some(&'了'));
    asks && offered && !done && wants.iter().any(|w| after.starts_with(w))
}

/// Words that make what follows an embedded question, not one put to the customer
/// (很难判断是运输还是发货前坏的, 跟您沟通是换机还是退款).
fn embedded(before: &[char]) -> bool {
    const WORDS: [&[char]; 9] = [
        &['判', '断'],
        &['确', '定'],
        &['知', '道'],
        &['清', '楚'],
        &['沟', '通'],
        &['商', '量'],
        &['检', '测'],
        &['查', '清'],
        &['看', '看'],
    ];
    contains_any(before, &WORDS)
}

/// Round 38. Options numbered in the reply (1.补发一个新的 2.直接退款, ①退货 ②换货, a.补发 b.退款,
/// 您选一下 1 今晚 2 明天下午, 一是补发 二是退款): a 1 and then a 2, each standing alone as a list
/// mark — followed by . 、 ) : and not by a digit (so not 1.5丝 or 12), or opening a clause before
/// two or more of the option's words. The rubric's `not_lists` words anywhere in the reply make it
/// steps, not options.
fn numbered(chars: &[char]) -> bool {
    let mark = |n: char, circled: char, letter: char, han: char| {
        chars.iter().enumerate().position(|(i, &c)| {
            let alone = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
            let opens = i == 0 || matches!(chars[i - 1], ' ' | ',' | '.' | ':' | '!' | '?');
            c == circled
                || ((c == n || c == letter)
                    && alone
                    && matches!(chars.get(i + 1), Some('.' | '、' | ')' | ':'))
                    && !chars.get(i + 2).is_some_and(|d| d.is_ascii_digit()))
                // 1补发 2退款 / 1 今晚 2 明天: a number opening a clause before the option's
                // words, not a unit (1 米 2 的床).
                || (c == n && opens && {
                    let k = if chars.get(i + 1) == Some(&' ') { i + 2 } else { i + 1 };
                    chars
                        .get(k..k + 2)
                        .is_some_and(|w| w.iter().all(|d| !d.is_ascii()))
                })
                // 一是补发 二是退款.
                || (c == han && opens && chars.get(i + 1) == Some(&'是'))
        })
    };
    match (mark('1', '①', 'a', '一'), mark('2', '②', 'b', '二')) {
        (Some(a), Some(b)) => a < b,
        _ => false,
    }
}

/// Whether any of `words` (none empty) stands anywhere in `chars`.
fn contains_any(chars: &[char], words: &[&[char]]) -> bool {
    words.iter().any(|w| contains_chars(chars, w))
}

/// Whether `needle` (never empty) stands in `hay`: windows are compared only where the first
/// char matches.
pub(crate) fn contains_chars(hay: &[char], needle: &[char]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return false;
    };
    hay.iter()
        .enumerate()
        .any(|(i, &c)| c == first && hay[i + 1..].starts_with(rest))
}

/// A clause that only addresses the customer (宝宝, 亲爱的, 姐妹).
fn is_address(chars: &[char]) -> bool {
    const WORDS: [&[char]; 18] = [
        &['亲', '爱', '的'],
        &['宝', '妈'],
        &['客', '官'],
        &['老', '铁'],
        &['宝', '贝'],
        &['亲', '亲'],
        &['亲'],
        &['宝', '宝'],
        &['宝', '子'],
        &['宝'],
        &['家', '人'],
        &['姐', '妹'],
        &['姐', '姐'],
        &['小', '主'],
        &['美', '女'],
        &['帅', '哥'],
        &['朋', '友'],
        &['老', '板'],
    ];
    let body = match chars.last() {
        Some('们' | '呀' | '哈' | '呢' | '哦') => &chars[..chars.len() - 1],
        _ => chars,
    };
    WORDS.contains(&body)
}

/// Does `c` put an option and end with 呢 (要拦截退回呢, 您是想换货呢), not a remark (收到了呢,
/// 您好呢): after address words and 您, it opens with wanting, choosing or the shop acting.
fn option_clause(c: &[char]) -> bool {
    if c.last() != Some(&'呢') || c.ends_with(&['了', '呢']) {
        return false;
    }
    matches!(
        c.iter()
            .find(|ch| !(filler(ch) || matches!(ch, '您' | '你'))),
        Some('要' | '是' | '想' | '选' | '给' | '帮' | '直' | '先' | '换' | '退' | '补')
    )
}

/// Is `lead` only the agent as subject (我, 小妹, 这边, 我们客服 …) and particles?
fn agent_only(lead: &[char]) -> bool {
    !lead.is_empty()
        && lead.iter().all(|c| {
            matches!(
                c,
                '我' | '们'
                    | '小'
                    | '妹'
                    | '这'
                    | '边'
                    | '客'
                    | '服'
                    | '咱'
                    | '那'
                    | '就'
                    | '也'
                    | '亲'
                    | '哦'
                    | '呢'
                    | '啊'
                    | '哈'
            )
        })
        && lead.iter().any(|c| matches!(c, '我' | '妹' | '服' | '咱'))
}

/// Only the customer addressed before 还是 (您还是选一下尺码吧, 亲还是0点后再拍): it means "rather"
/// or "still", as after the agent.
fn address_only(lead: &[char]) -> bool {
    lead.iter().all(|c| {
        matches!(
            c,
            '您' | '你' | '亲' | '宝' | '那' | '就' | '也' | '哦' | '呢' | '啊' | '哈'
        )
    }) && lead.iter().any(|c| matches!(c, '您' | '你' | '亲' | '宝'))
}

/// Does `tag` end by asking agreement (好吗, 可以吗, 行吗, 好不好 …) to what the agent proposes
/// to do in it or in the clause `before` it (到了我通知您好吗, 今天下班前给您回复，可以吗？)? Then
/// the reply tells, and the tag makes neither clause a question. Without the agent acting, the
/// tag still asks (效果好不好？ 质量还可以吗？) or scolds (不是告诉过你了好吗？).
fn offer_for_agreement(tag: &[char], before: &[char]) -> bool {
    agreement_tag(tag) && (agent_acts(tag) || agent_acts(before))
}

/// Does the clause end by asking agreement (好吗, 可以吗, 行吗, 好不好 …)?
fn agreement_tag(chars: &[char]) -> bool {
    let body: &[char] = match chars {
        [rest @ .., '亲'] => rest,
        _ => chars,
    };
    body.ends_with(&['好', '吗'])
        || body.ends_with(&['好', '么'])
        || body.ends_with(&['可', '以', '吗'])
        || body.ends_with(&['行', '吗'])
        || body.ends_with(&['好', '不', '好'])
        || body.ends_with(&['行', '不', '行'])
        || body.ends_with(&['可', '不', '可', '以'])
}

/// Does the agent act in the clause (我, 这边, 小妹, 给您, 帮您, 回复您 …)?
fn agent_acts(chars: &[char]) -> bool {
    const AGENT: [&[char]; 10] = [
        &['我'],
        &['这', '边'],
        &['小', '妹'],
        &['给', '您'],
        &['帮', '您'],
        &['为', '您'],
        &['给', '你'],
        &['帮', '你'],
        &['通', '知', '您'],
        &['回', '复', '您'],
    ];
    contains_any(chars, &AGENT)
}

/// A clause that only asks the customer to confirm what came before it.
fn is_tag(chars: &[char]) -> bool {
    let body: &[char] = match chars.first() {
        Some('那' | '就') => &chars[1..],
        _ => chars,
    };
    matches!(
        body,
        ['对', '吗' | '吧' | '么' | '嘛' | '不']
            | ['是', '吗' | '吧' | '么' | '嘛']
            | ['对', '不', '对']
            | ['是', '不', '是']
            | ['没', '错', '吧' | '吗']
            | ['没', '错', '吧' | '吗', '亲']
            | ['对', '吗' | '吧', '亲']
            | ['是', '吗' | '吧', '亲']
    )
}

/// Is the interrogative word at `chars[i..i + n]` asking, not an indefinite or a degree word?
/// 几十次 (dozens), 好几天, 几乎; 没什么, 什么都行; 不怎么, 怎么也打不开; 或多或少, 多少有点;
/// 哪怕, 哪都; 没多大; 还是建议 (still), 还是挺好 (after all); 很方便, 方便的话.
fn asks(chars: &[char], i: usize, n: usize) -> bool {
    let prev = if i > 0 { chars[i - 1] } else { ' ' };
    let next = chars.get(i + n).copied().unwrap_or(' ');
    // 什么颜色都百搭, 怎么洗也不变形, 哪个都好看: "any", not a question.
    let any = || {
        chars[i + n..]
            .iter()
            .take(3)
            .any(|c| matches!(c, '都' | '也'))
    };
    // 多少到手就是多少, 爱怎么评价就怎么评价: the word twice in the clause is "whatever", not a question.
    let again = || {
        let w = &chars[i..i + n];
        n >= 2
            && (0..chars.len())
                .filter(|&k| k + n <= i || k >= i + n)
                .any(|k| chars[k..].starts_with(w))
    };
    if again() {
        return false;
    }
    match chars[i] {
        '几' => {
            !matches!(next, '十' | '百' | '千' | '万' | '乎')
                && !matches!(
                    prev,
                    '好' | '没' | '这' | '那' | '前' | '十' | '头' | '茶' | '过'
                )
        }
        '什' | '啥' => !matches!(prev, '没' | '不') && next != '的' && !any(),
        '咋' => !any(),
        // 还是怎么处理: "or whatever", not a question.
        '怎' if n == 2 && chars[i + 1] == '么' => {
            prev != '不' && !(i >= 2 && chars[i - 2..i] == ['还', '是']) && !any()
        }
        // 洗多少次都不起球, 放多少天也不坏: "however many", not a question.
        '多' if chars[i + 1] == '少' => {
            prev != '或'
                && !matches!(next, '都' | '也' | '有' | '会' | '能' | '还' | '沾' | '带')
                && !any()
        }
        // 戴多久都不会发黑, 多大都能穿: "however long", not a question.
        '多' => !matches!(prev, '没' | '不') && !any(),
        '哪' => next != '怕' && !any(),
        '还' if matches!(prev, '也' | '最' | '好' | '后' | '终' | '总') => false,
        '还' => !matches!(
            next,
            '建' | '得'
                | '要'
                | '会'
                | '可'
                | '不'
                | '挺'
                | '很'
                | '蛮'
                | '有'
                | '那'
                | '老'
                | '一'
                | '觉'
                | '比'
                | '先'
                | '在'
                | '没'
                | '算'
                | '值'
                | '是'
                | '能'
                | '给'
                | '请'
                | '以'
                | '怎'
                | '拍'
                | '买'
                | '软'
        ),
        '方' => {
            !matches!(
                prev,
                '很' | '不' | '更' | '挺' | '也' | '常' | '超' | '太' | '较' | '蛮'
            ) && !matches!(next, '的' | '快' | '携' | '实' | '些' | '多' | '了')
        }
        _ => true,
    }
}

/// Is a discount in the hit's clause within the shop's lowest allowed price?
fn discount_allowed(p: &Policy, s: &Scratch, h: &Hit) -> bool {
    let cl = h.clause as usize;
    let Some(&(a, b, _)) = s.clauses.get(cl) else {
        return false;
    };
    let chars = &s.norm.chars[a..b];
    // 九折 / 8.5折
    if let Some(rate) = discount_rate(chars) {
        return p.price * rate >= p.lowest_price - 0.001;
    }
    match first_number(chars) {
        Some(n) if n >= p.price * 0.5 => n >= p.lowest_price - 0.001,
        Some(n) => p.price - n >= p.lowest_price - 0.001,
        // An unspecified discount is allowed only where the shop leaves room for one.
        None => p.lowest_price < p.price,
    }
}

fn digit_of(c: char) -> Option<f32> {
    match c {
        '0'..='9' => c.to_digit(10).map(|d| d as f32),
        '零' => Some(0.0),
        '一' => Some(1.0),
        '二' | '两' => Some(2.0),
        '三' => Some(3.0),
        '四' => Some(4.0),
        '五' => Some(5.0),
        '六' => Some(6.0),
        '七' => Some(7.0),
        '八' => Some(8.0),
        '九' => Some(9.0),
        _ => None,
    }
}

fn discount_rate(chars: &[char]) -> Option<f32> {
    let i = chars.iter().position(|c| *c == '折')?;
    let mut digits = Vec::new();
    let mut j = i;
    while j > 0 {
        let c = chars[j - 1];
        if let Some(d) = digit_of(c) {
            digits.push(d);
        } else if c != '.' {
            break;
        }
        j -= 1;
    }
    digits.reverse();
    match digits.as_slice() {
        [a] => Some(a / 10.0),
        [a, b, ..] => Some(a / 10.0 + b / 100.0),
        [] => None,
    }
}

/// The first Arabic number in the chars (e.g. 10, 89.9), or a small Chinese one (十, 二十, 五).
fn first_number(chars: &[char]) -> Option<f32> {
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            let t: String = chars[i..j].iter().collect();
            return t.trim_end_matches('.').parse().ok();
        }
        i += 1;
    }
    // Chinese numerals followed by 块/元.
    for (k, c) in chars.iter().enumerate() {
        if matches!(c, '块' | '元') && k > 0 {
            let mut v = 0.0;
            let mut unit_seen = false;
            let mut j = k;
            let mut cur = 0.0;
            while j > 0 {
                let c = chars[j - 1];
                if c == '十' {
                    unit_seen = true;
                    v += 10.0;
                } else if let Some(d) = digit_of(c) {
                    if unit_seen {
                        v += d * 10.0 - 10.0;
                        unit_seen = false;
                    } else {
                        cur = d;
                    }
                } else {
                    break;
                }
                j -= 1;
            }
            let total = v + cur;
            if total > 0.0 {
                return Some(total);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    /// A matcher with one rule, on the remedy slot.
    fn one(rule: Rule) -> Matcher {
        let mut rules: [Option<&Rule>; CheckId::COUNT] = [None; CheckId::COUNT];
        rules[CheckId::Remedy.index()] = Some(&rule);
        Matcher::compile(&rules).expect("compiles")
    }

    fn finds(m: &Matcher, reply: &str) -> Option<Vec<String>> {
        let d = m.detect(reply, None, &mut Scratch::default());
        d.has(CheckId::Remedy).then(|| {
            d.evidence(CheckId::Remedy)
                .iter()
                .map(|s| s.text.clone())
                .collect()
        })
    }

    fn seq() -> Matcher {
        one(Rule::Seq(SeqRule {
            steps: vec![
                words(&["帮您", "给您", "这边"]),
                words(&["申请", "取消", "备注"]),
                words(&["了", "啦"]),
            ],
            max_gap: Some(4),
            unless_clause: words(&["您可以"]),
            unless_before: words(&["没"]),
            ..Default::default()
        }))
    }

    #[test]
    fn seq_finds_ordered_cues_with_bounded_gaps() {
        let m = seq();
        assert_eq!(
            finds(&m, "亲 这边已经给您申请了补发"),
            Some(vec!["这边已经给您申请了".to_string()])
        );
        assert!(finds(&m, "已经帮您把订单取消了哦").is_some());
        // Run-on, unpunctuated and word-segmented text.
        assert!(finds(&m, "好的亲已帮您备注了哦放心哈").is_some());
        assert!(finds(&m, "好滴 亲 已 帮您 取消 订单 啦~ 钱 会 原路 退 回 哒").is_some());
    }

    fn bare_refusal() -> Matcher {
        one(Rule::Seq(SeqRule {
            steps: vec![
                words(&["不", "没", "没有", "不归"]),
                words(&["退", "颜色", "管"]),
            ],
            max_gap: Some(2),
            bare: true,
            rest_max: Some(3),
            unless_reply: words(&["抱歉", "帮您"]),
            ..Default::default()
        }))
    }

    #[test]
    fn a_bare_seq_fills_its_clause_and_stands_alone() {
        let m = bare_refusal();
        // Any wording of the refusal, with a topic, address words and particles around it.
        assert!(finds(&m, "没这颜色").is_some());
        assert!(finds(&m, "这个不归我们管。").is_some());
        assert!(finds(&m, "亲 不退哦").is_some());
        assert!(finds(&m, "不 归 我 管").is_some());
        // Part of a longer clause: not bare.
        assert_eq!(finds(&m, "不退运费险的部分"), None);
        // More said after it (a reason or another option): not alone.
        assert_eq!(finds(&m, "没这颜色 黑色和白色有现货"), None);
        // An apology or an offer in the reply.
        assert_eq!(finds(&m, "抱歉 没这颜色"), None);
    }

    #[test]
    fn requires_reply_needs_its_word_anywhere_in_the_reply() {
        let phrases = one(Rule::Phrases(PhraseRule {
            any: words(&["谁不急"]),
            requires_reply: words(&["给您", "抱歉"]),
            ..Default::default()
        }));
        // The needed word in another clause, before or after the cue.
        assert!(finds(&phrases, "等了一周谁不急 今天给您加急发出").is_some());
        assert!(finds(&phrases, "抱歉 等了一周谁不急").is_some());
        // Run-on, unpunctuated: one clause holds both.
        assert!(finds(&phrases, "等了一周谁不急小妹马上给您催").is_some());
        // Without it the cue alone counts for nothing.
        assert_eq!(finds(&phrases, "谁不急啊 你慢慢等吧"), None);
        let seq = one(Rule::Seq(SeqRule {
            steps: vec![words(&["谁"]), words(&["不"]), words(&["急", "烦"])],
            max_gap: Some(4),
            requires_reply: words(&["给您"]),
            unless_reply: words(&["慢慢等"]),
            ..Default::default()
        }));
        assert!(finds(&seq, "谁看了不烦 马上给您补发").is_some());
        assert_eq!(finds(&seq, "谁看了不烦"), None);
        // An exception still cancels it when the needed word stands too.
        assert_eq!(finds(&seq, "谁看了不烦 给您说了慢慢等"), None);
    }

    #[test]
    fn a_seq_that_ends_its_clause_may_be_followed_by_an_address_word() {
        let m = one(Rule::Seq(SeqRule {
            steps: vec![words(&["累坏", "等急"]), words(&["了吧"])],
            max_gap: Some(1),
            ends_clause: true,
            ..Default::default()
        }));
        assert!(finds(&m, "累坏了吧").is_some());
        // Only an address word, with particles, after it: still the end of what is said.
        assert!(finds(&m, "累坏了吧宝妈").is_some());
        assert!(finds(&m, "等急了吧 姐妹哈").is_some());
        assert!(finds(&m, "累坏了吧客官 明天就到").is_some());
        // An audience, not one customer: a live-room pitch.
        assert_eq!(finds(&m, "累坏了吧家人们"), None);
        // Anything else after it in the clause: not the end.
        assert_eq!(finds(&m, "累坏了吧妈妈说"), None);
        assert_eq!(finds(&m, "等急了吧这个款式"), None);
        // A bare sequence stays bare: an address word after it does not make it fill the clause.
        let bare = one(Rule::Seq(SeqRule {
            steps: vec![words(&["不"]), words(&["退"])],
            max_gap: Some(1),
            bare: true,
            ..Default::default()
        }));
        assert!(finds(&bare, "不退").is_some());
        assert_eq!(finds(&bare, "不退宝妈"), None);
    }

    #[test]
    fn a_subject_before_the_cue_decides_whose_feeling_it_is() {
        let m = one(Rule::Seq(SeqRule {
            steps: vec![words(&["确实", "真的"]), words(&["心塞", "糟心"])],
            max_gap: Some(1),
            unless_subject: words(&["我", "小妹", "这边"]),
            other_subject: words(&["您", "你", "您这边"]),
            ..Default::default()
        }));
        // No person before it: the experience judged with the customer.
        assert!(finds(&m, "确实心塞 快递三天没动").is_some());
        // The agent as the subject: her own day, not the customer's.
        assert_eq!(finds(&m, "小妹这两天真的心塞 单子太多了"), None);
        assert_eq!(finds(&m, "我今天真的心塞"), None);
        // Run-on, unpunctuated: the nearest subject decides (我知道 … 您 … 心塞).
        assert!(finds(&m, "我知道您这次真的糟心").is_some());
        // A person after an object marker or before 的 is no subject: the agent stays it.
        assert_eq!(finds(&m, "我真给您说确实心塞"), None);
        assert_eq!(finds(&m, "我看您的单子真的糟心"), None);
        // The customer named after the marker-object stands as the subject again.
        assert!(finds(&m, "我跟您说您这边确实糟心").is_some());
        // A verb that takes the customer as its object (送您, 退您, 告诉您) marks it too, and in
        // word-segmented text the marker stands a space away (我 送 您).
        assert_eq!(finds(&m, "我送您一句真的心塞"), None);
        assert_eq!(finds(&m, "我 告诉 您 真的 心塞"), None);
        assert!(finds(&m, "我 知道 您 真的 心塞").is_some());
        // The longer person word wins a tie at its end (您这边 over 这边).
        assert!(finds(&m, "您这边确实糟心").is_some());
        // In another clause the agent is no subject of this one; nor, in run-on text, far
        // before the cue, where it is the subject of another verb.
        assert!(finds(&m, "小妹看到了 确实糟心").is_some());
        assert!(finds(&m, "我看了下您那台冰箱的物流信息卡在分拨中心四天了确实糟心").is_some());
    }

    #[test]
    fn nin_kan_asking_a_view_is_no_subject() {
        let m = one(Rule::Phrases(PhraseRule {
            any: words(&["退款", "补发"]),
            unless_subject: words(&["您", "你"]),
            other_subject: words(&["我们", "小妹"]),
            ..Default::default()
        }));
        // The customer told to do it: 您 is the subject of the remedy word.
        assert_eq!(finds(&m, "您直接申请退款就行"), None);
        assert_eq!(finds(&m, "亲 您在订单里申请退款哈"), None);
        // 您看 asks the customer's view of the shop's offer, in run-on text too.
        assert!(finds(&m, "您看是补发还是退款").is_some());
        assert!(finds(&m, "亲亲你看要不要给你补发 小妹马上安排").is_some());
        // 您看下 / 您看一下 is still the customer looking, then acting.
        assert_eq!(finds(&m, "您看下订单里申请退款"), None);
        assert_eq!(finds(&m, "您看一下订单里点退款"), None);
    }

    #[test]
    fn an_exception_in_a_later_clause_cancels_a_cue() {
        let phrases = one(Rule::Phrases(PhraseRule {
            any: words(&["感谢支持"]),
            unless_later: words(&["多高", "发我"]),
            ..Default::default()
        }));
        assert!(finds(&phrases, "感谢支持 祝您生活愉快").is_some());
        // The reply goes on to ask: the thanks open a question, they do not close.
        assert_eq!(finds(&phrases, "感谢支持哈 宝宝多高我帮您对下码"), None);
        // The exception before the cue, or in its own clause, is not later.
        assert!(finds(&phrases, "宝宝多高 好的 感谢支持").is_some());
        assert!(finds(&phrases, "感谢支持发我").is_some());
        let seq = one(Rule::Seq(SeqRule {
            steps: vec![words(&["随时"]), words(&["找我"])],
            unless_later: words(&["先把"]),
            ..Default::default()
        }));
        assert!(finds(&seq, "有问题随时找我哈").is_some());
        assert_eq!(finds(&seq, "有问题随时找我 先把单号发我下"), None);
    }

    #[test]
    fn a_seq_that_ends_its_clause_takes_only_filler_after_it() {
        let seq = |ends_clause| {
            one(Rule::Seq(SeqRule {
                steps: vec![words(&["我们", "这边"]), words(&["没办法", "查不到"])],
                max_gap: Some(5),
                ends_clause,
                ..Default::default()
            }))
        };
        let (m, open) = (seq(true), seq(false));
        // Anything may stand before the sequence, and fillers and particles after it.
        assert!(finds(&m, "收货点我们真的查不到").is_some());
        assert!(finds(&m, "物流那块我们这边也是没办法的呢 亲").is_some());
        assert!(finds(&m, "这 个 我们 也 没办法 哦").is_some());
        // An object after the last cue names what cannot be done: the clause goes on.
        assert_eq!(finds(&m, "我们没办法改价哦"), None);
        assert_eq!(finds(&m, "这边查不到您的订单呢"), None);
        // Without the flag the same sequence matches there.
        assert!(finds(&open, "我们没办法改价哦").is_some());
    }

    #[test]
    fn a_seq_at_end_counts_only_in_the_last_clause() {
        let seq = |at_end| {
            one(Rule::Seq(SeqRule {
                steps: vec![
                    words(&["也是", "都是"]),
                    words(&["按"]),
                    words(&["规定", "流程"]),
                ],
                max_gap: Some(4),
                at_end,
                ..Default::default()
            }))
        };
        let (m, open) = (seq(true), seq(false));
        // What the customer is left with: the last clause, an address word alone after it.
        assert!(finds(&m, "这个我们也是按规定来的").is_some());
        assert!(finds(&m, "我们都是按流程处理的哦 亲").is_some());
        assert!(finds(&m, "运费这块 我们也是按规定处理的").is_some());
        // Run-on and unpunctuated, still the last clause.
        assert!(finds(&m, "没办法我们也是按规定来").is_some());
        // A rule that goes on to what happens next is no wall.
        assert_eq!(finds(&m, "发货都是按流程走的 您这单排在明天上午发"), None);
        assert!(finds(&open, "发货都是按流程走的 您这单排在明天上午发").is_some());
    }

    #[test]
    fn a_possessive_before_a_classifier_is_no_subject() {
        let m = one(Rule::Phrases(PhraseRule {
            any: words(&["查到了", "催过了"]),
            unless_subject: words(&["您", "你"]),
            other_subject: words(&["小妹", "我"]),
            ..Default::default()
        }));
        // 您那个件 / 你那单: the customer's parcel is the topic, the shop did the finding.
        assert!(finds(&m, "小哥回话了 您那个件查到了 在中转站").is_some());
        assert!(finds(&m, "宝你那单催过了明早派送").is_some());
        assert!(finds(&m, "您 这 单 催过了").is_some());
        // The customer as the subject still cancels it (您那边 is no classifier).
        assert_eq!(finds(&m, "您明天就能查到了"), None);
        assert_eq!(finds(&m, "您那边查到了吗"), None);
    }

    #[test]
    fn a_seq_that_leads_its_clause_takes_only_filler_before_it() {
        let m = one(Rule::Seq(SeqRule {
            steps: vec![words(&["不", "不能"]), words(&["退", "改", "包邮"])],
            max_gap: Some(1),
            leads_clause: true,
            ..Default::default()
        }));
        // The refusal opens its clause, after address words, particles or a topic filler.
        assert!(finds(&m, "人为损坏 不退").is_some());
        assert!(finds(&m, "亲 这个不能改").is_some());
        // Qualified in its own clause by what stands before it.
        assert_eq!(finds(&m, "偏远地区不包邮"), None);
        assert_eq!(finds(&m, "天猫不能改价的"), None);
    }

    #[test]
    fn a_seq_may_run_on_into_the_next_clause() {
        let seq = |next_clause| {
            one(Rule::Seq(SeqRule {
                steps: vec![words(&["签收了"]), words(&["现在说", "才说"])],
                max_gap: Some(3),
                next_clause,
                ..Default::default()
            }))
        };
        let (on, off) = (seq(true), seq(false));
        // Run-on chat splits the thought with a space or a comma.
        assert!(finds(&on, "你都签收了 现在说有破损？").is_some());
        assert!(finds(&on, "签收了，才说少了").is_some());
        assert_eq!(finds(&off, "你都签收了 现在说有破损？"), None);
        // Not two clauses on, and not past the gap.
        assert_eq!(finds(&on, "签收了 好的 现在说吧"), None);
        assert_eq!(finds(&on, "签收了 那个快递员后来现在说"), None);
    }

    #[test]
    fn a_seq_that_runs_on_must_end_the_clause_it_ran_into() {
        let m = one(Rule::Seq(SeqRule {
            steps: vec![words(&["在"]), words(&["说", "啥事"])],
            max_gap: Some(1),
            leads_clause: true,
            next_clause: true,
            ends_clause: true,
            ..Default::default()
        }));
        // The second cue ends the clause after the first's.
        assert!(finds(&m, "在 说").is_some());
        assert!(finds(&m, "在，啥事").is_some());
        // Not where more follows it there, nor where the first cue does not open its clause.
        assert_eq!(finds(&m, "在 说明书第三页"), None);
        assert_eq!(finds(&m, "现在 说吧好吗"), None);
    }

    #[test]
    fn an_exception_cancels_a_seq_where_it_runs_on_into_the_next_clause() {
        let m = one(Rule::Seq(SeqRule {
            steps: vec![words(&["早跟您说"]), words(&["不信"])],
            max_gap: Some(8),
            next_clause: true,
            unless: words(&["不信您看"]),
            ..Default::default()
        }));
        assert!(finds(&m, "早跟您说了 您不信").is_some());
        // The exception stands in the clause the sequence ran on into, overlapping its last cue.
        assert_eq!(finds(&m, "早跟您说了不用担心嘛 不信您看物流"), None);
        // One that does not overlap the sequence cancels nothing.
        assert!(finds(&m, "早跟您说了 您不信 不信您看物流").is_some());
    }

    #[test]
    fn a_clause_ending_de_bu_or_le_bu_asks() {
        let m = one(Rule::Phrases(PhraseRule {
            any: words(&["帮忙"]),
            question: true,
            ..Default::default()
        }));
        // Colloquial A-not-A with the 不 left at the end.
        assert!(finds(&m, "还有要帮忙的不").is_some());
        assert!(finds(&m, "要我帮忙查一下了不").is_some());
        // 不 after any other word asks nothing here.
        assert_eq!(finds(&m, "这个帮忙不"), None);
        assert_eq!(finds(&m, "小妹来帮忙"), None);
    }

    #[test]
    fn violations_are_not_heard_in_quoted_words() {
        let rule = Rule::Phrases(PhraseRule {
            any: words(&["保证"]),
            ..Default::default()
        });
        let mut rules: [Option<&Rule>; CheckId::COUNT] = [None; CheckId::COUNT];
        rules[CheckId::OverPromise.index()] = Some(&rule);
        rules[CheckId::Remedy.index()] = Some(&rule);
        let m = Matcher::compile(&rules).expect("compiles");
        let promise = |r: &str| {
            m.detect(r, None, &mut Scratch::default())
                .has(CheckId::OverPromise)
        };
        assert!(promise("保证三天到"));
        // The customer's words, quoted back: mentioned, not promised.
        assert!(!promise("您说的“保证三天到”，页面写的是预计三天"));
        assert!(!promise("「保证三天到」这个我们没法承诺"));
        // Inner punctuation stays inside the quote; a quote never closed quotes nothing.
        assert!(!promise("您说的“不掉色，保证不缩水”我们没法承诺"));
        assert!(promise("这款“爆款 保证三天到"));
        // A quoted word for emphasis is said (no reporting word before it), and marks merged
        // with the punctuation beside them are still read as typed.
        assert!(promise("我们家都是“保证”正品"));
        assert!(!promise("亲，您刚才说的，“保证三天到”，我们没法这么承诺"));
        assert!(promise("亲，“包邮”的哦，保证明天到，“顺丰”发"));
        assert!(promise("您说的“预计”没错，保证三天到"));
        // Only violations: a quoted cue of another check still counts.
        assert!(
            m.detect("您说的“保证三天到”", None, &mut Scratch::default())
                .has(CheckId::Remedy)
        );
    }

    #[test]
    fn an_agreement_tag_does_not_ask_the_clauses_before_it() {
        let m = one(Rule::Phrases(PhraseRule {
            any: words(&["下周"]),
            not_question: true,
            ..Default::default()
        }));
        assert!(finds(&m, "下周补货，到了我通知您好吗？").is_some());
        assert!(finds(&m, "下周上门，我给您约上可以吗亲？").is_some());
        // The tag in the clause itself: it tells, and asks only for agreement.
        assert!(finds(&m, "下周给您回复可以吗？").is_some());
        // A real question still asks the whole sentence; a tag with no agent acting asks or
        // scolds (效果好不好？ 不是说了下周好吗？).
        assert_eq!(finds(&m, "下周在家，方便收货吗？"), None);
        assert_eq!(finds(&m, "下周用着效果好不好？"), None);
        assert_eq!(finds(&m, "不是说了下周好吗？"), None);
    }

    #[test]
    fn echo_cues_stand_between_a_word_and_its_echo() {
        let m = one(Rule::Phrases(PhraseRule {
            any: words(&["就是"]),
            echo: true,
            ..Default::default()
        }));
        assert!(finds(&m, "没货就是没货，问几次都一样").is_some());
        assert!(finds(&m, "不送赠品就是不送").is_some());
        assert!(finds(&m, "亲 规定就是规定").is_some());
        // 就是 without an echo, or with more said after the echoed word.
        assert_eq!(finds(&m, "这款就是我们家卖得最好的"), None);
        assert_eq!(finds(&m, "今天下单就是今天发货哦"), None);
        assert_eq!(finds(&m, "就是"), None);
    }

    #[test]
    fn seq_needs_order_gap_one_clause_and_no_exception() {
        let m = seq();
        // Wrong order.
        assert_eq!(finds(&m, "申请了帮您"), None);
        // A gap too wide.
        assert_eq!(finds(&m, "帮您看看这个订单能不能申请了"), None);
        // Split across clauses.
        assert_eq!(finds(&m, "帮您 申请了"), None);
        // Exceptions: telling the customer to do it, a negation before.
        assert_eq!(finds(&m, "您可以在订单页帮您申请了"), None);
        assert_eq!(finds(&m, "还没帮您申请了"), None);
    }

    fn fuzzy() -> Matcher {
        one(Rule::Phrases(PhraseRule {
            any: words(&["还有什么可以帮您的吗", "已经帮您申请"]),
            fuzzy: true,
            ..Default::default()
        }))
    }

    #[test]
    fn fuzzy_cues_tolerate_one_edit() {
        let m = fuzzy();
        // Exact, one char inserted, one mistyped, one dropped.
        assert!(finds(&m, "还有什么可以帮您的吗").is_some());
        assert!(finds(&m, "还有什么还可以帮您的吗").is_some());
        assert!(finds(&m, "亲已经邦您申请了").is_some());
        assert!(finds(&m, "亲已经给帮您申请了").is_some());
        assert!(finds(&m, "还有什么可帮您的吗").is_some());
        // Evidence is one span, not the exact cue and its fuzzy twin.
        assert_eq!(finds(&m, "还有什么可以帮您的吗").map(|v| v.len()), Some(1));
    }

    #[test]
    fn fuzzy_cues_reject_two_edits_and_clause_breaks() {
        let m = fuzzy();
        assert_eq!(finds(&m, "还有什么不能帮你的吧"), None);
        assert_eq!(finds(&m, "还有什么, 可以帮您的吗"), None);
        assert_eq!(finds(&m, "已经给他申请"), None);
        // The first and last chars stand as written: the opening 有什么可以帮您的吗 is not
        // the wrap-up without its 还.
        assert_eq!(finds(&m, "请问有什么可以帮您的吗"), None);
        assert_eq!(finds(&m, "巳经帮您申请"), None);
        // Short cues never go fuzzy.
        let short = one(Rule::Phrases(PhraseRule {
            any: words(&["退款"]),
            fuzzy: true,
            ..Default::default()
        }));
        assert_eq!(finds(&short, "退货"), None);
    }

    #[test]
    fn bare_clause_cues_fill_their_clause() {
        let m = one(Rule::Phrases(PhraseRule {
            bare_clause: words(&["不清楚", "没办法"]),
            unless_reply: words(&["帮您", "抱歉"]),
            ..Default::default()
        }));
        assert!(finds(&m, "不清楚 你问问快递").is_some());
        assert!(finds(&m, "亲 这个我们也不清楚哦").is_some());
        assert!(finds(&m, "没办法 你自己跟快递说").is_some());
        // Part of a longer clause, or with an offer or apology in the reply: not bare.
        assert_eq!(finds(&m, "具体型号我不清楚要看订单"), None);
        assert_eq!(finds(&m, "不清楚 我帮您问问仓库"), None);
        assert_eq!(finds(&m, "抱歉 没办法"), None);
    }

    #[test]
    fn at_end_cues_count_only_in_the_last_clause() {
        let m = one(Rule::Phrases(PhraseRule {
            any: words(&["感谢您的耐心"]),
            at_end: true,
            ..Default::default()
        }));
        assert!(finds(&m, "已经给您登记了 到货通知您 感谢您的耐心等待[抱拳]").is_some());
        assert_eq!(finds(&m, "感谢您的耐心等待 退款已经提交了"), None);
        // Only address words after it (a particle splits 亲 off): the cue still ends the reply.
        assert!(finds(&m, "感谢您的耐心哦亲").is_some());
        assert!(finds(&m, "感谢您的耐心哈 宝子").is_some());
        assert_eq!(finds(&m, "感谢您的耐心哦 宝子几岁了"), None);
        // Then the cue must end its own clause too (not 晚安配方 亲), and 宝宝呢 asks.
        assert_eq!(finds(&m, "感谢您的耐心等待 亲"), None);
        assert_eq!(finds(&m, "感谢您的耐心 宝宝呢"), None);
        assert!(finds(&m, "感谢您的耐心 宝贝").is_some());
    }

    #[test]
    fn evidence_has_no_duplicates_or_overlaps() {
        let m = one(Rule::Phrases(PhraseRule {
            any: words(&["您", "您好"]),
            ..Default::default()
        }));
        assert_eq!(
            finds(&m, "您好 您 您 您"),
            Some(vec!["您好".to_string(), "您".to_string()])
        );
    }

    #[test]
    fn edits_up_to_one_agrees_with_strsim() {
        // Every pair of strings of up to 5 chars over a 3-letter alphabet.
        fn all(n: usize) -> Vec<Vec<char>> {
            let mut out = vec![Vec::new()];
            let mut last = vec![Vec::new()];
            for _ in 0..n {
                let mut next = Vec::new();
                for w in &last {
                    for c in ['a', 'b', 'c'] {
                        let mut w: Vec<char> = w.clone();
                        w.push(c);
                        next.push(w);
                    }
                }
                out.extend(next.iter().cloned());
                last = next;
            }
            out
        }
        let words = all(5);
        for a in &words {
            for b in &words {
                let d = strsim::generic_damerau_levenshtein(a, b);
                let want = (d <= 1).then_some(d);
                assert_eq!(edits_up_to_one(a, b), want, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn interrogatives_that_do_not_ask() {
        let q = |s: &str| has_interrogative(&s.chars().collect::<Vec<_>>());
        // Asking.
        for s in [
            "宝宝平时穿几码",
            "您说的是哪一件",
            "想要什么颜色",
            "怎么不亮了",
            "预算多少",
            "您自己用还是送人",
            "方便发个照片",
            "几个人吃",
            "脚背高不高",
            "收没收到",
        ] {
            assert!(q(s), "{s}");
        }
        // Indefinites, degree words and 还是 meaning "still".
        for s in [
            "洗几十次都不变形",
            "耐磨好几倍",
            "几乎不掉色",
            "没什么区别",
            "什么颜色都百搭",
            "不怎么起球",
            "怎么洗也不变形",
            "或多或少会有色差",
            "洗多少次都不会起球",
            "戴多久都不会发黑",
            "放多少天也不坏",
            "多少有点味道",
            "哪怕下雨也能穿",
            "页面显示多少到手就是多少",
            "您爱怎么评价就怎么评价",
            "看是换机还是怎么处理",
            "没货 不知道什么时候有",
            "不得不说",
            "我还是建议您选大一码",
            "这款还是挺耐用的",
            "收纳很方便",
            "方便的话发个照片",
        ] {
            assert!(!q(s), "{s}");
        }
    }

    #[test]
    fn a_bare_confirming_tag_asks_the_clause_before_it() {
        let tag = |s: &str| is_tag(&s.chars().collect::<Vec<_>>());
        for s in ["对吗", "是吧", "对不对", "没错吧", "那对吗", "对吧亲"] {
            assert!(tag(s), "{s}");
        }
        for s in ["可以吗", "好吗", "对", "是的", "对吗对吗", "您看对吗"] {
            assert!(!tag(s), "{s}");
        }
        let m = Matcher::compile(&[None; CheckId::COUNT]).expect("compiles");
        let mut s = Scratch::default();
        m.detect("您想把M码换成L码 对吗", None, &mut s);
        assert_eq!(s.question, vec![true, true]);
        m.detect("您想把M码换成L码吧 我给您换", None, &mut s);
        assert_eq!(s.question, vec![false, false]);
        // A trailing address word does not stop the clause before it ending the reply, and 吗
        // ends a clause in run-on text.
        m.detect("红色还是黑色 宝宝", None, &mut s);
        assert_eq!(s.question, vec![true, false]);
        m.detect("皮肤敏感吗宝宝", None, &mut s);
        assert_eq!(s.question, vec![true, false]);
        m.detect("主要担心啥呀 跟我说说", None, &mut s);
        assert_eq!(s.question, vec![true, false]);
    }

    #[test]
    fn an_address_word_read_as_you_counts_only_inside_longer_cues() {
        let m = one(Rule::Phrases(PhraseRule {
            any: words(&["您", "给您补发"]),
            ..Default::default()
        }));
        assert_eq!(
            finds(&m, "给亲补发一个"),
            Some(vec!["给亲补发".to_string()])
        );
        assert_eq!(finds(&m, "让亲久等了"), None);
        assert_eq!(finds(&m, "让您久等了"), Some(vec!["您".to_string()]));
    }

    /// A matcher with one choice rule, on the two_choices slot.
    fn choice(rule: ChoiceRule) -> Matcher {
        let rule = Rule::Choice(rule);
        let mut rules: [Option<&Rule>; CheckId::COUNT] = [None; CheckId::COUNT];
        rules[CheckId::TwoChoices.index()] = Some(&rule);
        Matcher::compile(&rules).expect("compiles")
    }

    /// Whether the matcher finds two options offered in the reply.
    fn offers_choice(m: &Matcher, reply: &str) -> bool {
        m.detect(reply, None, &mut Scratch::default())
            .has(CheckId::TwoChoices)
    }

    #[test]
    fn haishi_between_options_asks_by_itself() {
        let m = choice(ChoiceRule {
            joiners: words(&["还是"]),
            ..Default::default()
        });
        let asks = |r: &str| offers_choice(&m, r);
        for r in [
            "给小朋友吃还是大人吃哈",
            "红色还是黑色 宝宝",
            "是漏液了还是压扁了",
            "您是要1米8的还是2米的呀",
            "是给您补发还是退款呢",
        ] {
            assert!(asks(r), "{r}");
        }
        for r in [
            "您最后还是拍了L码",
            "洗多了也还是软软的",
            "很难判断是运输还是发货前就坏的",
            "我们还是建议您选大一码",
            // Round 53 reviews: an open second option asks what happened, 是-framed or not.
            "是掉色还是别的原因呀",
            "是质量问题还是其他原因呢",
            "是卡住了还是出啥问题了呀",
            "您看是破了还是怎么回事呢",
        ] {
            assert!(!asks(r), "{r}");
        }
    }

    /// 或者 joining options, 或者您 not a choice by itself, pickers, and 是哪个 marking a picker that
    /// asks what or where rather than for a pick (麻烦拍下是哪个位置).
    fn or_then_picker() -> Matcher {
        choice(ChoiceRule {
            joiners: words(&["或者"]),
            not_choice: words(&["或者您"]),
            pickers: words(&["选哪个", "哪个"]),
            not_lists: words(&["是哪个"]),
            ..Default::default()
        })
    }

    #[test]
    fn or_do_you_want_is_asked_by_the_picker_after_it() {
        // 或者您 is no choice by itself (或者您联系快递); with an offer before it and a picker
        // in the next clause, "or do you want" asks (round 51, found playing after-size-advice-wrong).
        let m = or_then_picker();
        let asks = |r: &str| offers_choice(&m, r);
        assert!(asks("可以先给您发新码 或者您想直接退款也行 您看选哪个"));
        assert!(asks(
            "可以先给您发新的 收到再寄回旧的 或者您想直接退款也行 您看选哪个"
        ));
        assert!(!asks("可以先给您发新码 或者您想直接退款也行"));
        assert!(!asks("这款已经是最低价了 或者您想再考虑一下 您看选哪个"));
        assert!(!asks("可以先给您发新码 或者您联系快递问问"));
        // Review: not after something already done.
        assert!(!asks("已经给您申请退款了 或者您想了解别的款 您看选哪个"));
        // Review B: nor a picker asking where (麻烦拍下是哪个位置).
        assert!(!asks(
            "可以给您换新 或者您想退款也行 麻烦拍下是哪个位置开胶了"
        ));
    }

    #[test]
    fn a_picker_asking_where_or_what_is_no_choice() {
        // Round 57: a not-list word around the picker (是哪个, 在哪个) with what it asks about
        // named after it asks where or what, not for a pick; left bare at the end it picks.
        let m = choice(ChoiceRule {
            joiners: words(&["还是"]),
            pickers: words(&["哪个"]),
            sets: words(&["和"]),
            not_lists: words(&["是哪个", "在哪个"]),
            ..Default::default()
        });
        let asks = |r: &str| offers_choice(&m, r);
        assert!(!asks(
            "麻烦把激活码和报错的页面截个图发我 您是在哪个APP里输的呀"
        ));
        assert!(!asks("北方和南方不一样 您是哪个地区呀"));
        assert!(asks("pro和普通款不通用 你是哪个呀"));
        // Review: what she wants, asked before it, asks for a pick.
        assert!(asks("精装和平装都有现货 您要的是哪个版本呀"));
        assert!(asks("京东和天猫我们都有店 您想在哪个平台下单呢"));
        assert!(asks("红色和蓝色都有货 您要哪个呢"));
    }

    #[test]
    fn qin_typed_onto_the_shops_own_keyi_still_offers() {
        // 亲可以 A 或者 B is "either will do" when the customer is allowed (亲可以自己申请换货或者
        // 退款); with 给您 / 帮您 after it the shop offers and the customer picks (round 52).
        let m = or_then_picker();
        let asks = |r: &str| offers_choice(&m, r);
        assert!(asks("亲可以给您换货或者退款 您看选哪个"));
        assert!(asks("亲可以帮您补发或者退款呢"));
        assert!(asks("亲可以给您换货 或者您想退款 您看选哪个"));
        assert!(!asks("亲可以自己申请换货或者退款呢"));
        // Review A: 给您 as "for your".
        assert!(!asks("亲可以给您爸妈用或者自己用呢"));
        assert!(!asks("您可以给我们发照片或者视频呢"));
    }

    #[test]
    fn a_not_a_is_a_choice_whatever_the_verb() {
        // Even with 还是不 among the not-a-choice uses (还是不行 means "still no").
        let m = choice(ChoiceRule {
            joiners: words(&["还是"]),
            not_choice: words(&["还是不"]),
            ..Default::default()
        });
        let found = |r: &str| {
            let d = m.detect(r, None, &mut Scratch::default());
            d.has(CheckId::TwoChoices).then(|| {
                d.evidence(CheckId::TwoChoices)
                    .iter()
                    .map(|s| s.text.clone())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            found("这单你退还是不退 给个准话"),
            Some(vec!["退还是不退".to_string()])
        );
        // Two-char verbs and run-on text.
        assert_eq!(
            found("亲赠品您需要还是不需要呀"),
            Some(vec!["需要还是不需要".to_string()])
        );
        // 是 opening the first option: 还是不 starts the second one (round 31).
        assert!(found("请问是尺码不合适还是不喜欢这个颜色呀？").is_some());
        assert!(found("您是要印字还是不印呢？").is_some());
        for r in [
            // "still not", a different verb after 不, whichever, or under 不管; 是不是 is no
            // opening 是.
            "是不是还是不行？",
            "这个还是不行",
            "退还是不换",
            "您拍还是不拍都行",
            "不管退还是不退 运费险都在",
        ] {
            assert_eq!(found(r), None, "{r}");
        }
    }

    #[test]
    fn numbers() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(first_number(&c("给您便宜10块")), Some(10.0));
        assert_eq!(first_number(&c("算您89.5吧")), Some(89.5));
        assert_eq!(first_number(&c("便宜五块")), Some(5.0));
        assert_eq!(first_number(&c("便宜二十元")), Some(20.0));
        assert_eq!(first_number(&c("便宜十五块")), Some(15.0));
        assert_eq!(discount_rate(&c("给您打九折")), Some(0.9));
        assert_eq!(discount_rate(&c("8.5折")), Some(0.85));
    }

    #[test]
    fn numbered_options_are_list_marks_not_figures() {
        let n = |t: &str| numbered(&t.chars().collect::<Vec<_>>());
        assert!(n("给您两个办法 1.退货退款 2.补发新的"));
        assert!(n("①换个大号 ②退差价"));
        assert!(n("a.补发 b.退款"));
        assert!(n("您选一下 1 今晚八点 2 明天下午"));
        assert!(n("亲 一是补发 二是直接退款"));
        // Figures, units and decimals are no list marks.
        assert!(!n("这款是1.5丝的 2.0丝的更厚"));
        assert!(!n("宝 1 米 2 的床"));
        assert!(!n("满12件打九折"));
        // A 2 before a 1 is no list.
        assert!(!n("2.退款 1.补发"));
    }
}
