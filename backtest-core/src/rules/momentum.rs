//! `MOMENTUM`: rate of change over a lookback.

use serde_json::{json, Value};

use super::common::{id_num, signals_from};
use crate::{ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("lookback", 20, 1, 500, "Bars back for the rate of change"),
        ParamSpec::float(
            "threshold",
            0.0,
            (0.0, 100.0, 0.5),
            "Rate of change in percent that triggers",
        ),
    ]
}

/// Buys when the `lookback`-bar rate of change exceeds `threshold` percent,
/// sells when it falls below `-threshold` percent.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentumRule {
    lookback: usize,
    threshold: f64,
}

impl MomentumRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        Ok(Self {
            lookback: p.usize("lookback"),
            threshold: p.float("threshold"),
        })
    }
}

impl Rule for MomentumRule {
    fn rule_type(&self) -> &'static str {
        "MOMENTUM"
    }

    fn rule_id(&self) -> String {
        format!("MOMENTUM_{}_{}", self.lookback, id_num(self.threshold))
    }

    fn params(&self) -> Value {
        json!({"lookback": self.lookback, "threshold": self.threshold})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let close = ctx.series().close();
        let n = self.lookback;
        let roc = |t: usize| {
            if t >= n && close[t - n] > 0.0 {
                (close[t] / close[t - n] - 1.0) * 100.0
            } else {
                f64::NAN
            }
        };
        signals_from(
            close.len(),
            |t| roc(t) > self.threshold,
            |t| roc(t) < -self.threshold,
        )
    }
}
