//! The courseware rubric: check definitions as data, compiled matchers, and turn scoring.
//!
//! Plain logic, no Bevy: `Rubric::score_turn` takes a node's expectations and a reply and
//! returns a `TurnVerdict` with a verdict, evidence and feedback for every check involved.

pub mod automaton;
pub mod check;
pub mod engine;
pub mod normalize;
pub mod schema;
pub mod similarity;

pub use check::CheckId;
pub use engine::{Detection, Policy, Scratch, Span};
pub use schema::{CheckDef, Conduct, ConductDef, Rank, RubricFile, Rule};
pub use similarity::Measure;

use crate::diag::{self, Diagnostic};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

/// The rubric that ships with peilian.
pub const BUILTIN_PATH: &str = "assets/rubric/courseware.ron";
const BUILTIN_SRC: &str = include_str!("../../assets/rubric/courseware.ron");

/// A loaded, compiled rubric.
#[derive(Debug)]
pub struct Rubric {
    pub file: RubricFile,
    /// `defs[i]` indexes `file.checks` for `CheckId::ALL[i]`.
    defs: [usize; CheckId::COUNT],
    matcher: engine::Matcher,
    pub measure: Measure,
    /// `unless_checks[i]`: checks whose presence withdraws `CheckId::ALL[i]` (its `unless_checks`).
    unless_checks: [Vec<CheckId>; CheckId::COUNT],
    /// The checks in an order where every check comes after the checks that can withdraw it, so
    /// a check withdrawn itself (blame, where a remedy is offered) no longer withdraws another
    /// (value, praise of the goods in a reply that blames).
    withdraw_order: Vec<CheckId>,
    /// `kept_by[i]`: the normalised chars of `CheckId::ALL[i]`'s `kept_by` words, matched
    /// against the normalised reply as every other phrase is (so 没 办法 in word-segmented text
    /// is 没办法).
    kept_by: [Vec<Vec<char>>; CheckId::COUNT],
    /// `long_kept_by[i]`: the normalised chars of `CheckId::ALL[i]`'s `long_kept_by` words.
    long_kept_by: [Vec<Vec<char>>; CheckId::COUNT],
}

/// What a scenario node asks of the reply to it.
#[derive(Debug, Clone, Copy, Default)]
pub struct TurnSpec<'a> {
    pub expect: &'a [(CheckId, u32)],
    pub forbid: &'a [(CheckId, u32)],
    pub model_answers: &'a [String],
    pub target_seconds: Option<f32>,
    pub policy: Option<&'a Policy>,
    /// What the listening step found (None: the reply is judged on its words alone, as
    /// `peilian score` does).
    pub listened: Option<Listened<'a>>,
    /// Expected checks the trainee already met in the reply this one completes (the reply just
    /// before, at the same node, that answered half of a two-part question, so the customer
    /// asked the rest and waited): they count as met here too. Usually empty.
    pub carried: &'a [CheckId],
}

/// What the listening step found, as far as scoring needs it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Listened<'a> {
    /// The reply repeats an earlier one (which turn, from 1).
    pub repeats_turn: Option<usize>,
    pub repeated: bool,
    /// The reply answers something the customer did not raise (答非所问).
    pub off_topic: bool,
    /// The node's key points: (what, weight, covered by this reply).
    pub key_points: &'a [(String, u32, bool)],
}

impl Listened<'_> {
    /// Neither repeated nor off topic: what the reply does can count.
    pub fn ok(&self) -> bool {
        !self.repeated && !self.off_topic
    }
}

/// A key point of the node and whether the reply covered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyPointVerdict {
    pub point: String,
    pub weight: u32,
    pub covered: bool,
}

/// A fault of conduct found by listening: a repeated reply, or 答非所问.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConductVerdict {
    /// `repeated` or `off_topic`.
    pub id: String,
    pub label: String,
    pub message: String,
    pub section: String,
    pub penalty: u32,
}

/// How bad a violation is, by the points it costs: 轻微 (< 20), 较重 (< 30), 严重.
pub fn severity(points: u32) -> &'static str {
    match points {
        0..20 => "轻微",
        20..30 => "较重",
        _ => "严重",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckRole {
    /// The node expects it: present is good.
    Expected,
    /// A violation (or a check the node forbids): present is bad.
    Violation,
}

/// The verdict on one check for one reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckVerdict {
    pub id: CheckId,
    pub label: String,
    pub role: CheckRole,
    /// True when the reply did the right thing (expected present, violation absent).
    pub passed: bool,
    pub weight: u32,
    pub evidence: Vec<Span>,
    /// Feedback or praise for the trainee.
    pub message: String,
    /// The courseware section behind the check.
    pub section: String,
    /// A rewrite of the offending clause, for violations.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub suggestion: Option<String>,
}

