//! Electronic copies (issue 13 §7; Nghị định 30 Điều 25–26): the clerk copies an issued
//! outgoing or a registered incoming document — from its electronic file, or from a scan of
//! its paper original (a PDF of colour page images at 200 dpi or more, checked before
//! anything is recorded) — as a sao y, a sao lục or a trích sao of some pages.
//!
//! The copy takes the next number of the agency's copies register (`5/SY-UBND`), then its
//! file is made: the original's pages (the signatures' appearances drawn on them, nothing of
//! the original's signatures carried over), a last page with the copy form of Phụ lục I, and
//! the agency's seal at the top right of the first page with no image — the attachment/copy
//! appearance, through the same seal key and signing code as issuance, at B-LT. A copy whose
//! seal fails keeps its number in the register, with the reason; the server seals it again
//! by itself a few times, further apart each time ([`App::retry_due_copies`]), and a clerk
//! can at any time ([`App::retry_copy`]). A copy left sealing by a node that died is taken
//! up again when its lease ends.

use sha2::{Digest, Sha256};
use signet_appearance::{render_copy_form, CopyForm, ObjectSink};
use signet_core::ids::DocumentId;
use signet_core::lifecycle::{DocumentState, IncomingState, OutgoingState};
use signet_core::person::Viewer;
use signet_core::register::{Abbreviation, CopyKind, Notation};
use signet_pades::Level;
use signet_pdf::{FreshDocument, ObjRef};
use signet_store::copies::{Copy, NewCopy};
use signet_store::documents::{Document, NewFile};

use crate::clock::VIETNAM;
use crate::signing::{self, Role, SignRequest};
use crate::{App, AppError, Invalid};

/// The lowest resolution of a scan (Nghị định 30 Phụ lục I).
pub const MIN_DPI: u32 = 200;
/// The largest scan taken.
pub const MAX_SCAN_BYTES: u64 = 200 << 20;
/// The most recipients a copy lists.
pub const MAX_RECIPIENTS: usize = 50;
/// The longest recipient line.
const MAX_RECIPIENT: usize = 200;
/// How long a node may take to seal a copy before another takes it up (the TSA and OCSP
/// calls time out well before).
pub const SEAL_LEASE_MS: i64 = 10 * 60 * 1000;
/// Sealing attempts the server makes by itself (the first included); a clerk decides after.
pub const AUTOMATIC_ATTEMPTS: i64 = 5;
/// The wait after the first failure; doubled after each (5, 10, 20, 40 minutes).
const FIRST_RETRY_MS: i64 = 5 * 60 * 1000;

/// When the server tries again after attempt `attempts` failed, if it does.
pub fn next_retry_ms(attempts: i64, failed_at_ms: i64) -> Option<i64> {
    (1..AUTOMATIC_ATTEMPTS)
        .contains(&attempts)
        .then(|| failed_at_ms + (FIRST_RETRY_MS << (attempts - 1)))
}

/// What the clerk asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOrder {
    pub kind: CopyKind,
    /// For a trích sao: the pages, e.g. `2` or `2-3` (1-based, as typed); empty otherwise.
    pub pages: String,
    /// Nơi nhận, one per entry.
    pub recipients: Vec<String>,
}

/// Checks the form's fields (the page range against the original comes later).
pub fn check_order(kind: &str, pages: &str, recipients: &str) -> Result<CopyOrder, AppError> {
    let kind = CopyKind::parse(kind.trim()).ok_or_else(|| {
        AppError::Invalid(Invalid::OneOf {
            field: "kind",
            allowed: CopyKind::ALL.map(CopyKind::code).join(", "),
        })
    })?;
    let recipients: Vec<String> = recipients
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '–', '•']).trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if recipients.is_empty()
        || recipients.len() > MAX_RECIPIENTS
        || recipients.iter().any(|r| r.chars().count() > MAX_RECIPIENT)
    {
        return Err(AppError::Invalid(Invalid::CopyRecipients));
    }
    let pages = if kind.is_extract() {
        let p = pages.trim().replace(['–', '—'], "-").replace(' ', "");
        if p.is_empty() {
            return Err(AppError::Invalid(Invalid::CopyPages {
                value: String::new(),
                count: "?".into(),
            }));
        }
        p
    } else {
        String::new()
    };
    Ok(CopyOrder {
        kind,
        pages,
        recipients,
    })
}

