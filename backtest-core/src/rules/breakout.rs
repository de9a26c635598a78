//! `BREAKOUT`: Donchian channel breakout.

use serde_json::{json, Value};

use super::common::signals_from;
use crate::{indicators, ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int(
            "lookback",
            20,
            2,
            500,
            "Entry channel: highest high of the previous bars",
        ),
        ParamSpec::int(
            "exit_lookback",
            10,
            2,
            500,
            "Exit channel: lowest low of the previous bars",
        ),
    ]
}

/// Buys when the close exceeds the highest high of the previous `lookback`
/// bars; sells when it falls below the lowest low of the previous
/// `exit_lookback` bars (turtle-style).
#[derive(Debug, Clone, PartialEq)]
pub struct BreakoutRule {
    lookback: usize,
    exit_lookback: usize,
}

impl BreakoutRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        Ok(Self {
            lookback: p.usize("lookback"),
            exit_lookback: p.usize("exit_lookback"),
        })
    }
}

impl Rule for BreakoutRule {
    fn rule_type(&self) -> &'static str {
        "BREAKOUT"
    }

    fn rule_id(&self) -> String {
        format!("BREAKOUT_{}_{}", self.lookback, self.exit_lookback)
    }

    fn params(&self) -> Value {
        json!({"lookback": self.lookback, "exit_lookback": self.exit_lookback})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let (up, down) = (self.lookback, self.exit_lookback);
        let upper = ctx.indicator(&format!("max_high:{up}"), |s| {
            indicators::rolling_max(s.high(), up)
        });
        let lower = ctx.indicator(&format!("min_low:{down}"), |s| {
            indicators::rolling_min(s.low(), down)
        });
        let close = ctx.series().close();
        // Channels of the previous bars: the current bar cannot break its own high.
        signals_from(
            close.len(),
            |t| t > 0 && close[t] > upper[t - 1],
            |t| t > 0 && close[t] < lower[t - 1],
        )
    }
}
