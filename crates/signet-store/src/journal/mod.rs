//! The journal in storage: append inside a unit of work, read back for history and
//! verification.

use signet_core::ids::AgencyId;
use signet_core::journal::{Entry, Head, NewEntry, GENESIS};
use sqlx::Row;

pub(crate) mod details;

use crate::{Store, StoreError, Tx};

/// Claims the agency's journal head. This is the first statement of every write transaction
/// on an agency (see the migration): it serialises writers per agency.
pub async fn claim_head(tx: &mut Tx, agency_id: &AgencyId) -> Result<Head, StoreError> {
    let row = sqlx::query(
        "INSERT INTO journal_heads (agency_id, seq, hash) VALUES ($1, 0, $2) \
         ON CONFLICT (agency_id) DO UPDATE SET seq = journal_heads.seq \
         RETURNING seq, hash",
    )
    .bind(agency_id.as_str())
    .bind(GENESIS)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Head {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
    })
}

/// Appends an entry after `head` (claimed earlier in this transaction) and moves the head.
pub async fn append(
    tx: &mut Tx,
    agency_id: &AgencyId,
    head: &mut Head,
    entry: NewEntry,
) -> Result<Entry, StoreError> {
    let prev = (head.seq > 0).then_some((head.seq, head.hash.as_str()));
    let e = entry.chain(agency_id.as_str(), prev);
    sqlx::query(
        "INSERT INTO journal (agency_id, seq, at_ms, actor, action, subject, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.agency_id)
    .bind(e.seq)
    .bind(e.at_ms)
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.subject)
    .bind(&e.details)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE journal_heads SET seq = $1, hash = $2 WHERE agency_id = $3")
        .bind(e.seq)
        .bind(&e.hash)
        .bind(agency_id.as_str())
        .execute(&mut **tx)
        .await?;
    *head = Head {
        seq: e.seq,
        hash: e.hash.clone(),
    };
    Ok(e)
}

/// The end of a write that needs no read-back: journal the change, commit.
pub async fn append_and_commit(
    mut tx: Tx,
    agency_id: &AgencyId,
    head: &mut Head,
    entry: NewEntry,
) -> Result<(), StoreError> {
    append(&mut tx, agency_id, head, entry).await?;
    tx.commit().await?;
    Ok(())
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<Entry, StoreError> {
    Ok(Entry {
        agency_id: row.try_get("agency_id")?,
        seq: row.try_get("seq")?,
        at_ms: row.try_get("at_ms")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        details: row.try_get("details")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const COLUMNS: &str = "agency_id, seq, at_ms, actor, action, subject, details, prev_hash, hash";

impl Store {
    /// The whole journal of an agency in sequence order.
    pub async fn journal(&self, agency_id: &AgencyId) -> Result<Vec<Entry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM journal WHERE agency_id = $1 ORDER BY seq"
        ))
        .bind(agency_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// The entries about one subject (e.g. a document), oldest first.
    pub async fn journal_of(
        &self,
        agency_id: &AgencyId,
        subject: &str,
    ) -> Result<Vec<Entry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM journal WHERE agency_id = $1 AND subject = $2 ORDER BY seq"
        ))
        .bind(agency_id.as_str())
        .bind(subject)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    pub async fn journal_head(&self, agency_id: &AgencyId) -> Result<Option<Head>, StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM journal_heads WHERE agency_id = $1")
            .bind(agency_id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Head {
                seq: r.try_get("seq")?,
                hash: r.try_get("hash")?,
            })
        })
        .transpose()
    }
}
