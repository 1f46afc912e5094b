//! Reports over a results folder (`peilian report`) and a trainee's progress
//! (`peilian progress`).
//!
//! Reports read only result files — they never re-score — so every number in a CSV, HTML or
//! Markdown report can be traced to the files. A check's pass rate is the number of turns
//! where the check was involved (expected by the node, forbidden, or a violation committed)
//! and passed, over the turns where it was involved.

mod csv;
mod html;
mod md;
mod progress;

pub use progress::{ProgressOptions, recommend, run_progress};

use crate::rubric::CheckId;
use crate::session::{SessionRecord, clock};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One result file.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file's name inside the results folder.
    pub file: String,
    pub record: SessionRecord,
}

/// Passed out of involved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub involved: u32,
    pub passed: u32,
}

impl Tally {
    pub fn add(&mut self, passed: bool) {
        self.involved += 1;
        if passed {
            self.passed += 1;
        }
    }
    /// Percent, rounded to one decimal; None when never involved.
    pub fn rate(&self) -> Option<f64> {
        (self.involved > 0).then(|| round1(self.passed as f64 * 100.0 / self.involved as f64))
    }
    /// `75.0%`, or `—` when never involved.
    pub fn rate_text(&self) -> String {
        self.rate()
            .map(|r| format!("{r:.1}%"))
            .unwrap_or_else(|| "—".into())
    }
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Per-check tallies of one session.
pub fn session_checks(r: &SessionRecord) -> [Tally; CheckId::COUNT] {
    let mut t = [Tally::default(); CheckId::COUNT];
    for turn in &r.turns {
        for c in &turn.verdict.checks {
            t[c.id.index()].add(c.passed);
        }
    }
    t
}

/// Replies with a response-time target, and those on time.
pub fn session_time(r: &SessionRecord) -> Tally {
    let mut t = Tally::default();
    for turn in &r.turns {
        if turn.verdict.target_seconds.is_some() {
            t.add(turn.verdict.on_time);
        }
    }
    t
}

/// Everything a report shows about one trainee.
#[derive(Debug, Clone)]
pub struct TraineeStats<'a> {
    pub name: String,
    /// Oldest first.
    pub sessions: Vec<&'a Entry>,
    pub checks: [Tally; CheckId::COUNT],
    pub time: Tally,
    pub finished: usize,
    /// Mean total of the finished sessions, one decimal.
    pub average: Option<f64>,
    /// Drill sessions with a recorded pass mark: passed out of graded.
    pub steps: Tally,
}

impl TraineeStats<'_> {
    /// The average as shown in reports: one decimal, or — when nothing finished.
    pub fn average_text(&self) -> String {
        self.average
            .map(|a| format!("{a:.1}"))
            .unwrap_or_else(|| "—".into())
    }

    /// Drill steps passed out of graded, e.g. `3/5`; None when no step was graded.
    pub fn steps_text(&self) -> Option<String> {
        (self.steps.involved > 0).then(|| format!("{}/{}", self.steps.passed, self.steps.involved))
    }

    /// The checks with the lowest pass rate that were failed at least once, worst first.
    pub fn weakest(&self, n: usize) -> Vec<CheckId> {
        let mut v: Vec<CheckId> = CheckId::ALL
            .into_iter()
            .filter(|c| {
                let t = self.checks[c.index()];
                t.involved > 0 && t.passed < t.involved
            })
            .collect();
        v.sort_by(|a, b| {
            let (ta, tb) = (self.checks[a.index()], self.checks[b.index()]);
            // passed/involved ascending, by cross-multiplication; then more failures first.
            (ta.passed as u64 * tb.involved as u64)
                .cmp(&(tb.passed as u64 * ta.involved as u64))
                .then((tb.involved - tb.passed).cmp(&(ta.involved - ta.passed)))
                .then(a.cmp(b))
        });
        v.truncate(n);
        v
    }
}

