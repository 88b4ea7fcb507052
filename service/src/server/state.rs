//! What the handlers share: the database, the tokens, the parsed instances (with their
//! current pins), the booking book of each instance's current publication, and the
//! running solve jobs.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use houniao::booking::BookingBook;
use houniao::instance::SourceFormat;
use houniao::instance::raw::{RawInstance, RawPin};
use houniao::{Instance, Roster};

use super::auth::Tokens;
use super::config::Config;
use super::error::ApiError;
use super::metrics::Metrics;
use super::store::{InstanceRow, LedgerWriter, PinsRow, Store};

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
    /// Parsed instances by id, with their current pins.
    pub instances: Mutex<BTreeMap<String, Arc<Instance>>>,
    /// Held while an instance's pins are replaced (validate, store, swap), so that the
    /// database and `instances` change together.
    pub pin_writes: Mutex<()>,
    /// Current publications by instance id.
    pub published: RwLock<BTreeMap<String, Arc<RwLock<Published>>>>,
    /// Solve jobs of this process by id.
    pub jobs: Mutex<BTreeMap<String, Arc<Job>>>,
    /// Solve slots (`solver.max_concurrent`).
    pub solve_slots: Arc<tokio::sync::Semaphore>,
    /// The group-committing writer of ledger changes.
    pub ledger_writer: LedgerWriter,
    /// What-if jobs of this process (in memory: a restart forgets them).
    pub whatif_jobs: super::api::whatif_jobs::WhatIfJobs,
    /// Signed-in browsers of the web app.
    pub sessions: crate::web::session::Sessions,
}

/// A stored instance as uploaded, and the pins set through the API since.
pub struct Source {
    /// Its record.
    pub row: InstanceRow,
    /// The text as uploaded.
    pub text: String,
    /// TOML or JSON, as uploaded.
    pub format: SourceFormat,
    /// The pins that replace the file's, once set through the API.
    pub pins: Option<PinsRow>,
}

impl Source {
    /// The file's raw form with the current pins (the API's, else the file's own).
    pub fn raw(&self) -> Result<RawInstance, ApiError> {
        let id = &self.row.id;
        let (mut raw, _) = houniao::instance::load::parse(&self.text, self.format)
            .map_err(|e| ApiError::internal(format!("stored instance {id}: {e}")))?;
        if let Some(pins) = &self.pins {
            raw.pins = serde_json::from_str::<Vec<RawPin>>(&pins.pins)
                .map_err(|e| ApiError::internal(format!("stored pins of {id}: {e}")))?;
        }
        Ok(raw)
    }

    /// The validated instance with the current pins.
    pub fn instance(&self) -> Result<Instance, ApiError> {
        let id = &self.row.id;
        let built = match &self.pins {
            // Parsing the text itself keeps the warnings about unknown fields.
            None => Instance::from_str_as(&self.text, self.format),
            Some(_) => Instance::from_raw(&self.raw()?),
        };
        built.map_err(|e| ApiError::internal(format!("stored instance {id}: {e}")))
    }
}

impl AppState {
    /// The stored instance with this id: its text and its pins.
    pub fn source(&self, id: &str) -> Result<Source, ApiError> {
        let (row, text) = self
            .store
            .instance(id)?
            .ok_or_else(|| ApiError::not_found("instance", id))?;
        let format = if row.format == "json" {
            SourceFormat::Json
        } else {
            SourceFormat::Toml
        };
        let pins = self.store.pins(id)?;
        Ok(Source {
            row,
            text,
            format,
            pins,
        })
    }

    /// The parsed instance with this id and its current pins (parsed once, then
    /// cached; replacing the pins replaces it).
    pub fn instance(&self, id: &str) -> Result<Arc<Instance>, ApiError> {
        if let Some(instance) = lock(&self.instances).get(id) {
            return Ok(instance.clone());
        }
        let instance = Arc::new(self.source(id)?.instance()?);
        // Pins replaced meanwhile have put the newer instance here: keep it.
        Ok(lock(&self.instances)
            .entry(id.to_string())
            .or_insert(instance)
            .clone())
    }

    /// The current publication of an instance: 404 when there is no such instance, 409
    /// `not_published` when it has none.
    pub fn published(&self, instance_id: &str) -> Result<Arc<RwLock<Published>>, ApiError> {
        let published = self
            .published
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(instance_id)
            .cloned();
        match published {
            Some(published) => Ok(published),
            None if self.store.instance(instance_id)?.is_none() => {
                Err(ApiError::not_found("instance", instance_id))
            }
            None => Err(ApiError::conflict(
                "not_published",
                format!("instance \"{instance_id}\" has no published roster yet"),
            )),
        }
    }

    /// Opens the booking book of a roster with the instance's ledger from the database;
    /// the roster must pass every hard rule, the instance's current pins included.
    pub fn open_book(&self, instance_id: &str, roster: &Roster) -> Result<BookingBook, ApiError> {
        let instance = self.instance(instance_id)?;
        let ledger = self.store.ledger(instance_id, &instance.name)?;
        Ok(self.with_offer_hold(BookingBook::open(instance, roster, ledger)?))
    }

    /// The book with the configured hold of waitlist offers.
    pub fn with_offer_hold(&self, mut book: BookingBook) -> BookingBook {
        book.set_offer_hold(chrono::Duration::minutes(i64::from(
            self.config.offer_hold_minutes,
        )));
        book
    }

    /// Opens the book of a publication again (at start). Its roster met the pins of
    /// the day it was published; pins replaced since hold for the next solve and do not
    /// close the book (booking never reads pins).
    pub fn reopen_book(&self, instance_id: &str, roster: &Roster) -> Result<BookingBook, ApiError> {
        let mut instance = (*self.instance(instance_id)?).clone();
        instance.pins.clear();
        let ledger = self.store.ledger(instance_id, &instance.name)?;
        Ok(self.with_offer_hold(BookingBook::open(Arc::new(instance), roster, ledger)?))
    }
}

/// Locks a mutex, recovering from a panic in another holder (the data stays usable:
/// every change is written to the database before it is acknowledged).
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
