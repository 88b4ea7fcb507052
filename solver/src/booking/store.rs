//! The ledger on disk: one JSON file the user names, read and written under a lock so
//! that two agents booking at once never lose each other's booking, and replaced
//! atomically so that a crash never corrupts it.
//!
//! The lock is taken on a companion file `LEDGER.lock`, not on the ledger itself,
//! because every save replaces the ledger's inode.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::{BookingError, Ledger};
use crate::files::write_atomically;

/// An open ledger file, locked until dropped.
#[derive(Debug)]
pub struct LedgerFile {
    path: PathBuf,
    _lock: File,
}

impl LedgerFile {
    /// Opens the ledger at `path` for a change: waits for an exclusive lock, so that a
    /// load–change–save cycle never interleaves with another one.
    pub fn lock_exclusive(path: &Path) -> Result<LedgerFile, BookingError> {
        let lock = Self::lock_file(path)?;
        lock.lock().map_err(|source| Self::io(path, source))?;
        Ok(LedgerFile {
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    /// Opens the ledger at `path` for reading: waits while someone is changing it.
    pub fn lock_shared(path: &Path) -> Result<LedgerFile, BookingError> {
        let lock = Self::lock_file(path)?;
        lock.lock_shared()
            .map_err(|source| Self::io(path, source))?;
        Ok(LedgerFile {
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    fn lock_file(path: &Path) -> Result<File, BookingError> {
        let mut name = path.as_os_str().to_owned();
        name.push(".lock");
        let lock_path = PathBuf::from(name);
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| Self::io(&lock_path, source))
    }

    fn io(path: &Path, source: std::io::Error) -> BookingError {
        BookingError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The ledger's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the ledger; a file that does not exist yet is an empty ledger for `instance`.
    pub fn load(&self, instance: &str) -> Result<Ledger, BookingError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Ledger::new(instance));
            }
            Err(source) => return Err(Self::io(&self.path, source)),
        };
        serde_json::from_str(&text).map_err(|error| BookingError::CorruptLedger {
            path: self.path.clone(),
            message: error.to_string(),
        })
    }

    /// Writes the ledger atomically (temporary file, fsync, rename, fsync of the directory).
    pub fn save(&self, ledger: &Ledger) -> Result<(), BookingError> {
        let mut text = serde_json::to_string_pretty(ledger)
            .map_err(|error| Self::io(&self.path, std::io::Error::other(error)))?;
        text.push('\n');
        write_atomically(&self.path, text.as_bytes()).map_err(|source| Self::io(&self.path, source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_an_empty_ledger_and_a_saved_one_reads_back() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("book.json");
        let file = LedgerFile::lock_exclusive(&path).unwrap();
        let mut ledger = file.load("example-week").unwrap();
        assert_eq!(ledger, Ledger::new("example-week"));
        ledger.instance = "other".into();
        file.save(&ledger).unwrap();
        assert_eq!(file.load("ignored").unwrap(), ledger);
    }

    #[test]
    fn a_corrupt_file_is_reported_with_its_path() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("book.json");
        std::fs::write(&path, "{\"format\": 1, \"instance\": ").unwrap();
        let error = LedgerFile::lock_shared(&path)
            .unwrap()
            .load("x")
            .unwrap_err();
        assert!(
            matches!(error, BookingError::CorruptLedger { .. }),
            "{error}"
        );
        assert!(error.to_string().contains("book.json"), "{error}");
    }
}
