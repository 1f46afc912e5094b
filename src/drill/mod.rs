//! Drill plans (训练计划): a named list of scenarios a team lead hands to every trainee.
//!
//! A plan is RON (`scenarios/drills/*.ron`, documented in `scenarios/DRILLS.md`). The same plan
//! and seed give every trainee the same customers: the scenarios are drawn with the plan's
//! seed, and each step's customer seed is derived from (plan seed, step), so results compare.
//! A retry of a step reuses the step's seed.
//!
//! Front ends: `peilian drill` (terminal, [`run`]) and the window, which calls
//! [`load_plans`] and keeps a [`DrillRun`] (plain logic: step, attempt, tries, what comes next)
//! that starts each [`PlannedStep`] as a session.

mod progress;
mod run;

pub use progress::{DrillRun, Move, Try};
pub use run::{DrillOptions, run};

use crate::diag::{Diagnostic, line_col, locate_quoted};
use crate::rubric::Rubric;
use crate::scenario::{PersonaKind, Scenario};
use crate::session::{DrillRef, Mode, SessionRecord};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A drill plan, as written in RON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillPlan {
    /// Stable name stored in every result file and used by `report --drill`, e.g. `first-week`.
    pub name: String,
    /// Chinese title, e.g. 新人第一周入门.
    pub title: String,
    /// A line for the trainee: what the drill trains.
    #[serde(default)]
    pub about: String,
    /// The drill's seed: with the same seed every trainee meets the same customers.
    pub seed: u64,
    /// `Practice` (教练模式, feedback after every reply) or `Exam` (考核模式).
    #[serde(default)]
    pub mode: PlanMode,
    pub scenarios: Scenarios,
    /// Response-time target for every reply, in seconds; replaces the scenarios' own targets.
    #[serde(default)]
    pub target_seconds: Option<f32>,
    /// A step passes when its session is finished with a total of at least this (0–100).
    pub pass_mark: u32,
    /// How many tries each step allows (≥ 1); a retry meets the same customer again.
    #[serde(default = "one")]
    pub attempts: u32,
    /// The shop the plan is played in: the id of a profile in the scenario folder's `shops/`
    /// (or a file). `--shop` on the command line wins; None: each scenario's default shop.
    #[serde(default)]
    pub shop: Option<String>,
    /// Where the plan was read from.
    #[serde(skip)]
    pub source: PathBuf,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PlanMode {
    #[default]
    Practice,
    Exam,
}

impl From<PlanMode> for Mode {
    fn from(m: PlanMode) -> Mode {
        match m {
            PlanMode::Practice => Mode::Practice,
            PlanMode::Exam => Mode::Exam,
        }
    }
}

/// Which scenarios the drill runs, in which order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Scenarios {
    /// These scenario ids, in this order.
    Fixed(Vec<String>),
    /// `count` different scenarios drawn from `from` with the plan's seed.
    Draw { from: Pool, count: usize },
    /// One session per step, in this order; each step is a scenario or a draw of one.
    Steps(Vec<Step>),
}

/// One step of `Steps([...])`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Step {
    /// This scenario.
    Id(String),
    /// One of these scenarios, drawn with the plan's seed.
    OneOf(Vec<String>),
    /// One scenario of this persona type, drawn with the plan's seed.
    Persona(PersonaKind),
}

/// The set a draw is made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Pool {
    /// These scenario ids.
    Ids(Vec<String>),
    /// Every scenario of this persona type, e.g. `Persona(Complainant)`.
    Persona(PersonaKind),
    /// Every scenario of any of these persona types.
    Personas(Vec<PersonaKind>),
}

/// One session of a drill, ready to start: the scenario (with the plan's time target applied),
/// the customer's seed, the mode, and the `DrillRef` to store in the result file.
#[derive(Debug, Clone)]
pub struct PlannedStep {
    pub scenario: Arc<Scenario>,
    pub seed: u64,
    pub mode: Mode,
    pub drill: DrillRef,
}