/// The zero-based pages `range` names in a document of `count` pages (all of them when
/// `range` is empty).
pub fn page_indexes(range: &str, count: usize) -> Result<Vec<usize>, AppError> {
    if range.is_empty() {
        return Ok((0..count).collect());
    }
    let bad = || {
        AppError::Invalid(Invalid::CopyPages {
            value: range.to_owned(),
            count: count.to_string(),
        })
    };
    let num = |s: &str| s.parse::<usize>().ok().filter(|n| (1..=count).contains(n));
    let (a, b) = match range.split_once('-') {
        Some((a, b)) => (num(a).ok_or_else(bad)?, num(b).ok_or_else(bad)?),
        None => {
            let n = num(range).ok_or_else(bad)?;
            (n, n)
        }
    };
    if a > b {
        return Err(bad());
    }
    Ok((a - 1..b).collect())
}

/// What a scan page must be: an image, in colour, at [`MIN_DPI`] or more.
pub fn check_scan(pdf: &[u8]) -> Result<usize, AppError> {
    let doc = signet_pdf::Document::parse(pdf).map_err(|_| {
        AppError::Invalid(Invalid::NotPdf {
            name: String::new(),
        })
    })?;
    if doc.encryption().is_some() {
        return Err(AppError::Invalid(Invalid::PdfEncrypted));
    }
    let pages = signet_pdf::scan::scan_pages(&doc).map_err(|_| {
        AppError::Invalid(Invalid::NotPdf {
            name: String::new(),
        })
    })?;
    if pages.is_empty() {
        return Err(AppError::Invalid(Invalid::ScanNoImage { page: 1 }));
    }
    for (i, p) in pages.iter().enumerate() {
        let page = i + 1;
        let dpi = p
            .dpi()
            .filter(|_| p.covered())
            .ok_or(AppError::Invalid(Invalid::ScanNoImage { page }))?;
        // 595 pt is 8.26 in: an A4 scan at 200 dpi reads 199.97 — rounded, as scanners say.
        let dpi = dpi.round().clamp(0.0, f64::from(u32::MAX)) as u32;
        if dpi < MIN_DPI {
            return Err(AppError::Invalid(Invalid::ScanResolution {
                page,
                dpi,
                min: MIN_DPI,
            }));
        }
        if !p.colour() {
            return Err(AppError::Invalid(Invalid::ScanColour { page }));
        }
    }
    Ok(pages.len())
}

/// What seals a copy: the agency's key, and its name and place for the copy form.
struct Sealer {
    key: crate::web_signing::seals::SealKey,
    agency_name: String,
    place: String,
}

/// What the copy's file shows besides the original's pages.
struct Making {
    kind: CopyKind,
    agency: String,
    place: String,
    notation: String,
    copied_on: time::Date,
    recipients: Vec<String>,
    note: String,
    pages: Vec<usize>,
    id: [u8; 16],
}

struct Sink<'a>(&'a mut FreshDocument);

impl ObjectSink for Sink<'_> {
    fn reserve(&mut self) -> u32 {
        self.0.allocate().num
    }
    fn put(&mut self, num: u32, body: Vec<u8>) {
        self.0.put_raw(ObjRef::new(num, 0), body);
    }
}

/// `Lạc Hồng, ngày 04 tháng 12 năm 2026`.
fn place_and_date(place: &str, d: time::Date) -> String {
    let date = format!(
        "ngày {:02} tháng {:02} năm {}",
        d.day(),
        u8::from(d.month()),
        d.year()
    );
    if place.is_empty() {
        date
    } else {
        format!("{place}, {date}")
    }
}

/// The place name of an address: its last part, without "Tỉnh"/"Thành phố".
fn place_of(address: &str) -> String {
    let last = address.rsplit(',').next().unwrap_or("").trim();
    for prefix in ["Tỉnh ", "tỉnh ", "Thành phố ", "thành phố ", "TP. ", "TP "] {
        if let Some(rest) = last.strip_prefix(prefix) {
            return rest.trim().to_owned();
        }
    }
    last.to_owned()
}

