//! Quality rules for OHLCV bars (SPEC §3b).
//!
//! Errors (the data is rejected, naming the row):
//! - a missing or non-numeric value (checked by the readers, which see the text),
//! - a price that is zero or negative, a negative volume (zero volume is fine),
//! - `High < Low`, `High < max(Open, Close)`, `Low > min(Open, Close)`,
//! - a timestamp that is not after the previous row's (unsorted or duplicate).
//!
//! Warnings (listed, the data is used):
//! - a gap of more than `max(10 days, 3 × typical spacing)` between daily
//!   bars, or of more than 4 days between intraday bars,
//! - bars spaced unlike the timeframe they are treated as (a monthly file
//!   loads as daily bars; see [`DataWarning::IrregularSpacing`]).

use backtest_core::Timeframe;

use super::timestamp::{format_date, format_datetime, DAY};
use super::{DataError, DataWarning};

/// Smallest gap between daily bars that is reported, in days.
pub const DAILY_GAP_DAYS: i64 = 10;

/// Smallest gap between intraday bars that is reported, in days.
pub const INTRADAY_GAP_DAYS: i64 = 4;

/// Relative rounding allowed between a bar's prices (a billionth: far below
/// any price tick).
pub(crate) const PRICE_TOLERANCE: f64 = 1e-9;

/// Checks the prices and volume of one bar.
///
/// `date` is called only to build an error.
pub(crate) fn check_bar(
    row: usize,
    date: impl Fn() -> String,
    [open, high, low, close, volume]: [f64; 5],
) -> Result<(), DataError> {
    for (column, value) in [
        ("Open", open),
        ("High", high),
        ("Low", low),
        ("Close", close),
    ] {
        if value <= 0.0 {
            return Err(DataError::NonPositivePrice {
                row,
                date: date(),
                column,
                value,
            });
        }
    }
    if volume < 0.0 {
        return Err(DataError::NegativeVolume {
            row,
            date: date(),
            value: volume,
        });
    }
    // Adjusted histories (Yahoo's, computed in binary floating point) put
    // Low a few units in the last place above Close now and then; a bar is
    // only inconsistent beyond that rounding.
    let exceeds = |above: f64, below: f64| above - below > PRICE_TOLERANCE * below.abs();
    if exceeds(low, high) {
        return Err(DataError::HighBelowLow {
            row,
            date: date(),
            high,
            low,
        });
    }
    if exceeds(open.max(close), high) {
        return Err(DataError::HighBelowOpenClose {
            row,
            date: date(),
            high,
            open,
            close,
        });
    }
    if exceeds(low, open.min(close)) {
        return Err(DataError::LowAboveOpenClose {
            row,
            date: date(),
            low,
            open,
            close,
        });
    }
    Ok(())
}

/// Checks that timestamps strictly increase.
///
/// `row_of(i)` maps index `i` to the row number reported, `date_of(i)` to
/// the date text reported.
pub(crate) fn check_order(
    timestamps: &[i64],
    row_of: impl Fn(usize) -> usize,
    date_of: impl Fn(usize) -> String,
) -> Result<(), DataError> {
    for i in 1..timestamps.len() {
        let (prev, cur) = (timestamps[i - 1], timestamps[i]);
        if cur == prev {
            return Err(DataError::DuplicateTimestamp {
                row: row_of(i),
                date: date_of(i),
                previous_row: row_of(i - 1),
            });
        }
        if cur < prev {
            return Err(DataError::UnsortedTimestamps {
                row: row_of(i),
                date: date_of(i),
                previous: date_of(i - 1),
            });
        }
    }
    Ok(())
}

/// Most common distance between consecutive (sorted) timestamps.
fn typical_spacing(timestamps: &[i64]) -> Option<i64> {
    let mut diffs: Vec<i64> = timestamps.windows(2).map(|w| w[1] - w[0]).collect();
    diffs.sort_unstable();
    let mut best: Option<(i64, usize)> = None;
    for run in diffs.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, n)| run.len() > n) {
            best = Some((run[0], run.len()));
        }
    }
    best.map(|(d, _)| d)
}

