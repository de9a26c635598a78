//! `VOLUME`: price moves confirmed by a volume spike.

use serde_json::Value;

use super::common::{id_num, signals_from};
use crate::params::rule_params;
use crate::{IndicatorKey, MaKind, Rule, RuleContext, Signal, Source};

rule_params! {
    /// Parameters of [`VolumeRule`].
    VolumeParams for VolumeRule {
        period: usize = 20, int_range(2, 200), "Average-volume lookback";
        multiplier: f64 = 2.0, float_range(1.0, 10.0, 0.1), "Spike: volume above this multiple of its average";
    }
    check |_p| None
}

/// Buys on an up-close with volume above `multiplier` × its `period`-bar
/// average (the average excludes the current bar); sells on a down-close
/// with such a spike.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeRule {
    params: VolumeParams,
}

impl Rule for VolumeRule {
    fn rule_type(&self) -> &'static str {
        "VOLUME"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!("VOLUME_{}_{}", p.period, id_num(p.multiplier))
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let avg = ctx.indicator(IndicatorKey::MovingAverage {
            kind: MaKind::Sma,
            source: Source::Volume,
            period: p.period,
        });
        let avg = avg.main();
        let (close, volume) = (ctx.series().close(), ctx.series().volume());
        let spike = |t: usize| t > 0 && volume[t] > p.multiplier * avg[t - 1];
        signals_from(
            close.len(),
            |t| spike(t) && close[t] > close[t - 1],
            |t| spike(t) && close[t] < close[t - 1],
        )
    }
}
