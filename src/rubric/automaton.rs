//! A char-level Aho–Corasick automaton for the rubric's phrases.
//!
//! Every char that stands in some phrase gets a small dense class id (one table for the Basic
//! Multilingual Plane, a short sorted list above it); every other char is class 0, which always
//! leads back to the start state. The start state has a dense row (class → next state). Of every
//! other state only transitions that differ from the start state's are kept, in one
//! open-addressed hash table keyed by (state, class): its trie children, plus those of the states
//! along its failure chain as long as they are few. Where the chain reaches a state with many
//! (您, 的 …), copying them into every state that fails to it multiplies the table (half a
//! million entries, 16 MB, with round 32's rubric); instead the state keeps a *defer* link to it,
//! and a step that finds no entry follows that link. So a step costs a probe or two, and now and
//! then one more per link. The limit trades memory for speed: at 16 the heap halves but the
//! dependent probes cost a few per cent of wall time on the bench; at 64 the heap is a quarter
//! smaller at about the full table's speed (README, Speed).
//!
//! It reports what an overlapping search of a standard Aho–Corasick automaton reports: every
//! occurrence of every phrase, in order of its end and, among phrases ending at the same char,
//! longest first.

/// The start state.
pub const START: u32 = 0;
/// Set on a state id when the state ends at least one phrase.
pub const MATCH: u32 = 1 << 31;

#[derive(Debug)]
pub struct CharAutomaton {
    /// The class of every BMP char (0: in no phrase).
    bmp: Box<[u16; 0x10000]>,
    /// Chars above the BMP that stand in phrases, sorted, with their classes.
    astral: Vec<(char, u16)>,
    /// The start state's transitions, per class (with `MATCH` where the state ends a phrase).
    start_row: Vec<u32>,
    /// The other states' transitions that differ from the start state's: (key, next) with key
    /// `state << class_bits | class` (never 0, as the start state has no entry; 0 is empty).
    table: Vec<(u32, u32)>,
    /// Per state: where a step that finds no entry of the state goes on looking (`START`: the
    /// start state's row).
    defer: Vec<u32>,
    /// `table.len() - 1` (a power of two, at most half full) and the shift of the hash.
    mask: u32,
    shift: u32,
    class_bits: u32,
    states: usize,
    /// The phrases state `s` ends are `matches[match_lo[s]..match_lo[s + 1]]`, longest first.
    match_lo: Vec<u32>,
    matches: Vec<u32>,
}

impl CharAutomaton {
    /// Build the automaton of `phrases` (phrase ids are their indexes; an empty phrase is never
    /// reported). Fails beyond 65 535 distinct chars or 2³¹ states.
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> Result<CharAutomaton, String> {
        Self::with_copy_limit(phrases, COPY_LIMIT)
    }

