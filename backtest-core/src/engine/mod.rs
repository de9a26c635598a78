//! The backtest engine: turns signals into fills, trades and an equity curve.
//!
//! See the crate documentation's ASSUMPTIONS section for the execution model.

mod recorder;
mod settings;
mod stops;
mod trade;

pub use settings::{Direction, FillMode, SizeType, TradingSettings};
pub use stops::ExitReason;
pub use trade::{Fill, Side, Trade};

use recorder::{FullRecorder, Recorder};
use stops::{Bar, Excursion, StopRules, Stretch};

use serde::{Deserialize, Serialize};

use crate::metrics::{EngineMetrics, MetricsAccumulator};
use crate::rules::signals_for;
use crate::stats::{RunRecord, Statistics};
use crate::{CoreError, OhlcvSeries, Result, Rule, Signal};

/// Everything one backtest produces, one entry per bar in the per-bar vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BacktestOutput {
    /// Cash plus marked-to-close position value, per bar.
    pub equity: Vec<f64>,
    /// Cash per bar (after that bar's fills).
    pub cash: Vec<f64>,
    /// Signed position in shares per bar (negative = short).
    pub position: Vec<f64>,
    /// The rule's signals, per bar.
    pub signals: Vec<Signal>,
    /// Executed orders in time order.
    pub fills: Vec<Fill>,
    /// Round-trip trades in time order.
    pub trades: Vec<Trade>,
    /// Engine metrics.
    pub metrics: EngineMetrics,
}

impl BacktestOutput {
    /// What the statistics module needs of this run on `series` with `settings`.
    #[must_use]
    pub fn record<'a>(
        &'a self,
        series: &'a OhlcvSeries,
        settings: &TradingSettings,
    ) -> RunRecord<'a> {
        RunRecord {
            timestamps: series.timestamps(),
            close: series.close(),
            equity: &self.equity,
            position: &self.position,
            trades: &self.trades,
            initial_capital: settings.initial_capital,
            bars_per_year: settings.timeframe.bars_per_year(),
        }
    }

    /// Every statistic of this run (see [`crate::stats`]).
    #[must_use]
    pub fn statistics(&self, series: &OhlcvSeries, settings: &TradingSettings) -> Statistics {
        Statistics::compute(&self.record(series, settings))
    }
}

/// Runs `rule` on `series` with `settings`.
///
/// ```
/// use backtest_core::{engine, OhlcvSeries, Signal};
/// use backtest_core::engine::TradingSettings;
///
/// let close = vec![10.0, 10.0, 11.0, 12.0, 12.0];
/// let series = OhlcvSeries::new(
///     (0..5).map(|d| d * 86_400).collect(),
///     close.clone(), close.clone(), close.clone(), close, vec![1e6; 5],
/// ).unwrap();
/// let signals = [Signal::Buy, Signal::Hold, Signal::Hold, Signal::Sell, Signal::Hold];
/// let settings = TradingSettings::default().with_fee_rate(0.0).with_position_size(1_000.0);
/// let out = engine::run_signals(&series, &signals, &settings).unwrap();
/// // Bought 100 shares at bar 1's open (10), sold at bar 4's open (12).
/// assert_eq!(out.trades.len(), 1);
/// assert_eq!(out.trades[0].pnl_abs, 200.0);
/// assert_eq!(*out.equity.last().unwrap(), 100_200.0);
/// ```
///
/// # Errors
/// Invalid settings ([`CoreError::InvalidSetting`]) or an empty series.
pub fn run(
    series: &OhlcvSeries,
    rule: &dyn Rule,
    settings: &TradingSettings,
) -> Result<BacktestOutput> {
    check_inputs(series, series.len(), settings)?;
    let signals = signals_for(rule, series);
    Ok(run_checked(series, signals, settings))
}

/// Runs precomputed `signals` (one per bar) on `series`.
///
/// # Errors
/// Invalid settings, an empty series, or a signal count that differs from
/// the bar count.
pub fn run_signals(
    series: &OhlcvSeries,
    signals: &[Signal],
    settings: &TradingSettings,
) -> Result<BacktestOutput> {
    check_inputs(series, signals.len(), settings)?;
    Ok(run_checked(series, signals.to_vec(), settings))
}

