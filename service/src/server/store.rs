//! The service's database: SQLite (bundled, nothing to install) in WAL mode with full
//! sync, so that an acknowledged write survives `kill -9` and power loss. The schema is
//! created and migrated here (`PRAGMA user_version`).
//!
//! What lives here: uploaded instances (their text, as uploaded), solve jobs, rosters,
//! publications (versioned: a new one never replaces an old one), the booking ledger of
//! each instance (bookings, cancelled roster bookings, waitlist, offers of freed places;
//! one row per entry, the entry as JSON), the pins set through the API (replacing the file's), draft rosters
//! made by checked edits (their parent and, when it differs from the instance's, their
//! own pin list), API tokens and calendar feed keys (hashes only, [`feed_keys`]) and the
//! audit log.

mod feed_keys;

pub use feed_keys::FeedKeyRow;

use std::path::Path;
use std::sync::Mutex;

use chrono::Utc;
use houniao::booking::{BookingRecord, LEDGER_FORMAT, Ledger, Offer, Release, WaitlistEntry};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The migrations, in order; `user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE solves (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    status TEXT NOT NULL,
    options TEXT NOT NULL,
    summary TEXT,
    roster_id TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE rosters (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    solve_id TEXT,
    roster TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE publications (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    roster_id TEXT NOT NULL REFERENCES rosters(id),
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL
);
CREATE TABLE bookings (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE TABLE releases (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    request TEXT NOT NULL,
    seq INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (instance_id, request)
);
CREATE TABLE waitlist (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE TABLE tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE pins (
    instance_id TEXT PRIMARY KEY REFERENCES instances(id),
    pins TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
ALTER TABLE solves ADD COLUMN detail TEXT;
ALTER TABLE solves ADD COLUMN conflict TEXT;
"#,
    r#"
ALTER TABLE rosters ADD COLUMN draft INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rosters ADD COLUMN parent_id TEXT REFERENCES rosters(id);
ALTER TABLE rosters ADD COLUMN pins TEXT;
"#,
    r#"
ALTER TABLE solves ADD COLUMN detail_text TEXT;
"#,
    r#"
CREATE TABLE feed_keys (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE INDEX feed_keys_target ON feed_keys (instance_id, kind, target);
"#,
    // 6: waitlist offers of freed places (docs/booking.md § Offers).
    r#"
CREATE TABLE offers (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
"#,
];

/// A stored instance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstanceRow {
    /// The service's id.
    pub id: String,
    /// The instance's `name`.
    pub name: String,
    /// `toml` or `json`.
    pub format: String,
    /// When it was uploaded.
    pub created_at: String,
    /// Who uploaded it.
    pub created_by: String,
    /// The current publication, if any.
    pub published_version: Option<i64>,
}

/// A stored solve job.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SolveRow {
    /// The job id.
    pub id: String,
    /// The instance solved.
    pub instance_id: String,
    /// `queued`, `running`, `done`, `failed`, `cancelled` or `interrupted`.
    pub status: String,
    /// The roster made, once done.
    pub roster_id: Option<String>,
    /// Why it failed: the message, or a kind (`pin_conflict`) with `detail`.
    pub error: Option<String>,
    /// What the failure means, for people, when `error` is a kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The pins that cannot all hold (`houniao::pins::conflicts::PinConflict`), when
    /// `error` is `pin_conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub conflict: Option<serde_json::Value>,
    /// `detail` as a message of the library, for the web app to write in the reader's
    /// language (not part of the API's answer).
    #[serde(skip)]
    #[schema(ignore)]
    pub detail_text: Option<houniao::text::Text>,
    /// Status, objective, bound, gap, seconds of the finished solve (`null` until it
    /// finishes).
    #[schema(value_type = Option<Object>)]
    pub summary: Option<serde_json::Value>,
    /// When it was started.
    pub created_at: String,
    /// When it finished.
    pub finished_at: Option<String>,
}