impl PlannedStep {
    /// The same step again, as attempt `attempt` (same customer, same seed).
    pub fn retry(&self, attempt: u32) -> PlannedStep {
        let mut s = self.clone();
        s.drill.attempt = attempt;
        s
    }
}

impl DrillPlan {
    /// Parse RON. Syntax errors come back as `file:line:column: message`.
    pub fn parse(src: &str, path: &Path) -> Result<DrillPlan, Diagnostic> {
        let mut p: DrillPlan = crate::ron_options()
            .from_str(src)
            .map_err(|e| Diagnostic::from_ron(path, &e))?;
        p.source = path.to_path_buf();
        Ok(p)
    }

    /// Read and parse a plan, and check it against the scenarios in `scenarios`.
    pub fn load(path: &Path, scenarios: &[Scenario]) -> Result<DrillPlan, Vec<Diagnostic>> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::new(
                path,
                1,
                1,
                format!("cannot read drill plan: {e}"),
            )]
        })?;
        let plan = DrillPlan::parse(&src, path).map_err(|d| vec![d])?;
        let problems = validate(&plan, &src, scenarios, &[]);
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(problems)
        }
    }

    /// Did this session pass its step? (finished, with a total at or above the pass mark)
    pub fn passes(&self, r: &SessionRecord) -> bool {
        r.finished && r.total >= self.pass_mark
    }

    /// How many sessions the drill has.
    pub fn steps(&self) -> usize {
        match &self.scenarios {
            Scenarios::Fixed(v) => v.len(),
            Scenarios::Draw { count, .. } => *count,
            Scenarios::Steps(v) => v.len(),
        }
    }
}

/// Did a result file's session pass its drill step? None when it is not a drill session or
/// the pass mark was not recorded.
pub fn record_passed(r: &SessionRecord) -> Option<bool> {
    let mark = r.drill.as_ref()?.pass_mark?;
    Some(r.finished && r.total >= mark)
}

/// SplitMix64: a tiny, fixed mixing function, so draws and seeds never change with a
/// dependency upgrade (results stay comparable across versions).
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The customer seed of step `step` (from 1) of a drill seeded `plan_seed`. Kept below a
/// million so a trainee can type it into `peilian practice --seed`.
pub fn step_seed(plan_seed: u64, step: usize) -> u64 {
    splitmix(plan_seed ^ splitmix(step as u64)) % 1_000_000
}