/// The full run once the inputs are checked; keeps `signals` in the output.
fn run_checked(
    series: &OhlcvSeries,
    signals: Vec<Signal>,
    settings: &TradingSettings,
) -> BacktestOutput {
    let n = series.len();
    let mut recorder = FullRecorder {
        equity: Vec::with_capacity(n),
        cash: Vec::with_capacity(n),
        position: Vec::with_capacity(n),
        fills: Vec::new(),
        trades: Vec::new(),
        metrics: MetricsAccumulator::new(settings.initial_capital),
    };
    simulate(series, &signals, settings, &mut recorder);
    BacktestOutput {
        metrics: recorder.metrics.finish(settings.timeframe.bars_per_year()),
        equity: recorder.equity,
        cash: recorder.cash,
        position: recorder.position,
        signals,
        fills: recorder.fills,
        trades: recorder.trades,
    }
}

/// Runs `signals` and returns only the metrics, without allocating per-bar
/// output. This is what the optimizer calls for each grid point.
///
/// # Errors
/// As [`run_signals`].
pub fn run_metrics(
    series: &OhlcvSeries,
    signals: &[Signal],
    settings: &TradingSettings,
) -> Result<EngineMetrics> {
    check_inputs(series, signals.len(), settings)?;
    let mut recorder = MetricsAccumulator::new(settings.initial_capital);
    simulate(series, signals, settings, &mut recorder);
    Ok(recorder.finish(settings.timeframe.bars_per_year()))
}

fn check_inputs(
    series: &OhlcvSeries,
    signal_count: usize,
    settings: &TradingSettings,
) -> Result<()> {
    settings.validate()?;
    if series.is_empty() {
        return Err(CoreError::EmptySeries);
    }
    if signal_count != series.len() {
        return Err(CoreError::LengthMismatch {
            column: "signals",
            expected: series.len(),
            got: signal_count,
        });
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
struct OpenPosition {
    side: Side,
    size: f64,
    entry_index: usize,
    entry_price: f64,
    entry_fee: f64,
    /// Trailing peak (long) or trough (short): the entry fill and the bars
    /// held through so far.
    extreme: f64,
    excursion: Excursion,
}

impl OpenPosition {
    /// The position was held through a bar with this low and high.
    #[inline]
    fn held_through(&mut self, low: f64, high: f64) {
        self.excursion.include(low, high);
        self.extreme = match self.side {
            Side::Long => self.extreme.max(high),
            Side::Short => self.extreme.min(low),
        };
    }
}

/// Cash and position during a simulation.
struct Book<'s> {
    settings: &'s TradingSettings,
    slippage: f64,
    cash: f64,
    open: Option<OpenPosition>,
}

impl Book<'_> {
    /// Exits the open position if `bar` reaches one of its stop levels.
    /// `entry_bar`: the position was filled at this bar's open.
    #[inline]
    fn check_stops(
        &mut self,
        rules: &StopRules,
        index: usize,
        bar: Bar,
        entry_bar: bool,
        rec: &mut impl Recorder,
    ) {
        let Some(pos) = self.open.as_mut() else {
            return;
        };
        if let Some((price, reason)) =
            rules.check(pos.side, pos.entry_price, pos.extreme, bar, entry_bar)
        {
            // The path known up to the exit: the open, then the level.
            pos.excursion.include(bar.open, bar.open);
            self.exit(index, price, reason, rec);
        }
    }
}

