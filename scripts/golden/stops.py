#!/usr/bin/env python3
"""Golden trades for stop-loss, take-profit and trailing-stop exits.

Runs the same long-only signals through backtesting.py 0.6.6 (fills at the
next bar's open, SL/TP set from the actual fill price, trailing stop moved
between bars in ``next()``) and vectorbt 1.2.0 (``Portfolio.from_signals``
with ``sl_stop``, ``tp_stop``, ``sl_trail``, fills at the signal bar's close)
on real daily files, for several stop configurations, and writes
``backtest-core/tests/data/stops/<peer>_<mode>.trades.csv`` (one row per
trade, with a ``scenario`` column), ``manifest.json`` and ``README.md``.

Signals are the SMA(10/30) cross and RSI(14, 30/70) of ``peers.py`` (numpy
references, checked there against TA-Lib). Sizing is a fixed value per trade
(10,000 at 100,000 initial cash), so one trade's exit never changes the size
of the next: a convention difference stays local to the trades it touches.

Usage (from the repository root, with ``shared`` checked out beside it):

    scripts/.peers/venv/bin/python scripts/golden/stops.py

(``scripts/bench-vs-peers`` installs that virtualenv from
``scripts/bench/requirements.txt``.)
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("TQDM_DISABLE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402  (data files, numpy SMA/RSI and signal helpers)

REPO = peers.REPO
OUT_DIR = REPO / "backtest-core" / "tests" / "data" / "stops"
INIT_CASH = 100_000.0
FEE = 0.001
VALUE = 10_000.0  # currency per trade (our size_type=value, position_size=10000)

# (tag, path under ../shared/data)
FILES = {
    "AAPL": "yf_autoadj_2005_2025/AAPL.csv",
    "SPY": "yahoo_2015_2019/SPY.csv",
    "GOOG": "backtesting-0.6.6/GOOG.csv",
    "NVDA": "yf_autoadj_2005_2025/NVDA.csv",
}
RULES = ("sma_cross", "rsi")

# name -> (stop_loss, take_profit, trailing) as fractions (our *_pct / 100)
CONFIGS = {
    "sl5": (0.05, None, None),
    "tp10": (None, 0.10, None),
    "sl5_tp10": (0.05, 0.10, None),
    "tr8": (None, None, 0.08),
    "tr8_tp15": (None, 0.15, 0.08),
    "sl3_tr8_tp20": (0.03, 0.20, 0.08),  # both stops: backtesting.py only
}


def value_size(price: float) -> float:
    """Our `value` sizing: floor(value / (price * (1 + fee))), one share less
    if rounding makes the cost exceed the budget."""
    unit = price * (1 + FEE)
    size = math.floor(VALUE / unit)
    if size * price + size * price * FEE > VALUE:
        size -= 1
    return float(size)


def signals(df: pd.DataFrame, rule: str):
    c = df["Close"].to_numpy()
    if rule == "sma_cross":
        return peers.cross_signals(peers.sma_ref(c, peers.SMA_FAST), peers.sma_ref(c, peers.SMA_SLOW))
    return peers.threshold_signals(peers.rsi_ref(c, peers.RSI_PERIOD))


def load(tag: str) -> pd.DataFrame:
    peers.FILES[tag] = FILES[tag]
    return peers.load(tag)


# ----------------------------------------------------------------------------
# backtesting.py
# ----------------------------------------------------------------------------


def run_backtesting(df, ent, ex, cfg):
    from backtesting import Backtest, Strategy

    sl, tp, tr = cfg
    opens = df["Open"].to_numpy()
    highs = df["High"].to_numpy()
    n = len(df)
    exits_by_signal = set()  # entry bars of trades closed by our exit signal
    levels = {}  # entry bar -> (sl level, trailing level) active on the next bar

    class StopStrategy(Strategy):
        def init(self):
            self.peak = None

        def next(self):
            i = len(self.data) - 1
            if self.trades:
                trade = self.trades[-1]
                e = trade.entry_bar
                if ex[i]:
                    # Our model: the pending signal exit fills at the next open
                    # before any stop is looked at; cancel the brackets so the
                    # close order (queued after SL orders) is not pre-empted.
                    trade.sl = None
                    trade.tp = None
                    exits_by_signal.add(e)
                    trade.close()
                    return
                if tr is not None:
                    # peak over the entry fill and the highs up to this bar;
                    # it applies from the next bar on.
                    self.peak = max(self.peak, highs[i])
                    sl_lvl = trade.entry_price * (1 - sl) if sl is not None else None
                    tr_lvl = self.peak * (1 - tr)
                    new = tr_lvl if sl_lvl is None else max(sl_lvl, tr_lvl)
                    levels[e] = (sl_lvl, tr_lvl)
                    if new != trade.sl:
                        trade.sl = new
                return
            if ent[i] and i + 1 < n:
                fill = opens[i + 1]  # the price this market order fills at
                order = self.buy(size=value_size(fill))
                # Levels from the actual fill price; set on the order directly
                # because buy() validates them against the current close,
                # which a gap can put on the other side of a level.
                sl_lvl = fill * (1 - sl) if sl is not None else None
                tr_lvl = fill * (1 - tr) if tr is not None else None
                stop = max(x for x in (sl_lvl, tr_lvl) if x is not None) if (sl or tr) else None
                order._Order__sl_price = stop
                order._Order__tp_price = fill * (1 + tp) if tp is not None else None
                levels[i + 1] = (sl_lvl, tr_lvl)
                self.peak = fill

    bt = Backtest(df, StopStrategy, cash=INIT_CASH, commission=FEE, exclusive_orders=False,
                  trade_on_close=False, finalize_trades=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = bt.run()
    trades = []
    for t in stats._trades.itertuples():
        e, x = int(t.EntryBar), int(t.ExitBar)
        assert float(t.EntryPrice) == opens[e]
        if e in exits_by_signal:
            reason = "signal"
        elif tp is not None and float(t.ExitPrice) >= opens[e] * (1 + tp):
            reason = "take_profit"
        else:
            sl_lvl, tr_lvl = levels[e]
            reason = "trailing_stop" if sl_lvl is None or (tr_lvl is not None and tr_lvl > sl_lvl) else "stop_loss"
        trades.append(_row(t.Size, e, x, t.EntryPrice, t.ExitPrice, t.PnL, reason))
    for t in stats._strategy.trades:
        trades.append(_row(t.size, int(t.entry_bar), None, t.entry_price, None, None, ""))
    return trades


def _row(size, e, x, entry, exit_, pnl, reason):
    size = float(size)
    return dict(
        entry_idx=e,
        exit_idx=x,
        size=size,
        entry_price=float(entry),
        exit_price=None if exit_ is None else float(exit_),
        entry_fee=size * float(entry) * FEE,
        exit_fee=None if exit_ is None else size * float(exit_) * FEE,
        pnl=None if pnl is None else float(pnl),
        reason=reason,
    )


# ----------------------------------------------------------------------------
# vectorbt
# ----------------------------------------------------------------------------


def run_vectorbt(df, ent, ex, cfg):
    import vectorbt as vbt

    sl, tp, tr = cfg
    assert not (sl is not None and tr is not None), "vectorbt has one stop-loss: fixed or trailing"
    close = df["Close"]
    sizes = np.array([value_size(p) for p in close.to_numpy()])
    kw = {}
    if sl is not None:
        kw["sl_stop"] = sl
    if tr is not None:
        kw["sl_stop"] = tr
        kw["sl_trail"] = True
    if tp is not None:
        kw["tp_stop"] = tp
    pf = vbt.Portfolio.from_signals(
        close,
        pd.Series(ent, index=df.index),
        pd.Series(ex, index=df.index),
        price=close,
        open=df["Open"],
        high=df["High"],
        low=df["Low"],
        size=sizes,
        size_type="amount",
        fees=FEE,
        init_cash=INIT_CASH,
        direction="longonly",
        stop_entry_price="fillprice",
        freq="1D",
        **kw,
    )
    o, h, lo, c = (df[k].to_numpy() for k in ("Open", "High", "Low", "Close"))
    orders = pf.orders.values
    trades = []
    for k, r in enumerate(pf.trades.values):
        buy = orders[2 * k]
        sell = orders[2 * k + 1] if 2 * k + 1 < len(orders) else None
        e = int(buy["idx"])
        assert int(buy["side"]) == 0 and int(r["entry_idx"]) == e
        if int(r["status"]) == 0:
            assert sell is None
            trades.append(_row(buy["size"], e, None, buy["price"], None, None, ""))
            continue
        x = int(sell["idx"])
        px = float(sell["price"])
        entry = float(buy["price"])
        # Label the exit the way vectorbt decided it (stop first, then TP,
        # then the signal), with the levels it held on bar x.
        peak = max([entry] + list(h[e + 1 : x])) if tr is not None else entry
        stop = peak * (1 - tr) if tr is not None else (entry * (1 - sl) if sl is not None else None)
        tp_lvl = entry * (1 + tp) if tp is not None else None
        if stop is not None and (o[x] <= stop or lo[x] <= stop):
            reason = "trailing_stop" if tr is not None else "stop_loss"
            assert px == (o[x] if o[x] <= stop else stop)
        elif tp_lvl is not None and (o[x] >= tp_lvl or h[x] >= tp_lvl):
            reason = "take_profit"
            assert px == (o[x] if o[x] >= tp_lvl else tp_lvl)
        else:
            reason = "signal"
            assert ex[x] and px == c[x]
        trades.append(_row(buy["size"], e, x, entry, px, r["pnl"], reason))
        assert abs(float(sell["fees"]) - trades[-1]["exit_fee"]) <= 1e-9 * trades[-1]["exit_fee"]
    return trades


# ----------------------------------------------------------------------------
# documented convention differences, counted on the real bars
# ----------------------------------------------------------------------------


def tp_gap_with_stop_touch(df, trades, cfg):
    """Bars where a peer exits at the stop although the bar OPENED at or above
    TP (ours: gap rule first, exit at the open as take_profit)."""
    sl, tp, _ = cfg
    if tp is None:
        return []
    o = df["Open"].to_numpy()
    hits = []
    for t in trades:
        if t["exit_idx"] is not None and t["reason"] in ("stop_loss", "trailing_stop"):
            if o[t["exit_idx"]] >= t["entry_price"] * (1 + tp):
                hits.append(t["exit_idx"])
    return hits


def stop_exit_bar_entries(trades, ent):
    """vectorbt: an entry signal on the bar of a stop exit is dropped (one
    order per bar); ours re-enters at that bar's close in `close` mode."""
    return [t["exit_idx"] for t in trades
            if t["exit_idx"] is not None and t["reason"] != "signal" and ent[t["exit_idx"]]]