/// Sessions in the order they ran: start time, then drill step and attempt (a drill fed
/// from a pipe starts several sessions within one second), then file name.
fn order(e: &Entry) -> (u64, &str, usize, u32, &str) {
    let d = e.record.drill.as_ref();
    (
        e.record.started_at,
        d.map(|d| d.name.as_str()).unwrap_or(""),
        d.map(|d| d.step).unwrap_or(0),
        d.map(|d| d.attempt).unwrap_or(0),
        e.file.as_str(),
    )
}

/// Group entries by trainee (sorted by name), sessions oldest first.
pub fn by_trainee(entries: &[Entry]) -> Vec<TraineeStats<'_>> {
    let mut groups: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        groups.entry(e.record.trainee.as_str()).or_default().push(e);
    }
    groups
        .into_iter()
        .map(|(name, mut sessions)| {
            sessions.sort_by(|a, b| order(a).cmp(&order(b)));
            let mut checks = [Tally::default(); CheckId::COUNT];
            let mut time = Tally::default();
            let mut steps = Tally::default();
            let mut finished = 0;
            let mut sum = 0u64;
            for e in &sessions {
                for (i, t) in session_checks(&e.record).iter().enumerate() {
                    checks[i].involved += t.involved;
                    checks[i].passed += t.passed;
                }
                let tt = session_time(&e.record);
                time.involved += tt.involved;
                time.passed += tt.passed;
                if e.record.finished {
                    finished += 1;
                    sum += e.record.total as u64;
                }
                if let Some(p) = crate::drill::record_passed(&e.record) {
                    steps.add(p);
                }
            }
            TraineeStats {
                name: name.to_string(),
                sessions,
                checks,
                time,
                finished,
                average: (finished > 0).then(|| round1(sum as f64 / finished as f64)),
                steps,
            }
        })
        .collect()
}

/// Check labels as the result files name them (the rubric at scoring time), else the defaults.
pub fn labels(entries: &[Entry]) -> [String; CheckId::COUNT] {
    let mut l: [Option<String>; CheckId::COUNT] = Default::default();
    for e in entries {
        for t in &e.record.turns {
            for c in &t.verdict.checks {
                if l[c.id.index()].is_none() && !c.label.trim().is_empty() {
                    l[c.id.index()] = Some(c.label.clone());
                }
            }
        }
    }
    std::array::from_fn(|i| {
        l[i].clone()
            .unwrap_or_else(|| CheckId::ALL[i].default_label().to_string())
    })
}

/// An RFC 3339 time (`…Z` in older files, or with an offset) as `YYYY-MM-DD HH:MM` in the
/// machine's time zone: `2024-06-01T00:05:09Z` → `2024-06-01 08:05` in Beijing.
pub fn short_time(rfc: &str) -> String {
    match clock::parse_rfc3339(rfc) {
        Some(t) => clock::minute_in(t, &clock::zone()),
        None => rfc.chars().take(16).collect::<String>().replace('T', " "),
    }
}

/// When a session started, in the machine's time zone with its offset.
pub fn started_local(r: &SessionRecord) -> String {
    clock::rfc3339_in(r.started_at, &clock::zone())
}

/// The zone report times are in, e.g. `Asia/Shanghai UTC+08:00`.
pub fn zone_text() -> String {
    clock::zone_label(&clock::zone())
}

/// The local date (`YYYY-MM-DD`) a session started on.
pub fn started_day(r: &SessionRecord) -> String {
    clock::date_in(r.started_at, &clock::zone())
}

/// The drill column: `first-week 1/3` (`#2` for a second attempt), or empty.
pub fn drill_text(r: &SessionRecord) -> String {
    match &r.drill {
        None => String::new(),
        Some(d) if d.attempt > 1 => format!("{} {}/{} #{}", d.name, d.step, d.of, d.attempt),
        Some(d) => format!("{} {}/{}", d.name, d.step, d.of),
    }
}