impl Book<'_> {
    fn shares(&self) -> f64 {
        match self.open {
            Some(OpenPosition {
                side: Side::Long,
                size,
                ..
            }) => size,
            Some(OpenPosition {
                side: Side::Short,
                size,
                ..
            }) => -size,
            None => 0.0,
        }
    }

    fn apply(&mut self, signal: Signal, index: usize, price: f64, rec: &mut impl Recorder) {
        match (signal, self.open.map(|p| p.side)) {
            (Signal::Buy, None) => self.enter(Side::Long, index, price, rec),
            (Signal::Buy, Some(Side::Short)) => {
                self.exit(index, price, ExitReason::Signal, rec);
                self.enter(Side::Long, index, price, rec);
            }
            (Signal::Sell, Some(Side::Long)) => {
                self.exit(index, price, ExitReason::Signal, rec);
                if self.settings.direction == Direction::LongShort {
                    self.enter(Side::Short, index, price, rec);
                }
            }
            (Signal::Sell, None) if self.settings.direction == Direction::LongShort => {
                self.enter(Side::Short, index, price, rec);
            }
            _ => {}
        }
    }

    /// Buying pays above `price`, selling receives below it.
    fn fill_price(&self, action: Signal, price: f64) -> f64 {
        match action {
            Signal::Buy => price * (1.0 + self.slippage),
            _ => price * (1.0 - self.slippage),
        }
    }

    fn enter(&mut self, side: Side, index: usize, price: f64, rec: &mut impl Recorder) {
        let s = self.settings;
        let action = if side == Side::Long {
            Signal::Buy
        } else {
            Signal::Sell
        };
        let fill = self.fill_price(action, price);
        let unit_cost = fill * (1.0 + s.fee_rate);
        if !(unit_cost > 0.0 && unit_cost.is_finite()) {
            return;
        }
        // Flat here, so equity is cash. No leverage: the budget is capped by cash.
        let wanted = match s.size_type {
            SizeType::Value => s.position_size,
            SizeType::Percent => self.cash * s.position_size / 100.0,
        };
        let budget = wanted.min(self.cash);
        let mut size = (budget / unit_cost).floor();
        // Rounding can make size * unit_cost exceed the budget by an ulp.
        if size * fill + size * fill * s.fee_rate > budget {
            size -= 1.0;
        }
        if size < 1.0 {
            return;
        }
        let fee = fill * size * s.fee_rate;
        match side {
            Side::Long => self.cash -= fill * size + fee,
            Side::Short => self.cash += fill * size - fee,
        }
        self.open = Some(OpenPosition {
            side,
            size,
            entry_index: index,
            entry_price: fill,
            entry_fee: fee,
            extreme: fill,
            excursion: Excursion::at(fill),
        });
        rec.on_fill(Fill {
            index,
            action,
            price: fill,
            size,
            fee,
        });
    }

    fn exit(&mut self, index: usize, price: f64, reason: ExitReason, rec: &mut impl Recorder) {
        let Some(mut pos) = self.open.take() else {
            return;
        };
        pos.excursion.include(price, price);
        let (mae_pct, mfe_pct) = pos.excursion.percents(pos.side, pos.entry_price);
        let action = if pos.side == Side::Long {
            Signal::Sell
        } else {
            Signal::Buy
        };
        let fill = self.fill_price(action, price);
        let fee = fill * pos.size * self.settings.fee_rate;
        let gross = match pos.side {
            Side::Long => {
                self.cash += fill * pos.size - fee;
                (fill - pos.entry_price) * pos.size
            }
            Side::Short => {
                self.cash -= fill * pos.size + fee;
                (pos.entry_price - fill) * pos.size
            }
        };
        let pnl_abs = gross - pos.entry_fee - fee;
        rec.on_fill(Fill {
            index,
            action,
            price: fill,
            size: pos.size,
            fee,
        });
        rec.on_trade(Trade {
            side: pos.side,
            size: pos.size,
            entry_index: pos.entry_index,
            entry_price: pos.entry_price,
            entry_fee: pos.entry_fee,
            exit_index: index,
            exit_price: fill,
            exit_fee: fee,
            pnl_abs,
            pnl_pct: pnl_abs / (pos.entry_price * pos.size) * 100.0,
            closed_at_end: reason == ExitReason::EndOfData,
            exit_reason: reason,
            mae_pct,
            mfe_pct,
            bars_held: index - pos.entry_index,
        });
    }
}

/// The first index of `signals` where `wanted` holds. Most bars hold, so
/// the scan tests blocks branch-free (vectorised) and only searches inside
/// the block that has a hit.
#[inline]
fn find_signal(signals: &[Signal], wanted: impl Fn(Signal) -> bool) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut blocks = signals.chunks_exact(BLOCK);
    let mut start = 0;
    for block in blocks.by_ref() {
        if block.iter().fold(false, |hit, &s| hit | wanted(s)) {
            return block.iter().position(|&s| wanted(s)).map(|i| start + i);
        }
        start += BLOCK;
    }
    blocks
        .remainder()
        .iter()
        .position(|&s| wanted(s))
        .map(|i| start + i)
}

