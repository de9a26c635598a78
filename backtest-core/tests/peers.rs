//! The engine against two independent backtesters on real data.
//!
//! Golden files come from `scripts/golden/peers.py` (backtesting.py 0.6.6 and
//! vectorbt 1.2.0; conventions in `tests/data/peers/README.md`). Scenarios:
//! SMA(10/30) cross and RSI(14, 30/70), long-only, all in
//! (`size_type=percent, position_size=100`), 0.1 % commission, on three real
//! daily files. Our signals come from our own indicators and rules.
//!
//! Where the peers' conventions differ from ours, the comparison says so:
//! both peers leave a position that is open at the end OPEN (no exit fill, no
//! exit fee), while our engine closes it at the last bar's close with its
//! fee. For such a trade only the entry is compared, our exit must be on the
//! last bar at its close, and our last equity point must be the peer's minus
//! that exit fee.

use backtest_core::engine::{self, FillMode, SizeType, TradingSettings};
use backtest_core::rules::build_rule;
use backtest_core::OhlcvSeries;
use serde_json::json;

const FEE: f64 = 0.001;

struct Bars {
    dates: Vec<String>,
    series: OhlcvSeries,
}

mod common;
use common::{read_reference as read_text, repo_root};

/// Reads a real data file from `shared/data` (see `common::load_shared_bars`).
fn load_bars(relative: &str) -> Bars {
    let (dates, series) = common::load_shared_bars(relative);
    Bars { dates, series }
}

struct PeerTrade {
    entry_date: String,
    exit_date: Option<String>,
    size: f64,
    entry_price: f64,
    exit_price: Option<f64>,
    entry_fee: f64,
    exit_fee: Option<f64>,
    pnl: Option<f64>,
}

fn peer_file(name: &str) -> String {
    read_text(
        repo_root()
            .join("backtest-core/tests/data/peers")
            .join(name),
    )
}

fn peer_trades(scenario: &str) -> Vec<PeerTrade> {
    let text = peer_file(&format!("{scenario}.trades.csv"));
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let opt = |s: &str| (!s.is_empty()).then(|| s.parse::<f64>().expect("number"));
            PeerTrade {
                entry_date: f[0].to_owned(),
                exit_date: (!f[1].is_empty()).then(|| f[1].to_owned()),
                size: f[2].parse().expect("size"),
                entry_price: f[3].parse().expect("entry price"),
                exit_price: opt(f[4]),
                entry_fee: f[5].parse().expect("entry fee"),
                exit_fee: opt(f[6]),
                pnl: opt(f[7]),
            }
        })
        .collect()
}

fn peer_equity(scenario: &str) -> Vec<f64> {
    peer_file(&format!("{scenario}.equity.csv"))
        .lines()
        .skip(1)
        .map(|line| {
            line.split(',')
                .nth(1)
                .expect("equity")
                .parse()
                .expect("number")
        })
        .collect()
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

fn compare(peer: &str, mode: FillMode, rule: &str, tag: &str, file: &str) {
    let scenario = format!(
        "{peer}_{}_{rule}_{tag}",
        if mode == FillMode::Close {
            "close"
        } else {
            "next_open"
        }
    );
    let bars = load_bars(file);
    let (rule_type, params) = match rule {
        "sma_cross" => ("MA_CROSS", json!({"fast": 10, "slow": 30, "kind": "sma"})),
        _ => (
            "RSI",
            json!({"period": 14, "oversold": 30, "overbought": 70}),
        ),
    };
    let settings = TradingSettings::default()
        .with_initial_capital(100_000.0)
        .with_fee_rate(FEE)
        .with_size_type(SizeType::Percent)
        .with_position_size(100.0)
        .with_fill(mode);
    let rule = build_rule(rule_type, &params).expect("valid rule");
    let ours = engine::run(&bars.series, rule.as_ref(), &settings).expect("runs");
    let theirs = peer_trades(&scenario);
    assert_eq!(ours.trades.len(), theirs.len(), "{scenario}: trade count");
    let last = bars.series.len() - 1;
    let last_close = bars.series.close()[last];
    let mut open_at_end_fee = 0.0;
    for (i, (o, p)) in ours.trades.iter().zip(&theirs).enumerate() {
        let ctx = format!("{scenario} trade {i}");
        assert_eq!(bars.dates[o.entry_index], p.entry_date, "{ctx}: entry date");
        assert_eq!(o.size, p.size, "{ctx}: size");
        assert_eq!(o.entry_price, p.entry_price, "{ctx}: entry price");
        assert!(
            rel_close(o.entry_fee, p.entry_fee, 1e-9),
            "{ctx}: entry fee"
        );
        match (&p.exit_date, p.exit_price, p.exit_fee, p.pnl) {
            (Some(exit_date), Some(exit_price), Some(exit_fee), Some(pnl)) => {
                assert_eq!(&bars.dates[o.exit_index], exit_date, "{ctx}: exit date");
                assert_eq!(o.exit_price, exit_price, "{ctx}: exit price");
                assert!(rel_close(o.exit_fee, exit_fee, 1e-9), "{ctx}: exit fee");
                let scale = o.size * o.entry_price;
                assert!(
                    (o.pnl_abs - pnl).abs() <= 1e-9 * scale,
                    "{ctx}: pnl {} vs {pnl}",
                    o.pnl_abs
                );
                assert!(!o.closed_at_end, "{ctx}");
            }
            _ => {
                // Open at the end in the peer; we close it at the last close.
                assert!(
                    o.closed_at_end,
                    "{ctx}: should be closed by the engine at the end"
                );
                assert_eq!(
                    (o.exit_index, o.exit_price),
                    (last, last_close),
                    "{ctx}: end exit"
                );
                open_at_end_fee = last_close * o.size * FEE;
            }
        }
    }
    let equity = peer_equity(&scenario);
    assert_eq!(equity.len(), ours.equity.len(), "{scenario}: bars");
    for (t, (ours_t, peer_t)) in ours.equity.iter().zip(&equity).take(last).enumerate() {
        assert!(
            rel_close(*ours_t, *peer_t, 1e-9),
            "{scenario} bar {t} ({}): {ours_t} vs {peer_t}",
            bars.dates[t]
        );
    }
    let expected_last = equity[last] - open_at_end_fee;
    assert!(
        rel_close(ours.equity[last], expected_last, 1e-9),
        "{scenario} last bar: {} vs {expected_last}",
        ours.equity[last]
    );
}

const FILES: [(&str, &str); 3] = [
    ("AAPL", "shared/data/yf_autoadj_2005_2025/AAPL.csv"),
    ("SPY", "shared/data/yahoo_2015_2019/SPY.csv"),
    ("GOOG", "shared/data/backtesting-0.6.6/GOOG.csv"),
];

#[test]
fn matches_backtesting_py_next_open() {
    for (tag, file) in FILES {
        for rule in ["sma_cross", "rsi"] {
            compare("backtesting", FillMode::NextOpen, rule, tag, file);
        }
    }
}

#[test]
fn matches_vectorbt_next_open() {
    for (tag, file) in FILES {
        for rule in ["sma_cross", "rsi"] {
            compare("vectorbt", FillMode::NextOpen, rule, tag, file);
        }
    }
}

#[test]
fn matches_vectorbt_same_bar_close() {
    for (tag, file) in FILES {
        for rule in ["sma_cross", "rsi"] {
            compare("vectorbt", FillMode::Close, rule, tag, file);
        }
    }
}
