//! Signing from the document page (issue 9): the leader's signature in two steps with the key
//! on a device (USB token through the local agent, phone through remote signing), and the
//! clerk's issuance sealed with the agency's key ([`issue`]).
//!
//! [`App::prepare_signature`] plans the signature on the document's current file (the
//! officer's mark, else the default placement of [`crate::signing`]), keeps the prepared
//! PDF in the content-addressed store and the rest of the state in the database, and returns
//! the SHA-256 digest the device signs. [`App::complete_signature`] takes the device's raw
//! signature — after a restart too, since nothing is kept in memory — refuses one that comes
//! twice, late, for a document whose file changed, or that does not match the digest and
//! certificate, and stores the signed revision as the document's current file.

pub mod issue;
pub mod phone;
pub mod seals;
pub mod server_key;
pub mod services;

use signet_core::ids::DocumentId;
use signet_core::lifecycle::{Draft, Outgoing, Step, Submitted};
use signet_core::person::Viewer;
use signet_pades::sign::Pending;
use signet_pades::{Level, Report};
use signet_pki::{DigestAlgorithm, SignatureAlgorithm};
use signet_store::documents::signing::{PendingSignature, Revision, SignatureMark};
use signet_store::documents::{Document, DocumentFile};
use signet_store::StoredBlob;

use crate::signing::{self, Role, SignRequest};
use crate::{App, AppError, Invalid};

pub use seals::{SealKeys, SealSource};
pub use services::AppServices;

/// How long a prepared signature waits for the device's answer.
pub const PENDING_TTL_MS: i64 = 10 * 60 * 1000;
/// Most documents in one batch.
pub const MAX_BATCH: usize = 100;
/// The agency's seal field the leader's signature creates beside it.
pub const SEAL_FIELD: &str = "ChuKyCoQuan";

/// The web's signing settings: the agencies' seal keys and the TSA.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    pub seals: SealKeys,
    /// A time-stamping authority's URL; without it the built-in CA's, in-process.
    pub tsa: Option<String>,
}

/// The devices a leader can sign with from the page.
pub const DEVICES: &[&str] = &["agent", "phone", "server"];

/// A signature waiting for the device: what it must sign.
#[derive(Debug, Clone)]
pub struct PreparedSignature {
    pub pending_id: String,
    pub document_id: DocumentId,
    /// SHA-256 of the signed attributes.
    pub digest: Vec<u8>,
    pub expires_at_ms: i64,
}

/// The signatures of a document's current file, as Signet's verifier sees them.
#[derive(Debug, Clone)]
pub struct SignaturePanel {
    pub file: DocumentFile,
    pub report: Option<Report>,
}

fn refused(detail: impl Into<String>) -> AppError {
    AppError::Invalid(Invalid::SignatureRefused {
        detail: detail.into(),
    })
}

fn mark_error(detail: impl Into<String>) -> AppError {
    AppError::Invalid(Invalid::Mark {
        detail: detail.into(),
    })
}

/// The algorithm a device signs with for `cert`: RSA PKCS#1 v1.5 or ECDSA P-256, SHA-256.
fn device_algorithm(cert: &[u8]) -> Result<SignatureAlgorithm, AppError> {
    use x509_cert::der::Decode;
    let c = x509_cert::Certificate::from_der(cert)
        .map_err(|e| refused(format!("the certificate cannot be read: {e}")))?;
    let spki = &c.tbs_certificate.subject_public_key_info;
    match spki.algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => Ok(SignatureAlgorithm::RsaPkcs1Sha256),
        "1.2.840.10045.2.1" => Ok(SignatureAlgorithm::EcdsaP256Sha256),
        other => Err(refused(format!("unsupported key algorithm {other}"))),
    }
}

impl App {
    /// The signing network: the configured TSA, else the built-in CA in-process.
    pub fn signing_services(&self) -> AppServices {
        AppServices::new(self.ca.clone(), self.signing.tsa.clone())
    }

