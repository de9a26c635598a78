//! `ATR_BREAKOUT`: volatility-channel breakout.

use serde_json::{json, Value};

use super::common::{id_num, moving_average, signals_from};
use crate::{indicators, ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("period", 20, 2, 200, "EMA and ATR lookback"),
        ParamSpec::float(
            "multiplier",
            2.0,
            (0.5, 10.0, 0.1),
            "Channel half-width in ATRs",
        ),
    ]
}

/// Buys when the close breaks above EMA + `multiplier` × ATR (Keltner-style
/// channel), sells when it breaks below EMA − `multiplier` × ATR.
#[derive(Debug, Clone, PartialEq)]
pub struct AtrBreakoutRule {
    period: usize,
    multiplier: f64,
}

impl AtrBreakoutRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        Ok(Self {
            period: p.usize("period"),
            multiplier: p.float("multiplier"),
        })
    }
}

impl Rule for AtrBreakoutRule {
    fn rule_type(&self) -> &'static str {
        "ATR_BREAKOUT"
    }

    fn rule_id(&self) -> String {
        format!("ATR_BREAKOUT_{}_{}", self.period, id_num(self.multiplier))
    }

    fn params(&self) -> Value {
        json!({"period": self.period, "multiplier": self.multiplier})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let period = self.period;
        let ema = moving_average(ctx, "ema", period);
        let atr = ctx.indicator(&format!("atr:{period}"), |s| {
            indicators::atr(s.high(), s.low(), s.close(), period)
        });
        let close = ctx.series().close();
        let k = self.multiplier;
        signals_from(
            close.len(),
            |t| close[t] > ema[t] + k * atr[t],
            |t| close[t] < ema[t] - k * atr[t],
        )
    }
}
