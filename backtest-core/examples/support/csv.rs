//! Minimal OHLCV CSV reader for examples and benches (the core has no CSV
//! dependency; applications use `backtest-adapter`'s validated loader).

use backtest_core::OhlcvSeries;

/// Reads a CSV with a header naming Open, High, Low, Close and Volume (any
/// order, any case); the first column is the date. Rows that do not parse
/// are skipped, and dates are replaced by their row number in days.
pub fn read_ohlcv(path: &str) -> Result<OhlcvSeries, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .ok_or("empty file")?
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no {name} column"))
    };
    let idx = [
        col("open")?,
        col("high")?,
        col("low")?,
        col("close")?,
        col("volume")?,
    ];
    let mut cols: [Vec<f64>; 5] = Default::default();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let parsed: Option<Vec<f64>> = idx
            .iter()
            .map(|&i| fields.get(i).and_then(|f| f.parse().ok()))
            .collect();
        if let Some(values) = parsed {
            for (c, v) in cols.iter_mut().zip(values) {
                c.push(v);
            }
        }
    }
    let n = cols[0].len() as i64;
    let [open, high, low, close, volume] = cols;
    OhlcvSeries::new(
        (0..n).map(|d| d * 86_400).collect(),
        open,
        high,
        low,
        close,
        volume,
    )
    .map_err(|e| e.to_string())
}