    /// A token often holds the signer's certificate only: when the built-in CA issued it,
    /// its chain is added, so the signature carries what a validator needs.
    fn complete_device_chain(&self, mut chain: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        if chain.len() == 1 {
            if let Some(p) = self.ca.as_ref().and_then(|ca| ca.published().ok()) {
                let ours = crate::ca_dir::chain(&p.ca);
                let issued_here = signet_pki::validation::summarize(&chain[0])
                    .ok()
                    .zip(signet_pki::validation::summarize(p.ca.issuing_der()).ok())
                    .is_some_and(|(leaf, ca)| leaf.issuer == ca.subject);
                if issued_here {
                    chain.extend(ours);
                }
            }
        }
        chain
    }

    /// A stored file's bytes.
    pub(crate) async fn read_blob(&self, sha256: &str) -> Result<Vec<u8>, AppError> {
        use tokio::io::AsyncReadExt;
        let mut f = self.blobs.open_blob(sha256).await?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        Ok(bytes)
    }

    /// Keeps `bytes` in the content-addressed store.
    pub(crate) async fn write_blob(&self, bytes: &[u8]) -> Result<StoredBlob, AppError> {
        let mut w = self.blobs.writer().await?;
        w.write(bytes).await?;
        Ok(w.finish().await?)
    }

