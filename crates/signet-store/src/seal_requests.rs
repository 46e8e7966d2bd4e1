//! PDFs another system hands the agency to be sealed (issue 14 §5), and the document types
//! the agency seals without a clerk's approval.
//!
//! A request is `pending` until a clerk approves (or at once when its type is allowed),
//! `sealing` while one node makes the seal (taken with a guarded UPDATE, so two clerks never
//! seal twice; a stale `sealing` older than [`SEALING_LEASE_MS`] may be taken again),
//! `sealed` (the file ready, `seal.completed` written in the same transaction), `rejected`
//! with the clerk's reason, or `failed` with the reason the seal could not be made (a clerk
//! may approve it again).

use serde::Serialize;
use signet_core::ids::AgencyId;
use sqlx::Row;

use crate::journal::details::{entry, Action};
use crate::journal::{append_and_commit, claim_head};
use crate::{Store, StoreError};

pub const PENDING: &str = "pending";
pub const SEALING: &str = "sealing";
pub const SEALED: &str = "sealed";
pub const REJECTED: &str = "rejected";
pub const FAILED: &str = "failed";

/// How long a `sealing` request is held by the node making its seal.
pub const SEALING_LEASE_MS: i64 = 10 * 60 * 1000;

/// A seal request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealRequest {
    pub id: String,
    pub agency_id: AgencyId,
    pub requested_by: String,
    /// The document type's code (`signet_core::document::DocumentType::code`).
    pub doc_type: String,
    /// The other system's reference (its dossier or record number).
    pub reference: String,
    pub file_name: String,
    pub source_sha256: String,
    pub sealed_sha256: Option<String>,
    pub state: String,
    pub reason: String,
    pub decided_by: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// A request to record.
#[derive(Debug, Clone)]
pub struct NewSealRequest<'a> {
    pub agency_id: &'a AgencyId,
    pub requested_by: &'a str,
    pub doc_type: &'a str,
    pub reference: &'a str,
    pub file_name: &'a str,
    pub source_sha256: &'a str,
    pub at_ms: i64,
}

const COLUMNS: &str = "id, agency_id, requested_by, doc_type, reference, file_name, \
    source_sha256, sealed_sha256, state, reason, decided_by, created_at_ms, updated_at_ms";

fn request(r: &sqlx::any::AnyRow) -> Result<SealRequest, StoreError> {
    Ok(SealRequest {
        id: r.try_get("id")?,
        agency_id: AgencyId::from(r.try_get::<String, _>("agency_id")?),
        requested_by: r.try_get("requested_by")?,
        doc_type: r.try_get("doc_type")?,
        reference: r.try_get("reference")?,
        file_name: r.try_get("file_name")?,
        source_sha256: r.try_get("source_sha256")?,
        sealed_sha256: r.try_get("sealed_sha256")?,
        state: r.try_get("state")?,
        reason: r.try_get("reason")?,
        decided_by: r.try_get("decided_by")?,
        created_at_ms: r.try_get("created_at_ms")?,
        updated_at_ms: r.try_get("updated_at_ms")?,
    })
}

#[derive(Serialize)]
struct Received<'a> {
    doc_type: &'a str,
    reference: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct Decided<'a> {
    state: &'a str,
    reason: &'a str,
    sha256: &'a str,
}

impl Action for Received<'_> {
    fn name(&self) -> String {
        "seal_request.received".to_owned()
    }
}

impl Action for Decided<'_> {
    fn name(&self) -> String {
        format!("seal_request.{}", self.state)
    }
}

/// The body of `seal.completed`.
#[derive(Serialize)]
struct Completed<'a> {
    seal_request_id: &'a str,
    reference: &'a str,
    document_type: &'a str,
    sha256: &'a str,
    file: String,
}

impl Store {
    /// Records a request (journaled), `pending`.
    pub async fn create_seal_request(
        &self,
        new: &NewSealRequest<'_>,
    ) -> Result<SealRequest, StoreError> {
        let id = crate::new_id();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, new.agency_id).await?;
        sqlx::query(
            "INSERT INTO seal_requests (id, agency_id, requested_by, doc_type, reference, \
             file_name, source_sha256, state, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(new.agency_id.as_str())
        .bind(new.requested_by)
        .bind(new.doc_type)
        .bind(new.reference)
        .bind(new.file_name)
        .bind(new.source_sha256)
        .bind(PENDING)
        .bind(new.at_ms)
        .bind(new.at_ms)
        .execute(&mut *tx)
        .await?;
        let action = Received {
            doc_type: new.doc_type,
            reference: new.reference,
            sha256: new.source_sha256,
        };
        let e = entry(new.at_ms, new.requested_by, &id, &action)?;
        append_and_commit(tx, new.agency_id, &mut head, e).await?;
        self.seal_request(new.agency_id, &id).await
    }

    pub async fn seal_request(
        &self,
        agency_id: &AgencyId,
        id: &str,
    ) -> Result<SealRequest, StoreError> {
        let r = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM seal_requests WHERE agency_id = $1 AND id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        request(&r)
    }

