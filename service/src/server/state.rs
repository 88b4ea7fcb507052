//! What the handlers share: the database, the tokens, the parsed instances, the booking
//! book of each instance's current publication, and the running solve jobs.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use houniao::booking::BookingBook;
use houniao::{Instance, Roster};

use super::auth::Tokens;
use super::config::Config;
use super::error::ApiError;
use super::metrics::Metrics;
use super::store::{LedgerWriter, Store};

/// The current publication of an instance, with its booking book.
pub struct Published {
    /// Its version.
    pub version: i64,
    /// The roster published.
    pub roster_id: String,
    /// The roster and its ledger.
    pub book: BookingBook,
    /// Set when a ledger write failed: the book may hold what the database does not,
    /// so it takes no more changes until the service restarts (fail closed).
    pub failed: std::sync::atomic::AtomicBool,
}

/// A solve job in this process.
pub struct Job {
    /// Set to stop the solve.
    pub cancel: AtomicBool,
    /// The latest progress of the MILP.
    pub progress: Mutex<Option<houniao::solve::Progress>>,
    /// When it was started.
    pub started: Instant,
}

/// Shared state.
pub struct AppState {
    /// The database.
    pub store: Arc<Store>,
    /// Known tokens.
    pub tokens: Tokens,
    /// The configuration.
    pub config: Config,
    /// Metrics.
    pub metrics: Metrics,
    /// Parsed instances by id.
    pub instances: Mutex<BTreeMap<String, Arc<Instance>>>,
    /// Current publications by instance id.
    pub published: RwLock<BTreeMap<String, Arc<RwLock<Published>>>>,
    /// Solve jobs of this process by id.
    pub jobs: Mutex<BTreeMap<String, Arc<Job>>>,
    /// Solve slots (`solver.max_concurrent`).
    pub solve_slots: Arc<tokio::sync::Semaphore>,
    /// The group-committing writer of ledger changes.
    pub ledger_writer: LedgerWriter,
}

impl AppState {
    /// The parsed instance with this id (parsed once, then cached).
    pub fn instance(&self, id: &str) -> Result<Arc<Instance>, ApiError> {
        if let Some(instance) = lock(&self.instances).get(id) {
            return Ok(instance.clone());
        }
        let (row, source) = self
            .store
            .instance(id)?
            .ok_or_else(|| ApiError::not_found("instance", id))?;
        let format = if row.format == "json" {
            houniao::instance::SourceFormat::Json
        } else {
            houniao::instance::SourceFormat::Toml
        };
        let instance = Arc::new(
            Instance::from_str_as(&source, format)
                .map_err(|e| ApiError::internal(format!("stored instance {id}: {e}")))?,
        );
        lock(&self.instances).insert(id.to_string(), instance.clone());
        Ok(instance)
    }

    /// The current publication of an instance.
    pub fn published(&self, instance_id: &str) -> Result<Arc<RwLock<Published>>, ApiError> {
        self.published
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(instance_id)
            .cloned()
            .ok_or_else(|| {
                ApiError::conflict(
                    "not_published",
                    format!("instance \"{instance_id}\" has no published roster yet"),
                )
            })
    }

    /// Opens the booking book of a roster with the instance's ledger from the database.
    pub fn open_book(&self, instance_id: &str, roster: &Roster) -> Result<BookingBook, ApiError> {
        let instance = self.instance(instance_id)?;
        let ledger = self.store.ledger(instance_id, &instance.name)?;
        Ok(BookingBook::open(instance, roster, ledger)?)
    }
}

/// Locks a mutex, recovering from a panic in another holder (the data stays usable:
/// every change is written to the database before it is acknowledged).
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
