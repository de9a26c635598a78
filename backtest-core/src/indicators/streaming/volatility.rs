//! Streaming [`Atr`], [`Bollinger`], [`RollingStd`], [`RollingMax`] and
//! [`RollingMin`].

use std::collections::VecDeque;

use super::{Bar, Indicator};
use crate::indicators::volatility::{std_from_variance, true_range};

/// Wilder's average true range (streaming [`crate::indicators::atr`]).
#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    previous_close: Option<f64>,
    ranges: usize,
    total: f64,
    value: f64,
}

impl Atr {
    /// An ATR over `period` true ranges.
    #[must_use]
    pub fn new(period: usize) -> Self {
        Self {
            period,
            previous_close: None,
            ranges: 0,
            total: 0.0,
            value: f64::NAN,
        }
    }
}

impl Indicator for Atr {
    type Input = Bar;
    type Output = f64;

    fn update(&mut self, bar: Bar) -> f64 {
        let previous = self.previous_close.replace(bar.close);
        let (Some(previous), true) = (previous, self.period > 0) else {
            return self.value;
        };
        let range = true_range(bar.high, bar.low, previous);
        self.ranges += 1;
        let p = self.period as f64;
        if self.ranges < self.period {
            self.total += range;
        } else if self.ranges == self.period {
            self.total += range;
            self.value = self.total / p;
        } else {
            self.value = self.value * ((p - 1.0) / p) + range * (1.0 / p);
        }
        self.value
    }

    indicator_common!(value: value, ready: value, reset: new(period),
        lookback: period => |p| p);
}

/// Running sum and sum of squares over a window: the shared core of
/// [`RollingStd`] and [`Bollinger`], with the batch functions' arithmetic.
#[derive(Debug, Clone)]
struct Moments {
    period: usize,
    window: VecDeque<f64>,
    total: f64,
    total_sq: f64,
}

impl Moments {
    fn new(period: usize) -> Self {
        Self {
            period,
            window: VecDeque::with_capacity(period),
            total: 0.0,
            total_sq: 0.0,
        }
    }

    /// Adds `x`; once the window is full, `(mean, population std)`.
    fn update(&mut self, x: f64) -> Option<(f64, f64)> {
        if self.period == 0 {
            return None;
        }
        self.total += x;
        self.total_sq += x * x;
        self.window.push_back(x);
        if self.window.len() < self.period {
            return None;
        }
        let p = self.period as f64;
        let mean = self.total / p;
        let std = std_from_variance(self.total_sq / p - mean * mean);
        if let Some(old) = self.window.pop_front() {
            self.total -= old;
            self.total_sq -= old * old;
        }
        Some((mean, std))
    }
}

/// Rolling population standard deviation (streaming [`crate::indicators::rolling_std`]).
#[derive(Debug, Clone)]
pub struct RollingStd {
    moments: Moments,
    value: f64,
}

impl RollingStd {
    /// Over `period` values.
    #[must_use]
    pub fn new(period: usize) -> Self {
        Self {
            moments: Moments::new(period),
            value: f64::NAN,
        }
    }
}

impl Indicator for RollingStd {
    type Input = f64;
    type Output = f64;

    fn update(&mut self, x: f64) -> f64 {
        if let Some((_, std)) = self.moments.update(x) {
            self.value = std;
        }
        self.value
    }

    indicator_common!(value: value, ready: value, reset: new(moments.period),
        lookback: moments.period => |p| p.saturating_sub(1));
}

/// One Bollinger output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BollingerValue {
    /// Middle + width.
    pub upper: f64,
    /// The SMA.
    pub middle: f64,
    /// Middle - width.
    pub lower: f64,
}

/// Bollinger Bands (streaming [`crate::indicators::bollinger`]).
#[derive(Debug, Clone)]
pub struct Bollinger {
    moments: Moments,
    std_dev: f64,
    value: BollingerValue,
}

impl Bollinger {
    /// SMA over `period` ± `std_dev` population standard deviations.
    #[must_use]
    pub fn new(period: usize, std_dev: f64) -> Self {
        Self {
            moments: Moments::new(period),
            std_dev,
            value: BollingerValue {
                upper: f64::NAN,
                middle: f64::NAN,
                lower: f64::NAN,
            },
        }
    }
}

impl Indicator for Bollinger {
    type Input = f64;
    type Output = BollingerValue;

    fn update(&mut self, x: f64) -> BollingerValue {
        if let Some((mean, std)) = self.moments.update(x) {
            let width = self.std_dev * std;
            self.value = BollingerValue {
                upper: mean + width,
                middle: mean,
                lower: mean - width,
            };
        }
        self.value
    }

    indicator_common!(value: value, ready: value.middle, reset: new(moments.period, std_dev),
        lookback: moments.period => |p| p.saturating_sub(1));
}

/// A monotonic deque: the window's extreme in amortised O(1).
#[derive(Debug, Clone)]
struct Extreme {
    period: usize,
    seen: usize,
    /// (index, value), values strictly ordered from the extreme.
    kept: VecDeque<(usize, f64)>,
    value: f64,
}

impl Extreme {
    fn new(period: usize) -> Self {
        Self {
            period,
            seen: 0,
            kept: VecDeque::with_capacity(period),
            value: f64::NAN,
        }
    }

    /// `beats(a, b)`: `a` is at least as extreme as `b`.
    fn update(&mut self, x: f64, beats: fn(f64, f64) -> bool) -> f64 {
        if self.period == 0 {
            return f64::NAN;
        }
        let i = self.seen;
        self.seen += 1;
        while self.kept.back().is_some_and(|&(_, v)| beats(x, v)) {
            self.kept.pop_back();
        }
        self.kept.push_back((i, x));
        while self
            .kept
            .front()
            .is_some_and(|&(j, _)| j + self.period <= i)
        {
            self.kept.pop_front();
        }
        if self.seen >= self.period {
            self.value = self.kept.front().map_or(f64::NAN, |&(_, v)| v);
        }
        self.value
    }
}

macro_rules! extreme_indicator {
    ($(#[$meta:meta])* $name:ident, $beats:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            extreme: Extreme,
        }

        impl $name {
            /// Over `period` values.
            #[must_use]
            pub fn new(period: usize) -> Self {
                Self {
                    extreme: Extreme::new(period),
                }
            }
        }

        impl Indicator for $name {
            type Input = f64;
            type Output = f64;

            fn update(&mut self, x: f64) -> f64 {
                self.extreme.update(x, $beats)
            }

            indicator_common!(value: extreme.value, ready: extreme.value, reset: new(extreme.period),
                lookback: extreme.period => |p| p.saturating_sub(1));
        }
    };
}

extreme_indicator!(
    /// Rolling maximum (streaming [`crate::indicators::rolling_max`]).
    RollingMax,
    |a, b| a >= b
);
extreme_indicator!(
    /// Rolling minimum (streaming [`crate::indicators::rolling_min`]).
    RollingMin,
    |a, b| a <= b
);
