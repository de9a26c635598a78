//! Streaming [`Obv`] and [`Vwap`].

use super::{Bar, Indicator};

/// On-balance volume (streaming [`crate::indicators::obv`]).
#[derive(Debug, Clone)]
pub struct Obv {
    previous_close: Option<f64>,
    value: f64,
}

impl Default for Obv {
    fn default() -> Self {
        Self::new()
    }
}

impl Obv {
    /// A fresh OBV.
    #[must_use]
    pub fn new() -> Self {
        Self {
            previous_close: None,
            value: f64::NAN,
        }
    }
}

impl Indicator for Obv {
    type Input = Bar;
    type Output = f64;

    fn update(&mut self, bar: Bar) -> f64 {
        self.value = match self.previous_close.replace(bar.close) {
            None => bar.volume,
            Some(previous) => {
                let direction = f64::from(u8::from(bar.close > previous))
                    - f64::from(u8::from(bar.close < previous));
                self.value + bar.volume * direction
            }
        };
        self.value
    }

    fn value(&self) -> f64 {
        self.value
    }

    fn is_ready(&self) -> bool {
        self.previous_close.is_some()
    }

    fn reset(&mut self) {
        *self = Self::new();
    }

    fn lookback(&self) -> usize {
        0
    }
}

/// Cumulative volume-weighted average of the typical price (streaming
/// [`crate::indicators::vwap`]); undefined while no volume has traded.
#[derive(Debug, Clone, Default)]
pub struct Vwap {
    value: f64,
    shares: f64,
}

impl Vwap {
    /// A fresh VWAP.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl Indicator for Vwap {
    type Input = Bar;
    type Output = f64;

    fn update(&mut self, bar: Bar) -> f64 {
        let typical = (bar.high + bar.low + bar.close) / 3.0;
        self.value += typical * bar.volume;
        self.shares += bar.volume;
        self.value()
    }

    fn value(&self) -> f64 {
        if self.shares == 0.0 {
            f64::NAN
        } else {
            self.value / self.shares
        }
    }

    fn is_ready(&self) -> bool {
        self.shares != 0.0
    }

    fn reset(&mut self) {
        *self = Self::new();
    }

    fn lookback(&self) -> usize {
        0
    }
}
