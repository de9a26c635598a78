//! Every streaming indicator folded over real bars equals its batch
//! function bit for bit (`NaN` exactly where the batch is undefined), for
//! random parameters and random stretches of three real daily series (the
//! TA-Lib reference test's sources).

#[path = "../examples/support/csv.rs"]
mod csv;

use std::sync::OnceLock;

use backtest_core::indicators::streaming::{self as st, Bar, Indicator};
use backtest_core::indicators::{self as batch};
use backtest_core::OhlcvSeries;
use proptest::prelude::*;

const SOURCES: [&str; 3] = [
    "yf_autoadj_2005_2025/AAPL.csv",
    "yahoo_2015_2019/SPY.csv",
    "backtesting-0.6.6/GOOG.csv",
];

fn data() -> &'static [OhlcvSeries] {
    static DATA: OnceLock<Vec<OhlcvSeries>> = OnceLock::new();
    DATA.get_or_init(|| {
        SOURCES
            .iter()
            .map(|s| {
                let path = format!("{}/../../shared/data/{s}", env!("CARGO_MANIFEST_DIR"));
                csv::read_ohlcv(&path).unwrap_or_else(|e| panic!("market data missing: {e}"))
            })
            .collect()
    })
}

/// A stretch of real bars.
struct Stretch {
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
    bars: Vec<Bar>,
}

fn stretch(source: usize, start: usize, len: usize) -> Stretch {
    let s = &data()[source % SOURCES.len()];
    let start = start % s.len();
    let end = (start + len).min(s.len());
    let bars: Vec<Bar> = (start..end).filter_map(|i| Bar::of(s, i)).collect();
    Stretch {
        high: bars.iter().map(|b| b.high).collect(),
        low: bars.iter().map(|b| b.low).collect(),
        close: bars.iter().map(|b| b.close).collect(),
        volume: bars.iter().map(|b| b.volume).collect(),
        bars,
    }
}

fn same(name: &str, streamed: &[f64], batch: &[f64]) -> Result<(), TestCaseError> {
    prop_assert_eq!(streamed.len(), batch.len(), "{}: length", name);
    for (i, (a, b)) in streamed.iter().zip(batch).enumerate() {
        prop_assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "{}: bar {}: streamed {} vs batch {}",
            name,
            i,
            a,
            b
        );
    }
    Ok(())
}

/// Folds `ind` and checks readiness against the lookback.
fn fold<I: Indicator>(mut ind: I, inputs: &[I::Input]) -> Result<Vec<I::Output>, TestCaseError> {
    let lookback = ind.lookback();
    let mut out = Vec::with_capacity(inputs.len());
    for (i, &x) in inputs.iter().enumerate() {
        out.push(ind.update(x));
        if lookback != usize::MAX && i >= lookback {
            prop_assert!(
                ind.is_ready(),
                "ready after the lookback ({lookback}) at {i}"
            );
        }
        if i < lookback {
            prop_assert!(
                !ind.is_ready(),
                "not ready during the lookback ({lookback}) at {i}"
            );
        }
    }
    // After a reset the indicator starts over.
    ind.reset();
    prop_assert!(!ind.is_ready() || lookback == 0);
    if let Some(&first) = inputs.first() {
        ind.update(first);
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn streaming_equals_batch_on_real_bars(
        source in 0usize..3,
        start in 0usize..5000,
        len in 0usize..700,
        period in 1usize..60,
        fast in 2usize..20,
        slow in 2usize..40,
        signal in 1usize..15,
        smooth in 1usize..6,
        k in 0.5f64..3.5,
    ) {
        let s = stretch(source, start, len);
        let (c, b) = (&s.close[..], &s.bars[..]);
        same("sma", &fold(st::Sma::new(period), c)?, &batch::sma(c, period))?;
        same("ema", &fold(st::Ema::new(period), c)?, &batch::ema(c, period))?;
        same("rsi", &fold(st::Rsi::new(period), c)?, &batch::rsi(c, period))?;
        same("rolling_std", &fold(st::RollingStd::new(period), c)?, &batch::rolling_std(c, period))?;
        same("rolling_max", &fold(st::RollingMax::new(period), &s.high)?, &batch::rolling_max(&s.high, period))?;
        same("rolling_min", &fold(st::RollingMin::new(period), &s.low)?, &batch::rolling_min(&s.low, period))?;
        same("atr", &fold(st::Atr::new(period), b)?, &batch::atr(&s.high, &s.low, c, period))?;
        same("adx", &fold(st::Adx::new(period), b)?, &batch::adx(&s.high, &s.low, c, period))?;
        same("obv", &fold(st::Obv::new(), b)?, &batch::obv(c, &s.volume))?;
        same("vwap", &fold(st::Vwap::new(), b)?, &batch::vwap(&s.high, &s.low, c, &s.volume))?;

        let m = fold(st::Macd::new(fast, slow, signal), c)?;
        let want = batch::macd(c, fast, slow, signal);
        same("macd", &m.iter().map(|v| v.macd).collect::<Vec<_>>(), &want.macd)?;
        same("macd.signal", &m.iter().map(|v| v.signal).collect::<Vec<_>>(), &want.signal)?;
        same("macd.hist", &m.iter().map(|v| v.hist).collect::<Vec<_>>(), &want.hist)?;

        let bb = fold(st::Bollinger::new(period, k), c)?;
        let want = batch::bollinger(c, period, k);
        same("bb.upper", &bb.iter().map(|v| v.upper).collect::<Vec<_>>(), &want.upper)?;
        same("bb.middle", &bb.iter().map(|v| v.middle).collect::<Vec<_>>(), &want.middle)?;
        same("bb.lower", &bb.iter().map(|v| v.lower).collect::<Vec<_>>(), &want.lower)?;

        let so = fold(st::Stochastic::new(period.min(30), smooth, smooth + 1), b)?;
        let want = batch::stochastic(&s.high, &s.low, c, period.min(30), smooth, smooth + 1);
        same("stoch.k", &so.iter().map(|v| v.k).collect::<Vec<_>>(), &want.k)?;
        same("stoch.d", &so.iter().map(|v| v.d).collect::<Vec<_>>(), &want.d)?;
    }
}

#[test]
fn zero_periods_never_become_ready() {
    let s = stretch(0, 0, 50);
    let mut sma = st::Sma::new(0);
    assert!(st::fold(&mut sma, s.close.iter().copied())
        .iter()
        .all(|v| v.is_nan()));
    assert_eq!((sma.is_ready(), sma.lookback()), (false, usize::MAX));
    let mut macd = st::Macd::new(12, 26, 0);
    st::fold(&mut macd, s.close.iter().copied());
    assert!(!macd.is_ready());
}