/// Draw `count` distinct items from `pool` (Fisher–Yates with the plan's seed).
fn draw<T: Clone>(pool: &[T], count: usize, seed: u64) -> Vec<T> {
    let mut v: Vec<T> = pool.to_vec();
    let mut state = splitmix(seed ^ 0xD1B5_4A32_D192_ED03);
    for i in (1..v.len()).rev() {
        state = splitmix(state);
        let j = (state % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    v.truncate(count);
    v
}

fn pool_kinds(p: &Pool) -> Option<Vec<PersonaKind>> {
    match p {
        Pool::Ids(_) => None,
        Pool::Persona(k) => Some(vec![*k]),
        Pool::Personas(v) => Some(v.clone()),
    }
}

/// The sessions of a drill for `seed` (usually `plan.seed`), drawn from `scenarios` (the
/// loaded scenario folder). Every trainee given the same plan, seed and folder gets the same
/// scenarios in the same order with the same customer seeds. Attempt numbers start at 1; use
/// [`PlannedStep::retry`] for the next attempt.
pub fn plan_sessions(
    plan: &DrillPlan,
    seed: u64,
    scenarios: &[Scenario],
) -> Result<Vec<PlannedStep>, String> {
    let find = |id: &str| -> Result<&Scenario, String> {
        scenarios
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| format!("drill `{}`: no scenario with id `{id}`", plan.name))
    };
    let chosen: Vec<&Scenario> = match &plan.scenarios {
        Scenarios::Fixed(ids) => ids.iter().map(|id| find(id)).collect::<Result<_, _>>()?,
        Scenarios::Draw { from, count } => {
            let mut pool: Vec<&Scenario> = match from {
                Pool::Ids(ids) => ids.iter().map(|id| find(id)).collect::<Result<_, _>>()?,
                _ => {
                    let kinds = pool_kinds(from).unwrap_or_default();
                    scenarios
                        .iter()
                        .filter(|s| kinds.contains(&s.persona.kind))
                        .collect()
                }
            };
            // Sort and dedup so the draw does not depend on the order files were listed in.
            pool.sort_by(|a, b| a.id.cmp(&b.id));
            pool.dedup_by(|a, b| a.id == b.id);
            if pool.len() < *count {
                return Err(format!(
                    "drill `{}` draws {count} scenarios but its set holds only {}",
                    plan.name,
                    pool.len()
                ));
            }
            draw(&pool, *count, seed)
        }
        Scenarios::Steps(steps) => {
            let mut chosen: Vec<&Scenario> = Vec::new();
            for (i, step) in steps.iter().enumerate() {
                let mut pool: Vec<&Scenario> = match step {
                    Step::Id(id) => vec![find(id)?],
                    Step::OneOf(ids) => ids.iter().map(|id| find(id)).collect::<Result<_, _>>()?,
                    Step::Persona(k) => scenarios.iter().filter(|s| s.persona.kind == *k).collect(),
                };
                pool.sort_by(|a, b| a.id.cmp(&b.id));
                pool.dedup_by(|a, b| a.id == b.id);
                // Prefer scenarios the drill has not used yet.
                let fresh: Vec<&Scenario> = pool
                    .iter()
                    .copied()
                    .filter(|s| !chosen.iter().any(|c| c.id == s.id))
                    .collect();
                let pool = if fresh.is_empty() { pool } else { fresh };
                let pick = draw(&pool, 1, seed ^ splitmix(0x5EED_0000 + i as u64));
                match pick.first() {
                    Some(s) => chosen.push(s),
                    None => {
                        return Err(format!(
                            "drill `{}`: step {} has no scenario to draw from",
                            plan.name,
                            i + 1
                        ));
                    }
                }
            }
            chosen
        }
    };
    if chosen.is_empty() {
        return Err(format!("drill `{}` has no scenarios", plan.name));
    }
    let of = chosen.len();
    Ok(chosen
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut s = s.clone();
            if let Some(t) = plan.target_seconds {
                s.target_seconds = Some(t);
                for n in &mut s.nodes {
                    n.target_seconds = None;
                }
            }
            PlannedStep {
                scenario: Arc::new(s),
                seed: step_seed(seed, i + 1),
                mode: plan.mode.into(),
                drill: DrillRef {
                    name: plan.name.clone(),
                    step: i + 1,
                    of,
                    attempt: 1,
                    pass_mark: Some(plan.pass_mark),
                },
            }
        })
        .collect())
}

/// The drill plans folder for a scenarios folder: `<scenarios>/drills`.
pub fn plans_dir(scenarios: &Path) -> PathBuf {
    scenarios.join("drills")
}

/// Where a plan's `name` is set in its file.
pub fn name_place(p: &DrillPlan) -> crate::diag::Defined {
    let src = std::fs::read_to_string(&p.source).unwrap_or_default();
    crate::diag::Defined::find(&p.source, &src, "name", &p.name)
}

