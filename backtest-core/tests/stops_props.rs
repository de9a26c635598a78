//! Properties of the risk exits on random bars with wicks and gaps, and the
//! engine without stops against a frozen transcription of the engine as it
//! was before stops existed (bit for bit).

use backtest_core::engine::{
    self, Direction, ExitReason, FillMode, Side, SizeType, TradingSettings,
};
use backtest_core::{OhlcvSeries, Signal};
use proptest::prelude::*;

/// Random walk with gaps and wicks: open = previous close x gap, high/low
/// beyond max/min(open, close).
fn arb_bars() -> impl Strategy<Value = OhlcvSeries> {
    (20usize..160)
        .prop_flat_map(|n| {
            prop::collection::vec(
                (-0.06f64..0.06, -0.05f64..0.05, 0.0f64..0.04, 0.0f64..0.04),
                n,
            )
        })
        .prop_map(|steps| {
            let mut prev = 100.0f64;
            let (mut o, mut h, mut l, mut c) = (vec![], vec![], vec![], vec![]);
            for (gap, ret, up, down) in steps {
                let open = prev * (1.0 + gap);
                let close = open * (1.0 + ret);
                o.push(open);
                c.push(close);
                h.push(open.max(close) * (1.0 + up));
                l.push(open.min(close) * (1.0 - down));
                prev = close;
            }
            let n = o.len();
            OhlcvSeries::new(
                (0..n as i64).map(|d| d * 86_400).collect(),
                o,
                h,
                l,
                c,
                vec![1e6; n],
            )
            .expect("valid bars")
        })
}

fn arb_case() -> impl Strategy<Value = (OhlcvSeries, Vec<Signal>, TradingSettings)> {
    arb_bars().prop_flat_map(|series| {
        let n = series.len();
        (
            Just(series),
            prop::collection::vec(
                prop_oneof![
                    6 => Just(Signal::Hold),
                    1 => Just(Signal::Buy),
                    1 => Just(Signal::Sell)
                ],
                n,
            ),
            (
                prop::option::of(0.5f64..20.0),
                prop::option::of(0.5f64..30.0),
                prop::option::of(0.5f64..20.0),
                any::<bool>(),
                any::<bool>(),
                0.0f64..0.01,
            ),
        )
            .prop_map(|(series, signals, (sl, tp, tr, close, short, fee))| {
                let settings = TradingSettings::default()
                    .with_fee_rate(fee)
                    .with_fill(if close {
                        FillMode::Close
                    } else {
                        FillMode::NextOpen
                    })
                    .with_direction(if short {
                        Direction::LongShort
                    } else {
                        Direction::LongOnly
                    })
                    .with_stop_loss_pct(sl)
                    .with_take_profit_pct(tp)
                    .with_trailing_stop_pct(tr);
                (series, signals, settings)
            })
    })
}