/// Points that make up a turn's score.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ScoreParts {
    pub expected: f32,
    #[serde(default)]
    pub key_points: f32,
    pub similarity: f32,
    pub time: f32,
    pub penalty: f32,
}

/// Points a reply lost, and what for: every turn explains its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LostPoints {
    /// What cost the points, in words a trainee understands (缺少「认同感受」, 违规「过度承诺」…).
    pub reason: String,
    /// Points lost (rounded to whole points for display; the score uses the exact sum).
    pub points: f32,
    /// The check behind it, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckId>,
    /// The courseware section that teaches it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub section: String,
}

/// The rubric's judgement of one reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnVerdict {
    pub score: u32,
    pub parts: ScoreParts,
    /// What each lost point was for, largest first.
    #[serde(default)]
    pub lost: Vec<LostPoints>,
    /// The node's key points and whether this reply covered them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_points: Vec<KeyPointVerdict>,
    /// Repetition and 答非所问, when the listening step found them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conduct: Vec<ConductVerdict>,
    pub checks: Vec<CheckVerdict>,
    pub detected: BTreeMap<CheckId, bool>,
    pub similarity: f32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub closest_answer: Option<String>,
    pub seconds: f32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target_seconds: Option<f32>,
    pub on_time: bool,
}

impl TurnVerdict {
    pub fn has(&self, id: CheckId) -> bool {
        self.detected.get(&id).copied().unwrap_or(false)
    }
    pub fn violations(&self) -> impl Iterator<Item = &CheckVerdict> {
        self.checks
            .iter()
            .filter(|c| c.role == CheckRole::Violation && !c.passed)
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Rubric {
    /// The rubric compiled into the binary from `assets/rubric/courseware.ron`.
    pub fn builtin() -> Rubric {
        match Rubric::from_str(BUILTIN_SRC, Path::new(BUILTIN_PATH)) {
            Ok(r) => r,
            // The shipped rubric is checked by tests; failing here is a build defect.
            Err(d) => panic!("the built-in rubric is invalid: {}", d[0]),
        }
    }

    pub fn load(path: &Path) -> Result<Rubric, Vec<Diagnostic>> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::new(
                path,
                1,
                1,
                format!("cannot read rubric: {e}"),
            )]
        })?;
        Rubric::from_str(&src, path)
    }

    /// Parse, validate and compile. Every problem found is reported, each with its place.
    pub fn from_str(src: &str, path: &Path) -> Result<Rubric, Vec<Diagnostic>> {
        let mut file: RubricFile = crate::ron_options()
            .from_str(src)
            .map_err(|e| vec![Diagnostic::from_ron(path, &e)])?;
        let mut problems = Vec::new();
        for name in file.expand_classes() {
            let (line, col) = diag::locate_quoted(src, &format!("@{name}"), 0);
            problems.push(Diagnostic::new(
                path,
                line,
                col,
                format!(
                    "cue class `@{name}` is not defined in `classes` (or is defined through itself)"
                ),
            ));
        }
        // A phrase must mean what it says once normalised: a clause break or other char the
        // reader drops at its edge (赶紧拍~ read as 赶紧拍) widens an exception to every use of
        // the shorter words.
        for def in &mut file.checks {
            let id = def.id.clone();
            def.rule.for_each_list(&mut |list: &mut Vec<String>| {
                for w in list.iter() {
                    if let Some(n) = dropped_edge(w) {
                        let (line, col) = diag::locate_quoted(src, w, 0);
                        problems.push(Diagnostic::new(
                            path,
                            line,
                            col,
                            format!(
                                "check `{id}`: phrase `{w}` reads as `{n}` once normalised (a clause break or filler at its edge is dropped), so it matches more than it says"
                            ),
                        ));
                    }
                }
            });
        }
        let mut defs = [usize::MAX; CheckId::COUNT];
        for (i, def) in file.checks.iter().enumerate() {
            let (line, col) = diag::locate_quoted(src, &def.id, 0);
            match def.id.parse::<CheckId>() {
                Ok(id) if defs[id.index()] != usize::MAX => problems.push(Diagnostic::new(
                    path,
                    line,
                    col,
                    format!("check `{}` is defined twice", def.id),
                )),
                Ok(id) => defs[id.index()] = i,
                Err(e) => problems.push(Diagnostic::new(path, line, col, e.to_string())),
            }
            if def.label.trim().is_empty() || def.section.trim().is_empty() {
                problems.push(Diagnostic::new(
                    path,
                    line,
                    col,
                    format!("check `{}` needs a label and a courseware section", def.id),
                ));
            }
        }
        for id in CheckId::ALL {
            if defs[id.index()] == usize::MAX {
                problems.push(Diagnostic::new(
                    path,
                    1,
                    1,
                    format!("check `{id}` is missing from the rubric"),
                ));
            }
        }
        if file.ranks.is_empty() || file.ranks.windows(2).any(|w| w[0].min >= w[1].min) {
            problems.push(Diagnostic::new(
                path,
                1,
                1,
                "ranks must be listed lowest `min` first, with no two alike",
            ));
        }
        let mut unless_checks: [Vec<CheckId>; CheckId::COUNT] = Default::default();
        for def in &file.checks {
            let Ok(id) = def.id.parse::<CheckId>() else {
                continue;
            };
            for other in &def.unless_checks {
                match other.parse::<CheckId>() {
                    Ok(o) if o != id => unless_checks[id.index()].push(o),
                    _ => {
                        let (line, col) = diag::locate_quoted(src, other, 0);
                        problems.push(Diagnostic::new(
                            path,
                            line,
                            col,
                            format!(
                                "check `{}`: `unless_checks` names `{other}`, which is not another check",
                                def.id
                            ),
                        ));
                    }
                }
            }
        }
        let order = withdraw_order(&unless_checks).unwrap_or_else(|circle| {
            let names: Vec<String> = circle.iter().map(|c| format!("`{c}`")).collect();
            problems.push(Diagnostic::new(
                path,
                1,
                1,
                format!(
                    "checks withdraw each other in a circle through `unless_checks`: {}",
                    names.join(" → ")
                ),
            ));
            Vec::new()
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        Rubric::compiled(file, defs, unless_checks, order, Measure::default())
            .map_err(|e| vec![Diagnostic::new(path, 1, 1, e)])
    }

    /// Compile a checked rule file into a rubric (`from_str`, and `without_part` for a file
    /// with one part left out).
    /// `withdraw_order` is `withdraw_order(&unless_checks)`, worked out once when the file is
    /// checked.
    fn compiled(
        file: RubricFile,
        defs: [usize; CheckId::COUNT],
        unless_checks: [Vec<CheckId>; CheckId::COUNT],
        withdraw_order: Vec<CheckId>,
        measure: Measure,
    ) -> Result<Rubric, String> {
        let rules: [Option<&Rule>; CheckId::COUNT] =
            std::array::from_fn(|i| Some(&file.checks[defs[i]].rule));
        let matcher = engine::Matcher::compile(&rules)?;
        // Words matched against the normalised reply, normalised as every other phrase is.
        let normalised = |words: &[String]| -> Vec<Vec<char>> {
            words
                .iter()
                .map(|w| normalize::normalize(w).chars)
                .filter(|w| !w.is_empty())
                .collect()
        };
        let kept_by = std::array::from_fn(|i| normalised(&file.checks[defs[i]].kept_by));
        let long_kept_by = std::array::from_fn(|i| normalised(&file.checks[defs[i]].long_kept_by));
        Ok(Rubric {
            defs,
            matcher,
            measure,
            file,
            unless_checks,
            withdraw_order,
            kept_by,
            long_kept_by,
        })
    }

    /// The rubric with one rule part of one check left out, parts numbered as `Rule::parts`
    /// lists them (`peilian eval --ablate`): what the part alone contributes is the difference
    /// between the two. `None` when the check has no such part.
    pub fn without_part(&self, check: CheckId, part: usize) -> Option<Result<Rubric, String>> {
        fn remove(r: &mut Rule, k: &mut usize) -> bool {
            match r {
                Rule::AnyOf(v) => {
                    // Returns as soon as a part is removed, so the indices stay valid.
                    for i in 0..v.len() {
                        if matches!(v[i], Rule::AnyOf(_)) {
                            if remove(&mut v[i], k) {
                                return true;
                            }
                        } else if *k == 0 {
                            v.remove(i);
                            return true;
                        } else {
                            *k -= 1;
                        }
                    }
                    false
                }
                _ if *k == 0 => {
                    *r = Rule::AnyOf(Vec::new());
                    true
                }
                _ => {
                    *k -= 1;
                    false
                }
            }
        }
        let mut file = self.file.clone();
        let mut k = part;
        if !remove(&mut file.checks[self.defs[check.index()]].rule, &mut k) {
            return None;
        }
        Some(Rubric::compiled(
            file,
            self.defs,
            self.unless_checks.clone(),
            self.withdraw_order.clone(),
            self.measure,
        ))
    }

    pub fn def(&self, id: CheckId) -> &CheckDef {
        &self.file.checks[self.defs[id.index()]]
    }

    pub fn label(&self, id: CheckId) -> &str {
        &self.def(id).label
    }

    /// Detect every check in a reply (with evidence).
    pub fn detect(&self, reply: &str, policy: Option<&Policy>) -> Detection {
        SCRATCH.with(|s| {
            let s = &mut s.borrow_mut();
            let mut d = self.matcher.detect(reply, policy, s);
            self.withdraw(&mut d, s.normalized());
            d
        })
    }

    /// Withdraw the checks a present check rules out (`unless_checks`), in `withdraw_order`: a
    /// check is settled before any check it can withdraw is looked at. A word of the check's
    /// `kept_by` in the reply (its normalised text, `norm`) keeps it.
    fn withdraw(&self, d: &mut Detection, norm: &[char]) {
        // A check with `max_chars` is not found in a reply that long, unless a `long_kept_by`
        // word stands in it: settled first, as a check it would withdraw must not be withdrawn
        // by it.
        let mut len = None;
        for id in CheckId::ALL {
            let i = id.index();
            if let Some(max) = self.file.checks[self.defs[i]].max_chars
                && d.present[i]
                && *len.get_or_insert_with(|| norm.iter().filter(|c| !c.is_whitespace()).count())
                    >= max
                && !self.long_kept_by[i]
                    .iter()
                    .any(|w| engine::contains_chars(norm, w))
            {
                d.present[i] = false;
                d.evidence[i].clear();
            }
        }
        for &id in &self.withdraw_order {
            let i = id.index();
            if d.present[i]
                && !d.stands[i]
                && self.unless_checks[i].iter().any(|o| d.present[o.index()])
                && !self.kept_by[i]
                    .iter()
                    .any(|w| engine::contains_chars(norm, w))
            {
                d.present[i] = false;
                d.evidence[i].clear();
            }
        }
    }

    /// Detect with caller-owned buffers; `evidence == false` skips building span texts.
    pub fn detect_with(
        &self,
        reply: &str,
        policy: Option<&Policy>,
        scratch: &mut Scratch,
        out: &mut Detection,
        evidence: bool,
    ) {
        self.matcher
            .detect_into(reply, policy, scratch, out, evidence);
        self.withdraw(out, scratch.normalized());
    }

    /// The rank a session total earns.
    pub fn rank(&self, total: u32) -> &Rank {
        self.file
            .ranks
            .iter()
            .rev()
            .find(|r| total >= r.min)
            .unwrap_or(&self.file.ranks[0])
    }

    /// Score one reply against a node's expectations.
    pub fn score_turn(&self, spec: &TurnSpec, reply: &str, seconds: f32) -> TurnVerdict {
        let det = self.detect(reply, spec.policy);
        let sc = &self.file.scoring;
        let mut checks = Vec::new();

        let mut lost = Vec::new();
        let listened_ok = spec.listened.is_none_or(|l| l.ok());
        let key_points: Vec<KeyPointVerdict> = spec
            .listened
            .map(|l| {
                l.key_points
                    .iter()
                    .map(|(p, w, c)| KeyPointVerdict {
                        point: p.clone(),
                        weight: *w,
                        covered: *c && listened_ok,
                    })
                    .collect()
            })
            .unwrap_or_default();
        // A node without key points gives their share to its expected checks.
        let (expected_pts, key_pts) = if key_points.is_empty() {
            (sc.expected + sc.key_points, 0.0)
        } else {
            (sc.expected, sc.key_points)
        };
        let total_w: u32 = spec.expect.iter().map(|(_, w)| *w).sum();
        let mut got_w = 0;
        for &(id, w) in spec.expect {
            let def = self.def(id);
            let said = det.has(id);
            let carried = !said && spec.carried.contains(&id);
            // An expected check counts only in a reply that listened.
            let passed = (said || carried) && listened_ok;
            if passed {
                got_w += w;
            } else {
                lost.push(LostPoints {
                    reason: if said {
                        format!("「{}」说了，但这句没有回应顾客，不计分", def.label)
                    } else {
                        format!("缺少「{}」", def.label)
                    },
                    points: expected_pts * w as f32 / total_w.max(1) as f32,
                    check: Some(id),
                    section: def.section.clone(),
                });
            }
            checks.push(CheckVerdict {
                id,
                label: def.label.clone(),
                role: CheckRole::Expected,
                passed,
                weight: w,
                evidence: det.evidence(id).to_vec(),
                message: if passed && carried {
                    format!(
                        "上一句已经做到「{}」，这句补上了顾客追问的部分。",
                        def.label
                    )
                } else if passed && !def.praise.is_empty() {
                    def.praise.clone()
                } else if passed {
                    format!("做到了「{}」。", def.label)
                } else if said {
                    format!(
                        "说到了「{}」，可这句话没有回应顾客刚才说的（重复或答非所问），不计分。",
                        def.label
                    )
                } else {
                    def.feedback.clone()
                },
                section: def.section.clone(),
                suggestion: None,
            });
        }
        let expected_frac = if total_w == 0 {
            1.0
        } else {
            got_w as f32 / total_w as f32
        };

        // Violations: every violation check, plus anything the node forbids.
        let mut penalty = 0.0;
        let mut bad: Vec<(CheckId, u32)> = CheckId::ALL
            .into_iter()
            .filter(|c| c.is_violation())
            .map(|c| {
                let w = spec
                    .forbid
                    .iter()
                    .find(|(f, _)| *f == c)
                    .map(|(_, w)| *w)
                    .unwrap_or(self.def(c).penalty);
                (c, w)
            })
            .collect();
        for &(c, w) in spec.forbid {
            if !c.is_violation() {
                bad.push((c, w));
            }
        }
        // Each present violation's clause rewrites, and its verdict's index in `checks`.
        let chars: Vec<char> = reply.chars().collect();
        let mut found: Vec<Vec<ClauseRewrite>> = Vec::new();
        let mut found_at: Vec<usize> = Vec::new();
        for (id, w) in bad {
            let def = self.def(id);
            let present = det.has(id);
            let listed = spec.forbid.iter().any(|(f, _)| *f == id);
            if present {
                penalty += w as f32;
                lost.push(LostPoints {
                    reason: format!("违规「{}」（{}）", def.label, severity(w)),
                    points: w as f32,
                    check: Some(id),
                    section: def.section.clone(),
                });
            }
            if present || listed {
                let evidence = det.evidence(id).to_vec();
                if present {
                    found.push(clause_rewrites(def, &chars, &evidence));
                    found_at.push(checks.len());
                }
                checks.push(CheckVerdict {
                    id,
                    label: def.label.clone(),
                    role: CheckRole::Violation,
                    passed: !present,
                    weight: w,
                    suggestion: None,
                    evidence,
                    message: if present {
                        def.feedback.clone()
                    } else {
                        format!("没有「{}」。", def.label)
                    },
                    section: def.section.clone(),
                });
            }
        }
        // A clause two checks found (blame and rude) gets one rewrite, not two.
        agree_on_clauses(&mut found);
        for (&i, f) in found_at.iter().zip(&found) {
            checks[i].suggestion = format_suggestion(&chars, f);
        }

        let mut conduct = Vec::new();
        if let Some(l) = spec.listened {
            let found = [
                (l.repeated, "repeated", &self.file.conduct.repeated),
                (
                    l.off_topic && !l.repeated,
                    "off_topic",
                    &self.file.conduct.off_topic,
                ),
            ];
            for (present, id, def) in found {
                if let (true, Some(def)) = (present, def) {
                    penalty += def.penalty as f32;
                    let message = match (id, l.repeats_turn) {
                        ("repeated", Some(t)) => {
                            format!("和第 {t} 轮的回复几乎一样。{}", def.feedback)
                        }
                        _ => def.feedback.clone(),
                    };
                    lost.push(LostPoints {
                        reason: format!("「{}」（{}）", def.label, severity(def.penalty)),
                        points: def.penalty as f32,
                        check: None,
                        section: def.section.clone(),
                    });
                    conduct.push(ConductVerdict {
                        id: id.into(),
                        label: def.label.clone(),
                        message,
                        section: def.section.clone(),
                        penalty: def.penalty,
                    });
                }
            }
        }
        let key_total: u32 = key_points.iter().map(|k| k.weight).sum();
        let key_got: u32 = key_points
            .iter()
            .filter(|k| k.covered)
            .map(|k| k.weight)
            .sum();
        for k in key_points.iter().filter(|k| !k.covered) {
            lost.push(LostPoints {
                reason: format!("关键点没做到：{}", k.point),
                points: key_pts * k.weight as f32 / key_total.max(1) as f32,
                check: None,
                section: String::new(),
            });
        }
        let key_frac = if key_total == 0 {
            1.0
        } else {
            key_got as f32 / key_total as f32
        };

        let (sim, idx) = similarity::best(self.measure, reply, spec.model_answers);
        let sim_frac = if !listened_ok {
            0.0
        } else if spec.model_answers.is_empty() {
            1.0
        } else {
            ((sim - sc.similarity_floor) / (sc.similarity_full - sc.similarity_floor))
                .clamp(0.0, 1.0)
        };
        let on_time = spec.target_seconds.is_none_or(|t| seconds <= t);
        let time_frac = match spec.target_seconds {
            Some(t) if seconds > t && t > 0.0 => (1.0 - (seconds - t) / t).clamp(0.0, 1.0),
            _ => 1.0,
        };
        let parts = ScoreParts {
            expected: expected_pts * expected_frac,
            key_points: key_pts * key_frac,
            similarity: sc.similarity * sim_frac,
            time: sc.time * time_frac,
            penalty,
        };
        if sc.similarity - parts.similarity >= 0.5 {
            lost.push(LostPoints {
                reason: if listened_ok {
                    "和参考回复的意思重合不多".into()
                } else {
                    "这句没有回应顾客，参考回复的分不计".into()
                },
                points: sc.similarity - parts.similarity,
                check: None,
                section: String::new(),
            });
        }
        if sc.time - parts.time >= 0.5 {
            lost.push(LostPoints {
                reason: "回复超过目标时间".into(),
                points: sc.time - parts.time,
                check: None,
                section: String::new(),
            });
        }
        lost.sort_by(|a, b| b.points.total_cmp(&a.points));
        let raw = parts.expected + parts.key_points + parts.similarity + parts.time - parts.penalty;
        TurnVerdict {
            score: raw.round().clamp(0.0, 100.0) as u32,
            parts,
            lost,
            key_points,
            conduct,
            checks,
            detected: CheckId::ALL.into_iter().map(|c| (c, det.has(c))).collect(),
            similarity: sim,
            closest_answer: idx.map(|i| spec.model_answers[i].clone()),
            seconds,
            target_seconds: spec.target_seconds,
            on_time,
        }
    }
}

/// Punctuation that ends a clause in a typed reply (spaces aside).
fn is_break(c: char) -> bool {
    "，。！？,.!?;；~～\n".contains(c)
}

/// The clause of `reply` (char offsets) around a span. Spaces end a clause too, as in run-on
/// chat, except in word-segmented text where they stand between words.
fn clause_around(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let spaced = !normalize::is_segmented(chars);
    let brk = |c: &char| is_break(*c) || (spaced && matches!(c, ' ' | '\u{3000}'));
    let a = chars[..start.min(chars.len())]
        .iter()
        .rposition(brk)
        .map(|i| i + 1)
        .unwrap_or(0);
    let b = chars[end.min(chars.len())..]
        .iter()
        .position(brk)
        .map(|i| end + i)
        .unwrap_or(chars.len());
    (a, b)
}

/// Rewrite each clause holding evidence, using the check's rewrites: a rewrite whose `when`
/// words stand in the clause wins over a general one, and a longer `from` over a shorter
/// (百分百保证 over 保证). A clause none of them applies to takes the rewrite of the rule part
/// that found its evidence, if the part has one.
pub fn suggest(def: &CheckDef, reply: &str, evidence: &[Span]) -> Option<String> {
    let chars: Vec<char> = reply.chars().collect();
    let found: Vec<ClauseRewrite> = clause_rewrites(def, &chars, evidence);
    format_suggestion(&chars, &found)
}

/// One offending clause (char range) and its rewrite; `keyed` when a word rewrite of the check
/// chose it rather than the rule part that found the clause.
#[derive(Debug, Clone)]
struct ClauseRewrite {
    start: usize,
    end: usize,
    text: String,
    keyed: bool,
}

/// The rewrite of every clause holding evidence, in reading order, each clause once.
fn clause_rewrites(def: &CheckDef, chars: &[char], evidence: &[Span]) -> Vec<ClauseRewrite> {
    let parts = def.rule.parts();
    let mut out: Vec<ClauseRewrite> = Vec::new();
    let mut evidence: Vec<&Span> = evidence.iter().collect();
    evidence.sort_by_key(|e| e.start);
    for ev in evidence {
        let (a, b) = clause_around(chars, ev.start, ev.end);
        // A span that crosses a break (a sequence over a comma) makes a clause that holds the
        // next span's clause too: the two are one clause with one rewrite.
        if let Some(c) = out.iter_mut().find(|c| a < c.end && c.start < b) {
            c.start = c.start.min(a);
            c.end = c.end.max(b);
            continue;
        }
        let clause: String = chars[a..b].iter().collect();
        let keyed = rewrite_clause(def, &clause).map(|r| (r, true));
        let own = || {
            parts
                .get(usize::from(ev.part))
                .and_then(|p| p.own_rewrite())
                .map(|r| (r.to_string(), false))
        };
        if let Some((text, keyed)) = keyed.or_else(own) {
            out.push(ClauseRewrite {
                start: a,
                end: b,
                text: text.trim().to_string(),
                keyed,
            });
        }
    }
    out
}

/// `「clause」→「rewrite」` for each clause, joined by ；; clauses next to each other with the
/// same rewrite are one ("正常的 新锅都这样" → one sentence), and clauses apart that take the same
/// rewrite are listed before it once (`「行吧行吧」、「赶紧拍」→「…」`), not shown it twice.
fn format_suggestion(chars: &[char], found: &[ClauseRewrite]) -> Option<String> {
    // Each entry: the clauses (char ranges) that take one rewrite, and the rewrite.
    let mut out: Vec<(Vec<(usize, usize)>, &str)> = Vec::new();
    for c in found {
        // Merged only with the clause right before it (nothing but a break between).
        let next_to = |last: &(usize, usize)| {
            last.1 <= c.start
                && chars[last.1..c.start]
                    .iter()
                    .all(|&ch| is_break(ch) || ch.is_whitespace())
        };
        match out.iter_mut().find(|(_, text)| *text == c.text) {
            Some((clauses, _)) => match clauses.last_mut() {
                Some(last) if next_to(last) => last.1 = c.end,
                _ => clauses.push((c.start, c.end)),
            },
            None => out.push((vec![(c.start, c.end)], &c.text)),
        }
    }
    (!out.is_empty()).then(|| {
        out.iter()
            .map(|(clauses, r)| {
                let quoted: Vec<String> = clauses
                    .iter()
                    .map(|(a, b)| {
                        let clause: String = chars[*a..*b].iter().collect();
                        format!("「{}」", clause.trim())
                    })
                    .collect();
                format!("{}→「{}」", quoted.join("、"), r)
            })
            .collect::<Vec<_>>()
            .join("；")
    })
}

/// The rewrites of several violations of one reply, made consistent: a clause found by more
/// than one check (blame and rude) is shown the same rewrite for each, the one keyed on its words
/// if any check has such, else the first check's.
fn agree_on_clauses(all: &mut [Vec<ClauseRewrite>]) {
    let mut best: Vec<ClauseRewrite> = Vec::new();
    for c in all.iter().flatten() {
        match best
            .iter_mut()
            .find(|b| (b.start, b.end) == (c.start, c.end))
        {
            Some(b) if c.keyed && !b.keyed => *b = c.clone(),
            Some(_) => {}
            None => best.push(c.clone()),
        }
    }
    for c in all.iter_mut().flatten() {
        if let Some(b) = best.iter().find(|b| (b.start, b.end) == (c.start, c.end)) {
            *c = b.clone();
        }
    }
}

fn rewrite_clause(def: &CheckDef, clause: &str) -> Option<String> {
    let mut applicable: Vec<&schema::Rewrite> = def
        .rewrites
        .iter()
        .filter(|r| clause.contains(&r.from))
        .filter(|r| r.when.is_empty() || r.when.iter().any(|w| clause.contains(w.as_str())))
        .collect();
    applicable.sort_by_key(|r| (r.when.is_empty(), std::cmp::Reverse(r.from.chars().count())));
    let first = applicable.first()?;
    Some(if first.clause {
        first.to.clone()
    } else {
        // Apply every word rewrite that still applies, each once.
        let mut text = clause.to_string();
        for r in applicable.iter().filter(|r| !r.clause) {
            if text.contains(&r.from) {
                text = text.replacen(&r.from, &r.to, 1);
            }
        }
        text
    })
}

/// The courseware titles in a rubric `section` string, without the file each comes from:
/// `"话术技巧·1.开场问候（service-standards-and-scripts.txt）；十大素养·8.…（gold….txt）"` →
/// `["话术技巧·1.开场问候", "十大素养·8.…"]`. Every front end cites the course with it.
pub fn section_titles(section: &str) -> Vec<String> {
    section
        .split(['；', ';'])
        .map(without_files)
        .filter(|t| !t.is_empty())
        .collect()
}

/// `text` without the file names in brackets, wherever they stand (a citation may go on after
/// its file: `…坚持自己的原则（gold-medal-agent-slides.txt）：给不符合条件的…`); brackets that
/// are part of a title (`(八)`, `（第二版）`) stay.
pub fn without_files(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find(['（', '(']) {
        let Some(close) = rest[open..].find(['）', ')']).map(|i| open + i) else {
            break;
        };
        let inner = &rest[open..close];
        let closing = rest[close..].chars().next().map_or(1, char::len_utf8);
        let is_file = [".txt", ".md", ".pdf"].iter().any(|e| inner.contains(e));
        out.push_str(&rest[..open]);
        if !is_file {
            out.push_str(&rest[open..close + closing]);
        }
        rest = &rest[close + closing..];
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// How the matcher reads `phrase` when the reader drops a char at its edge (赶紧拍~ reads as
/// 赶紧拍), or None when the phrase means what it says. Only an edge that is no letter or digit
/// can be dropped, so most phrases are not normalised here at all; a char dropped inside a
/// phrase (华*官方) reads the same in a reply and stands.
fn dropped_edge(phrase: &str) -> Option<String> {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let (first, last) = (phrase.chars().next(), phrase.chars().next_back());
    if word(first) && word(last) {
        return None;
    }
    let n = normalize::normalize(phrase).text();
    if n.is_empty() || n.chars().count() >= phrase.chars().count() {
        return None;
    }
    let head = first.map_or("", |c| &phrase[c.len_utf8()..]);
    let tail = last.map_or("", |c| &phrase[..phrase.len() - c.len_utf8()]);
    [head, tail]
        .iter()
        .any(|rest| !rest.is_empty() && normalize::normalize(rest).text() == n)
        .then_some(n)
}

/// Every check in an order where the checks that can withdraw a check (`unless_checks`) come
/// before it; `Err` holds a circle of checks that withdraw each other.
fn withdraw_order(
    unless_checks: &[Vec<CheckId>; CheckId::COUNT],
) -> Result<Vec<CheckId>, Vec<CheckId>> {
    let mut order = Vec::with_capacity(CheckId::COUNT);
    let mut placed = [false; CheckId::COUNT];
    while order.len() < CheckId::COUNT {
        let ready = CheckId::ALL.into_iter().find(|c| {
            !placed[c.index()] && unless_checks[c.index()].iter().all(|o| placed[o.index()])
        });
        if let Some(c) = ready {
            placed[c.index()] = true;
            order.push(c);
            continue;
        }
        // Every check left waits on another one left: follow them back to a circle.
        let mut path: Vec<CheckId> = CheckId::ALL
            .into_iter()
            .filter(|c| !placed[c.index()])
            .take(1)
            .collect();
        while let Some(&at) = path.last() {
            let Some(&next) = unless_checks[at.index()]
                .iter()
                .find(|o| !placed[o.index()])
            else {
                break;
            };
            if let Some(k) = path.iter().position(|&p| p == next) {
                let mut circle = path.split_off(k);
                circle.push(next);
                return Err(circle);
            }
            path.push(next);
        }
        return Err(path);
    }
    Ok(order)
}
