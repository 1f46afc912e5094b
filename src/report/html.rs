//! HTML: one self-contained page (inline CSS and SVG, no scripts, no network): an overview of
//! every trainee's check pass rates, then per trainee their numbers, a bar chart of check pass
//! rates, a trend of scores over time, their sessions, and each transcript with its verdicts.
//! Every piece of text from a result file is escaped.

use super::{
    Entry, ReportData, Tally, TraineeStats, by_trainee, drill_text, labels, outcome_text,
    passed_text, session_checks, short_time,
};
use crate::rubric::{CheckId, CheckRole};
use crate::session::Mode;
use std::fmt::Write;

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink:#1f2933; --muted:#6b7785; --line:#dde3ea; --bg:#f6f8fa; --good:#2f9e44; --bad:#d9480f; --accent:#1c7ed6; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",system-ui,sans-serif;
  font-size:15px; line-height:1.55; }
main { max-width:1240px; margin:0 auto; padding:24px 28px 60px; }
h1 { font-size:26px; margin:0 0 4px; }
h2 { font-size:21px; margin:0 0 12px; }
h3 { font-size:16px; margin:22px 0 8px; color:var(--muted); }
.meta { color:var(--muted); margin:0; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:20px 22px; margin-top:20px; }
.warn { background:#fff4e6; border-color:#ffc078; }
.warn li { font-family:ui-monospace,"DejaVu Sans Mono",monospace; font-size:13px; word-break:break-all; }
table { border-collapse:collapse; width:100%; }
th, td { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left; vertical-align:top; }
th { font-size:13px; color:var(--muted); font-weight:600; white-space:nowrap; word-break:keep-all; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.overview th, .overview td { padding:5px 4px; font-size:13px; }
.overview th { white-space:normal; word-break:keep-all; overflow-wrap:normal; text-align:center; vertical-align:bottom; min-width:44px; }
.overview th:first-child, .overview td:first-child { text-align:left; white-space:nowrap; padding-left:6px; }
.overview td.rate { text-align:center; font-variant-numeric:tabular-nums; white-space:nowrap; border-left:1px solid #fff; }
.overview td.rate small { display:block; color:#495057; font-size:10.5px; }
.overview td.none { color:#adb5bd; text-align:center; }
.scroll { overflow-x:auto; }
.who-name { display:inline-block; max-width:16em; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; vertical-align:bottom; }
h2 { overflow-wrap:anywhere; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin-bottom:14px; }
.card { border:1px solid var(--line); border-radius:8px; padding:8px 14px; min-width:110px; }
.card b { display:block; font-size:22px; }
.card span { color:var(--muted); font-size:13px; }
.charts { display:flex; flex-wrap:wrap; gap:18px; }
figure { margin:0; flex:1 1 480px; min-width:0; }
figure svg { width:100%; height:auto; display:block; }
.sessions td { white-space:nowrap; }
.sessions td.wrap { white-space:normal; min-width:160px; }
figcaption { color:var(--muted); font-size:13px; margin-bottom:4px; }
svg text { font-family:inherit; }
.pass { color:var(--good); font-weight:600; }
.fail { color:var(--bad); font-weight:600; }
.unfinished { color:var(--muted); font-style:italic; }
details { border:1px solid var(--line); border-radius:8px; margin:8px 0; }
summary { cursor:pointer; padding:8px 12px; background:#f8f9fb; border-radius:8px; }
.transcript { padding:8px 14px 14px; }
.msg { max-width:78%; padding:7px 11px; border-radius:10px; margin:8px 0 4px; white-space:pre-wrap; word-break:break-word; }
.msg .who { display:block; font-size:12px; color:var(--muted); }
.customer { background:#eef2f6; }
.reply { background:#e7f5ff; margin-left:auto; }
.verdict { margin:0 0 10px auto; max-width:78%; font-size:13px; }
.verdict ul { list-style:none; margin:4px 0; padding:0; display:flex; flex-wrap:wrap; gap:4px 6px; }
.verdict li { border-radius:4px; padding:1px 7px; }
.verdict li.ok { background:#ebfbee; color:#2b8a3e; }
.verdict li.no { background:#fff0f0; color:#c92a2a; }
.verdict p { margin:2px 0; }
.score { font-weight:700; }
.end { border:1px dashed #adb5bd; }
.legend { color:var(--muted); font-size:12px; margin:6px 0 0; }
"#;

/// Background colour for a pass rate: red (0%) through amber to green (100%).
fn heat(rate: f64) -> String {
    let hue = (rate.clamp(0.0, 100.0) * 1.2).round();
    format!("hsl({hue},70%,86%)")
}

fn bar_colour(rate: f64) -> &'static str {
    if rate >= 80.0 {
        "#40c057"
    } else if rate >= 60.0 {
        "#fab005"
    } else {
        "#fa5252"
    }
}

/// The checks any trainee in the report was measured on, in rubric order.
fn involved_checks(stats: &[TraineeStats]) -> Vec<CheckId> {
    CheckId::ALL
        .into_iter()
        .filter(|c| stats.iter().any(|t| t.checks[c.index()].involved > 0))
        .collect()
}

fn rate_cell(out: &mut String, trainee: &str, id: &str, t: Tally) {
    match t.rate() {
        Some(r) => {
            let _ = write!(
                out,
                "<td class=\"rate\" style=\"background:{}\" data-trainee=\"{}\" data-check=\"{id}\" data-passed=\"{}\" data-involved=\"{}\">{r:.1}%<small>{}/{}</small></td>",
                heat(r),
                esc(trainee),
                t.passed,
                t.involved,
                t.passed,
                t.involved
            );
        }
        None => {
            let _ = write!(
                out,
                "<td class=\"none\" data-trainee=\"{}\" data-check=\"{id}\" data-passed=\"0\" data-involved=\"0\">—</td>",
                esc(trainee)
            );
        }
    }
}

/// Horizontal bars: one per check the trainee was measured on, plus response time.
fn bars_svg(t: &TraineeStats, labels: &[String; CheckId::COUNT]) -> String {
    let mut rows: Vec<(String, Tally)> = CheckId::ALL
        .into_iter()
        .filter(|c| t.checks[c.index()].involved > 0)
        .map(|c| (labels[c.index()].clone(), t.checks[c.index()]))
        .collect();
    if t.time.involved > 0 {
        rows.push(("响应时效".into(), t.time));
    }
    if rows.is_empty() {
        return "<p class=\"legend\">还没有评过分的回复。</p>".into();
    }
    let (lw, bw, rh, top) = (112.0, 330.0, 26.0, 22.0);
    let w = lw + bw + 110.0;
    let h = top + rh * rows.len() as f64 + 8.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" width=\"{w}\" height=\"{h}\" style=\"max-width:{w}px\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"各项检查通过率\">"
    );
    for pct in [0.0, 50.0, 100.0] {
        let x = lw + bw * pct / 100.0;
        let _ = write!(
            s,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#dee2e6\" stroke-dasharray=\"3 3\"/><text x=\"{x}\" y=\"13\" font-size=\"11\" fill=\"#868e96\" text-anchor=\"middle\">{pct:.0}%</text>",
            top - 4.0,
            h - 4.0
        );
    }
    for (i, (label, tally)) in rows.iter().enumerate() {
        let y = top + rh * i as f64;
        let r = tally.rate().unwrap_or(0.0);
        let bw_i = (bw * r / 100.0).max(1.5);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#343a40\" text-anchor=\"end\">{}</text>\
             <rect x=\"{lw}\" y=\"{}\" width=\"{bw}\" height=\"16\" rx=\"3\" fill=\"#f1f3f5\"/>\
             <rect x=\"{lw}\" y=\"{}\" width=\"{bw_i:.1}\" height=\"16\" rx=\"3\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#343a40\">{r:.1}%（{}/{}）</text>",
            lw - 8.0,
            y + 13.0,
            esc(label),
            y + 2.0,
            y + 2.0,
            bar_colour(r),
            lw + bw + 6.0,
            y + 14.0,
            tally.passed,
            tally.involved
        );
    }
    s.push_str("</svg>");
    s
}

/// Scores over time: one point per session (hollow = unfinished), oldest left.
fn trend_svg(t: &TraineeStats) -> String {
    let (w, h) = (560.0, 230.0);
    // The right margin holds the pass-mark label, clear of every point and its score.
    let (l, r, top, bottom) = (44.0, 72.0, 18.0, 46.0);
    let pw = w - l - r;
    let ph = h - top - bottom;
    let n = t.sessions.len();
    // Points stand `inset` inside the plot, so the first score label clears the axis labels
    // and the last clears the pass-mark label.
    let inset = 18.0;
    let span = pw - 2.0 * inset;
    let x = |i: usize| {
        if n <= 1 {
            l + pw / 2.0
        } else {
            l + inset + span * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + ph * (1.0 - v / 100.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\" width=\"{w}\" height=\"{h}\" style=\"max-width:{w}px\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"得分走势\">"
    );
    for v in [0.0, 20.0, 40.0, 60.0, 80.0, 100.0] {
        let _ = write!(
            s,
            "<line x1=\"{l}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#e9ecef\"/><text x=\"{2}\" y=\"{3}\" font-size=\"11\" fill=\"#868e96\" text-anchor=\"end\">{v:.0}</text>",
            y(v),
            w - r,
            l - 6.0,
            y(v) + 4.0
        );
    }
    // The pass mark, when the trainee's drill sessions share one.
    let marks: std::collections::BTreeSet<u32> = t
        .sessions
        .iter()
        .filter_map(|e| e.record.drill.as_ref().and_then(|d| d.pass_mark))
        .collect();
    if marks.len() == 1
        && let Some(&m) = marks.iter().next()
    {
        let _ = write!(
            s,
            "<line x1=\"{l}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#fa5252\" stroke-dasharray=\"6 4\"/><text class=\"pass-mark\" x=\"{2}\" y=\"{3}\" font-size=\"11\" fill=\"#e03131\">及格线 {m}</text>",
            y(m as f64),
            w - r,
            w - r + 16.0,
            y(m as f64) + 4.0
        );
    }
    let pts: Vec<String> = t
        .sessions
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{:.1},{:.1}", x(i), y(e.record.total as f64)))
        .collect();
    if n > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1c7ed6\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>",
            pts.join(" ")
        );
    }
    let every = n.div_ceil(10).max(1);
    // Score labels about 28 px apart at least, so neighbours never overlap (every point keeps
    // its score in a tooltip).
    let step = if n > 1 { span / (n - 1) as f64 } else { span };
    let label_every = ((28.0 / step).ceil() as usize).max(1);
    // Dates under the points, or times of day when every session was on one day.
    let one_day = t
        .sessions
        .windows(2)
        .all(|w| super::started_day(&w[0].record) == super::started_day(&w[1].record));
    for (i, e) in t.sessions.iter().enumerate() {
        let r = &e.record;
        let (cx, cy) = (x(i), y(r.total as f64));
        let fill = if r.finished { "#1c7ed6" } else { "#fff" };
        let _ = write!(
            s,
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"4.5\" fill=\"{fill}\" stroke=\"#1c7ed6\" stroke-width=\"2\"><title>{} {} {} 分</title></circle>",
            esc(&short_time(&r.started)),
            esc(&r.scenario.title),
            r.total,
        );
        // Counted from the newest, which always shows.
        if (n - 1 - i).is_multiple_of(label_every) {
            let _ = write!(
                s,
                "<text class=\"score-label\" x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#1f2933\" text-anchor=\"middle\">{}</text>",
                cy - 9.0,
                r.total
            );
        }
        if (n - 1 - i).is_multiple_of(every) {
            let day: String = short_time(&r.started)
                .chars()
                .skip(if one_day { 11 } else { 5 })
                .take(5)
                .collect();
            let _ = write!(
                s,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#868e96\" text-anchor=\"middle\">{}</text><text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#adb5bd\" text-anchor=\"middle\">#{}</text>",
                h - bottom + 16.0,
                esc(&day),
                h - bottom + 30.0,
                i + 1
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn transcript(out: &mut String, e: &Entry) {
    let r = &e.record;
    let name = &r.scenario.customer_name;
    let _ = write!(
        out,
        "<details class=\"session-log\" data-file=\"{}\"><summary>{}{} · {}（{}）· {} · <span class=\"score\">{} 分</span> {}</summary><div class=\"transcript\">",
        esc(&e.file),
        esc(&short_time(&r.started)),
        match drill_text(r) {
            d if d.is_empty() => String::new(),
            d => format!(" · {}", esc(&d)),
        },
        esc(&r.scenario.title),
        esc(&r.scenario.persona_label),
        esc(&outcome_text(r)),
        r.total,
        esc(&r.rank),
    );
    let _ = write!(
        out,
        "<p class=\"legend\">种子 seed {} · {} · 顾客情绪 {} · 耐心 {} · 文件 {}</p>",
        r.seed,
        esc(r.mode.label()),
        r.temperament.mood,
        r.temperament.patience,
        esc(&e.file)
    );
    for t in &r.turns {
        let v = &t.verdict;
        let _ = write!(
            out,
            "<div class=\"msg customer\"><span class=\"who\">{}</span>{}</div>\
             <div class=\"msg reply\"><span class=\"who\">学员 · 第{}轮</span>{}</div><div class=\"verdict\">",
            esc(name),
            esc(&t.customer),
            t.index,
            esc(&t.reply)
        );
        let timing = match v.target_seconds {
            Some(tg) if !v.on_time => format!("用时 {:.0} 秒，超过目标 {tg:.0} 秒", t.seconds),
            Some(tg) => format!("用时 {:.0} 秒（目标 {tg:.0} 秒内）", t.seconds),
            None => format!("用时 {:.0} 秒", t.seconds),
        };
        let _ = write!(
            out,
            "<span class=\"score\">{} 分</span> · {} · 相似度 {:.0}% · 情绪 {}→{}<ul>",
            t.score,
            esc(&timing),
            v.similarity * 100.0,
            t.mood_before,
            t.mood_after
        );
        for c in &v.checks {
            let (class, mark) = if c.passed {
                ("ok", "✓")
            } else {
                ("no", "✗")
            };
            let ev: Vec<&str> = c.evidence.iter().map(|e| e.text.as_str()).collect();
            let ev = if ev.is_empty() || c.passed && c.role == CheckRole::Violation {
                String::new()
            } else {
                format!("「{}」", ev.join("、"))
            };
            let _ = write!(
                out,
                "<li class=\"{class}\" title=\"{}\">{mark} {}{}</li>",
                esc(&c.message),
                esc(&c.label),
                esc(&ev)
            );
        }
        out.push_str("</ul>");
        if let Some(h) = crate::session::explain::heard_line(&t.heard) {
            let _ = write!(out, "<p class=\"legend\">{}</p>", esc(&h));
        }
        for c in &v.conduct {
            let _ = write!(out, "<p>✗ {}：{}</p>", esc(&c.label), esc(&c.message));
        }
        if let Some(k) = crate::session::explain::key_points_line(v) {
            let _ = write!(out, "<p>{}</p>", esc(&k));
        }
        if let Some(l) = crate::session::explain::lost_line(v) {
            let _ = write!(out, "<p>{}</p>", esc(&l));
        }
        for c in v.checks.iter().filter(|c| !c.passed) {
            let _ = write!(out, "<p>✗ {}：{}</p>", esc(&c.label), esc(&c.message));
            if let Some(sg) = &c.suggestion {
                let _ = write!(out, "<p>建议改为：{}</p>", esc(sg));
            }
        }
        if let Some(a) = &v.closest_answer
            && t.score < 85
        {
            let _ = write!(out, "<p class=\"legend\">参考回复：{}</p>", esc(a));
        }
        out.push_str("</div>");
    }
    match (&r.ending_line, r.finished) {
        (Some(l), _) => {
            let _ = write!(
                out,
                "<div class=\"msg customer end\"><span class=\"who\">{}</span>{}</div><p>结果：<b>{}</b></p>",
                esc(name),
                esc(l),
                esc(&outcome_text(r))
            );
        }
        (None, false) => {
            if let Some(p) = &r.pending_line {
                let _ = write!(
                    out,
                    "<div class=\"msg customer end\"><span class=\"who\">{}</span>{}</div>",
                    esc(name),
                    esc(p)
                );
            }
            out.push_str("<p class=\"unfinished\">对话未完成（学员没有回复完就离开了）。</p>");
        }
        _ => {}
    }
    out.push_str("</div></details>");
}

fn trainee_section(
    out: &mut String,
    idx: usize,
    t: &TraineeStats,
    labels: &[String; CheckId::COUNT],
) {
    let _ = write!(
        out,
        "<section class=\"trainee\" id=\"trainee-{idx}\" data-trainee=\"{}\"><h2>学员：{}</h2><div class=\"cards\">",
        esc(&t.name),
        esc(&t.name)
    );
    let weakest: Vec<String> = t
        .weakest(3)
        .into_iter()
        .map(|c| format!("{} {}", labels[c.index()], t.checks[c.index()].rate_text()))
        .collect();
    let cards = [
        (t.sessions.len().to_string(), "场对练".to_string()),
        (t.finished.to_string(), "场完成".to_string()),
        (t.average_text(), "平均分（已完成）".to_string()),
        (
            t.steps_text().unwrap_or_else(|| "—".into()),
            "训练关卡通过".to_string(),
        ),
        (t.time.rate_text(), "按时回复".to_string()),
    ];
    for (v, l) in cards {
        let _ = write!(
            out,
            "<div class=\"card\"><b>{}</b><span>{}</span></div>",
            esc(&v),
            esc(&l)
        );
    }
    out.push_str("</div>");
    if !weakest.is_empty() {
        let _ = write!(
            out,
            "<p>最弱的检查：<span class=\"fail\">{}</span></p>",
            esc(&weakest.join("、"))
        );
    }
    let _ = write!(
        out,
        "<div class=\"charts\"><figure><figcaption>各项检查通过率（通过的回复 / 涉及该项的回复）</figcaption>{}</figure>\
         <figure><figcaption>得分走势（空心点 = 未完成）</figcaption>{}</figure></div>",
        bars_svg(t, labels),
        trend_svg(t)
    );
    out.push_str(
        "<h3>对练记录</h3><div class=\"scroll\"><table class=\"sessions\"><thead><tr><th>开始时间</th><th>训练·关卡</th><th>场景</th><th>类型</th><th>模式</th><th class=\"num\">轮数</th><th>结果</th><th class=\"num\">得分</th><th>等级</th><th>通过</th><th>未做到的检查</th></tr></thead><tbody>",
    );
    for e in &t.sessions {
        let r = &e.record;
        let failed: Vec<String> = session_checks(r)
            .iter()
            .zip(CheckId::ALL)
            .filter(|(x, _)| x.passed < x.involved)
            .map(|(x, c)| format!("{} {} 次", labels[c.index()], x.involved - x.passed))
            .collect();
        let pass = passed_text(r);
        let pass_class = match pass {
            "通过" => "pass",
            "未通过" => "fail",
            _ => "",
        };
        let _ = write!(
            out,
            "<tr class=\"session\" data-file=\"{}\" data-total=\"{}\" data-finished=\"{}\"><td>{}</td><td>{}</td><td class=\"wrap\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"{}\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"{pass_class}\">{}</td><td class=\"wrap\">{}</td></tr>",
            esc(&e.file),
            r.total,
            r.finished,
            esc(&short_time(&r.started)),
            esc(&drill_text(r)),
            esc(&r.scenario.title),
            esc(&r.scenario.persona_label),
            if r.mode == Mode::Exam {
                "考核"
            } else {
                "教练"
            },
            r.turns.len(),
            if r.finished { "" } else { "unfinished" },
            esc(&outcome_text(r)),
            r.total,
            esc(&r.rank),
            pass,
            esc(&failed.join("、"))
        );
    }
    out.push_str("</tbody></table></div><h3>对话记录与评语（点开查看）</h3>");
    for e in t.sessions.iter().rev() {
        transcript(out, e);
    }
    out.push_str("</section>");
}

pub fn render(d: &ReportData) -> String {
    let stats = by_trainee(&d.entries);
    let labels = labels(&d.entries);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>陪练训练报告</title><style>{STYLE}</style></head><body><main>"
    );
    let filter = d.filter.describe();
    let _ = write!(
        out,
        "<h1>陪练 · 训练报告</h1><p class=\"meta\">结果文件夹 {} · {} 场对练 · {} 位学员{} · 生成于 {}（时间均为本地时间 {}）</p>",
        esc(&d.dir.display().to_string()),
        d.entries.len(),
        stats.len(),
        if filter.is_empty() {
            String::new()
        } else {
            format!(" · 筛选：{}", esc(&filter))
        },
        esc(&short_time(&d.generated)),
        esc(&super::zone_text())
    );
    if !d.skipped.is_empty() {
        out.push_str("<section class=\"warn\"><h2>跳过的文件</h2><p>这些文件不是有效的结果文件（可能是崩溃或拷贝不完整），没有计入报告：</p><ul>");
        for s in &d.skipped {
            let _ = write!(out, "<li class=\"skipped\">{}</li>", esc(s));
        }
        out.push_str("</ul></section>");
    }
    let checks = involved_checks(&stats);
    out.push_str("<section><h2>总览：谁在哪一项上吃力</h2><div class=\"scroll\"><table class=\"overview\"><thead><tr><th>学员</th><th class=\"num\">场次</th><th class=\"num\">完成</th><th class=\"num\">平均分</th><th class=\"num\">关卡通过</th>");
    for c in &checks {
        let _ = write!(out, "<th title=\"{c}\">{}</th>", esc(&labels[c.index()]));
    }
    out.push_str("<th>响应时效</th></tr></thead><tbody>");
    for (i, t) in stats.iter().enumerate() {
        let _ = write!(
            out,
            "<tr class=\"trainee-row\" data-trainee=\"{}\" data-average=\"{}\"><td><a class=\"who-name\" href=\"#trainee-{i}\" title=\"{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            esc(&t.name),
            t.average.map(|a| format!("{a:.1}")).unwrap_or_default(),
            esc(&t.name),
            esc(&t.name),
            t.sessions.len(),
            t.finished,
            t.average_text(),
            t.steps_text().unwrap_or_else(|| "—".into())
        );
        for c in &checks {
            rate_cell(&mut out, &t.name, c.as_str(), t.checks[c.index()]);
        }
        rate_cell(&mut out, &t.name, "response_time", t.time);
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div><p class=\"legend\">格子里是通过率与「通过的回复 / 涉及该项的回复」；红色越深越需要练习。平均分只计已完成的对练。</p></section>");
    if stats.is_empty() {
        out.push_str("<section><p>没有符合条件的对练记录。</p></section>");
    }
    for (i, t) in stats.iter().enumerate() {
        trainee_section(&mut out, i, t, &labels);
    }
    out.push_str("</main></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::esc;
    use crate::report::{Entry, Filter, ReportData};
    use crate::session::{DrillRef, Mode, Session};
    use std::sync::Arc;

    /// Every value of attribute `name` in elements whose opening tag has `marker`.
    fn attrs(html: &str, marker: &str, name: &str) -> Vec<f64> {
        html.split('<')
            .filter(|t| t.contains(marker))
            .filter_map(|t| {
                let at = t.find(&format!(" {name}=\""))? + name.len() + 3;
                t[at..].split('"').next()?.parse().ok()
            })
            .collect()
    }

    fn report(name: &str, totals: &[u32]) -> String {
        let rubric = crate::rubric::Rubric::builtin();
        let dir = std::path::Path::new("scenarios");
        let sc = crate::scenario::resolve("haggler-phone-case", dir, &rubric).unwrap();
        let mut session = Session::start(Arc::new(sc), &rubric, 1, name, Mode::Practice, "test");
        session.reply(&rubric, "您好亲，在的！", 5.0).unwrap();
        let entries = totals
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let mut record = session.record.clone();
                record.total = t;
                record.started_at += 86_400 * i as u64;
                record.drill = Some(DrillRef {
                    name: "d".into(),
                    step: 1,
                    of: 1,
                    attempt: 1,
                    pass_mark: Some(60),
                });
                Entry {
                    file: format!("{i}.json"),
                    record,
                }
            })
            .collect();
        super::render(&ReportData {
            dir: "r".into(),
            entries,
            skipped: Vec::new(),
            filter: Filter::default(),
            generated: "2026-03-02T08:00:00+08:00".into(),
        })
    }

    #[test]
    fn each_turn_says_what_was_heard_and_what_each_lost_point_was_for() {
        let html = report("小王", &[40]);
        // "您好亲，在的！" to a price complaint: nothing about the price, so 答非所问.
        assert!(html.contains("顾客听到："), "heard line");
        assert!(html.contains("答非所问"), "conduct");
        assert!(html.contains("丢分："), "lost points");
    }

    #[test]
    fn the_pass_mark_label_stands_clear_of_every_score_label() {
        for n in [1usize, 2, 8, 40, 120] {
            let totals: Vec<u32> = (0..n).map(|i| 55 + (i as u32 * 7) % 12).collect();
            let html = report("小王", &totals);
            let mark = attrs(&html, "class=\"pass-mark\"", "x");
            assert_eq!(mark.len(), 1, "one pass-mark label");
            let xs = attrs(&html, "class=\"score-label\"", "x");
            assert!(!xs.is_empty());
            // A score label is at most three digits at 12 px, centred: 11 px each side.
            let right = xs.iter().cloned().fold(f64::MIN, f64::max) + 11.0;
            assert!(
                mark[0] > right + 4.0,
                "n={n}: pass mark at {} vs scores to {right}",
                mark[0]
            );
            for w in xs.windows(2) {
                assert!(w[1] - w[0] >= 24.0, "n={n}: score labels {w:?} too close");
            }
        }
    }

    #[test]
    fn long_names_truncate_with_a_tooltip_and_headers_keep_words_whole() {
        let long = "Alexandra Konstantinopoulou-Wolfeschlegelsteinhausen 客服一组";
        let html = report(long, &[70]);
        assert!(
            html.contains(&format!(
                "class=\"who-name\" href=\"#trainee-0\" title=\"{long}\""
            )),
            "the overview's name cell carries the whole name as a tooltip"
        );
        let css = super::STYLE;
        assert!(css.contains(".who-name { display:inline-block; max-width:16em; overflow:hidden; text-overflow:ellipsis;"));
        assert!(css.contains("th { font-size:13px; color:var(--muted); font-weight:600; white-space:nowrap; word-break:keep-all; }"));
        assert!(css.contains(".overview th { white-space:normal; word-break:keep-all;"));
    }

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(esc("a&b\"c'd"), "a&amp;b&quot;c&#39;d");
    }
}