    /// The document's current file (its newest main file), required to be a PDF.
    pub(crate) async fn current_pdf(
        &self,
        doc: &Document,
    ) -> Result<(DocumentFile, Vec<u8>), AppError> {
        let file = self
            .store
            .current_file(&doc.agency_id, &doc.id)
            .await?
            .ok_or_else(|| AppError::Invalid(Invalid::FileRequired))?;
        let bytes = self.read_blob(&file.sha256).await?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(AppError::Invalid(Invalid::Signing {
                detail: format!("{}: {}", file.file_name, signing::UNREADABLE),
            }));
        }
        Ok((file, bytes))
    }

    /// The officer marks where the leader signs (page from 0, rectangle in points) on the
    /// draft's current file. A box outside the page is refused.
    pub async fn mark_signature_box(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        page: usize,
        rect: [f64; 4],
    ) -> Result<SignatureMark, AppError> {
        let doc = self.permitted(viewer, id, Step::Submit).await?;
        Outgoing::<Draft>::restore(id, doc.state)?;
        let (_, pdf) = self.current_pdf(&doc).await?;
        let mark = check_mark(&pdf, page, rect)?;
        self.store
            .set_signature_mark(
                &viewer.agency_id,
                id,
                &mark,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?;
        Ok(mark)
    }

    /// [`App::mark_signature_box`] at a preset position of page `page`.
    pub async fn mark_signature_preset(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        page: usize,
        preset: &str,
    ) -> Result<SignatureMark, AppError> {
        let boxes = self.page_boxes(viewer, id).await?;
        let media = boxes.get(page).copied().unwrap_or([0.0, 0.0, 595.0, 842.0]);
        let rect = preset_rect(media, preset).ok_or_else(|| {
            AppError::Invalid(Invalid::OneOf {
                field: "preset",
                allowed: PRESETS.iter().map(|p| p.0).collect::<Vec<_>>().join(", "),
            })
        })?;
        self.mark_signature_box(viewer, id, page, rect).await
    }

    /// The pages' sizes of the current file (MediaBox), for the page's preview.
    pub async fn page_boxes(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Vec<[f64; 4]>, AppError> {
        let doc = self.document(viewer, id).await?;
        let (_, pdf) = self.current_pdf(&doc).await?;
        page_boxes(&pdf)
    }

    /// Step 1 of the leader's signature: the digest the device signs. `chain`: the signer's
    /// certificate first, then its chain (from the agent or the remote credential).
    pub async fn prepare_signature(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        device: &str,
        chain: Vec<Vec<u8>>,
    ) -> Result<PreparedSignature, AppError> {
        self.prepare_as(viewer, id, device, chain, Purpose::Sign)
            .await
    }

    /// Step 1 of a reviewer's ký nháy (issue 13 §2): a small approval signature on the draft,
    /// at the foot of its last page, that the leader's signature will keep. Completed by
    /// [`App::complete_signature`] like the leader's, it records the reviewer's approval.
    pub async fn prepare_initial(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        device: &str,
        chain: Vec<Vec<u8>>,
    ) -> Result<PreparedSignature, AppError> {
        self.prepare_as(viewer, id, device, chain, Purpose::Initial)
            .await
    }

    async fn prepare_as(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        device: &str,
        chain: Vec<Vec<u8>>,
        purpose: Purpose,
    ) -> Result<PreparedSignature, AppError> {
        if !DEVICES.contains(&device) {
            return Err(AppError::Invalid(Invalid::OneOf {
                field: "device",
                allowed: DEVICES.join(", "),
            }));
        }
        let cert = chain
            .first()
            .cloned()
            .ok_or_else(|| refused("the device gave no certificate"))?;
        let chain = self.complete_device_chain(chain);
        let algorithm = device_algorithm(&cert)?;
        let doc = match purpose {
            Purpose::Sign => self.permitted(viewer, id, Step::Sign).await?,
            Purpose::Initial => self.review_turn(viewer, id).await?,
        };
        Outgoing::<Submitted>::restore(id, doc.state)?;
        let (file, pdf) = self.current_pdf(&doc).await?;
        let mark = self.store.signature_mark(&viewer.agency_id, id).await?;
        let now = self.clock.now();
        // The signer's handwritten-signature image, else the text-only appearance.
        let image = self.signature_image_png(&viewer.person_id).await?;
        let req = match purpose {
            Purpose::Sign => leader_request(mark.as_ref(), image),
            Purpose::Initial => initial_request(&pdf, image)?,
        };
        let mut pending = tokio::task::spawn_blocking(move || {
            let plan = signing::plan(pdf, &req, &cert, now)?;
            let services = signing::NetServices::new(None);
            signing::prepare(&plan, &chain, algorithm, None, &services, now)
        })
        .await
        .map_err(|e| AppError::Ca(format!("signing task: {e}")))??;
        let prepared = self
            .write_blob(&std::mem::take(&mut pending.prepared.bytes))
            .await?;
        let state_json = serde_json::to_string(&pending)
            .map_err(|e| AppError::Ca(format!("pending signature: {e}")))?;
        let digest = DigestAlgorithm::Sha256.hash(&pending.to_be_signed);
        let now_ms = self.clock.now_ms();
        let row = PendingSignature {
            id: signet_store::new_id(),
            agency_id: viewer.agency_id.clone(),
            document_id: id.clone(),
            role: purpose.code().into(),
            device: device.to_owned(),
            prepared_sha256: prepared.sha256.clone(),
            state_json,
            digest_hex: hex_encode(&digest),
            source_sha256: file.sha256,
            requested_by: viewer.person_id.clone(),
            created_at_ms: now_ms,
            expires_at_ms: now_ms + PENDING_TTL_MS,
            state: "pending".into(),
            refusal: None,
        };
        self.store.insert_pending_signature(&row, &prepared).await?;
        Ok(PreparedSignature {
            pending_id: row.id,
            document_id: id.clone(),
            digest,
            expires_at_ms: row.expires_at_ms,
        })
    }

    /// Step 1 for several documents: one pending signature each, digests in order, so one
    /// confirmation on the device signs them all.
    pub async fn prepare_signatures(
        &self,
        viewer: &Viewer,
        ids: &[DocumentId],
        device: &str,
        chain: Vec<Vec<u8>>,
    ) -> Result<Vec<PreparedSignature>, AppError> {
        if ids.is_empty() || ids.len() > MAX_BATCH {
            return Err(AppError::Invalid(Invalid::Body {
                detail: format!("document_ids: 1 to {MAX_BATCH} documents"),
            }));
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(
                self.prepare_signature(viewer, id, device, chain.clone())
                    .await?,
            );
        }
        Ok(out)
    }

    /// Step 2: the device's raw signature over the digest (and the certificate chain it
    /// signed with, which must be the prepared one). Completes the document: the signed
    /// revision (B-T) is its current file and it is signed.
    pub async fn complete_signature(
        &self,
        viewer: &Viewer,
        pending_id: &str,
        signature: &[u8],
        chain: &[Vec<u8>],
    ) -> Result<Document, AppError> {
        let row = self
            .store
            .pending_signature(&viewer.agency_id, pending_id)
            .await?;
        if row.requested_by != viewer.person_id {
            return Err(AppError::Forbidden("completing another person's signature"));
        }
        match row.state.as_str() {
            "pending" => {}
            "completed" => return Err(refused("this signature was already received (duplicate)")),
            _ => {
                return Err(refused(format!(
                    "this signature was refused before: {}",
                    row.refusal.unwrap_or_default()
                )))
            }
        }
        let now_ms = self.clock.now_ms();
        if now_ms > row.expires_at_ms {
            return self
                .refuse(
                    &row,
                    "it arrived too late: the prepared signature expired; sign again",
                )
                .await;
        }
        let purpose = Purpose::parse(&row.role);
        let doc = match purpose {
            Purpose::Sign => self.permitted(viewer, &row.document_id, Step::Sign).await?,
            Purpose::Initial => self.review_turn(viewer, &row.document_id).await?,
        };
        let signing_step = Outgoing::<Submitted>::restore(&doc.id, doc.state)?.sign();
        let current = self.store.current_file(&doc.agency_id, &doc.id).await?;
        if current.map(|f| f.sha256) != Some(row.source_sha256.clone()) {
            return self
                .refuse(
                    &row,
                    "the document's file changed after the signature was prepared; sign again",
                )
                .await;
        }
        let mut pending: Pending = serde_json::from_str(&row.state_json)
            .map_err(|e| AppError::Ca(format!("pending signature: {e}")))?;
        if let Some(cert) = chain.first() {
            if *cert != pending.certificate {
                return self
                    .refuse(
                        &row,
                        "the certificate is not the one the signature was prepared for",
                    )
                    .await;
            }
        }
        pending.prepared.bytes = self.read_blob(&row.prepared_sha256).await?;
        let signature = der_signature(pending.algorithm, signature);
        if let Err(why) = check_signature(&pending, &signature) {
            let why = format!("it does not match the digest and the certificate ({why})");
            return self.refuse(&row, &why).await;
        }
        let services = self.signing_services();
        let signed =
            tokio::task::spawn_blocking(move || signing::complete(pending, &signature, &services))
                .await
                .map_err(|e| AppError::Ca(format!("signing task: {e}")))??;
        let blob = self.write_blob(&signed).await?;
        let rev = Revision {
            blob: &blob,
            file_name: match purpose {
                Purpose::Sign => "van-ban-da-ky.pdf",
                Purpose::Initial => "du-thao-da-ky-nhay.pdf",
            },
            source_sha256: &row.source_sha256,
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
        };
        let stored = match purpose {
            Purpose::Sign => {
                self.store
                    .complete_leader_signature(&viewer.agency_id, pending_id, &signing_step, &rev)
                    .await
            }
            Purpose::Initial => {
                self.store
                    .complete_initial(&viewer.agency_id, pending_id, &doc.id, &rev)
                    .await
            }
        };
        stored.map_err(|e| match e {
            signet_store::StoreError::Conflict(detail) => refused(detail),
            e => e.into(),
        })
    }

    async fn refuse(&self, row: &PendingSignature, why: &str) -> Result<Document, AppError> {
        self.store
            .refuse_pending_signature(&row.agency_id, &row.id, why, self.clock.now_ms())
            .await?;
        Err(refused(why))
    }

    /// The signature panel of the document's current file (a PDF): who signed, when, at
    /// which level, and the verdict, by this deployment's trust anchors.
    pub async fn signature_panel(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Option<SignaturePanel>, AppError> {
        let doc = self.document(viewer, id).await?;
        let Some(file) = self.store.current_file(&doc.agency_id, id).await? else {
            return Ok(None);
        };
        if file.content_type != "application/pdf" {
            return Ok(None);
        }
        let bytes = self.read_blob(&file.sha256).await?;
        let report = self.verify_stored(bytes).await;
        Ok(Some(SignaturePanel { file, report }))
    }

    /// Verifies a stored PDF with this deployment's verifier (no rate limit: the file is
    /// ours); `None` when it has no signature or cannot be read.
    pub(crate) async fn verify_stored(&self, bytes: Vec<u8>) -> Option<Report> {
        let verifier = std::sync::Arc::clone(&self.verifier);
        let now = self.clock.now();
        let report = tokio::task::spawn_blocking(move || verifier.verify(&bytes, now))
            .await
            .ok()?
            .ok()?;
        (!report.signatures.is_empty()).then_some(report)
    }
}

/// The leader's signature: B-T, the handwritten-signature appearance, and the agency's seal
/// field created beside it in the same revision.
/// Why a signature is made from the page: the leader signs, or a reviewer initials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Sign,
    Initial,
}

impl Purpose {
    /// The pending signature's stored role.
    fn code(self) -> &'static str {
        match self {
            Self::Sign => "personal",
            Self::Initial => INITIAL,
        }
    }

    fn parse(role: &str) -> Self {
        if role == INITIAL {
            Self::Initial
        } else {
            Self::Sign
        }
    }
}

