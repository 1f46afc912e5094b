//! Markdown: the overview and each trainee's sessions, for pasting into a chat or a wiki.

use super::{ReportData, by_trainee, drill_text, labels, outcome_text, passed_text, short_time};
use crate::rubric::CheckId;
use std::fmt::Write;

/// Text safe inside a Markdown table cell: no pipes, line breaks or raw HTML.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
}

pub fn render(d: &ReportData) -> String {
    let stats = by_trainee(&d.entries);
    let labels = labels(&d.entries);
    let mut out = String::new();
    let _ = writeln!(out, "# 陪练训练报告\n");
    let filter = d.filter.describe();
    let _ = writeln!(
        out,
        "结果文件夹 `{}`：{} 场对练，{} 位学员{}。生成于 {}（时间均为本地时间 {}）。\n",
        d.dir.display().to_string().replace('`', "'"),
        d.entries.len(),
        stats.len(),
        if filter.is_empty() {
            String::new()
        } else {
            format!("（筛选：{}）", cell(&filter))
        },
        short_time(&d.generated),
        super::zone_text()
    );
    let checks: Vec<CheckId> = CheckId::ALL
        .into_iter()
        .filter(|c| stats.iter().any(|t| t.checks[c.index()].involved > 0))
        .collect();
    let _ = writeln!(out, "## 总览\n");
    let mut head = vec!["学员", "场次", "完成", "平均分", "关卡通过"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    head.extend(checks.iter().map(|c| cell(&labels[c.index()])));
    head.push("响应时效".into());
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        head.iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---|" } else { "---:|" })
            .collect::<String>()
    );
    let pct = |t: super::Tally| match t.rate() {
        Some(r) => format!("{r:.1}% ({}/{})", t.passed, t.involved),
        None => "—".into(),
    };
    for t in &stats {
        let mut row = vec![
            cell(&t.name),
            t.sessions.len().to_string(),
            t.finished.to_string(),
            t.average_text(),
            t.steps_text().unwrap_or_else(|| "—".into()),
        ];
        row.extend(checks.iter().map(|c| pct(t.checks[c.index()])));
        row.push(pct(t.time));
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    if stats.is_empty() {
        let _ = writeln!(out, "\n没有符合条件的对练记录。");
    }
    for t in &stats {
        let _ = writeln!(out, "\n## {}\n", cell(&t.name));
        let weak: Vec<String> = t
            .weakest(3)
            .into_iter()
            .map(|c| {
                let x = t.checks[c.index()];
                format!(
                    "{} {}（{}/{}）",
                    labels[c.index()],
                    x.rate_text(),
                    x.passed,
                    x.involved
                )
            })
            .collect();
        if !weak.is_empty() {
            let _ = writeln!(out, "最弱的检查：{}\n", weak.join("、"));
        }
        let _ = writeln!(
            out,
            "| 开始时间 | 训练·关卡 | 场景 | 模式 | 结果 | 得分 | 等级 | 通过 |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---:|---|---|");
        for e in &t.sessions {
            let r = &e.record;
            let _ = writeln!(
                out,
                "| {} | {} | {}（{}） | {} | {} | {} | {} | {} |",
                short_time(&r.started),
                cell(&drill_text(r)),
                cell(&r.scenario.title),
                cell(&r.scenario.persona_label),
                r.mode.label(),
                outcome_text(r),
                r.total,
                cell(&r.rank),
                passed_text(r)
            );
        }
    }
    if !d.skipped.is_empty() {
        let _ = writeln!(out, "\n## 跳过的文件\n");
        for s in &d.skipped {
            let _ = writeln!(out, "- {}", cell(s));
        }
    }
    out
}
