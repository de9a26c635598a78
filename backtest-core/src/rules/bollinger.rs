//! `BOLLINGER`: mean reversion between Bollinger Bands.

use serde_json::Value;

use super::common::{id_num, signals_from};
use crate::params::rule_params;
use crate::{IndicatorKey, MaKind, Rule, RuleContext, Signal};

rule_params! {
    /// Parameters of [`BollingerRule`].
    BollingerParams for BollingerRule {
        period: usize = 20, int_range(2, 200), "Moving-average and deviation lookback";
        std_dev: f64 = 2.0, float_range(0.5, 5.0, 0.1), "Band width in standard deviations";
    }
    check |_p| None
}

/// Buys when the close falls below the lower band, sells when it rises above
/// the upper band (bands: SMA ± `std_dev` population standard deviations).
#[derive(Debug, Clone, PartialEq)]
pub struct BollingerRule {
    params: BollingerParams,
}

impl Rule for BollingerRule {
    fn rule_type(&self) -> &'static str {
        "BOLLINGER"
    }

    fn rule_id(&self) -> String {
        let p = &self.params;
        format!("BOLLINGER_{}_{}", p.period, id_num(p.std_dev))
    }

    fn params(&self) -> Value {
        serde_json::to_value(self.params).unwrap_or(Value::Null)
    }

    fn signals(&self, ctx: &RuleContext<'_>) -> Vec<Signal> {
        let p = &self.params;
        let middle = ctx.moving_average(MaKind::Sma, p.period);
        let std = ctx.indicator(IndicatorKey::RollingStd { period: p.period });
        let (middle, std) = (middle.main(), std.main());
        let close = ctx.series().close();
        signals_from(
            close.len(),
            |t| close[t] < middle[t] - p.std_dev * std[t],
            |t| close[t] > middle[t] + p.std_dev * std[t],
        )
    }
}
