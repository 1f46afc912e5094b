//! The `peilian` command line.

pub mod check;
pub mod eval;
pub mod practice;
pub mod score;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "peilian",
    version,
    about = "陪练 — 网店客服对练模拟器 (training simulator for e-commerce customer-service agents)",
    long_about = "陪练 plays scripted difficult customers and scores every reply against the \
                  shop's courseware rubric.\nWith no command it opens the practice window, or \
                  practises in the terminal when no display is available."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 终端对练: practise a scenario in the terminal (reads one reply per line when piped).
    Practice(PracticeArgs),
    /// 批量评分: score JSON Lines replies ({"id","reply","scenario","node"}) to JSON Lines.
    Score(ScoreArgs),
    /// 检查: validate scenario files, drill plans and the rubric (file:line:column: message).
    Check(CheckArgs),
    /// 场景列表: list the scenarios with persona type and difficulty.
    Scenarios(ScenariosArgs),
    /// 准确率: per-check precision/recall/F1 of the rubric on a labelled corpus.
    Eval(EvalArgs),
    /// 性能测试: generate replies, score them, print replies/s and peak memory.
    Bench(BenchArgs),
    /// 窗口: the practice window (chat workbench); scriptable with --replay for screenshots.
    Window(WindowArgs),
    /// 训练计划: run a drill plan in the terminal.
    Drill(DrillArgs),
    /// 报告: reports over a results folder (csv, html, md).
    Report(ReportArgs),
    /// 进步: a trainee's progress, weakest checks and 错题本.
    Progress(ProgressArgs),
}

