//! Drafts, the outgoing lifecycle, issuance and incoming registration.

use signet_core::document::{
    check_optional_text, check_text, limits, DocumentType, Secrecy, Urgency,
};
use signet_core::ids::{DocumentId, FileId, UnitId};
use signet_core::journal::Entry;
use signet_core::lifecycle::incoming::Registered;
use signet_core::lifecycle::{Incoming, Moved, Outgoing, PlainStep, Signed, Step, Submitted};
use signet_core::person::Viewer;
use signet_core::register::{Abbreviation, Notation};
use signet_core::Direction;
use signet_store::documents::{
    Arrival, Document, DocumentFile, Issue, ListFilter, NewDocument, NewFile, Page,
};

use crate::clock::{iso_date, parse_date, VIETNAM};
use crate::{App, AppError};

/// What a person fills in for a new draft or a received document.
#[derive(Debug, Clone, Default)]
pub struct DocumentForm {
    pub doc_type: String,
    pub subject: String,
    pub urgency: String,
    pub secrecy: String,
    pub signer_name: String,
    pub signer_position: String,
    pub pages: String,
    pub recipients: String,
    pub due_on: String,
    pub drafting_unit_id: String,
}

/// What a clerk adds when registering an incoming document.
#[derive(Debug, Clone, Default)]
pub struct ArrivalForm {
    pub author_name: String,
    pub author_code: String,
    pub notation: String,
    pub issued_on: String,
    pub arrived_on: String,
}

/// A document with everything its page shows.
#[derive(Debug, Clone)]
pub struct DocumentView {
    pub document: Document,
    pub files: Vec<DocumentFile>,
    pub history: Vec<Entry>,
}

fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn parse_optional_date(field: &'static str, s: &str) -> Result<Option<String>, AppError> {
    match optional(s) {
        None => Ok(None),
        Some(v) => parse_date(&v).map(|d| Some(iso_date(d))).ok_or_else(|| {
            AppError::Invalid(crate::Invalid::Date {
                field,
                value: v.clone(),
            })
        }),
    }
}

impl DocumentForm {
    /// Validates the form into the store's shape (files added by the caller).
    pub(crate) fn validate(&self, viewer: &Viewer) -> Result<NewDocument, AppError> {
        let doc_type = DocumentType::parse(self.doc_type.trim())?;
        check_text("subject", &self.subject, limits::SUBJECT)?;
        check_optional_text("signer_name", &self.signer_name, limits::SIGNER_NAME)?;
        check_optional_text(
            "signer_position",
            &self.signer_position,
            limits::SIGNER_POSITION,
        )?;
        check_optional_text("recipients", &self.recipients, limits::RECIPIENTS)?;
        let pages = match optional(&self.pages) {
            None => None,
            Some(p) => Some(
                p.parse::<i64>()
                    .ok()
                    .filter(|n| (1..=100_000).contains(n))
                    .ok_or_else(|| AppError::Invalid(crate::Invalid::Pages { value: p.clone() }))?,
            ),
        };
        Ok(NewDocument {
            agency_id: viewer.agency_id.clone(),
            doc_type,
            subject: self.subject.trim().to_owned(),
            urgency: optional(&self.urgency)
                .map(|u| Urgency::parse(&u))
                .transpose()?
                .unwrap_or_default(),
            secrecy: optional(&self.secrecy)
                .map(|s| Secrecy::parse(&s))
                .transpose()?
                .unwrap_or_default(),
            signer_name: self.signer_name.trim().to_owned(),
            signer_position: self.signer_position.trim().to_owned(),
            pages,
            recipients: self.recipients.trim().to_owned(),
            due_on: parse_optional_date("due_on", &self.due_on)?,
            drafting_unit_id: optional(&self.drafting_unit_id).map(UnitId::from),
            created_by: viewer.person_id.clone(),
            files: Vec::new(),
        })
    }
}

