//! A practice session: transcript, scoring, and the result file written after every turn.

pub mod clock;
pub mod explain;
pub mod store;

use crate::listen::{self, Heard, Promise, Vocabulary};
use crate::persona::Customer;
use crate::rubric::{Listened, Rubric, TurnSpec, TurnVerdict};
use crate::scenario::{Facts, Outcome, PersonaKind, Scenario, holds, holds_for_affront};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use store::{ResultStore, results_dir};

/// Result file schema version; bump when the JSON changes shape.
pub const SCHEMA: &str = "peilian.result/2";
/// Earlier schemas that still read (turns without `heard`).
pub const READABLE_SCHEMAS: [&str; 2] = ["peilian.result/1", SCHEMA];
/// Longest reply accepted, in characters.
pub const MAX_REPLY_CHARS: usize = 2000;
/// Longest reply line read from a terminal or pipe, in bytes (every character of a longest
/// reply at 4 bytes, plus a `\r`); a longer line is refused without being held.
pub const MAX_REPLY_BYTES: usize = MAX_REPLY_CHARS * 4 + 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 教练模式: feedback after every reply.
    #[default]
    Practice,
    /// 考核模式: feedback only at the end, response-time targets enforced.
    Exam,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Practice => "教练模式",
            Mode::Exam => "考核模式",
        }
    }
}

/// One exchange: the customer's line, the trainee's reply and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub index: usize,
    pub node: String,
    pub customer: String,
    pub reply: String,
    pub seconds: f32,
    pub score: u32,
    pub mood_before: i32,
    pub mood_after: i32,
    pub verdict: TurnVerdict,
    /// What the customer understood from the reply (offers, the option taken, asks and what
    /// was answered, promises, refusals, repetition, 答非所问). Absent in `peilian.result/1`.
    #[serde(default)]
    pub heard: Heard,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRef {
    pub id: String,
    pub title: String,
    pub persona: PersonaKind,
    pub persona_label: String,
    pub customer_name: String,
    pub difficulty: u8,
    /// The shop profile and product it was played with (None: the scenario's own shop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop: Option<crate::scenario::shop::ShopRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillRef {
    pub name: String,
    /// Position of this session in the drill, from 1.
    pub step: usize,
    pub of: usize,
    pub attempt: u32,
    /// The plan's pass mark when the session ran, so reports can say passed or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_mark: Option<u32>,
}

/// The result file: everything about one session, written after every turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub schema: String,
    pub trainee: String,
    pub scenario: ScenarioRef,
    pub mode: Mode,
    pub seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<DrillRef>,
    pub frontend: String,
    /// Unix seconds.
    pub started_at: u64,
    pub updated_at: u64,
    /// RFC 3339 of `started_at` in the machine's time zone, with its offset, for people
    /// (older files hold UTC with `Z`; both read).
    pub started: String,
    pub temperament: Temperament,
    pub turns: Vec<Turn>,
    /// The customer's line still waiting for a reply (None once ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_line: Option<String>,
    pub finished: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending_line: Option<String>,
    pub total: u32,
    pub rank: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Temperament {
    pub mood: i32,
    pub patience: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyError {
    Empty,
    TooLong(usize),
    Over,
}

impl std::fmt::Display for ReplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplyError::Empty => write!(f, "回复是空的，请输入要发给顾客的话。(empty reply)"),
            ReplyError::TooLong(n) => write!(
                f,
                "回复太长（{n} 字），请控制在 {MAX_REPLY_CHARS} 字以内。(reply too long: {n} characters)"
            ),
            ReplyError::Over => write!(f, "这次对话已经结束了。(the session is over)"),
        }
    }
}

impl std::error::Error for ReplyError {}

/// What happened after a reply.
#[derive(Debug, Clone)]
pub struct TurnResult {
    pub turn: Turn,
    /// The customer's next line, or their last words if the session ended.
    pub customer_line: String,
    pub ended: Option<Outcome>,
}

/// A live session.
#[derive(Debug)]
pub struct Session {
    pub scenario: Arc<Scenario>,
    pub customer: Customer,
    pub record: SessionRecord,
    node: usize,
    vocab: Arc<Vocabulary>,
    /// Everything the trainee committed to so far, oldest first (the customer holds them to it).
    pub promises: Vec<Promise>,
    /// Unproductive replies (repeated or 答非所问) in a row.
    unproductive: u32,
}

