//! Columnar OHLCV series.

use crate::{CoreError, Result};

/// A columnar OHLCV price series: one entry per bar in every column.
///
/// Timestamps are seconds since the Unix epoch, UTC, strictly increasing.
/// Columns are plain `Vec<f64>` so indicators run over contiguous slices.
///
/// ```
/// use backtest_core::OhlcvSeries;
/// let s = OhlcvSeries::new(
///     vec![0, 86_400],
///     vec![10.0, 11.0],
///     vec![11.0, 12.0],
///     vec![9.5, 10.5],
///     vec![10.5, 11.5],
///     vec![1_000.0, 2_000.0],
/// )
/// .unwrap();
/// assert_eq!(s.len(), 2);
/// assert_eq!(s.close()[1], 11.5);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OhlcvSeries {
    timestamps: Vec<i64>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

impl OhlcvSeries {
    /// Builds a series, checking that all columns have the same length and
    /// that timestamps strictly increase.
    ///
    /// # Errors
    /// [`CoreError::LengthMismatch`] or [`CoreError::UnsortedTimestamps`].
    pub fn new(
        timestamps: Vec<i64>,
        open: Vec<f64>,
        high: Vec<f64>,
        low: Vec<f64>,
        close: Vec<f64>,
        volume: Vec<f64>,
    ) -> Result<Self> {
        let expected = timestamps.len();
        for (column, got) in [
            ("open", open.len()),
            ("high", high.len()),
            ("low", low.len()),
            ("close", close.len()),
            ("volume", volume.len()),
        ] {
            if got != expected {
                return Err(CoreError::LengthMismatch {
                    column,
                    expected,
                    got,
                });
            }
        }
        if let Some(index) = timestamps.windows(2).position(|w| w[1] <= w[0]) {
            return Err(CoreError::UnsortedTimestamps { index: index + 1 });
        }
        Ok(Self {
            timestamps,
            open,
            high,
            low,
            close,
            volume,
        })
    }

    /// Number of bars.
    #[must_use]
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether the series has no bars.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Bar timestamps (seconds since the Unix epoch, UTC).
    #[must_use]
    pub fn timestamps(&self) -> &[i64] {
        &self.timestamps
    }

    /// Opening prices.
    #[must_use]
    pub fn open(&self) -> &[f64] {
        &self.open
    }

    /// Highest prices.
    #[must_use]
    pub fn high(&self) -> &[f64] {
        &self.high
    }

    /// Lowest prices.
    #[must_use]
    pub fn low(&self) -> &[f64] {
        &self.low
    }

    /// Closing prices.
    #[must_use]
    pub fn close(&self) -> &[f64] {
        &self.close
    }

    /// Traded volume.
    #[must_use]
    pub fn volume(&self) -> &[f64] {
        &self.volume
    }

    /// The bars whose timestamps lie in `[start, end]` (inclusive, seconds
    /// UTC; `None` leaves that side open), as a new series.
    #[must_use]
    pub fn between(&self, start: Option<i64>, end: Option<i64>) -> Self {
        let from = start.map_or(0, |s| self.timestamps.partition_point(|&t| t < s));
        let to = end.map_or(self.len(), |e| self.timestamps.partition_point(|&t| t <= e));
        let to = to.max(from);
        Self {
            timestamps: self.timestamps[from..to].to_vec(),
            open: self.open[from..to].to_vec(),
            high: self.high[from..to].to_vec(),
            low: self.low[from..to].to_vec(),
            close: self.close[from..to].to_vec(),
            volume: self.volume[from..to].to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(ts: Vec<i64>) -> Result<OhlcvSeries> {
        let n = ts.len();
        OhlcvSeries::new(
            ts,
            vec![1.0; n],
            vec![1.0; n],
            vec![1.0; n],
            vec![1.0; n],
            vec![1.0; n],
        )
    }

    #[test]
    fn rejects_unsorted_and_duplicate_timestamps() {
        assert_eq!(
            series(vec![1, 3, 2]),
            Err(CoreError::UnsortedTimestamps { index: 2 })
        );
        assert_eq!(
            series(vec![1, 1]),
            Err(CoreError::UnsortedTimestamps { index: 1 })
        );
    }

    #[test]
    fn rejects_mismatched_columns() {
        let err = OhlcvSeries::new(vec![1, 2], vec![1.0], vec![], vec![], vec![], vec![]);
        assert!(matches!(
            err,
            Err(CoreError::LengthMismatch {
                column: "open",
                expected: 2,
                got: 1
            })
        ));
    }

    #[test]
    fn between_is_inclusive() -> Result<()> {
        let s = series(vec![10, 20, 30, 40])?;
        assert_eq!(s.between(Some(20), Some(30)).timestamps(), &[20, 30]);
        assert_eq!(s.between(None, Some(15)).timestamps(), &[10]);
        assert!(s.between(Some(50), None).is_empty());
        assert!(s.between(Some(30), Some(20)).is_empty());
        Ok(())
    }
}
