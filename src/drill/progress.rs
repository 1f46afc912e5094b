//! Where a trainee is in a drill the window runs: which step, which attempt, what each try
//! scored, and what comes next. Plain logic: the window's `ui::drill` plugin holds one of
//! these and asks it what to start after every report.

use super::{DrillPlan, PlannedStep, plan_sessions};
use crate::scenario::Scenario;
use crate::session::SessionRecord;
use std::path::PathBuf;

/// One session of a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Try {
    pub attempt: u32,
    pub total: u32,
    pub finished: bool,
    pub passed: bool,
    pub result_path: Option<PathBuf>,
}

/// What the drill does after the current session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The step was not passed and tries are left: the same customer again, as this attempt.
    Retry(u32),
    /// On to this step (index from 0).
    Next(usize),
    /// Every step has been played.
    Done,
}

/// A drill in progress.
#[derive(Debug, Clone)]
pub struct DrillRun {
    pub plan: DrillPlan,
    pub seed: u64,
    pub steps: Vec<PlannedStep>,
    /// Index of the step being played.
    pub current: usize,
    /// Attempt being played at the current step, from 1.
    pub attempt: u32,
    /// Every try of every step so far.
    pub tries: Vec<Vec<Try>>,
}

impl DrillRun {
    /// Plan the drill's sessions (same plan, seed and scenarios → same customers).
    pub fn new(plan: DrillPlan, seed: u64, scenarios: &[Scenario]) -> Result<DrillRun, String> {
        let steps = plan_sessions(&plan, seed, scenarios)?;
        let tries = vec![Vec::new(); steps.len()];
        Ok(DrillRun {
            plan,
            seed,
            steps,
            current: 0,
            attempt: 1,
            tries,
        })
    }

    /// The session to play now.
    pub fn session(&self) -> PlannedStep {
        self.steps[self.current].retry(self.attempt)
    }

    /// Note the result of a session. Only the current step's current attempt counts, once;
    /// anything else (another drill's file, a repeat) is ignored and gives false.
    pub fn record(&mut self, r: &SessionRecord, result_path: Option<PathBuf>) -> bool {
        let Some(d) = &r.drill else {
            return false;
        };
        if d.name != self.plan.name || d.step != self.current + 1 || d.attempt != self.attempt {
            return false;
        }
        let tries = &mut self.tries[self.current];
        if tries.iter().any(|t| t.attempt == d.attempt) {
            return false;
        }
        tries.push(Try {
            attempt: d.attempt,
            total: r.total,
            finished: r.finished,
            passed: self.plan.passes(r),
            result_path,
        });
        true
    }

    /// What follows the current session; None until its result has been recorded.
    pub fn next_move(&self) -> Option<Move> {
        let last = self.tries[self.current].last()?;
        if last.attempt != self.attempt {
            return None;
        }
        Some(if !last.passed && self.attempt < self.plan.attempts {
            Move::Retry(self.attempt + 1)
        } else if self.current + 1 < self.steps.len() {
            Move::Next(self.current + 1)
        } else {
            Move::Done
        })
    }

    /// Take the next move: the session to start, or None when the drill is over (or the
    /// current session has no result yet).
    pub fn advance(&mut self) -> Option<PlannedStep> {
        match self.next_move()? {
            Move::Retry(a) => self.attempt = a,
            Move::Next(i) => {
                self.current = i;
                self.attempt = 1;
            }
            Move::Done => return None,
        }
        Some(self.session())
    }

    /// The best finished try of a step.
    pub fn best(&self, step: usize) -> Option<&Try> {
        self.tries
            .get(step)?
            .iter()
            .filter(|t| t.finished)
            .max_by_key(|t| t.total)
    }

    pub fn step_passed(&self, step: usize) -> bool {
        self.tries
            .get(step)
            .is_some_and(|ts| ts.iter().any(|t| t.passed))
    }

    pub fn passed_steps(&self) -> usize {
        (0..self.steps.len())
            .filter(|&i| self.step_passed(i))
            .count()
    }

