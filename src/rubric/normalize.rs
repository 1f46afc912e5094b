//! Text normalisation for Chinese chat replies.
//!
//! Folds full-width ASCII and Chinese punctuation to one form, drops emoji codes such as
//! `[微笑]`, tildes and pictographs, lower-cases Latin letters and collapses white space. Every
//! kept character remembers where it came from, so evidence found in the normalised text can be
//! shown on the reply the trainee typed.

/// A normalised reply: `chars[i]` came from `origin[i]` (a char index into the original).
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    pub chars: Vec<char>,
    pub origin: Vec<usize>,
}

impl Normalized {
    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    /// Map a span `[start, end)` of normalised chars to original char offsets `[start, end)`.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if self.origin.is_empty() || start >= end {
            return (0, 0);
        }
        let s = self.origin[start.min(self.origin.len() - 1)];
        let e = self.origin[(end - 1).min(self.origin.len() - 1)] + 1;
        (s, e)
    }
}

/// Punctuation that ends a clause.
pub fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '?' | '!' | ';' | ':' | '\n' | ' ' | '(' | ')' | '"'
    )
}

/// Fold one character; `None` drops it.
fn fold(c: char) -> Option<char> {
    let c = match c {
        // Full-width ASCII block.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '､' => ',',
        '。' | '｡' | '…' => '.',
        '“' | '”' | '「' | '」' | '『' | '』' | '《' | '》' => '"',
        '‘' | '’' => '\'',
        '—' | '–' => '-',
        '\r' | '\t' => ' ',
        _ => c,
    };
    match c {
        '~' | '～' | '〜' | '^' | '*' | '\'' | '`' => None,
        c if c.is_control() && c != '\n' => None,
        c if is_pictograph(c) => None,
        c if c.is_ascii_uppercase() => Some(c.to_ascii_lowercase()),
        c => Some(c),
    }
}

fn is_pictograph(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0xFE0F | 0x200D | 0x2B50 | 0x2B55)
}

/// Is `chars[i..]` an emoji code like `[微笑]` (1–6 non-bracket chars)? Returns its length.
fn emoji_code_len(chars: &[char], i: usize) -> Option<usize> {
    if chars[i] != '[' && chars[i] != '【' {
        return None;
    }
    let close = if chars[i] == '[' { ']' } else { '】' };
    let mut j = i + 1;
    while j < chars.len() && j - i <= 7 {
        if chars[j] == close {
            let inner = j - i - 1;
            let cjk = chars[i + 1..j].iter().all(|c| is_cjk(*c));
            return (inner >= 1 && cjk).then_some(j - i + 1);
        }
        j += 1;
    }
    None
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF)
}

/// Normalise a reply. Runs of white space and repeated punctuation collapse to one.
pub fn normalize(text: &str) -> Normalized {
    let src: Vec<char> = text.chars().collect();
    let mut out = Normalized {
        chars: Vec::with_capacity(src.len()),
        origin: Vec::with_capacity(src.len()),
    };
    normalize_into(&src, &mut out);
    out
}

/// Normalise into a reusable buffer (no allocation once the buffer is warm).
pub fn normalize_into(src: &[char], out: &mut Normalized) {
    out.chars.clear();
    out.origin.clear();
    out.chars.reserve(src.len());
    out.origin.reserve(src.len());
    let mut i = 0;
    while i < src.len() {
        // Fast path: a CJK ideograph is never folded, dropped, a clause break or an emoji
        // code's bracket, so it is kept as it is.
        if is_cjk(src[i]) {
            out.chars.push(src[i]);
            out.origin.push(i);
            i += 1;
            continue;
        }
        if let Some(len) = emoji_code_len(src, i) {
            // An emoji code reads like a pause: keep a clause break in its place.
            push_break(out, ' ', i);
            i += len;
            continue;
        }
        if let Some(c) = fold(src[i]) {
            if is_clause_break(c) {
                push_break(out, c, i);
            } else {
                out.chars.push(c);
                out.origin.push(i);
            }
        }
        i += 1;
    }
    while out.chars.last() == Some(&' ') {
        out.chars.pop();
        out.origin.pop();
    }
}

fn push_break(out: &mut Normalized, c: char, origin: usize) {
    match out.chars.last().copied() {
        None if c == ' ' => {}
        Some(prev) if is_clause_break(prev) => {
            // Keep the strongest mark of a run: '?' and '!' beat ',' '.' and ' '.
            let rank = |c: char| match c {
                '?' => 3,
                '!' => 2,
                ' ' => 0,
                _ => 1,
            };
            if rank(c) > rank(prev)
                && let Some(last) = out.chars.last_mut()
            {
                *last = c;
            }
        }
        _ => {
            out.chars.push(c);
            out.origin.push(origin);
        }
    }
}

/// Split normalised chars into clauses: `(start, end, terminator)` ranges over `chars`.
pub fn clauses(chars: &[char]) -> Vec<(usize, usize, char)> {
    let mut v = Vec::new();
    clauses_into(chars, &mut v);
    v
}

pub fn clauses_into(chars: &[char], out: &mut Vec<(usize, usize, char)>) {
    out.clear();
    let mut start = 0;
    for (i, c) in chars.iter().enumerate() {
        if is_clause_break(*c) {
            if i > start {
                out.push((start, i, *c));
            }
            start = i + 1;
        }
    }
    if chars.len() > start {
        out.push((start, chars.len(), '.'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_punctuation_and_drops_emoji_codes() {
        let n = normalize("亲～您好！[微笑]请问需要什么？？");
        assert_eq!(n.text(), "亲您好!请问需要什么?");
    }

    #[test]
    fn full_width_ascii_and_case() {
        assert_eq!(normalize("ＯＫ，Ｌ码").text(), "ok,l码");
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let src = "[微笑]亲,保证明天到";
        let n = normalize(src);
        let t = n.text();
        let pos = t.chars().position(|c| c == '保').unwrap();
        let (s, e) = n.original_span(pos, pos + 2);
        let orig: String = src.chars().skip(s).take(e - s).collect();
        assert_eq!(orig, "保证");
    }

    #[test]
    fn clauses_carry_their_terminator() {
        let n = normalize("红色还是蓝色?我还是建议红色。");
        let cl = clauses(&n.chars);
        assert_eq!(cl.len(), 2);
        assert_eq!(cl[0].2, '?');
        assert_eq!(cl[1].2, '.');
    }

    #[test]
    fn control_chars_and_pictographs_vanish() {
        assert_eq!(normalize("好\u{0007}的😀").text(), "好的");
    }
}
