//! Yahoo Finance's public chart API: the request URL and the response parser.
//!
//! The HTTP request itself lives in the application; this module stays pure
//! so it can be tested against recorded responses.

use backtest_core::OhlcvSeries;
use chrono::NaiveDate;
use serde::Deserialize;

use super::quality::{analyse, check_bar, check_order};
use super::timestamp::{date_to_unix, format_auto, unix_to_date, DAY};
use super::{DataError, DataWarning, LoadedData};

/// Base of the chart API.
pub const CHART_API: &str = "https://query1.finance.yahoo.com/v8/finance/chart/";

/// URL of the daily bars of `ticker` from `start` through `end` (inclusive),
/// dividends and splits included as events.
///
/// `ticker` should come from [`super::validate_ticker`]; any character other
/// than a letter, digit, `-`, `.`, `_` or `~` is percent-encoded (`^GSPC`
/// becomes `%5EGSPC`).
///
/// ```
/// use backtest_adapter::data::{parse_date, yahoo};
/// let url = yahoo::chart_url(
///     "AAPL",
///     parse_date("start", "2024-01-02").unwrap(),
///     parse_date("end", "2024-01-05").unwrap(),
/// );
/// assert_eq!(
///     url,
///     "https://query1.finance.yahoo.com/v8/finance/chart/AAPL\
///      ?period1=1704153600&period2=1704499200&interval=1d&events=div,splits"
/// );
/// ```
#[must_use]
pub fn chart_url(ticker: &str, start: NaiveDate, end: NaiveDate) -> String {
    let mut encoded = String::with_capacity(ticker.len());
    for b in ticker.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!(
        "{CHART_API}{encoded}?period1={}&period2={}&interval=1d&events=div,splits",
        date_to_unix(start),
        date_to_unix(end) + DAY
    )
}

#[derive(Deserialize)]
struct Envelope {
    chart: Chart,
}

#[derive(Deserialize)]
struct Chart {
    #[serde(default)]
    result: Option<Vec<ChartResult>>,
    #[serde(default)]
    error: Option<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct ChartResult {
    #[serde(default)]
    meta: Meta,
    #[serde(default)]
    timestamp: Vec<i64>,
    #[serde(default)]
    indicators: Indicators,
}

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    gmtoffset: i64,
    #[serde(default, rename = "dataGranularity")]
    data_granularity: Option<String>,
}

#[derive(Deserialize, Default)]
struct Indicators {
    #[serde(default)]
    quote: Vec<Quote>,
}

#[derive(Deserialize, Default)]
struct Quote {
    #[serde(default)]
    open: Vec<Option<f64>>,
    #[serde(default)]
    high: Vec<Option<f64>>,
    #[serde(default)]
    low: Vec<Option<f64>>,
    #[serde(default)]
    close: Vec<Option<f64>>,
    #[serde(default)]
    volume: Vec<Option<f64>>,
}

fn malformed(reason: impl Into<String>) -> DataError {
    DataError::YahooResponse {
        reason: reason.into(),
    }
}