/// Remove control characters other than newline; trim.
pub fn clean_reply(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_string()
}

pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// RFC 3339 of a unix time in the machine's time zone, with its UTC offset
/// (e.g. `2026-03-02T08:00:00+08:00`; `TZ` honoured).
pub fn rfc3339(t: u64) -> String {
    clock::rfc3339_in(t, &clock::zone())
}

impl Session {
    /// Start: the customer draws a temperament and says their opening line.
    pub fn start(
        scenario: Arc<Scenario>,
        rubric: &Rubric,
        seed: u64,
        trainee: &str,
        mode: Mode,
        frontend: &str,
    ) -> Session {
        let mut customer = Customer::new(&scenario.persona, seed ^ scenario.seed_salt());
        let node = scenario.node_index(&scenario.start).unwrap_or(0);
        let line = customer.say(&scenario, &scenario.nodes[node], &|_| None);
        let now = now_unix();
        let record = SessionRecord {
            schema: SCHEMA.into(),
            trainee: trainee.to_string(),
            scenario: ScenarioRef {
                id: scenario.id.clone(),
                title: scenario.title.clone(),
                persona: scenario.persona.kind,
                persona_label: scenario.persona.kind.label().into(),
                customer_name: scenario.persona.name.clone(),
                difficulty: scenario.difficulty,
                shop: scenario.shop.profile.clone(),
            },
            mode,
            seed,
            drill: None,
            frontend: frontend.into(),
            started_at: now,
            updated_at: now,
            started: rfc3339(now),
            temperament: Temperament {
                mood: customer.mood,
                patience: customer.patience,
            },
            turns: Vec::new(),
            pending_line: Some(line),
            finished: false,
            outcome: None,
            outcome_label: None,
            ending_line: None,
            total: 0,
            rank: rubric.rank(0).name.clone(),
        };
        Session {
            scenario,
            customer,
            record,
            node,
            vocab: listen::shared(),
            promises: Vec::new(),
            unproductive: 0,
        }
    }

    pub fn is_over(&self) -> bool {
        self.record.finished
    }

    /// The customer's line waiting for a reply.
    pub fn customer_line(&self) -> &str {
        self.record.pending_line.as_deref().unwrap_or("")
    }

    pub fn current_node(&self) -> &crate::scenario::Node {
        &self.scenario.nodes[self.node]
    }

    pub fn target_seconds(&self) -> Option<f32> {
        self.scenario.target_for(self.current_node())
    }