/// The role of a reviewer's ký nháy in the API and in pending signatures.
pub const INITIAL: &str = "initial";

/// A ký nháy: a small approval signature in a new field at the foot of the last page, left
/// (the leader's signature block stands at the right), no seal field.
fn initial_request(pdf: &[u8], image: Option<Vec<u8>>) -> Result<SignRequest, AppError> {
    let boxes = page_boxes(pdf)?;
    let last = boxes.len().saturating_sub(1);
    let media = boxes.get(last).copied().unwrap_or([0.0, 0.0, 595.0, 842.0]);
    // A unique field name: a reviewer may initial again after a new version.
    let suffix: String = signet_store::new_id().chars().take(8).collect();
    let (x, y) = (media[0] + 56.0, media[1] + 40.0);
    Ok(SignRequest {
        role: Role::Personal,
        field: Some(format!("KyNhay_{suffix}")),
        page: Some(last),
        rect: Some([x, y, x + 110.0, y + 45.0]),
        image,
        seal_field: None,
        seal_image: None,
        agency: None,
        notation: None,
        reason: Some("Ký nháy (duyệt dự thảo)".into()),
        level: Level::BT,
    })
}

fn leader_request(mark: Option<&SignatureMark>, image: Option<Vec<u8>>) -> SignRequest {
    SignRequest {
        role: Role::Personal,
        field: None,
        page: mark.map(|m| m.page),
        rect: mark.map(|m| m.rect),
        image,
        seal_field: Some(SEAL_FIELD.into()),
        seal_image: None,
        agency: None,
        notation: None,
        reason: Some("Ký duyệt văn bản".into()),
        level: Level::BT,
    }
}

