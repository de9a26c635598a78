//! `RSI_MACD`: RSI weakness confirmed by MACD momentum.

use serde_json::{json, Value};

use super::common::{crossed_below, macd, rsi, signals_from};
use crate::{ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("rsi_period", 14, 2, 200, "RSI lookback in bars"),
        ParamSpec::float(
            "oversold",
            40.0,
            (1.0, 99.0, 1.0),
            "Buy only while RSI is below this level",
        ),
        ParamSpec::float(
            "overbought",
            70.0,
            (1.0, 99.0, 1.0),
            "Sell when RSI rises above this level",
        ),
        ParamSpec::int("fast", 12, 2, 100, "MACD fast EMA period"),
        ParamSpec::int("slow", 26, 3, 200, "MACD slow EMA period"),
        ParamSpec::int("signal", 9, 2, 100, "MACD signal EMA period"),
    ]
}

/// Buys when RSI(t) < oversold while the MACD line is above its signal line
/// (momentum turning up from weakness); sells when RSI(t) > overbought or
/// the MACD line crosses below its signal line.
#[derive(Debug, Clone, PartialEq)]
pub struct RsiMacdRule {
    rsi_period: usize,
    oversold: f64,
    overbought: f64,
    fast: usize,
    slow: usize,
    signal: usize,
}

impl RsiMacdRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        let rule = Self {
            rsi_period: p.usize("rsi_period"),
            oversold: p.float("oversold"),
            overbought: p.float("overbought"),
            fast: p.usize("fast"),
            slow: p.usize("slow"),
            signal: p.usize("signal"),
        };
        if rule.oversold >= rule.overbought {
            return Err(p.constraint_error("oversold", "must be below overbought"));
        }
        if rule.fast >= rule.slow {
            return Err(p.constraint_error("fast", "must be below slow"));
        }
        Ok(rule)
    }
}

impl Rule for RsiMacdRule {
    fn rule_type(&self) -> &'static str {
        "RSI_MACD"
    }

    fn rule_id(&self) -> String {
        format!(
            "RSI_MACD_{}_{}_{}_{}_{}_{}",
            self.rsi_period,
            super::common::id_num(self.oversold),
            super::common::id_num(self.overbought),
            self.fast,
            self.slow,
            self.signal
        )
    }

    fn params(&self) -> Value {
        json!({
            "rsi_period": self.rsi_period, "oversold": self.oversold, "overbought": self.overbought,
            "fast": self.fast, "slow": self.slow, "signal": self.signal,
        })
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let rsi = rsi(ctx, self.rsi_period);
        let (line, signal) = macd(ctx, self.fast, self.slow, self.signal);
        signals_from(
            rsi.len(),
            |t| rsi[t] < self.oversold && line[t] > signal[t],
            |t| rsi[t] > self.overbought || crossed_below(&line, &signal, t),
        )
    }
}
