//! `VOLUME`: price moves confirmed by a volume spike.

use serde_json::{json, Value};

use super::common::{id_num, signals_from};
use crate::{indicators, ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int("period", 20, 2, 200, "Average-volume lookback"),
        ParamSpec::float(
            "multiplier",
            2.0,
            (1.0, 10.0, 0.1),
            "Spike: volume above this multiple of its average",
        ),
    ]
}

/// Buys on an up-close with volume above `multiplier` × its `period`-bar
/// average (the average excludes the current bar); sells on a down-close
/// with such a spike.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeRule {
    period: usize,
    multiplier: f64,
}

impl VolumeRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        Ok(Self {
            period: p.usize("period"),
            multiplier: p.float("multiplier"),
        })
    }
}

impl Rule for VolumeRule {
    fn rule_type(&self) -> &'static str {
        "VOLUME"
    }

    fn rule_id(&self) -> String {
        format!("VOLUME_{}_{}", self.period, id_num(self.multiplier))
    }

    fn params(&self) -> Value {
        json!({"period": self.period, "multiplier": self.multiplier})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let period = self.period;
        let avg = ctx.indicator(&format!("volume_sma:{period}"), |s| {
            indicators::sma(s.volume(), period)
        });
        let (close, volume) = (ctx.series().close(), ctx.series().volume());
        let spike = |t: usize| t > 0 && volume[t] > self.multiplier * avg[t - 1];
        signals_from(
            close.len(),
            |t| spike(t) && close[t] > close[t - 1],
            |t| spike(t) && close[t] < close[t - 1],
        )
    }
}
