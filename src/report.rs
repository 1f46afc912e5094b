//! Reports and progress (issue 5). Work in progress.

use crate::cli::{ProgressArgs, ReportArgs};
use std::process::ExitCode;

pub fn run_report(_a: ReportArgs) -> ExitCode {
    eprintln!("reports are not built yet");
    ExitCode::from(2)
}

pub fn run_progress(_a: ProgressArgs) -> ExitCode {
    eprintln!("progress is not built yet");
    ExitCode::from(2)
}
