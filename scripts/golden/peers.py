#!/usr/bin/env python3
"""Golden reference trades and equity curves from two independent backtesters.

Runs the same long-only, all-in, 0.1 %-commission strategies through
backtesting.py (fills at the next bar's open) and vectorbt's
``Portfolio.from_signals`` (same-bar close fills, and next-open fills by
shifting the signals one bar) on real daily data, and writes one trades CSV and
one equity CSV per (peer, fill mode, rule, data file) into
``backtest-core/tests/data/peers/``, plus ``signals_<rule>_<file>.csv`` (the
boolean entry/exit arrays fed to both peers), ``manifest.json`` (versions,
conventions, trade counts, self-checks) and ``README.md``.

Signals are computed once in this script with TA-Lib (``talib.SMA``,
``talib.RSI``) and the very same boolean arrays are fed to both peers, so the
peers only differ in their execution / accounting conventions.  An independent
numpy implementation of SMA and Wilder RSI is used as a cross-check: the script
fails if it produces different signals.

The script also contains a direct transcription of the engine semantics of
SPEC section 3 (``spec_model``) and checks each peer against it, reporting in
``manifest.json`` that the trades agree exactly and the equity agrees except
for the documented end-of-data difference.  That model is a self-check of the
conventions written in the README, not a golden output.

Usage (from the repository root, with ``shared`` checked out beside it):

    .venv/bin/python scripts/golden/peers.py

Requirements: see scripts/golden/requirements.txt (backtesting, vectorbt,
pandas, numpy, TA-Lib).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("TQDM_DISABLE", "1")  # backtesting.py progress bars

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO.parent / "shared" / "data"
DATA_REL = "../shared/data"  # how the repository refers to the data directory
OUT_DIR = REPO / "backtest-core" / "tests" / "data" / "peers"

INIT_CASH = 100_000.0
FEE = 0.001  # fraction of traded value, charged on each side

# tag -> path under ../shared/data
FILES = {
    "AAPL": "yf_autoadj_2005_2025/AAPL.csv",  # split+dividend adjusted, 5031 bars
    "SPY": "yahoo_2015_2019/SPY.csv",  # raw Yahoo prices (Close, not Adj Close)
    "GOOG": "backtesting-0.6.6/GOOG.csv",  # raw, unnamed first (date) column
}

RULES = ("sma_cross", "rsi")
SMA_FAST, SMA_SLOW = 10, 30
RSI_PERIOD, RSI_OVERSOLD, RSI_OVERBOUGHT = 14, 30.0, 70.0

# (peer, mode) pairs
RUNS = (("backtesting", "next_open"), ("vectorbt", "close"), ("vectorbt", "next_open"))


# ----------------------------------------------------------------------------
# data and signals
# ----------------------------------------------------------------------------


def load(tag: str) -> pd.DataFrame:
    path = DATA_DIR / FILES[tag]
    if not path.exists():
        sys.exit(f"missing data file {DATA_REL}/{FILES[tag]} (expected the shared data beside the repository)")
    raw = pd.read_csv(path)
    date_col = raw.columns[0]  # "Date", or unnamed in the backtesting.py demo files
    df = pd.DataFrame(
        {c: raw[c].astype("float64") for c in ("Open", "High", "Low", "Close", "Volume")}
    )
    df.index = pd.DatetimeIndex(pd.to_datetime(raw[date_col]), name="Date")
    assert df.index.is_monotonic_increasing and df.index.is_unique
    assert np.isfinite(df.to_numpy()).all()
    return df


def sma_ref(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full(len(x), np.nan)
    s = 0.0
    for i, v in enumerate(x):
        s += v
        if i >= n:
            s -= x[i - n]
        if i >= n - 1:
            out[i] = s / n
    return out


def rsi_ref(x: np.ndarray, n: int) -> np.ndarray:
    """Wilder RSI as TA-Lib computes it: seed = simple mean of the first n
    gains/losses, then avg = (avg*(n-1) + value) / n; first value at index n."""
    out = np.full(len(x), np.nan)
    if len(x) <= n:
        return out
    gain = loss = 0.0
    for i in range(1, n + 1):
        d = x[i] - x[i - 1]
        if d > 0:
            gain += d
        else:
            loss -= d
    gain /= n
    loss /= n
    out[n] = 0.0 if gain + loss == 0 else 100.0 * gain / (gain + loss)
    for i in range(n + 1, len(x)):
        d = x[i] - x[i - 1]
        gain = (gain * (n - 1) + (d if d > 0 else 0.0)) / n
        loss = (loss * (n - 1) + (-d if d < 0 else 0.0)) / n
        out[i] = 0.0 if gain + loss == 0 else 100.0 * gain / (gain + loss)
    return out


def cross_signals(fast: np.ndarray, slow: np.ndarray):
    with np.errstate(invalid="ignore"):
        up = np.zeros(len(fast), dtype=bool)
        dn = np.zeros(len(fast), dtype=bool)
        up[1:] = (fast[1:] > slow[1:]) & (fast[:-1] < slow[:-1])
        dn[1:] = (fast[1:] < slow[1:]) & (fast[:-1] > slow[:-1])
    return up, dn


def threshold_signals(r: np.ndarray):
    with np.errstate(invalid="ignore"):
        return r < RSI_OVERSOLD, r > RSI_OVERBOUGHT


def signals(df: pd.DataFrame, rule: str, checks: dict):
    import talib

    c = df["Close"].to_numpy()
    if rule == "sma_cross":
        fast, slow = talib.SMA(c, SMA_FAST), talib.SMA(c, SMA_SLOW)
        ent, ex = cross_signals(fast, slow)
        ref_ent, ref_ex = cross_signals(sma_ref(c, SMA_FAST), sma_ref(c, SMA_SLOW))
        diff = max(_maxdiff(fast, sma_ref(c, SMA_FAST)), _maxdiff(slow, sma_ref(c, SMA_SLOW)))
    else:
        r = talib.RSI(c, RSI_PERIOD)
        ent, ex = threshold_signals(r)
        ref = rsi_ref(c, RSI_PERIOD)
        ref_ent, ref_ex = threshold_signals(ref)
        diff = _maxdiff(r, ref)
    if not (np.array_equal(ent, ref_ent) and np.array_equal(ex, ref_ex)):
        sys.exit(f"{rule}: TA-Lib and the numpy reference give different signals")
    checks["indicator_max_abs_diff_talib_vs_numpy"] = diff
    assert not (ent & ex).any()
    return ent, ex


def _maxdiff(a, b) -> float:
    m = ~(np.isnan(a) | np.isnan(b))
    assert (np.isnan(a) == np.isnan(b)).all()
    return float(np.max(np.abs(a[m] - b[m]))) if m.any() else 0.0


# ----------------------------------------------------------------------------
# peers
# ----------------------------------------------------------------------------


def run_backtesting(df: pd.DataFrame, ent: np.ndarray, ex: np.ndarray, finalize: bool = False):
    from backtesting import Backtest, Strategy

    class SignalStrategy(Strategy):
        entry = None
        exit = None

        def init(self):
            pass

        def next(self):
            i = len(self.data) - 1
            if not self.position:
                if self.entry[i]:
                    self.buy()  # size defaults to all-in (1 - eps of available margin)
            elif self.exit[i]:
                self.position.close()

    bt = Backtest(
        df,
        SignalStrategy,
        cash=INIT_CASH,
        commission=FEE,
        exclusive_orders=False,
        trade_on_close=False,
        finalize_trades=finalize,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = bt.run(entry=ent, exit=ex)
    dates = df.index
    trades = []
    for t in stats._trades.itertuples():
        size = float(t.Size)
        trades.append(
            dict(
                entry_idx=int(t.EntryBar),
                exit_idx=int(t.ExitBar),
                size=size,
                entry_price=float(t.EntryPrice),
                exit_price=float(t.ExitPrice),
                # backtesting.py: commission = fixed(0) + |size| * price * rate, per side
                entry_fee=abs(size) * float(t.EntryPrice) * FEE,
                exit_fee=abs(size) * float(t.ExitPrice) * FEE,
                pnl=float(t.PnL),
            )
        )
        assert dates[t.EntryBar] == t.EntryTime
    for t in stats._strategy.trades:  # still open at the end (finalize_trades=False)
        trades.append(
            dict(
                entry_idx=int(t.entry_bar),
                exit_idx=None,
                size=float(t.size),
                entry_price=float(t.entry_price),
                exit_price=None,
                entry_fee=abs(float(t.size)) * float(t.entry_price) * FEE,
                exit_fee=None,
                pnl=None,
            )
        )
    equity = stats._equity_curve["Equity"].to_numpy(dtype=float)
    return trades, equity


def run_vectorbt(df: pd.DataFrame, ent: np.ndarray, ex: np.ndarray, mode: str):
    import vectorbt as vbt

    close = df["Close"]
    e = pd.Series(ent, index=df.index)
    x = pd.Series(ex, index=df.index)
    if mode == "close":
        price = close
    else:  # next_open: the signal of bar t is executed on bar t+1 at its open
        e = e.shift(1, fill_value=False).astype(bool)
        x = x.shift(1, fill_value=False).astype(bool)
        price = df["Open"]
    pf = vbt.Portfolio.from_signals(
        close,
        e,
        x,
        price=price,
        fees=FEE,
        init_cash=INIT_CASH,
        size=np.inf,
        size_granularity=1.0,
        direction="longonly",
        freq="1D",
    )
    # Fill prices and fees come from the order records (the exact fill price and
    # the fee actually charged); the trade records carry a size-weighted average
    # entry/exit price that can differ from the fill price by 1 ulp.  PnL and
    # open/closed status come from the trade records.
    orders = pf.orders.values
    trades = []
    for k, r in enumerate(pf.trades.values):
        buy, sell = orders[2 * k], (orders[2 * k + 1] if 2 * k + 1 < len(orders) else None)
        assert int(buy["side"]) == 0 and int(buy["idx"]) == int(r["entry_idx"])
        assert float(buy["size"]) == float(r["size"])
        is_open = int(r["status"]) == 0  # TradeStatus.Open
        if not is_open:
            assert int(sell["side"]) == 1 and int(sell["idx"]) == int(r["exit_idx"])
            assert float(sell["size"]) == float(r["size"])
        else:
            assert sell is None
        assert abs(float(buy["price"]) - float(r["entry_price"])) <= 1e-12 * float(buy["price"])
        trades.append(
            dict(
                entry_idx=int(buy["idx"]),
                exit_idx=None if is_open else int(sell["idx"]),
                size=float(buy["size"]),
                entry_price=float(buy["price"]),
                exit_price=None if is_open else float(sell["price"]),
                entry_fee=float(buy["fees"]),
                exit_fee=None if is_open else float(sell["fees"]),
                pnl=None if is_open else float(r["pnl"]),
            )
        )
    equity = pf.value().to_numpy(dtype=float)
    return trades, equity


# ----------------------------------------------------------------------------
# SPEC section 3 transcription (self-check only)
# ----------------------------------------------------------------------------


def spec_model(df: pd.DataFrame, ent: np.ndarray, ex: np.ndarray, mode: str):
    o = df["Open"].to_numpy()
    c = df["Close"].to_numpy()
    n = len(c)
    cash, pos = INIT_CASH, 0.0
    trades, eq = [], np.empty(n)
    pending = None
    cur = None

    def buy(t, px):
        nonlocal cash, pos, cur
        size = math.floor(cash / (px * (1 + FEE)))  # flat: equity == cash
        if size <= 0:
            return
        fee = px * size * FEE
        cash -= px * size + fee
        pos = size
        cur = dict(entry_idx=t, size=float(size), entry_price=px, entry_fee=fee)

    def sell(t, px):
        nonlocal cash, pos, cur
        fee = px * pos * FEE
        cash += px * pos - fee
        cur.update(exit_idx=t, exit_price=px, exit_fee=fee,
                   pnl=(px - cur["entry_price"]) * pos - cur["entry_fee"] - fee)
        trades.append(cur)
        pos, cur = 0.0, None

    for t in range(n):
        if mode == "next_open" and pending is not None:
            (buy if pending == "buy" else sell)(t, o[t])
            pending = None
        act = "buy" if (pos == 0 and ent[t]) else "sell" if (pos > 0 and ex[t]) else None
        if act and mode == "close":
            (buy if act == "buy" else sell)(t, c[t])
        elif act:
            pending = act
        eq[t] = cash + pos * c[t]
    if pos > 0:  # SPEC: an open position is closed at the last bar's close, with its fee
        sell(n - 1, c[n - 1])
        eq[n - 1] = cash
    return trades, eq


def compare_with_spec(peer, trades, equity, spec_trades, spec_eq, n):
    """Check the documented differences between a peer and SPEC semantics."""
    closed = [t for t in trades if t["exit_idx"] is not None]
    open_ = [t for t in trades if t["exit_idx"] is None]
    res = {}
    same = len(trades) == len(spec_trades)
    max_fee_rel = 0.0
    for a, b in zip(trades, spec_trades):
        keys = ("entry_idx", "size", "entry_price")
        if a["exit_idx"] is not None:
            keys += ("exit_idx", "exit_price")
        else:
            # open at the end in the peer; SPEC closes it at the last bar's close
            same &= b["exit_idx"] == n - 1
        same &= all(a[k] == b[k] for k in keys)
        max_fee_rel = max(max_fee_rel, abs(a["entry_fee"] - b["entry_fee"]) / b["entry_fee"])
        if a["exit_fee"] is not None:
            max_fee_rel = max(max_fee_rel, abs(a["exit_fee"] - b["exit_fee"]) / b["exit_fee"])
    res["trades_match_spec_model"] = bool(same)
    res["max_fee_rel_diff_vs_spec_model"] = max_fee_rel
    rel = np.abs(equity - spec_eq) / np.abs(spec_eq)
    res["max_equity_rel_diff_vs_spec_model_before_last_bar"] = float(rel[:-1].max())
    last_diff = float(equity[-1] - spec_eq[-1])
    res["last_bar_equity_minus_spec_model"] = last_diff
    if open_:
        # both peers mark the open trade to the last close without an exit fee;
        # SPEC closes it at that close and charges the fee
        expected = spec_trades[-1]["exit_fee"]
        res["last_bar_expected_diff_exit_fee_at_last_close"] = expected
        res["last_bar_diff_explained"] = bool(abs(last_diff - expected) <= 1e-9 * abs(spec_eq[-1]))
        res["open_trade_entry_date"] = None  # filled in by caller
    else:
        res["last_bar_diff_explained"] = bool(abs(last_diff) <= 1e-9 * abs(spec_eq[-1]))
    return res


def sizing_check(trades, equity):
    """Peer's size vs floor(equity_before / (price * (1 + fee))) with the peer's
    own equity on the bar before the fill (flat, so equity == cash)."""
    mism = []
    for t in trades:
        e = equity[t["entry_idx"] - 1] if t["entry_idx"] > 0 else INIT_CASH
        want = math.floor(e / (t["entry_price"] * (1 + FEE)))
        if want != t["size"]:
            mism.append(dict(entry_idx=t["entry_idx"], peer=t["size"], formula=want))
    return mism


# ----------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------


def fmt(v) -> str:
    if v is None:
        return ""
    v = float(v)
    if v.is_integer() and abs(v) < 2**53:
        return str(int(v))
    return repr(v)


def write_trades(path: Path, trades, dates):
    lines = ["entry_date,exit_date,size,entry_price,exit_price,entry_fee,exit_fee,pnl"]
    for t in trades:
        lines.append(
            ",".join(
                [
                    dates[t["entry_idx"]],
                    "" if t["exit_idx"] is None else dates[t["exit_idx"]],
                    fmt(t["size"]),
                    fmt(t["entry_price"]),
                    fmt(t["exit_price"]),
                    fmt(t["entry_fee"]),
                    fmt(t["exit_fee"]),
                    fmt(t["pnl"]),
                ]
            )
        )
    path.write_text("\n".join(lines) + "\n")


def write_equity(path: Path, equity, dates):
    lines = ["date,equity"] + [f"{d},{fmt(v)}" for d, v in zip(dates, equity)]
    path.write_text("\n".join(lines) + "\n")


def write_signals(path: Path, ent, ex, dates):
    lines = ["date,entry,exit"] + [f"{d},{int(a)},{int(b)}" for d, a, b in zip(dates, ent, ex)]
    path.write_text("\n".join(lines) + "\n")


def versions() -> dict:
    import backtesting
    import numba
    import talib
    import vectorbt

    return {
        "python": platform.python_version(),
        "backtesting": backtesting.__version__,
        "vectorbt": vectorbt.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "numba": numba.__version__,
        "TA-Lib": talib.__version__,
    }


README_TEMPLATE = """\
# Peer golden files: backtesting.py and vectorbt

