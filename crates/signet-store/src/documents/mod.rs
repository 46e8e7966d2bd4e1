//! Documents: their rows and files ([`mod@self`]), writes through the lifecycle ([`write`]),
//! register numbering ([`numbering`]), the word index ([`terms`]) and lists ([`list`]).
//!
//! Every write is one transaction that begins by claiming the agency's journal head and ends
//! by appending to the journal, so a document never changes without its journal entry.

pub mod archive;
mod audit;
mod list;
mod matching;
mod notes;
pub(crate) mod numbering;
mod opinions;
pub mod processing;
mod replies;
pub mod review;
mod search;
pub mod signing;
pub(crate) mod terms;
pub(crate) mod write;

pub use audit::AuditedRow;
pub(crate) use list::{decode_cursor, encode_cursor};
pub use list::{Cursor, ListFilter, Page, RegisterDetails};
pub use opinions::OpinionRequest;
pub use search::SearchFilter;
pub use write::Issue;
pub(crate) use write::{file_details, insert_draft_in, keep_blob};

use signet_core::document::{Direction, DocumentType, Secrecy, Urgency};
use signet_core::ids::{AgencyId, DocumentId, FileId, PersonId, UnitId};
use signet_core::lifecycle::DocumentState;
use signet_core::AgencyCode;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::corrupt;
use crate::journal::append;
use crate::sql::RowExt;
use crate::{Store, StoreError, StoredBlob, Tx};

/// A document as stored, with its metadata (Nghị định 30 Phụ lục VI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocumentId,
    pub agency_id: AgencyId,
    pub direction: Direction,
    /// In the lifecycle of its direction.
    pub state: DocumentState,
    pub doc_type: DocumentType,
    pub subject: String,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
    pub series: Option<String>,
    pub year: Option<i64>,
    /// Số (outgoing, once issued) or số đến (incoming).
    pub number: Option<i64>,
    /// Số/ký hiệu: ours once issued, or the sender's for an incoming document.
    pub notation: Option<String>,
    pub issued_on: Option<String>,
    /// Tác giả: the issuing agency of an incoming document.
    pub author_name: String,
    /// Its identifier code (mã định danh), when the clerk gave one.
    pub author_code: Option<AgencyCode>,
    pub signer_name: String,
    pub signer_position: String,
    pub pages: Option<i64>,
    pub recipients: String,
    pub due_on: Option<String>,
    pub drafting_unit_id: Option<UnitId>,
    pub arrived_on: Option<String>,
    pub created_by: PersonId,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The draft's version: 1, then one more at each revision.
    pub version: i64,
    /// The leader chosen to sign (`None`: any leader).
    pub signer_id: Option<PersonId>,
    /// The review round of the latest submission (0: never submitted).
    pub review_round: i64,
    /// The level reviewing now; 0 when no review is pending.
    pub review_level: i64,
}

impl Document {
    /// What the permission rules need to know of this document.
    pub fn scope(&self) -> signet_core::person::DocumentScope<'_> {
        signet_core::person::DocumentScope {
            agency_id: &self.agency_id,
            created_by: &self.created_by,
            secrecy: self.secrecy,
            state: self.state,
            signer: self.signer_id.as_ref(),
            in_review: self.in_review(),
        }
    }

    /// A submitted draft still with its reviewers.
    pub fn in_review(&self) -> bool {
        self.review_level > 0
            && self.state
                == DocumentState::Outgoing(signet_core::lifecycle::OutgoingState::Submitted)
    }

    /// The sender's code as text, empty when there is none.
    pub fn author_code_text(&self) -> &str {
        self.author_code.as_ref().map_or("", AgencyCode::as_str)
    }
}

/// A file attached to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFile {
    pub id: FileId,
    pub document_id: DocumentId,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// `main` (the document itself) or `attachment`.
    pub kind: String,
    pub created_at_ms: i64,
    /// The draft version the file was added in.
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewFile {
    pub blob: StoredBlob,
    pub file_name: String,
    pub content_type: String,
    pub kind: String,
}

/// The metadata shared by new drafts and newly received documents.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub agency_id: AgencyId,
    pub doc_type: DocumentType,
    pub subject: String,
    pub urgency: Urgency,
    pub secrecy: Secrecy,
    pub signer_name: String,
    pub signer_position: String,
    pub pages: Option<i64>,
    pub recipients: String,
    pub due_on: Option<String>,
    pub drafting_unit_id: Option<UnitId>,
    pub created_by: PersonId,
    pub files: Vec<NewFile>,
}

/// What an incoming document adds: where it came from and its number there.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub author_name: String,
    pub author_code: Option<AgencyCode>,
    pub notation: String,
    pub issued_on: Option<String>,
    pub arrived_on: String,
    pub year: i32,
}