    /// As `new`, copying a failure state's transitions into a state only while they are at most
    /// `limit` (0: every state defers to its failure state; `usize::MAX`: a full DFA).
    fn with_copy_limit<S: AsRef<str>>(
        phrases: &[S],
        limit: usize,
    ) -> Result<CharAutomaton, String> {
        // Classes, in order of first appearance.
        let mut bmp = Box::new([0u16; 0x10000]);
        let mut astral: Vec<(char, u16)> = Vec::new();
        let mut classes = 1usize;
        let mut class_seqs: Vec<Vec<u16>> = Vec::with_capacity(phrases.len());
        for p in phrases {
            let mut seq = Vec::new();
            for c in p.as_ref().chars() {
                let cls = if (c as u32) < 0x10000 {
                    let slot = &mut bmp[c as usize];
                    if *slot == 0 {
                        *slot = u16::try_from(classes).map_err(|_| too_many_chars())?;
                        classes += 1;
                    }
                    *slot
                } else if let Some(&(_, k)) = astral.iter().find(|(x, _)| *x == c) {
                    k
                } else {
                    let k = u16::try_from(classes).map_err(|_| too_many_chars())?;
                    classes += 1;
                    astral.push((c, k));
                    k
                };
                seq.push(cls);
            }
            class_seqs.push(seq);
        }
        astral.sort_unstable();
        // The trie: children sorted by class once built.
        let mut children: Vec<Vec<(u16, u32)>> = vec![Vec::new()];
        let mut own: Vec<Option<u32>> = vec![None];
        for (pid, seq) in class_seqs.iter().enumerate() {
            if seq.is_empty() {
                continue;
            }
            let mut s = 0usize;
            for &cls in seq {
                s = match children[s].iter().find(|(k, _)| *k == cls) {
                    Some(&(_, t)) => t as usize,
                    None => {
                        let t = children.len();
                        if t >= MATCH as usize {
                            return Err("the rubric's phrases make too many states".into());
                        }
                        children[s].push((cls, t as u32));
                        children.push(Vec::new());
                        own.push(None);
                        t
                    }
                };
            }
            // Phrases are distinct; a repeated one keeps its first id.
            own[s].get_or_insert(pid as u32);
        }
        for ch in &mut children {
            ch.sort_unstable();
        }
        let n = children.len();
        // Breadth-first: failure links, full sparse rows (the transitions that differ from the
        // start state's) and match lists.
        let mut start_full = vec![0u32; classes];
        for &(cls, t) in &children[0] {
            start_full[cls as usize] = t;
        }
        let mut fail = vec![0u32; n];
        let mut defer = vec![START; n];
        let mut rows: Vec<Vec<(u16, u32)>> = vec![Vec::new(); n];
        let mut outs: Vec<Vec<u32>> = vec![Vec::new(); n];
        // The start state's children fail to it (`fail` is 0); each other state's child on
        // class c fails to δ(fail(state), c).
        let mut queue: std::collections::VecDeque<usize> =
            children[0].iter().map(|&(_, t)| t as usize).collect();
        // δ(s, c) for a state whose row is built (or the start state).
        let delta = |rows: &[Vec<(u16, u32)>], defer: &[u32], s: usize, cls: u16| -> u32 {
            let mut s = s;
            while s != 0 {
                if let Ok(k) = rows[s].binary_search_by_key(&cls, |e| e.0) {
                    return rows[s][k].1;
                }
                s = defer[s] as usize;
            }
            start_full[cls as usize]
        };
        while let Some(s) = queue.pop_front() {
            let f = fail[s] as usize;
            // The row: the failure state's row (if it is short; else a defer link to the
            // failure state), overridden by the state's own children (a child is deeper than
            // any target of the start state, so it always differs).
            let mut row = if f == 0 || rows[f].len() <= limit {
                defer[s] = defer[f];
                rows[f].clone()
            } else {
                defer[s] = f as u32;
                Vec::new()
            };
            for &(cls, t) in &children[s] {
                match row.binary_search_by_key(&cls, |e| e.0) {
                    Ok(k) => row[k].1 = t,
                    Err(k) => row.insert(k, (cls, t)),
                }
            }
            let mut out: Vec<u32> = own[s].into_iter().collect();
            out.extend_from_slice(&outs[f]);
            outs[s] = out;
            for &(cls, t) in &children[s] {
                // (The start state is never queued: its children fail to it, as set above.)
                fail[t as usize] = delta(&rows, &defer, f, cls);
                queue.push_back(t as usize);
            }
            rows[s] = row;
        }
        let flag = |t: u32| {
            if outs[t as usize].is_empty() {
                t
            } else {
                t | MATCH
            }
        };
        let start_row: Vec<u32> = start_full.iter().map(|&t| flag(t)).collect();
        let class_bits = usize::BITS - classes.leading_zeros();
        if (n as u64) << class_bits > u32::MAX as u64 {
            return Err("the rubric's phrases make too many states".into());
        }
        let entries: usize = rows.iter().map(|r| r.len()).sum();
        let size = (2 * entries + 2).next_power_of_two();
        let mut table = vec![(0u32, 0u32); size];
        let mask = (size - 1) as u32;
        let shift = 32 - size.trailing_zeros();
        let mut match_lo = Vec::with_capacity(n + 1);
        let mut matches = Vec::new();
        match_lo.push(0);
        for s in 0..n {
            if s != 0 {
                for &(cls, t) in &rows[s] {
                    let key = ((s as u32) << class_bits) | cls as u32;
                    let mut k = hash(key, shift, mask);
                    while table[k].0 != 0 {
                        k = (k + 1) & mask as usize;
                    }
                    table[k] = (key, flag(t));
                }
            }
            matches.extend_from_slice(&outs[s]);
            match_lo.push(matches.len() as u32);
        }
        Ok(CharAutomaton {
            bmp,
            astral,
            start_row,
            table,
            defer,
            mask,
            shift,
            class_bits,
            states: n,
            match_lo,
            matches,
        })
    }

