//! CSV, one table per file: `sessions.csv` (one row per session) and `checks.csv` (one row per
//! trainee × check). UTF-8 with a BOM and CRLF line ends, so Excel and WPS open the Chinese
//! correctly.

use super::{ReportData, by_trainee, labels, outcome_text, session_checks, session_time};
use crate::rubric::CheckId;

/// One CSV field: quoted when it holds a comma, quote, or line break; a text field starting
/// with `=`, `+`, `-` or `@` gets a leading `'` so a spreadsheet never runs it as a formula.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn row(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// The CSV tables a report has, one file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `sessions.csv`: one row per session.
    Sessions,
    /// `checks.csv`: one row per trainee × check (and response time).
    Checks,
}

impl Table {
    pub const ALL: [Table; 2] = [Table::Sessions, Table::Checks];
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Sessions => "sessions.csv",
            Table::Checks => "checks.csv",
        }
    }
}

/// One table as a whole CSV file.
pub fn render(d: &ReportData, table: Table) -> String {
    match table {
        Table::Sessions => sessions(d),
        Table::Checks => checks(d),
    }
}

fn sessions(d: &ReportData) -> String {
    let mut out = String::from("\u{FEFF}");
    row(
        &mut out,
        &[
            "file",
            "trainee",
            "drill",
            "step",
            "of",
            "attempt",
            "scenario",
            "title",
            "persona",
            "mode",
            "seed",
            "started",
            "finished",
            "outcome",
            "turns",
            "total",
            "rank",
            "pass_mark",
            "passed",
            "on_time",
            "timed",
            "failed_checks",
        ]
        .map(String::from),
    );
    for e in &d.entries {
        let r = &e.record;
        let dr = r.drill.as_ref();
        let time = session_time(r);
        let failed: Vec<String> = session_checks(r)
            .iter()
            .zip(CheckId::ALL)
            .filter(|(t, _)| t.passed < t.involved)
            .map(|(t, c)| format!("{c}:{}", t.involved - t.passed))
            .collect();
        let opt = |o: Option<String>| o.unwrap_or_default();
        row(
            &mut out,
            &[
                e.file.clone(),
                r.trainee.clone(),
                opt(dr.map(|x| x.name.clone())),
                opt(dr.map(|x| x.step.to_string())),
                opt(dr.map(|x| x.of.to_string())),
                opt(dr.map(|x| x.attempt.to_string())),
                r.scenario.id.clone(),
                r.scenario.title.clone(),
                r.scenario.persona_label.clone(),
                format!("{:?}", r.mode).to_lowercase(),
                r.seed.to_string(),
                super::started_local(r),
                if r.finished { "yes" } else { "no" }.into(),
                outcome_text(r),
                r.turns.len().to_string(),
                r.total.to_string(),
                r.rank.clone(),
                opt(dr.and_then(|x| x.pass_mark).map(|m| m.to_string())),
                match crate::drill::record_passed(r) {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
                time.passed.to_string(),
                time.involved.to_string(),
                failed.join(" "),
            ],
        );
    }
    out
}

fn checks(d: &ReportData) -> String {
    let mut out = String::from("\u{FEFF}");
    row(
        &mut out,
        &[
            "trainee",
            "check",
            "label",
            "involved",
            "passed",
            "pass_rate",
        ]
        .map(String::from),
    );
    let labels = labels(&d.entries);
    for t in by_trainee(&d.entries) {
        let rows = CheckId::ALL
            .iter()
            .map(|c| (c.as_str(), labels[c.index()].as_str(), t.checks[c.index()]))
            .chain(std::iter::once(("response_time", "响应时效", t.time)));
        for (id, label, tally) in rows {
            row(
                &mut out,
                &[
                    t.name.clone(),
                    id.into(),
                    label.into(),
                    tally.involved.to_string(),
                    tally.passed.to_string(),
                    tally.rate().map(|r| format!("{r:.1}")).unwrap_or_default(),
                ],
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("小王"), "小王");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("说\"好\""), "\"说\"\"好\"\"\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
        assert_eq!(field("=1+1"), "'=1+1");
    }
}
