//! What a rule sees: the series and a typed, shared indicator cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Serialize};

use crate::{indicators, OhlcvSeries};

/// A price or volume column of an [`OhlcvSeries`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// Opening prices.
    Open,
    /// Highs.
    High,
    /// Lows.
    Low,
    /// Closing prices.
    Close,
    /// Volumes.
    Volume,
}

impl Source {
    /// The column of `series`.
    #[must_use]
    pub fn column(self, series: &OhlcvSeries) -> &[f64] {
        match self {
            Self::Open => series.open(),
            Self::High => series.high(),
            Self::Low => series.low(),
            Self::Close => series.close(),
            Self::Volume => series.volume(),
        }
    }
}

/// The kind of a moving average.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MaKind {
    /// Simple moving average.
    #[default]
    Sma,
    /// Exponential moving average (TA-Lib seeding).
    Ema,
}

impl MaKind {
    /// The choices as they appear in JSON, default first.
    pub const CHOICES: &'static [&'static str] = &["sma", "ema"];

    /// `"sma"` or `"ema"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sma => "sma",
            Self::Ema => "ema",
        }
    }
}

impl crate::params::ParamValue for MaKind {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(self.as_str())
    }
    fn from_checked(value: &serde_json::Value) -> Option<Self> {
        match value.as_str()? {
            "sma" => Some(Self::Sma),
            "ema" => Some(Self::Ema),
            _ => None,
        }
    }
}

/// An indicator and its parameters: the key of the [`IndicatorCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IndicatorKey {
    /// A moving average of a column.
    MovingAverage {
        /// SMA or EMA.
        kind: MaKind,
        /// The averaged column.
        source: Source,
        /// Lookback.
        period: usize,
    },
    /// RSI of closes.
    Rsi {
        /// Lookback.
        period: usize,
    },
    /// MACD of closes; lines: MACD, signal, histogram.
    Macd {
        /// Fast EMA period.
        fast: usize,
        /// Slow EMA period.
        slow: usize,
        /// Signal EMA period.
        signal: usize,
    },
    /// Rolling population standard deviation of closes.
    RollingStd {
        /// Lookback.
        period: usize,
    },
    /// Wilder's average true range.
    Atr {
        /// Lookback.
        period: usize,
    },
    /// Rolling maximum of a column.
    RollingMax {
        /// The column.
        source: Source,
        /// Lookback.
        period: usize,
    },
    /// Rolling minimum of a column.
    RollingMin {
        /// The column.
        source: Source,
        /// Lookback.
        period: usize,
    },
}

impl IndicatorKey {
    /// Computes the indicator's output lines on `series`.
    #[must_use]
    pub fn compute(&self, s: &OhlcvSeries) -> IndicatorOutput {
        let lines = match *self {
            Self::MovingAverage {
                kind: MaKind::Sma,
                source,
                period,
            } => vec![indicators::sma(source.column(s), period)],
            Self::MovingAverage {
                kind: MaKind::Ema,
                source,
                period,
            } => vec![indicators::ema(source.column(s), period)],
            Self::Rsi { period } => vec![indicators::rsi(s.close(), period)],
            Self::Macd { fast, slow, signal } => {
                let m = indicators::macd(s.close(), fast, slow, signal);
                vec![m.macd, m.signal, m.hist]
            }
            Self::RollingStd { period } => vec![indicators::rolling_std(s.close(), period)],
            Self::Atr { period } => vec![indicators::atr(s.high(), s.low(), s.close(), period)],
            Self::RollingMax { source, period } => {
                vec![indicators::rolling_max(source.column(s), period)]
            }
            Self::RollingMin { source, period } => {
                vec![indicators::rolling_min(source.column(s), period)]
            }
        };
        IndicatorOutput { lines }
    }
}

/// The output columns of one indicator (one per bar each).
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorOutput {
    lines: Vec<Vec<f64>>,
}

impl IndicatorOutput {
    /// The first (main) line.
    #[must_use]
    pub fn main(&self) -> &[f64] {
        self.line(0)
    }

    /// Line `i` (for MACD: 0 = MACD, 1 = signal, 2 = histogram); empty if absent.
    #[must_use]
    pub fn line(&self, i: usize) -> &[f64] {
        self.lines.get(i).map_or(&[], Vec::as_slice)
    }
}

type Cell = OnceLock<Arc<IndicatorOutput>>;

/// Shared, thread-safe memo of indicator outputs keyed by [`IndicatorKey`].
/// One cache belongs to one series.
#[derive(Debug, Default)]
pub struct IndicatorCache {
    cells: Mutex<HashMap<IndicatorKey, Arc<Cell>>>,
}

impl IndicatorCache {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The output for `key` on `series`, computed on first use.
    /// Concurrent callers for the same key wait for one computation.
    pub fn get(&self, key: IndicatorKey, series: &OhlcvSeries) -> Arc<IndicatorOutput> {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(cells.entry(key).or_default())
        };
        Arc::clone(cell.get_or_init(|| Arc::new(key.compute(series))))
    }

    /// Number of distinct indicators computed so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cells
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing has been computed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a rule sees: the series and an indicator cache for it.
#[derive(Debug)]
pub struct RuleContext<'a> {
    series: &'a OhlcvSeries,
    cache: &'a IndicatorCache,
}

impl<'a> RuleContext<'a> {
    /// A context over `series` sharing `cache` (which must belong to `series`).
    #[must_use]
    pub fn new(series: &'a OhlcvSeries, cache: &'a IndicatorCache) -> Self {
        Self { series, cache }
    }

    /// The series being evaluated.
    #[must_use]
    pub fn series(&self) -> &'a OhlcvSeries {
        self.series
    }

    /// A cached indicator.
    #[must_use]
    pub fn indicator(&self, key: IndicatorKey) -> Arc<IndicatorOutput> {
        self.cache.get(key, self.series)
    }

    /// A cached moving average of closes.
    #[must_use]
    pub fn moving_average(&self, kind: MaKind, period: usize) -> Arc<IndicatorOutput> {
        self.indicator(IndicatorKey::MovingAverage {
            kind,
            source: Source::Close,
            period,
        })
    }
}