    /// Score a reply, move the customer, and advance.
    pub fn reply(
        &mut self,
        rubric: &Rubric,
        text: &str,
        seconds: f32,
    ) -> Result<TurnResult, ReplyError> {
        if self.is_over() {
            return Err(ReplyError::Over);
        }
        let text = clean_reply(text);
        if text.is_empty() {
            return Err(ReplyError::Empty);
        }
        let n = text.chars().count();
        if n > MAX_REPLY_CHARS {
            return Err(ReplyError::TooLong(n));
        }
        let scenario = Arc::clone(&self.scenario);
        let vocab = Arc::clone(&self.vocab);
        let node = &scenario.nodes[self.node];
        let seconds = if seconds.is_finite() {
            seconds.max(0.0)
        } else {
            0.0
        };
        let customer_line = self.customer_line().to_string();

        // 1. Listen: what did the customer understand?
        let earlier: Vec<&str> = self.record.turns.iter().map(|t| t.reply.as_str()).collect();
        let mut heard = listen::listen(
            &vocab,
            &text,
            &listen::Context {
                customer_line: &customer_line,
                node: Some(&node.listen),
                product: &scenario.shop.product,
                shop_options: &scenario.shop_options,
                earlier: &earlier,
            },
        );

        // A part answered in the reply just before, at this same node (the customer asked the rest
        // again and waited), stays answered: only what neither reply took up is left.
        let asked_again =
            self.record.turns.last().filter(|t| {
                t.node == node.id && t.heard.listened() && !t.heard.unanswered.is_empty()
            });
        if let Some(prev) = asked_again {
            heard
                .unanswered
                .retain(|a| prev.heard.unanswered.contains(a));
        }

        // 2. Score: key points are judged on what was heard and detected.
        let expect = node.expected();
        let forbid = node.forbidden();
        let policy = scenario.shop.policy();
        let det = rubric.detect(&text, Some(&policy));
        let detected = |c| det.has(c);
        let mood_now = self.customer.mood;
        let key_points: Vec<(String, u32, bool)> = node
            .key_points
            .iter()
            .map(|k| {
                let f = Facts {
                    detected: &detected,
                    score: 0,
                    mood: mood_now,
                    heard: &heard,
                };
                // A point met in the reply this one completes stays met.
                let before = asked_again.is_some_and(|t| {
                    t.verdict
                        .key_points
                        .iter()
                        .any(|kp| kp.point == k.point && kp.covered)
                });
                (k.point.clone(), k.weight, before || holds(&k.when, &f))
            })
            .collect();
        // Likewise the expected checks that reply met (the customer asked only for the rest).
        let carried: Vec<crate::rubric::CheckId> = asked_again
            .map(|t| {
                t.verdict
                    .checks
                    .iter()
                    .filter(|c| c.role == crate::rubric::CheckRole::Expected && c.passed)
                    .map(|c| c.id)
                    .collect()
            })
            .unwrap_or_default();
        let spec = TurnSpec {
            expect: &expect,
            forbid: &forbid,
            model_answers: &node.model_answers,
            target_seconds: scenario.target_for(node),
            policy: Some(&policy),
            listened: Some(Listened {
                repeats_turn: heard.repeats_turn,
                repeated: heard.repeated,
                off_topic: heard.off_topic,
                key_points: &key_points,
            }),
            carried: &carried,
        };
        let verdict = rubric.score_turn(&spec, &text, seconds);

        // 3. The customer reacts: mood, the option they take, where the talk goes.
        let mut mood = self.customer.react(&verdict, &heard);
        if heard.listened() {
            self.unproductive = 0;
            heard.picked = self.customer.pick(&scenario.persona, node, &heard);
        } else {
            self.unproductive += 1;
        }
        self.promises.extend(heard.promised.iter().cloned());
        let gave_up = !heard.listened() && self.unproductive >= vocab.give_up_after;
        let detected_v = |c| verdict.has(c);
        let facts = Facts {
            detected: &detected_v,
            score: verdict.score,
            mood: self.customer.mood,
            heard: &heard,
        };
        let mut next: Option<usize> = if gave_up || (self.customer.mood <= 0 && !heard.listened()) {
            // The customer gives up: the walkout ending, or leaves.
            scenario
                .walkout
                .as_deref()
                .and_then(|w| scenario.node_index(w))
        } else if !heard.listened() {
            // A reply that takes up nothing the customer said but blames them or snaps at them is
            // heard for that: the node's first branch that holds, when it holds because of the
            // blame or rudeness, is taken. Otherwise stay: the customer reacts to the repetition
            // or 答非所问 and asks again (a mood at 0 was handled above).
            node.branch_taken(&facts)
                .filter(|b| !heard.repeated && holds_for_affront(&b.when, &facts))
                .and_then(|b| scenario.node_index(&b.goto))
                .or(Some(self.node))
        } else {
            self.customer
                .choose(&scenario, node, &facts)
                .and_then(|id| scenario.node_index(id))
        };

        // Half a two-part question answered, and nothing else in the reply turns the talk (the
        // node's last, unconditional branch, to a node that is no ending): the customer asks the
        // rest and waits for it, once — not asks and moves on in the same breath.
        let waits_for_rest = heard.listened()
            && !heard.unanswered.is_empty()
            && asked_again.is_none()
            && self.customer.mood > 0
            && next.is_some_and(|j| j != self.node && scenario.nodes[j].ending.is_none())
            && node
                .next
                .iter()
                .position(|b| holds(&b.when, &facts))
                .is_some_and(|i| i + 1 == node.next.len());
        if waits_for_rest {
            next = Some(self.node);
        }

        // The meter agrees with the line the customer says next: a node that grumbles or
        // cheers (`mood:`) moves it its way, whatever the reply scored.
        if let Some(j) = next
            && !waits_for_rest
            && (j != self.node || heard.listened())
        {
            mood = self.customer.settle(mood, scenario.nodes[j].mood);
        }

        // 4. What the customer answers to what was asked (from the persona's facts) — unless
        // the customer storms off (a bad ending): no photo or order number before 叫你们主管来.
        let storms_off = !waits_for_rest
            && next.is_some_and(|j| scenario.nodes[j].ending.is_some_and(|o| !o.is_good()));
        let mut answers = Vec::new();
        if heard.listened() && !storms_off {
            for a in heard.asked.clone() {
                if let Some(line) = self.customer.answer(&vocab, &scenario.persona, &a.id) {
                    answers.push(line);
                    heard.answered.push(a.id.clone());
                }
            }
        }

        let turn = Turn {
            index: self.record.turns.len() + 1,
            node: node.id.clone(),
            customer: customer_line.clone(),
            reply: text,
            seconds,
            score: verdict.score,
            mood_before: mood.before,
            mood_after: mood.after,
            verdict,
            heard: heard.clone(),
        };
        self.record.turns.push(turn.clone());
        let mut ended = None;
        let question = if node.listen.question.trim().is_empty() {
            customer_line.clone()
        } else {
            scenario.fill(&node.listen.question)
        };
        let picked_label = heard.picked.as_ref().and_then(|p| {
            heard
                .offered
                .iter()
                .find(|o| &o.id == p)
                .map(|o| o.text.clone())
        });
        // The customer holds the trainee to the latest time they named — one that says when
        // (48小时内) before one that does not (第一时间) — else the latest action.
        let times = || {
            self.promises
                .iter()
                .rev()
                .filter(|p| p.kind == listen::PromiseKind::Time)
        };
        let promise = times()
            .find(|p| listen::promise_says_when(&vocab, &p.text))
            .or_else(|| times().next())
            .or(self.promises.last())
            .map(|p| p.text.clone());
        let lookup = |name: &str| match name {
            "picked" => picked_label.clone(),
            "promise" => promise.clone(),
            "question" => Some(question.clone()),
            // Round 57: what the reply just took up is not asked again.
            _ => listen::told_slot(name).map(|(topic, text)| {
                if listen::takes_up(&vocab, &heard.topics, topic) {
                    String::new()
                } else {
                    text.to_string()
                }
            }),
        };
        let line = match next {
            Some(_) if waits_for_rest => self
                .customer
                .react_line(&vocab.reactions.half_answered, &heard.unanswered.join("、")),
            Some(j) if j == self.node && !heard.listened() => {
                let lines = if heard.repeated {
                    &vocab.reactions.repeated
                } else {
                    &vocab.reactions.off_topic
                };
                self.customer
                    .react_line_after(lines, &question, &customer_line)
            }
            Some(j) => {
                self.node = j;
                let nn = &scenario.nodes[j];
                let mut line = self.customer.say(&scenario, nn, &lookup);
                if gave_up {
                    let g = self
                        .customer
                        .react_line(&vocab.reactions.give_up, &question);
                    line = format!("{g}{line}");
                } else if !answers.is_empty() {
                    line = format!("{}{line}", answers.join(""));
                } else if !heard.unanswered.is_empty() {
                    // Half a two-part question answered: the customer asks the rest again.
                    let rest = heard.unanswered.join("、");
                    let r = self
                        .customer
                        .react_line(&vocab.reactions.half_answered, &rest);
                    line = format!("{r}{line}");
                }
                if let Some(o) = nn.ending {
                    ended = Some(o);
                }
                line
            }
            // No walkout node, or `check` was skipped: the customer leaves.
            None => {
                ended = Some(Outcome::Lost);
                if gave_up {
                    self.customer
                        .react_line(&vocab.reactions.give_up, &question)
                } else {
                    "……（顾客没有再回复）".to_string()
                }
            }
        };
        if let Some(o) = ended {
            self.record.finished = true;
            self.record.outcome = Some(o);
            self.record.outcome_label = Some(o.label().into());
            self.record.ending_line = Some(line.clone());
            self.record.pending_line = None;
        } else {
            self.record.pending_line = Some(line.clone());
        }
        self.retotal(rubric);
        Ok(TurnResult {
            turn,
            customer_line: line,
            ended,
        })
    }

    fn retotal(&mut self, rubric: &Rubric) {
        let r = &mut self.record;
        r.updated_at = now_unix();
        r.total = if r.turns.is_empty() {
            0
        } else {
            let sum: u32 = r.turns.iter().map(|t| t.score).sum();
            (sum as f32 / r.turns.len() as f32).round() as u32
        };
        r.rank = rubric.rank(r.total).name.clone();
    }
}