    /// Every step played (its last try used up or passed).
    pub fn is_over(&self) -> bool {
        self.next_move() == Some(Move::Done)
    }

    /// The whole drill passed: every step passed.
    pub fn passed(&self) -> bool {
        self.passed_steps() == self.steps.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::Rubric;
    use crate::session::{Mode, Session, SessionRecord};

    fn scenarios() -> Vec<Scenario> {
        let rubric = Rubric::builtin();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        crate::scenario::load_dir(&dir, &rubric).0
    }

    fn plan(attempts: u32) -> DrillPlan {
        let src = format!(
            r#"DrillPlan(name: "t", title: "测试", seed: 7, mode: Exam,
               scenarios: Draw(from: Persona(Haggler), count: 2), pass_mark: 60,
               attempts: {attempts})"#
        );
        DrillPlan::parse(&src, std::path::Path::new("t.ron")).expect("plan parses")
    }

    /// A result file for the current session of `run`, with this total.
    fn record(run: &DrillRun, total: u32, finished: bool) -> SessionRecord {
        let step = run.session();
        let rubric = Rubric::builtin();
        let mut r = Session::start(
            step.scenario,
            &rubric,
            step.seed,
            "学员",
            Mode::Exam,
            "test",
        )
        .record;
        r.drill = Some(step.drill);
        r.total = total;
        r.finished = finished;
        r
    }

    #[test]
    fn retries_a_failed_step_then_moves_on() {
        let mut run = DrillRun::new(plan(2), 7, &scenarios()).expect("plans");
        assert_eq!(run.steps.len(), 2);
        assert_eq!(run.next_move(), None, "nothing recorded yet");
        let first_seed = run.session().seed;

        // Step 1, attempt 1: fails → retry with the same customer.
        let r = record(&run, 40, true);
        assert!(run.record(&r, None));
        assert!(!run.record(&r, None), "recorded once");
        assert_eq!(run.next_move(), Some(Move::Retry(2)));
        let again = run.advance().expect("a retry");
        assert_eq!((again.drill.step, again.drill.attempt), (1, 2));
        assert_eq!(again.seed, first_seed);
        assert_eq!(again.scenario.id, run.steps[0].scenario.id);

        // Attempt 2 passes → next step.
        let r = record(&run, 75, true);
        assert!(run.record(&r, None));
        assert_eq!(run.next_move(), Some(Move::Next(1)));
        let second = run.advance().expect("step 2");
        assert_eq!((second.drill.step, second.drill.attempt), (2, 1));

        // Step 2: two failures use up the attempts → done, not passed.
        let r = record(&run, 10, false);
        assert!(run.record(&r, None));
        assert_eq!(run.next_move(), Some(Move::Retry(2)));
        run.advance();
        let r = record(&run, 59, true);
        assert!(run.record(&r, None));
        assert_eq!(run.next_move(), Some(Move::Done));
        assert!(run.is_over());
        assert_eq!(run.advance().map(|s| s.drill.step), None);
        assert_eq!(run.passed_steps(), 1);
        assert!(!run.passed());
        assert_eq!(run.best(0).map(|t| t.total), Some(75));
        assert_eq!(run.best(1).map(|t| t.total), Some(59));
    }

    #[test]
    fn ignores_results_of_other_steps_and_drills() {
        let mut run = DrillRun::new(plan(1), 7, &scenarios()).expect("plans");
        let mut r = record(&run, 90, true);
        if let Some(d) = r.drill.as_mut() {
            d.step = 2;
        }
        assert!(!run.record(&r, None), "another step");
        let mut r = record(&run, 90, true);
        if let Some(d) = r.drill.as_mut() {
            d.name = "other".into();
        }
        assert!(!run.record(&r, None), "another drill");
        let mut r = record(&run, 90, true);
        r.drill = None;
        assert!(!run.record(&r, None), "not a drill session");
        assert_eq!(run.next_move(), None);
    }
}