/// Guesses the timeframe of sorted bars and lists spacing warnings.
///
/// Daily bars (`daily == true`) are [`Timeframe::Day1`]; intraday bars are
/// [`Timeframe::Minute5`] when they are typically at most 10 minutes apart,
/// [`Timeframe::Hour1`] otherwise. `row_of` maps an index to the row reported.
pub(crate) fn analyse(
    timestamps: &[i64],
    daily: bool,
    row_of: impl Fn(usize) -> usize,
) -> (Timeframe, Vec<DataWarning>) {
    let typical = typical_spacing(timestamps);
    let timeframe = match (daily, typical) {
        (true, _) | (false, None) => Timeframe::Day1,
        (false, Some(t)) if t <= 600 => Timeframe::Minute5,
        (false, Some(_)) => Timeframe::Hour1,
    };
    let mut warnings = Vec::new();
    if let Some(t) = typical {
        let irregular = match timeframe {
            Timeframe::Day1 => t > 4 * DAY,
            Timeframe::Hour1 => t != 3_600,
            _ => t != 300,
        };
        if irregular {
            warnings.push(DataWarning::IrregularSpacing {
                typical_seconds: t,
                treated_as: timeframe.as_str(),
            });
        }
    }
    let (threshold, fmt): (i64, fn(i64) -> String) = if daily {
        let typical = typical.unwrap_or(DAY);
        ((DAILY_GAP_DAYS * DAY).max(3 * typical), format_date)
    } else {
        (INTRADAY_GAP_DAYS * DAY, format_datetime)
    };
    for (i, w) in timestamps.windows(2).enumerate() {
        let gap = w[1] - w[0];
        if gap > threshold {
            // Precision loss is irrelevant for a day count shown to a user.
            #[allow(clippy::cast_precision_loss)]
            let days = gap as f64 / DAY as f64;
            warnings.push(DataWarning::Gap {
                row: row_of(i + 1),
                from: fmt(w[0]),
                to: fmt(w[1]),
                days,
            });
        }
    }
    (timeframe, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> String {
        "2020-01-02".to_owned()
    }

    #[test]
    fn bar_rules() {
        assert!(check_bar(2, date, [10.0, 11.0, 9.0, 10.5, 0.0]).is_ok());
        assert!(matches!(
            check_bar(2, date, [10.0, 11.0, 0.0, 10.5, 1.0]),
            Err(DataError::NonPositivePrice { column: "Low", .. })
        ));
        assert!(matches!(
            check_bar(2, date, [10.0, 11.0, 9.0, 10.5, -1.0]),
            Err(DataError::NegativeVolume { .. })
        ));
        assert!(matches!(
            check_bar(2, date, [10.0, 10.2, 9.0, 10.5, 1.0]),
            Err(DataError::HighBelowOpenClose { .. })
        ));
        assert!(matches!(
            check_bar(2, date, [10.0, 11.0, 10.2, 10.5, 1.0]),
            Err(DataError::LowAboveOpenClose { .. })
        ));
        assert!(matches!(
            check_bar(2, date, [10.0, 9.0, 11.0, 10.5, 1.0]),
            Err(DataError::HighBelowLow { .. })
        ));
    }

    #[test]
    fn rounding_between_prices_is_not_a_violation() {
        // TEST_D.csv (pandas-ta), row 460: Low 28.20365142822266 above
        // Close 28.203651428222656 by a few units in the last place.
        assert!(check_bar(
            2,
            date,
            [
                28.47,
                28.5,
                28.203_651_428_222_66,
                28.203_651_428_222_656,
                1.0
            ]
        )
        .is_ok());
        // A millionth is a real inconsistency.
        assert!(matches!(
            check_bar(2, date, [28.47, 28.5, 28.203_68, 28.203_65, 1.0]),
            Err(DataError::LowAboveOpenClose { .. })
        ));
        assert!(matches!(
            check_bar(2, date, [28.47, 28.469_97, 28.2, 28.3, 1.0]),
            Err(DataError::HighBelowOpenClose { .. })
        ));
    }

    #[test]
    fn order_rules() {
        let row = |i| i + 2;
        let text = |i: usize| format!("d{i}");
        assert!(check_order(&[1, 2, 3], row, text).is_ok());
        assert!(matches!(
            check_order(&[1, 2, 2], row, text),
            Err(DataError::DuplicateTimestamp {
                row: 4,
                previous_row: 3,
                ..
            })
        ));
        assert!(matches!(
            check_order(&[1, 3, 2], row, text),
            Err(DataError::UnsortedTimestamps { row: 4, .. })
        ));
    }

    #[test]
    fn guesses_timeframes_and_gaps() {
        let daily: Vec<i64> = [0, 1, 2, 3, 20, 21].iter().map(|d| d * DAY).collect();
        let (tf, w) = analyse(&daily, true, |i| i + 2);
        assert_eq!(tf, Timeframe::Day1);
        assert_eq!(w.len(), 1);
        assert!(
            matches!(&w[0], DataWarning::Gap { row: 6, days, .. } if (*days - 17.0).abs() < 1e-9)
        );

        let hourly: Vec<i64> = (0..10).map(|h| h * 3_600).collect();
        assert_eq!(analyse(&hourly, false, |i| i).0, Timeframe::Hour1);
        let five: Vec<i64> = (0..10).map(|h| h * 300).collect();
        assert_eq!(analyse(&five, false, |i| i), (Timeframe::Minute5, vec![]));

        let monthly: Vec<i64> = (0..6).map(|m| m * 30 * DAY).collect();
        let (tf, w) = analyse(&monthly, true, |i| i);
        assert_eq!(tf, Timeframe::Day1);
        assert!(matches!(
            w.as_slice(),
            [DataWarning::IrregularSpacing { .. }]
        ));
    }
}
