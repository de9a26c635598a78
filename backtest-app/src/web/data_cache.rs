//! Parsed market data kept between requests.
//!
//! Reading and checking a 10-year daily CSV costs a few milliseconds, more
//! than the backtest itself, and the web serves the same few files over and
//! over. The cache keys a file by its path and reloads it when its length or
//! modification time changes, so replacing a file in `DATA_DIR` takes effect
//! on the next request. It holds at most [`MAX_ENTRIES`] files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use backtest_adapter::contract::{BacktestRequest, BacktestResult};
use backtest_adapter::data::{load_csv, DataDir, DataError, LoadedData};
use backtest_adapter::pipeline::{run_backtest, select_bars, RunError};

/// Most files kept.
pub const MAX_ENTRIES: usize = 64;

#[derive(Debug)]
struct Entry {
    len: u64,
    modified: Option<SystemTime>,
    data: Arc<LoadedData>,
}

/// The cache (managed state of the web app).
#[derive(Debug, Default)]
pub struct DataCache {
    entries: Mutex<HashMap<PathBuf, Entry>>,
}

impl DataCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The data of `path`, from the cache when the file is unchanged.
    ///
    /// # Errors
    /// The errors of [`load_csv`].
    pub fn load(&self, path: &Path) -> Result<Arc<LoadedData>, DataError> {
        let stamp = std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        if let Some((len, modified)) = stamp {
            if let Some(entry) = self.lock().get(path) {
                if entry.len == len && entry.modified == modified {
                    return Ok(Arc::clone(&entry.data));
                }
            }
        }
        let data = Arc::new(load_csv(path)?);
        if let Some((len, modified)) = stamp {
            let mut entries = self.lock();
            if entries.len() >= MAX_ENTRIES && !entries.contains_key(path) {
                entries.clear();
            }
            entries.insert(
                path.to_path_buf(),
                Entry {
                    len,
                    modified,
                    data: Arc::clone(&data),
                },
            );
        }
        Ok(data)
    }

    /// [`backtest_adapter::pipeline::run_backtest_in`] with the data from
    /// this cache: validate, resolve the ticker's file, load it, run.
    ///
    /// # Errors
    /// As `run_backtest_in`.
    pub fn run_backtest(
        &self,
        request: &BacktestRequest,
        data_dir: &DataDir,
    ) -> Result<BacktestResult, RunError> {
        let data = self.load_for(request, data_dir)?;
        run_backtest(request, &data)
    }

    /// Checks that `request` can run on its data — valid fields, a known
    /// ticker with data of its timeframe, and bars in its date range — so an
    /// asynchronous submit answers 400 instead of queueing a doomed run.
    ///
    /// # Errors
    /// As `run_backtest_in`, for everything decided before the engine runs.
    pub fn check(&self, request: &BacktestRequest, data_dir: &DataDir) -> Result<(), RunError> {
        let valid = request.validate()?;
        let data = self.load_for(request, data_dir)?;
        select_bars(request, valid.settings.timeframe, &data).map(drop)
    }

    /// Validates `request` and loads its ticker's data.
    fn load_for(
        &self,
        request: &BacktestRequest,
        data_dir: &DataDir,
    ) -> Result<Arc<LoadedData>, RunError> {
        let valid = request.validate()?;
        let path = data_dir
            .resolve(&valid.ticker, valid.settings.timeframe)
            .map_err(|e| RunError::from_data(e, request))?;
        self.load(&path)
            .map_err(|e| RunError::from_data(e, request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reloads_a_changed_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("data-cache-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("DEMO.csv");
        let csv = |days: u32| {
            let mut text = String::from("Date,Open,High,Low,Close,Volume\n");
            for d in 1..=days {
                text += &format!("2020-01-{d:02},10,11,9,10,100\n");
            }
            text
        };
        std::fs::write(&path, csv(5))?;
        let cache = DataCache::default();
        let first = cache.load(&path)?;
        assert_eq!(first.series.len(), 5);
        assert!(
            Arc::ptr_eq(&first, &cache.load(&path)?),
            "served from the cache"
        );
        std::fs::write(&path, csv(7))?;
        assert_eq!(
            cache.load(&path)?.series.len(),
            7,
            "a changed file is reloaded"
        );
        std::fs::remove_file(&path)?;
        assert!(cache.load(&path).is_err(), "a removed file is an error");
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