/// How far from today an arrival may be dated: a clerk may catch up on last year's mail, and a
/// day ahead covers a clock just past midnight; anything else would open a register for a
/// year nobody works in (`0000`, `9999`).
const ARRIVAL_BACK_DAYS: i64 = 366;
const ARRIVAL_AHEAD_DAYS: i64 = 1;
/// The date a sender issued a document: old documents are forwarded, none are from the future.
const ISSUED_BACK_DAYS: i64 = 100 * 366;

/// A document's due date: possibly passed already for a late incoming document, never in a
/// year nobody works in.
const DUE_BACK_DAYS: i64 = 366;
const DUE_AHEAD_DAYS: i64 = 5 * 366;

fn check_due_on(due_on: Option<&str>, today: time::Date) -> Result<(), AppError> {
    due_on.map_or(Ok(()), |d| {
        check_window("due_on", d, today, DUE_BACK_DAYS, DUE_AHEAD_DAYS)
    })
}

/// `date` (ISO) if it lies within `back` days before and `ahead` days after `today`.
fn check_window(
    field: &'static str,
    date: &str,
    today: time::Date,
    back: i64,
    ahead: i64,
) -> Result<(), AppError> {
    let day = |n: i64| time::Duration::days(n);
    let from = today.checked_sub(day(back)).unwrap_or(time::Date::MIN);
    let to = today.checked_add(day(ahead)).unwrap_or(time::Date::MAX);
    match parse_date(date) {
        Some(d) if d < from || d > to => Err(AppError::Invalid(crate::Invalid::DateOutOfRange {
            field,
            value: date.to_owned(),
            from: iso_date(from),
            to: iso_date(to),
        })),
        _ => Ok(()),
    }
}

/// Checks the sender's details of an incoming document, and its dates against `today`.
pub fn check_arrival(arrival: &ArrivalForm, today: time::Date) -> Result<(), AppError> {
    check_text("author_name", &arrival.author_name, limits::ORGAN_NAME)?;
    check_text("notation", &arrival.notation, limits::CODE_NOTATION + 12)?;
    if let Some(code) = optional(&arrival.author_code) {
        signet_core::AgencyCode::parse(&code)?;
    }
    if let Some(issued) = parse_optional_date("issued_on", &arrival.issued_on)? {
        check_window(
            "issued_on",
            &issued,
            today,
            ISSUED_BACK_DAYS,
            ARRIVAL_AHEAD_DAYS,
        )?;
    }
    if let Some(arrived) = parse_optional_date("arrived_on", &arrival.arrived_on)? {
        check_window(
            "arrived_on",
            &arrived,
            today,
            ARRIVAL_BACK_DAYS,
            ARRIVAL_AHEAD_DAYS,
        )?;
    }
    Ok(())
}

impl App {
    pub(crate) async fn check_unit(
        &self,
        viewer: &Viewer,
        unit_id: Option<&UnitId>,
    ) -> Result<(), AppError> {
        if let Some(unit) = unit_id {
            self.store
                .unit(&viewer.agency_id, unit)
                .await
                .map_err(|_| AppError::Invalid(crate::Invalid::UnknownUnit))?;
        }
        Ok(())
    }

    /// Checks a form before any file is received, so a bad form costs no upload.
    pub fn check_document_form(
        &self,
        viewer: &Viewer,
        form: &DocumentForm,
    ) -> Result<(), AppError> {
        let new = form.validate(viewer)?;
        check_due_on(new.due_on.as_deref(), self.clock.today())
    }

    /// Checks an incoming document's sender and dates before any file is received.
    pub fn check_arrival_form(&self, arrival: &ArrivalForm) -> Result<(), AppError> {
        check_arrival(arrival, self.clock.today())
    }

    /// An officer (or leader, or clerk) saves a new outgoing draft with its files.
    pub async fn create_draft(
        &self,
        viewer: &Viewer,
        form: &DocumentForm,
        files: Vec<NewFile>,
    ) -> Result<Document, AppError> {
        if !viewer.can_draft() {
            return Err(AppError::Forbidden("drafting documents"));
        }
        let mut new = form.validate(viewer)?;
        check_due_on(new.due_on.as_deref(), self.clock.today())?;
        self.check_unit(viewer, new.drafting_unit_id.as_ref())
            .await?;
        new.files = files;
        Ok(self.store.insert_draft(&new, self.clock.now_ms()).await?)
    }

