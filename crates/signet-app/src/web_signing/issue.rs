//! Issuance with the agency's seal ("Ban hành"): the number is taken from the register and
//! kept in a seal job; the number, notation and issue date are written on the PDF (its text
//! fields `SoKyHieu`, `NgayBanHanh`, as form filling) and the agency's seal signs the same
//! revision at B-LT with the validation data of both signatures. Only then is the document
//! issued, in the transaction that stores the sealed file — never numbered on the document
//! without its seal, never sealed twice (the job completes once). When the TSA or OCSP
//! cannot be reached the job waits ("chờ đóng dấu") and a background task retries; a seal
//! that finally fails leaves its number in the register with the reason.

use signet_core::ids::DocumentId;
use signet_core::lifecycle::{Outgoing, Signed, Step};
use signet_core::person::Viewer;
use signet_pades::{Indication, Level};
use signet_store::documents::signing::{Revision, SealJob, Verdicts};
use signet_store::documents::Document;

use super::seals::SealKey;
use crate::clock::VIETNAM;
use crate::signing::{self, Role, SignRequest};
use crate::{App, AppError};

/// How long a node holds a seal job it is attempting before another node may try it: well
/// above one attempt (TSA and revocation fetches are bounded at 10 s each).
const SEAL_LEASE_MS: i64 = 2 * 60 * 1000;

/// The text fields a draft carries for the number and notation, and for the issue date.
pub const NUMBER_FIELD: &str = "SoKyHieu";
pub const DATE_FIELD: &str = "NgayBanHanh";
/// Attempts before a seal is given up.
pub const MAX_ATTEMPTS: i64 = 5;
/// Wait before the first retry; doubled each time.
const RETRY_BASE_MS: i64 = 30_000;

/// What a seal job gives: the sealed file and the verifier's verdicts on it.
struct Sealed {
    pdf: Vec<u8>,
    verdicts: Verdicts,
}

impl App {
    /// Whether issuing in the viewer's agency seals (a seal key is configured).
    pub async fn seals_on_issue(&self, viewer: &Viewer) -> Result<bool, AppError> {
        let agency = self.store.agency(&viewer.agency_id).await?;
        Ok(self.signing.seals.has(agency.code.as_str()))
    }

    /// "Ban hành" with the seal: refused before any number is taken when the seal cannot be
    /// made (no key, the key unusable, no current PDF); otherwise the number is reserved and
    /// the seal tried at once. A failure that may pass (TSA, OCSP) leaves the document
    /// waiting for the seal; the returned document is then still signed.
    pub async fn issue_sealed(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Document, AppError> {
        let doc = self.permitted(viewer, id, Step::Issue).await?;
        let issuing = Outgoing::<Signed>::restore(id, doc.state)?.issue();
        self.current_pdf(&doc).await?;
        self.load_seal(&doc).await?;
        let job = self.reserve_number(viewer, &doc, &issuing).await?;
        self.run_seal_job(job).await
    }

    async fn load_seal(&self, doc: &Document) -> Result<(SealKey, String), AppError> {
        self.load_seal_of(&doc.agency_id).await
    }

    /// The agency's seal key and name (the exchange signs its packets with it too).
    pub(crate) async fn load_seal_of(
        &self,
        agency_id: &signet_core::ids::AgencyId,
    ) -> Result<(SealKey, String), AppError> {
        let agency = self.store.agency(agency_id).await?;
        let ca_chain = match &self.ca {
            Some(ca) => ca
                .published()
                .map(|p| crate::ca_dir::chain(&p.ca))
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let seals = self.signing.seals.clone();
        let code = agency.code.as_str().to_owned();
        let key = tokio::task::spawn_blocking(move || seals.load(&code, &ca_chain))
            .await
            .map_err(|e| AppError::Ca(format!("seal task: {e}")))??;
        Ok((key, agency.name))
    }

    /// Tries a waiting seal job once: the sealed file stored and the document issued, or the
    /// failure recorded (retry later, or finally failed). Returns the document as it is after.
    pub async fn run_seal_job(&self, job: SealJob) -> Result<Document, AppError> {
        let doc = self
            .store
            .document(&job.agency_id, &job.document_id)
            .await?;
        let outcome = self.seal(&doc, &job).await;
        let now_ms = self.clock.now_ms();
        match outcome {
            Ok((sealed, source)) => {
                let blob = self.write_blob(&sealed.pdf).await?;
                let step = Outgoing::<Signed>::restore(&doc.id, doc.state)?.issue();
                let rev = Revision {
                    blob: &blob,
                    file_name: "van-ban-ban-hanh.pdf",
                    source_sha256: &source,
                    actor: &job.requested_by,
                    at_ms: now_ms,
                };
                Ok(self
                    .store
                    .finish_issue(&job, &step, &rev, sealed.verdicts)
                    .await?)
            }
            Err(e) => {
                let attempts = job.attempts + 1;
                let retry = (attempts < MAX_ATTEMPTS)
                    .then(|| now_ms + RETRY_BASE_MS * (1 << (attempts - 1).min(10)));
                tracing::warn!(document = %doc.id, attempts, "seal failed: {e}");
                self.store
                    .seal_attempt_failed(&job.id, &e.to_string(), retry, now_ms)
                    .await?;
                Ok(self
                    .store
                    .document(&job.agency_id, &job.document_id)
                    .await?)
            }
        }
    }

    /// The sealed file of `doc` for `job`, and the file it was made from.
    async fn seal(&self, doc: &Document, job: &SealJob) -> Result<(Sealed, String), AppError> {
        let (file, pdf) = self.current_pdf(doc).await?;
        let (key, agency_name) = self.load_seal(doc).await?;
        let services = self.signing_services();
        let verifier = std::sync::Arc::clone(&self.verifier);
        let now = self.clock.now();
        let fill = vec![
            (NUMBER_FIELD.to_owned(), job.notation.clone()),
            (DATE_FIELD.to_owned(), display_date(&job.issued_on)),
        ];
        let sealed = tokio::task::spawn_blocking(move || {
            let fill = present_fields(&pdf, fill);
            let req = seal_request(agency_name);
            let cert = key.certs.first().cloned().unwrap_or_default();
            let plan = signing::plan(pdf, &req, &cert, now)?.with_fill(fill);
            let out = signing::sign_planned(&plan, &key.key, &key.certs, None, &services, now)?;
            let verdicts = verdicts(verifier.verify(&out, now).ok().as_ref());
            Ok::<_, AppError>(Sealed { pdf: out, verdicts })
        })
        .await
        .map_err(|e| AppError::Ca(format!("seal task: {e}")))??;
        Ok((sealed, file.sha256))
    }

    /// The seal jobs due now, tried once each (the background retry); how many were tried.
    pub async fn retry_due_seals(&self) -> Result<usize, AppError> {
        let due = self.store.due_seal_jobs(self.clock.now_ms()).await?;
        let mut n = 0;
        for job in due {
            // Several nodes may share the database: each job is attempted by one of them.
            let now = self.clock.now_ms();
            if !self
                .store
                .claim_seal_job(&job.id, now, SEAL_LEASE_MS)
                .await?
            {
                continue;
            }
            n += 1;
            if let Err(e) = self.run_seal_job(job).await {
                tracing::warn!("seal retry: {e}");
            }
        }
        Ok(n)
    }

    /// Retries waiting seals, and the electronic copies due to be sealed again, every `every`
    /// until `shutdown` resolves (started by `serve`).
    pub async fn seal_retry_loop(
        self,
        every: std::time::Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {
                    if let Err(e) = self.retry_due_seals().await {
                        tracing::warn!("seal retries: {e}");
                    }
                    if let Err(e) = self.retry_due_copies().await {
                        tracing::warn!("copy seal retries: {e}");
                    }
                }
            }
        }
    }