/// The outcome as people read it: 成交, 已解决 … or 未完成.
pub fn outcome_text(r: &SessionRecord) -> String {
    match (&r.outcome, r.finished) {
        (Some(o), _) => o.label().to_string(),
        (None, true) => "已结束".into(),
        (None, false) => "未完成".into(),
    }
}

/// 通过 / 未通过 / empty.
pub fn passed_text(r: &SessionRecord) -> &'static str {
    match crate::drill::record_passed(r) {
        Some(true) => "通过",
        Some(false) if !r.finished => "未完成",
        Some(false) => "未通过",
        None => "",
    }
}

/// Which sessions a report covers.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub trainee: Option<String>,
    pub drill: Option<String>,
    /// `YYYY-MM-DD`, compared with the local date (machine's time zone) the session started.
    pub since: Option<String>,
}

impl Filter {
    pub fn keeps(&self, r: &SessionRecord) -> bool {
        self.trainee
            .as_deref()
            .is_none_or(|t| r.trainee.trim() == t.trim())
            && self
                .drill
                .as_deref()
                .is_none_or(|d| r.drill.as_ref().is_some_and(|x| x.name == d))
            && self
                .since
                .as_deref()
                .is_none_or(|s| started_day(r).as_str() >= s)
    }
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        if let Some(t) = &self.trainee {
            v.push(format!("学员 {t}"));
        }
        if let Some(d) = &self.drill {
            v.push(format!("训练 {d}"));
        }
        if let Some(s) = &self.since {
            v.push(format!("{s} 起"));
        }
        v.join("，")
    }
}

/// Check a `--since` date: `YYYY-MM-DD` with a real month and day.
pub fn parse_date(s: &str) -> Result<String, String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10);
    let month: u32 = if ok { s[5..7].parse().unwrap_or(0) } else { 0 };
    let day: u32 = if ok { s[8..10].parse().unwrap_or(0) } else { 0 };
    if ok && (1..=12).contains(&month) && (1..=31).contains(&day) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "--since `{s}`: expected a date as YYYY-MM-DD, e.g. 2024-06-01"
        ))
    }
}

/// What every format is drawn from.
pub struct ReportData {
    pub dir: PathBuf,
    pub entries: Vec<Entry>,
    /// Files that were not valid results, with the reason (already printed to stderr).
    pub skipped: Vec<String>,
    pub filter: Filter,
    pub generated: String,
}

/// Read a results folder: valid files as entries; corrupt or foreign files are printed to
/// stderr by name and skipped.
pub fn load(dir: &Path, filter: &Filter) -> std::io::Result<(Vec<Entry>, Vec<String>)> {
    let (ok, bad) = crate::session::store::read_dir(dir)?;
    for b in &bad {
        eprintln!("skipped {b}");
    }
    let mut entries: Vec<Entry> = ok
        .into_iter()
        .filter(|(_, r)| filter.keeps(r))
        .map(|(p, record)| Entry {
            file: p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            record,
        })
        .collect();
    entries.sort_by(|a, b| (&a.record.trainee, order(a)).cmp(&(&b.record.trainee, order(b))));
    Ok((entries, bad))
}

/// Write `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// A report's output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Html,
    Md,
}

/// What `peilian report` is run with.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Results folder.
    pub dir: PathBuf,
    pub trainee: Option<String>,
    pub drill: Option<String>,
    /// Only sessions started on or after this date (YYYY-MM-DD).
    pub since: Option<String>,
    pub format: Format,
    /// Write to this file (for CSV: this folder) instead of standard output.
    pub out: Option<PathBuf>,
    /// CSV only: the one table to write (default: both into `out`, or sessions to stdout).
    pub table: Option<CsvTable>,
}

