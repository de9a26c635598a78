//! Streaming [`Rsi`], [`Macd`], [`Stochastic`] and [`Adx`].

use super::average::{Ema, Sma};
use super::volatility::{RollingMax, RollingMin};
use super::{Bar, Indicator};
use crate::indicators::momentum::{directional_index, dm, rsi_value};
use crate::indicators::volatility::true_range;

/// Wilder's RSI of closes (streaming [`crate::indicators::rsi`]).
#[derive(Debug, Clone)]
pub struct Rsi {
    period: usize,
    previous: Option<f64>,
    changes: usize,
    gain: f64,
    loss: f64,
    value: f64,
}

impl Rsi {
    /// An RSI over `period` changes.
    #[must_use]
    pub fn new(period: usize) -> Self {
        Self {
            period,
            previous: None,
            changes: 0,
            gain: 0.0,
            loss: 0.0,
            value: f64::NAN,
        }
    }
}

impl Indicator for Rsi {
    type Input = f64;
    type Output = f64;

    fn update(&mut self, close: f64) -> f64 {
        let previous = self.previous.replace(close);
        let (Some(previous), true) = (previous, self.period > 0) else {
            return self.value;
        };
        let change = close - previous;
        self.changes += 1;
        let p = self.period as f64;
        if self.changes <= self.period {
            self.gain += change.max(0.0);
            self.loss += (-change).max(0.0);
            if self.changes == self.period {
                self.gain /= p;
                self.loss /= p;
                self.value = rsi_value(self.gain, self.loss);
            }
        } else {
            let (keep, add) = ((p - 1.0) / p, 1.0 / p);
            self.gain = self.gain * keep + change.max(0.0) * add;
            self.loss = self.loss * keep + (-change).max(0.0) * add;
            self.value = rsi_value(self.gain, self.loss);
        }
        self.value
    }

    indicator_common!(value: value, ready: value, reset: new(period),
        lookback: period => |p| p);
}

/// One MACD output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MacdValue {
    /// Fast EMA minus slow EMA.
    pub macd: f64,
    /// EMA of the MACD line.
    pub signal: f64,
    /// `macd - signal`.
    pub hist: f64,
}

const MACD_UNDEFINED: MacdValue = MacdValue {
    macd: f64::NAN,
    signal: f64::NAN,
    hist: f64::NAN,
};

/// MACD of closes with TA-Lib's seeding (streaming [`crate::indicators::macd`]).
#[derive(Debug, Clone)]
pub struct Macd {
    fast: usize,
    slow: usize,
    signal_period: usize,
    /// The first `slow` closes, for the TA-Lib-aligned EMA seeds.
    warmup: Vec<f64>,
    fast_ema: f64,
    slow_ema: f64,
    signal: Ema,
    value: MacdValue,
}

impl Macd {
    /// MACD with EMA periods `fast`, `slow`, `signal` (swapped if `slow < fast`, as TA-Lib).
    #[must_use]
    pub fn new(fast: usize, slow: usize, signal: usize) -> Self {
        let (fast, slow) = if slow < fast {
            (slow, fast)
        } else {
            (fast, slow)
        };
        Self {
            fast,
            slow,
            signal_period: signal,
            warmup: Vec::with_capacity(slow),
            fast_ema: f64::NAN,
            slow_ema: f64::NAN,
            signal: Ema::new(signal),
            value: MACD_UNDEFINED,
        }
    }

    fn valid(&self) -> bool {
        self.fast > 0 && self.slow > 0 && self.signal_period > 0
    }
}

impl Indicator for Macd {
    type Input = f64;
    type Output = MacdValue;

    fn update(&mut self, close: f64) -> MacdValue {
        if !self.valid() {
            return self.value;
        }
        let line = if self.warmup.len() < self.slow {
            self.warmup.push(close);
            if self.warmup.len() < self.slow {
                return self.value;
            }
            let (fast, slow) = (self.fast, self.slow);
            self.fast_ema = self.warmup[slow - fast..].iter().sum::<f64>() / fast as f64;
            self.slow_ema = self.warmup.iter().sum::<f64>() / slow as f64;
            self.fast_ema - self.slow_ema
        } else {
            self.fast_ema += (close - self.fast_ema) * (2.0 / (self.fast as f64 + 1.0));
            self.slow_ema += (close - self.slow_ema) * (2.0 / (self.slow as f64 + 1.0));
            self.fast_ema - self.slow_ema
        };
        let signal = self.signal.update(line);
        if self.signal.is_ready() {
            self.value = MacdValue {
                macd: line,
                signal,
                hist: line - signal,
            };
        }
        self.value
    }

    indicator_common!(value: value, ready: value.macd, reset: new(fast, slow, signal_period));

