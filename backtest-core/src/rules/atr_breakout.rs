//! `ATR_BREAKOUT`: volatility-channel breakout.

use serde_json::Value;

use super::common::{id_num, signals_from};
use crate::params::rule_params;
use crate::{IndicatorKey, MaKind, Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`AtrBreakoutRule`].
    AtrBreakoutParams for AtrBreakoutRule {
        period: usize = 20, int_range(2, 200), "EMA and ATR lookback";
        multiplier: f64 = 2.0, float_range(0.5, 10.0, 0.1), "Channel half-width in ATRs";
    }
    check |_p| None
}

/// Buys when the close breaks above EMA + `multiplier` × ATR (Keltner-style
/// channel), sells when it breaks below EMA − `multiplier` × ATR.
#[derive(Debug, Clone, PartialEq)]
pub struct AtrBreakoutRule {
    params: AtrBreakoutParams,
}

impl Rule for AtrBreakoutRule {
    fn rule_type(&self) -> &'static str {
        "ATR_BREAKOUT"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!("ATR_BREAKOUT_{}_{}", p.period, id_num(p.multiplier))
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let ema = ctx.moving_average(MaKind::Ema, p.period);
        let atr = ctx.indicator(IndicatorKey::Atr { period: p.period });
        let (ema, atr) = (ema.main(), atr.main());
        let close = ctx.series().close();
        let k = p.multiplier;
        signals_from(
            close.len(),
            |t| close[t] > ema[t] + k * atr[t],
            |t| close[t] < ema[t] - k * atr[t],
        )
    }
}