/// A publication of a roster.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Publication {
    /// Increasing over the whole service.
    pub version: i64,
    /// The instance.
    pub instance_id: String,
    /// The roster published.
    pub roster_id: String,
    /// When.
    pub published_at: String,
    /// By whom.
    pub published_by: String,
}

/// Why a solve job failed, as stored.
#[derive(Debug, Clone, Default)]
pub struct SolveFailure {
    /// The message, or a kind such as `pin_conflict`.
    pub error: String,
    /// For people, when `error` is a kind.
    pub detail: Option<String>,
    /// The conflicting pins, as JSON.
    pub conflict: Option<serde_json::Value>,
    /// `detail` as a message of the library, to be written in any language.
    pub detail_text: Option<houniao::text::Text>,
}

impl SolveFailure {
    /// A failure told by its message alone.
    pub fn message(error: impl Into<String>) -> SolveFailure {
        SolveFailure {
            error: error.into(),
            ..SolveFailure::default()
        }
    }
}

/// The pins an instance was given through the API.
#[derive(Debug, Clone)]
pub struct PinsRow {
    /// The `[[pins]]` entries as JSON (a list of `RawPin`), as the caller sent them.
    pub pins: String,
    /// When they were set.
    pub updated_at: String,
    /// By whom.
    pub updated_by: String,
}

/// A stored roster with what the service knows of it.
#[derive(Debug, Clone)]
pub struct RosterRow {
    /// The instance it is a roster of.
    pub instance_id: String,
    /// The roster (PROBLEM.md §6 JSON).
    pub roster: String,
    /// Made by checked edits (`POST /rosters/{id}/edits`): a draft, not yet published
    /// and not necessarily valid.
    pub draft: bool,
    /// The roster a draft was edited from.
    pub parent_id: Option<String>,
    /// A draft's own pin list (a JSON list of `RawPin`), when it differs from the
    /// instance's pins of the day it was made; `None`: the instance's pins hold.
    pub pins: Option<String>,
}

/// A draft roster to store.
#[derive(Debug, Clone, Copy)]
pub struct NewDraft<'a> {
    /// Its id.
    pub id: &'a str,
    /// The instance.
    pub instance_id: &'a str,
    /// The roster it was edited from.
    pub parent: &'a str,
    /// The draft (PROBLEM.md §6 JSON).
    pub roster: &'a str,
    /// Its own pin list (JSON), when it differs from the instance's.
    pub pins: Option<&'a str>,
}

/// Pins to store with a publication: the list (JSON) and its `pins.replace` audit line.
#[derive(Debug, Clone, Copy)]
pub struct PinsWrite<'a> {
    /// The `[[pins]]` entries as JSON (a list of `RawPin`).
    pub pins: &'a str,
    /// What was added and removed.
    pub detail: &'a str,
}

/// The database.
pub struct Store {
    connection: Mutex<Connection>,
}

type Result<T> = std::result::Result<T, rusqlite::Error>;

fn now() -> String {
    Utc::now().to_rfc3339()
}

