//! Trading settings: capital, costs, sizing, direction and fill timing.

use serde::{Deserialize, Serialize};

use crate::{CoreError, Result, Timeframe};

/// How `position_size` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeType {
    /// Currency per trade.
    #[default]
    Value,
    /// Percent of current equity per trade (100 = all in).
    Percent,
}

/// Which positions may be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Long or flat; cash never goes negative.
    #[default]
    LongOnly,
    /// Long, flat or short; signals reverse the position.
    LongShort,
}

/// When a signal decided on bar *t*'s close is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillMode {
    /// At bar *t+1*'s open: no look-ahead (default).
    #[default]
    NextOpen,
    /// At bar *t*'s close: for comparison with tools that trade on close.
    Close,
}

/// Everything the engine needs besides bars and signals.
///
/// ```
/// use backtest_core::engine::{TradingSettings, SizeType};
/// let all_in = TradingSettings::default()
///     .with_size_type(SizeType::Percent)
///     .with_position_size(100.0);
/// assert!(all_in.validate().is_ok());
/// assert_eq!(TradingSettings::default().initial_capital, 100_000.0);
/// ```
///
/// The struct is `#[non_exhaustive]` so that new settings are not breaking
/// changes: start from [`TradingSettings::default`] and set fields with the
/// `with_*` methods (or assign the public fields).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TradingSettings {
    /// Starting cash.
    pub initial_capital: f64,
    /// Commission as a fraction of traded value, per side (0.001 = 0.1 %).
    pub fee_rate: f64,
    /// Slippage in basis points, applied against the trader on every fill.
    pub slippage_bps: f64,
    /// Size of each new position; see [`SizeType`].
    pub position_size: f64,
    /// How `position_size` is read.
    pub size_type: SizeType,
    /// Long-only or long/short.
    pub direction: Direction,
    /// Fill timing.
    pub fill: FillMode,
    /// Bar duration, for annualisation.
    pub timeframe: Timeframe,
    /// Stop-loss in percent of the entry fill price, in (0, 100); `None` = off.
    pub stop_loss_pct: Option<f64>,
    /// Take-profit in percent of the entry fill price, in (0, 100); `None` = off.
    pub take_profit_pct: Option<f64>,
    /// Trailing stop in percent of the peak (long) or trough (short) since
    /// entry, in (0, 100); `None` = off.
    pub trailing_stop_pct: Option<f64>,
}

impl Default for TradingSettings {
    fn default() -> Self {
        Self {
            initial_capital: 100_000.0,
            fee_rate: 0.001,
            slippage_bps: 0.0,
            position_size: 10_000.0,
            size_type: SizeType::Value,
            direction: Direction::LongOnly,
            fill: FillMode::NextOpen,
            timeframe: Timeframe::Day1,
            stop_loss_pct: None,
            take_profit_pct: None,
            trailing_stop_pct: None,
        }
    }
}

impl TradingSettings {
    /// These settings with `initial_capital` set. Starting cash.
    #[must_use]
    pub const fn with_initial_capital(mut self, initial_capital: f64) -> Self {
        self.initial_capital = initial_capital;
        self
    }

    /// These settings with `fee_rate` set. Commission as a fraction of traded value, per side.
    #[must_use]
    pub const fn with_fee_rate(mut self, fee_rate: f64) -> Self {
        self.fee_rate = fee_rate;
        self
    }

    /// These settings with `slippage_bps` set. Slippage in basis points.
    #[must_use]
    pub const fn with_slippage_bps(mut self, slippage_bps: f64) -> Self {
        self.slippage_bps = slippage_bps;
        self
    }

    /// These settings with `position_size` set. Size of each new position; see [`SizeType`].
    #[must_use]
    pub const fn with_position_size(mut self, position_size: f64) -> Self {
        self.position_size = position_size;
        self
    }

    /// These settings with `size_type` set. How `position_size` is read.
    #[must_use]
    pub const fn with_size_type(mut self, size_type: SizeType) -> Self {
        self.size_type = size_type;
        self
    }

    /// These settings with `direction` set. Long-only or long/short.
    #[must_use]
    pub const fn with_direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// These settings with `fill` set. Fill timing.
    #[must_use]
    pub const fn with_fill(mut self, fill: FillMode) -> Self {
        self.fill = fill;
        self
    }

    /// These settings with `stop_loss_pct` set. Stop-loss distance in percent, or none.
    #[must_use]
    pub const fn with_stop_loss_pct(mut self, stop_loss_pct: Option<f64>) -> Self {
        self.stop_loss_pct = stop_loss_pct;
        self
    }

    /// These settings with `take_profit_pct` set. Take-profit distance in percent, or none.
    #[must_use]
    pub const fn with_take_profit_pct(mut self, take_profit_pct: Option<f64>) -> Self {
        self.take_profit_pct = take_profit_pct;
        self
    }

    /// These settings with `trailing_stop_pct` set. Trailing-stop distance in percent, or none.
    #[must_use]
    pub const fn with_trailing_stop_pct(mut self, trailing_stop_pct: Option<f64>) -> Self {
        self.trailing_stop_pct = trailing_stop_pct;
        self
    }

    /// These settings with `timeframe` set. Bar duration, for annualisation.
    #[must_use]
    pub const fn with_timeframe(mut self, timeframe: Timeframe) -> Self {
        self.timeframe = timeframe;
        self
    }

    /// Checks every numeric setting.
    ///
    /// # Errors
    /// [`CoreError::InvalidSetting`] naming the field and its valid range.
    pub fn validate(&self) -> Result<()> {
        let check = |field: &'static str, value: f64, ok: bool, range: &str| {
            if value.is_finite() && ok {
                Ok(())
            } else {
                Err(CoreError::InvalidSetting {
                    field,
                    reason: format!("must be {range}, got {value}"),
                })
            }
        };
        check(
            "initial_capital",
            self.initial_capital,
            self.initial_capital > 0.0 && self.initial_capital <= 1e15,
            "a positive amount up to 1e15",
        )?;
        check(
            "fee_rate",
            self.fee_rate,
            (0.0..1.0).contains(&self.fee_rate),
            "a fraction in [0, 1)",
        )?;
        check(
            "slippage_bps",
            self.slippage_bps,
            (0.0..10_000.0).contains(&self.slippage_bps),
            "basis points in [0, 10000)",
        )?;
        for (field, value) in [
            ("stop_loss_pct", self.stop_loss_pct),
            ("take_profit_pct", self.take_profit_pct),
            ("trailing_stop_pct", self.trailing_stop_pct),
        ] {
            if let Some(v) = value {
                check(
                    field,
                    v,
                    v > 0.0 && v < 100.0,
                    "a percent in (0, 100) or null",
                )?;
            }
        }
        match self.size_type {
            SizeType::Value => check(
                "position_size",
                self.position_size,
                self.position_size > 0.0 && self.position_size <= 1e15,
                "a positive amount (size_type=value)",
            ),
            SizeType::Percent => check(
                "position_size",
                self.position_size,
                self.position_size > 0.0 && self.position_size <= 100.0,
                "a percent in (0, 100] (size_type=percent)",
            ),
        }
    }
}