proptest! {
    #[test]
    fn no_exit_beyond_the_stop_loss_except_at_a_gap_open((s, signals, settings) in arb_case()) {
        let out = engine::run_signals(&s, &signals, &settings).expect("runs");
        let Some(sl) = settings.stop_loss_pct else { return Ok(()) };
        for t in &out.trades {
            let at_open = t.exit_price == s.open()[t.exit_index];
            let ok = match t.side {
                Side::Long => t.exit_price >= t.entry_price * (1.0 - sl / 100.0),
                Side::Short => t.exit_price <= t.entry_price * (1.0 + sl / 100.0),
            };
            prop_assert!(ok || at_open, "{t:?}");
            if !ok && t.exit_reason != ExitReason::Signal {
                // beyond the level at the open: a gap, never on the entry bar in next_open mode
                prop_assert!(settings.fill == FillMode::Close || t.exit_index > t.entry_index, "{t:?}");
            }
        }
    }

    #[test]
    fn mae_le_realised_move_le_mfe((s, signals, settings) in arb_case()) {
        let out = engine::run_signals(&s, &signals, &settings).expect("runs");
        for t in &out.trades {
            let realised = match t.side {
                Side::Long => (t.exit_price / t.entry_price - 1.0) * 100.0,
                Side::Short => (1.0 - t.exit_price / t.entry_price) * 100.0,
            };
            prop_assert!(t.mae_pct <= 0.0 && t.mfe_pct >= 0.0, "{t:?}");
            prop_assert!(t.mae_pct <= realised + 1e-9 && realised <= t.mfe_pct + 1e-9, "{t:?} realised {realised}");
            prop_assert_eq!(t.bars_held, t.exit_index - t.entry_index);
        }
    }

    #[test]
    fn exits_never_precede_entries((s, signals, settings) in arb_case()) {
        let out = engine::run_signals(&s, &signals, &settings).expect("runs");
        let mut last_exit = 0;
        for t in &out.trades {
            prop_assert!(t.entry_index >= last_exit && t.exit_index >= t.entry_index, "{t:?}");
            if settings.fill == FillMode::Close && !matches!(t.exit_reason, ExitReason::Signal | ExitReason::EndOfData) {
                prop_assert!(t.exit_index > t.entry_index, "close mode checks from the bar after entry");
            }
            prop_assert_eq!(t.closed_at_end, t.exit_reason == ExitReason::EndOfData);
            last_exit = t.exit_index;
        }
    }

    #[test]
    fn lean_metrics_equal_full_metrics_with_stops((s, signals, settings) in arb_case()) {
        let full = engine::run_signals(&s, &signals, &settings).expect("runs").metrics;
        let lean = engine::run_metrics(&s, &signals, &settings).expect("runs");
        prop_assert_eq!(full, lean);
    }

    #[test]
    fn without_stops_bit_identical_to_the_engine_before_stops((s, signals, mut settings) in arb_case(), percent in any::<bool>(), slip in 0.0f64..50.0) {
        settings.stop_loss_pct = None;
        settings.take_profit_pct = None;
        settings.trailing_stop_pct = None;
        settings.slippage_bps = slip;
        if percent {
            settings.size_type = SizeType::Percent;
            settings.position_size = 100.0;
        }
        let out = engine::run_signals(&s, &signals, &settings).expect("runs");
        let (equity, trades) = legacy::run(&s, &signals, &settings);
        prop_assert_eq!(out.equity.len(), equity.len());
        for (a, b) in out.equity.iter().zip(&equity) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
        prop_assert_eq!(out.trades.len(), trades.len());
        for (t, l) in out.trades.iter().zip(&trades) {
            let ours = [t.size, t.entry_price, t.entry_fee, t.exit_price, t.exit_fee, t.pnl_abs, t.pnl_pct];
            prop_assert_eq!((t.entry_index, t.exit_index, t.side, t.closed_at_end), (l.0, l.1, l.2, l.3));
            for (a, b) in ours.iter().zip(&l.4) {
                prop_assert_eq!(a.to_bits(), b.to_bits());
            }
            prop_assert_eq!(t.exit_reason == ExitReason::EndOfData, t.closed_at_end);
        }
    }
}

/// The engine's simulation as it was before risk exits (transcribed from
/// its source at that time), kept to prove a run without stops is unchanged.
mod legacy {
    use super::*;

    /// (entry, exit, side, closed_at_end, [size, entry, entry fee, exit, exit fee, pnl, pnl %])
    pub type LegacyTrade = (usize, usize, Side, bool, [f64; 7]);

    struct Pos {
        side: Side,
        size: f64,
        entry_index: usize,
        entry_price: f64,
        entry_fee: f64,
    }