/// The unsigned copy: the chosen pages, then the copy form on a page the size of the first.
fn copy_pdf(source: &[u8], m: &Making) -> Result<(Vec<u8>, usize), AppError> {
    let doc = signet_pdf::Document::parse(source).map_err(|e| {
        AppError::Invalid(Invalid::Signing {
            detail: format!("{}: {e}", signing::UNREADABLE),
        })
    })?;
    if doc.encryption().is_some() {
        return Err(AppError::Invalid(Invalid::PdfEncrypted));
    }
    let media = doc
        .pages()
        .ok()
        .and_then(|p| p.first().copied())
        .and_then(|p| doc.page_media_box(p).ok())
        .unwrap_or([0.0, 0.0, 595.0, 842.0]);
    let (w, h) = ((media[2] - media[0]).abs(), (media[3] - media[1]).abs());
    let (w, h) = if w < 200.0 || h < 200.0 {
        (595.0, 842.0)
    } else {
        (w, h)
    };
    let mut copy =
        signet_pdf::copy_pages(&doc, &m.pages).map_err(|e| AppError::Ca(format!("copy: {e}")))?;
    let form = CopyForm {
        form: m.kind.form(),
        agency: &m.agency,
        notation: &m.notation,
        place_and_date: &place_and_date(&m.place, m.copied_on),
        recipients: &m.recipients,
        note: &m.note,
    };
    let f = render_copy_form(w, h, &form, &mut Sink(copy.fresh()))
        .map_err(|e| AppError::Ca(format!("copy form: {e}")))?;
    copy.add_form_page([0.0, 0.0, w, h], ObjRef::new(f, 0));
    let pages = copy.page_count();
    Ok((copy.finish(m.id), pages))
}

/// The zero-based pages of `range` in `pdf` (every page when empty), checked against the
/// file; the file is handed back.
async fn chosen_pages(pdf: Vec<u8>, range: &str) -> Result<(Vec<u8>, Vec<usize>), AppError> {
    let (count, pdf) = tokio::task::spawn_blocking(move || {
        let n = signet_pdf::Document::parse(&pdf)
            .and_then(|d| d.pages())
            .map(|p| p.len());
        (n, pdf)
    })
    .await
    .map_err(|e| AppError::Ca(format!("copy: {e}")))?;
    let count = count.map_err(|e| {
        AppError::Invalid(Invalid::Signing {
            detail: format!("{}: {e}", signing::UNREADABLE),
        })
    })?;
    Ok((pdf, page_indexes(range, count)?))
}

fn copyable(doc: &Document) -> bool {
    match doc.state {
        DocumentState::Outgoing(s) => matches!(s, OutgoingState::Issued | OutgoingState::Sent),
        DocumentState::Incoming(s) => s != IncomingState::Returned,
    }
}

/// Whether the viewer may copy `doc` now (the page's "Sao văn bản" form).
pub fn may_copy(viewer: &Viewer, doc: &Document) -> bool {
    viewer.can_register() && copyable(doc)
}

fn clerk_only(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.can_register() {
        Ok(())
    } else {
        Err(AppError::Forbidden("making copies"))
    }
}

impl App {
    /// A copy of the original's electronic file.
    pub async fn make_copy(
        &self,
        viewer: &Viewer,
        original: &DocumentId,
        order: &CopyOrder,
    ) -> Result<Copy, AppError> {
        clerk_only(viewer)?;
        let doc = self.document(viewer, original).await?;
        if !copyable(&doc) {
            return Err(AppError::Invalid(Invalid::CopyOriginal));
        }
        let (file, pdf) = match self.current_pdf(&doc).await {
            Err(AppError::Invalid(Invalid::FileRequired)) => {
                return Err(AppError::Invalid(Invalid::CopyNeedsScan))
            }
            other => other?,
        };
        self.copy_from(viewer, &doc, order, "electronic", &file.sha256, pdf)
            .await
    }

    /// A copy made from a scan of the paper original (`scan`, already in the blob store):
    /// refused unless it is a PDF whose every page is a colour image of 200 dpi or more.
    pub async fn make_copy_from_scan(
        &self,
        viewer: &Viewer,
        original: &DocumentId,
        order: &CopyOrder,
        scan: NewFile,
    ) -> Result<Copy, AppError> {
        clerk_only(viewer)?;
        let doc = self.document(viewer, original).await?;
        if !copyable(&doc) {
            return Err(AppError::Invalid(Invalid::CopyOriginal));
        }
        let not_pdf = || {
            AppError::Invalid(Invalid::NotPdf {
                name: scan.file_name.clone(),
            })
        };
        if scan.content_type != "application/pdf" {
            return Err(not_pdf());
        }
        if scan.blob.size > MAX_SCAN_BYTES {
            return Err(AppError::TooLarge {
                limit: MAX_SCAN_BYTES,
            });
        }
        let pdf = self.read_blob(&scan.blob.sha256).await?;
        let (checked, pdf) = tokio::task::spawn_blocking(move || (check_scan(&pdf), pdf))
            .await
            .map_err(|e| AppError::Ca(format!("scan check: {e}")))?;
        match checked {
            Ok(_) => {}
            Err(AppError::Invalid(Invalid::NotPdf { .. })) => return Err(not_pdf()),
            Err(e) => return Err(e),
        }
        self.copy_from(viewer, &doc, order, "scan", &scan.blob.sha256, pdf)
            .await
    }

