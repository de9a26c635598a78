//! `backtest indicators`: every indicator as CSV.

use std::io::{BufWriter, Write};

use backtest_core::indicators::{adx, atr, bollinger, ema, macd, obv, rsi, sma, stochastic, vwap};
use backtest_core::Timeframe;
use chrono::DateTime;

use super::load;
use crate::cli::DataArgs;

const HEADER: &str = "date,sma_20,ema_20,rsi_14,macd,macd_signal,macd_hist,bb_upper,bb_middle,bb_lower,atr_14,stoch_k,stoch_d,adx_14,obv,vwap";

pub fn run(args: &DataArgs) -> anyhow::Result<()> {
    let data = load(&args.data)?;
    let s = &data.series;
    let (high, low, close, volume) = (s.high(), s.low(), s.close(), s.volume());
    let m = macd(close, 12, 26, 9);
    let bb = bollinger(close, 20, 2.0);
    let st = stochastic(high, low, close, 14, 3, 3);
    let columns = [
        sma(close, 20),
        ema(close, 20),
        rsi(close, 14),
        m.macd,
        m.signal,
        m.hist,
        bb.upper,
        bb.middle,
        bb.lower,
        atr(high, low, close, 14),
        st.k,
        st.d,
        adx(high, low, close, 14),
        obv(close, volume),
        vwap(high, low, close, volume),
    ];
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(out, "{HEADER}")?;
    for (i, &ts) in s.timestamps().iter().enumerate() {
        write!(out, "{}", format_timestamp(ts, data.timeframe))?;
        for column in &columns {
            match column.get(i) {
                Some(v) if v.is_finite() => write!(out, ",{v}")?,
                _ => write!(out, ",")?,
            }
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

/// `YYYY-MM-DD` for daily bars, ISO 8601 UTC for intraday bars.
fn format_timestamp(ts: i64, timeframe: Timeframe) -> String {
    match DateTime::from_timestamp(ts, 0) {
        Some(t) if timeframe.is_intraday() => t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
        Some(t) => t.format("%Y-%m-%d").to_string(),
        None => ts.to_string(),
    }
}
