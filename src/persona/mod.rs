//! The customer: temperament drawn from a seed, line variants, mood, and branch choice.

use crate::rubric::{CheckId, TurnVerdict};
use crate::scenario::{Node, PersonaDef, Scenario, When};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A live customer. Everything random is drawn from `rng`, seeded per session, so the same
/// seed and the same replies give the same conversation.
#[derive(Debug)]
pub struct Customer {
    pub mood: i32,
    pub patience: i32,
    rng: StdRng,
}

/// How the customer's mood moved after a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoodChange {
    pub before: i32,
    pub after: i32,
}

impl Customer {
    pub fn new(def: &PersonaDef, seed: u64) -> Customer {
        let mut rng = StdRng::seed_from_u64(seed);
        let draw = |rng: &mut StdRng, (a, b): (i32, i32)| {
            if a >= b { a } else { rng.random_range(a..=b) }
        };
        let mood = draw(&mut rng, def.mood).clamp(0, 100);
        let patience = draw(&mut rng, def.patience).clamp(0, 100);
        Customer {
            mood,
            patience,
            rng,
        }
    }

    /// Draw one of the node's line variants, with shop facts filled in.
    pub fn say(&mut self, scenario: &Scenario, node: &Node) -> String {
        let lines: Vec<&String> = node.lines.iter().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            return String::new();
        }
        let i = self.rng.random_range(0..lines.len());
        scenario.fill(lines[i])
    }

    /// Move the mood after a reply: good replies calm the customer, violations and slow
    /// replies anger them, the more so the less patient they are.
    pub fn react(&mut self, v: &TurnVerdict) -> MoodChange {
        let before = self.mood;
        let sensitivity = 1.5 - self.patience as f32 / 100.0; // 0.5 (saint) … 1.5 (none)
        let mut delta = (v.score as f32 - 55.0) / 3.0;
        if delta < 0.0 {
            delta *= sensitivity;
        }
        let violations = v.violations().count() as f32;
        delta -= violations * 10.0 * sensitivity;
        if !v.on_time {
            delta -= 5.0 * sensitivity;
        }
        self.mood = (self.mood as f32 + delta).round().clamp(0.0, 100.0) as i32;
        MoodChange {
            before,
            after: self.mood,
        }
    }

    /// Where the conversation goes: the walkout node if the mood hit 0, else the first branch
    /// whose condition holds.
    pub fn choose<'a>(
        &self,
        scenario: &'a Scenario,
        node: &'a Node,
        v: &TurnVerdict,
    ) -> Option<&'a str> {
        if self.mood <= 0
            && let Some(w) = &scenario.walkout
        {
            return Some(w);
        }
        node.next
            .iter()
            .find(|b| holds(&b.when, v, self.mood))
            .map(|b| b.goto.as_str())
    }
}

/// Does a branch condition hold for this verdict and mood?
pub fn holds(w: &When, v: &TurnVerdict, mood: i32) -> bool {
    let has = |id: &str| id.parse::<CheckId>().is_ok_and(|c| v.has(c));
    match w {
        When::Always => true,
        When::Detected(id) => has(id),
        When::Missing(id) => !has(id),
        When::ScoreAtLeast(n) => v.score >= *n,
        When::ScoreBelow(n) => v.score < *n,
        When::MoodAtLeast(m) => mood >= *m,
        When::MoodBelow(m) => mood < *m,
        When::All(ws) => ws.iter().all(|w| holds(w, v, mood)),
        When::Any(ws) => ws.iter().any(|w| holds(w, v, mood)),
    }
}
