//! `TREND`: long-term trend filter.

use serde_json::{json, Value};

use super::common::{moving_average, signals_from};
use crate::{ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("period", 200, 5, 500, "Trend moving-average period"),
        ParamSpec::choice("kind", &["sma", "ema"], "Moving-average type"),
    ]
}

/// In the market while the close is above its long-term moving average:
/// buys when close(t) > MA(t), sells when close(t) < MA(t).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRule {
    period: usize,
    kind: String,
}

impl TrendRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        Ok(Self {
            period: p.usize("period"),
            kind: p.choice("kind").to_owned(),
        })
    }
}

impl Rule for TrendRule {
    fn rule_type(&self) -> &'static str {
        "TREND"
    }

    fn rule_id(&self) -> String {
        format!("TREND_{}_{}", self.period, self.kind.to_uppercase())
    }

    fn params(&self) -> Value {
        json!({"period": self.period, "kind": self.kind})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let ma = moving_average(ctx, &self.kind, self.period);
        let close = ctx.series().close();
        signals_from(close.len(), |t| close[t] > ma[t], |t| close[t] < ma[t])
    }
}
