//! `TREND`: long-term trend filter.

use serde_json::Value;

use super::common::signals_from;
use crate::params::rule_params;
use crate::{MaKind, Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`TrendRule`].
    TrendParams for TrendRule {
        period: usize = 200, int_range(5, 500), "Trend moving-average period";
        kind: MaKind = MaKind::Sma, choice_of(MaKind::CHOICES), "Moving-average type";
    }
    check |_p| None
}

/// In the market while the close is above its long-term moving average:
/// buys when close(t) > MA(t), sells when close(t) < MA(t).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRule {
    params: TrendParams,
}

impl Rule for TrendRule {
    fn rule_type(&self) -> &'static str {
        "TREND"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!("TREND_{}_{}", p.period, p.kind.as_str().to_uppercase())
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let ma = ctx.moving_average(p.kind, p.period);
        let ma = ma.main();
        let close = ctx.series().close();
        signals_from(close.len(), |t| close[t] > ma[t], |t| close[t] < ma[t])
    }
}