    fn lookback(&self) -> usize {
        if self.valid() {
            self.slow + self.signal_period - 2
        } else {
            usize::MAX
        }
    }
}

/// One stochastic output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StochasticValue {
    /// Slow %K.
    pub k: f64,
    /// %D.
    pub d: f64,
}

/// Slow stochastic with SMA smoothing (streaming [`crate::indicators::stochastic`]).
#[derive(Debug, Clone)]
pub struct Stochastic {
    fastk_period: usize,
    slowk_period: usize,
    slowd_period: usize,
    highest: RollingMax,
    lowest: RollingMin,
    slow_k: Sma,
    slow_d: Sma,
    value: StochasticValue,
}

impl Stochastic {
    /// %K over `fastk_period` bars, smoothed over `slowk_period`; %D over `slowd_period`.
    #[must_use]
    pub fn new(fastk_period: usize, slowk_period: usize, slowd_period: usize) -> Self {
        Self {
            fastk_period,
            slowk_period,
            slowd_period,
            highest: RollingMax::new(fastk_period),
            lowest: RollingMin::new(fastk_period),
            slow_k: Sma::new(slowk_period),
            slow_d: Sma::new(slowd_period),
            value: StochasticValue {
                k: f64::NAN,
                d: f64::NAN,
            },
        }
    }

    /// A zero period gives no value, ever.
    fn never_ready(&self) -> bool {
        self.fastk_period == 0 || self.slowk_period == 0 || self.slowd_period == 0
    }
}

impl Indicator for Stochastic {
    type Input = Bar;
    type Output = StochasticValue;

    fn update(&mut self, bar: Bar) -> StochasticValue {
        if self.never_ready() {
            return self.value;
        }
        let high = self.highest.update(bar.high);
        let low = self.lowest.update(bar.low);
        if !self.highest.is_ready() {
            return self.value;
        }
        let range = (high - low) / 100.0;
        let fast_k = if range == 0.0 {
            0.0
        } else {
            (bar.close - low) / range
        };
        let k = self.slow_k.update(fast_k);
        if self.slow_k.is_ready() {
            let d = self.slow_d.update(k);
            if self.slow_d.is_ready() {
                self.value = StochasticValue { k, d };
            }
        }
        self.value
    }

    indicator_common!(value: value, ready: value.d, reset: new(fastk_period, slowk_period, slowd_period));

    fn lookback(&self) -> usize {
        if self.never_ready() {
            usize::MAX
        } else {
            self.fastk_period + self.slowk_period + self.slowd_period - 3
        }
    }
}

/// Wilder's ADX (streaming [`crate::indicators::adx`]).
#[derive(Debug, Clone)]
pub struct Adx {
    period: usize,
    previous: Option<Bar>,
    /// Bars seen so far (the index of the next bar).
    bars: usize,
    plus_dm: f64,
    minus_dm: f64,
    tr: f64,
    sum_dx: f64,
    value: f64,
}

impl Adx {
    /// An ADX over `period` bars.
    #[must_use]
    pub fn new(period: usize) -> Self {
        Self {
            period,
            previous: None,
            bars: 0,
            plus_dm: 0.0,
            minus_dm: 0.0,
            tr: 0.0,
            sum_dx: 0.0,
            value: f64::NAN,
        }
    }
}

impl Indicator for Adx {
    type Input = Bar;
    type Output = f64;

    fn update(&mut self, bar: Bar) -> f64 {
        let i = self.bars;
        self.bars += 1;
        let previous = self.previous.replace(bar);
        let (Some(prev), true) = (previous, self.period > 0) else {
            return self.value;
        };
        let (plus, minus) = dm(prev.high, prev.low, bar.high, bar.low);
        let range = true_range(bar.high, bar.low, prev.close);
        if i < self.period {
            self.plus_dm += plus;
            self.minus_dm += minus;
            self.tr += range;
            return self.value;
        }
        let p = self.period as f64;
        let keep = (p - 1.0) / p;
        self.plus_dm = self.plus_dm * keep + plus;
        self.minus_dm = self.minus_dm * keep + minus;
        self.tr = self.tr * keep + range;
        let dx = directional_index(self.plus_dm, self.minus_dm, self.tr);
        let lookback = 2 * self.period - 1;
        if i <= lookback {
            if let Some(dx) = dx {
                self.sum_dx += dx;
            }
            if i == lookback {
                self.value = self.sum_dx / p;
            }
        } else if let Some(dx) = dx {
            self.value = self.value * keep + dx * (1.0 / p);
        }
        self.value
    }

    indicator_common!(value: value, ready: value, reset: new(period),
        lookback: period => |p| (2 * p).saturating_sub(1));
}
