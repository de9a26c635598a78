//! Ticker validation and the data directory.
//!
//! A ticker becomes a file name only after [`validate_ticker`]; the directory
//! itself comes from configuration ([`DataDir::new`]), never from user input.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use backtest_core::Timeframe;

use super::{load_csv, DataError, LoadedData};

/// Longest accepted ticker, not counting a leading `^`.
pub const MAX_TICKER_LEN: usize = 15;

/// Upper-cases `ticker` and checks it against `^[A-Z0-9][A-Z0-9.\-^=]{0,14}$`,
/// after an optional leading `^` (Yahoo's prefix for indices, as in `^GSPC`):
/// in full, `^\^?[A-Z0-9][A-Z0-9.\-^=]{0,14}$`.
///
/// Accepts `AAPL`, `brk-b` (as `BRK-B`), `BRK.B`, `^GSPC`, `EURUSD=X`; rejects
/// anything with a path separator, whitespace or a non-ASCII character, the
/// empty string and more than 15 characters (16 with a leading `^`).
///
/// ```
/// use backtest_adapter::data::validate_ticker;
/// assert_eq!(validate_ticker("brk-b").unwrap(), "BRK-B");
/// assert!(validate_ticker("../etc/passwd").is_err());
/// ```
///
/// # Errors
/// [`DataError::InvalidTicker`] saying what is wrong.
pub fn validate_ticker(ticker: &str) -> Result<String, DataError> {
    let invalid = |reason| DataError::InvalidTicker {
        ticker: ticker.chars().take(32).collect(),
        reason,
    };
    // Checked before upper-casing: Unicode upper-casing turns some
    // non-ASCII letters into ASCII ones (`ß` into `SS`, `ſ` into `S`).
    if !ticker.is_ascii() {
        return Err(invalid(
            "only ASCII letters, digits and . - ^ = are allowed",
        ));
    }
    let upper = ticker.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let bytes = bytes.strip_prefix(b"^").unwrap_or(bytes);
    let Some(&first) = bytes.first() else {
        return Err(invalid("it is empty"));
    };
    if bytes.len() > MAX_TICKER_LEN {
        return Err(invalid("it is longer than 15 characters"));
    }
    if !(first.is_ascii_uppercase() || first.is_ascii_digit()) {
        return Err(invalid(
            "it must start with a letter or a digit (after an optional ^)",
        ));
    }
    let allowed = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit() || b".-^=".contains(c);
    if !bytes.iter().all(allowed) {
        return Err(invalid("only letters, digits and . - ^ = are allowed"));
    }
    Ok(upper)
}

/// File name of a ticker's data: `<TICKER>.csv` (1d), `<TICKER>_1h.csv`,
/// `<TICKER>_5m.csv`.
fn file_name(ticker: &str, timeframe: Timeframe) -> String {
    match timeframe {
        Timeframe::Day1 => format!("{ticker}.csv"),
        other => format!("{ticker}_{other}.csv"),
    }
}

/// The directory holding one CSV per ticker and timeframe (SPEC §3b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// A data directory at `path` (from configuration, e.g. `DATA_DIR`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { root: path.into() }
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Path of the existing file for `ticker` at `timeframe`.
    ///
    /// # Errors
    /// [`DataError::InvalidTicker`] or [`DataError::UnknownTicker`] (which
    /// names only the ticker and timeframe, not the directory).
    pub fn resolve(&self, ticker: &str, timeframe: Timeframe) -> Result<PathBuf, DataError> {
        let ticker = validate_ticker(ticker)?;
        let path = self.root.join(file_name(&ticker, timeframe));
        if path.is_file() {
            Ok(path)
        } else {
            Err(DataError::UnknownTicker { ticker, timeframe })
        }
    }

    /// Resolves and loads `ticker` at `timeframe`.
    ///
    /// # Errors
    /// The errors of [`DataDir::resolve`] and [`load_csv`].
    pub fn load(&self, ticker: &str, timeframe: Timeframe) -> Result<LoadedData, DataError> {
        load_csv(self.resolve(ticker, timeframe)?)
    }

    /// Tickers with a file in the directory at any timeframe, sorted.
    ///
    /// Files whose name is not `<TICKER>.csv`, `<TICKER>_1h.csv` or
    /// `<TICKER>_5m.csv` with a valid upper-case ticker are ignored.
    ///
    /// # Errors
    /// [`DataError::Io`] when the directory cannot be read.
    pub fn tickers(&self) -> Result<Vec<String>, DataError> {
        Ok(self
            .entries()?
            .into_iter()
            .map(|(ticker, _)| ticker)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    }

    /// Timeframes available for `ticker`, in `1d`, `1h`, `5m` order.
    ///
    /// # Errors
    /// [`DataError::InvalidTicker`], or [`DataError::Io`] when the directory
    /// cannot be read.
    pub fn timeframes(&self, ticker: &str) -> Result<Vec<Timeframe>, DataError> {
        let ticker = validate_ticker(ticker)?;
        Ok([Timeframe::Day1, Timeframe::Hour1, Timeframe::Minute5]
            .into_iter()
            .filter(|&tf| self.root.join(file_name(&ticker, tf)).is_file())
            .collect())
    }

    fn entries(&self) -> Result<Vec<(String, Timeframe)>, DataError> {
        let io = |source| DataError::Io {
            path: self.root.clone(),
            source,
        };
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.root).map_err(io)? {
            let entry = entry.map_err(io)?;
            if !entry.path().is_file() {
                continue;
            }
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".csv")) else {
                continue;
            };
            let (ticker, timeframe) = if let Some(t) = stem.strip_suffix("_1h") {
                (t, Timeframe::Hour1)
            } else if let Some(t) = stem.strip_suffix("_5m") {
                (t, Timeframe::Minute5)
            } else {
                (stem, Timeframe::Day1)
            };
            if validate_ticker(ticker).is_ok_and(|v| v == ticker) {
                out.push((ticker.to_owned(), timeframe));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(file_name("AAPL", Timeframe::Day1), "AAPL.csv");
        assert_eq!(file_name("AAPL", Timeframe::Hour1), "AAPL_1h.csv");
        assert_eq!(file_name("AAPL", Timeframe::Minute5), "AAPL_5m.csv");
    }

    #[test]
    fn long_input_is_shortened_in_the_error() {
        let long = "A/".repeat(100);
        match validate_ticker(&long) {
            Err(DataError::InvalidTicker { ticker, .. }) => assert_eq!(ticker.len(), 32),
            other => panic!("expected InvalidTicker, got {other:?}"),
        }
    }
}
