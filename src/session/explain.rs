//! Words for a trainee: what the customer heard, and what each lost point was for. Shared by
//! the terminal, the window and the reports.

use crate::listen::{Heard, PromiseKind};
use crate::rubric::TurnVerdict;

/// One line saying what the customer understood, or `None` when nothing was heard.
/// e.g. 顾客听到：给了选择「补发」「退款」，选了「补发」；问了订单号（已回答）；承诺「今天下午回复」。
pub fn heard_line(h: &Heard) -> Option<String> {
    let mut parts = Vec::new();
    if h.repeated {
        parts.push(match h.repeats_turn {
            Some(t) => format!("和第 {t} 轮说的一样"),
            None => "重复了之前的话".into(),
        });
    }
    if h.off_topic {
        parts.push("没有回应顾客这句话（答非所问）".into());
    }
    if !h.unanswered.is_empty() {
        let asks: Vec<String> = h.unanswered.iter().map(|a| format!("「{a}」")).collect();
        parts.push(format!("没回答{}", asks.join("")));
    }
    if !h.offered.is_empty() {
        let names: Vec<String> = h
            .offered
            .iter()
            .map(|o| format!("「{}」", o.text))
            .collect();
        let mut s = if h.choice {
            format!("给了选择{}", names.join(""))
        } else {
            format!("提到{}", names.join(""))
        };
        if let Some(p) = &h.picked
            && let Some(o) = h.offered.iter().find(|o| &o.id == p)
        {
            s.push_str(&format!("，顾客选了「{}」", o.text));
        }
        parts.push(s);
    }
    if !h.asked.is_empty() {
        let asks: Vec<String> = h
            .asked
            .iter()
            .map(|a| {
                if h.answered.contains(&a.id) {
                    format!("{}（顾客答了）", a.label)
                } else {
                    a.label.clone()
                }
            })
            .collect();
        parts.push(format!("问了{}", asks.join("、")));
    }
    for p in &h.promised {
        parts.push(match p.kind {
            PromiseKind::Time => format!("承诺了时间「{}」", p.text),
            PromiseKind::Action => format!("答应了「{}」", p.text),
        });
    }
    if !h.refused.is_empty() {
        let r: Vec<String> = h
            .refused
            .iter()
            .map(|r| format!("「{}」", r.text))
            .collect();
        parts.push(format!("拒绝了{}", r.join("")));
    }
    (!parts.is_empty()).then(|| format!("顾客听到：{}。", parts.join("；")))
}

/// One line listing what each lost point was for, largest first, or `None` for a full score.
/// e.g. 丢分：关键点没做到：要订单号 −17；缺少「认同感受」−9。
pub fn lost_line(v: &TurnVerdict) -> Option<String> {
    let parts: Vec<String> = v
        .lost
        .iter()
        .filter(|l| l.points >= 0.5)
        .map(|l| format!("{} −{:.0}", l.reason, l.points))
        .collect();
    (!parts.is_empty()).then(|| format!("丢分：{}。", parts.join("；")))
}

/// Key points as ✓/✗ marks: ✓要订单号 ✗说清什么时候答复.
pub fn key_points_line(v: &TurnVerdict) -> Option<String> {
    if v.key_points.is_empty() {
        return None;
    }
    let marks: Vec<String> = v
        .key_points
        .iter()
        .map(|k| format!("{}{}", if k.covered { "✓" } else { "✗" }, k.point))
        .collect();
    Some(format!("关键点：{}", marks.join("  ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listen::{Item, Promise};
    use crate::rubric::{KeyPointVerdict, LostPoints, ScoreParts};

    fn item(id: &str, text: &str) -> Item {
        Item {
            id: id.into(),
            label: text.into(),
            text: text.into(),
            start: 0,
            end: 0,
            group: String::new(),
        }
    }

    #[test]
    fn heard_reads_as_a_sentence() {
        let h = Heard {
            offered: vec![item("resend", "补发"), item("refund", "退款")],
            choice: true,
            picked: Some("refund".into()),
            asked: vec![item("order_number", "订单号")],
            answered: vec!["order_number".into()],
            promised: vec![Promise {
                kind: PromiseKind::Time,
                text: "今天下午回复您".into(),
                start: 0,
                end: 0,
            }],
            ..Heard::default()
        };
        assert_eq!(
            heard_line(&h).as_deref(),
            Some(
                "顾客听到：给了选择「补发」「退款」，顾客选了「退款」；问了订单号（顾客答了）；承诺了时间「今天下午回复您」。"
            )
        );
        assert_eq!(heard_line(&Heard::default()), None);
        let r = Heard {
            repeated: true,
            repeats_turn: Some(2),
            ..Heard::default()
        };
        assert_eq!(
            heard_line(&r).as_deref(),
            Some("顾客听到：和第 2 轮说的一样。")
        );
    }

    #[test]
    fn lost_points_and_key_points() {
        let v = TurnVerdict {
            score: 74,
            parts: ScoreParts::default(),
            lost: vec![
                LostPoints {
                    reason: "关键点没做到：要订单号".into(),
                    points: 17.5,
                    check: None,
                    section: String::new(),
                },
                LostPoints {
                    reason: "缺少「认同感受」".into(),
                    points: 9.0,
                    check: None,
                    section: String::new(),
                },
                LostPoints {
                    reason: "回复超过目标时间".into(),
                    points: 0.2,
                    check: None,
                    section: String::new(),
                },
            ],
            key_points: vec![KeyPointVerdict {
                point: "要订单号".into(),
                weight: 1,
                covered: false,
            }],
            conduct: vec![],
            checks: vec![],
            detected: Default::default(),
            similarity: 0.0,
            closest_answer: None,
            seconds: 1.0,
            target_seconds: None,
            on_time: true,
        };
        assert_eq!(
            lost_line(&v).as_deref(),
            Some("丢分：关键点没做到：要订单号 −18；缺少「认同感受」 −9。")
        );
        assert_eq!(key_points_line(&v).as_deref(), Some("关键点：✗要订单号"));
    }
}
