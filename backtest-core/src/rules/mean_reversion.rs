//! `MEAN_REVERSION`: z-score of the close around its moving average.

use serde_json::Value;

use super::common::{id_num, signals_from};
use crate::params::rule_params;
use crate::{IndicatorKey, MaKind, Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`MeanReversionRule`].
    MeanReversionParams for MeanReversionRule {
        period: usize = 20, int_range(2, 200), "Lookback of the mean and deviation";
        entry_z: f64 = 2.0, float_range(0.1, 5.0, 0.1), "Buy when the z-score falls below -entry_z";
        exit_z: f64 = 0.0, float_range(-5.0, 5.0, 0.1), "Sell when the z-score rises above exit_z";
    }
    check |p| (-p.entry_z >= p.exit_z).then_some(("exit_z", "must be above -entry_z"))
}

/// Buys when `z = (close - SMA) / std` falls below `-entry_z`, sells when it
/// rises above `exit_z` (population standard deviation).
#[derive(Debug, Clone, PartialEq)]
pub struct MeanReversionRule {
    params: MeanReversionParams,
}

impl Rule for MeanReversionRule {
    fn rule_type(&self) -> &'static str {
        "MEAN_REVERSION"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!(
            "MEAN_REVERSION_{}_{}_{}",
            p.period,
            id_num(p.entry_z),
            id_num(p.exit_z)
        )
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let mean = ctx.moving_average(MaKind::Sma, p.period);
        let std = ctx.indicator(IndicatorKey::RollingStd { period: p.period });
        let (mean, std) = (mean.main(), std.main());
        let close = ctx.series().close();
        // A flat window has no defined z-score; NaN keeps it signal-free.
        let z = |t: usize| {
            if std[t] > 0.0 {
                (close[t] - mean[t]) / std[t]
            } else {
                f64::NAN
            }
        };
        signals_from(close.len(), |t| z(t) < -p.entry_z, |t| z(t) > p.exit_z)
    }
}