    /// The clerk registers an incoming document; it takes the next số đến.
    pub async fn register_incoming(
        &self,
        viewer: &Viewer,
        form: &DocumentForm,
        arrival: &ArrivalForm,
        files: Vec<NewFile>,
    ) -> Result<Document, AppError> {
        if !viewer.can_register() {
            return Err(AppError::Forbidden("registering incoming documents"));
        }
        let mut new = form.validate(viewer)?;
        new.files = files;
        let today = self.clock.today();
        check_arrival(arrival, today)?;
        check_due_on(new.due_on.as_deref(), today)?;
        let arrived_on = parse_optional_date("arrived_on", &arrival.arrived_on)?
            .unwrap_or_else(|| iso_date(today));
        let issued_on = parse_optional_date("issued_on", &arrival.issued_on)?;
        let year = parse_date(&arrived_on).map_or(today.year(), |d| d.year());
        let arrival = Arrival {
            author_name: arrival.author_name.trim().to_owned(),
            author_code: optional(&arrival.author_code)
                .map(|c| signet_core::AgencyCode::parse(&c))
                .transpose()?,
            notation: arrival.notation.trim().to_owned(),
            issued_on,
            arrived_on,
            year,
        };
        Ok(self
            .store
            .register_incoming(&new, &arrival, self.clock.now_ms())
            .await?)
    }

    /// A document the viewer may read, or `NotFound` (never "forbidden": that would tell
    /// an outsider the document exists).
    pub async fn document(&self, viewer: &Viewer, id: &DocumentId) -> Result<Document, AppError> {
        let doc = self.store.document(&viewer.agency_id, id).await?;
        if !viewer.can_read(doc.scope()) {
            return Err(AppError::NotFound);
        }
        Ok(doc)
    }

    /// What the viewer may do to the document now: the one answer the pages, the API and
    /// the use cases below all use (rules in `signet_core::person::Viewer::may`).
    pub fn allowed_steps(&self, viewer: &Viewer, document: &Document) -> Vec<Step> {
        viewer.allowed_steps(document.scope())
    }

