//! `MACD`: trade crossings of the MACD line and its signal line.

use serde_json::Value;

use super::common::{crossed_above, crossed_below, signals_from};
use crate::params::rule_params;
use crate::{IndicatorKey, Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`MacdRule`].
    MacdParams for MacdRule {
        fast: usize = 12, int_range(2, 100), "Fast EMA period";
        slow: usize = 26, int_range(3, 200), "Slow EMA period (greater than fast)";
        signal: usize = 9, int_range(2, 100), "Signal-line EMA period";
    }
    check |p| (p.fast >= p.slow).then_some(("fast", "must be below slow"))
}

/// Buys when the MACD line crosses above its signal line, sells on the
/// cross below.
#[derive(Debug, Clone, PartialEq)]
pub struct MacdRule {
    params: MacdParams,
}

impl Rule for MacdRule {
    fn rule_type(&self) -> &'static str {
        "MACD"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!("MACD_{}_{}_{}", p.fast, p.slow, p.signal)
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let macd = ctx.indicator(IndicatorKey::Macd {
            fast: p.fast,
            slow: p.slow,
            signal: p.signal,
        });
        let (line, signal) = (macd.line(0), macd.line(1));
        signals_from(
            line.len(),
            |t| crossed_above(line, signal, t),
            |t| crossed_below(line, signal, t),
        )
    }
}