/// A CSV report's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTable {
    Sessions,
    Checks,
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// CSV, one table per file: `--out DIR` gets `sessions.csv` and `checks.csv` (or the one
/// `--table` names); without `--out`, the `--table` (default `sessions`) goes to stdout.
fn write_csv(data: &ReportData, a: &ReportOptions) -> ExitCode {
    let chosen = a.table.map(|t| match t {
        CsvTable::Sessions => csv::Table::Sessions,
        CsvTable::Checks => csv::Table::Checks,
    });
    let Some(dir) = &a.out else {
        let text = csv::render(data, chosen.unwrap_or(csv::Table::Sessions));
        return if write_stdout(&text).is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    };
    if dir.is_file() {
        eprintln!(
            "{}: is a file; with --format csv, --out names a folder (it gets sessions.csv and checks.csv)",
            dir.display()
        );
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("{}: cannot create the folder: {e}", dir.display());
        return ExitCode::from(1);
    }
    let tables = chosen.map_or(csv::Table::ALL.to_vec(), |t| vec![t]);
    let mut written = Vec::new();
    for t in tables {
        let path = dir.join(t.file_name());
        if let Err(e) = write_atomic(&path, csv::render(data, t).as_bytes()) {
            eprintln!("{}: cannot write the report: {e}", path.display());
            return ExitCode::from(1);
        }
        written.push(path.display().to_string());
    }
    eprintln!(
        "wrote {} ({} session(s), {} skipped file(s))",
        written.join(" and "),
        data.entries.len(),
        data.skipped.len()
    );
    ExitCode::SUCCESS
}

/// The HTML report over `entries` read from `dir` (what `peilian report DIR --format html`
/// writes), for the window's 组长 view.
pub fn render_html(dir: &Path, entries: Vec<Entry>, skipped: Vec<String>) -> String {
    html::render(&ReportData {
        dir: dir.to_path_buf(),
        entries,
        skipped,
        filter: Filter::default(),
        generated: crate::session::rfc3339(crate::session::now_unix()),
    })
}

/// `peilian report`
pub fn run_report(a: ReportOptions) -> ExitCode {
    let since = match a.since.as_deref().map(parse_date).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let filter = Filter {
        trainee: a.trainee.clone(),
        drill: a.drill.clone(),
        since,
    };
    if !a.dir.is_dir() {
        eprintln!(
            "{}: not a results folder (no such directory)",
            a.dir.display()
        );
        return ExitCode::from(2);
    }
    let (entries, skipped) = match load(&a.dir, &filter) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{}: cannot read the results folder: {e}", a.dir.display());
            return ExitCode::from(2);
        }
    };
    if entries.is_empty() {
        eprintln!("no sessions match in {}", a.dir.display());
    }
    let data = ReportData {
        dir: a.dir.clone(),
        entries,
        skipped,
        filter,
        generated: crate::session::rfc3339(crate::session::now_unix()),
    };
    if a.format == Format::Csv {
        return write_csv(&data, &a);
    }
    if a.table.is_some() {
        eprintln!("--table applies to --format csv only");
        return ExitCode::from(2);
    }
    let text = match a.format {
        Format::Html => html::render(&data),
        _ => md::render(&data),
    };
    match &a.out {
        Some(p) => {
            if let Err(e) = write_atomic(p, text.as_bytes()) {
                eprintln!("{}: cannot write the report: {e}", p.display());
                return ExitCode::from(1);
            }
            eprintln!(
                "wrote {} ({} session(s), {} skipped file(s))",
                p.display(),
                data.entries.len(),
                data.skipped.len()
            );
        }
        None => {
            if write_stdout(&text).is_err() {
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert!(parse_date("2024-06-01").is_ok());
        assert!(parse_date("2024-6-1").is_err());
        assert!(parse_date("2024-13-01").is_err());
        assert!(parse_date("二〇二四年").is_err());
    }

    #[test]
    fn rates_round_to_one_decimal() {
        let t = Tally {
            involved: 3,
            passed: 2,
        };
        assert_eq!(t.rate(), Some(66.7));
        assert_eq!(t.rate_text(), "66.7%");
        assert_eq!(Tally::default().rate_text(), "—");
    }
}
