//! Price candles of the bars a backtest saw.

use backtest_core::OhlcvSeries;

use crate::contract::Candle;

/// One [`Candle`] per bar, dated with `labels` (one per bar).
#[must_use]
pub fn price_candles(series: &OhlcvSeries, labels: &[String]) -> Vec<Candle> {
    labels
        .iter()
        .enumerate()
        .map(|(i, date)| Candle {
            date: date.clone(),
            open: series.open()[i],
            high: series.high()[i],
            low: series.low()[i],
            close: series.close()[i],
            volume: series.volume()[i],
        })
        .collect()
}
