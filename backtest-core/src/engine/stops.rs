//! Risk exits: stop-loss, take-profit and trailing stop, evaluated while a
//! position is open, and the excursion (MAE/MFE) of the open position.
//!
//! The execution model is written out in the crate documentation
//! (ASSUMPTIONS). In short, for a long position (shorts mirrored): stop =
//! max(entry x (1 - sl), peak x (1 - tr)) with peak = the entry fill and the
//! highs of the bars strictly before the current one; TP = entry x (1 + tp);
//! a bar that opens beyond a level exits at its open (not the entry bar in
//! `next_open` mode), otherwise low <= stop exits at the stop before
//! high >= TP exits at TP.

use serde::{Deserialize, Serialize};

use super::Side;

/// Why a trade was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// The rule's signal.
    #[default]
    Signal,
    /// The fixed stop-loss level.
    StopLoss,
    /// The take-profit level.
    TakeProfit,
    /// The trailing stop (its level was above the fixed stop-loss).
    TrailingStop,
    /// Still open at the last bar: closed there at the close.
    EndOfData,
}

impl ExitReason {
    /// The contract's name: `signal`, `stop_loss`, `take_profit`,
    /// `trailing_stop`, `end_of_data`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Signal => "signal",
            Self::StopLoss => "stop_loss",
            Self::TakeProfit => "take_profit",
            Self::TrailingStop => "trailing_stop",
            Self::EndOfData => "end_of_data",
        }
    }
}

/// The stop settings as fractions (`pct / 100`); `None` = off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct StopRules {
    sl: Option<f64>,
    tp: Option<f64>,
    tr: Option<f64>,
}

/// One bar's prices.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bar {
    pub open: f64,
    pub high: f64,
    pub low: f64,
}

impl StopRules {
    /// `None` when no stop is set, so the engine's loop skips the checks.
    pub fn new(sl_pct: Option<f64>, tp_pct: Option<f64>, tr_pct: Option<f64>) -> Option<Self> {
        let frac = |p: Option<f64>| p.map(|v| v / 100.0);
        (sl_pct.is_some() || tp_pct.is_some() || tr_pct.is_some()).then(|| Self {
            sl: frac(sl_pct),
            tp: frac(tp_pct),
            tr: frac(tr_pct),
        })
    }

    /// The stop level in force and whether it is the trailing one (strictly
    /// tighter than the fixed stop; a tie is the fixed stop).
    fn stop_level(&self, side: Side, entry: f64, extreme: f64) -> Option<(f64, bool)> {
        let (fixed, trailing) = match side {
            Side::Long => (
                self.sl.map(|s| entry * (1.0 - s)),
                self.tr.map(|t| extreme * (1.0 - t)),
            ),
            Side::Short => (
                self.sl.map(|s| entry * (1.0 + s)),
                self.tr.map(|t| extreme * (1.0 + t)),
            ),
        };
        match (fixed, trailing) {
            (Some(f), Some(t)) => {
                let tighter = match side {
                    Side::Long => t > f,
                    Side::Short => t < f,
                };
                Some(if tighter { (t, true) } else { (f, false) })
            }
            (Some(f), None) => Some((f, false)),
            (None, Some(t)) => Some((t, true)),
            (None, None) => None,
        }
    }

    fn take_profit_level(&self, side: Side, entry: f64) -> Option<f64> {
        self.tp.map(|p| match side {
            Side::Long => entry * (1.0 + p),
            Side::Short => entry * (1.0 - p),
        })
    }

    /// The exit on `bar`, if any: the reference price (before slippage) and
    /// the reason. `extreme` is the trailing peak (long) or trough (short)
    /// over the entry fill and the bars before this one; `entry_bar` is true
    /// on the bar whose open was the entry fill (no gap check there).
    pub fn check(
        &self,
        side: Side,
        entry: f64,
        extreme: f64,
        bar: Bar,
        entry_bar: bool,
    ) -> Option<(f64, ExitReason)> {
        let stop = self.stop_level(side, entry, extreme);
        let tp = self.take_profit_level(side, entry);
        let stop_reason = |trailing: bool| {
            if trailing {
                ExitReason::TrailingStop
            } else {
                ExitReason::StopLoss
            }
        };
        // For a long, "beyond the stop" is below it and "beyond TP" above;
        // a short flips both.
        type Cmp = fn(f64, f64) -> bool;
        let (beyond_stop, beyond_tp, adverse, favourable): (Cmp, Cmp, f64, f64) = match side {
            Side::Long => (|p, l| p <= l, |p, l| p >= l, bar.low, bar.high),
            Side::Short => (|p, l| p >= l, |p, l| p <= l, bar.high, bar.low),
        };
        if !entry_bar {
            if let Some((level, trailing)) = stop {
                if beyond_stop(bar.open, level) {
                    return Some((bar.open, stop_reason(trailing)));
                }
            }
            if let Some(level) = tp {
                if beyond_tp(bar.open, level) {
                    return Some((bar.open, ExitReason::TakeProfit));
                }
            }
        }
        if let Some((level, trailing)) = stop {
            if beyond_stop(adverse, level) {
                return Some((level, stop_reason(trailing)));
            }
        }
        if let Some(level) = tp {
            if beyond_tp(favourable, level) {
                return Some((level, ExitReason::TakeProfit));
            }
        }
        None
    }
}

