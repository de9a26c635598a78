//! Parsed market data kept between runs.
//!
//! Reading and checking a 10-year daily CSV costs a few milliseconds, more
//! than the backtest itself, and the web serves the same few files over and
//! over. The cache keys a file by its path and reloads it when its length or
//! modification time changes, so replacing a file in `DATA_DIR` takes effect
//! on the next request. It holds at most [`MAX_ENTRIES`] files.
//!
//! Each entry also holds the sha256 of the very bytes it parsed, the data
//! half of a run's fingerprint.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use backtest_adapter::data::{load_csv_bytes, DataError, LoadedData};

use crate::jobs::fingerprint::sha256_hex;

/// Most files kept.
pub const MAX_ENTRIES: usize = 64;

/// A market-data file as a run reads it.
#[derive(Debug)]
pub struct MarketFile {
    /// The parsed bars.
    pub data: LoadedData,
    /// Hex sha256 of the bytes `data` was parsed from.
    pub sha256: String,
}

#[derive(Debug)]
struct Entry {
    len: u64,
    modified: Option<SystemTime>,
    file: Arc<MarketFile>,
}

/// The cache (managed state of the web app; a worker makes its own).
#[derive(Debug, Default)]
pub struct DataCache {
    entries: Mutex<HashMap<PathBuf, Entry>>,
}

impl DataCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The file at `path`, from the cache when it is unchanged.
    ///
    /// # Errors
    /// The errors of [`backtest_adapter::data::load_csv`].
    pub fn load(&self, path: &Path) -> Result<Arc<MarketFile>, DataError> {
        let stamp = std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        if let Some((len, modified)) = stamp {
            if let Some(entry) = self.lock().get(path) {
                if entry.len == len && entry.modified == modified {
                    return Ok(Arc::clone(&entry.file));
                }
            }
        }
        let bytes = read(path)?;
        let file = Arc::new(MarketFile {
            sha256: sha256_hex(&bytes),
            data: load_csv_bytes(&bytes)?,
        });
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
                    file: Arc::clone(&file),
                },
            );
        }
        Ok(file)
    }
}

/// The bytes of `path`, with the errors `load_csv` gives.
fn read(path: &Path) -> Result<Vec<u8>, DataError> {
    std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            DataError::FileNotFound {
                path: path.to_path_buf(),
            }
        } else {
            DataError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })
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
        assert_eq!(first.data.series.len(), 5);
        // `sha256sum` of the same five-row file.
        assert_eq!(
            first.sha256,
            "98f075218797cdadfe6ef38914aecc35f8b90ae5eaab5aa6304eb98f2cab1906"
        );
        assert!(
            Arc::ptr_eq(&first, &cache.load(&path)?),
            "served from the cache"
        );
        std::fs::write(&path, csv(7))?;
        assert_eq!(
            cache.load(&path)?.data.series.len(),
            7,
            "a changed file is reloaded"
        );
        std::fs::remove_file(&path)?;
        assert!(cache.load(&path).is_err(), "a removed file is an error");
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
