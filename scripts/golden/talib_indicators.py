#!/usr/bin/env python3
"""Golden indicator columns from TA-Lib, for backtest-core/tests/talib.rs.

Reads real daily bars from ../shared/data (beside the repository) and writes
one CSV per source file to backtest-core/tests/data/talib/, plus a README.md
recording the sources (with sha256) and the library versions used.

Requirements (not installed by this script):

    python3 -m venv .venv
    .venv/bin/pip install TA-Lib pandas      # PyPI `TA-Lib` ships wheels with the C library
    .venv/bin/python scripts/golden/talib_indicators.py

Columns (the first 16 are those of `backtest indicators`):

    date, sma_20, ema_20, rsi_14, macd, macd_signal, macd_hist (12, 26, 9),
    bb_upper, bb_middle, bb_lower (20, 2, SMA), atr_14,
    stoch_k, stoch_d (14, 3 SMA, 3 SMA), adx_14, obv, vwap,
    stddev_20 (STDDEV of close, nbdev 1), max_high_20 (MAX of high),
    min_low_20 (MIN of low)

Every column is TA-Lib's output except `vwap`: TA-Lib has no VWAP, so it is
computed independently here with pandas as the cumulative typical-price
VWAP from the first bar, sum((H+L+C)/3 * V) / sum(V).

Floats are written with repr() (shortest string that round-trips the
double exactly); an undefined value (NaN) is an empty cell.
"""

from __future__ import annotations

import argparse
import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import talib

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data"
OUT_DIR = REPO / "backtest-core" / "tests" / "data" / "talib"

# (source file relative to ../shared/data, golden file name)
SOURCES = [
    ("yf_autoadj_2005_2025/AAPL.csv", "yf_autoadj_2005_2025_AAPL.csv"),
    ("yahoo_2015_2019/SPY.csv", "yahoo_2015_2019_SPY.csv"),
    ("backtesting-0.6.6/GOOG.csv", "backtesting-0.6.6_GOOG.csv"),
]

COLUMNS = [
    "sma_20", "ema_20", "rsi_14", "macd", "macd_signal", "macd_hist",
    "bb_upper", "bb_middle", "bb_lower", "atr_14", "stoch_k", "stoch_d",
    "adx_14", "obv", "vwap", "stddev_20", "max_high_20", "min_low_20",
]


def load(path: Path) -> pd.DataFrame:
    # The first column is the date, named `Date` or unnamed (backtesting.py files).
    frame = pd.read_csv(path, index_col=0, dtype=str)
    frame.index.name = "date"
    out = pd.DataFrame(index=frame.index)
    for column in ["Open", "High", "Low", "Close", "Volume"]:
        out[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    return out


def indicators(bars: pd.DataFrame) -> dict[str, np.ndarray]:
    high = bars["High"].to_numpy(np.float64)
    low = bars["Low"].to_numpy(np.float64)
    close = bars["Close"].to_numpy(np.float64)
    volume = bars["Volume"].to_numpy(np.float64)

    cols: dict[str, np.ndarray] = {}
    cols["sma_20"] = talib.SMA(close, timeperiod=20)
    cols["ema_20"] = talib.EMA(close, timeperiod=20)
    cols["rsi_14"] = talib.RSI(close, timeperiod=14)
    cols["macd"], cols["macd_signal"], cols["macd_hist"] = talib.MACD(
        close, fastperiod=12, slowperiod=26, signalperiod=9
    )
    cols["bb_upper"], cols["bb_middle"], cols["bb_lower"] = talib.BBANDS(
        close, timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=talib.MA_Type.SMA
    )
    cols["atr_14"] = talib.ATR(high, low, close, timeperiod=14)
    cols["stoch_k"], cols["stoch_d"] = talib.STOCH(
        high, low, close,
        fastk_period=14,
        slowk_period=3, slowk_matype=talib.MA_Type.SMA,
        slowd_period=3, slowd_matype=talib.MA_Type.SMA,
    )
    cols["adx_14"] = talib.ADX(high, low, close, timeperiod=14)
    cols["obv"] = talib.OBV(close, volume)

    # Independent VWAP (no TA-Lib function exists).
    typical = (bars["High"] + bars["Low"] + bars["Close"]) / 3.0
    vwap = (typical * bars["Volume"]).cumsum() / bars["Volume"].cumsum()
    cols["vwap"] = vwap.replace([np.inf, -np.inf], np.nan).to_numpy(np.float64)

    cols["stddev_20"] = talib.STDDEV(close, timeperiod=20, nbdev=1.0)
    cols["max_high_20"] = talib.MAX(high, timeperiod=20)
    cols["min_low_20"] = talib.MIN(low, timeperiod=20)
    return cols


def cell(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


def write(dates: pd.Index, cols: dict[str, np.ndarray], path: Path) -> None:
    with path.open("w", newline="\n") as out:
        out.write(",".join(["date", *COLUMNS]) + "\n")
        for i, date in enumerate(dates):
            out.write(",".join([str(date), *(cell(cols[c][i]) for c in COLUMNS)]) + "\n")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                        help="the shared market-data folder (default: ../shared/data)")
    args = parser.parse_args()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    rows = []
    for source, golden in SOURCES:
        path = args.data_dir / source
        if not path.is_file():
            raise SystemExit(f"missing source data file: {path}")
        bars = load(path)
        write(bars.index, indicators(bars), OUT_DIR / golden)
        rows.append(f"| `{golden}` | `../shared/data/{source}` | {len(bars)} | `{sha256(path)[:16]}` |")
        print(f"wrote {golden} ({len(bars)} bars)")

    readme = OUT_DIR / "README.md"
    readme.write_text(
        "# TA-Lib golden indicator columns\n\n"
        "Generated by `scripts/golden/talib_indicators.py` (do not edit by hand) with\n"
        f"TA-Lib Python {talib.__version__} (C library {talib.__ta_version__.decode().split(' (')[0]}), "
        f"pandas {pd.__version__}, numpy {np.__version__}.\n"
        "Checked by `backtest-core/tests/talib.rs`. Every column is TA-Lib's output except\n"
        "`vwap` (TA-Lib has none), which the script computes independently with pandas.\n"
        "Floats are written with Python `repr` (exact round-trip); an empty cell is undefined.\n\n"
        "| golden file | source bars (read in place, never copied) | bars | source sha256 (first 16) |\n"
        "| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"
    )


if __name__ == "__main__":
    main()
