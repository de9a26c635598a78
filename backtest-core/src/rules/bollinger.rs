//! `BOLLINGER`: mean reversion between Bollinger Bands.

use serde_json::{json, Value};

use super::common::{close_std, id_num, moving_average, signals_from};
use crate::{ParamSpec, Params, Result, Rule, RuleContext, Signal};

pub(crate) fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::int(
            "period",
            20,
            2,
            200,
            "Moving-average and deviation lookback",
        ),
        ParamSpec::float(
            "std_dev",
            2.0,
            (0.5, 5.0, 0.1),
            "Band width in standard deviations",
        ),
    ]
}

/// Buys when the close falls below the lower band, sells when it rises above
/// the upper band (bands: SMA ± `std_dev` population standard deviations).
#[derive(Debug, Clone, PartialEq)]
pub struct BollingerRule {
    period: usize,
    std_dev: f64,
}

impl BollingerRule {
    pub(crate) fn from_params(p: &Params) -> Result<Self> {
        Ok(Self {
            period: p.usize("period"),
            std_dev: p.float("std_dev"),
        })
    }
}

impl Rule for BollingerRule {
    fn rule_type(&self) -> &'static str {
        "BOLLINGER"
    }

    fn rule_id(&self) -> String {
        format!("BOLLINGER_{}_{}", self.period, id_num(self.std_dev))
    }

    fn params(&self) -> Value {
        json!({"period": self.period, "std_dev": self.std_dev})
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let middle = moving_average(ctx, "sma", self.period);
        let std = close_std(ctx, self.period);
        let close = ctx.series().close();
        signals_from(
            close.len(),
            |t| close[t] < middle[t] - self.std_dev * std[t],
            |t| close[t] > middle[t] + self.std_dev * std[t],
        )
    }
}