pub(crate) const COLUMNS: &str =
    "id, agency_id, direction, state, doc_type, subject, urgency, secrecy, \
    series, year, number, notation, issued_on, author_name, author_code, signer_name, \
    signer_position, pages, recipients, due_on, drafting_unit_id, arrived_on, created_by, \
    created_at_ms, updated_at_ms, version, signer_id, review_round, review_level";

pub(crate) fn document_from_row(r: &AnyRow) -> Result<Document, StoreError> {
    let text = |c: &str| -> Result<String, StoreError> { Ok(r.try_get::<String, _>(c)?) };
    let direction = text("direction")?;
    let direction = Direction::parse(&direction).ok_or_else(|| corrupt("direction", &direction))?;
    let author_code = match text("author_code")? {
        c if c.is_empty() => None,
        c => Some(AgencyCode::parse(&c).map_err(|e| corrupt("author code", e))?),
    };
    Ok(Document {
        id: r.id("id")?,
        agency_id: r.id("agency_id")?,
        direction,
        state: DocumentState::parse(direction, &text("state")?).map_err(|e| corrupt("state", e))?,
        doc_type: DocumentType::parse(&text("doc_type")?).map_err(|e| corrupt("type", e))?,
        subject: text("subject")?,
        urgency: Urgency::parse(&text("urgency")?).map_err(|e| corrupt("urgency", e))?,
        secrecy: Secrecy::parse(&text("secrecy")?).map_err(|e| corrupt("secrecy", e))?,
        series: r.try_get("series")?,
        year: r.try_get("year")?,
        number: r.try_get("number")?,
        notation: r.try_get("notation")?,
        issued_on: r.try_get("issued_on")?,
        author_name: text("author_name")?,
        author_code,
        signer_name: text("signer_name")?,
        signer_position: text("signer_position")?,
        pages: r.try_get("pages")?,
        recipients: text("recipients")?,
        due_on: r.try_get("due_on")?,
        drafting_unit_id: r.opt_id("drafting_unit_id")?,
        arrived_on: r.try_get("arrived_on")?,
        created_by: r.id("created_by")?,
        created_at_ms: r.try_get("created_at_ms")?,
        updated_at_ms: r.try_get("updated_at_ms")?,
        version: r.try_get("version")?,
        signer_id: r.opt_id("signer_id")?,
        review_round: r.try_get("review_round")?,
        review_level: r.try_get("review_level")?,
    })
}

pub(crate) fn file_from_row(r: &AnyRow) -> Result<DocumentFile, StoreError> {
    Ok(DocumentFile {
        id: r.id("id")?,
        document_id: r.id("document_id")?,
        sha256: r.try_get("sha256")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        kind: r.try_get("kind")?,
        created_at_ms: r.try_get("created_at_ms")?,
        version: r.try_get("version")?,
    })
}

impl Store {
    /// One document of the viewer's agency, or `NotFound` — also when it belongs to
    /// another agency, so nobody learns that it exists.
    pub async fn document(
        &self,
        agency_id: &AgencyId,
        id: &DocumentId,
    ) -> Result<Document, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM documents WHERE agency_id = $1 AND id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await?;
        document_from_row(&row)
    }

    /// The files of one document of the agency. The agency is in the query (through the
    /// document), so a document id of another agency yields no files.
    pub async fn document_files(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<DocumentFile>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.id, f.document_id, f.sha256, f.file_name, f.content_type, f.size, f.kind, \
             f.created_at_ms, f.version FROM document_files f JOIN documents d ON d.id = f.document_id \
             WHERE d.agency_id = $1 AND f.document_id = $2 ORDER BY f.created_at_ms, f.file_name",
        )
        .bind(agency_id.as_str())
        .bind(document_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(file_from_row).collect()
    }
}

/// The end of every document write: journal the change, read the document back as stored,
/// commit.
pub(crate) async fn journal_and_commit(
    mut tx: Tx,
    agency_id: &AgencyId,
    head: &mut signet_core::journal::Head,
    entry: signet_core::journal::NewEntry,
    id: &DocumentId,
) -> Result<Document, StoreError> {
    append(&mut tx, agency_id, head, entry).await?;
    let doc = fetch(&mut tx, agency_id, id).await?;
    tx.commit().await?;
    Ok(doc)
}

pub(crate) async fn fetch(
    tx: &mut Tx,
    agency_id: &AgencyId,
    id: &DocumentId,
) -> Result<Document, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM documents WHERE agency_id = $1 AND id = $2"
    ))
    .bind(agency_id.as_str())
    .bind(id.as_str())
    .fetch_one(&mut **tx)
    .await?;
    document_from_row(&row)
}
