//! `MACD`: trade crossings of the MACD line and its signal line.

use serde_json::{json, Value};

use super::common::{crossed_above, crossed_below, macd, signals_from};
use crate::{ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("fast", 12, 2, 100, "Fast EMA period"),
        ParamSpec::int("slow", 26, 3, 200, "Slow EMA period (greater than fast)"),
        ParamSpec::int("signal", 9, 2, 100, "Signal-line EMA period"),
    ]
}

/// Buys when the MACD line crosses above its signal line, sells on the
/// cross below.
#[derive(Debug, Clone, PartialEq)]
pub struct MacdRule {
    pub(crate) fast: usize,
    pub(crate) slow: usize,
    pub(crate) signal: usize,
}

impl MacdRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        let rule = Self {
            fast: p.usize("fast"),
            slow: p.usize("slow"),
            signal: p.usize("signal"),
        };
        if rule.fast >= rule.slow {
            return Err(p.constraint_error("fast", "must be below slow"));
        }
        Ok(rule)
    }
}

impl Rule for MacdRule {
    fn rule_type(&self) -> &'static str {
        "MACD"
    }

    fn rule_id(&self) -> String {
        format!("MACD_{}_{}_{}", self.fast, self.slow, self.signal)
    }

    fn params(&self) -> Value {
        json!({"fast": self.fast, "slow": self.slow, "signal": self.signal})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let (line, signal) = macd(ctx, self.fast, self.slow, self.signal);
        signals_from(
            line.len(),
            |t| crossed_above(&line, &signal, t),
            |t| crossed_below(&line, &signal, t),
        )
    }
}
