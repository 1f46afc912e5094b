//! The stable check ids of the courseware rubric (see DESIGN.md, "Rubric checks").

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One rubric check. The order here is the order of `score` output and of reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    Greeting,
    Politeness,
    Empathy,
    Apology,
    OverPromise,
    TwoChoices,
    Clarify,
    Value,
    Remedy,
    FollowUp,
    Blame,
    Rude,
    PriceConcession,
    Closing,
}

impl CheckId {
    pub const ALL: [CheckId; 14] = [
        CheckId::Greeting,
        CheckId::Politeness,
        CheckId::Empathy,
        CheckId::Apology,
        CheckId::OverPromise,
        CheckId::TwoChoices,
        CheckId::Clarify,
        CheckId::Value,
        CheckId::Remedy,
        CheckId::FollowUp,
        CheckId::Blame,
        CheckId::Rude,
        CheckId::PriceConcession,
        CheckId::Closing,
    ];
    pub const COUNT: usize = 14;

    /// The id as written in RON, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Greeting => "greeting",
            CheckId::Politeness => "politeness",
            CheckId::Empathy => "empathy",
            CheckId::Apology => "apology",
            CheckId::OverPromise => "over_promise",
            CheckId::TwoChoices => "two_choices",
            CheckId::Clarify => "clarify",
            CheckId::Value => "value",
            CheckId::Remedy => "remedy",
            CheckId::FollowUp => "follow_up",
            CheckId::Blame => "blame",
            CheckId::Rude => "rude",
            CheckId::PriceConcession => "price_concession",
            CheckId::Closing => "closing",
        }
    }

    /// Violations are checks whose presence is bad (✗ in DESIGN.md).
    pub fn is_violation(self) -> bool {
        matches!(
            self,
            CheckId::OverPromise | CheckId::Blame | CheckId::Rude | CheckId::PriceConcession
        )
    }

    /// Index into `ALL`, for fixed-size tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The Chinese short name used when the rubric file is not at hand.
    pub fn default_label(self) -> &'static str {
        match self {
            CheckId::Greeting => "问好",
            CheckId::Politeness => "礼貌用语",
            CheckId::Empathy => "认同感受",
            CheckId::Apology => "真诚道歉",
            CheckId::OverPromise => "过度承诺",
            CheckId::TwoChoices => "二选其一",
            CheckId::Clarify => "了解需求",
            CheckId::Value => "突出价值",
            CheckId::Remedy => "提出补救",
            CheckId::FollowUp => "告知流程时限",
            CheckId::Blame => "责怪顾客",
            CheckId::Rude => "不礼貌",
            CheckId::PriceConcession => "违规让价",
            CheckId::Closing => "礼貌告别",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an id that is not one of the 14.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCheck(pub String);

impl fmt::Display for UnknownCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = CheckId::ALL.iter().map(|c| c.as_str()).collect();
        write!(
            f,
            "unknown check id `{}` (known: {})",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownCheck {}

impl FromStr for CheckId {
    type Err = UnknownCheck;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckId::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCheck(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_index_matches_order() {
        for (i, c) in CheckId::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(c.as_str().parse::<CheckId>().unwrap(), *c);
        }
        assert!("greting".parse::<CheckId>().is_err());
    }
}