/// Parses a chart API response into bars.
///
/// Daily bars (granularity `1d`, `5d`, `1wk`, `1mo`, `3mo`) are stored at
/// 00:00 UTC of their exchange-local date (Yahoo stamps them at the session
/// open; `meta.gmtoffset` gives the local date), like daily CSV bars.
/// Intraday bars keep their instant. A bar with a null open, high, low,
/// close or volume is left out with a [`DataWarning::SkippedNullBar`]; the
/// other bars pass the same quality rules as CSV rows, `row` being the bar's
/// 1-based position in the response. `adjclose` is not used: the series
/// holds Yahoo's close, which is split-adjusted but not dividend-adjusted.
///
/// # Errors
/// [`DataError::YahooApi`] for the API's `chart.error` object,
/// [`DataError::YahooResponse`] for JSON of another shape, [`DataError::NoData`]
/// when no bar is left, and the quality errors of [`super::quality`].
pub fn parse_chart_response(json: &[u8]) -> Result<LoadedData, DataError> {
    let envelope: Envelope =
        serde_json::from_slice(json).map_err(|e| malformed(format!("not chart JSON: {e}")))?;
    if let Some(err) = envelope.chart.error {
        return Err(DataError::YahooApi {
            code: err.code,
            description: err.description,
        });
    }
    let result = envelope
        .chart
        .result
        .and_then(|r| r.into_iter().next())
        .ok_or_else(|| malformed("chart.result is empty"))?;
    let daily = result
        .meta
        .data_granularity
        .as_deref()
        .is_none_or(|g| g.ends_with('d') || g.ends_with("wk") || g.ends_with("mo"));
    let n = result.timestamp.len();
    if n == 0 {
        return Err(DataError::NoData);
    }
    let quote = result
        .indicators
        .quote
        .into_iter()
        .next()
        .ok_or_else(|| malformed("indicators.quote is empty"))?;
    let columns = [
        ("open", &quote.open),
        ("high", &quote.high),
        ("low", &quote.low),
        ("close", &quote.close),
        ("volume", &quote.volume),
    ];
    for (name, values) in columns {
        if values.len() != n {
            return Err(malformed(format!(
                "{name} has {} values for {n} timestamps",
                values.len()
            )));
        }
    }
    let offset = result.meta.gmtoffset;
    let stamp = |ts: i64| -> Result<i64, DataError> {
        if daily {
            unix_to_date(ts + offset)
                .map(date_to_unix)
                .ok_or_else(|| malformed(format!("timestamp {ts} is out of range")))
        } else {
            Ok(ts)
        }
    };

    let mut warnings = Vec::new();
    let mut rows = Vec::with_capacity(n);
    let mut timestamps = Vec::with_capacity(n);
    let mut bars: [Vec<f64>; 5] = std::array::from_fn(|_| Vec::with_capacity(n));
    for (i, &raw_ts) in result.timestamp.iter().enumerate() {
        let ts = stamp(raw_ts)?;
        let row = i + 1;
        let values = columns.map(|(_, v)| v[i]);
        let [Some(o), Some(h), Some(l), Some(c), Some(v)] = values else {
            warnings.push(DataWarning::SkippedNullBar {
                row,
                date: format_auto(ts),
            });
            continue;
        };
        let bar = [o, h, l, c, v];
        check_bar(row, || format_auto(ts), bar)?;
        rows.push(row);
        timestamps.push(ts);
        for (column, value) in bars.iter_mut().zip(bar) {
            column.push(value);
        }
    }
    if timestamps.is_empty() {
        return Err(DataError::NoData);
    }
    check_order(&timestamps, |i| rows[i], |i| format_auto(timestamps[i]))?;
    let (timeframe, spacing) = analyse(&timestamps, daily, |i| rows[i]);
    warnings.extend(spacing);
    let [open, high, low, close, volume] = bars;
    let series = OhlcvSeries::new(timestamps, open, high, low, close, volume)?;
    Ok(LoadedData {
        series,
        timeframe,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_index_and_fx_tickers() -> Result<(), DataError> {
        let d = super::super::parse_date("d", "2024-01-02")?;
        assert!(chart_url("^GSPC", d, d).contains("/chart/%5EGSPC?"));
        assert!(chart_url("EURUSD=X", d, d).contains("/chart/EURUSD%3DX?"));
        assert!(chart_url("BRK-B", d, d).contains("/chart/BRK-B?"));
        Ok(())
    }

    #[test]
    fn shape_errors() {
        assert!(matches!(
            parse_chart_response(b"<html>"),
            Err(DataError::YahooResponse { .. })
        ));
        assert!(matches!(
            parse_chart_response(br#"{"chart":{"result":null,"error":null}}"#),
            Err(DataError::YahooResponse { .. })
        ));
        let uneven = br#"{"chart":{"result":[{"meta":{},"timestamp":[1,2],
            "indicators":{"quote":[{"open":[1],"high":[1,1],"low":[1,1],"close":[1,1],"volume":[1,1]}]}}],"error":null}}"#;
        assert!(matches!(
            parse_chart_response(uneven),
            Err(DataError::YahooResponse { .. })
        ));
        let empty = br#"{"chart":{"result":[{"meta":{"dataGranularity":"1d"},"indicators":{"quote":[{}]}}],"error":null}}"#;
        assert!(matches!(
            parse_chart_response(empty),
            Err(DataError::NoData)
        ));
    }
}