/// A device's ECDSA signature may come as r||s (PKCS#11); CMS wants DER.
fn der_signature(algorithm: SignatureAlgorithm, signature: &[u8]) -> Vec<u8> {
    if algorithm.is_ecdsa() && signature.first() != Some(&0x30) {
        return signet_signers::ecdsa_raw_to_der(signature);
    }
    signature.to_vec()
}

/// Whether `signature` is the prepared certificate's signature over the prepared signed
/// attributes (checked as the verifier will, on the CMS it makes).
fn check_signature(pending: &Pending, signature: &[u8]) -> Result<(), String> {
    let attrs = signet_pki::SignedAttributes::pades(
        &pending.prepared.digest,
        pending.algorithm.digest(),
        &pending.certificate,
    )
    .map_err(|e| e.to_string())?;
    if attrs.to_be_signed() != pending.to_be_signed.as_slice() {
        return Err("the prepared signed attributes cannot be rebuilt".into());
    }
    let cms = signet_pki::signed_data(
        &attrs,
        pending.algorithm,
        signature,
        &pending.certificate,
        &pending.chain,
    )
    .map_err(|e| e.to_string())?;
    let parsed = signet_pki::parse_signature(&cms).map_err(|e| e.to_string())?;
    let (a, b) = pending.prepared.signed_ranges();
    if signet_pki::verify_integrity(&parsed, &[a, b]).ok() {
        Ok(())
    } else {
        Err("the signature does not verify".into())
    }
}

