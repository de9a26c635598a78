//! Streaming [`Sma`] and [`Ema`].

use std::collections::VecDeque;

use super::Indicator;

/// Simple moving average (streaming [`crate::indicators::sma`]).
#[derive(Debug, Clone)]
pub struct Sma {
    period: usize,
    window: VecDeque<f64>,
    total: f64,
    value: f64,
}

impl Sma {
    /// An SMA over `period` values.
    #[must_use]
    pub fn new(period: usize) -> Self {
        Self {
            period,
            window: VecDeque::with_capacity(period),
            total: 0.0,
            value: f64::NAN,
        }
    }
}

impl Indicator for Sma {
    type Input = f64;
    type Output = f64;

    fn update(&mut self, x: f64) -> f64 {
        if self.period == 0 {
            return f64::NAN;
        }
        self.total += x;
        self.window.push_back(x);
        if self.window.len() == self.period {
            self.value = self.total / self.period as f64;
            if let Some(old) = self.window.pop_front() {
                self.total -= old;
            }
        }
        self.value
    }

    indicator_common!(value: value, ready: value, reset: new(period),
        lookback: period => |p| p.saturating_sub(1));
}

/// Exponential moving average seeded with the SMA of the first `period`
/// values (streaming [`crate::indicators::ema`]).
#[derive(Debug, Clone)]
pub struct Ema {
    period: usize,
    k: f64,
    count: usize,
    total: f64,
    value: f64,
}

impl Ema {
    /// An EMA over `period` values.
    #[must_use]
    pub fn new(period: usize) -> Self {
        Self {
            period,
            k: 2.0 / (period as f64 + 1.0),
            count: 0,
            total: 0.0,
            value: f64::NAN,
        }
    }
}

impl Indicator for Ema {
    type Input = f64;
    type Output = f64;

    fn update(&mut self, x: f64) -> f64 {
        if self.period == 0 {
            return f64::NAN;
        }
        self.count += 1;
        if self.count < self.period {
            self.total += x;
        } else if self.count == self.period {
            self.total += x;
            self.value = self.total / self.period as f64;
        } else {
            self.value += (x - self.value) * self.k;
        }
        self.value
    }

    indicator_common!(value: value, ready: value, reset: new(period),
        lookback: period => |p| p.saturating_sub(1));
}
