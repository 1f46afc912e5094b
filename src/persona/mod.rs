//! The customer: temperament drawn from a seed, line variants with slots filled from what was
//! heard, mood, the option they take, and branch choice.

use crate::listen::{HEARD_SLOTS, Heard, Vocabulary, fill_slots, slots, told_slot};
use crate::rubric::{CheckId, TurnVerdict};
use crate::scenario::{Facts, Node, PersonaDef, Scenario};
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

/// Broken rules a customer hears as good news: a price cut. (An over-promise is not among
/// them: 绝对/保证 is as often distrusted or heard as a brush-off as welcomed.)
pub const WELCOME: [CheckId; 1] = [CheckId::PriceConcession];

/// The least a welcome concession lifts the mood (when nothing else in the reply hurt).
pub const WELCOME_LIFT: f32 = 5.0;

/// A reply as the customer feels it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Felt {
    /// The turn's score without the penalties of welcome violations (0–100).
    pub score: f32,
    /// Broken rules the customer suffers (blame, rudeness, anything else forbidden).
    pub grievances: usize,
    /// The reply gave the customer something they welcome (a [`WELCOME`] violation).
    pub welcome: bool,
}

impl Felt {
    pub fn of(v: &TurnVerdict) -> Felt {
        let welcome_points: f32 = v
            .lost
            .iter()
            .filter(|l| l.check.is_some_and(|c| WELCOME.contains(&c)))
            .map(|l| l.points)
            .sum();
        let p = &v.parts;
        let raw = p.expected + p.key_points + p.similarity + p.time - p.penalty;
        let score = if welcome_points > 0.0 {
            (raw + welcome_points).round().clamp(0.0, 100.0)
        } else {
            v.score as f32
        };
        Felt {
            score,
            grievances: v.violations().filter(|c| !WELCOME.contains(&c.id)).count(),
            welcome: v.violations().any(|c| WELCOME.contains(&c.id)),
        }
    }
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

    /// Draw one of the node's line variants, with slots filled: the variants whose slots can
    /// all be filled and that use something heard are preferred (the customer takes up what
    /// was said), then slot-free ones. Shop facts are filled by the scenario.
    pub fn say(
        &mut self,
        scenario: &Scenario,
        node: &Node,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> String {
        self.say_one(scenario, &node.lines, lookup)
    }

    /// Draw one of `lines`, as `say` does.
    pub fn say_one(
        &mut self,
        scenario: &Scenario,
        lines: &[String],
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> String {
        let lines: Vec<&String> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            return String::new();
        }
        let uses_heard = |l: &str| slots(l).iter().any(|s| HEARD_SLOTS.contains(s));
        let filled: Vec<(bool, String)> = lines
            .iter()
            .filter_map(|l| {
                let with_persona = |name: &str| {
                    lookup(name)
                        .or_else(|| scenario.persona.facts.get(name).cloned())
                        .or_else(|| scenario.shop_value(name))
                        .or_else(|| told_slot(name).map(|(_, t)| t.to_string()))
                };
                fill_slots(l, &with_persona).map(|t| (uses_heard(l), t))
            })
            .collect();
        let heard: Vec<&String> = filled.iter().filter(|(h, _)| *h).map(|(_, t)| t).collect();
        let pool: Vec<&String> = if heard.is_empty() {
            filled.iter().map(|(_, t)| t).collect()
        } else {
            heard
        };
        if pool.is_empty() {
            // Every variant needs something not heard: `check` requires a slot-free variant, so
            // this only happens with an unchecked scenario. Say the first line as written.
            return scenario.fill(lines[0]);
        }
        let i = self.rng.random_range(0..pool.len());
        pool[i].clone()
    }

    /// The option the customer takes among those offered, at a node where they choose (one
    /// that names its `listen.options`): one the persona prefers, most preferred first with
    /// probability 3/4 each step, else any offered one. `None` when nothing usable was offered
    /// or the customer is not choosing here.
    pub fn pick(&mut self, def: &PersonaDef, node: &Node, heard: &Heard) -> Option<String> {
        let offered: Vec<&str> = heard
            .offered
            .iter()
            .filter(|o| crate::listen::takes(&node.listen.options, o))
            .map(|o| o.id.as_str())
            .collect();
        if offered.is_empty() {
            return None;
        }
        let preferred: Vec<&str> = def
            .prefers
            .iter()
            .map(String::as_str)
            .filter(|p| offered.contains(p))
            .collect();
        for p in &preferred {
            if self.rng.random_range(0..4) < 3 {
                return Some(p.to_string());
            }
        }
        let i = self.rng.random_range(0..offered.len());
        Some(offered[i].to_string())
    }

    /// Draw one of a list of reaction lines (repetition, 答非所问, giving up).
    pub fn react_line(&mut self, lines: &[String], question: &str) -> String {
        self.react_line_after(lines, question, "")
    }

    /// [`Customer::react_line`], but never word for word what the customer just said (`last`)
    /// when the list offers another line: asked the same way twice in a row, a person rephrases.
    /// The draw is the same, so a seed plays as before wherever the lines differ.
    pub fn react_line_after(&mut self, lines: &[String], question: &str, last: &str) -> String {
        if lines.is_empty() {
            return String::new();
        }
        let fill = |i: usize| {
            fill_slots(&lines[i], &|n| {
                (n == "question").then(|| question.to_string())
            })
            .unwrap_or_else(|| lines[i].clone())
        };
        let i = self.rng.random_range(0..lines.len());
        let line = fill(i);
        if line == last.trim() && lines.len() > 1 {
            return fill((i + 1) % lines.len());
        }
        line
    }

    /// Draw an answer to an ask from the vocabulary, filled from the persona's facts.
    pub fn answer(&mut self, vocab: &Vocabulary, def: &PersonaDef, ask: &str) -> Option<String> {
        let a = vocab.answer(ask)?;
        let usable: Vec<String> = a
            .lines
            .iter()
            .filter_map(|l| fill_slots(l, &|n| def.facts.get(n).cloned()))
            .collect();
        if usable.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..usable.len());
        Some(usable[i].clone())
    }

