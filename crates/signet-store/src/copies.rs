//! Electronic copies (sao y, sao lục, trích sao) and the copies register.
//!
//! A copy is numbered first ([`Store::reserve_copy`]: the next number of the agency's
//! `sao` series for the year, in the transaction that records the copy as `sealing` and
//! journals `copy.numbered` on its original), then its sealed file is stored
//! ([`Store::finish_copy`], `done`) or the reason it could not be sealed is
//! ([`Store::fail_copy`], `failed`). Like an issued document's, a copy's number is never given
//! to another copy, sealed or not.

use signet_core::ids::{AgencyId, DocumentId, PersonId};
use signet_core::register::{CopyKind, Series};
use sqlx::Row;

use crate::documents::{fetch, numbering::next_number};
use crate::journal::details::{entry, CopyFailed, CopyNumbered, CopyRetried, CopySealed};
use crate::journal::{append, append_and_commit, claim_head};
use crate::{new_id, Store, StoreError};

pub const SEALING: &str = "sealing";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// A copy, as the register keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub id: String,
    pub agency_id: AgencyId,
    pub original_id: DocumentId,
    pub kind: CopyKind,
    pub year: i64,
    pub number: i64,
    pub notation: String,
    /// ISO date (Vietnam time) the copy was made.
    pub copied_on: String,
    /// `electronic` or `scan`.
    pub source: String,
    /// The pages copied (`2-3`), empty for all.
    pub page_range: String,
    /// Nơi nhận, one per line.
    pub recipients: String,
    pub source_sha256: String,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub page_count: Option<i64>,
    pub state: String,
    pub reason: String,
    pub created_by: PersonId,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// How many times sealing was started (1 when made).
    pub attempts: i64,
    /// When the server takes the copy up by itself: a failed copy's next attempt, or the end
    /// of a sealing copy's lease (its node died if it is still sealing then). `None`: never —
    /// sealed, or a clerk decides after the last automatic attempt.
    pub retry_at_ms: Option<i64>,
}

impl Copy {
    /// The recipients, one per entry.
    pub fn recipient_list(&self) -> Vec<&str> {
        self.recipients
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// A copy to number.
#[derive(Debug, Clone)]
pub struct NewCopy<'a> {
    pub agency_id: &'a AgencyId,
    pub original_id: &'a DocumentId,
    pub kind: CopyKind,
    pub year: i32,
    pub copied_on: &'a str,
    pub source: &'a str,
    pub page_range: &'a str,
    pub recipients: &'a str,
    pub source_sha256: &'a str,
    pub actor: &'a PersonId,
    pub at_ms: i64,
    /// The end of the sealing lease (see [`Copy::retry_at_ms`]).
    pub lease_until_ms: i64,
}

const COLUMNS: &str = "id, agency_id, original_id, kind, year, number, notation, copied_on, \
    source, page_range, recipients, source_sha256, sha256, size, page_count, state, reason, \
    created_by, created_at_ms, updated_at_ms, attempts, retry_at_ms";

fn copy_from_row(r: &sqlx::any::AnyRow) -> Result<Copy, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(Copy {
        id: r.try_get("id")?,
        agency_id: AgencyId::from(r.try_get::<String, _>("agency_id")?),
        original_id: DocumentId::new(r.try_get::<String, _>("original_id")?),
        kind: CopyKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("copy kind {kind:?}")))?,
        year: r.try_get("year")?,
        number: r.try_get("number")?,
        notation: r.try_get("notation")?,
        copied_on: r.try_get("copied_on")?,
        source: r.try_get("source")?,
        page_range: r.try_get("page_range")?,
        recipients: r.try_get("recipients")?,
        source_sha256: r.try_get("source_sha256")?,
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        page_count: r.try_get("page_count")?,
        state: r.try_get("state")?,
        reason: r.try_get("reason")?,
        created_by: PersonId::new(r.try_get::<String, _>("created_by")?),
        created_at_ms: r.try_get("created_at_ms")?,
        updated_at_ms: r.try_get("updated_at_ms")?,
        attempts: r.try_get("attempts")?,
        retry_at_ms: r.try_get("retry_at_ms")?,
    })
}