/// The bars of one held stretch: the position's entry and trailing extreme
/// on entering it, and the columns.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stretch<'a> {
    pub side: Side,
    pub entry: f64,
    pub extreme: f64,
    /// The bar filled at its open (`next_open` mode), if any: no gap check there.
    pub entry_bar: Option<usize>,
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
}

impl StopRules {
    /// The first bar of `bars` on which [`StopRules::check`] exits, with
    /// the trailing extreme raised by each bar held through before it, as
    /// the engine's bar-by-bar loop does; `bars.end` when none exits.
    pub fn first_exit(&self, s: &Stretch<'_>, bars: std::ops::Range<usize>) -> usize {
        let mut extreme = s.extreme;
        for k in bars.clone() {
            let bar = Bar {
                open: s.open[k],
                high: s.high[k],
                low: s.low[k],
            };
            if self
                .check(s.side, s.entry, extreme, bar, s.entry_bar == Some(k))
                .is_some()
            {
                return k;
            }
            extreme = match s.side {
                Side::Long => extreme.max(bar.high),
                Side::Short => extreme.min(bar.low),
            };
        }
        bars.end
    }
}

/// Lowest and highest price seen while a position is open (bar prices,
/// before slippage), and the trailing extreme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Excursion {
    pub low: f64,
    pub high: f64,
}

impl Excursion {
    pub fn at(price: f64) -> Self {
        Self {
            low: price,
            high: price,
        }
    }

    #[inline]
    pub fn include(&mut self, low: f64, high: f64) {
        self.low = self.low.min(low);
        self.high = self.high.max(high);
    }

    /// `(mae_pct, mfe_pct)` against `entry`: MAE <= 0 <= MFE.
    pub fn percents(&self, side: Side, entry: f64) -> (f64, f64) {
        let down = (self.low.min(entry) / entry - 1.0) * 100.0;
        let up = (self.high.max(entry) / entry - 1.0) * 100.0;
        match side {
            Side::Long => (down, up),
            Side::Short => (-up, -down),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(open: f64, high: f64, low: f64) -> Bar {
        Bar { open, high, low }
    }

    #[test]
    fn long_levels_and_reasons() {
        let r = StopRules::new(Some(5.0), Some(10.0), Some(8.0)).expect("stops set");
        // peak 100: trailing 92 < SL 95 -> stop_loss at 95
        assert_eq!(
            r.check(Side::Long, 100.0, 100.0, bar(99.0, 101.0, 94.0), false),
            Some((95.0, ExitReason::StopLoss))
        );
        // peak 110: trailing 101.2 > 95 -> trailing_stop
        let got = r.check(Side::Long, 100.0, 110.0, bar(105.0, 106.0, 101.0), false);
        assert_eq!(got.map(|g| g.1), Some(ExitReason::TrailingStop));
        // gap below the stop exits at the open, except on the entry bar
        assert_eq!(
            r.check(Side::Long, 100.0, 100.0, bar(90.0, 91.0, 89.0), false),
            Some((90.0, ExitReason::StopLoss))
        );
        assert_eq!(
            r.check(Side::Long, 100.0, 100.0, bar(100.0, 111.0, 94.0), true),
            Some((95.0, ExitReason::StopLoss)),
            "stop before TP when both are touched"
        );
        assert_eq!(
            r.check(Side::Long, 100.0, 100.0, bar(112.0, 113.0, 94.0), false),
            Some((112.0, ExitReason::TakeProfit)),
            "a gap above TP exits at the open"
        );
        assert_eq!(
            r.check(Side::Long, 100.0, 100.0, bar(100.0, 104.0, 96.0), false),
            None
        );
    }

    #[test]
    fn tie_is_stop_loss_and_shorts_mirror() {
        let r = StopRules::new(Some(10.0), None, Some(10.0)).expect("stops set");
        assert_eq!(
            r.check(Side::Long, 100.0, 100.0, bar(95.0, 96.0, 80.0), false),
            Some((90.0, ExitReason::StopLoss))
        );
        let r = StopRules::new(Some(5.0), Some(10.0), None).expect("stops set");
        assert_eq!(
            r.check(Side::Short, 100.0, 100.0, bar(101.0, 106.0, 99.0), false),
            Some((105.0, ExitReason::StopLoss))
        );
        assert_eq!(
            r.check(Side::Short, 100.0, 100.0, bar(95.0, 96.0, 89.0), false),
            Some((90.0, ExitReason::TakeProfit))
        );
        assert!(StopRules::new(None, None, None).is_none());
    }

    #[test]
    fn excursion_signs() {
        let mut e = Excursion::at(100.0);
        e.include(90.0, 120.0);
        let close =
            |(a, b): (f64, f64), (x, y): (f64, f64)| (a - x).abs() < 1e-12 && (b - y).abs() < 1e-12;
        assert!(close(e.percents(Side::Long, 100.0), (-10.0, 20.0)));
        assert!(close(e.percents(Side::Short, 100.0), (-20.0, 10.0)));
    }
}