    /// The class of `c` (0: it stands in no phrase).
    #[inline]
    pub fn class(&self, c: char) -> u16 {
        let c32 = c as u32;
        if c32 < 0x10000 {
            self.bmp[c32 as u16 as usize]
        } else if self.astral.is_empty() {
            0
        } else {
            self.astral
                .binary_search_by_key(&c, |e| e.0)
                .map_or(0, |k| self.astral[k].1)
        }
    }

    /// The state after `sid` reads `c` (`MATCH` set where it ends a phrase). Always inlined:
    /// with the defer loop the compiler would otherwise call it once per char of every reply.
    #[inline(always)]
    pub fn next(&self, sid: u32, c: char) -> u32 {
        let cls = self.class(c);
        if cls == 0 {
            return START;
        }
        let mut s = sid & !MATCH;
        while s != START {
            let key = (s << self.class_bits) | cls as u32;
            let mut k = hash(key, self.shift, self.mask);
            loop {
                let (x, next) = self.table[k];
                if x == key {
                    return next;
                }
                if x == 0 {
                    break;
                }
                k = (k + 1) & self.mask as usize;
            }
            s = self.defer[s as usize];
        }
        self.start_row[cls as usize]
    }

    /// The phrases state `sid` ends (its `MATCH` bit may be set), longest first.
    #[inline]
    pub fn matches(&self, sid: u32) -> &[u32] {
        let s = (sid & !MATCH) as usize;
        &self.matches[self.match_lo[s] as usize..self.match_lo[s + 1] as usize]
    }

    /// How many states the automaton has.
    pub fn states(&self) -> usize {
        self.states
    }

    /// Bytes of its tables (for the README's figures).
    pub fn table_bytes(&self) -> usize {
        std::mem::size_of::<[u16; 0x10000]>()
            + self.astral.len() * 8
            + self.start_row.len() * 4
            + self.table.len() * 8
            + self.defer.len() * 4
            + self.match_lo.len() * 4
            + self.matches.len() * 4
    }

    /// Every occurrence of every phrase in `text`: (phrase id, end char offset), by end and
    /// then longest first.
    pub fn find_overlapping(&self, text: &[char]) -> Vec<(u32, usize)> {
        let mut out = Vec::new();
        let mut sid = START;
        for (i, &c) in text.iter().enumerate() {
            sid = self.next(sid, c);
            if sid & MATCH != 0 {
                out.extend(self.matches(sid).iter().map(|&p| (p, i + 1)));
            }
        }
        out
    }
}

/// A state copies its failure state's transitions while they are at most this many; else it
/// defers to it (16 halves the heap but costs a few per cent of speed; 64 keeps the speed).
const COPY_LIMIT: usize = 64;

/// The table slot a key hashes to (Fibonacci hashing: the top bits of the product).
#[inline]
fn hash(key: u32, shift: u32, mask: u32) -> usize {
    ((key.wrapping_mul(0x9E37_79B9) >> shift) & mask) as usize
}

