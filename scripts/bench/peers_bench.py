#!/usr/bin/env python3
"""Time the same backtest workloads in backtesting.py, vectorbt and our engine.

Normally started through ``scripts/bench-vs-peers`` (which installs the peers
into the git-ignored ``scripts/.peers/venv``). Workloads, on the daily bars of
``--data`` (default ``../shared/data/yf_autoadj_2005_2025/AAPL.csv``):

1. one RSI(14, 30/70) backtest, long-only, all in, whole shares, 0.1 %
   commission per side, fills at the next bar's open;
2. the 1,000-combination RSI grid: period 5..54 (50 values) x oversold 10..29
   (20 values), overbought 70, with number of trades, total return, Sharpe and
   max drawdown for every combination.

vectorbt runs the grid as ONE ``Portfolio.from_signals`` over 1,000 columns
(entry/exit matrices built vectorized; indicator time reported separately),
after a warm-up run that JIT-compiles numba. backtesting.py runs the grid with
``Backtest.optimize`` on a subset and the time is extrapolated linearly to
1,000 combinations (said so in the output). Our side is
``cargo run --release -p backtest-core --example bench_grid -- <csv>``, which
prints one JSON line ``{"single_backtest_us": X, "grid_1000_ms": Y,
"combinations": 1000}``.

All figures printed come from this one run; nothing is hard-coded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")  # backtesting.py progress bars

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = "../shared/data/yf_autoadj_2005_2025/AAPL.csv"

INIT_CASH = 100_000.0
FEE = 0.001
PERIODS = np.arange(5, 55)  # 50 values
OVERSOLD = np.arange(10, 30)  # 20 values
OVERBOUGHT = 70.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path)
    df = pd.DataFrame({c: raw[c].astype("float64") for c in ("Open", "High", "Low", "Close", "Volume")})
    df.index = pd.DatetimeIndex(pd.to_datetime(raw[raw.columns[0]]), name="Date")
    return df


# --- Wilder RSI (TA-Lib seeding), numba-compiled as a vectorbt user would ---

def make_rsi():
    from numba import njit

    @njit(cache=True)
    def rsi_wilder(x, n):
        out = np.full(x.shape[0], np.nan)
        if x.shape[0] <= n:
            return out
        gain = 0.0
        loss = 0.0
        for i in range(1, n + 1):
            d = x[i] - x[i - 1]
            if d > 0:
                gain += d
            else:
                loss -= d
        gain /= n
        loss /= n
        out[n] = 0.0 if gain + loss == 0 else 100.0 * gain / (gain + loss)
        for i in range(n + 1, x.shape[0]):
            d = x[i] - x[i - 1]
            gain = (gain * (n - 1) + (d if d > 0 else 0.0)) / n
            loss = (loss * (n - 1) + (-d if d < 0 else 0.0)) / n
            out[i] = 0.0 if gain + loss == 0 else 100.0 * gain / (gain + loss)
        return out

    return rsi_wilder


RSI = None


def rsi_np(close, n):
    """Plain-array entry point (backtesting.py passes an ndarray subclass)."""
    return RSI(np.asarray(close, dtype=np.float64), int(n))


# --- backtesting.py ---

from backtesting import Backtest, Strategy  # noqa: E402


class RsiStrategy(Strategy):
    """RSI(period) long-only: buy all in when RSI < oversold while flat, close
    when RSI > overbought while long. Module level so that
    Backtest.optimize can pickle it for its process pool."""

    period = 14
    oversold = 30
    overbought = 70

    def init(self):
        self.rsi = self.I(rsi_np, self.data.Close, self.period)

    def next(self):
        if not self.position:
            if self.rsi[-1] < self.oversold:
                self.buy()
        elif self.rsi[-1] > self.overbought:
            self.position.close()


def bt_backtest(df):
    return Backtest(df, RsiStrategy, cash=INIT_CASH, commission=FEE,
                    exclusive_orders=False, trade_on_close=False)


def time_bt_single(df, repeats):
    bt = bt_backtest(df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt.run()  # warm-up (numba RSI compile, imports)
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            st = bt.run(period=14, oversold=30, overbought=70)
            ts.append(time.perf_counter() - t0)
    return statistics.median(ts), ts, st


def time_bt_optimize(df, n_periods, n_oversold):
    bt = bt_backtest(df)
    periods = [int(p) for p in PERIODS[:n_periods]]
    oversold = [int(o) for o in OVERSOLD[:n_oversold]]
    combos = len(periods) * len(oversold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        best, heat = bt.optimize(period=periods, oversold=oversold, overbought=[70],
                                 maximize="Sharpe Ratio", return_heatmap=True)
        dt = time.perf_counter() - t0
    return dt, combos, periods, oversold


# --- vectorbt ---

def vbt_setup():
    import vectorbt as vbt

    vbt.settings.returns["year_freq"] = "252 days"  # annualise Sharpe by sqrt(252)
    return vbt


def vbt_indicators(close_np):
    """RSI for 50 periods, then (bars x 1000) entry/exit matrices, next-open
    shifted (signal on bar t fills on bar t+1)."""
    rsi = np.column_stack([RSI(close_np, int(p)) for p in PERIODS])  # (n, 50)
    with np.errstate(invalid="ignore"):
        ent = (rsi[:, :, None] < OVERSOLD[None, None, :]).reshape(len(close_np), -1)  # (n, 1000)
        ex = np.repeat(rsi > OVERBOUGHT, len(OVERSOLD), axis=1)  # (n, 1000)
    ent_s = np.zeros_like(ent)
    ex_s = np.zeros_like(ex)
    ent_s[1:] = ent[:-1]
    ex_s[1:] = ex[:-1]
    return ent_s, ex_s


def vbt_portfolio_stats(vbt, df, ent, ex, columns):
    idx = df.index
    pf = vbt.Portfolio.from_signals(
        df["Close"],
        pd.DataFrame(ent, index=idx, columns=columns),
        pd.DataFrame(ex, index=idx, columns=columns),
        price=df["Open"],
        fees=FEE,
        init_cash=INIT_CASH,
        size=np.inf,
        size_granularity=1.0,
        direction="longonly",
        freq="1D",
    )
    return pd.DataFrame(
        {
            "trades": pf.trades.count(),
            "total_return": pf.total_return(),
            "sharpe": pf.sharpe_ratio(),
            "max_drawdown": pf.max_drawdown(),
        }
    )


def time_vbt_single(vbt, df, repeats):
    close_np = df["Close"].to_numpy()

    def once():
        r = RSI(close_np, 14)
        with np.errstate(invalid="ignore"):
            e, x = r < 30, r > 70
        es = np.zeros_like(e)
        xs = np.zeros_like(x)
        es[1:], xs[1:] = e[:-1], x[:-1]
        return vbt_portfolio_stats(vbt, df, es[:, None], xs[:, None], pd.Index(["rsi14"]))

    once()  # warm-up
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = once()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), ts, out


def time_vbt_grid(vbt, df, repeats):
    close_np = df["Close"].to_numpy()
    columns = pd.MultiIndex.from_product([PERIODS, OVERSOLD], names=["period", "oversold"])
    ent, ex = vbt_indicators(close_np)
    vbt_portfolio_stats(vbt, df, ent, ex, columns)  # warm-up (numba JIT)
    ind, pfs = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ent, ex = vbt_indicators(close_np)
        t1 = time.perf_counter()
        table = vbt_portfolio_stats(vbt, df, ent, ex, columns)
        t2 = time.perf_counter()
        ind.append(t1 - t0)
        pfs.append(t2 - t1)
    return statistics.median(ind), statistics.median(pfs), table


# --- ours ---

def run_ours(data_arg: str):
    example = REPO / "backtest-core" / "examples" / "bench_grid.rs"
    if not example.exists():
        return None, ("our side NOT RUN: backtest-core/examples/bench_grid.rs does not exist yet "
                      "(expected `cargo run --release -p backtest-core --example bench_grid -- <csv>`)")
    build = subprocess.run(
        ["cargo", "build", "--release", "-p", "backtest-core", "--example", "bench_grid"],
        cwd=REPO, capture_output=True, text=True,
    )
    if build.returncode != 0:
        tail = "\n".join(build.stderr.strip().splitlines()[-15:])
        return None, f"our side NOT RUN: building the bench_grid example failed:\n{tail}"
    proc = subprocess.run(
        ["cargo", "run", "--release", "-q", "-p", "backtest-core", "--example", "bench_grid", "--", data_arg],
        cwd=REPO, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        return None, f"our side FAILED (exit {proc.returncode}):\n{tail}"
    for line in reversed(proc.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
                return obj, None
            except json.JSONDecodeError:
                break
    return None, f"our side printed no JSON line; stdout was:\n{proc.stdout[-2000:]}"


def fmt_time(sec: float | None) -> str:
    if sec is None:
        return "n/a"
    if sec < 1e-3:
        return f"{sec * 1e6:.1f} µs"
    if sec < 1:
        return f"{sec * 1e3:.2f} ms"
    return f"{sec:.2f} s"


def ratio(peer: float | None, ours: float | None) -> str:
    if peer is None or ours is None or ours <= 0:
        return "n/a"
    return f"{peer / ours:,.0f}x"


def main() -> int:
    global RSI
    ap = argparse.ArgumentParser(description="backtesting.py / vectorbt / ours, side by side")
    ap.add_argument("--data", default=DEFAULT_DATA, help="CSV path, relative to the repository root")
    ap.add_argument("--bt-periods", type=int, default=2, help="periods in the backtesting.py optimize subset")
    ap.add_argument("--bt-oversold", type=int, default=20, help="oversold values in that subset")
    ap.add_argument("--repeats", type=int, default=5, help="timed repetitions (median reported)")
    ap.add_argument("--skip-ours", action="store_true")
    args = ap.parse_args()

    data_path = (REPO / args.data) if not os.path.isabs(args.data) else Path(args.data)
    if not data_path.exists():
        print(f"data file not found: {args.data} (run from the repository with `shared` beside it)",
              file=sys.stderr)
        return 2
    df = load(data_path)
    n = len(df)
    load0 = os.getloadavg()

    import backtesting
    import numba

    RSI = make_rsi()
    vbt = vbt_setup()
    versions = dict(python=platform.python_version(), backtesting=backtesting.__version__,
                    vectorbt=vbt.__version__, numba=numba.__version__, pandas=pd.__version__,
                    numpy=np.__version__)

    log(f"data: {args.data} ({n} bars); cpus: {os.cpu_count()}; " +
        ", ".join(f"{k} {v}" for k, v in versions.items()))

    log("backtesting.py: single RSI(14, 30/70) backtest ...")
    bt_single, _, bt_stats = time_bt_single(df, args.repeats)
    log(f"  median {fmt_time(bt_single)} ({bt_stats['# Trades']} trades)")

    log("vectorbt: single RSI(14, 30/70) backtest ...")
    vbt_single, _, vbt_single_tab = time_vbt_single(vbt, df, max(args.repeats, 20))
    log(f"  median {fmt_time(vbt_single)} ({int(vbt_single_tab['trades'].iloc[0])} trades)")

    log("vectorbt: 1,000-combination grid as one from_signals over 1,000 columns (after warm-up) ...")
    vbt_ind, vbt_pf, table = time_vbt_grid(vbt, df, args.repeats)
    assert len(table) == len(PERIODS) * len(OVERSOLD) == 1000
    log(f"  indicators+signals {fmt_time(vbt_ind)}, portfolio+stats {fmt_time(vbt_pf)}; "
        f"sample row period=14 oversold=29: {table.loc[(14, 29)].to_dict()}")

    log(f"backtesting.py: Backtest.optimize on a {args.bt_periods}x{args.bt_oversold} subset ...")
    bt_sub, bt_combos, periods, oversold = time_bt_optimize(df, args.bt_periods, args.bt_oversold)
    bt_grid = bt_sub * 1000 / bt_combos
    log(f"  {bt_combos} combinations in {fmt_time(bt_sub)} -> {fmt_time(bt_grid)} extrapolated to 1,000")

    ours, why = (None, "our side skipped (--skip-ours)") if args.skip_ours else run_ours(args.data)
    ours_single = ours_grid = ours_stop_grid = None
    if ours is not None:
        ours_single = float(ours["single_backtest_us"]) * 1e-6
        ours_grid = float(ours["grid_1000_ms"]) * 1e-3
        if "grid_1000_stop_loss_5pct_ms" in ours:
            ours_stop_grid = float(ours["grid_1000_stop_loss_5pct_ms"]) * 1e-3
        if int(ours.get("combinations", 1000)) != 1000:
            why = f"warning: our grid ran {ours['combinations']} combinations, not 1000"

    print()
    print(f"bench-vs-peers: {args.data}, {n} bars, {os.cpu_count()} CPUs, fills at next open, "
          f"commission 0.1 %/side, all in, whole shares")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"load average at start / end: {load0[0]:.2f} / {os.getloadavg()[0]:.2f} "
          "(other processes on the machine slow every column alike)")
    print()
    rows = [
        ("one RSI(14,30/70) backtest", ours_single, bt_single, vbt_single, vbt_single),
        ("RSI grid, 1,000 combinations", ours_grid, bt_grid, vbt_pf, vbt_ind + vbt_pf),
    ]
    hdr = (f"{'workload':30s} | {'ours':>10s} | {'backtesting.py':>14s} | {'vectorbt':>10s} | "
           f"{'vectorbt+ind':>12s} | {'bt.py/ours':>10s} | {'vbt/ours':>9s} | {'vbt+ind/ours':>12s}")
    print(hdr)
    print("-" * len(hdr))
    for name, o, b, v, vi in rows:
        print(f"{name:30s} | {fmt_time(o):>10s} | {fmt_time(b):>14s} | {fmt_time(v):>10s} | "
              f"{fmt_time(vi):>12s} | {ratio(b, o):>10s} | {ratio(v, o):>9s} | {ratio(vi, o):>12s}")
    print()
    print("notes:")
    print(f"- medians of {args.repeats} timed runs (vectorbt single: {max(args.repeats, 20)}), each after one "
          "untimed warm-up run (numba JIT).")
    print("- vectorbt single = Wilder RSI + signals + from_signals + stats (1 column). vectorbt grid column = "
          "ONE Portfolio.from_signals over 1,000 columns + trades count, total return, Sharpe, max "
          "drawdown per column; 'vectorbt+ind' adds the 50 RSI series and the entry/exit matrices "
          f"({fmt_time(vbt_ind)}).")
    print(f"- backtesting.py grid: Backtest.optimize over {bt_combos} combinations (period "
          f"{periods[0]}..{periods[-1]} x oversold {oversold[0]}..{oversold[-1]}, overbought 70, its "
          f"multiprocessing pool on {os.cpu_count()} CPUs) took {fmt_time(bt_sub)}; the 1,000 figure is "
          f"that time x 1000/{bt_combos} (linear extrapolation, not measured; the subset time includes "
          "the pool start-up and optimize's final re-run of the best combination, so very small subsets "
          "overstate it).")
    print("- ours: `cargo run --release -p backtest-core --example bench_grid -- " + args.data + "`.")
    if ours is not None and "single_backtest_trades" in ours:
        peer_counts = (int(bt_stats["# Trades"]) + len(bt_stats["_strategy"].trades),
                       int(vbt_single_tab["trades"].iloc[0]))
        same = all(c == int(ours["single_backtest_trades"]) for c in peer_counts)
        print(f"- same work check, single backtest trades: ours {ours['single_backtest_trades']}, "
              f"backtesting.py {peer_counts[0]}, vectorbt {peer_counts[1]}"
              + ("" if same else "  <-- DIFFERENT"))
    if ours_stop_grid is not None and ours_grid:
        print(f"- ours, the same grid with a 5 % stop-loss: {fmt_time(ours_stop_grid)} "
              f"({ours_stop_grid / ours_grid:.2f}x the grid without stops).")
    if why:
        print(f"- {why}")
    targets = []
    if ours_single is not None:
        targets.append(("one backtest <= 20 µs", ours_single <= 20e-6))
    if ours_grid is not None:
        targets.append(("grid <= 8 ms", ours_grid <= 8e-3))
        targets.append(("grid >= 350x faster than vectorbt from_signals+stats", vbt_pf / ours_grid >= 350))
        targets.append(("grid >= 3000x faster than backtesting.py optimize", bt_grid / ours_grid >= 3000))
    if ours_stop_grid is not None and ours_grid:
        targets.append(("5 % stop grid within 1.5x of the grid", ours_stop_grid <= 1.5 * ours_grid))
    if targets:
        print("targets: " + "; ".join(f"{t}: {'PASS' if ok else 'MISS'}" for t, ok in targets))
    summary = dict(
        data=args.data, bars=n, cpus=os.cpu_count(), versions=versions,
        load_average_start=load0[0], load_average_end=os.getloadavg()[0],
        ours=ours,
        backtesting=dict(single_backtest_us=bt_single * 1e6, grid_subset_combinations=bt_combos,
                         grid_subset_s=bt_sub, grid_1000_extrapolated_s=bt_grid),
        vectorbt=dict(single_backtest_us=vbt_single * 1e6, grid_indicators_ms=vbt_ind * 1e3,
                      grid_portfolio_stats_ms=vbt_pf * 1e3),
    )
    print("json: " + json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
