//! Signing from the web (issue 9): prepared signatures waiting for a device, the officer's
//! mark of the leader's box, new revisions of a document's file, issuance waiting for the
//! seal, and the verdicts on the issued file.
//!
//! A signed revision is stored as a new `main` file of the document (every revision stays in
//! the content-addressed store); the newest `main` file is the document's current file.

use signet_core::ids::{AgencyId, DocumentId, PersonId};
use signet_core::lifecycle::{Issued, Moved, Outgoing, Signed};
use signet_core::register::{Notation, Series};
use signet_core::CoreError;
use sqlx::Row;

use super::numbering::next_number;
use super::terms::{index_document, search_text};
use super::{fetch, file_from_row, journal_and_commit, Document, DocumentFile};
use crate::error::corrupt;
use crate::journal::claim_head;
use crate::journal::details::{entry, DocumentNumbered, DocumentSealed, DocumentSignedFile};
use crate::{new_id, Store, StoreError, StoredBlob, Tx};

/// A signature prepared for a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignature {
    pub id: String,
    pub agency_id: AgencyId,
    pub document_id: DocumentId,
    /// `personal` or `organization`.
    pub role: String,
    /// `agent`, `phone`, `server` (what the page offered).
    pub device: String,
    /// The prepared PDF, with its placeholder.
    pub prepared_sha256: String,
    /// Everything else completing needs (JSON).
    pub state_json: String,
    /// SHA-256 of the signed attributes: what the device signs (hex).
    pub digest_hex: String,
    /// The document's file it was prepared from.
    pub source_sha256: String,
    pub requested_by: PersonId,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    /// `pending`, `completed` or `refused`.
    pub state: String,
    pub refusal: Option<String>,
}

/// The officer's mark of where the leader signs.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureMark {
    pub page: usize,
    pub rect: [f64; 4],
}

/// An issuance: number taken, seal waiting, done or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealJob {
    pub id: String,
    pub agency_id: AgencyId,
    pub document_id: DocumentId,
    pub series: String,
    pub year: i64,
    pub number: i64,
    pub notation: String,
    pub issued_on: String,
    /// `waiting`, `done` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub requested_by: PersonId,
    pub created_at_ms: i64,
    pub next_attempt_ms: i64,
}

/// A new revision of a document's file.
#[derive(Debug, Clone)]
pub struct Revision<'a> {
    pub blob: &'a StoredBlob,
    pub file_name: &'a str,
    /// The current file it was made from: refused when the document changed meanwhile.
    pub source_sha256: &'a str,
    pub actor: &'a PersonId,
    pub at_ms: i64,
}

/// The verdicts of Signet's verifier on an issued file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdicts {
    pub leader_signature_valid: bool,
    pub seal_valid: bool,
}

const PENDING_COLUMNS: &str = "id, agency_id, document_id, role, device, prepared_sha256, \
    state_json, digest_hex, source_sha256, requested_by, created_at_ms, expires_at_ms, state, refusal";

const JOB_COLUMNS: &str = "id, agency_id, document_id, series, year, number, notation, issued_on, \
    state, attempts, last_error, requested_by, created_at_ms, next_attempt_ms";

fn pending_from_row(r: &sqlx::any::AnyRow) -> Result<PendingSignature, StoreError> {
    use crate::sql::RowExt;
    Ok(PendingSignature {
        id: r.try_get("id")?,
        agency_id: r.id("agency_id")?,
        document_id: r.id("document_id")?,
        role: r.try_get("role")?,
        device: r.try_get("device")?,
        prepared_sha256: r.try_get("prepared_sha256")?,
        state_json: r.try_get("state_json")?,
        digest_hex: r.try_get("digest_hex")?,
        source_sha256: r.try_get("source_sha256")?,
        requested_by: r.id("requested_by")?,
        created_at_ms: r.try_get("created_at_ms")?,
        expires_at_ms: r.try_get("expires_at_ms")?,
        state: r.try_get("state")?,
        refusal: r.try_get("refusal")?,
    })
}

fn job_from_row(r: &sqlx::any::AnyRow) -> Result<SealJob, StoreError> {
    use crate::sql::RowExt;
    Ok(SealJob {
        id: r.try_get("id")?,
        agency_id: r.id("agency_id")?,
        document_id: r.id("document_id")?,
        series: r.try_get("series")?,
        year: r.try_get("year")?,
        number: r.try_get("number")?,
        notation: r.try_get("notation")?,
        issued_on: r.try_get("issued_on")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        requested_by: r.id("requested_by")?,
        created_at_ms: r.try_get("created_at_ms")?,
        next_attempt_ms: r.try_get("next_attempt_ms")?,
    })
}

