//! Where the scenarios are and which rubric applies: the lookups every front end shares
//! (terminal, drills, reports, the window), below the command line.

use std::path::PathBuf;
use std::process::ExitCode;

/// Where to find the courseware: the scenario folder and the rubric file.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Scenario folder (None: `$PEILIAN_SCENARIOS` or `./scenarios`).
    pub scenarios: Option<PathBuf>,
    /// Rubric file (None: the built-in `assets/rubric/courseware.ron`).
    pub rubric: Option<PathBuf>,
}

/// Load the rubric named in `sources`, or the built-in one. Problems go to stderr.
pub fn load_rubric(sources: &Sources) -> Result<crate::rubric::Rubric, ExitCode> {
    match &sources.rubric {
        None => Ok(crate::rubric::Rubric::builtin()),
        Some(p) => crate::rubric::Rubric::load(p).map_err(|ds| {
            for d in ds {
                eprintln!("{d}");
            }
            ExitCode::from(2)
        }),
    }
}

/// The scenario folder named in `sources`, else the default one.
pub fn scenario_dir(sources: &Sources) -> PathBuf {
    sources
        .scenarios
        .clone()
        .unwrap_or_else(crate::scenario::default_dir)
}

/// The trainee's name when none is given: the login name.
pub fn default_trainee() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "trainee".into())
}

/// A fresh seed for a session when none is given.
pub fn random_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    (t ^ (std::process::id() as u64).rotate_left(32)) % 1_000_000
}