    async fn reserve_number(
        &self,
        viewer: &Viewer,
        doc: &Document,
        issuing: &signet_core::lifecycle::Moved<Outgoing<signet_core::lifecycle::Issued>>,
    ) -> Result<SealJob, AppError> {
        let (issuer, unit) = self.abbreviations(viewer, doc).await?;
        let now = self.clock.now().to_offset(VIETNAM);
        let issued_on = crate::clock::iso_date(now.date());
        let build = |n: u32, d: &Document| {
            signet_core::register::Notation::build(n, d.doc_type, &issuer, unit.as_ref())
        };
        let req = signet_store::documents::Issue {
            agency_id: &viewer.agency_id,
            step: issuing,
            year: now.year(),
            issued_on: &issued_on,
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
        };
        Ok(self.store.reserve_issue(&req, build).await?)
    }
}

/// The agency's seal: B-LT, into the seal field the leader's signature created (or the
/// default place), with the number written in the same revision.
fn seal_request(agency: String) -> SignRequest {
    SignRequest {
        role: Role::Organization,
        field: None,
        page: None,
        rect: None,
        image: None,
        seal_field: None,
        seal_image: None,
        agency: Some(agency),
        notation: None,
        reason: Some("Ban hành văn bản".into()),
        level: Level::BLT,
    }
}

/// Only the placeholders the draft carries (a draft without them is sealed all the same).
fn present_fields(pdf: &[u8], fill: Vec<(String, String)>) -> Vec<(String, String)> {
    let names = signet_pdf::Document::parse(pdf)
        .and_then(|d| d.field_names())
        .unwrap_or_default();
    fill.into_iter()
        .filter(|(n, _)| names.contains(n))
        .collect()
}

/// `YYYY-MM-DD` as written on Vietnamese documents: `DD/MM/YYYY`.
fn display_date(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    match p.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// The leader's signature (the first) and the seal (the last) TOTAL-PASSED.
fn verdicts(report: Option<&signet_pades::Report>) -> Verdicts {
    let passed = |s: Option<&signet_pades::SignatureReport>| {
        s.is_some_and(|s| s.indication == Indication::TotalPassed)
    };
    let sigs = report.map(|r| r.signatures.as_slice()).unwrap_or_default();
    Verdicts {
        leader_signature_valid: sigs.len() > 1 && passed(sigs.first()),
        seal_valid: passed(sigs.last()),
    }
}
