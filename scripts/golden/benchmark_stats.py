#!/usr/bin/env python3
"""Golden benchmark statistics, computed with pandas/numpy independently of
the Rust code.

Strategy curves: the backtesting.py equity curves committed in
backtest-core/tests/data/peers/ (one value per bar). Benchmarks: real daily
closes read in place from ../shared/data, or the files shipped in data/ (the
dashboard's benchmarks; header case as shipped). Output:
backtest-core/tests/data/benchmark_stats.json, {case: {inputs, stats}}; the
benchmark path is relative to the repository root.

Definitions (issue "Risk exits and trade analytics"):
  common dates   the dates both series have (inner join on the date)
  returns        on the common dates: x_t / x_{t-1} - 1, the first common
                 date has no return
  beta           cov(s, b) / var(b), both sample (ddof = 1)
  correlation    Pearson correlation of s and b
  alpha_pct      (mean(s) - beta * mean(b)) * bars_per_year * 100
                 (Jensen's alpha, zero risk-free rate)
  d              s - b per common date
  information_ratio   mean(d) / std(d, ddof=1) * sqrt(bars_per_year)
  tracking_error_pct  std(d, ddof=1) * sqrt(bars_per_year) * 100
  excess_return_pct   strategy return minus benchmark return over the
                 common dates: (S_last / S_first - 1) * 100 - (B_last / B_first - 1) * 100
  benchmark_return_pct  (B_last / B_first - 1) * 100
bars_per_year = 252 for daily bars.

Usage: scripts/.peers/venv/bin/python scripts/golden/benchmark_stats.py
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
PEERS = REPO / "backtest-core" / "tests" / "data" / "peers"
OUT = REPO / "backtest-core" / "tests" / "data" / "benchmark_stats.json"

# case -> (strategy equity file, benchmark file relative to the repository root)
CASES = {
    "sma_cross_AAPL_vs_SPY": ("backtesting_next_open_sma_cross_AAPL.equity.csv", "../shared/data/yf_autoadj_2005_2025/SPY.csv"),
    "rsi_AAPL_vs_AAPL": ("backtesting_next_open_rsi_AAPL.equity.csv", "../shared/data/yf_autoadj_2005_2025/AAPL.csv"),
    "sma_cross_SPY_vs_SPY": ("backtesting_next_open_sma_cross_SPY.equity.csv", "../shared/data/yahoo_2015_2019/SPY.csv"),
    "rsi_GOOG_vs_IBM": ("backtesting_next_open_rsi_GOOG.equity.csv", "../shared/data/yahoo_ml4t_2000_2012/IBM.csv"),
    # A different ticker as benchmark, from the shipped files: the adapter's
    # pipeline test runs these strategies with `benchmark` set and compares.
    "sma_cross_AAPL_vs_shipped_SPY": ("backtesting_next_open_sma_cross_AAPL.equity.csv", "data/SPY.csv"),
    "rsi_AAPL_vs_shipped_GSPC": ("backtesting_next_open_rsi_AAPL.equity.csv", "data/^GSPC.csv"),
}
BARS_PER_YEAR = 252.0


def close_series(rel: str) -> pd.Series:
    path = (REPO / rel).resolve()
    if not path.exists():
        sys.exit(f"missing {rel}")
    raw = pd.read_csv(path)
    close = next(c for c in raw.columns if c.lower() == "close")
    s = pd.Series(raw[close].astype("float64").to_numpy(), index=pd.to_datetime(raw[raw.columns[0]]))
    return s.sort_index()


def equity_series(name: str) -> pd.Series:
    raw = pd.read_csv(PEERS / name)
    return pd.Series(raw["equity"].astype("float64").to_numpy(), index=pd.to_datetime(raw["date"]))


def stats(strategy: pd.Series, bench: pd.Series) -> dict:
    both = pd.concat([strategy.rename("s"), bench.rename("b")], axis=1, join="inner").sort_index()
    rs = both["s"].pct_change().iloc[1:]
    rb = both["b"].pct_change().iloc[1:]
    d = rs - rb
    beta = rs.cov(rb) / rb.var()
    out = {
        "common_dates": int(len(both)),
        "first_common_date": both.index[0].strftime("%Y-%m-%d"),
        "last_common_date": both.index[-1].strftime("%Y-%m-%d"),
        "beta": float(beta),
        "correlation": float(rs.corr(rb)),
        "alpha_pct": float((rs.mean() - beta * rb.mean()) * BARS_PER_YEAR * 100),
        "information_ratio": float(d.mean() / d.std(ddof=1) * math.sqrt(BARS_PER_YEAR)),
        "tracking_error_pct": float(d.std(ddof=1) * math.sqrt(BARS_PER_YEAR) * 100),
        "benchmark_return_pct": float((both["b"].iloc[-1] / both["b"].iloc[0] - 1) * 100),
        "excess_return_pct": float(
            (both["s"].iloc[-1] / both["s"].iloc[0] - 1) * 100 - (both["b"].iloc[-1] / both["b"].iloc[0] - 1) * 100
        ),
    }
    # cross-check with plain numpy
    a, b = rs.to_numpy(), rb.to_numpy()
    c = np.cov(a, b, ddof=1)
    assert abs(c[0, 1] / c[1, 1] - out["beta"]) <= 1e-12 * max(1.0, abs(out["beta"]))
    assert abs(np.corrcoef(a, b)[0, 1] - out["correlation"]) <= 1e-12
    return out


def main() -> int:
    result = {
        "generator": "scripts/golden/benchmark_stats.py",
        "versions": {"pandas": pd.__version__, "numpy": np.__version__},
        "bars_per_year": BARS_PER_YEAR,
        "cases": {},
    }
    for case, (eq, bench) in CASES.items():
        result["cases"][case] = {
            "strategy_equity": f"backtest-core/tests/data/peers/{eq}",
            "benchmark": bench,
            **stats(equity_series(eq), close_series(bench)),
        }
        print(case, result["cases"][case])
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
