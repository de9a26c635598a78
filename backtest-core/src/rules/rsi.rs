//! `RSI`: buy when oversold, sell when overbought.

use serde_json::{json, Value};

use super::common::{rsi, threshold_signals};
use crate::{ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int(
            "period",
            14,
            2,
            200,
            "RSI lookback in bars (Wilder smoothing)",
        ),
        ParamSpec::float(
            "oversold",
            30.0,
            (1.0, 99.0, 1.0),
            "Buy when RSI falls below this level",
        ),
        ParamSpec::float(
            "overbought",
            70.0,
            (1.0, 99.0, 1.0),
            "Sell when RSI rises above this level",
        ),
    ]
}

/// Enters long when RSI(t) < oversold, exits when RSI(t) > overbought.
#[derive(Debug, Clone, PartialEq)]
pub struct RsiRule {
    period: usize,
    oversold: f64,
    overbought: f64,
}

impl RsiRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        let rule = Self {
            period: p.usize("period"),
            oversold: p.float("oversold"),
            overbought: p.float("overbought"),
        };
        if rule.oversold >= rule.overbought {
            return Err(p.constraint_error("oversold", "must be below overbought"));
        }
        Ok(rule)
    }
}

impl Rule for RsiRule {
    fn rule_type(&self) -> &'static str {
        "RSI"
    }

    fn rule_id(&self) -> String {
        format!(
            "RSI_{}_{}_{}",
            self.period,
            super::common::id_num(self.oversold),
            super::common::id_num(self.overbought)
        )
    }

    fn params(&self) -> Value {
        json!({"period": self.period, "oversold": self.oversold, "overbought": self.overbought})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let rsi = rsi(ctx, self.period);
        threshold_signals(&rsi, self.oversold, self.overbought)
    }
}