#[derive(Args, Debug, Clone, Default)]
pub struct CommonArgs {
    /// Scenario folder (default: $PEILIAN_SCENARIOS or ./scenarios).
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// Rubric file (default: the built-in assets/rubric/courseware.ron).
    #[arg(long, value_name = "FILE")]
    pub rubric: Option<PathBuf>,
    /// Play in this shop (practice, scenarios, check, score, drill, window): a shop profile
    /// file, or the id of one in the scenario folder's shops/ (default: each scenario's first
    /// stocking shop).
    #[arg(long, value_name = "FILE|ID")]
    pub shop: Option<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct PracticeArgs {
    /// Scenario id or path to a .ron file; without one, a numbered menu.
    pub scenario: Option<String>,
    /// Seed for the customer's temperament and lines (printed and stored; replays a run).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Trainee name stored in the result file (default: $USER).
    #[arg(long, value_parser = trainee_name)]
    pub trainee: Option<String>,
    /// Results folder (default: $PEILIAN_RESULTS or the platform data directory).
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
    /// Exam mode (考核模式): feedback only at the end, response-time targets enforced.
    #[arg(long)]
    pub exam: bool,
    /// Play the replies in FILE (one per line; shop placeholders such as {price} filled from
    /// the shop being played) instead of reading them: for scenario authors.
    #[arg(long, value_name = "FILE", requires = "scenario")]
    pub script: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ScoreArgs {
    /// JSON Lines input file, or - for standard input (the default).
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files or folders (default: the scenarios folder, its drills/ and the rubric).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ScenariosArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct EvalArgs {
    /// Labelled JSON Lines corpora ({"id","reply","labels":{check: bool}}); several are read
    /// as one.
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Leave each rule part out in turn and print what it alone gets right and wrong on the
    /// corpora (every part with an effect, then how many parts have none).
    #[arg(long)]
    pub ablate: bool,
    /// Also compare the similarity measures against the scenarios' model answers.
    #[arg(long)]
    pub similarity: bool,
    /// Print nothing but the summary table (no disagreements).
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// How many replies to generate and score.
    #[arg(long, default_value_t = 100_000)]
    pub lines: usize,
    /// Seed for the generated replies.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Time this many passes over the input and report each and the median.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
    /// Only write the generated JSON Lines to this file (for timing `peilian score` on it).
    #[arg(long, value_name = "FILE")]
    pub emit: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone, Default)]
pub struct WindowArgs {
    /// Scenario id or path; without one, the scenario picker.
    pub scenario: Option<String>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replies to play through the window, one per line; the window exits when done.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
    /// Save a PNG of every screen into this folder.
    #[arg(long, value_name = "DIR")]
    pub screenshots: Option<PathBuf>,
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
    #[arg(long, value_parser = trainee_name)]
    pub trainee: Option<String>,
    /// Start in exam mode (考核模式).
    #[arg(long)]
    pub exam: bool,
    /// Start this drill plan (a path or a name under scenarios/drills/), as `peilian drill`
    /// does in the terminal.
    #[arg(long, value_name = "PLAN", conflicts_with = "scenario")]
    pub drill: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct DrillArgs {
    /// Drill plan: a path to a .ron plan or its name under scenarios/drills/.
    pub plan: String,
    #[arg(long, value_parser = trainee_name)]
    pub trainee: String,
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
    /// Override the plan's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Results folder.
    pub dir: PathBuf,
    #[arg(long, value_parser = trainee_name)]
    pub trainee: Option<String>,
    #[arg(long)]
    pub drill: Option<String>,
    /// Only sessions started on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// Write to this file instead of standard output. For `--format csv` this is a folder:
    /// it gets `sessions.csv` and `checks.csv` (or just the `--table` chosen).
    #[arg(long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,
    /// CSV only: which table, one per file — `sessions` (one row per session; the default on
    /// standard output) or `checks` (one row per trainee × check).
    #[arg(long, value_enum)]
    pub table: Option<CsvTable>,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTable {
    Sessions,
    Checks,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Html,
    Md,
}

#[derive(Args, Debug, Clone)]
pub struct ProgressArgs {
    #[arg(long, value_parser = trainee_name)]
    pub trainee: String,
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `--trainee`: a usable name (see `catalog::check_trainee`), surrounding spaces dropped.
fn trainee_name(raw: &str) -> Result<String, String> {
    crate::catalog::check_trainee(raw)
}

impl CommonArgs {
    /// Where the courseware is, for the modules below the command line.
    pub fn sources(&self) -> crate::catalog::Sources {
        crate::catalog::Sources {
            scenarios: self.scenarios.clone(),
            rubric: self.rubric.clone(),
            shop: self.shop.clone(),
        }
    }
}

/// Whether a write failed only because the reader closed the pipe (`peilian eval … | head`):
/// the reader has what it wanted, so the command ends quietly and successfully.
pub(crate) fn reader_gone(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

/// Load the rubric named by `--rubric`, or the built-in one. Problems go to stderr.
pub fn load_rubric(common: &CommonArgs) -> Result<crate::rubric::Rubric, ExitCode> {
    crate::catalog::load_rubric(&common.sources())
}

pub fn scenario_dir(common: &CommonArgs) -> PathBuf {
    crate::catalog::scenario_dir(&common.sources())
}

impl From<WindowArgs> for crate::ui::WindowOptions {
    fn from(a: WindowArgs) -> Self {
        crate::ui::WindowOptions {
            sources: a.common.sources(),
            scenario: a.scenario,
            seed: a.seed,
            replay: a.replay,
            screenshots: a.screenshots,
            results: a.results,
            trainee: a.trainee,
            exam: a.exam,
            drill: a.drill,
        }
    }
}

impl From<DrillArgs> for crate::drill::DrillOptions {
    fn from(a: DrillArgs) -> Self {
        crate::drill::DrillOptions {
            sources: a.common.sources(),
            plan: a.plan,
            trainee: a.trainee,
            results: a.results,
            seed: a.seed,
        }
    }
}

impl From<ReportArgs> for crate::report::ReportOptions {
    fn from(a: ReportArgs) -> Self {
        crate::report::ReportOptions {
            dir: a.dir,
            trainee: a.trainee,
            drill: a.drill,
            since: a.since,
            format: match a.format {
                ReportFormat::Csv => crate::report::Format::Csv,
                ReportFormat::Html => crate::report::Format::Html,
                ReportFormat::Md => crate::report::Format::Md,
            },
            out: a.out,
            table: a.table.map(|t| match t {
                CsvTable::Sessions => crate::report::CsvTable::Sessions,
                CsvTable::Checks => crate::report::CsvTable::Checks,
            }),
        }
    }
}

impl From<ProgressArgs> for crate::report::ProgressOptions {
    fn from(a: ProgressArgs) -> Self {
        crate::report::ProgressOptions {
            sources: a.common.sources(),
            trainee: a.trainee,
            results: a.results,
        }
    }
}

/// Dispatch a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        None => {
            // The window when a display is available, else terminal practice.
            if crate::ui::display_available() {
                crate::ui::run_window(WindowArgs::default().into())
            } else {
                eprintln!("{}", crate::ui::strings::NO_DISPLAY);
                practice::run(PracticeArgs::default())
            }
        }
        Some(Command::Practice(a)) => practice::run(a),
        Some(Command::Score(a)) => score::run(a),
        Some(Command::Check(a)) => check::run(a),
        Some(Command::Scenarios(a)) => practice::list(a),
        Some(Command::Eval(a)) => eval::run(a),
        Some(Command::Bench(a)) => score::bench(a),
        Some(Command::Window(a)) => crate::ui::run_window(a.into()),
        Some(Command::Drill(a)) => crate::drill::run(a.into()),
        Some(Command::Report(a)) => crate::report::run_report(a.into()),
        Some(Command::Progress(a)) => crate::report::run_progress(a.into()),
    }
}