Generated by `scripts/golden/peers.py`; do not edit by hand. Regenerate from
the repository root (with `shared` checked out beside it):

```
python3 -m venv .venv
.venv/bin/pip install -r scripts/golden/requirements.txt
.venv/bin/python scripts/golden/peers.py
```

Versions used for the committed files: {versions}.

## Scenarios

All on real daily data read in place from `../shared/data` (never copied into
the repository), long-only, initial cash 100000, commission 0.1 % of traded
value on each side, all in (our `size_type=percent, position_size=100`), whole
shares. The `Close` column is used (for `SPY` not `Adj Close`).

| tag | file | bars | range |
| --- | --- | --- | --- |
{data_rows}

Rules (signals computed once, from the close, and fed as the same boolean
arrays to both peers; `signals_<rule>_<tag>.csv` holds them as `date,entry,exit`
with 0/1):

- `sma_cross`: fast = SMA(10), slow = SMA(30) (`talib.SMA`); entry on bar t
  when fast(t) > slow(t) and fast(t-1) < slow(t-1) (both strict), exit on the
  mirror cross (fast(t) < slow(t) and fast(t-1) > slow(t-1)). Undefined
  (warm-up) values never signal.
- `rsi`: RSI(14), Wilder, `talib.RSI` (first value at index 14, seeded with
  the simple mean of the first 14 gains/losses); entry when RSI(t) < 30 while
  flat, exit when RSI(t) > 70 while long. The raw arrays are `RSI < 30` and
  `RSI > 70` on every bar; both peers ignore an entry while long and an exit
  while flat, which gives the "while flat / while long" semantics.

