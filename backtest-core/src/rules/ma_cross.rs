//! `MA_CROSS`: fast/slow moving-average crossover.

use serde_json::Value;

use super::common::{crossed_above, crossed_below, signals_from};
use crate::params::rule_params;
use crate::{MaKind, Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`MaCrossRule`].
    MaCrossParams for MaCrossRule {
        fast: usize = 10, int_range(2, 400), "Fast moving-average period";
        slow: usize = 30, int_range(3, 500), "Slow moving-average period (greater than fast)";
        kind: MaKind = MaKind::Sma, choice_of(MaKind::CHOICES), "Moving-average type";
    }
    check |p| (p.fast >= p.slow).then_some(("fast", "must be below slow"))
}

/// Buys when fast(t) > slow(t) and fast(t-1) < slow(t-1); sells on the
/// mirror cross.
#[derive(Debug, Clone, PartialEq)]
pub struct MaCrossRule {
    params: MaCrossParams,
}

impl Rule for MaCrossRule {
    fn rule_type(&self) -> &'static str {
        "MA_CROSS"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!(
            "MA_CROSS_{}_{}_{}",
            p.fast,
            p.slow,
            p.kind.as_str().to_uppercase()
        )
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let fast = ctx.moving_average(p.kind, p.fast);
        let slow = ctx.moving_average(p.kind, p.slow);
        let (fast, slow) = (fast.main(), slow.main());
        signals_from(
            fast.len(),
            |t| crossed_above(fast, slow, t),
            |t| crossed_below(fast, slow, t),
        )
    }
}