def fmt(v):
    return peers.fmt(v)


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    runs = {"backtesting_next_open": [], "vectorbt_close": []}
    manifest = {
        "generator": "scripts/golden/stops.py",
        "versions": _versions(),
        "settings": {"initial_cash": INIT_CASH, "fee_rate": FEE, "slippage": 0.0,
                     "size_type": "value", "position_size": VALUE, "direction": "longonly"},
        "data": {t: f"{peers.DATA_REL}/{p}" for t, p in FILES.items()},
        "configs": {k: dict(stop_loss=a, take_profit=b, trailing_stop=c) for k, (a, b, c) in CONFIGS.items()},
        "scenarios": [],
    }
    for tag in FILES:
        df = load(tag)
        dates = [d.strftime("%Y-%m-%d") for d in df.index]
        for rule in RULES:
            ent, ex = signals(df, rule)
            for cname, cfg in CONFIGS.items():
                scen = f"{rule}_{tag}_{cname}"
                for run in runs:
                    if run == "vectorbt_close" and cfg[0] is not None and cfg[2] is not None:
                        continue
                    trades = (run_backtesting(df, ent, ex, cfg) if run.startswith("backtesting")
                              else run_vectorbt(df, ent, ex, cfg))
                    runs[run].append((scen, trades, dates))
                    reasons = {}
                    for t in trades:
                        reasons[t["reason"] or "open"] = reasons.get(t["reason"] or "open", 0) + 1
                    entry = dict(run=run, scenario=scen, data=tag, rule=rule, config=cname,
                                 trades=len(trades), reasons=reasons,
                                 tp_gap_with_stop_touch=[dates[i] for i in tp_gap_with_stop_touch(df, trades, cfg)])
                    if run == "vectorbt_close":
                        entry["entry_signal_on_stop_exit_bar"] = [dates[i] for i in stop_exit_bar_entries(trades, ent)]
                    manifest["scenarios"].append(entry)
                    print(f"{run:22s} {scen:28s} trades={len(trades):3d} {reasons}")
    header = "scenario,entry_date,exit_date,size,entry_price,exit_price,entry_fee,exit_fee,pnl,exit_reason"
    for run, rows in runs.items():
        lines = [header]
        for scen, trades, dates in rows:
            for t in trades:
                lines.append(",".join([
                    scen, dates[t["entry_idx"]],
                    "" if t["exit_idx"] is None else dates[t["exit_idx"]],
                    fmt(t["size"]), fmt(t["entry_price"]), fmt(t["exit_price"]),
                    fmt(t["entry_fee"]), fmt(t["exit_fee"]), fmt(t["pnl"]), t["reason"],
                ]))
        (OUT_DIR / f"{run}.trades.csv").write_text("\n".join(lines) + "\n")
    (OUT_DIR / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {sum(len(r) for r in runs.values())} scenario runs to {OUT_DIR.relative_to(REPO)}")
    return 0


def _versions():
    import backtesting
    import vectorbt

    return {"backtesting": backtesting.__version__, "vectorbt": vectorbt.__version__,
            "pandas": pd.__version__, "numpy": np.__version__}


if __name__ == "__main__":
    sys.exit(main())
