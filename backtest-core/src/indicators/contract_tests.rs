//! Properties every indicator shares: output length, a warm-up of exactly
//! TA-Lib's lookback, and no panic for any periods or column lengths.

use proptest::collection::vec;
use proptest::prelude::*;

use super::*;

/// Random but well-formed bars: positive prices, `low <= close <= high`,
/// positive volume.
fn bars() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)> {
    vec(
        (1.0..1000.0f64, 0.0..10.0f64, 0.0..10.0f64, 1.0..1e6f64),
        0..90,
    )
    .prop_map(|rows| {
        let close: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let high = rows.iter().map(|r| r.0 + r.1).collect();
        let low = rows.iter().map(|r| r.0 - r.2.min(r.0 / 2.0)).collect();
        let volume = rows.iter().map(|r| r.3).collect();
        (high, low, close, volume)
    })
}

/// `column` is `NaN` exactly on its first `lookback` bars (all of them when
/// the lookback is `None` or does not fit).
fn warm_up_is(column: &[f64], lookback: Option<usize>, n: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(column.len(), n);
    let lookback = lookback.filter(|&l| l < n).unwrap_or(n);
    for (i, v) in column.iter().enumerate() {
        prop_assert_eq!(
            v.is_nan(),
            i < lookback,
            "bar {} of {} (lookback {})",
            i,
            n,
            lookback
        );
    }
    Ok(())
}

/// `period - 1 + extra`, or `None` for a zero period.
fn lookback(period: usize, extra: usize) -> Option<usize> {
    period.checked_sub(1).map(|l| l + extra)
}

proptest! {
    #[test]
    fn warm_up_equals_talib_lookback(
        (high, low, close, volume) in bars(),
        p in 0usize..30,
        q in 0usize..12,
        r in 0usize..12,
    ) {
        let n = close.len();
        warm_up_is(&sma(&close, p), lookback(p, 0), n)?;
        warm_up_is(&ema(&close, p), lookback(p, 0), n)?;
        warm_up_is(&rolling_std(&close, p), lookback(p, 0), n)?;
        warm_up_is(&rolling_max(&high, p), lookback(p, 0), n)?;
        warm_up_is(&rolling_min(&low, p), lookback(p, 0), n)?;
        let bands = bollinger(&close, p, 2.0);
        for band in [&bands.upper, &bands.middle, &bands.lower] {
            warm_up_is(band, lookback(p, 0), n)?;
        }
        warm_up_is(&rsi(&close, p), lookback(p, 1), n)?;
        warm_up_is(&atr(&high, &low, &close, p), lookback(p, 1), n)?;
        warm_up_is(&adx(&high, &low, &close, p), lookback(p, p), n)?;
        let (fast, slow) = (q.min(p), q.max(p));
        let macd_lookback = if q == 0 || r == 0 { None } else { lookback(slow, r - 1) };
        let m = macd(&close, q, p, r);
        for column in [&m.macd, &m.signal, &m.hist] {
            warm_up_is(column, macd_lookback.filter(|_| fast > 0), n)?;
        }
        let stoch_lookback = if q == 0 || r == 0 { None } else { lookback(p, q + r - 2) };
        let s = stochastic(&high, &low, &close, p, q, r);
        warm_up_is(&s.k, stoch_lookback, n)?;
        warm_up_is(&s.d, stoch_lookback, n)?;
        warm_up_is(&obv(&close, &volume), Some(0), n)?;
        warm_up_is(&vwap(&high, &low, &close, &volume), Some(0), n)?;
    }

    #[test]
    fn bounded_oscillators_stay_in_range((high, low, close, _) in bars(), p in 1usize..20) {
        let defined = |c: Vec<f64>| c.into_iter().filter(|v| !v.is_nan()).collect::<Vec<_>>();
        for v in defined(rsi(&close, p)) {
            prop_assert!((0.0..=100.0).contains(&v), "rsi {}", v);
        }
        for v in defined(adx(&high, &low, &close, p)) {
            prop_assert!((-1e-9..=100.0 + 1e-9).contains(&v), "adx {}", v);
        }
        let s = stochastic(&high, &low, &close, p, 3, 3);
        for v in defined(s.k).into_iter().chain(defined(s.d)) {
            prop_assert!((-1e-9..=100.0 + 1e-9).contains(&v), "stochastic {}", v);
        }
    }

    #[test]
    fn mismatched_columns_use_the_shortest(
        (high, low, close, volume) in bars(),
        cut in 0usize..90,
        p in 0usize..20,
    ) {
        let short = &low[..cut.min(low.len())];
        let n = short.len();
        prop_assert_eq!(atr(&high, short, &close, p).len(), n);
        prop_assert_eq!(adx(&high, short, &close, p).len(), n);
        let s = stochastic(&high, short, &close, p, 3, 3);
        prop_assert_eq!((s.k.len(), s.d.len()), (n, n));
        prop_assert_eq!(vwap(&high, short, &close, &volume).len(), n);
        prop_assert_eq!(obv(&close, &volume[..n]).len(), n);
    }
}
