//! `MEAN_REVERSION`: z-score of the close around its moving average.

use serde_json::{json, Value};

use super::common::{close_std, id_num, moving_average, signals_from};
use crate::{ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("period", 20, 2, 200, "Lookback of the mean and deviation"),
        ParamSpec::float(
            "entry_z",
            2.0,
            (0.1, 5.0, 0.1),
            "Buy when the z-score falls below -entry_z",
        ),
        ParamSpec::float(
            "exit_z",
            0.0,
            (-5.0, 5.0, 0.1),
            "Sell when the z-score rises above exit_z",
        ),
    ]
}

/// Buys when `z = (close - SMA) / std` falls below `-entry_z`, sells when it
/// rises above `exit_z` (population standard deviation).
#[derive(Debug, Clone, PartialEq)]
pub struct MeanReversionRule {
    period: usize,
    entry_z: f64,
    exit_z: f64,
}

impl MeanReversionRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        let rule = Self {
            period: p.usize("period"),
            entry_z: p.float("entry_z"),
            exit_z: p.float("exit_z"),
        };
        if -rule.entry_z >= rule.exit_z {
            return Err(p.constraint_error("exit_z", "must be above -entry_z"));
        }
        Ok(rule)
    }
}

impl Rule for MeanReversionRule {
    fn rule_type(&self) -> &'static str {
        "MEAN_REVERSION"
    }

    fn rule_id(&self) -> String {
        format!(
            "MEAN_REVERSION_{}_{}_{}",
            self.period,
            id_num(self.entry_z),
            id_num(self.exit_z)
        )
    }

    fn params(&self) -> Value {
        json!({"period": self.period, "entry_z": self.entry_z, "exit_z": self.exit_z})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let mean = moving_average(ctx, "sma", self.period);
        let std = close_std(ctx, self.period);
        let close = ctx.series().close();
        // A flat window has no defined z-score; NaN keeps it signal-free.
        let z = |t: usize| {
            if std[t] > 0.0 {
                (close[t] - mean[t]) / std[t]
            } else {
                f64::NAN
            }
        };
        signals_from(
            close.len(),
            |t| z(t) < -self.entry_z,
            |t| z(t) > self.exit_z,
        )
    }
}
