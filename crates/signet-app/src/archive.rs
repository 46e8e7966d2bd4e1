//! Archives that stay valid (issue 11 §4, B-LTA renewal): before the timestamp that proves
//! when an issued file existed can no longer be trusted (its TSA certificate expires), the file
//! gets the validation data of everything in it and a new document timestamp, stored as a new
//! revision and journaled (`archive.renewed`). A B-LT file's first renewal makes it B-LTA.
//! `signet archive renew` runs it from the command line; `signet serve` daily.

use signet_core::ids::{AgencyId, DocumentId};
use signet_pades::archive::{renewal_due, Renewal, TimestampKind};
use signet_store::documents::archive::{ArchiveCandidate, Renewed};
use time::OffsetDateTime;
use tokio::task::JoinSet;

use crate::error::AppError;
use crate::App;

/// How far ahead the daily job looks: a timestamp whose TSA certificate expires within this
/// many days is renewed now, leaving time to retry when the TSA cannot be reached.
pub const RENEW_AHEAD_DAYS: i64 = 90;
/// Field name of the archive timestamps (numbered when there are several).
const FIELD: &str = "Signet-ArchiveTimeStamp";
/// Candidates read per page.
const PAGE: u32 = 200;

/// True when the newest document timestamp of `pdf` stays trustworthy past `expiry`.
fn outlasts(pdf: &[u8], expiry: Option<OffsetDateTime>) -> bool {
    let Ok(doc) = signet_pdf::Document::parse(pdf) else {
        return false;
    };
    let new = signet_pades::archive::last_timestamp(&doc).and_then(|t| t.tsa.map(|c| c.not_after));
    match (new, expiry) {
        (Some(new), Some(old)) => new > old,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// What one run found and did.
#[derive(Debug, Default)]
pub struct RenewalRun {
    pub examined: usize,
    /// No timestamp in the file (nothing proves a time; nothing to renew).
    pub not_archived: usize,
    pub not_due: usize,
    pub renewed: Vec<RenewedDocument>,
    pub failed: Vec<FailedRenewal>,
}

#[derive(Debug)]
pub struct RenewedDocument {
    pub agency_id: AgencyId,
    pub document_id: DocumentId,
    pub notation: Option<String>,
    /// What was renewed: a document timestamp, or (first renewal) a signature's timestamp.
    pub kind: TimestampKind,
    /// When the renewed timestamp's TSA certificate expires (`None`: the token named none).
    pub expiry: Option<OffsetDateTime>,
    /// The new file; `None` in a dry run.
    pub sha256: Option<String>,
}

#[derive(Debug)]
pub struct FailedRenewal {
    pub agency_id: AgencyId,
    pub document_id: DocumentId,
    pub notation: Option<String>,
    pub reason: String,
}

/// The renewal report an administrator reads (`/admin/archive`).
#[derive(Debug)]
pub struct ArchiveReport {
    pub runs: Vec<signet_store::documents::archive::ArchiveRun>,
    pub failures: Vec<signet_store::documents::archive::ArchiveFailure>,
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

enum Outcome {
    NotArchived,
    NotDue,
    Renewed(RenewedDocument),
    Failed(FailedRenewal),
}

impl App {
    /// Renews every issued file whose protecting timestamp's TSA certificate expires before
    /// `horizon` (`dry_run`: only says which). A failure (TSA unreachable, file changed
    /// meanwhile) is reported and the file stays due: the next run tries again.
    pub async fn renew_archives(
        &self,
        horizon: OffsetDateTime,
        dry_run: bool,
    ) -> Result<RenewalRun, AppError> {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let started_at_ms = self.clock.now_ms();
        let mut run = RenewalRun::default();
        let mut after: Option<(AgencyId, DocumentId)> = None;
        loop {
            let page = self
                .store
                .archive_candidates(after.as_ref().map(|(a, d)| (a, d)), PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.agency_id.clone(), last.document_id.clone()));
            for chunk in page.chunks(workers) {
                let mut set = JoinSet::new();
                for c in chunk.iter().cloned() {
                    let app = self.clone();
                    set.spawn(async move {
                        let outcome = app.renew_one(c.clone(), horizon, dry_run).await;
                        (c, outcome)
                    });
                }
                while let Some(done) = set.join_next().await {
                    let (c, outcome) =
                        done.map_err(|e| AppError::Ca(format!("renewal task: {e}")))?;
                    run.examined += 1;
                    match outcome {
                        Outcome::NotArchived => run.not_archived += 1,
                        Outcome::NotDue => run.not_due += 1,
                        Outcome::Renewed(r) => run.renewed.push(r),
                        Outcome::Failed(f) => {
                            if !dry_run {
                                // Kept for the administrators' page until a run succeeds.
                                self.store
                                    .record_archive_failure(&c, &f.reason, self.clock.now_ms())
                                    .await?;
                            }
                            run.failed.push(f);
                        }
                    }
                }
            }
        }
        if !dry_run {
            let totals = signet_store::documents::archive::ArchiveRun {
                started_at_ms,
                finished_at_ms: self.clock.now_ms(),
                examined: count(run.examined),
                renewed: count(run.renewed.len()),
                failed: count(run.failed.len()),
            };
            self.store.record_archive_run(&totals).await?;
        }
        Ok(run)
    }

    /// The agency's renewal report for its administrators: the latest runs (of the whole
    /// deployment) and the agency's documents whose renewal failed, waiting for the next.
    pub async fn archive_report(
        &self,
        viewer: &signet_core::person::Viewer,
    ) -> Result<ArchiveReport, AppError> {
        if !viewer.can_administer() {
            return Err(AppError::Forbidden("administration: administrators only"));
        }
        Ok(ArchiveReport {
            runs: self.store.archive_runs(10).await?,
            failures: self.store.archive_failures(&viewer.agency_id).await?,
        })
    }

    async fn renew_one(
        &self,
        c: ArchiveCandidate,
        horizon: OffsetDateTime,
        dry_run: bool,
    ) -> Outcome {
        let failed = |c: &ArchiveCandidate, reason: String| {
            tracing::warn!(document = %c.document_id, "archive renewal: {reason}");
            Outcome::Failed(FailedRenewal {
                agency_id: c.agency_id.clone(),
                document_id: c.document_id.clone(),
                notation: c.notation.clone(),
                reason,
            })
        };
        let pdf = match self.read_blob(&c.sha256).await {
            Ok(b) => b,
            Err(e) => return failed(&c, e.to_string()),
        };
        let last = match renewal_due(&pdf, horizon) {
            Ok(Renewal::NotArchived) => return Outcome::NotArchived,
            Ok(Renewal::NotDue(_)) => return Outcome::NotDue,
            Ok(Renewal::Due(last)) => last,
            Err(e) => return failed(&c, e.to_string()),
        };
        let mut done = RenewedDocument {
            agency_id: c.agency_id.clone(),
            document_id: c.document_id.clone(),
            notation: c.notation.clone(),
            kind: last.kind,
            expiry: last.tsa.as_ref().map(|t| t.not_after),
            sha256: None,
        };
        if dry_run {
            return Outcome::Renewed(done);
        }
        match self.store_renewal(&c, pdf, &done).await {
            Ok(sha256) => {
                done.sha256 = Some(sha256);
                Outcome::Renewed(done)
            }
            Err(reason) => failed(&c, reason),
        }
    }

    /// Adds the validation data and the new document timestamp, stores the file as the
    /// document's new revision; its SHA-256, or why not (in words for the report).
    async fn store_renewal(
        &self,
        c: &ArchiveCandidate,
        pdf: Vec<u8>,
        done: &RenewedDocument,
    ) -> Result<String, String> {
        let services = self.signing_services();
        let anchors = self.verifier.anchors();
        let now = self.clock.now();
        let renewed = tokio::task::spawn_blocking(move || {
            let with_data =
                signet_pades::sign::add_validation_data(&pdf, &services, &anchors, now)?;
            signet_pades::sign::add_document_timestamp(&with_data, &services, FIELD)
        })
        .await
        .map_err(|e| format!("renewal task: {e}"))?
        .map_err(|e| e.to_string())?;
        if done.kind == TimestampKind::Document && !outlasts(&renewed, done.expiry) {
            // Another timestamp from the same TSA certificate proves nothing longer.
            return Err(
                "the TSA's certificate expires no later than the timestamp it would \
                        renew: renew the TSA certificate first"
                    .into(),
            );
        }
        let blob = self.write_blob(&renewed).await.map_err(|e| e.to_string())?;
        let expiry = done.expiry.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
        let kind = match done.kind {
            TimestampKind::Document => "document",
            TimestampKind::Signature => "signature",
        };
        let renewal = Renewed {
            candidate: c,
            blob: &blob,
            renewed_kind: kind,
            previous_expiry: expiry.as_deref(),
            at_ms: self.clock.now_ms(),
        };
        self.store
            .record_archive_renewal(&renewal)
            .await
            .map_err(|e| AppError::from(e).to_string())?;
        Ok(blob.sha256)
    }

    /// Renews what falls due within [`RENEW_AHEAD_DAYS`], every `every` until `shutdown`
    /// (started by `serve`).
    pub async fn archive_loop(
        self,
        every: std::time::Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {
                    let horizon = self.clock.now() + time::Duration::days(RENEW_AHEAD_DAYS);
                    match self.renew_archives(horizon, false).await {
                        Ok(run) => tracing::info!(
                            examined = run.examined,
                            renewed = run.renewed.len(),
                            failed = run.failed.len(),
                            "archive renewal"
                        ),
                        Err(e) => tracing::warn!("archive renewal: {e}"),
                    }
                }
            }
        }
    }
}