    async fn copy_from(
        &self,
        viewer: &Viewer,
        doc: &Document,
        order: &CopyOrder,
        source: &'static str,
        source_sha256: &str,
        pdf: Vec<u8>,
    ) -> Result<Copy, AppError> {
        // Everything that can be checked is, before a number is taken.
        let (pdf, pages) = chosen_pages(pdf, &order.pages).await?;
        let agency = self.store.agency(&viewer.agency_id).await?;
        let issuer = Abbreviation::parse(&agency.abbreviation)?;
        let sealer = self.sealer(&agency).await?;
        let now = self.clock.now().to_offset(VIETNAM);
        let copied_on = crate::clock::iso_date(now.date());
        let recipients = order.recipients.join("\n");
        let kind = order.kind;
        let new = NewCopy {
            agency_id: &viewer.agency_id,
            original_id: &doc.id,
            kind,
            year: now.year(),
            copied_on: &copied_on,
            source,
            page_range: &order.pages,
            recipients: &recipients,
            source_sha256,
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
            lease_until_ms: self.clock.now_ms() + SEAL_LEASE_MS,
        };
        let copy = self
            .store
            .reserve_copy(&new, |n| {
                Notation::for_copy(n, kind, &issuer).map(|n| n.to_string())
            })
            .await?;
        self.seal_copy(viewer, doc, copy, (pdf, pages), now.date(), sealer)
            .await
    }

    /// Seals again a copy whose seal failed (the TSA was down, the key unreachable…): the
    /// same number, the same source file and pages, the date it was numbered. Clerks only.
    pub async fn retry_copy(&self, viewer: &Viewer, id: &str) -> Result<Copy, AppError> {
        clerk_only(viewer)?;
        let copy = self.copy(viewer, id).await?;
        if copy.state != signet_store::copies::FAILED {
            return Err(AppError::Conflict(
                "only a copy whose seal failed is sealed again".into(),
            ));
        }
        self.seal_again(viewer, copy).await
    }

    /// Seals again, by itself, the copies that are due: failed ones at their next attempt,
    /// and ones whose sealing node died. The journal names the clerk who made the copy.
    /// Several nodes may run this: each copy is taken up by one (the store's reopen is
    /// conditional). Returns how many were taken up.
    pub async fn retry_due_copies(&self) -> Result<usize, AppError> {
        let due = self.store.copies_due(self.clock.now_ms(), 20).await?;
        let mut n = 0;
        for copy in due {
            let maker = self.store.person(&copy.created_by).await?;
            let viewer = Viewer {
                person_id: maker.id,
                agency_id: copy.agency_id.clone(),
                roles: maker.roles,
            };
            let id = copy.id.clone();
            match self.seal_again(&viewer, copy).await {
                Ok(_) => n += 1,
                // Taken up by another node meanwhile.
                Err(AppError::Conflict(_)) => {}
                Err(e) => {
                    n += 1;
                    tracing::warn!(copy = %id, "copy sealed again without success: {e}");
                }
            }
        }
        Ok(n)
    }

    /// Reopens `copy` (as read) and seals it: the same number, source file and pages, the
    /// date it was numbered. Reopened first, so a failure before the seal (the key, the
    /// source file) counts as an attempt too and is recorded.
    async fn seal_again(&self, viewer: &Viewer, copy: Copy) -> Result<Copy, AppError> {
        let now = self.clock.now_ms();
        let copy = self
            .store
            .reopen_copy(&copy, &viewer.person_id, (now, now + SEAL_LEASE_MS))
            .await?;
        let prepared = async {
            let doc = self.document(viewer, &copy.original_id).await?;
            let pdf = self.read_blob(&copy.source_sha256).await?;
            let source = chosen_pages(pdf, &copy.page_range).await?;
            let agency = self.store.agency(&viewer.agency_id).await?;
            Ok::<_, AppError>((doc, source, self.sealer(&agency).await?))
        }
        .await;
        let (doc, source, sealer) = match prepared {
            Ok(p) => p,
            Err(e) => return Err(self.copy_failed(viewer, &copy, e).await),
        };
        let copied_on = crate::clock::parse_date(&copy.copied_on)
            .unwrap_or_else(|| self.clock.now().to_offset(VIETNAM).date());
        self.seal_copy(viewer, &doc, copy, source, copied_on, sealer)
            .await
    }

