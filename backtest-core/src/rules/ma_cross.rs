//! `MA_CROSS`: fast/slow moving-average crossover.

use serde_json::{json, Value};

use super::common::{crossed_above, crossed_below, moving_average, signals_from};
use crate::{ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("fast", 10, 2, 400, "Fast moving-average period"),
        ParamSpec::int(
            "slow",
            30,
            3,
            500,
            "Slow moving-average period (greater than fast)",
        ),
        ParamSpec::choice("kind", &["sma", "ema"], "Moving-average type"),
    ]
}

/// Buys when fast(t) > slow(t) and fast(t-1) < slow(t-1); sells on the
/// mirror cross.
#[derive(Debug, Clone, PartialEq)]
pub struct MaCrossRule {
    fast: usize,
    slow: usize,
    kind: String,
}

impl MaCrossRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        let rule = Self {
            fast: p.usize("fast"),
            slow: p.usize("slow"),
            kind: p.choice("kind").to_owned(),
        };
        if rule.fast >= rule.slow {
            return Err(p.constraint_error("fast", "must be below slow"));
        }
        Ok(rule)
    }
}

impl Rule for MaCrossRule {
    fn rule_type(&self) -> &'static str {
        "MA_CROSS"
    }

    fn rule_id(&self) -> String {
        format!(
            "MA_CROSS_{}_{}_{}",
            self.fast,
            self.slow,
            self.kind.to_uppercase()
        )
    }

    fn params(&self) -> Value {
        json!({"fast": self.fast, "slow": self.slow, "kind": self.kind})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let fast = moving_average(ctx, &self.kind, self.fast);
        let slow = moving_average(ctx, &self.kind, self.slow);
        signals_from(
            fast.len(),
            |t| crossed_above(&fast, &slow, t),
            |t| crossed_below(&fast, &slow, t),
        )
    }
}