impl Store {
    /// Numbers a copy of `new.original_id` (a document of the agency) from the copies
    /// register and records it as being sealed; `notation` builds the notation from the
    /// number. Journaled on the original.
    pub async fn reserve_copy(
        &self,
        new: &NewCopy<'_>,
        notation: impl FnOnce(u32) -> Result<String, signet_core::CoreError>,
    ) -> Result<Copy, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, new.agency_id).await?;
        fetch(&mut tx, new.agency_id, new.original_id).await?;
        let series = Series::Copies.key();
        let number = next_number(&mut tx, new.agency_id, &series, new.year).await?;
        let n = u32::try_from(number)
            .map_err(|_| StoreError::Corrupt(format!("copies counter at {number}")))?;
        let notation = notation(n)?;
        let id = new_id();
        sqlx::query(&format!(
            "INSERT INTO document_copies ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, NULL, NULL, NULL, $13, '', $14, $15, $15, 1, $16)"
        ))
        .bind(&id)
        .bind(new.agency_id.as_str())
        .bind(new.original_id.as_str())
        .bind(new.kind.code())
        .bind(i64::from(new.year))
        .bind(number)
        .bind(&notation)
        .bind(new.copied_on)
        .bind(new.source)
        .bind(new.page_range)
        .bind(new.recipients)
        .bind(new.source_sha256)
        .bind(SEALING)
        .bind(new.actor.as_str())
        .bind(new.at_ms)
        .bind(new.lease_until_ms)
        .execute(&mut *tx)
        .await?;
        let action = CopyNumbered {
            copy: &id,
            kind: new.kind.code(),
            number,
            notation: &notation,
            source: new.source,
            pages: new.page_range,
            source_sha256: new.source_sha256,
        };
        let e = entry(
            new.at_ms,
            new.actor.as_str(),
            new.original_id.as_str(),
            &action,
        )?;
        append(&mut tx, new.agency_id, &mut head, e).await?;
        let copy = one(&mut tx, new.agency_id, &id).await?;
        tx.commit().await?;
        Ok(copy)
    }

    /// The copy's sealed file is stored: the copy is done (once), journaled on the original.
    pub async fn finish_copy(
        &self,
        copy: &Copy,
        blob: &crate::StoredBlob,
        page_count: i64,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<Copy, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &copy.agency_id).await?;
        crate::documents::write::keep_blob(&mut tx, blob, at_ms).await?;
        let size = i64::try_from(blob.size).unwrap_or(i64::MAX);
        let done = sqlx::query(
            "UPDATE document_copies SET state = $1, sha256 = $2, size = $3, page_count = $4, \
             updated_at_ms = $5, retry_at_ms = NULL \
             WHERE agency_id = $6 AND id = $7 AND state = $8",
        )
        .bind(DONE)
        .bind(&blob.sha256)
        .bind(size)
        .bind(page_count)
        .bind(at_ms)
        .bind(copy.agency_id.as_str())
        .bind(&copy.id)
        .bind(SEALING)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this copy is no longer being sealed".into(),
            ));
        }
        let action = CopySealed {
            copy: &copy.id,
            notation: &copy.notation,
            sha256: &blob.sha256,
        };
        let e = entry(at_ms, actor.as_str(), copy.original_id.as_str(), &action)?;
        append(&mut tx, &copy.agency_id, &mut head, e).await?;
        let out = one(&mut tx, &copy.agency_id, &copy.id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The copy could not be sealed: its number stays taken, with the reason; the server
    /// tries again at `retry_at_ms` (`None`: a clerk decides).
    pub async fn fail_copy(
        &self,
        copy: &Copy,
        reason: &str,
        actor: &PersonId,
        (at_ms, retry_at_ms): (i64, Option<i64>),
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &copy.agency_id).await?;
        sqlx::query(
            "UPDATE document_copies SET state = $1, reason = $2, updated_at_ms = $3, \
             retry_at_ms = $7 WHERE agency_id = $4 AND id = $5 AND state = $6",
        )
        .bind(FAILED)
        .bind(reason)
        .bind(at_ms)
        .bind(copy.agency_id.as_str())
        .bind(&copy.id)
        .bind(SEALING)
        .bind(retry_at_ms)
        .execute(&mut *tx)
        .await?;
        let action = CopyFailed {
            copy: &copy.id,
            notation: &copy.notation,
            reason,
        };
        let e = entry(at_ms, actor.as_str(), copy.original_id.as_str(), &action)?;
        append_and_commit(tx, &copy.agency_id, &mut head, e).await
    }

    /// A copy is being sealed again — a failed one, or one whose sealing node died: back to
    /// `sealing` under a new lease, one attempt more. Once only, as `copy` was read: two
    /// clerks (or nodes) retrying at the same time get one retry and one conflict. Journaled
    /// on the original.
    pub async fn reopen_copy(
        &self,
        copy: &Copy,
        actor: &PersonId,
        (at_ms, lease_until_ms): (i64, i64),
    ) -> Result<Copy, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &copy.agency_id).await?;
        let reopened = sqlx::query(
            "UPDATE document_copies SET state = $1, updated_at_ms = $2, \
             attempts = attempts + 1, retry_at_ms = $6 \
             WHERE agency_id = $3 AND id = $4 AND state = $5 AND attempts = $7",
        )
        .bind(SEALING)
        .bind(at_ms)
        .bind(copy.agency_id.as_str())
        .bind(&copy.id)
        .bind(&copy.state)
        .bind(lease_until_ms)
        .bind(copy.attempts)
        .execute(&mut *tx)
        .await?;
        if reopened.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "only a copy whose seal failed is sealed again".into(),
            ));
        }
        let action = CopyRetried {
            copy: &copy.id,
            notation: &copy.notation,
        };
        let e = entry(at_ms, actor.as_str(), copy.original_id.as_str(), &action)?;
        append(&mut tx, &copy.agency_id, &mut head, e).await?;
        let out = one(&mut tx, &copy.agency_id, &copy.id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Copies of every agency the server takes up by itself now (see
    /// [`Copy::retry_at_ms`]), the most overdue first.
    pub async fn copies_due(&self, now_ms: i64, limit: i64) -> Result<Vec<Copy>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM document_copies WHERE retry_at_ms <= $1 \
             ORDER BY retry_at_ms LIMIT $2"
        ))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(copy_from_row).collect()
    }

    /// One copy of the agency.
    pub async fn copy(&self, agency_id: &AgencyId, id: &str) -> Result<Copy, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM document_copies WHERE agency_id = $1 AND id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        copy_from_row(&row)
    }

    /// The copies made of a document, oldest first.
    pub async fn copies_of(
        &self,
        agency_id: &AgencyId,
        original: &DocumentId,
    ) -> Result<Vec<Copy>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM document_copies WHERE agency_id = $1 AND original_id = $2 \
             ORDER BY created_at_ms, number"
        ))
        .bind(agency_id.as_str())
        .bind(original.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(copy_from_row).collect()
    }

    /// The copies register of a year, by number.
    pub async fn copies_register(
        &self,
        agency_id: &AgencyId,
        year: i64,
    ) -> Result<Vec<Copy>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM document_copies WHERE agency_id = $1 AND year = $2 \
             ORDER BY number"
        ))
        .bind(agency_id.as_str())
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(copy_from_row).collect()
    }
}

async fn one(tx: &mut crate::Tx, agency_id: &AgencyId, id: &str) -> Result<Copy, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM document_copies WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id.as_str())
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    copy_from_row(&row)
}