async fn record_blob(tx: &mut Tx, blob: &StoredBlob, at_ms: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO blobs (sha256, size, created_at_ms) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&blob.sha256)
    .bind(blob.size as i64)
    .bind(at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The newest `main` file of a document (its current file).
async fn current_file_in(
    tx: &mut Tx,
    agency_id: &AgencyId,
    id: &DocumentId,
) -> Result<Option<DocumentFile>, StoreError> {
    let row = sqlx::query(
        "SELECT f.id, f.document_id, f.sha256, f.file_name, f.content_type, f.size, f.kind, \
         f.created_at_ms, f.version FROM document_files f JOIN documents d ON d.id = f.document_id \
         WHERE d.agency_id = $1 AND f.document_id = $2 AND f.kind = 'main' \
         ORDER BY f.created_at_ms DESC, f.id DESC LIMIT 1",
    )
    .bind(agency_id.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(file_from_row).transpose()
}

/// Adds `rev` as the document's current file, refusing when the current file is no longer
/// the one it was made from. Its time is after the current file's, so it sorts last.
pub(super) async fn add_revision(
    tx: &mut Tx,
    agency_id: &AgencyId,
    id: &DocumentId,
    rev: &Revision<'_>,
) -> Result<(), StoreError> {
    let current = current_file_in(tx, agency_id, id).await?;
    let Some(current) = current.filter(|c| c.sha256 == rev.source_sha256) else {
        return Err(StoreError::Conflict(
            "the document's file changed since the signature was prepared".into(),
        ));
    };
    record_blob(tx, rev.blob, rev.at_ms).await?;
    sqlx::query(
        "INSERT INTO document_files (id, document_id, sha256, file_name, content_type, size, kind, created_by, created_at_ms) \
         VALUES ($1, $2, $3, $4, 'application/pdf', $5, 'main', $6, $7)",
    )
    .bind(new_id())
    .bind(id.as_str())
    .bind(&rev.blob.sha256)
    .bind(rev.file_name)
    .bind(rev.blob.size as i64)
    .bind(rev.actor.as_str())
    .bind(rev.at_ms.max(current.created_at_ms + 1))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The document's current file: its newest `main` file.
    pub async fn current_file(
        &self,
        agency_id: &AgencyId,
        id: &DocumentId,
    ) -> Result<Option<DocumentFile>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let f = current_file_in(&mut tx, agency_id, id).await?;
        tx.commit().await?;
        Ok(f)
    }

    /// Keeps a prepared signature (its prepared PDF already in the blob store).
    pub async fn insert_pending_signature(
        &self,
        p: &PendingSignature,
        prepared: &StoredBlob,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        record_blob(&mut tx, prepared, p.created_at_ms).await?;
        sqlx::query(&format!(
            "INSERT INTO pending_signatures ({PENDING_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(&p.id)
        .bind(p.agency_id.as_str())
        .bind(p.document_id.as_str())
        .bind(&p.role)
        .bind(&p.device)
        .bind(&p.prepared_sha256)
        .bind(&p.state_json)
        .bind(&p.digest_hex)
        .bind(&p.source_sha256)
        .bind(p.requested_by.as_str())
        .bind(p.created_at_ms)
        .bind(p.expires_at_ms)
        .bind(&p.state)
        .bind(p.refusal.as_deref())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A prepared signature of the agency.
    pub async fn pending_signature(
        &self,
        agency_id: &AgencyId,
        id: &str,
    ) -> Result<PendingSignature, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PENDING_COLUMNS} FROM pending_signatures WHERE agency_id = $1 AND id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        pending_from_row(&row)
    }

    /// Marks a pending signature refused (late, mismatched…); false when it was no longer
    /// pending.
    pub async fn refuse_pending_signature(
        &self,
        agency_id: &AgencyId,
        id: &str,
        reason: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE pending_signatures SET state = 'refused', refusal = $1, finished_at_ms = $2 \
             WHERE agency_id = $3 AND id = $4 AND state = 'pending'",
        )
        .bind(reason)
        .bind(at_ms)
        .bind(agency_id.as_str())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The leader's signature arrived: in one transaction the pending signature is completed
    /// (once), the signed revision becomes the current file (if the file did not change) and
    /// the document moves to signed.
    pub async fn complete_leader_signature(
        &self,
        agency_id: &AgencyId,
        pending_id: &str,
        step: &Moved<Outgoing<Signed>>,
        rev: &Revision<'_>,
    ) -> Result<Document, StoreError> {
        let t = step.transition();
        let id = t.document();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        finish_pending(&mut tx, agency_id, pending_id, rev.at_ms).await?;
        add_revision(&mut tx, agency_id, id, rev).await?;
        let done = sqlx::query(
            "UPDATE documents SET state = $1, updated_at_ms = $2 WHERE agency_id = $3 AND id = $4 AND state = $5",
        )
        .bind(t.to().code())
        .bind(rev.at_ms)
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .bind(t.from().code())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(wrong_state(&mut tx, agency_id, id, t.from().code()).await);
        }
        super::write::record_signer(&mut tx, agency_id, id, rev.actor).await?;
        let action = DocumentSignedFile {
            from: t.from().code(),
            to: t.to().code(),
            sha256: &rev.blob.sha256,
            pending: pending_id,
        };
        let entry = entry(rev.at_ms, rev.actor.as_str(), id.as_str(), &action)?;
        journal_and_commit(tx, agency_id, &mut head, entry, id).await
    }

    /// A reviewer's ký nháy arrived: in one transaction the pending signature is completed
    /// (once), the initialled revision becomes the current file (if the file did not change)
    /// and the reviewer's approval is recorded — the draft stays submitted.
    pub async fn complete_initial(
        &self,
        agency_id: &AgencyId,
        pending_id: &str,
        id: &DocumentId,
        rev: &Revision<'_>,
    ) -> Result<Document, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        finish_pending(&mut tx, agency_id, pending_id, rev.at_ms).await?;
        add_revision(&mut tx, agency_id, id, rev).await?;
        let doc = fetch(&mut tx, agency_id, id).await?;
        let sha = rev.blob.sha256.as_str();
        let entry =
            super::review::approve_in(&mut tx, &doc, rev.actor, rev.at_ms, Some(sha)).await?;
        journal_and_commit(tx, agency_id, &mut head, entry, id).await
    }

    /// Sets (or replaces) the officer's mark of the leader's box.
    pub async fn set_signature_mark(
        &self,
        agency_id: &AgencyId,
        id: &DocumentId,
        mark: &SignatureMark,
        by: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let rect = mark.rect.map(|v| format!("{v:.2}")).join(" ");
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM signature_marks WHERE agency_id = $1 AND document_id = $2")
            .bind(agency_id.as_str())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO signature_marks (document_id, agency_id, page, rect, marked_by, marked_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.as_str())
        .bind(agency_id.as_str())
        .bind(mark.page as i64)
        .bind(rect)
        .bind(by.as_str())
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The officer's mark, if any.
    pub async fn signature_mark(
        &self,
        agency_id: &AgencyId,
        id: &DocumentId,
    ) -> Result<Option<SignatureMark>, StoreError> {
        let row = sqlx::query(
            "SELECT page, rect FROM signature_marks WHERE agency_id = $1 AND document_id = $2",
        )
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let page: i64 = row.try_get("page")?;
        let text: String = row.try_get("rect")?;
        let v: Vec<f64> = text.split(' ').filter_map(|x| x.parse().ok()).collect();
        let rect: [f64; 4] = v.try_into().map_err(|_| corrupt("signature mark", &text))?;
        Ok(Some(SignatureMark {
            page: usize::try_from(page).map_err(|_| corrupt("mark page", page))?,
            rect,
        }))
    }

    /// The clerk issues: the next number of the document's series is taken and kept in a
    /// seal job (`waiting`); the document stays signed until the seal is on the file with
    /// that number ([`Store::finish_issue`]). Refused while another issuance of the document
    /// waits for its seal.
    pub async fn reserve_issue(
        &self,
        req: &super::Issue<'_>,
        notation: impl FnOnce(u32, &Document) -> Result<Notation, CoreError>,
    ) -> Result<SealJob, StoreError> {
        let t = req.step.transition();
        let id = t.document();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, req.agency_id).await?;
        let doc = fetch(&mut tx, req.agency_id, id).await?;
        if doc.state != t.from() {
            return Err(CoreError::WrongState {
                expected: t.from().code(),
                actual: doc.state.code(),
            }
            .into());
        }
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM seal_jobs WHERE document_id = $1 AND state = 'waiting'",
        )
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if waiting > 0 {
            return Err(StoreError::Conflict(
                "the document is already waiting for the seal".into(),
            ));
        }
        let series = Series::for_outgoing(doc.doc_type, doc.secrecy).key();
        let number = next_number(&mut tx, req.agency_id, &series, req.year).await?;
        let n = u32::try_from(number).map_err(|_| corrupt("counter", number))?;
        let notation = notation(n, &doc)?.to_string();
        let job = SealJob {
            id: new_id(),
            agency_id: req.agency_id.clone(),
            document_id: id.clone(),
            series,
            year: i64::from(req.year),
            number,
            notation,
            issued_on: req.issued_on.to_owned(),
            state: "waiting".into(),
            attempts: 0,
            last_error: None,
            requested_by: req.actor.clone(),
            created_at_ms: req.at_ms,
            next_attempt_ms: req.at_ms,
        };
        sqlx::query(&format!(
            "INSERT INTO seal_jobs ({JOB_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(&job.id)
        .bind(job.agency_id.as_str())
        .bind(job.document_id.as_str())
        .bind(&job.series)
        .bind(job.year)
        .bind(job.number)
        .bind(&job.notation)
        .bind(&job.issued_on)
        .bind(&job.state)
        .bind(job.attempts)
        .bind(job.last_error.as_deref())
        .bind(job.requested_by.as_str())
        .bind(job.created_at_ms)
        .bind(job.next_attempt_ms)
        .execute(&mut *tx)
        .await?;
        let action = DocumentNumbered {
            number,
            notation: &job.notation,
            series: &job.series,
        };
        let e = entry(req.at_ms, req.actor.as_str(), id.as_str(), &action)?;
        crate::journal::append(&mut tx, req.agency_id, &mut head, e).await?;
        tx.commit().await?;
        Ok(job)
    }

    /// The seal is on the file: in one transaction the job is done (once), the sealed file
    /// becomes the current one, the document is issued with the job's number, and the
    /// verifier's verdicts are kept.
    pub async fn finish_issue(
        &self,
        job: &SealJob,
        step: &Moved<Outgoing<Issued>>,
        rev: &Revision<'_>,
        verdicts: Verdicts,
    ) -> Result<Document, StoreError> {
        let t = step.transition();
        let (agency_id, id) = (&job.agency_id, t.document());
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query(
            "UPDATE seal_jobs SET state = 'done', attempts = attempts + 1, last_error = NULL, finished_at_ms = $1 \
             WHERE id = $2 AND agency_id = $3 AND state = 'waiting'",
        )
        .bind(rev.at_ms)
        .bind(&job.id)
        .bind(agency_id.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this issuance is no longer waiting for its seal".into(),
            ));
        }
        add_revision(&mut tx, agency_id, id, rev).await?;
        let doc = fetch(&mut tx, agency_id, id).await?;
        let updated = sqlx::query(
            "UPDATE documents SET state = $1, series = $2, year = $3, number = $4, notation = $5, \
             issued_on = $6, search_text = $7, updated_at_ms = $8 \
             WHERE agency_id = $9 AND id = $10 AND state = $11",
        )
        .bind(t.to().code())
        .bind(&job.series)
        .bind(job.year)
        .bind(job.number)
        .bind(&job.notation)
        .bind(&job.issued_on)
        .bind(search_text(
            &doc.subject,
            Some(&job.notation),
            &doc.author_name,
        ))
        .bind(rev.at_ms)
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .bind(t.from().code())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(wrong_state(&mut tx, agency_id, id, t.from().code()).await);
        }
        index_document(&mut tx, agency_id, id, doc.created_at_ms, &job.notation).await?;
        // The oversight counters move in the same transaction: one more issued document in
        // the month of its issue date, and the verdicts of its sealed file.
        let month = crate::statistics::month_of(&job.issued_on)?;
        let issued = crate::statistics::Counters {
            issued: 1,
            ..Default::default()
        };
        crate::statistics::bump(&mut tx, agency_id, &month, &issued).await?;
        let judged = crate::statistics::Verdicts {
            file_sha256: &rev.blob.sha256,
            leader_valid: verdicts.leader_signature_valid,
            seal_valid: verdicts.seal_valid,
            at_ms: rev.at_ms,
        };
        crate::statistics::upsert_verdicts(&mut tx, agency_id, id, &month, &judged).await?;
        let action = DocumentSealed {
            number: job.number,
            notation: &job.notation,
            series: &job.series,
            issued_on: &job.issued_on,
            sha256: &rev.blob.sha256,
        };
        let e = entry(rev.at_ms, rev.actor.as_str(), id.as_str(), &action)?;
        crate::journal::append(&mut tx, agency_id, &mut head, e).await?;
        // The outbox: one consignment per recipient, issued together or not at all.
        let actor = rev.actor.as_str();
        crate::exchange::enqueue_issue(&mut tx, agency_id, id, actor, &mut head, rev.at_ms).await?;
        let sha = Some(rev.blob.sha256.as_str());
        crate::webhooks::document_issued(
            &mut tx,
            &doc,
            &job.notation,
            &job.issued_on,
            sha,
            rev.at_ms,
        )
        .await?;
        let doc = fetch(&mut tx, agency_id, id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// A seal attempt failed: `retry_at_ms` is when to try again, or `None` when it finally
    /// failed (the number stays taken, shown in the register with `error`).
    pub async fn seal_attempt_failed(
        &self,
        job_id: &str,
        error: &str,
        retry_at_ms: Option<i64>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let (state, next, finished) = match retry_at_ms {
            Some(t) => ("waiting", t, None),
            None => ("failed", at_ms, Some(at_ms)),
        };
        sqlx::query(
            "UPDATE seal_jobs SET state = $1, attempts = attempts + 1, last_error = $2, \
             next_attempt_ms = $3, finished_at_ms = $4 WHERE id = $5 AND state = 'waiting'",
        )
        .bind(state)
        .bind(error)
        .bind(next)
        .bind(finished)
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Seal jobs due for an attempt at `now_ms`, all agencies (the background retry).
    pub async fn due_seal_jobs(&self, now_ms: i64) -> Result<Vec<SealJob>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM seal_jobs WHERE state = 'waiting' AND next_attempt_ms <= $1 \
             ORDER BY next_attempt_ms LIMIT 100"
        ))
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// Claims a due job for one attempt by moving its next attempt `lease_ms` ahead: the
    /// other nodes on the same database skip it, and if this node dies mid-attempt the job
    /// is due again when the lease ends. False when another node claimed it first. (A
    /// conditional update rather than `FOR UPDATE SKIP LOCKED`, so it holds no lock while
    /// the TSA answers and works the same on SQLite.)
    pub async fn claim_seal_job(
        &self,
        job_id: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE seal_jobs SET next_attempt_ms = $1 \
             WHERE id = $2 AND state = 'waiting' AND next_attempt_ms <= $3",
        )
        .bind(now_ms + lease_ms)
        .bind(job_id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// The newest seal job of a document, if any.
    pub async fn seal_job_of(
        &self,
        agency_id: &AgencyId,
        id: &DocumentId,
    ) -> Result<Option<SealJob>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM seal_jobs WHERE agency_id = $1 AND document_id = $2 \
             ORDER BY created_at_ms DESC, id DESC LIMIT 1"
        ))
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// Numbers taken by seals that finally failed, for a register (series and year).
    pub async fn failed_seal_jobs(
        &self,
        agency_id: &AgencyId,
        year: i64,
    ) -> Result<Vec<SealJob>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM seal_jobs WHERE agency_id = $1 AND year = $2 \
             AND state = 'failed' ORDER BY series, number"
        ))
        .bind(agency_id.as_str())
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// The verifier's verdicts on a document's issued file (leader's signature, seal).
    pub async fn signature_verdicts(
        &self,
        agency_id: &AgencyId,
        id: &DocumentId,
    ) -> Result<Option<Verdicts>, StoreError> {
        let row = sqlx::query(
            "SELECT leader_signature_valid, seal_valid FROM signature_verdicts \
             WHERE agency_id = $1 AND document_id = $2",
        )
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Verdicts {
            leader_signature_valid: r.try_get::<i64, _>("leader_signature_valid")? == 1,
            seal_valid: r.try_get::<i64, _>("seal_valid")? == 1,
        }))
    }
}

/// Completes a pending signature once: a second answer finds it no longer pending.
async fn finish_pending(
    tx: &mut Tx,
    agency_id: &AgencyId,
    pending_id: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE pending_signatures SET state = 'completed', finished_at_ms = $1 \
         WHERE agency_id = $2 AND id = $3 AND state = 'pending'",
    )
    .bind(at_ms)
    .bind(agency_id.as_str())
    .bind(pending_id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(
            "this signature was already completed or refused".into(),
        ));
    }
    Ok(())
}

async fn wrong_state(
    tx: &mut Tx,
    agency_id: &AgencyId,
    id: &DocumentId,
    expected: &'static str,
) -> StoreError {
    match fetch(tx, agency_id, id).await {
        Ok(current) => CoreError::WrongState {
            expected,
            actual: current.state.code(),
        }
        .into(),
        Err(e) => e,
    }
}