/// Load every plan in `dir` (e.g. `scenarios/drills`), sorted by file name, checked against
/// `scenarios`; plans with problems come back as diagnostics instead, and so does a plan
/// whose name an earlier file already uses (it is skipped).
pub fn load_plans(dir: &Path, scenarios: &[Scenario]) -> (Vec<DrillPlan>, Vec<Diagnostic>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    match crate::scenario::files_in(dir) {
        Ok(files) => {
            for f in files {
                match DrillPlan::load(&f, scenarios) {
                    Ok(p) => match ok.iter().find(|o: &&DrillPlan| o.name == p.name) {
                        Some(first) => bad.extend(crate::diag::duplicates(
                            "drill name",
                            &[name_place(first), name_place(&p)],
                        )),
                        None => ok.push(p),
                    },
                    Err(d) => bad.extend(d),
                }
            }
        }
        Err(e) => bad.push(Diagnostic::new(
            dir,
            1,
            1,
            format!("cannot read drill folder: {e}"),
        )),
    }
    (ok, bad)
}

/// Find a plan by path, file stem or `name` under `<scenarios>/drills`.
pub fn resolve(
    name: &str,
    scenarios_dir: &Path,
    scenarios: &[Scenario],
) -> Result<DrillPlan, Vec<Diagnostic>> {
    let p = Path::new(name);
    if p.extension().is_some_and(|x| x == "ron") || p.is_file() {
        return DrillPlan::load(p, scenarios);
    }
    let dir = plans_dir(scenarios_dir);
    let by_stem = dir.join(format!("{name}.ron"));
    if by_stem.is_file() {
        return DrillPlan::load(&by_stem, scenarios);
    }
    let (plans, problems) = load_plans(&dir, scenarios);
    if let Some(p) = plans.into_iter().find(|p| p.name == name) {
        return Ok(p);
    }
    let mut d = vec![Diagnostic::new(
        &dir,
        1,
        1,
        format!(
            "no drill plan named `{name}` (give a path to a .ron plan, or a plan's name in this folder)"
        ),
    )];
    d.extend(problems);
    Err(d)
}

