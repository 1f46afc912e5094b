//! Drill plans (issue 5). Work in progress.

use crate::cli::DrillArgs;
use crate::diag::Diagnostic;
use crate::rubric::Rubric;
use std::path::Path;
use std::process::ExitCode;

pub fn run(_a: DrillArgs) -> ExitCode {
    eprintln!("drills are not built yet");
    ExitCode::from(2)
}

pub fn check_plan(_src: &str, path: &Path, _scenarios: &Path, _rubric: &Rubric) -> Vec<Diagnostic> {
    vec![Diagnostic::new(path, 1, 1, "drill plans cannot be checked yet")]
}
