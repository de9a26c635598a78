//! The simulation's event sinks: the full recorder behind [`super::run`]
//! and the metrics-only one behind [`super::run_metrics`] share one loop.

use super::{Fill, Trade};
use crate::metrics::MetricsAccumulator;

/// Receives the simulation's events; lets one loop serve full and lean runs.
pub(super) trait Recorder {
    /// Whether trades need their excursion (MAE/MFE); the lean path only
    /// counts profits, so it skips the per-bar high/low tracking.
    const TRACKS_EXCURSION: bool;
    fn on_bar(&mut self, cash: f64, shares: f64, equity: f64);
    /// `count` consecutive bars without a position, equity = cash.
    fn on_flat_bars(&mut self, count: usize, cash: f64);
    /// Consecutive bars holding `shares` with unchanged cash, one per
    /// close: equity = `cash + shares * close`, exactly as [`Self::on_bar`].
    fn on_held_bars(&mut self, cash: f64, shares: f64, closes: &[f64]) {
        for &c in closes {
            self.on_bar(cash, shares, cash + shares * c);
        }
    }
    fn on_fill(&mut self, fill: Fill);
    fn on_trade(&mut self, trade: Trade);
}

pub(super) struct FullRecorder {
    pub(super) equity: Vec<f64>,
    pub(super) cash: Vec<f64>,
    pub(super) position: Vec<f64>,
    pub(super) fills: Vec<Fill>,
    pub(super) trades: Vec<Trade>,
    pub(super) metrics: MetricsAccumulator,
}

impl Recorder for FullRecorder {
    const TRACKS_EXCURSION: bool = true;

    #[inline]
    fn on_bar(&mut self, cash: f64, shares: f64, equity: f64) {
        self.cash.push(cash);
        self.position.push(shares);
        self.equity.push(equity);
        self.metrics.push_equity(equity);
    }

    fn on_flat_bars(&mut self, count: usize, cash: f64) {
        let new_len = self.cash.len() + count;
        self.cash.resize(new_len, cash);
        self.position.resize(new_len, 0.0);
        self.equity.resize(new_len, cash);
        self.metrics.push_flat(count, cash);
    }

    fn on_held_bars(&mut self, cash: f64, shares: f64, closes: &[f64]) {
        let new_len = self.cash.len() + closes.len();
        self.cash.resize(new_len, cash);
        self.position.resize(new_len, shares);
        let start = self.equity.len();
        self.equity
            .extend(closes.iter().map(|&c| cash + shares * c));
        self.metrics.push_equities(&self.equity[start..]);
    }

    fn on_fill(&mut self, fill: Fill) {
        self.fills.push(fill);
    }

    fn on_trade(&mut self, trade: Trade) {
        self.metrics.push_trade(trade.pnl_abs);
        self.trades.push(trade);
    }
}

impl Recorder for MetricsAccumulator {
    const TRACKS_EXCURSION: bool = false;

    #[inline]
    fn on_bar(&mut self, _cash: f64, _shares: f64, equity: f64) {
        self.push_equity(equity);
    }

    fn on_flat_bars(&mut self, count: usize, cash: f64) {
        self.push_flat(count, cash);
    }

    fn on_fill(&mut self, _fill: Fill) {}

    fn on_trade(&mut self, trade: Trade) {
        self.push_trade(trade.pnl_abs);
    }
}