/// Validate a parsed plan. `loaded` are the scenarios that load; `broken` are ids of
/// scenario files that parse but have problems (reported differently from unknown ids).
fn validate(
    plan: &DrillPlan,
    src: &str,
    loaded: &[Scenario],
    broken: &[String],
) -> Vec<Diagnostic> {
    let path = plan.source.as_path();
    let mut out = Vec::new();
    let field = |f: &str| -> (usize, usize) {
        // The field name at the start of a line (after spaces), else anywhere, else 1:1.
        let mut at = 0;
        while let Some(i) = src.get(at..).and_then(|s| s.find(f)) {
            let pos = at + i;
            let line_start = src[..pos].rfind('\n').map(|j| j + 1).unwrap_or(0);
            let after = src[pos + f.len()..].trim_start();
            if src[line_start..pos].trim().is_empty() && after.starts_with(':') {
                return line_col(src, pos);
            }
            at = pos + f.len();
        }
        // Inline, e.g. `Draw(from: …, count: 5)`: any `f:` preceded by `(`, `,` or a space.
        let mut at = 0;
        while let Some(i) = src.get(at..).and_then(|s| s.find(f)) {
            let pos = at + i;
            let before = src[..pos].chars().next_back();
            if before.is_some_and(|c| c == '(' || c == ',' || c.is_whitespace())
                && src[pos + f.len()..].trim_start().starts_with(':')
            {
                return line_col(src, pos);
            }
            at = pos + f.len();
        }
        (1, 1)
    };
    let at = |(l, c): (usize, usize), msg: String| Diagnostic::new(path, l, c, msg);

    if plan.name.trim().is_empty() || plan.name.contains(['/', '\\', ' ']) {
        out.push(at(
            field("name"),
            format!(
                "drill name `{}` must be a non-empty word without spaces or slashes",
                plan.name
            ),
        ));
    }
    if plan.title.trim().is_empty() {
        out.push(at(field("title"), "the drill needs a title".into()));
    }
    if plan.pass_mark > 100 {
        out.push(at(
            field("pass_mark"),
            format!("pass_mark must be 0–100, found {}", plan.pass_mark),
        ));
    }
    if plan.attempts < 1 {
        out.push(at(field("attempts"), "attempts must be at least 1".into()));
    } else if plan.attempts > 20 {
        out.push(at(
            field("attempts"),
            format!("attempts must be at most 20, found {}", plan.attempts),
        ));
    }
    if let Some(t) = plan.target_seconds
        && !(t.is_finite() && t > 0.0)
    {
        out.push(at(
            field("target_seconds"),
            format!("target_seconds must be a positive number of seconds, found {t}"),
        ));
    }

    let sc_at = field("scenarios");
    let sc_off = {
        let (l, _) = sc_at;
        src.split_inclusive('\n')
            .take(l.saturating_sub(1))
            .map(str::len)
            .sum::<usize>()
    };
    let check_ids = |ids: &[String], out: &mut Vec<Diagnostic>, distinct: bool| {
        let mut seen = HashSet::new();
        let mut from = sc_off;
        for id in ids {
            let pos = locate_quoted(src, id, from);
            from = src
                .get(from..)
                .and_then(|s| s.find(&format!("\"{id}\"")))
                .map(|i| from + i + id.len() + 2)
                .unwrap_or(from);
            if !seen.insert(id.as_str()) && distinct {
                out.push(at(
                    pos,
                    format!("scenario `{id}` is listed twice in the set"),
                ));
            }
            if loaded.iter().any(|s| &s.id == id) {
                continue;
            }
            if broken.contains(id) {
                out.push(at(pos, format!("scenario `{id}` does not load: run `peilian check` on it and fix its problems")));
            } else {
                let known: Vec<&str> = loaded.iter().map(|s| s.id.as_str()).collect();
                out.push(at(
                    pos,
                    format!(
                        "unknown scenario id `{id}` (known: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
        }
    };
    let kind_missing = |k: &PersonaKind| -> Option<String> {
        (!loaded.iter().any(|s| s.persona.kind == *k)).then(|| {
            format!(
                "no scenario of persona type `{k:?}` ({}) in the scenarios folder",
                k.label()
            )
        })
    };
    match &plan.scenarios {
        Scenarios::Steps(steps) => {
            if steps.is_empty() {
                out.push(at(sc_at, "`Steps([...])` lists no steps".into()));
            }
            let mut ids = Vec::new();
            for step in steps {
                match step {
                    Step::Id(id) => ids.push(id.clone()),
                    Step::OneOf(v) => {
                        if v.is_empty() {
                            out.push(at(sc_at, "`OneOf([...])` lists no scenarios".into()));
                        }
                        ids.extend(v.iter().cloned());
                    }
                    Step::Persona(k) => {
                        if let Some(m) = kind_missing(k) {
                            let (l, c) = src
                                .get(sc_off..)
                                .and_then(|s| s.find(&format!("Persona({k:?})")))
                                .map(|i| line_col(src, sc_off + i))
                                .unwrap_or(sc_at);
                            out.push(at((l, c), m));
                        }
                    }
                }
            }
            check_ids(&ids, &mut out, false);
        }
        Scenarios::Fixed(ids) => {
            if ids.is_empty() {
                out.push(at(sc_at, "`Fixed([...])` lists no scenarios".into()));
            }
            check_ids(ids, &mut out, false);
        }
        Scenarios::Draw { from, count } => {
            if *count == 0 {
                out.push(at(field("count"), "`count` must be at least 1".into()));
            }
            let size = match from {
                Pool::Ids(ids) => {
                    if ids.is_empty() {
                        out.push(at(
                            sc_at,
                            "`Ids([...])` lists no scenarios to draw from".into(),
                        ));
                    }
                    check_ids(ids, &mut out, true);
                    ids.iter().collect::<HashSet<_>>().len()
                }
                _ => {
                    let mut kinds = pool_kinds(from).unwrap_or_default();
                    let mut i = 0;
                    while i < kinds.len() {
                        if kinds[..i].contains(&kinds[i]) {
                            kinds.remove(i);
                        } else {
                            i += 1;
                        }
                    }
                    if kinds.is_empty() {
                        out.push(at(sc_at, "`Personas([...])` lists no persona types".into()));
                    }
                    let mut n = 0;
                    for k in &kinds {
                        if let Some(m) = kind_missing(k) {
                            out.push(at(sc_at, m));
                        }
                        n += loaded.iter().filter(|s| s.persona.kind == *k).count();
                    }
                    n
                }
            };
            if *count > size && size > 0 {
                out.push(at(
                    field("count"),
                    format!("the draw asks for {count} scenarios but its set holds only {size}"),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `peilian check` on a drill plan: syntax, fields, and every scenario it names against the
/// scenarios folder `scenarios`.
pub fn check_plan(src: &str, path: &Path, scenarios: &Path, rubric: &Rubric) -> Vec<Diagnostic> {
    let plan = match DrillPlan::parse(src, path) {
        Ok(p) => p,
        Err(d) => return vec![d],
    };
    let shop = match &plan.shop {
        None => None,
        Some(name) => match crate::scenario::shop::resolve(name, scenarios) {
            Ok(p) => Some(p),
            Err(_) => {
                let (l, c) = crate::diag::locate_field(src, "shop", name);
                return vec![Diagnostic::new(
                    path,
                    l,
                    c,
                    format!(
                        "no shop profile `{name}` (an id from {}, or a .ron file)",
                        crate::scenario::shop::dir_for(scenarios).display()
                    ),
                )];
            }
        },
    };
    let loaded = crate::scenario::load_dir_in(scenarios, rubric, shop.as_ref()).scenarios;
    let broken: Vec<String> = crate::scenario::files_in(scenarios)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| {
            let s = std::fs::read_to_string(f).ok()?;
            Scenario::parse_as_written(&s, f).ok().map(|s| s.id)
        })
        .filter(|id| !loaded.iter().any(|s| &s.id == id))
        .collect();
    validate(&plan, src, &loaded, &broken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_fixed_and_distinct() {
        assert_eq!(step_seed(7, 1), step_seed(7, 1));
        assert_ne!(step_seed(7, 1), step_seed(7, 2));
        assert_ne!(step_seed(7, 1), step_seed(8, 1));
        assert!(step_seed(u64::MAX, 3) < 1_000_000);
    }

    #[test]
    fn draws_are_deterministic_and_distinct() {
        let pool: Vec<u32> = (0..10).collect();
        let a = draw(&pool, 4, 42);
        assert_eq!(a, draw(&pool, 4, 42));
        assert_eq!(a.len(), 4);
        assert_eq!(a.iter().collect::<HashSet<_>>().len(), 4);
        assert_ne!(a, draw(&pool, 4, 43));
    }

    #[test]
    fn plan_fields_are_checked() {
        let src = r#"DrillPlan(
    name: "x",
    title: "测试",
    seed: 1,
    scenarios: Fixed([]),
    pass_mark: 120,
    attempts: 0,
)"#;
        let plan = DrillPlan::parse(src, Path::new("p.ron")).expect("parses");
        let d = validate(&plan, src, &[], &[]);
        let msgs: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert!(
            msgs.iter().any(|m| m.starts_with("p.ron:6:5: pass_mark")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("p.ron:7:5: attempts")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("lists no scenarios")),
            "{msgs:?}"
        );
    }

    #[test]
    fn unknown_fields_and_persona_types_are_syntax_errors() {
        let src = "DrillPlan(name: \"x\", title: \"t\", seed: 1, pass_mark: 1, scenarios: Fixed([\"a\"]), colour: 1)";
        assert!(DrillPlan::parse(src, Path::new("p.ron")).is_err());
        let src = "DrillPlan(name: \"x\", title: \"t\", seed: 1, pass_mark: 1, scenarios: Draw(from: Persona(Complaint), count: 1))";
        let e = DrillPlan::parse(src, Path::new("p.ron")).expect_err("unknown persona type");
        assert!(e.to_string().starts_with("p.ron:1:"), "{e}");
    }
}