    /// The agency's requests, newest first, optionally one state only.
    pub async fn seal_requests(
        &self,
        agency_id: &AgencyId,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SealRequest>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM seal_requests WHERE agency_id = $1 \
             AND ($2 = '' OR state = $2) ORDER BY created_at_ms DESC, id LIMIT $3"
        ))
        .bind(agency_id.as_str())
        .bind(state.unwrap_or_default())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request).collect()
    }

    /// Takes a request for sealing (pending or failed, or a stale `sealing`); `Conflict` when
    /// it is sealed, rejected or being sealed.
    pub async fn start_sealing(
        &self,
        agency_id: &AgencyId,
        id: &str,
        actor: &str,
        at_ms: i64,
    ) -> Result<SealRequest, StoreError> {
        let done = sqlx::query(
            "UPDATE seal_requests SET state = $1, decided_by = $2, updated_at_ms = $3 \
             WHERE agency_id = $4 AND id = $5 \
             AND (state = $6 OR state = $7 OR (state = $1 AND updated_at_ms < $8))",
        )
        .bind(SEALING)
        .bind(actor)
        .bind(at_ms)
        .bind(agency_id.as_str())
        .bind(id)
        .bind(PENDING)
        .bind(FAILED)
        .bind(at_ms - SEALING_LEASE_MS)
        .execute(&self.pool)
        .await?;
        let r = self.seal_request(agency_id, id).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "this seal request is {}",
                r.state
            )));
        }
        Ok(r)
    }

    /// The seal is made: the request is sealed with its file, journaled, and `seal.completed`
    /// written for subscribers, in one transaction.
    pub async fn finish_sealing(
        &self,
        r: &SealRequest,
        sealed_sha256: &str,
        at_ms: i64,
    ) -> Result<SealRequest, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &r.agency_id).await?;
        let done = sqlx::query(
            "UPDATE seal_requests SET state = $1, sealed_sha256 = $2, reason = '', updated_at_ms = $3 \
             WHERE agency_id = $4 AND id = $5 AND state = $6",
        )
        .bind(SEALED)
        .bind(sealed_sha256)
        .bind(at_ms)
        .bind(r.agency_id.as_str())
        .bind(&r.id)
        .bind(SEALING)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this seal request is no longer being sealed".into(),
            ));
        }
        let id = &r.id;
        let completed = Completed {
            seal_request_id: &r.id,
            reference: &r.reference,
            document_type: &r.doc_type,
            sha256: sealed_sha256,
            file: format!("/api/v1/seal-requests/{id}/file"),
        };
        crate::webhooks::emit(
            &mut tx,
            &r.agency_id,
            crate::webhooks::SEAL_COMPLETED,
            &completed,
            at_ms,
        )
        .await?;
        let actor = r.decided_by.as_deref().unwrap_or("system");
        let action = Decided {
            state: SEALED,
            reason: "",
            sha256: sealed_sha256,
        };
        let e = entry(at_ms, actor, &r.id, &action)?;
        append_and_commit(tx, &r.agency_id, &mut head, e).await?;
        self.seal_request(&r.agency_id, &r.id).await
    }

    /// The seal could not be made (`failed`, with the reason), or a clerk refused the
    /// request (`rejected`). Journaled.
    pub async fn end_seal_request(
        &self,
        agency_id: &AgencyId,
        id: &str,
        state: &str,
        reason: &str,
        actor: &str,
        at_ms: i64,
    ) -> Result<SealRequest, StoreError> {
        // A clerk rejects a request waiting for a decision; a seal fails while being made.
        let from: &[&str] = if state == REJECTED {
            &[PENDING, FAILED]
        } else {
            &[SEALING, SEALING]
        };
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query(
            "UPDATE seal_requests SET state = $1, reason = $2, decided_by = $3, updated_at_ms = $4 \
             WHERE agency_id = $5 AND id = $6 AND (state = $7 OR state = $8)",
        )
        .bind(state)
        .bind(reason)
        .bind(actor)
        .bind(at_ms)
        .bind(agency_id.as_str())
        .bind(id)
        .bind(from[0])
        .bind(from[1])
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            let r = self.seal_request(agency_id, id).await?;
            return Err(StoreError::Conflict(format!(
                "this seal request is {}",
                r.state
            )));
        }
        let action = Decided {
            state,
            reason,
            sha256: "",
        };
        let e = entry(at_ms, actor, id, &action)?;
        append_and_commit(tx, agency_id, &mut head, e).await?;
        self.seal_request(agency_id, id).await
    }

    /// The document types the agency seals without a clerk's approval.
    pub async fn auto_seal_types(&self, agency_id: &AgencyId) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT doc_type FROM seal_auto_types WHERE agency_id = $1 ORDER BY doc_type",
        )
        .bind(agency_id.as_str())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Replaces the agency's automatically sealed document types.
    pub async fn set_auto_seal_types(
        &self,
        agency_id: &AgencyId,
        types: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM seal_auto_types WHERE agency_id = $1")
            .bind(agency_id.as_str())
            .execute(&mut *tx)
            .await?;
        for t in types {
            sqlx::query("INSERT INTO seal_auto_types (agency_id, doc_type) VALUES ($1, $2)")
                .bind(agency_id.as_str())
                .bind(t)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