The script cross-checks TA-Lib against its own numpy SMA / Wilder-RSI
implementation (max |diff| in `manifest.json`, signals identical, else it
fails).

Files per scenario `<peer>_<mode>_<rule>_<tag>`:

- `.trades.csv`: `entry_date,exit_date,size,entry_price,exit_price,entry_fee,exit_fee,pnl`,
  one row per trade in entry order, dates `YYYY-MM-DD` of the FILL bar. For a
  position still open at the end `exit_date`, `exit_price`, `exit_fee` and
  `pnl` are empty (see end-of-data handling below).
- `.equity.csv`: `date,equity`, one row per bar (cash + position marked at
  that bar's close).

Floats are written with Python `repr` (shortest string that round-trips to the
same f64). `manifest.json` lists every scenario with its trade count, final
equity and the self-checks described below.

| scenario | trades | closed | open at end | final equity |
| --- | --- | --- | --- | --- |
{scenario_rows}

## Peer conventions (verified in the installed sources)

### backtesting.py {bt_version} (`backtesting/backtesting.py`)

Run as `Backtest(df, SignalStrategy, cash=100_000, commission=0.001,
exclusive_orders=False, trade_on_close=False, finalize_trades=False)`; the
strategy calls `self.buy()` (no size: the default `_FULL_EQUITY`, i.e.
`1 - sys.float_info.epsilon`) when flat and the entry array is true, and
`self.position.close()` when long and the exit array is true.

- Fill timing: `Strategy.next()` runs on bar t after the broker processed
  orders at bar t's open; an order placed on bar t is filled in
  `_Broker._process_orders()` on bar t+1 at `Open` (`price = prev_close if
  self._trade_on_close ... else open`). Position closes (`Trade.close()`
  orders) also fill at the next open. The first bar on which `next()` runs is
  `1 + _indicator_warmup_nbars` = bar 1 here (no `self.I` indicators); no
  signal is true on bar 0 anyway.
- Sizing (`_process_orders`, relative-size branch): `size =
  int((margin_available * leverage * abs(order.size)) //
  adjusted_price_plus_commission)` with `adjusted_price_plus_commission =
  price + commission(order.size, price) / abs(order.size)` = `price * (1 +
  0.001)` up to rounding, `order.size = 1 - eps` and `margin_available` =
  equity = cash when flat. So size = floor(equity * (1 - eps) / (open *
  (1 + 0.001))): SPEC's `percent` formula, except for the `(1 - eps)` factor and
  float rounding, which can only differ when the quotient is within ~1e-15 of
  an integer (never on these files: `sizing_mismatches_vs_floor_formula` is
  empty for every scenario).
- Fees: `_commission_func` = `fixed + abs(size) * price * rate` with fixed 0,
  charged at open in `_open_trade` and again at exit in `_close_trade`;
  `entry_fee`/`exit_fee` here are `size * price * 0.001`, PnL is the peer's
  `PnL` = size * (exit - entry) - both fees.
- Equity: `_Broker.equity = cash + unrealized PnL` at the bar's close; the
  curve before bar 1 is back-filled (= initial cash).
- End of data: with the default `finalize_trades=False` a trade still open at
  the end stays open (a warning is emitted); it is not in `stats._trades`, it is
  written here with empty exit fields (read from `stats._strategy.trades`), and
  the last equity point is cash + size * last close, i.e. WITHOUT any exit fee.
  With `finalize_trades=True`, `Backtest.run` calls `trade.close()` on every
  open trade and re-runs `broker.next()` on the last bar, so the position is
  closed at the LAST BAR'S OPEN (not its close) with the exit fee; the script
  verifies this (`backtesting_finalize_trades_check` in `manifest.json`) but
  the golden files use `finalize_trades=False`. An order placed on the last
  bar is never filled.

### vectorbt {vbt_version} (`vectorbt/portfolio/nb.py`, `base.py`)

Run as `Portfolio.from_signals(close, entries, exits, price=..., fees=0.001,
init_cash=100000, size=np.inf, size_granularity=1, direction='longonly',
freq='1D')` (defaults otherwise: no accumulation, no cash sharing).

- Fill timing: mode `close`: `price=close`, the signal of bar t fills at
  bar t's close. Mode `next_open`: entries and exits are shifted one bar
  forward (`shift(1, fill_value=False)`) and `price=open`, so the signal of bar
  t fills at bar t+1's open; a signal on the last bar is dropped.
- Sizing (`buy_nb`): `size=inf` with `size_granularity=1` makes the request
  exceed the cash limit, so the "insufficient cash" branch runs:
  `max_req_cash = (cash - fixed_fees) / (1 + fees)`, `max_acq_size =
  max_req_cash / price`, `final_size = max_acq_size // 1 * 1`, i.e. size =
  floor(cash / (1 + 0.001) / price) (cash = equity when flat). Same as SPEC up
  to float rounding; no mismatch on these files. Without `size_granularity`
  vectorbt would buy a fractional size.
- Fees: `fees_paid = size * price * fees` on the buy (`buy_nb`) and on the sell
  (`sell_nb`, `acq_cash * fees`). Cash: buy subtracts `size * price + fee`,
  sell adds `size * price - fee`.
- Trade records: prices and fees are taken from the ORDER records (the exact
  fill price); vectorbt's trade records hold a size-weighted average price that
  can be 1 ulp away from the fill. PnL is the trade record's `pnl`.
- Equity: `Portfolio.value()` = cash + position * close per bar.
- End of data: the last position is left OPEN (trade status `Open`, no exit
  order, no exit fee); written here with empty exit fields, and the last
  equity point is cash + size * last close, WITHOUT an exit fee.

## Differences from our engine (SPEC section 3) and how to compare

Our engine: a signal on bar t's close fills at bar t+1's open (`next_open`) or
at bar t's close (`close`); `percent` sizing buys
floor(equity * 100 / 100 / (fill * (1 + fee_rate))) shares; fee = fill *
size * fee_rate per side; an open position at the end is closed at the last
bar's close with its fee.

Compare `backtesting_next_open_*` and `vectorbt_next_open_*` with our
`fill=next_open` run, and `vectorbt_close_*` with `fill=close`; slippage 0,
`initial_capital=100000`, `fee_rate=0.001`, `size_type=percent`,
`position_size=100`, `direction=longonly`.

1. Trades: every row with an exit must match ours exactly in entry/exit dates
   and size, prices exactly (they are the file's open/close values), fees to a
   relative 1e-9 and PnL to 1e-9 of the entry value (size * entry price). A
   row with an empty exit is open at the end in the peer: ours closes the same
   trade (same entry date, size, entry price) on the last bar at the last close,
   with exit fee = last close * size * 0.001, so compare its entry fields only
   and check that our exit is on the last bar at its close.
2. Equity: equal on every bar except the last to a relative 1e-9 (the peers
   keep cash and position differently, e.g. backtesting.py stores unrealized PnL
   relative to the entry price, so the last bits differ; the script measured
   at most {max_eq_rel:.1e}). On the last bar, if the peer has an open trade:
   ours = peer - size * last close * 0.001 (our exit fee); otherwise equal.
3. backtesting.py with `finalize_trades=True` would instead close at the last
   bar's OPEN; not used here.
4. vectorbt in `close` mode would also fill an entry signal on the last bar at
   its close (and leave it open); {last_bar_entries}

Self-check: the script contains a direct transcription of SPEC section 3 and
compares it with every peer run (`trades_match_spec_model`,
`max_equity_rel_diff_vs_spec_model_before_last_bar`,
`last_bar_diff_explained` in `manifest.json`); it exits non-zero if any peer
deviates from the rules above. Passing: {n_pass} of {n_scen} scenarios.
"""


def write_readme(out: Path, manifest: dict):
    v = manifest["versions"]
    data_rows = "\n".join(
        f"| `{tag}` | `{DATA_REL}/{FILES[tag]}` | {b} | {f} .. {l} |"
        for tag, (b, f, l) in manifest["_data_info"].items()
    )
    scen_rows = "\n".join(
        f"| `{s['name']}` | {s['trades']} | {s['closed_trades']} | "
        f"{'yes' if s['open_at_end'] else 'no'} | {s['final_equity']:.6f} |"
        for s in manifest["scenarios"]
    )
    max_eq = max(s["max_equity_rel_diff_vs_spec_model_before_last_bar"] for s in manifest["scenarios"])
    text = README_TEMPLATE.format(
        versions=", ".join(f"{k} {val}" for k, val in v.items()),
        data_rows=data_rows,
        scenario_rows=scen_rows,
        bt_version=v["backtesting"],
        vbt_version=v["vectorbt"],
        max_eq_rel=max_eq,
        n_scen=len(manifest["scenarios"]),
        n_pass=sum(
            1
            for s in manifest["scenarios"]
            if s["trades_match_spec_model"]
            and s["last_bar_diff_explained"]
            and not s["sizing_mismatches_vs_floor_formula"]
        ),
        last_bar_entries=(
            "scenarios with such an entry: "
            + ", ".join(f"`{s['name']}`" for s in manifest["scenarios"] if s["entry_on_last_bar"])
            if any(s["entry_on_last_bar"] for s in manifest["scenarios"])
            else "none of these scenarios has one\n   (`entry_on_last_bar` is false for all of them in `manifest.json`)."
        ),
    )
    (out / "README.md").write_text(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    manifest = {
        "generator": "scripts/golden/peers.py",
        "command": ".venv/bin/python scripts/golden/peers.py",
        "versions": versions(),
        "settings": {
            "initial_cash": INIT_CASH,
            "commission_rate_per_side": FEE,
            "direction": "longonly",
            "sizing": "all in, whole shares",
            "sma_cross": {"fast": SMA_FAST, "slow": SMA_SLOW},
            "rsi": {"period": RSI_PERIOD, "oversold": RSI_OVERSOLD, "overbought": RSI_OVERBOUGHT},
        },
        "data": {tag: f"{DATA_REL}/{p}" for tag, p in FILES.items()},
        "scenarios": [],
        "signals": [],
        "backtesting_finalize_trades_check": [],
    }
    data_info = {}
    problems = []
    for tag in FILES:
        df = load(tag)
        dates = [d.strftime("%Y-%m-%d") for d in df.index]
        n = len(df)
        data_info[tag] = (n, dates[0], dates[-1])
        for rule in RULES:
            sig_checks: dict = {}
            ent, ex = signals(df, rule, sig_checks)
            sig_name = f"signals_{rule}_{tag}.csv"
            write_signals(out / sig_name, ent, ex, dates)
            manifest["signals"].append(
                dict(file=sig_name, data=tag, rule=rule, bars=n, entries=int(ent.sum()),
                     exits=int(ex.sum()), **sig_checks)
            )
            for peer, mode in RUNS:
                if peer == "backtesting":
                    trades, equity = run_backtesting(df, ent, ex)
                else:
                    trades, equity = run_vectorbt(df, ent, ex, mode)
                assert len(equity) == n
                name = f"{peer}_{mode}_{rule}_{tag}"
                write_trades(out / f"{name}.trades.csv", trades, dates)
                write_equity(out / f"{name}.equity.csv", equity, dates)
                spec_trades, spec_eq = spec_model(df, ent, ex, mode)
                chk = compare_with_spec(peer, trades, equity, spec_trades, spec_eq, n)
                open_ = [t for t in trades if t["exit_idx"] is None]
                if open_:
                    chk["open_trade_entry_date"] = dates[open_[0]["entry_idx"]]
                mism = sizing_check(trades, equity)
                entry_on_last_bar = any(t["entry_idx"] == n - 1 for t in trades)
                sc = dict(
                    name=name,
                    peer=peer,
                    mode=mode,
                    rule=rule,
                    data=tag,
                    data_path=f"{DATA_REL}/{FILES[tag]}",
                    bars=n,
                    first_date=dates[0],
                    last_date=dates[-1],
                    trades=len(trades),
                    closed_trades=len(trades) - len(open_),
                    open_at_end=bool(open_),
                    entry_on_last_bar=entry_on_last_bar,
                    final_equity=float(equity[-1]),
                    sizing_mismatches_vs_floor_formula=mism,
                    **chk,
                )
                manifest["scenarios"].append(sc)
                if not (chk["trades_match_spec_model"] and chk["last_bar_diff_explained"]) or mism:
                    problems.append(name)
                print(
                    f"{name:38s} trades={len(trades):3d} open_at_end={str(bool(open_)):5s} "
                    f"final_equity={equity[-1]:.6f} spec_match={chk['trades_match_spec_model']} "
                    f"eq_rel_diff={chk['max_equity_rel_diff_vs_spec_model_before_last_bar']:.2e}"
                )
            # what finalize_trades=True would have done (documented, not a golden output)
            fin_trades, fin_eq = run_backtesting(df, ent, ex, finalize=True)
            base_trades, _ = run_backtesting(df, ent, ex, finalize=False)
            if base_trades and base_trades[-1]["exit_idx"] is None:
                last = fin_trades[-1]
                manifest["backtesting_finalize_trades_check"].append(
                    dict(
                        data=tag,
                        rule=rule,
                        exit_date=dates[last["exit_idx"]],
                        exit_price=last["exit_price"],
                        last_bar_open=float(df["Open"].iloc[-1]),
                        last_bar_close=float(df["Close"].iloc[-1]),
                        closed_at_last_bar_open=bool(
                            last["exit_idx"] == n - 1 and last["exit_price"] == df["Open"].iloc[-1]
                        ),
                        final_equity=float(fin_eq[-1]),
                    )
                )
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    write_readme(out, dict(manifest, _data_info=data_info))
    if problems:
        print("scenarios not explained by the documented conventions:", ", ".join(problems))
        return 1
    print(f"wrote {len(manifest['scenarios'])} scenarios to {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
