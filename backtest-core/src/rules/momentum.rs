//! `MOMENTUM`: rate of change over a lookback.

use serde_json::Value;

use super::common::{id_num, signals_from};
use crate::params::rule_params;
use crate::{Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`MomentumRule`].
    MomentumParams for MomentumRule {
        lookback: usize = 20, int_range(1, 500), "Bars back for the rate of change";
        threshold: f64 = 0.0, float_range(0.0, 100.0, 0.5), "Rate of change in percent that triggers";
    }
    check |_p| None
}

/// Buys when the `lookback`-bar rate of change exceeds `threshold` percent,
/// sells when it falls below `-threshold` percent.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentumRule {
    params: MomentumParams,
}

impl Rule for MomentumRule {
    fn rule_type(&self) -> &'static str {
        "MOMENTUM"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!("MOMENTUM_{}_{}", p.lookback, id_num(p.threshold))
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let close = ctx.series().close();
        let n = p.lookback;
        let roc = |t: usize| {
            if t >= n && close[t - n] > 0.0 {
                (close[t] / close[t - n] - 1.0) * 100.0
            } else {
                f64::NAN
            }
        };
        signals_from(
            close.len(),
            |t| roc(t) > p.threshold,
            |t| roc(t) < -p.threshold,
        )
    }
}
