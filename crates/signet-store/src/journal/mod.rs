//! The journal in storage: append inside a unit of work, read back for history and
//! verification.

use std::collections::BTreeMap;

use signet_core::ids::AgencyId;
use signet_core::journal::{Entry, Head, NewEntry, GENESIS};
use sqlx::Row;

pub(crate) mod details;

use crate::sql::Builder;
use crate::{Store, StoreError, Tx};

/// Claims the agency's journal head. This is the first statement of every write transaction
/// on an agency (see the migration): it serialises writers per agency.
pub async fn claim_head(tx: &mut Tx, agency_id: &AgencyId) -> Result<Head, StoreError> {
    claim_heads(tx, &[agency_id])
        .await?
        .remove(agency_id)
        .ok_or_else(|| StoreError::Corrupt(format!("journal head of {agency_id} not claimed")))
}

/// Rows a multi-row statement of the journal carries at most: 9 values each, far under
/// either engine's limit on a statement's parameters (SQLite 32,766, PostgreSQL 65,535).
pub(crate) const ROWS_PER_STATEMENT: usize = 1000;

/// Claims the journal heads of `agencies` (sorted, without repeats: two batches then claim in
/// the same order and never wait on each other in a cycle) in one statement.
pub async fn claim_heads<'a>(
    tx: &mut Tx,
    agencies: &[&'a AgencyId],
) -> Result<BTreeMap<&'a AgencyId, Head>, StoreError> {
    let mut heads = BTreeMap::new();
    for chunk in agencies.chunks(ROWS_PER_STATEMENT) {
        let mut q = Builder::new("INSERT INTO journal_heads (agency_id, seq, hash) VALUES ");
        q.rows(chunk, |q, a| {
            q.text(a.as_str()).push(", 0, ").text(GENESIS);
        });
        q.push(
            " ON CONFLICT (agency_id) DO UPDATE SET seq = journal_heads.seq \
             RETURNING agency_id, seq, hash",
        );
        for row in q.query().fetch_all(&mut **tx).await? {
            let id: String = row.try_get("agency_id")?;
            let agency = chunk
                .iter()
                .find(|a| a.as_str() == id)
                .ok_or_else(|| StoreError::Corrupt(format!("journal head of {id} not asked")))?;
            let head = Head {
                seq: row.try_get("seq")?,
                hash: row.try_get("hash")?,
            };
            heads.insert(*agency, head);
        }
    }
    Ok(heads)
}

/// `entry` chained after `head`, which then points at it.
fn chain_after(head: &mut Head, agency_id: &AgencyId, entry: NewEntry) -> Entry {
    let prev = (head.seq > 0).then_some((head.seq, head.hash.as_str()));
    let e = entry.chain(agency_id.as_str(), prev);
    *head = Head {
        seq: e.seq,
        hash: e.hash.clone(),
    };
    e
}

/// Appends `entries`, each after its agency's head in `heads` (claimed earlier in this
/// transaction, [`claim_heads`]), in multi-row statements, and moves the heads in one: a
/// group commit's journal in two statements instead of two per entry.
pub async fn append_all(
    tx: &mut Tx,
    heads: &mut BTreeMap<&AgencyId, Head>,
    entries: Vec<(&AgencyId, NewEntry)>,
) -> Result<(), StoreError> {
    let mut chained = Vec::with_capacity(entries.len());
    for (agency_id, entry) in entries {
        let head = heads
            .get_mut(agency_id)
            .ok_or_else(|| StoreError::Corrupt("journal head not claimed".into()))?;
        chained.push(chain_after(head, agency_id, entry));
    }
    insert_entries(tx, &chained).await?;
    move_heads(tx, heads.iter().map(|(a, h)| (*a, h))).await
}

/// Appends an entry after `head` (claimed earlier in this transaction) and moves the head.
pub async fn append(
    tx: &mut Tx,
    agency_id: &AgencyId,
    head: &mut Head,
    entry: NewEntry,
) -> Result<Entry, StoreError> {
    let e = chain_after(head, agency_id, entry);
    insert_entries(tx, std::slice::from_ref(&e)).await?;
    move_heads(tx, [(agency_id, &*head)]).await?;
    Ok(e)
}

/// Inserts chained entries, [`ROWS_PER_STATEMENT`] to a statement.
async fn insert_entries(tx: &mut Tx, entries: &[Entry]) -> Result<(), StoreError> {
    for chunk in entries.chunks(ROWS_PER_STATEMENT) {
        let mut q = Builder::new(&format!("INSERT INTO journal ({COLUMNS}) VALUES "));
        q.rows(chunk, |q, e| {
            q.text(&e.agency_id).push(", ").int(e.seq);
            q.push(", ").int(e.at_ms).push(", ").text(&e.actor);
            q.push(", ").text(&e.action).push(", ").text(&e.subject);
            q.push(", ").text(&e.details).push(", ").text(&e.prev_hash);
            q.push(", ").text(&e.hash);
        });
        q.query().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Writes the journal heads claimed earlier in this transaction, [`ROWS_PER_STATEMENT`] to a
/// statement.
async fn move_heads<'a>(
    tx: &mut Tx,
    heads: impl IntoIterator<Item = (&'a AgencyId, &'a Head)>,
) -> Result<(), StoreError> {
    let heads: Vec<_> = heads.into_iter().collect();
    for chunk in heads.chunks(ROWS_PER_STATEMENT) {
        let mut q = Builder::new("INSERT INTO journal_heads (agency_id, seq, hash) VALUES ");
        q.rows(chunk, |q, (agency_id, head)| {
            q.text(agency_id.as_str()).push(", ").int(head.seq);
            q.push(", ").text(&head.hash);
        });
        q.push(" ON CONFLICT (agency_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
        q.query().execute(&mut **tx).await?;
    }
    Ok(())
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
