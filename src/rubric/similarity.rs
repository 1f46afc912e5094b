//! Similarity of a reply to a node's model answers, on normalised text.

use super::normalize::{is_clause_break, normalize};
use serde::{Deserialize, Serialize};

/// The measures we compared (see README, "Similarity").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Measure {
    /// Sørensen–Dice over character bigrams (strsim), punctuation removed.
    #[default]
    BigramDice,
    /// 1 − Levenshtein distance / longer length (strsim), punctuation removed.
    Levenshtein,
    /// Jaro–Winkler (strsim), punctuation removed.
    JaroWinkler,
}

impl Measure {
    pub const ALL: [Measure; 3] = [
        Measure::BigramDice,
        Measure::Levenshtein,
        Measure::JaroWinkler,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Measure::BigramDice => "bigram-dice",
            Measure::Levenshtein => "levenshtein",
            Measure::JaroWinkler => "jaro-winkler",
        }
    }
}

/// Text as compared: normalised, punctuation and spaces removed.
pub fn comparable(text: &str) -> String {
    normalize(text)
        .chars
        .into_iter()
        .filter(|c| !is_clause_break(*c) && *c != '、')
        .collect()
}

pub fn similarity(measure: Measure, a: &str, b: &str) -> f32 {
    let (a, b) = (comparable(a), comparable(b));
    similarity_prepared(measure, &a, &b)
}

/// Similarity of two already `comparable` strings, 0..=1.
pub fn similarity_prepared(measure: Measure, a: &str, b: &str) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    (match measure {
        Measure::BigramDice => dice(a, b),
        Measure::Levenshtein => strsim::normalized_levenshtein(a, b),
        Measure::JaroWinkler => strsim::jaro_winkler(a, b),
    }) as f32
}

/// Sørensen–Dice over character bigrams: 2·|shared bigrams| / (bigrams in a + bigrams in b),
/// white space ignored. Written here because `strsim::sorensen_dice` (0.11) divides by the
/// strings' byte lengths instead of their bigram counts, which puts any two Chinese texts at
/// about a third of their real similarity (two identical 30-character replies that differ by one
/// particle scored 0.31).
pub fn dice(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().filter(|c| !c.is_whitespace()).collect();
    let b: Vec<char> = b.chars().filter(|c| !c.is_whitespace()).collect();
    if a == b {
        return 1.0;
    }
    if a.len() < 2 || b.len() < 2 {
        return 0.0;
    }
    let mut counts: std::collections::HashMap<(char, char), usize> =
        std::collections::HashMap::with_capacity(a.len());
    for w in a.windows(2) {
        *counts.entry((w[0], w[1])).or_insert(0) += 1;
    }
    let mut shared = 0usize;
    for w in b.windows(2) {
        if let Some(n) = counts.get_mut(&(w[0], w[1]))
            && *n > 0
        {
            *n -= 1;
            shared += 1;
        }
    }
    (2 * shared) as f64 / (a.len() - 1 + b.len() - 1) as f64
}

/// The best similarity to any model answer, and its index.
pub fn best(measure: Measure, reply: &str, answers: &[String]) -> (f32, Option<usize>) {
    let r = comparable(reply);
    let mut best = (0.0, None);
    for (i, a) in answers.iter().enumerate() {
        let s = similarity_prepared(measure, &r, &comparable(a));
        if best.1.is_none() || s > best.0 {
            best = (s, Some(i));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_codes_and_punctuation_do_not_count() {
        let a = "亲，非常抱歉！[委屈]给您添麻烦了~";
        let b = "亲非常抱歉给您添麻烦了";
        for m in Measure::ALL {
            assert!((similarity(m, a, b) - 1.0).abs() < 1e-6, "{}", m.name());
        }
    }

    #[test]
    fn dice_counts_bigrams_not_bytes() {
        let a = "亲您好非常抱歉给您添麻烦了您看是补发还是退款呢";
        let b = "亲您好非常抱歉给您添麻烦了您看是补发还是退款";
        let d = dice(a, b);
        assert!(d > 0.95, "{d}");
        assert!((dice("night", "nacht") - 0.25).abs() < 1e-9);
        assert_eq!(dice("ab", "ab"), 1.0);
        assert_eq!(dice("a", "ab"), 0.0);
    }

    #[test]
    fn unrelated_text_scores_low() {
        let s = similarity(Measure::BigramDice, "您好请问要红色还是蓝色", "爱买不买");
        assert!(s < 0.1, "{s}");
    }
}
