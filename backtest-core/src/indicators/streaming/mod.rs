//! Streaming indicators: one value per update, O(1) work per bar.
//!
//! Every batch indicator has a streaming twin implementing [`Indicator`]
//! (in the spirit of nautilus_trader's): feed it one input at a time with
//! [`Indicator::update`], read [`Indicator::value`]. Folding a streaming
//! indicator over a column gives exactly the batch function's column — the
//! same arithmetic in the same order, `NaN` during the warm-up
//! ([`Indicator::lookback`] inputs) — which `tests/streaming.rs` checks on
//! real data. The batch functions stay the fast path for whole columns.
//!
//! ```
//! use backtest_core::indicators::{rsi, streaming::{Indicator, Rsi}};
//!
//! let close = [44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42];
//! let mut live = Rsi::new(5);
//! let streamed: Vec<f64> = close.iter().map(|&c| live.update(c)).collect();
//! let batch = rsi(&close, 5);
//! assert!(streamed[..5].iter().all(|v| v.is_nan()) && live.is_ready());
//! assert_eq!(streamed[5..], batch[5..]);
//! assert_eq!(live.lookback(), 5);
//! ```

/// The [`Indicator`] methods most indicators share, written once: the
/// current output is the field (path) `value`; it is ready once its `ready` line
/// (the field itself, or one line of a multi-line output) is not `NaN`; a
/// reset rebuilds the indicator from its constructor's arguments, read
/// back from fields; and, given `lookback`, the lookback of `period` (a
/// field path) is the expression over `p`, or "never" for a zero period.
/// Used inside `impl Indicator for X` blocks.
macro_rules! indicator_common {
    (
        value: $($value:ident).+,
        ready: $($ready:ident).+,
        reset: new($($($arg:ident).+),*)
        $(, lookback: $($period:ident).+ => |$p:ident| $lookback:expr)?
    ) => {
        fn value(&self) -> Self::Output {
            self.$($value).+
        }

        fn is_ready(&self) -> bool {
            !self.$($ready).+.is_nan()
        }

        fn reset(&mut self) {
            *self = Self::new($(self.$($arg).+),*);
        }

        $(
            fn lookback(&self) -> usize {
                let $p = self.$($period).+;
                $crate::indicators::streaming::lookback_or_never($p, $lookback)
            }
        )?
    };
}

mod average;
mod momentum;
mod volatility;
mod volume;

pub use average::{Ema, Sma};
pub use momentum::{Adx, Macd, MacdValue, Rsi, Stochastic, StochasticValue};
pub use volatility::{Atr, Bollinger, BollingerValue, RollingMax, RollingMin, RollingStd};
pub use volume::{Obv, Vwap};

use crate::OhlcvSeries;

/// A streaming indicator.
pub trait Indicator {
    /// What one update takes: a value (`f64`) or a [`Bar`].
    type Input: Copy;
    /// What it outputs: `f64`, or a struct for multi-line indicators.
    type Output: Copy;

    /// Adds one input and returns the new value.
    fn update(&mut self, input: Self::Input) -> Self::Output;
    /// The current value (`NaN` while not ready).
    fn value(&self) -> Self::Output;
    /// Whether the value is defined.
    fn is_ready(&self) -> bool;
    /// Back to the state before the first update.
    fn reset(&mut self);
    /// Inputs before the first defined value (TA-Lib's lookback);
    /// `usize::MAX` for parameters that never give a value (a zero period).
    fn lookback(&self) -> usize;
}

/// One OHLCV bar, the input of bar-based indicators.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bar {
    /// Open.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close.
    pub close: f64,
    /// Volume.
    pub volume: f64,
}

impl Bar {
    /// Bar `i` of `series`, if it exists.
    #[must_use]
    pub fn of(series: &OhlcvSeries, i: usize) -> Option<Self> {
        (i < series.len()).then(|| Self {
            open: series.open()[i],
            high: series.high()[i],
            low: series.low()[i],
            close: series.close()[i],
            volume: series.volume()[i],
        })
    }
}

/// Folds `indicator` over `inputs`: one output per input.
pub fn fold<I: Indicator>(
    indicator: &mut I,
    inputs: impl IntoIterator<Item = I::Input>,
) -> Vec<I::Output> {
    inputs.into_iter().map(|x| indicator.update(x)).collect()
}

/// Lookback `n`, or "never" for a zero period.
fn lookback_or_never(period: usize, n: usize) -> usize {
    if period == 0 {
        usize::MAX
    } else {
        n
    }
}
