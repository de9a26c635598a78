//! `RSI_MACD`: RSI weakness confirmed by MACD momentum.

use serde_json::Value;

use super::common::{crossed_below, id_num, signals_from};
use crate::params::rule_params;
use crate::{IndicatorKey, Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`RsiMacdRule`].
    RsiMacdParams for RsiMacdRule {
        rsi_period: usize = 14, int_range(2, 200), "RSI lookback in bars";
        oversold: f64 = 40.0, float_range(1.0, 99.0, 1.0), "Buy only while RSI is below this level";
        overbought: f64 = 70.0, float_range(1.0, 99.0, 1.0), "Sell when RSI rises above this level";
        fast: usize = 12, int_range(2, 100), "MACD fast EMA period";
        slow: usize = 26, int_range(3, 200), "MACD slow EMA period";
        signal: usize = 9, int_range(2, 100), "MACD signal EMA period";
    }
    check |p| if p.oversold >= p.overbought {
        Some(("oversold", "must be below overbought"))
    } else if p.fast >= p.slow {
        Some(("fast", "must be below slow"))
    } else {
        None
    }
}

/// Buys when RSI(t) < oversold while the MACD line is above its signal line
/// (momentum turning up from weakness); sells when RSI(t) > overbought or
/// the MACD line crosses below its signal line.
#[derive(Debug, Clone, PartialEq)]
pub struct RsiMacdRule {
    params: RsiMacdParams,
}

impl Rule for RsiMacdRule {
    fn rule_type(&self) -> &'static str {
        "RSI_MACD"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!(
            "RSI_MACD_{}_{}_{}_{}_{}_{}",
            p.rsi_period,
            id_num(p.oversold),
            id_num(p.overbought),
            p.fast,
            p.slow,
            p.signal
        )
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let rsi = ctx.indicator(IndicatorKey::Rsi {
            period: p.rsi_period,
        });
        let macd = ctx.indicator(IndicatorKey::Macd {
            fast: p.fast,
            slow: p.slow,
            signal: p.signal,
        });
        let (rsi, line, signal) = (rsi.main(), macd.line(0), macd.line(1));
        signals_from(
            rsi.len(),
            |t| rsi[t] < p.oversold && line[t] > signal[t],
            |t| rsi[t] > p.overbought || crossed_below(line, signal, t),
        )
    }
}