/// The MediaBox of every page.
fn page_boxes(pdf: &[u8]) -> Result<Vec<[f64; 4]>, AppError> {
    let doc = signet_pdf::Document::parse(pdf).map_err(|e| {
        AppError::Invalid(Invalid::Signing {
            detail: format!("{}: {e}", signing::UNREADABLE),
        })
    })?;
    if doc.encryption().is_some() {
        return Err(AppError::Invalid(Invalid::PdfEncrypted));
    }
    let pages = doc.pages().map_err(|e| mark_error(e.to_string()))?;
    Ok(pages
        .iter()
        .map(|p| doc.page_media_box(*p).unwrap_or([0.0, 0.0, 595.0, 842.0]))
        .collect())
}

/// The position presets of the page's keyboard fallback (value, Vietnamese, English).
pub const PRESETS: &[(&str, &str, &str)] = &[
    ("bottom-right", "Cuối trang, bên phải", "Bottom right"),
    ("bottom-center", "Cuối trang, ở giữa", "Bottom centre"),
    ("bottom-left", "Cuối trang, bên trái", "Bottom left"),
    ("middle-right", "Giữa trang, bên phải", "Middle right"),
];

/// A preset's box on a page of `media` (the default placement's box, moved).
pub fn preset_rect(media: [f64; 4], preset: &str) -> Option<[f64; 4]> {
    let r = signet_appearance::default_signature_rect(media);
    let (w, h) = (r[2] - r[0], r[3] - r[1]);
    let (x0, x1) = (media[0].min(media[2]), media[0].max(media[2]));
    let (y0, y1) = (media[1].min(media[3]), media[1].max(media[3]));
    let left = x0 + (x1 - r[2]);
    let centre = x0 + ((x1 - x0) - w) / 2.0;
    let middle = y0 + ((y1 - y0) - h) / 2.0;
    match preset {
        "bottom-right" => Some(r),
        "bottom-center" => Some([centre, r[1], centre + w, r[3]]),
        "bottom-left" => Some([left, r[1], left + w, r[3]]),
        "middle-right" => Some([r[0], middle, r[2], middle + h]),
        _ => None,
    }
}

/// Smallest box a signature is drawn in, in points.
const MIN_BOX: (f64, f64) = (40.0, 20.0);

/// A mark inside its page, normalized (x0 < x1, y0 < y1).
fn check_mark(pdf: &[u8], page: usize, rect: [f64; 4]) -> Result<SignatureMark, AppError> {
    let boxes = page_boxes(pdf)?;
    let media = boxes.get(page).ok_or_else(|| {
        mark_error(format!(
            "trang {} không có: văn bản có {} trang (page {} does not exist: the document has {})",
            page + 1,
            boxes.len(),
            page + 1,
            boxes.len()
        ))
    })?;
    let [a, b, c, d] = rect;
    if !rect.iter().all(|v| v.is_finite()) {
        return Err(mark_error("not a rectangle"));
    }
    let r = [a.min(c), b.min(d), a.max(c), b.max(d)];
    let inside = r[0] >= media[0] && r[1] >= media[1] && r[2] <= media[2] && r[3] <= media[3];
    if !inside {
        return Err(mark_error(format!(
            "ô chữ ký nằm ngoài trang (the box [{:.0} {:.0} {:.0} {:.0}] is outside the page [{:.0} {:.0} {:.0} {:.0}])",
            r[0], r[1], r[2], r[3], media[0], media[1], media[2], media[3]
        )));
    }
    if r[2] - r[0] < MIN_BOX.0 || r[3] - r[1] < MIN_BOX.1 {
        return Err(mark_error(format!(
            "ô chữ ký quá nhỏ (the box is smaller than {} x {} points)",
            MIN_BOX.0, MIN_BOX.1
        )));
    }
    Ok(SignatureMark { page, rect: r })
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