    struct Book<'a> {
        s: &'a TradingSettings,
        slip: f64,
        cash: f64,
        open: Option<Pos>,
        trades: Vec<LegacyTrade>,
    }

    impl Book<'_> {
        fn fill(&self, buy: bool, price: f64) -> f64 {
            if buy {
                price * (1.0 + self.slip)
            } else {
                price * (1.0 - self.slip)
            }
        }

        fn enter(&mut self, side: Side, index: usize, price: f64) {
            let fill = self.fill(side == Side::Long, price);
            let unit_cost = fill * (1.0 + self.s.fee_rate);
            if !(unit_cost > 0.0 && unit_cost.is_finite()) {
                return;
            }
            let wanted = match self.s.size_type {
                SizeType::Value => self.s.position_size,
                SizeType::Percent => self.cash * self.s.position_size / 100.0,
            };
            let budget = wanted.min(self.cash);
            let mut size = (budget / unit_cost).floor();
            if size * fill + size * fill * self.s.fee_rate > budget {
                size -= 1.0;
            }
            if size < 1.0 {
                return;
            }
            let fee = fill * size * self.s.fee_rate;
            match side {
                Side::Long => self.cash -= fill * size + fee,
                Side::Short => self.cash += fill * size - fee,
            }
            self.open = Some(Pos {
                side,
                size,
                entry_index: index,
                entry_price: fill,
                entry_fee: fee,
            });
        }

        fn exit(&mut self, index: usize, price: f64, at_end: bool) {
            let Some(p) = self.open.take() else { return };
            let fill = self.fill(p.side == Side::Short, price);
            let fee = fill * p.size * self.s.fee_rate;
            let gross = match p.side {
                Side::Long => {
                    self.cash += fill * p.size - fee;
                    (fill - p.entry_price) * p.size
                }
                Side::Short => {
                    self.cash -= fill * p.size + fee;
                    (p.entry_price - fill) * p.size
                }
            };
            let pnl = gross - p.entry_fee - fee;
            self.trades.push((
                p.entry_index,
                index,
                p.side,
                at_end,
                [
                    p.size,
                    p.entry_price,
                    p.entry_fee,
                    fill,
                    fee,
                    pnl,
                    pnl / (p.entry_price * p.size) * 100.0,
                ],
            ));
        }

        fn apply(&mut self, signal: Signal, index: usize, price: f64) {
            let ls = self.s.direction == Direction::LongShort;
            match (signal, self.open.as_ref().map(|p| p.side)) {
                (Signal::Buy, None) => self.enter(Side::Long, index, price),
                (Signal::Buy, Some(Side::Short)) => {
                    self.exit(index, price, false);
                    self.enter(Side::Long, index, price);
                }
                (Signal::Sell, Some(Side::Long)) => {
                    self.exit(index, price, false);
                    if ls {
                        self.enter(Side::Short, index, price);
                    }
                }
                (Signal::Sell, None) if ls => self.enter(Side::Short, index, price),
                _ => {}
            }
        }

        fn shares(&self) -> f64 {
            match &self.open {
                Some(p) if p.side == Side::Long => p.size,
                Some(p) => -p.size,
                None => 0.0,
            }
        }
    }

    pub fn run(
        series: &OhlcvSeries,
        signals: &[Signal],
        s: &TradingSettings,
    ) -> (Vec<f64>, Vec<LegacyTrade>) {
        let (open, close) = (series.open(), series.close());
        let n = series.len();
        let mut book = Book {
            s,
            slip: s.slippage_bps / 10_000.0,
            cash: s.initial_capital,
            open: None,
            trades: vec![],
        };
        let lag = usize::from(s.fill == FillMode::NextOpen);
        let mut equity = Vec::with_capacity(n);
        for t in 0..n {
            let signal = if t >= lag {
                signals[t - lag]
            } else {
                Signal::Hold
            };
            if signal != Signal::Hold {
                let price = if lag == 1 { open[t] } else { close[t] };
                book.apply(signal, t, price);
            }
            if t + 1 == n {
                book.exit(t, close[t], true);
            }
            equity.push(book.cash + book.shares() * close[t]);
        }
        (equity, book.trades)
    }
}