fn simulate<R: Recorder>(
    series: &OhlcvSeries,
    signals: &[Signal],
    settings: &TradingSettings,
    rec: &mut R,
) {
    let (open, high, low, close) = (series.open(), series.high(), series.low(), series.close());
    let n = series.len();
    let mut book = Book {
        settings,
        slippage: settings.slippage_bps / 10_000.0,
        cash: settings.initial_capital,
        open: None,
    };
    let stops = StopRules::new(
        settings.stop_loss_pct,
        settings.take_profit_pct,
        settings.trailing_stop_pct,
    );
    // Bar t acts on the signal of bar t-1 (next open) or of bar t (close).
    let lag = usize::from(settings.fill == FillMode::NextOpen);
    // A plain value, not a read through `settings`, so the scans vectorise.
    let long_short = settings.direction == Direction::LongShort;
    let opens_from_flat = move |s: Signal| {
        let code = s as i8;
        (code == Signal::Buy as i8) | (long_short & (code == Signal::Sell as i8))
    };
    let mut t = 0;
    while t < n {
        match book.open.as_mut() {
            None => {
                // Flat: nothing changes until a signal can open a position,
                // so record the stretch at once (an unchanged equity is exact).
                let from = t.max(lag);
                let next = find_signal(&signals[from - lag..n - lag], opens_from_flat)
                    .map_or(n, |i| from + i);
                if next > t {
                    rec.on_flat_bars(next - t, book.cash);
                    t = next;
                    continue;
                }
            }
            Some(pos) => {
                // Held: until a signal can close the position, a stop or
                // target is reached, or the last bar closes it, only the
                // marks change, so the stretch goes through one tight loop.
                // Min and max are exact in any order, so the excursion and
                // the trailing extreme fold over it.
                let closing = match pos.side {
                    Side::Long => Signal::Sell,
                    Side::Short => Signal::Buy,
                };
                let from = t.max(lag).min(n - 1);
                let closing = closing as i8;
                let mut next =
                    find_signal(&signals[from - lag..n - 1 - lag], |s| s as i8 == closing)
                        .map_or(n - 1, |i| from + i);
                if let Some(rules) = &stops {
                    let stretch = Stretch {
                        side: pos.side,
                        entry: pos.entry_price,
                        extreme: pos.extreme,
                        entry_bar: (lag == 1).then_some(pos.entry_index),
                        open,
                        high,
                        low,
                    };
                    next = rules.first_exit(&stretch, t..next);
                }
                if next > t {
                    if R::TRACKS_EXCURSION || stops.is_some() {
                        let lowest = low[t..next].iter().copied().fold(f64::INFINITY, f64::min);
                        let highest = high[t..next]
                            .iter()
                            .copied()
                            .fold(f64::NEG_INFINITY, f64::max);
                        pos.held_through(lowest, highest);
                    }
                    let shares = book.shares();
                    rec.on_held_bars(book.cash, shares, &close[t..next]);
                    t = next;
                    continue;
                }
            }
        }
        let signal = if t >= lag {
            signals[t - lag]
        } else {
            Signal::Hold
        };
        // Pending orders fill at the open first (next_open); most bars hold,
        // so keep the order logic off the hot path.
        if lag == 1 && signal != Signal::Hold {
            book.apply(signal, t, open[t], rec);
        }
        if let Some(rules) = &stops {
            let bar = Bar {
                open: open[t],
                high: high[t],
                low: low[t],
            };
            // In close mode a position entered at an earlier close; in
            // next_open mode one filled at this open is on its entry bar.
            let entry_bar = lag == 1 && book.open.is_some_and(|p| p.entry_index == t);
            book.check_stops(rules, t, bar, entry_bar, rec);
        }
        if let Some(pos) = book.open.as_mut() {
            pos.held_through(low[t], high[t]);
        }
        if lag == 0 && signal != Signal::Hold {
            book.apply(signal, t, close[t], rec);
        }
        if t + 1 == n {
            book.exit(t, close[t], ExitReason::EndOfData, rec);
        }
        let shares = book.shares();
        rec.on_bar(book.cash, shares, book.cash + shares * close[t]);
        t += 1;
    }
}