    /// Records why `copy` was not sealed (its number stays taken) and when the server tries
    /// again; gives back the error.
    async fn copy_failed(&self, viewer: &Viewer, copy: &Copy, e: AppError) -> AppError {
        tracing::warn!(copy = %copy.id, attempt = copy.attempts, "copy not sealed: {e}");
        let now = self.clock.now_ms();
        let retry = next_retry_ms(copy.attempts, now);
        match self
            .store
            .fail_copy(copy, &e.to_string(), &viewer.person_id, (now, retry))
            .await
        {
            Ok(()) => e,
            Err(store) => store.into(),
        }
    }

    /// Makes the numbered copy's file and seals it; a failure is recorded on the copy (its
    /// number stays taken, with the reason) and returned.
    async fn seal_copy(
        &self,
        viewer: &Viewer,
        doc: &Document,
        copy: Copy,
        (pdf, pages): (Vec<u8>, Vec<usize>),
        copied_on: time::Date,
        sealer: Sealer,
    ) -> Result<Copy, AppError> {
        let made = self
            .make_sealed(doc, &copy, (pdf, pages), copied_on, sealer)
            .await;
        let (pdf, pages) = match made {
            Ok(m) => m,
            Err(e) => return Err(self.copy_failed(viewer, &copy, e).await),
        };
        let blob = self.write_blob(&pdf).await?;
        let pages = i64::try_from(pages).unwrap_or(i64::MAX);
        Ok(self
            .store
            .finish_copy(&copy, &blob, pages, &viewer.person_id, self.clock.now_ms())
            .await?)
    }

    /// The sealed file of `copy` and its page count; the seal verifies before it is kept.
    async fn make_sealed(
        &self,
        doc: &Document,
        copy: &Copy,
        (pdf, pages): (Vec<u8>, Vec<usize>),
        copied_on: time::Date,
        sealer: Sealer,
    ) -> Result<(Vec<u8>, usize), AppError> {
        let Sealer {
            key,
            agency_name,
            place,
        } = sealer;
        let making = Making {
            kind: copy.kind,
            agency: agency_name.clone(),
            place,
            notation: copy.notation.clone(),
            copied_on,
            recipients: copy
                .recipient_list()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            note: note(doc, copy.kind, &copy.page_range),
            pages,
            id: file_id(&copy.id),
        };
        let services = self.signing_services();
        let verifier = std::sync::Arc::clone(&self.verifier);
        let at = self.clock.now();
        tokio::task::spawn_blocking(move || {
            let (unsigned, pages) = copy_pdf(&pdf, &making)?;
            let req = seal_request(agency_name, making.notation.clone());
            let cert = key.certs.first().cloned().unwrap_or_default();
            let plan = signing::plan(unsigned, &req, &cert, at)?;
            let out = signing::sign_planned(&plan, &key.key, &key.certs, None, &services, at)?;
            // The seal must verify before the copy is kept.
            let intact = verifier
                .verify(&out, at)
                .ok()
                .and_then(|r| r.signatures.first().map(|s| format!("{:?}", s.integrity)))
                .is_some_and(|i| i == "Intact");
            if !intact {
                return Err(AppError::Ca("the copy's seal does not verify".into()));
            }
            Ok::<_, AppError>((out, pages))
        })
        .await
        .map_err(|e| AppError::Ca(format!("copy task: {e}")))?
    }

    /// The agency's seal key and what the copy form says of the agency, loaded once, before
    /// a number is taken (no seal key: no number).
    async fn sealer(&self, agency: &signet_store::directory::Agency) -> Result<Sealer, AppError> {
        let (key, agency_name) = self.load_seal_of(&agency.id).await?;
        Ok(Sealer {
            key,
            agency_name,
            place: place_of(&agency.address),
        })
    }

    /// A copy, to whoever may read its original.
    pub async fn copy(&self, viewer: &Viewer, id: &str) -> Result<Copy, AppError> {
        let copy = self.store.copy(&viewer.agency_id, id).await?;
        self.document(viewer, &copy.original_id).await?;
        Ok(copy)
    }

