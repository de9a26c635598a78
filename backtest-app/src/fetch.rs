//! `backtest data fetch`: download daily bars from Yahoo Finance's public
//! chart API into the data directory.
//!
//! The URL and the response parsing live in `backtest_adapter::data::yahoo`
//! (tested against recorded responses); this module only does the HTTP
//! request and the atomic file write.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use backtest_adapter::data::{parse_date, validate_ticker, write_csv, yahoo, DataError};

/// Largest response accepted (a century of daily bars is about 2 MB).
const MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// Downloads the daily bars of `ticker` from `start` through `end`
/// (`YYYY-MM-DD`, inclusive) and writes them to `<data_dir>/<TICKER>.csv`,
/// replacing any previous file atomically (temporary file + rename).
/// Returns the path written. Warnings (skipped null bars, gaps) are printed
/// on stderr.
///
/// # Errors
/// An invalid ticker or date, `start` after `end`, a network failure, an
/// error answered by Yahoo (e.g. an unknown symbol), a response without bars
/// or with bars that fail the quality rules, or a failed write.
pub fn fetch(ticker: &str, start: &str, end: &str, data_dir: &Path) -> anyhow::Result<PathBuf> {
    fetch_with(ticker, start, end, data_dir, http_get)
}

/// [`fetch`] with the HTTP GET supplied by the caller (tests use a recorded
/// response).
fn fetch_with(
    ticker: &str,
    start: &str,
    end: &str,
    data_dir: &Path,
    get: impl FnOnce(&str) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<PathBuf> {
    let ticker = validate_ticker(ticker)?;
    let start_date = parse_date("start", start)?;
    let end_date = parse_date("end", end)?;
    if start_date > end_date {
        return Err(DataError::StartAfterEnd {
            start: start_date.to_string(),
            end: end_date.to_string(),
        }
        .into());
    }
    let url = yahoo::chart_url(&ticker, start_date, end_date);
    let body = get(&url).with_context(|| format!("downloading {ticker} from Yahoo Finance"))?;
    let data = match yahoo::parse_chart_response(&body) {
        Err(DataError::NoData) => {
            bail!("Yahoo Finance returned no bars for {ticker} between {start_date} and {end_date}")
        }
        other => other.with_context(|| format!("reading the Yahoo Finance answer for {ticker}"))?,
    };
    for warning in &data.warnings {
        eprintln!("warning: {ticker}: {warning}");
    }
    let path = data_dir.join(format!("{ticker}.csv"));
    write_atomically(&path, |file| Ok(write_csv(&data.series, file)?))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// GET `url`; the body of a 2xx answer, else an error (with Yahoo's own
/// message when the body carries one).
fn http_get(url: &str) -> anyhow::Result<Vec<u8>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .user_agent("Mozilla/5.0 (compatible; stock-backtest)")
        .build()
        .into();
    let mut response = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .context("request failed")?;
    let status = response.status();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_vec()
        .context("reading the response failed")?;
    if !status.is_success() {
        if let Err(api @ DataError::YahooApi { .. }) = yahoo::parse_chart_response(&body) {
            return Err(anyhow::Error::new(api).context(format!("HTTP {status}")));
        }
        bail!("Yahoo Finance answered HTTP {status}");
    }
    Ok(body)
}

/// Writes `path` through a temporary file in the same directory, renamed
/// over `path` once complete, so readers never see a partial file.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating data directory {}", dir.display()))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .context("the target has no file name")?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        write(&mut file)?;
        file.flush()?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use backtest_adapter::data::load_csv;

    const AAPL: &[u8] = include_bytes!(
        "../../backtest-adapter/tests/fixtures/market/yahoo_chart_aapl_2024-01.json"
    );
    const NOT_FOUND: &[u8] =
        include_bytes!("../../backtest-adapter/tests/fixtures/market/yahoo_chart_not_found.json");

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> Self {
            let path =
                std::env::temp_dir().join(format!("backtest-fetch-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            Self(path)
        }

        fn files(&self) -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(&self.0)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn writes_a_loadable_csv_from_the_recorded_response() -> anyhow::Result<()> {
        let tmp = TempDir::new("ok");
        let mut requested = String::new();
        let path = fetch_with("aapl", "2024-01-02", "2024-01-08", &tmp.0, |url| {
            requested = url.to_owned();
            Ok(AAPL.to_vec())
        })?;
        assert_eq!(
            requested,
            "https://query1.finance.yahoo.com/v8/finance/chart/AAPL?period1=1704153600&period2=1704758400&interval=1d&events=div,splits"
        );
        assert_eq!(path, tmp.0.join("AAPL.csv"));
        assert_eq!(tmp.files(), ["AAPL.csv"]);
        let data = load_csv(&path)?;
        assert_eq!(data.series.len(), 4);
        assert_eq!(data.series.close()[0], 185.639_999_389_648_44);

        // A second fetch replaces the file.
        std::fs::write(&path, "old")?;
        fetch_with("AAPL", "2024-01-02", "2024-01-08", &tmp.0, |_| {
            Ok(AAPL.to_vec())
        })?;
        assert_eq!(load_csv(&path)?.series.len(), 4);
        assert_eq!(tmp.files(), ["AAPL.csv"]);
        Ok(())
    }

    #[test]
    fn api_errors_leave_no_file() {
        let tmp = TempDir::new("notfound");
        let err = fetch_with("NOPE", "2024-01-02", "2024-01-08", &tmp.0, |_| {
            Ok(NOT_FOUND.to_vec())
        })
        .map_err(|e| format!("{e:#}"));
        assert_eq!(
            err,
            Err(
                "reading the Yahoo Finance answer for NOPE: Yahoo Finance error Not Found: \
                 No data found, symbol may be delisted"
                    .to_owned()
            )
        );
        assert!(tmp.files().is_empty());
    }

    #[test]
    fn bad_input_is_rejected_before_any_request() {
        let tmp = TempDir::new("bad");
        for (ticker, start, end) in [
            ("../etc/passwd", "2024-01-02", "2024-01-08"),
            ("AAPL", "2024-13-01", "2024-01-08"),
            ("AAPL", "2024-01-08", "2024-01-02"),
        ] {
            let result = fetch_with(ticker, start, end, &tmp.0, |_| {
                panic!("no request may be made for {ticker} {start} {end}")
            });
            assert!(result.is_err(), "{ticker} {start} {end}");
        }
        assert!(!tmp.0.exists());
    }

    /// Serves one canned HTTP answer on a local port; returns the URL and
    /// the thread, which yields the request line it received.
    fn serve_once(
        status: &'static str,
        body: &'static [u8],
    ) -> anyhow::Result<(String, std::thread::JoinHandle<String>)> {
        use std::io::{BufRead, BufReader};
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let url = format!(
            "http://{}/v8/finance/chart/AAPL?x=1",
            listener.local_addr()?
        );
        let handle = std::thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else {
                return String::new();
            };
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut stream = reader.into_inner();
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
            request_line
        });
        Ok((url, handle))
    }

    #[test]
    fn http_client_returns_the_body() -> anyhow::Result<()> {
        let (url, server) = serve_once("200 OK", AAPL)?;
        let body = http_get(&url)?;
        assert_eq!(body, AAPL);
        let request = server.join().unwrap_or_default();
        assert!(
            request.starts_with("GET /v8/finance/chart/AAPL?x=1 "),
            "{request}"
        );
        Ok(())
    }

    #[test]
    fn http_errors_carry_yahoos_message() -> anyhow::Result<()> {
        let (url, server) = serve_once("404 Not Found", NOT_FOUND)?;
        let err = http_get(&url).map_err(|e| format!("{e:#}"));
        assert_eq!(
            err,
            Err("HTTP 404 Not Found: Yahoo Finance error Not Found: \
                 No data found, symbol may be delisted"
                .to_owned())
        );
        let _ = server.join();
        let (url, server) = serve_once("429 Too Many Requests", b"Too Many Requests")?;
        let err = http_get(&url).map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Yahoo Finance answered HTTP 429 Too Many Requests".to_owned())
        );
        let _ = server.join();
        Ok(())
    }

    #[test]
    fn empty_answers_are_clear() {
        let tmp = TempDir::new("empty");
        let empty = br#"{"chart":{"result":[{"meta":{"symbol":"AAPL","dataGranularity":"1d"},"indicators":{"quote":[{}]}}],"error":null}}"#;
        let err = fetch_with("AAPL", "2024-01-06", "2024-01-07", &tmp.0, |_| {
            Ok(empty.to_vec())
        })
        .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err(
                "Yahoo Finance returned no bars for AAPL between 2024-01-06 and 2024-01-07"
                    .to_owned()
            )
        );
    }
}
