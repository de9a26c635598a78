#!/usr/bin/env python3
"""Golden KPI numbers for backtest-adapter's KPI test, computed from first
principles with pandas and numpy (independently of the Rust code).

Inputs, per case, in backtest-adapter/tests/data/kpi_input/ (exported from
runs on the shipped demo data by `cargo run -p backtest-adapter --example
kpi_input`):
  <case>.bars.csv    timestamp (Unix s, UTC), close, equity, position (shares)
  <case>.trades.csv  pnl_abs, pnl_pct of each closed trade
  <case>.meta.json   initial_capital, bars_per_year

Output: backtest-adapter/tests/data/kpis_golden.json, {case: {kpi: value}},
with null for undefined values.

Definitions (SPEC section 4 and backtest-adapter's derive/kpi.rs):
  r_t            equity_t / equity_{t-1} - 1, equity_{-1} = initial capital
  total return   (final / initial - 1) * 100
  Sharpe         mean(r) / std(r, ddof=1) * sqrt(bars_per_year)
  max drawdown   max((cummax(equity) - equity) / cummax(equity)) * 100
  CAGR           ((final / initial) ** (1 / years) - 1) * 100,
                 years = (last timestamp - first timestamp) / 365.25 days
  volatility     std(r, ddof=1) * sqrt(bars_per_year) * 100
  Sortino        mean(r) / sqrt(sum(min(r, 0) ** 2) / n) * sqrt(bars_per_year)
  Calmar         CAGR / max drawdown
  exposure       percent of bars with a non-zero position
  drawdown periods  each run of bars below the running peak; it starts at
                 the bar before the run (the peak) and ends at the bar after
                 it (recovery) or at the last bar; duration in calendar days
  win rate, avg trade return, best/worst trade, expectancy, SQN, profit
  factor from the trades' pnl_abs / pnl_pct.

Usage: .venv/bin/python scripts/golden/kpis.py
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
INPUT = ROOT / "backtest-adapter" / "tests" / "data" / "kpi_input"
OUTPUT = ROOT / "backtest-adapter" / "tests" / "data" / "kpis_golden.json"
DAY = 86_400.0


def defined(x):
    """A finite float, or None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def drawdown_durations(ts: np.ndarray, equity: pd.Series) -> list:
    peak = equity.cummax()
    under = (equity < peak).to_numpy()
    durations = []
    n = len(under)
    i = 0
    while i < n:
        if not under[i]:
            i += 1
            continue
        j = i
        while j < n and under[j]:
            j += 1
        start = i - 1  # the peak bar
        end = j if j < n else n - 1  # recovery bar, or the last bar
        durations.append((ts[end] - ts[start]) / DAY)
        i = j
    return durations


def kpis(case: str) -> dict:
    bars = pd.read_csv(INPUT / f"{case}.bars.csv", dtype={"timestamp": "int64"})
    trades = pd.read_csv(INPUT / f"{case}.trades.csv")
    meta = json.loads((INPUT / f"{case}.meta.json").read_text())
    initial = float(meta["initial_capital"])
    bpy = float(meta["bars_per_year"])

    equity = bars["equity"].astype(float)
    previous = equity.shift(1).fillna(initial)
    returns = (equity / previous - 1.0).where(previous != 0.0, 0.0)
    n = len(returns)
    final = float(equity.iloc[-1])

    std = returns.std(ddof=1) if n >= 2 else float("nan")
    sharpe = returns.mean() / std * math.sqrt(bpy) if n >= 2 and std > 0 else None
    volatility = std * math.sqrt(bpy) * 100.0 if n >= 2 else None

    peak = equity.cummax()
    max_dd = float(((peak - equity) / peak).max() * 100.0)

    ts = bars["timestamp"].to_numpy()
    years = (ts[-1] - ts[0]) / DAY / 365.25
    cagr = ((final / initial) ** (1.0 / years) - 1.0) * 100.0 if years > 0 and final > 0 else None

    downside = math.sqrt(float((np.minimum(returns, 0.0) ** 2).sum()) / n)
    sortino = returns.mean() / downside * math.sqrt(bpy) if n >= 2 and downside > 0 else None
    calmar = cagr / max_dd if cagr is not None and max_dd > 0 else None

    pnl = trades["pnl_abs"].astype(float)
    pct = trades["pnl_pct"].astype(float)
    k = len(pnl)
    gross_loss = -pnl[pnl < 0].sum()
    profit_factor = pnl[pnl > 0].sum() / gross_loss if gross_loss > 0 else None
    pnl_std = pnl.std(ddof=1) if k >= 2 else float("nan")
    sqn = math.sqrt(k) * pnl.mean() / pnl_std if k >= 2 and pnl_std > 0 else None

    durations = drawdown_durations(ts, equity)
    close = bars["close"].astype(float)

    out = {
        "total_return_pct": (final / initial - 1.0) * 100.0,
        "sharpe_ratio": sharpe,
        "max_drawdown_pct": max_dd,
        "num_trades": k,
        "cagr": cagr,
        "volatility": volatility,
        "win_rate": (pnl > 0).mean() * 100.0 if k else None,
        "avg_trade_return": pct.mean() if k else None,
        "exposure_pct": (bars["position"] != 0).mean() * 100.0,
        "profit_factor": profit_factor,
        "sortino": sortino,
        "calmar": calmar,
        "best_trade_pct": pct.max() if k else None,
        "worst_trade_pct": pct.min() if k else None,
        "avg_drawdown_duration_days": float(np.mean(durations)) if durations else None,
        "max_drawdown_duration_days": float(max(durations)) if durations else 0.0,
        "buy_hold_return_pct": (close.iloc[-1] / close.iloc[0] - 1.0) * 100.0,
        "expectancy": pnl.mean() if k else None,
        "sqn": sqn,
    }
    return {key: (v if key == "num_trades" else defined(v)) for key, v in out.items()}


def main() -> int:
    cases = sorted(p.name[: -len(".bars.csv")] for p in INPUT.glob("*.bars.csv"))
    if not cases:
        print(f"no inputs in {INPUT}; run the kpi_input example first", file=sys.stderr)
        return 1
    golden = {case: kpis(case) for case in cases}
    OUTPUT.write_text(json.dumps(golden, indent=2, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(cases)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