    /// The copies made of a document the viewer may read.
    pub async fn copies_of(
        &self,
        viewer: &Viewer,
        original: &DocumentId,
    ) -> Result<Vec<Copy>, AppError> {
        self.document(viewer, original).await?;
        Ok(self.store.copies_of(&viewer.agency_id, original).await?)
    }

    /// The copies register of a year (the agency's clerks and leaders).
    pub async fn copies_register(&self, viewer: &Viewer, year: i64) -> Result<Vec<Copy>, AppError> {
        if !viewer.can_register() && !viewer.can_sign() {
            return Err(AppError::Forbidden("the copies register"));
        }
        Ok(self.store.copies_register(&viewer.agency_id, year).await?)
    }

    /// The copy's sealed file, and a name for it (`5-SY-UBND.pdf`).
    pub async fn copy_file(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<(Copy, String, tokio::fs::File), AppError> {
        let copy = self.copy(viewer, id).await?;
        let sha = copy.sha256.clone().ok_or(AppError::NotFound)?;
        let f = self.blobs.open_blob(&sha).await?;
        let name = format!("{}.pdf", ascii_name(&copy.notation));
        Ok((copy, name, f))
    }
}

/// `5/SL-UBND` → `5-SL-UBND` (the notation's letters without marks; `Đ` → `D`).
fn ascii_name(notation: &str) -> String {
    signet_core::text::fold(notation)
        .to_uppercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The line under the heading: what was copied.
fn note(doc: &Document, kind: CopyKind, pages: &str) -> String {
    let what = match (&doc.notation, &doc.issued_on) {
        (Some(n), Some(d)) => format!("văn bản số {n} ngày {}", display_date(d)),
        (Some(n), None) => format!("văn bản số {n}"),
        _ => format!("văn bản \"{}\"", doc.subject),
    };
    let from = if doc.author_name.is_empty() {
        String::new()
    } else {
        format!(" của {}", doc.author_name)
    };
    match kind {
        CopyKind::TrichSao => format!("Trích sao trang {pages} của {what}{from}."),
        CopyKind::SaoY => format!("Sao y {what}{from}."),
        CopyKind::SaoLuc => format!("Sao lục {what}{from}."),
    }
}

fn display_date(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    match p.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

fn file_id(id: &str) -> [u8; 16] {
    let h = Sha256::digest(id.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&h[..16]);
    out
}

/// The agency's seal on a copy: no image, at the top right of the first page (the
/// attachment/copy appearance), showing the copy's number, at B-LT.
fn seal_request(agency: String, notation: String) -> SignRequest {
    SignRequest {
        role: Role::Attachment,
        field: None,
        page: Some(0),
        rect: None,
        image: None,
        seal_field: None,
        seal_image: None,
        agency: Some(agency),
        notation: Some(notation),
        reason: Some("Sao văn bản".into()),
        level: Level::BLT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ranges() {
        assert_eq!(page_indexes("", 3).unwrap(), vec![0, 1, 2]);
        assert_eq!(page_indexes("2", 3).unwrap(), vec![1]);
        assert_eq!(page_indexes("2-3", 3).unwrap(), vec![1, 2]);
        for bad in ["0", "4", "3-2", "1-4", "a", "1-", "-2"] {
            assert!(page_indexes(bad, 3).is_err(), "{bad}");
        }
    }

    #[test]
    fn orders() {
        let o = check_order("trich_sao", " 1 – 2 ", "- Sở Nội vụ;\n\n- Lưu: VT\n").unwrap();
        assert_eq!(o.pages, "1-2");
        assert_eq!(o.recipients, vec!["Sở Nội vụ;", "Lưu: VT"]);
        let o = check_order("sao_y", "5", "Sở Tư pháp").unwrap();
        assert_eq!(o.pages, "", "a sao y copies every page");
        assert!(check_order("sao_y", "", " \n ").is_err());
        assert!(check_order("trich_sao", "", "Sở Tư pháp").is_err());
        assert!(check_order("SY", "", "Sở Tư pháp").is_err());
    }

    #[test]
    fn names_and_places() {
        assert_eq!(ascii_name("5/SL-UBND"), "5-SL-UBND");
        assert_eq!(place_of("Tỉnh Lạc Hồng"), "Lạc Hồng");
        assert_eq!(place_of("12 Lê Lợi, Thành phố Huế"), "Huế");
        let d = time::macros::date!(2026 - 12 - 04);
        assert_eq!(
            place_and_date("Lạc Hồng", d),
            "Lạc Hồng, ngày 04 tháng 12 năm 2026"
        );
    }
}