    /// Move the mood after a reply, as the customer feels it: good replies calm the customer,
    /// slow ones and rules broken against them (blame, rudeness) anger them, the more so the
    /// less patient they are. A broken rule the customer hears as good news — a price cut the
    /// shop does not allow (违规让价) — does not anger them:
    /// its penalty is left out of their reaction and, unless the same reply also blames or
    /// insults them, the mood does not fall (it rises at least [`WELCOME_LIFT`]); the score
    /// and the coach show the violation. A reply that repeats an earlier one or answers
    /// something else never calms them: it costs a fixed amount.
    pub fn react(&mut self, verdict: &TurnVerdict, heard: &Heard) -> MoodChange {
        let before = self.mood;
        let felt = Felt::of(verdict);
        let sensitivity = 1.5 - self.patience as f32 / 100.0; // 0.5 (saint) … 1.5 (none)
        let mut delta = if heard.listened() {
            let d = (felt.score - 55.0) / 3.0;
            if d < 0.0 { d * sensitivity } else { d }
        } else {
            -12.0 * sensitivity
        };
        delta -= felt.grievances as f32 * 10.0 * sensitivity;
        if !verdict.on_time {
            delta -= 5.0 * sensitivity;
        }
        if !heard.listened() {
            delta = delta.min(-1.0);
        } else if felt.welcome && felt.grievances == 0 {
            delta = delta.max(WELCOME_LIFT);
        }
        self.mood = (self.mood as f32 + delta).round().clamp(0.0, 100.0) as i32;
        MoodChange {
            before,
            after: self.mood,
        }
    }

    /// Bring the reaction in line with the node the customer went to: a node whose lines are
    /// plainly unhappy or pleased (`Node::mood`) moves the meter its way by at least that much,
    /// whatever the reply scored (a correct refusal the customer grumbles at does not lift the
    /// meter). `0` holds the meter where it was before the reply.
    pub fn settle(&mut self, change: MoodChange, line_mood: Option<i32>) -> MoodChange {
        let Some(m) = line_mood else {
            return change;
        };
        let floor = change.before.saturating_add(m);
        let after = match m {
            m if m < 0 => change.after.min(floor),
            m if m > 0 => change.after.max(floor),
            _ => change.before,
        }
        .clamp(0, 100);
        self.mood = after;
        MoodChange {
            before: change.before,
            after,
        }
    }

    /// Where the conversation goes: the walkout node if the mood hit 0, else the first branch
    /// whose condition holds.
    pub fn choose<'a>(&self, scenario: &'a Scenario, node: &'a Node, f: &Facts) -> Option<&'a str> {
        if self.mood <= 0
            && let Some(w) = &scenario.walkout
        {
            return Some(w);
        }
        node.branch_taken(f).map(|b| b.goto.as_str())
    }
}