    pub async fn document_view(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<DocumentView, AppError> {
        let document = self.document(viewer, id).await?;
        let files = self.store.document_files(&viewer.agency_id, id).await?;
        let history = self
            .store
            .journal_of(&viewer.agency_id, id.as_str())
            .await?;
        Ok(DocumentView {
            document,
            files,
            history,
        })
    }

    /// A file of a document the viewer may read.
    pub async fn document_file(
        &self,
        viewer: &Viewer,
        doc_id: &DocumentId,
        file_id: &FileId,
    ) -> Result<(DocumentFile, tokio::fs::File), AppError> {
        self.document(viewer, doc_id).await?;
        let file = self
            .store
            .document_files(&viewer.agency_id, doc_id)
            .await?
            .into_iter()
            .find(|f| f.id == *file_id)
            .ok_or(AppError::NotFound)?;
        let handle = self.blobs.open_blob(&file.sha256).await?;
        Ok((file, handle))
    }

    /// A document's file to download, named for what it is: the main file of a document
    /// with a số/ký hiệu takes it ("12/QĐ-UBND" gives "12-QD-UBND.pdf"); attachments and
    /// undated drafts keep the name they were uploaded with.
    pub async fn document_download(
        &self,
        viewer: &Viewer,
        doc_id: &DocumentId,
        file_id: &FileId,
    ) -> Result<(DocumentFile, tokio::fs::File), AppError> {
        let doc = self.document(viewer, doc_id).await?;
        let (mut file, handle) = self.document_file(viewer, doc_id, file_id).await?;
        if let Some(name) = download_name(doc.notation.as_deref(), &file) {
            file.file_name = name;
        }
        Ok((file, handle))
    }

    pub async fn list(
        &self,
        viewer: &Viewer,
        direction: Direction,
        filter: &ListFilter,
    ) -> Result<Page, AppError> {
        Ok(self.store.list(viewer, direction, filter).await?)
    }

    /// Takes `step` on a document: the dispatch of the API and the pages.
    pub async fn take_step(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        step: Step,
    ) -> Result<Document, AppError> {
        match step {
            Step::Submit => self.submit(viewer, id).await,
            Step::Sign => self.sign(viewer, id).await,
            Step::Return => self.return_to_draft(viewer, id).await,
            Step::Issue => self.issue_step(viewer, id).await,
            Step::Present => self.present(viewer, id).await,
        }
    }

    /// The document, once the viewer may take `step` on it (whatever its state: the state is
    /// checked by the typestate, so a wrong state is a conflict, not a refusal).
    pub(crate) async fn permitted(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        step: Step,
    ) -> Result<Document, AppError> {
        // Refused for the roles before the document is looked at: that tells nothing of it.
        if !viewer.could(step) {
            return Err(AppError::Forbidden(refusal(step)));
        }
        let doc = self.document(viewer, id).await?;
        if !viewer.may(step, doc.scope()) {
            return Err(AppError::Forbidden(refusal(step)));
        }
        Ok(doc)
    }

    /// Trình ký: the author (or a clerk) sends a draft for signature, along the drafting
    /// unit's default route (see [`App::submit_along`] for a chosen one).
    pub async fn submit(&self, viewer: &Viewer, id: &DocumentId) -> Result<Document, AppError> {
        let route = crate::drafting::RouteForm::default();
        self.submit_along(viewer, id, &route).await
    }

    /// The leader approves and signs. (The digital signature itself is applied by the
    /// signing service; this records the leader's decision in the lifecycle.)
    pub async fn sign(&self, viewer: &Viewer, id: &DocumentId) -> Result<Document, AppError> {
        let doc = self.permitted(viewer, id, Step::Sign).await?;
        let submitted = Outgoing::<Submitted>::restore(id, doc.state)?;
        self.store_step(viewer, &submitted.sign()).await
    }

    /// The leader sends a submitted draft back to its author (no reason: see
    /// [`App::return_with_reason`]).
    pub async fn return_to_draft(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Document, AppError> {
        self.return_with_reason(viewer, id, "").await
    }

    /// Trình: the clerk puts a registered incoming document before the leader.
    pub async fn present(&self, viewer: &Viewer, id: &DocumentId) -> Result<Document, AppError> {
        let doc = self.permitted(viewer, id, Step::Present).await?;
        let registered = Incoming::<Registered>::restore(id, doc.state)?;
        self.store_step(viewer, &registered.present()).await
    }

    async fn store_step<D: PlainStep>(
        &self,
        viewer: &Viewer,
        step: &Moved<D>,
    ) -> Result<Document, AppError> {
        Ok(self
            .store
            .transition(
                &viewer.agency_id,
                step,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// The clerk issues a signed document: number and notation from the register of the
    /// current year (Vietnam time), built from the agency's and the drafting unit's
    /// abbreviations.
    pub async fn issue(&self, viewer: &Viewer, id: &DocumentId) -> Result<Document, AppError> {
        let doc = self.permitted(viewer, id, Step::Issue).await?;
        let issuing = Outgoing::<Signed>::restore(id, doc.state)?.issue();
        let (issuer, unit) = self.abbreviations(viewer, &doc).await?;
        let now = self.clock.now().to_offset(VIETNAM);
        let issued_on = iso_date(now.date());
        let build = |n: u32, d: &Document| Notation::build(n, d.doc_type, &issuer, unit.as_ref());
        let req = Issue {
            agency_id: &viewer.agency_id,
            step: &issuing,
            year: now.year(),
            issued_on: &issued_on,
            actor: &viewer.person_id,
            at_ms: self.clock.now_ms(),
        };
        Ok(self.store.issue(&req, build).await?)
    }
}

impl App {
    /// The agency's and the drafting unit's abbreviations a notation is built from.
    pub(crate) async fn abbreviations(
        &self,
        viewer: &Viewer,
        doc: &Document,
    ) -> Result<(Abbreviation, Option<Abbreviation>), AppError> {
        let agency = self.store.agency(&viewer.agency_id).await?;
        let issuer = Abbreviation::parse(&agency.abbreviation)?;
        let unit = match &doc.drafting_unit_id {
            Some(u) => Some(Abbreviation::parse(
                &self.store.unit(&viewer.agency_id, u).await?.abbreviation,
            )?),
            None => None,
        };
        Ok((issuer, unit))
    }

    /// "Ban hành" as the page and the API take it: sealed when the agency has a seal key
    /// (see [`crate::web_signing::issue`]), else numbered only.
    pub async fn issue_step(&self, viewer: &Viewer, id: &DocumentId) -> Result<Document, AppError> {
        if self.seals_on_issue(viewer).await? {
            self.issue_sealed(viewer, id).await
        } else {
            self.issue(viewer, id).await
        }
    }
}

/// Why a step is refused to someone whose roles do not allow it.
/// The name a main file downloads under when its document has a số/ký hiệu, keeping the
/// uploaded file's extension; `None` keeps the uploaded name.
fn download_name(notation: Option<&str>, file: &DocumentFile) -> Option<String> {
    let notation = notation.filter(|n| !n.trim().is_empty())?;
    if file.kind != "main" {
        return None;
    }
    let stem = signet_core::text::file_stem(notation, "");
    if stem.is_empty() {
        return None;
    }
    let ext = file
        .file_name
        .rsplit_once('.')
        .map(|(_, e)| signet_core::text::file_stem(e, ""))
        .filter(|e| !e.is_empty())
        .map(|e| format!(".{}", e.to_ascii_lowercase()))
        .unwrap_or_default();
    Some(format!("{stem}{ext}"))
}

fn refusal(step: Step) -> &'static str {
    match step {
        Step::Submit => "submitting another person's draft",
        Step::Sign => "signing: leaders only",
        Step::Return => "returning drafts: leaders only",
        Step::Issue => "issuing: clerks only",
        Step::Present => "presenting incoming documents: clerks only",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn main_files_download_under_their_notation() {
        let file = |name: &str, kind: &str| DocumentFile {
            id: FileId::new("f"),
            document_id: DocumentId::new("d"),
            sha256: String::new(),
            file_name: name.into(),
            content_type: "application/pdf".into(),
            size: 0,
            kind: kind.into(),
            created_at_ms: 0,
            version: 1,
        };
        let main = file("Tờ trình.PDF", "main");
        assert_eq!(
            super::download_name(Some("12/QĐ-UBND"), &main).as_deref(),
            Some("12-QD-UBND.pdf")
        );
        assert_eq!(super::download_name(None, &main), None);
        assert_eq!(super::download_name(Some(" "), &main), None);
        let att = file("Phụ lục.docx", "attachment");
        assert_eq!(super::download_name(Some("12/QĐ-UBND"), &att), None);
    }

    use super::*;

    #[test]
    fn arrival_dates_stay_near_today() {
        let today = time::macros::date!(2026 - 12 - 04);
        let arrival = |arrived_on: &str, issued_on: &str| ArrivalForm {
            author_name: "Bộ Nội vụ".into(),
            notation: "1/BNV".into(),
            arrived_on: arrived_on.into(),
            issued_on: issued_on.into(),
            ..ArrivalForm::default()
        };
        for ok in ["", "2026-12-04", "2026-12-05", "2025-12-03"] {
            assert!(check_arrival(&arrival(ok, ""), today).is_ok(), "{ok}");
        }
        for bad in ["0000-01-01", "9999-12-31", "2026-12-06", "2025-12-02"] {
            let e = check_arrival(&arrival(bad, ""), today).unwrap_err();
            assert!(
                matches!(
                    e,
                    AppError::Invalid(crate::Invalid::DateOutOfRange {
                        field: "arrived_on",
                        ..
                    })
                ),
                "{bad}: {e:?}"
            );
        }
        assert!(check_arrival(&arrival("", "1990-05-01"), today).is_ok());
        assert!(check_arrival(&arrival("", "9999-12-31"), today).is_err());
    }
}