fn too_many_chars() -> String {
    "the rubric's phrases use more than 65 535 distinct chars".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an overlapping standard search reports, the slow way.
    fn brute(phrases: &[&str], text: &[char]) -> Vec<(u32, usize)> {
        let mut out = Vec::new();
        for end in 1..=text.len() {
            let mut here: Vec<(usize, u32)> = phrases
                .iter()
                .enumerate()
                .filter_map(|(pid, p)| {
                    let p: Vec<char> = p.chars().collect();
                    (!p.is_empty() && p.len() <= end && text[end - p.len()..end] == p[..])
                        .then_some((p.len(), pid as u32))
                })
                .collect();
            here.sort_by_key(|h| std::cmp::Reverse(h.0));
            out.extend(here.into_iter().map(|(_, pid)| (pid, end)));
        }
        out
    }

    /// Checks the automaton against the slow search with every state deferring, with some
    /// copying (as built), and as a full DFA.
    fn check(phrases: &[&str], text: &str) -> Vec<(u32, usize)> {
        let text: Vec<char> = text.chars().collect();
        let want = brute(phrases, &text);
        for limit in [0, 1, COPY_LIMIT, usize::MAX] {
            let a = CharAutomaton::with_copy_limit(phrases, limit).expect("builds");
            let got = a.find_overlapping(&text);
            assert_eq!(got, want, "{phrases:?} in {text:?} (copy limit {limit})");
        }
        want
    }

    #[test]
    fn finds_present_and_not_absent_phrases() {
        assert_eq!(check(&["退款", "补发"], "亲 已经给您退款了"), vec![(0, 8)]);
        assert!(check(&["退款", "补发"], "亲 已经给您退货了").is_empty());
        assert!(check(&["退款"], "").is_empty());
        // A prefix of a phrase is not the phrase.
        assert!(check(&["帮您申请"], "帮您申").is_empty());
    }

    #[test]
    fn overlapping_and_nested_phrases_all_count() {
        // Nested: 您, 您好 and 好 end at the same char, longest first.
        assert_eq!(
            check(&["您", "您好", "好", "好的"], "您好的"),
            vec![(0, 1), (1, 2), (2, 2), (3, 3)]
        );
        // Overlapping without nesting, and a failure chain several states deep.
        check(&["abcd", "bcx", "cd", "bc", "d"], "abcxabcdbcd");
        check(
            &["还有什么", "有什么可以", "什么可以帮您", "可以帮您的吗"],
            "还有什么可以帮您的吗",
        );
        // Repeated chars.
        check(&["哈哈", "哈哈哈"], "哈哈哈哈哈");
    }

    #[test]
    fn chars_outside_the_table_lead_back_to_the_start() {
        // 😀 (above the BMP) and ☃ stand in no phrase; 𠀀 (above the BMP) does.
        check(&["您好", "𠀀好", "好𠀀"], "您😀好 您☃好 您好𠀀好𠀀𠀀好");
        let a = CharAutomaton::new(&["您好"]).unwrap();
        assert_eq!(a.class('☃'), 0);
        assert_eq!(a.class('😀'), 0);
        assert_eq!(a.next(a.next(START, '您'), '☃'), START);
    }

    #[test]
    fn phrase_at_the_end_of_the_text() {
        assert_eq!(
            check(&["谢谢", "谢谢您"], "好的谢谢您"),
            vec![(0, 4), (1, 5)]
        );
        assert_eq!(check(&["吗"], "吗"), vec![(0, 1)]);
    }

    #[test]
    fn agrees_with_the_slow_search_on_random_text() {
        // A small xorshift so the test needs no crate.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alphabet: Vec<char> = "您好的帮申请退款了吗a😀".chars().collect();
        let mut pick = |n: usize| -> String {
            (0..n)
                .map(|_| alphabet[next() as usize % alphabet.len()])
                .collect()
        };
        for _ in 0..200 {
            let phrases: Vec<String> = (0..12).map(|k| pick(1 + k % 4)).collect();
            let text = pick(60);
            let refs: Vec<&str> = phrases.iter().map(|s| s.as_str()).collect();
            // Duplicate phrases keep their first id.
            let mut uniq: Vec<&str> = Vec::new();
            for p in &refs {
                if !uniq.contains(p) {
                    uniq.push(p);
                }
            }
            check(&uniq, &text);
        }
    }
}
