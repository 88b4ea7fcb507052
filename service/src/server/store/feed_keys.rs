//! Calendar feed keys: one per specialist, site or board of an instance, stored as the
//! SHA-256 of the key (as API tokens are), revocable, every change audited. Creating a
//! key for a calendar that has one revokes the old key in the same transaction.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store, now};

/// A feed key as listed (never the key itself).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedKeyRow {
    /// The key's public id (for revoking it).
    pub id: String,
    /// The instance.
    pub instance_id: String,
    /// `specialist`, `site` or `board`.
    pub kind: String,
    /// The specialist, site or board id.
    pub target: String,
    /// When it was made.
    pub created_at: String,
    /// By whom.
    pub created_by: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

const COLUMNS: &str = "id, instance_id, kind, target, created_at, created_by, revoked_at";

fn feed_key_row(row: &rusqlite::Row<'_>) -> Result<FeedKeyRow> {
    Ok(FeedKeyRow {
        id: row.get(0)?,
        instance_id: row.get(1)?,
        kind: row.get(2)?,
        target: row.get(3)?,
        created_at: row.get(4)?,
        created_by: row.get(5)?,
        revoked_at: row.get(6)?,
    })
}

impl Store {
    /// Stores a new key's hash for (instance, kind, target), revoking the one before.
    pub fn add_feed_key(&self, row: &FeedKeyRow, sha256: &str) -> Result<()> {
        self.with(|c| {
            let transaction = c.transaction()?;
            let at = now();
            let replaced: Vec<String> = transaction
                .prepare(
                    "SELECT id FROM feed_keys WHERE instance_id = ?1 AND kind = ?2 AND target = ?3 AND revoked_at IS NULL",
                )?
                .query_map(params![row.instance_id, row.kind, row.target], |r| r.get(0))?
                .collect::<Result<_>>()?;
            for id in &replaced {
                transaction.execute(
                    "UPDATE feed_keys SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1",
                    params![id, at, row.created_by],
                )?;
                Self::audit(&transaction, &row.created_by, "feed_key.revoke", id, "replaced")?;
            }
            transaction.execute(
                "INSERT INTO feed_keys (id, instance_id, kind, target, sha256, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![row.id, row.instance_id, row.kind, row.target, sha256, at, row.created_by],
            )?;
            Self::audit(
                &transaction,
                &row.created_by,
                "feed_key.create",
                &row.id,
                &format!("instance {} {} {}", row.instance_id, row.kind, row.target),
            )?;
            transaction.commit()
        })
    }

    /// The keys of an instance, newest first.
    pub fn feed_keys(&self, instance_id: &str) -> Result<Vec<FeedKeyRow>> {
        self.with(|c| {
            c.prepare(&format!(
                "SELECT {COLUMNS} FROM feed_keys WHERE instance_id = ?1 ORDER BY created_at DESC, id"
            ))?
            .query_map(params![instance_id], feed_key_row)?
            .collect()
        })
    }

    /// Revokes a key; `None` when there is no such key, `Some(false)` when it already
    /// was.
    pub fn revoke_feed_key(&self, id: &str, actor: &str) -> Result<Option<bool>> {
        self.with(|c| {
            let transaction = c.transaction()?;
            let revoked: Option<Option<String>> = transaction
                .query_row(
                    "SELECT revoked_at FROM feed_keys WHERE id = ?1",
                    params![id],
                    |r| r.get(0),
                )
                .optional()?;
            let answer = match revoked {
                None => None,
                Some(Some(_)) => Some(false),
                Some(None) => {
                    transaction.execute(
                        "UPDATE feed_keys SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1",
                        params![id, now(), actor],
                    )?;
                    Self::audit(&transaction, actor, "feed_key.revoke", id, "revoked")?;
                    Some(true)
                }
            };
            transaction.commit()?;
            Ok(answer)
        })
    }

    /// The live key with this hash.
    pub fn live_feed_key(&self, sha256: &str) -> Result<Option<FeedKeyRow>> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM feed_keys WHERE sha256 = ?1 AND revoked_at IS NULL"
                ),
                params![sha256],
                feed_key_row,
            )
            .optional()
        })
    }
}
