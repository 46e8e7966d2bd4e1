//! Long-term archives (issue 11 §4): which issued files to look at, and a renewed file stored
//! as the document's new current revision, journaled.

use signet_core::ids::{AgencyId, DocumentId, PersonId};
use sqlx::Row;

use super::signing::{add_revision, Revision};
use crate::error::corrupt;
use crate::journal::claim_head;
use crate::journal::details::{entry, ArchiveRenewed};
use crate::{Store, StoreError, StoredBlob};

/// An issued document and its current file, as the renewal job sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveCandidate {
    pub agency_id: AgencyId,
    pub document_id: DocumentId,
    pub notation: Option<String>,
    pub sha256: String,
    pub file_name: String,
    /// Who stored the current file (the renewed file keeps them as its author; the journal
    /// names the system as the actor).
    pub created_by: PersonId,
}

/// A renewed file to store: the new blob, the file it was made from, and the new proof's time.
pub struct Renewed<'a> {
    pub candidate: &'a ArchiveCandidate,
    pub blob: &'a StoredBlob,
    /// `document` (a new document timestamp over a B-LTA file) or `signature` (the first
    /// document timestamp of a B-LT file).
    pub renewed_kind: &'a str,
    /// When the timestamp renewed expires (its TSA certificate's notAfter), RFC 3339.
    pub previous_expiry: Option<&'a str>,
    pub at_ms: i64,
}

impl Store {
    /// Issued documents with a current PDF, in (agency, id) order after `after`, `limit` at
    /// most: every agency, since the job runs for the whole deployment.
    pub async fn archive_candidates(
        &self,
        after: Option<(&AgencyId, &DocumentId)>,
        limit: u32,
    ) -> Result<Vec<ArchiveCandidate>, StoreError> {
        let (a, d) = after.map_or(("", ""), |(a, d)| (a.as_str(), d.as_str()));
        let rows = sqlx::query(
            "SELECT d.agency_id, d.id, d.notation, f.sha256, f.file_name, f.created_by \
             FROM documents d JOIN document_files f ON f.document_id = d.id \
             WHERE d.state = 'issued' AND f.kind = 'main' AND f.content_type = 'application/pdf' \
             AND (d.agency_id > $1 OR (d.agency_id = $1 AND d.id > $2)) \
             AND f.id = (SELECT g.id FROM document_files g WHERE g.document_id = d.id \
                         AND g.kind = 'main' ORDER BY g.created_at_ms DESC, g.id DESC LIMIT 1) \
             ORDER BY d.agency_id, d.id LIMIT $3",
        )
        .bind(a)
        .bind(d)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(candidate_from_row).collect()
    }

    /// Stores a renewed file as the document's current revision and journals it
    /// (`archive.renewed`), unless the current file changed since the candidate was read.
    pub async fn record_archive_renewal(&self, r: &Renewed<'_>) -> Result<(), StoreError> {
        let c = r.candidate;
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &c.agency_id).await?;
        let rev = Revision {
            blob: r.blob,
            file_name: &c.file_name,
            source_sha256: &c.sha256,
            actor: &c.created_by,
            at_ms: r.at_ms,
        };
        add_revision(&mut tx, &c.agency_id, &c.document_id, &rev).await?;
        sqlx::query("DELETE FROM archive_failures WHERE document_id = $1")
            .bind(c.document_id.as_str())
            .execute(&mut *tx)
            .await?;
        let action = ArchiveRenewed {
            previous_sha256: &c.sha256,
            sha256: &r.blob.sha256,
            renewed: r.renewed_kind,
            previous_expiry: r.previous_expiry,
        };
        let e = entry(r.at_ms, "system", c.document_id.as_str(), &action)?;
        crate::journal::append(&mut tx, &c.agency_id, &mut head, e).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A document the renewal could not renew, until it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveFailure {
    pub document_id: DocumentId,
    pub notation: Option<String>,
    pub reason: String,
    pub attempts: i64,
    pub first_failed_at_ms: i64,
    pub last_failed_at_ms: i64,
}

/// One renewal run's totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveRun {
    pub started_at_ms: i64,
    pub finished_at_ms: i64,
    pub examined: i64,
    pub renewed: i64,
    pub failed: i64,
}

impl Store {
    /// Keeps (or updates) why `c` could not be renewed; the next run tries again.
    pub async fn record_archive_failure(
        &self,
        c: &ArchiveCandidate,
        reason: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO archive_failures (document_id, agency_id, notation, reason, attempts, \
             first_failed_at_ms, last_failed_at_ms) VALUES ($1, $2, $3, $4, 1, $5, $5) \
             ON CONFLICT (document_id) DO UPDATE SET reason = excluded.reason, \
             attempts = archive_failures.attempts + 1, last_failed_at_ms = excluded.last_failed_at_ms",
        )
        .bind(c.document_id.as_str())
        .bind(c.agency_id.as_str())
        .bind(c.notation.as_deref())
        .bind(reason)
        .bind(at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a run's totals.
    pub async fn record_archive_run(&self, run: &ArchiveRun) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO archive_runs (id, started_at_ms, finished_at_ms, examined, renewed, failed) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::new_id())
        .bind(run.started_at_ms)
        .bind(run.finished_at_ms)
        .bind(run.examined)
        .bind(run.renewed)
        .bind(run.failed)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The agency's documents waiting for a renewal that failed, most recent failure first.
    pub async fn archive_failures(
        &self,
        agency_id: &AgencyId,
    ) -> Result<Vec<ArchiveFailure>, StoreError> {
        let rows = sqlx::query(
            "SELECT document_id, notation, reason, attempts, first_failed_at_ms, last_failed_at_ms \
             FROM archive_failures WHERE agency_id = $1 ORDER BY last_failed_at_ms DESC, document_id",
        )
        .bind(agency_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ArchiveFailure {
                    document_id: DocumentId::new(r.try_get::<String, _>("document_id")?),
                    notation: r.try_get("notation")?,
                    reason: r.try_get("reason")?,
                    attempts: r.try_get("attempts")?,
                    first_failed_at_ms: r.try_get("first_failed_at_ms")?,
                    last_failed_at_ms: r.try_get("last_failed_at_ms")?,
                })
            })
            .collect()
    }

    /// The latest runs, newest first.
    pub async fn archive_runs(&self, limit: u32) -> Result<Vec<ArchiveRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT started_at_ms, finished_at_ms, examined, renewed, failed FROM archive_runs \
             ORDER BY started_at_ms DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ArchiveRun {
                    started_at_ms: r.try_get("started_at_ms")?,
                    finished_at_ms: r.try_get("finished_at_ms")?,
                    examined: r.try_get("examined")?,
                    renewed: r.try_get("renewed")?,
                    failed: r.try_get("failed")?,
                })
            })
            .collect()
    }
}

fn candidate_from_row(row: &sqlx::any::AnyRow) -> Result<ArchiveCandidate, StoreError> {
    let text = |i: usize| {
        row.try_get::<String, _>(i)
            .map_err(|e| corrupt("archive candidate", e))
    };
    Ok(ArchiveCandidate {
        agency_id: AgencyId::new(text(0)?),
        document_id: DocumentId::new(text(1)?),
        notation: row
            .try_get::<Option<String>, _>(2)
            .map_err(|e| corrupt("archive candidate", e))?,
        sha256: text(3)?,
        file_name: text(4)?,
        created_by: PersonId::new(text(5)?),
    })
}