impl Store {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        let mut connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        let applied: usize =
            connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if applied > MIGRATIONS.len() {
            anyhow::bail!(
                "{}: the database is from a newer houniao (schema {applied}, this one knows {})",
                path.display(),
                MIGRATIONS.len()
            );
        }
        for (version, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
            let transaction = connection.transaction()?;
            transaction.execute_batch(migration)?;
            transaction.pragma_update(None, "user_version", version + 1)?;
            transaction.commit()?;
        }
        // Jobs that were running when the service stopped will never finish.
        connection.execute(
            "UPDATE solves SET status = 'interrupted', finished_at = ?1 WHERE status IN ('queued', 'running')",
            params![now()],
        )?;
        // Checkpoints (copying the WAL into the database, with their syncs) are the
        // checkpointer thread's, never a commit's: no booking or draft waits for one.
        connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        start_checkpointer(path)?;
        Ok(Store {
            connection: Mutex::new(connection),
        })
    }

    fn with<T>(&self, work: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut connection)
    }

    fn audit(
        connection: &Connection,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<()> {
        connection.execute(
            "INSERT INTO audit (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![now(), actor, action, target, detail],
        )?;
        Ok(())
    }

    /// Records an action in the audit log on its own.
    pub fn log(&self, actor: &str, action: &str, target: &str, detail: &str) -> Result<()> {
        self.with(|c| Self::audit(c, actor, action, target, detail))
    }

    /// The audit log, newest last.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<serde_json::Value>> {
        self.with(|c| {
            let mut statement = c.prepare(
                "SELECT seq, at, actor, action, target, detail FROM audit ORDER BY seq DESC LIMIT ?1",
            )?;
            let mut rows: Vec<serde_json::Value> = statement
                .query_map(params![limit as i64], |row| {
                    Ok(serde_json::json!({
                        "seq": row.get::<_, i64>(0)?,
                        "at": row.get::<_, String>(1)?,
                        "actor": row.get::<_, String>(2)?,
                        "action": row.get::<_, String>(3)?,
                        "target": row.get::<_, String>(4)?,
                        "detail": row.get::<_, String>(5)?,
                    }))
                })?
                .collect::<Result<_>>()?;
            rows.reverse();
            Ok(rows)
        })
    }

    // --- tokens

    /// The stored tokens: (name, role, sha256).
    pub fn tokens(&self) -> Result<Vec<(String, String, String)>> {
        self.with(|c| {
            let mut statement = c.prepare("SELECT name, role, sha256 FROM tokens ORDER BY name")?;
            statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
    }

    /// Stores a token's hash.
    pub fn add_token(&self, name: &str, role: &str, sha256: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO tokens (name, role, sha256, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, role, sha256, now()],
            )?;
            Self::audit(c, "service", "token.create", name, role)
        })
    }

    // --- instances

    /// Stores an uploaded instance.
    pub fn add_instance(
        &self,
        id: &str,
        name: &str,
        format: &str,
        source: &str,
        actor: &str,
    ) -> Result<()> {
        self.with(|c| {
            let transaction = c.transaction()?;
            transaction.execute(
                "INSERT INTO instances (id, name, format, source, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, name, format, source, now(), actor],
            )?;
            Self::audit(&transaction, actor, "instance.upload", id, name)?;
            transaction.commit()
        })
    }

    fn instance_row(row: &rusqlite::Row<'_>) -> Result<InstanceRow> {
        Ok(InstanceRow {
            id: row.get(0)?,
            name: row.get(1)?,
            format: row.get(2)?,
            created_at: row.get(3)?,
            created_by: row.get(4)?,
            published_version: row.get(5)?,
        })
    }

    const INSTANCE_COLUMNS: &str = "i.id, i.name, i.format, i.created_at, i.created_by, \
        (SELECT MAX(version) FROM publications p WHERE p.instance_id = i.id)";

    /// Every stored instance, oldest first.
    pub fn instances(&self) -> Result<Vec<InstanceRow>> {
        self.with(|c| {
            let sql = format!(
                "SELECT {} FROM instances i ORDER BY i.created_at, i.id",
                Self::INSTANCE_COLUMNS
            );
            let mut statement = c.prepare(&sql)?;
            statement.query_map([], Self::instance_row)?.collect()
        })
    }

    /// One instance and its source text.
    pub fn instance(&self, id: &str) -> Result<Option<(InstanceRow, String)>> {
        self.with(|c| {
            let sql = format!(
                "SELECT {}, i.source FROM instances i WHERE i.id = ?1",
                Self::INSTANCE_COLUMNS
            );
            c.query_row(&sql, params![id], |row| {
                Ok((Self::instance_row(row)?, row.get(6)?))
            })
            .optional()
        })
    }

    // --- pins

    /// The pins set through the API for an instance; `None`: the file's pins hold.
    pub fn pins(&self, instance_id: &str) -> Result<Option<PinsRow>> {
        self.with(|c| {
            c.query_row(
                "SELECT pins, updated_at, updated_by FROM pins WHERE instance_id = ?1",
                params![instance_id],
                |row| {
                    Ok(PinsRow {
                        pins: row.get(0)?,
                        updated_at: row.get(1)?,
                        updated_by: row.get(2)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Replaces an instance's pins (a JSON list of `RawPin`), with its audit line
    /// (`pins.replace`, what was added and removed) in the same transaction.
    pub fn replace_pins(
        &self,
        instance_id: &str,
        pins: &str,
        actor: &str,
        detail: &str,
    ) -> Result<PinsRow> {
        self.with(|c| {
            let transaction = c.transaction()?;
            let row =
                Self::write_pins(&transaction, instance_id, PinsWrite { pins, detail }, actor)?;
            transaction.commit()?;
            Ok(row)
        })
    }

    /// The pins row and its `pins.replace` audit line, inside the caller's transaction
    /// (a replacement on its own, or with a publication).
    fn write_pins(
        connection: &Connection,
        instance_id: &str,
        pins: PinsWrite<'_>,
        actor: &str,
    ) -> Result<PinsRow> {
        let at = now();
        connection.execute(
            "INSERT INTO pins (instance_id, pins, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (instance_id) DO UPDATE SET pins = excluded.pins, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![instance_id, pins.pins, at, actor],
        )?;
        Self::audit(connection, actor, "pins.replace", instance_id, pins.detail)?;
        Ok(PinsRow {
            pins: pins.pins.to_string(),
            updated_at: at,
            updated_by: actor.to_string(),
        })
    }

    // --- solves and rosters

    /// Records a new solve job.
    pub fn add_solve(&self, id: &str, instance_id: &str, options: &str, actor: &str) -> Result<()> {
        self.with(|c| {
            let transaction = c.transaction()?;
            transaction.execute(
                "INSERT INTO solves (id, instance_id, status, options, created_at, created_by) VALUES (?1, ?2, 'queued', ?3, ?4, ?5)",
                params![id, instance_id, options, now(), actor],
            )?;
            Self::audit(&transaction, actor, "solve.start", id, instance_id)?;
            transaction.commit()
        })
    }

    /// Marks a job running.
    pub fn solve_running(&self, id: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE solves SET status = 'running' WHERE id = ?1",
                params![id],
            )
            .map(|_| ())
        })
    }

    /// Finishes a job: its roster (if any) is stored in the same transaction.
    pub fn finish_solve(
        &self,
        id: &str,
        status: &str,
        roster: Option<(&str, &str, &str)>,
        summary: Option<&serde_json::Value>,
        failure: Option<&SolveFailure>,
    ) -> Result<()> {
        self.with(|c| {
            let transaction = c.transaction()?;
            if let Some((roster_id, instance_id, json)) = roster {
                transaction.execute(
                    "INSERT INTO rosters (id, instance_id, solve_id, roster, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![roster_id, instance_id, id, json, now()],
                )?;
            }
            transaction.execute(
                "UPDATE solves SET status = ?2, roster_id = ?3, summary = ?4, error = ?5, finished_at = ?6, \
                 detail = ?7, conflict = ?8, detail_text = ?9 WHERE id = ?1",
                params![
                    id,
                    status,
                    roster.map(|r| r.0),
                    summary.map(|s| s.to_string()),
                    failure.map(|f| f.error.as_str()),
                    now(),
                    failure.and_then(|f| f.detail.as_deref()),
                    failure.and_then(|f| f.conflict.as_ref()).map(|c| c.to_string()),
                    failure
                        .and_then(|f| f.detail_text.as_ref())
                        .and_then(|t| serde_json::to_string(t).ok()),
                ],
            )?;
            transaction.commit()
        })
    }

    /// A job.
    pub fn solve(&self, id: &str) -> Result<Option<SolveRow>> {
        self.with(|c| {
            c.query_row(
                "SELECT id, instance_id, status, roster_id, error, summary, created_at, finished_at, \
                 detail, conflict, detail_text FROM solves WHERE id = ?1",
                params![id],
                |row| {
                    let summary: Option<String> = row.get(5)?;
                    let conflict: Option<String> = row.get(9)?;
                    let detail_text: Option<String> = row.get(10)?;
                    Ok(SolveRow {
                        id: row.get(0)?,
                        instance_id: row.get(1)?,
                        status: row.get(2)?,
                        roster_id: row.get(3)?,
                        error: row.get(4)?,
                        detail: row.get(8)?,
                        conflict: conflict.and_then(|c| serde_json::from_str(&c).ok()),
                        detail_text: detail_text.and_then(|t| serde_json::from_str(&t).ok()),
                        summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
                        created_at: row.get(6)?,
                        finished_at: row.get(7)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Stores a roster made elsewhere (uploaded).
    pub fn add_roster(&self, id: &str, instance_id: &str, json: &str, actor: &str) -> Result<()> {
        self.insert_roster(id, instance_id, json, actor, "roster.upload", instance_id)
    }

    /// Stores a roster made by re-planning a publication (not published).
    pub fn add_repaired_roster(
        &self,
        id: &str,
        instance_id: &str,
        json: &str,
        actor: &str,
        detail: &str,
    ) -> Result<()> {
        self.insert_roster(id, instance_id, json, actor, "roster.repair", detail)
    }

    fn insert_roster(
        &self,
        id: &str,
        instance_id: &str,
        json: &str,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<()> {
        self.with(|c| {
            let transaction = c.transaction()?;
            transaction.execute(
                "INSERT INTO rosters (id, instance_id, solve_id, roster, created_at) VALUES (?1, ?2, NULL, ?3, ?4)",
                params![id, instance_id, json, now()],
            )?;
            Self::audit(&transaction, actor, action, id, detail)?;
            transaction.commit()
        })
    }

    /// Stores a draft made by checked edits (not published), with its audit line
    /// (`roster.edit`, `detail`). A draft is work in progress, not a published record:
    /// its commit is not synced (`synchronous = NORMAL` for this one transaction, WAL
    /// mode). It survives a crash of the service (the OS holds the write); only a crash
    /// of the machine before the next synced commit — any booking, pin replacement,
    /// publication, upload — can lose it. Every other write stays fully synced.
    pub fn add_draft(&self, draft: &NewDraft<'_>, actor: &str, detail: &str) -> Result<()> {
        self.with(|c| {
            c.pragma_update(None, "synchronous", "NORMAL")?;
            let stored = Self::insert_draft(c, draft, actor, detail);
            // Back to full sync before the connection does anything else.
            let restored = c.pragma_update(None, "synchronous", "FULL");
            stored.and(restored)
        })
    }

    fn insert_draft(
        c: &mut Connection,
        draft: &NewDraft<'_>,
        actor: &str,
        detail: &str,
    ) -> Result<()> {
        let transaction = c.transaction()?;
        transaction.execute(
            "INSERT INTO rosters (id, instance_id, solve_id, roster, created_at, draft, parent_id, pins) \
             VALUES (?1, ?2, NULL, ?3, ?4, 1, ?5, ?6)",
            params![
                draft.id,
                draft.instance_id,
                draft.roster,
                now(),
                draft.parent,
                draft.pins
            ],
        )?;
        Self::audit(&transaction, actor, "roster.edit", draft.id, detail)?;
        transaction.commit()
    }

    /// A roster with its draft marks.
    pub fn roster_row(&self, id: &str) -> Result<Option<RosterRow>> {
        self.with(|c| {
            c.query_row(
                "SELECT instance_id, roster, draft, parent_id, pins FROM rosters WHERE id = ?1",
                params![id],
                |row| {
                    Ok(RosterRow {
                        instance_id: row.get(0)?,
                        roster: row.get(1)?,
                        draft: row.get(2)?,
                        parent_id: row.get(3)?,
                        pins: row.get(4)?,
                    })
                },
            )
            .optional()
        })
    }

    /// A roster: (instance id, roster JSON).
    pub fn roster(&self, id: &str) -> Result<Option<(String, String)>> {
        self.with(|c| {
            c.query_row(
                "SELECT instance_id, roster FROM rosters WHERE id = ?1",
                params![id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
        })
    }

    /// Publishes a roster: a new version; earlier ones stay. With `pins` (a draft's own
    /// pin list), the instance's pins are replaced in the same transaction, exactly as
    /// [`Store::replace_pins`] replaces them.
    pub fn publish(
        &self,
        instance_id: &str,
        roster_id: &str,
        actor: &str,
        pins: Option<PinsWrite<'_>>,
    ) -> Result<Publication> {
        self.with(|c| {
            let transaction = c.transaction()?;
            if let Some(pins) = pins {
                Self::write_pins(&transaction, instance_id, pins, actor)?;
            }
            let at = now();
            transaction.execute(
                "INSERT INTO publications (instance_id, roster_id, published_at, published_by) VALUES (?1, ?2, ?3, ?4)",
                params![instance_id, roster_id, at, actor],
            )?;
            let version = transaction.last_insert_rowid();
            Self::audit(
                &transaction,
                actor,
                "roster.publish",
                roster_id,
                &format!("instance {instance_id} version {version}"),
            )?;
            transaction.commit()?;
            Ok(Publication {
                version,
                instance_id: instance_id.to_string(),
                roster_id: roster_id.to_string(),
                published_at: at,
                published_by: actor.to_string(),
            })
        })
    }

    fn publication_row(row: &rusqlite::Row<'_>) -> Result<Publication> {
        Ok(Publication {
            version: row.get(0)?,
            instance_id: row.get(1)?,
            roster_id: row.get(2)?,
            published_at: row.get(3)?,
            published_by: row.get(4)?,
        })
    }

    /// The publications of an instance, oldest first.
    pub fn publications(&self, instance_id: &str) -> Result<Vec<Publication>> {
        self.with(|c| {
            let mut statement = c.prepare(
                "SELECT version, instance_id, roster_id, published_at, published_by FROM publications WHERE instance_id = ?1 ORDER BY version",
            )?;
            statement
                .query_map(params![instance_id], Self::publication_row)?
                .collect()
        })
    }

    /// Every instance's current publication (the latest).
    pub fn current_publications(&self) -> Result<Vec<Publication>> {
        self.with(|c| {
            let mut statement = c.prepare(
                "SELECT version, instance_id, roster_id, published_at, published_by FROM publications p \
                 WHERE version = (SELECT MAX(version) FROM publications q WHERE q.instance_id = p.instance_id) ORDER BY version",
            )?;
            statement
                .query_map([], Self::publication_row)?
                .collect()
        })
    }

    // --- the booking ledger

    /// The ledger of an instance, rebuilt from its rows in the order they were made.
    pub fn ledger(&self, instance_id: &str, instance_name: &str) -> anyhow::Result<Ledger> {
        fn records<T: serde::de::DeserializeOwned>(
            c: &Connection,
            table: &str,
            instance_id: &str,
        ) -> anyhow::Result<Vec<T>> {
            let mut statement = c.prepare(&format!(
                "SELECT record FROM {table} WHERE instance_id = ?1 ORDER BY seq"
            ))?;
            let texts: Vec<String> = statement
                .query_map(params![instance_id], |row| row.get(0))?
                .collect::<Result<_>>()?;
            texts
                .iter()
                .map(|text| Ok(serde_json::from_str(text)?))
                .collect()
        }
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(Ledger {
            format: LEDGER_FORMAT,
            instance: instance_name.to_string(),
            bookings: records(&connection, "bookings", instance_id)?,
            released: records(&connection, "releases", instance_id)?,
            waitlist: records(&connection, "waitlist", instance_id)?,
            offers: records(&connection, "offers", instance_id)?,
        })
    }

    /// Writes a batch of ledger changes, each with its audit line, in one transaction:
    /// once this returns, all of them survive a crash.
    fn write_batch(&self, batch: &[LedgerWrite]) -> Result<()> {
        self.with(|c| {
            let transaction = c.transaction()?;
            for write in batch {
                for row in &write.rows {
                    let sql = match row.table {
                        LedgerTable::Bookings => {
                            "INSERT INTO bookings (instance_id, id, seq, record) VALUES (?1, ?2, ?3, ?4) \
                             ON CONFLICT (instance_id, id) DO UPDATE SET record = excluded.record"
                        }
                        LedgerTable::Releases => {
                            "INSERT INTO releases (instance_id, request, seq, record) VALUES (?1, ?2, ?3, ?4) \
                             ON CONFLICT (instance_id, request) DO UPDATE SET record = excluded.record"
                        }
                        LedgerTable::Waitlist => {
                            "INSERT INTO waitlist (instance_id, id, seq, record) VALUES (?1, ?2, ?3, ?4) \
                             ON CONFLICT (instance_id, id) DO UPDATE SET record = excluded.record"
                        }
                        LedgerTable::Offers => {
                            "INSERT INTO offers (instance_id, id, seq, record) VALUES (?1, ?2, ?3, ?4) \
                             ON CONFLICT (instance_id, id) DO UPDATE SET record = excluded.record"
                        }
                    };
                    transaction.execute(
                        sql,
                        params![write.instance_id, row.key, row.seq, row.record],
                    )?;
                }
                if !write.action.is_empty() {
                    Self::audit(&transaction, &write.actor, write.action, &write.target, "")?;
                }
                for (action, target, detail) in &write.audits {
                    Self::audit(&transaction, &write.actor, action, target, detail)?;
                }
            }
            transaction.commit()
        })
    }
}

/// How often the checkpointer copies the WAL into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Starts the thread that checkpoints the database's WAL every [`CHECKPOINT_EVERY`]
/// on a connection of its own (`PASSIVE`: it never blocks a writer, and copies what no
/// reader still needs). SQLite's automatic checkpoints are turned off on the service's
/// connection, where they would run inside a commit every 1,000 WAL pages: a draft
/// roster of Beilun writes ~18 pages, so every ~55th edit, or the booking after it,
/// would wait for the copy of 4 MB and its two syncs.
fn start_checkpointer(path: &Path) -> anyhow::Result<()> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    std::thread::Builder::new()
        .name("wal-checkpointer".into())
        .spawn(move || {
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                let done = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                    row.get::<_, i64>(0)
                });
                if let Err(error) = done {
                    tracing::warn!("WAL checkpoint failed (retried in a second): {error}");
                }
            }
        })?;
    Ok(())
}

/// Which ledger table a row goes to.
#[derive(Debug, Clone, Copy)]
pub enum LedgerTable {
    Bookings,
    Releases,
    Waitlist,
    Offers,
}

/// One ledger entry as a row.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    table: LedgerTable,
    key: String,
    seq: i64,
    record: String,
}

/// One ledger change: its rows and its audit line.
#[derive(Debug, Clone)]
pub struct LedgerWrite {
    pub instance_id: String,
    pub rows: Vec<LedgerRow>,
    pub actor: String,
    /// The change's audit action (empty: none, as for offers settled on their own).
    pub action: &'static str,
    pub target: String,
    /// More audit lines: (action, target, detail), such as each offer made or closed.
    pub audits: Vec<(&'static str, String, String)>,
}

type Reply = std::sync::mpsc::Sender<std::result::Result<(), String>>;

/// The one writer of ledger changes: a thread that takes every change waiting in its
/// queue and commits them together (group commit: one fsync for many bookings), then
/// answers each. Changes are committed in the order they were queued.
pub struct LedgerWriter {
    queue: Mutex<std::sync::mpsc::Sender<(LedgerWrite, Reply)>>,
}

/// Most changes in one transaction.
const BATCH: usize = 256;

impl LedgerWriter {
    /// Starts the writer thread over the store.
    pub fn start(store: std::sync::Arc<Store>) -> LedgerWriter {
        let (sender, receiver) = std::sync::mpsc::channel::<(LedgerWrite, Reply)>();
        std::thread::Builder::new()
            .name("ledger-writer".into())
            .spawn(move || {
                while let Ok(first) = receiver.recv() {
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match receiver.try_recv() {
                            Ok(next) => batch.push(next),
                            Err(_) => break,
                        }
                    }
                    let writes: Vec<LedgerWrite> = batch.iter().map(|(w, _)| w.clone()).collect();
                    let result = store.write_batch(&writes).map_err(|e| e.to_string());
                    for (_, reply) in batch {
                        let _ = reply.send(result.clone());
                    }
                }
            })
            .expect("the ledger writer thread starts");
        LedgerWriter {
            queue: Mutex::new(sender),
        }
    }

    /// Queues a change; the returned receiver answers once it is on disk (or failed).
    /// Queue under the lock that ordered the change, so that commits keep that order.
    pub fn queue(
        &self,
        write: LedgerWrite,
    ) -> std::sync::mpsc::Receiver<std::result::Result<(), String>> {
        let (reply, answer) = std::sync::mpsc::channel();
        let sent = self
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send((write, reply.clone()));
        if sent.is_err() {
            let _ = reply.send(Err("the ledger writer has stopped".into()));
        }
        answer
    }
}

/// Ledger entries to write, each with its position in the ledger (its row order).
#[derive(Default)]
pub struct LedgerChanges<'a> {
    pub bookings: Vec<(usize, &'a BookingRecord)>,
    pub releases: Vec<(usize, &'a Release)>,
    pub waitlist: Vec<(usize, &'a WaitlistEntry)>,
    pub offers: Vec<(usize, &'a Offer)>,
}

impl<'a> LedgerChanges<'a> {
    /// The entries as rows to write.
    pub fn rows(&self) -> Vec<LedgerRow> {
        fn json<T: Serialize>(value: &T) -> String {
            serde_json::to_string(value).expect("ledger entries serialise")
        }
        let bookings = self.bookings.iter().map(|(seq, b)| LedgerRow {
            table: LedgerTable::Bookings,
            key: b.id.clone(),
            seq: *seq as i64,
            record: json(*b),
        });
        let releases = self.releases.iter().map(|(seq, r)| LedgerRow {
            table: LedgerTable::Releases,
            key: r.request.clone(),
            seq: *seq as i64,
            record: json(*r),
        });
        let waitlist = self.waitlist.iter().map(|(seq, w)| LedgerRow {
            table: LedgerTable::Waitlist,
            key: w.id.clone(),
            seq: *seq as i64,
            record: json(*w),
        });
        let offers = self.offers.iter().map(|(seq, o)| LedgerRow {
            table: LedgerTable::Offers,
            key: o.id.clone(),
            seq: *seq as i64,
            record: json(*o),
        });
        bookings
            .chain(releases)
            .chain(waitlist)
            .chain(offers)
            .collect()
    }

    /// The entries with these ids (bookings by id, releases by request id, waitlist
    /// entries by id), as they are in the ledger now.
    pub fn of(
        ledger: &'a Ledger,
        bookings: &[&str],
        releases: &[&str],
        waitlist: &[&str],
        offers: &[&str],
    ) -> LedgerChanges<'a> {
        LedgerChanges {
            bookings: ledger
                .bookings
                .iter()
                .enumerate()
                .filter(|(_, b)| bookings.contains(&b.id.as_str()))
                .collect(),
            releases: ledger
                .released
                .iter()
                .enumerate()
                .filter(|(_, r)| releases.contains(&r.request.as_str()))
                .collect(),
            waitlist: ledger
                .waitlist
                .iter()
                .enumerate()
                .filter(|(_, w)| waitlist.contains(&w.id.as_str()))
                .collect(),
            offers: ledger
                .offers
                .iter()
                .enumerate()
                .filter(|(_, o)| offers.contains(&o.id.as_str()))
                .collect(),
        }
    }
}
