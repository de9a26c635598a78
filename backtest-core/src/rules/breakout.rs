//! `BREAKOUT`: Donchian channel breakout.

use serde_json::Value;

use super::common::signals_from;
use crate::params::rule_params;
use crate::{IndicatorKey, Rule, RuleContext, Signal, Source};

rule_params! {
    /// Parameters of [`BreakoutRule`].
    BreakoutParams for BreakoutRule {
        lookback: usize = 20, int_range(2, 500), "Entry channel: highest high of the previous bars";
        exit_lookback: usize = 10, int_range(2, 500), "Exit channel: lowest low of the previous bars";
    }
    check |_p| None
}

/// Buys when the close exceeds the highest high of the previous `lookback`
/// bars; sells when it falls below the lowest low of the previous
/// `exit_lookback` bars (turtle-style).
#[derive(Debug, Clone, PartialEq)]
pub struct BreakoutRule {
    params: BreakoutParams,
}

impl Rule for BreakoutRule {
    fn rule_type(&self) -> &'static str {
        "BREAKOUT"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!("BREAKOUT_{}_{}", p.lookback, p.exit_lookback)
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let upper = ctx.indicator(IndicatorKey::RollingMax {
            source: Source::High,
            period: p.lookback,
        });
        let lower = ctx.indicator(IndicatorKey::RollingMin {
            source: Source::Low,
            period: p.exit_lookback,
        });
        let (upper, lower) = (upper.main(), lower.main());
        let close = ctx.series().close();
        // Channels of the previous bars: the current bar cannot break its own high.
        signals_from(
            close.len(),
            |t| t > 0 && close[t] > upper[t - 1],
            |t| t > 0 && close[t] < lower[t - 1],
        )
    }
}
