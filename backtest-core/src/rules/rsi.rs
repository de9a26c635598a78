//! `RSI`: buy when oversold, sell when overbought.

use serde_json::Value;

use super::common::{id_num, threshold_signals};
use crate::params::rule_params;
use crate::{IndicatorKey, Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`RsiRule`].
    RsiParams for RsiRule {
        period: usize = 14, int_range(2, 200), "RSI lookback in bars (Wilder smoothing)";
        oversold: f64 = 30.0, float_range(1.0, 99.0, 1.0), "Buy when RSI falls below this level";
        overbought: f64 = 70.0, float_range(1.0, 99.0, 1.0), "Sell when RSI rises above this level";
    }
    check |p| (p.oversold >= p.overbought).then_some(("oversold", "must be below overbought"))
}

/// Enters long when RSI(t) < oversold, exits when RSI(t) > overbought.
#[derive(Debug, Clone, PartialEq)]
pub struct RsiRule {
    params: RsiParams,
}

impl Rule for RsiRule {
    fn rule_type(&self) -> &'static str {
        "RSI"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!(
            "RSI_{}_{}_{}",
            p.period,
            id_num(p.oversold),
            id_num(p.overbought)
        )
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let rsi = ctx.indicator(IndicatorKey::Rsi { period: p.period });
        threshold_signals(rsi.main(), p.oversold, p.overbought)
    }
}
