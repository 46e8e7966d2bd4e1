//! The request and response bodies of `/api/v1`: the API contract, one type per body. The
//! OpenAPI document is generated from these types, and the JSON is serialized from them, so
//! the two cannot drift apart. They are built from the app's values by `From` conversions:
//! the store's rows are never serialized.
//!
//! Field names are the contract (outside systems read them): add fields, never rename.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use signet_app::admin::PersonForm;
use signet_app::certificates::CertificateForm;
use signet_app::registers::Book;
use signet_app::AppError;
use signet_core::journal::Entry;
use signet_store::certificates::{CertTotals, Certificate, StatusAt};
use signet_store::directory::{Agency, Person, Unit};
use signet_store::documents::{Document, DocumentFile};
use utoipa::ToSchema;

/// An id or code as the JSON shows it: plain text, whatever type the app gives it.
fn text(v: &impl ToString) -> String {
    v.to_string()
}

fn opt_text(v: &Option<impl ToString>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

// ---------------------------------------------------------------------------------------
// Errors

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code of the kind of error: `unauthenticated`, `bad_credentials`,
    /// `too_many_attempts`, `rate_limited`, `forbidden`, `not_found`, `invalid`,
    /// `wrong_state`, `conflict`, `too_large`, `internal`, `no_ca`.
    pub code: &'static str,
    /// The message in English.
    pub message: String,
    /// The message in Vietnamese.
    pub message_vi: String,
    /// For `invalid`: the stable code of the problem (`one_of`, `date`, `file_required`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<&'static str>,
    /// For `invalid`: the values the message is made of (`field`, `value`, `allowed`…).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, String>,
}

impl ErrorBody {
    pub fn new(e: &AppError, code: &'static str) -> Self {
        let (problem, params) = match e {
            AppError::Invalid(i) => (Some(i.code()), i.params().into_iter().collect()),
            _ => (None, BTreeMap::new()),
        };
        Self {
            error: ErrorDetail {
                code,
                message: crate::error::page_message(e, crate::i18n::Lang::En),
                message_vi: crate::error::page_message(e, crate::i18n::Lang::Vi),
                problem,
                params,
            },
        }
    }
}

// ---------------------------------------------------------------------------------------
// Sessions

/// `POST /api/v1/session`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionCreated {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

// ---------------------------------------------------------------------------------------
// Directory

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyBody {
    pub id: String,
    /// Mã định danh (QCVN 102:2016).
    pub code: String,
    pub name: String,
    pub abbreviation: String,
    pub parent_id: Option<String>,
    pub address: String,
}

impl From<&Agency> for AgencyBody {
    fn from(a: &Agency) -> Self {
        Self {
            id: text(&a.id),
            code: a.code.as_str().to_owned(),
            name: a.name.clone(),
            abbreviation: a.abbreviation.clone(),
            parent_id: opt_text(&a.parent_id),
            address: a.address.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitBody {
    pub id: String,
    pub agency_id: String,
    pub name: String,
    pub abbreviation: String,
}

impl From<&Unit> for UnitBody {
    fn from(u: &Unit) -> Self {
        Self {
            id: text(&u.id),
            agency_id: text(&u.agency_id),
            name: u.name.clone(),
            abbreviation: u.abbreviation.clone(),
        }
    }
}

/// A person; never their password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonBody {
    pub id: String,
    pub agency_id: String,
    pub unit_id: Option<String>,
    pub username: String,
    pub full_name: String,
    pub title: String,
    pub email: String,
    /// `admin`, `clerk`, `leader`, `officer`.
    pub roles: Vec<&'static str>,
    pub active: bool,
}

impl From<&Person> for PersonBody {
    fn from(p: &Person) -> Self {
        Self {
            id: text(&p.id),
            agency_id: text(&p.agency_id),
            unit_id: opt_text(&p.unit_id),
            username: p.username.clone(),
            full_name: p.full_name.clone(),
            title: p.title.clone(),
            email: p.email.clone(),
            roles: p.roles.iter().map(|r| r.code()).collect(),
            active: p.active,
        }
    }
}

/// `GET /api/v1/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub person: PersonBody,
    pub agency: AgencyBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyList {
    pub agencies: Vec<AgencyBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitList {
    pub units: Vec<UnitBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    pub people: Vec<PersonBody>,
}

/// `POST /api/v1/units`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUnit {
    pub name: String,
    pub abbreviation: String,
}

/// `POST /api/v1/people`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPerson {
    pub username: String,
    pub full_name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub unit_id: String,
    /// `admin`, `clerk`, `leader`, `officer`.
    pub roles: Vec<String>,
    /// At least 10 characters.
    pub password: String,
}

impl From<NewPerson> for PersonForm {
    fn from(b: NewPerson) -> Self {
        Self {
            username: b.username,
            full_name: b.full_name,
            title: b.title,
            email: b.email,
            unit_id: b.unit_id,
            roles: b.roles,
            password: b.password,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Documents

#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    pub name: String,
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Signer {
    pub name: String,
    pub position: String,
}

/// A document's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentBody {
    pub id: String,
    /// `outgoing` or `incoming`.
    pub direction: &'static str,
    /// `draft`, `submitted`, `signed`, `issued`, `sent` (outgoing); `registered` (incoming).
    pub state: String,
    /// Type code, e.g. `cong-van`, `quyet-dinh`.
    #[serde(rename = "type")]
    pub doc_type: &'static str,
    pub type_name: &'static str,
    /// Trích yếu.
    pub subject: String,
    pub urgency: &'static str,
    pub secrecy: &'static str,
    pub series: Option<String>,
    pub year: Option<i64>,
    /// Số (outgoing, once issued) or số đến (incoming).
    pub number: Option<i64>,
    /// Số/ký hiệu: ours once issued, or the sender's for an incoming document.
    pub notation: Option<String>,
    pub issued_on: Option<String>,
    pub author: Author,
    pub signer: Signer,
    pub pages: Option<i64>,
    pub recipients: String,
    pub due_on: Option<String>,
    pub drafting_unit_id: Option<String>,
    pub arrived_on: Option<String>,
    pub created_by: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The lifecycle steps the asking person may take on the document now (`submit`,
    /// `sign`, `return`, `issue`, …): what `POST /api/v1/documents/{id}/{step}` accepts.
    pub allowed_steps: Vec<&'static str>,
}

impl DocumentBody {
    /// `d` as shown to someone who may take `allowed_steps` on it.
    pub fn new(d: &Document, allowed_steps: Vec<&'static str>) -> Self {
        Self {
            id: text(&d.id),
            direction: d.direction.as_str(),
            state: text(&d.state),
            doc_type: d.doc_type.code(),
            type_name: d.doc_type.name_vi(),
            subject: d.subject.clone(),
            urgency: d.urgency.code(),
            secrecy: d.secrecy.code(),
            series: d.series.clone(),
            year: d.year,
            number: d.number,
            notation: d.notation.clone(),
            issued_on: d.issued_on.clone(),
            author: Author {
                name: d.author_name.clone(),
                code: d.author_code_text().to_owned(),
            },
            signer: Signer {
                name: d.signer_name.clone(),
                position: d.signer_position.clone(),
            },
            pages: d.pages,
            recipients: d.recipients.clone(),
            due_on: d.due_on.clone(),
            drafting_unit_id: opt_text(&d.drafting_unit_id),
            arrived_on: d.arrived_on.clone(),
            created_by: text(&d.created_by),
            created_at_ms: d.created_at_ms,
            updated_at_ms: d.updated_at_ms,
            allowed_steps,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileBody {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// Lower-case hex.
    pub sha256: String,
    /// `main` (the document itself) or `attachment`.
    pub kind: String,
}

impl From<&DocumentFile> for FileBody {
    fn from(f: &DocumentFile) -> Self {
        Self {
            id: text(&f.id),
            name: f.file_name.clone(),
            content_type: f.content_type.clone(),
            size: f.size,
            sha256: f.sha256.clone(),
            kind: text(&f.kind),
        }
    }
}

/// One entry of a document's history (the agency's hash-chained journal).
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at_ms: i64,
    /// Person id, or `system`.
    pub actor: String,
    /// E.g. `document.drafted`, `document.issued`.
    pub action: String,
    /// The entry's details (a JSON object), or null.
    #[schema(value_type = Option<Object>)]
    pub details: serde_json::Value,
    pub hash: String,
}

impl From<&Entry> for HistoryEntry {
    fn from(e: &Entry) -> Self {
        Self {
            seq: e.seq,
            at_ms: e.at_ms,
            actor: text(&e.actor),
            action: e.action.clone(),
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
            hash: e.hash.clone(),
        }
    }
}

/// A document with its files and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub document: DocumentBody,
    pub files: Vec<FileBody>,
    pub history: Vec<HistoryEntry>,
}

/// A page of documents, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentPage {
    pub documents: Vec<DocumentBody>,
    /// The `after` of the next page; null on the last.
    pub next: Option<String>,
}

/// The fields of `POST /api/v1/documents` (multipart; the file last).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document; `upload::read` reads it
pub struct DraftUpload {
    /// Type code, e.g. `cong-van`, `quyet-dinh`.
    doc_type: String,
    /// Trích yếu (at most 500 characters).
    subject: String,
    /// `thuong`, `khan`, `thuong-khan`, `hoa-toc`, `hoa-toc-hen-gio`.
    urgency: Option<String>,
    /// `khong`, `mat`, `toi-mat`, `tuyet-mat`.
    secrecy: Option<String>,
    signer_name: Option<String>,
    signer_position: Option<String>,
    pages: Option<i64>,
    recipients: Option<String>,
    /// YYYY-MM-DD.
    due_on: Option<String>,
    drafting_unit_id: Option<String>,
    /// PDF, Word, Excel, OpenDocument, PNG or JPEG; sent last.
    #[schema(format = Binary)]
    file: String,
}

/// The fields of `POST /api/v1/incoming` (multipart; files, if any, last).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document; `upload::read` reads it
pub struct IncomingUpload {
    /// Type code, e.g. `cong-van`, `quyet-dinh`.
    doc_type: String,
    /// Trích yếu (at most 500 characters).
    subject: String,
    urgency: Option<String>,
    secrecy: Option<String>,
    signer_name: Option<String>,
    signer_position: Option<String>,
    pages: Option<i64>,
    recipients: Option<String>,
    due_on: Option<String>,
    /// The issuing agency.
    author_name: String,
    /// Its identifier code (`^[0-9A-Z.]{1,35}$`).
    author_code: Option<String>,
    /// The sender's số/ký hiệu.
    notation: String,
    /// YYYY-MM-DD.
    issued_on: Option<String>,
    /// YYYY-MM-DD; today when empty.
    arrived_on: Option<String>,
    #[schema(format = Binary)]
    file: Option<String>,
}

/// The form of `POST /api/v1/verify` (or send the PDF itself as `application/pdf`).
#[derive(ToSchema)]
#[allow(dead_code)] // describes the form for the OpenAPI document; the handler reads it
pub struct VerifyUpload {
    /// The signed PDF.
    #[schema(format = Binary)]
    file: String,
    /// The password of an encrypted PDF (user or owner); not needed when only an owner
    /// password protects it.
    password: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Registers

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterRow {
    /// The row in the columns' order.
    pub cells: Vec<String>,
    pub document: DocumentBody,
}

/// A register (sổ đăng ký) with the columns of Nghị định 30 Phụ lục IV.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterBody {
    /// `di` or `den`.
    pub book: &'static str,
    pub year: i64,
    pub columns: Vec<&'static str>,
    pub rows: Vec<RegisterRow>,
}

impl RegisterBody {
    pub fn new(
        book: Book,
        year: i64,
        docs: &[signet_app::registers::RegisterEntry],
        body: impl Fn(&Document) -> DocumentBody,
    ) -> Self {
        Self {
            book: book.code(),
            year,
            columns: book.columns().to_vec(),
            rows: docs
                .iter()
                .map(|d| RegisterRow {
                    cells: book.row(d).to_vec(),
                    document: body(&d.document),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Certificates

#[derive(Debug, Serialize, ToSchema)]
pub struct Device {
    /// `software`, `pkcs11`, `remote`.
    pub kind: &'static str,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateBody {
    pub id: String,
    /// Lower-case hex.
    pub serial: String,
    /// `personal` or `organization`.
    pub kind: &'static str,
    pub holder_id: Option<String>,
    pub holder_name: String,
    pub subject_cn: String,
    pub issuer: String,
    pub not_before_ms: i64,
    pub not_after_ms: i64,
    pub device: Device,
    /// `valid`, `expiring` (30 days or less), `expired`, `revoked`.
    pub status: &'static str,
    pub revoked_at_ms: Option<i64>,
    /// The RFC 5280 reason name (`keyCompromise`…).
    pub revocation_reason: Option<String>,
    pub created_at_ms: i64,
}

impl CertificateBody {
    pub fn new(c: &Certificate, at: StatusAt) -> Self {
        Self {
            id: text(&c.id),
            serial: c.serial.clone(),
            kind: c.kind.as_str(),
            holder_id: opt_text(&c.holder_id),
            holder_name: c.holder_name.clone(),
            subject_cn: c.subject_cn.clone(),
            issuer: c.issuer.clone(),
            not_before_ms: c.not_before_ms,
            not_after_ms: c.not_after_ms,
            device: Device {
                kind: c.device_kind.as_str(),
                label: c.device_label.clone(),
            },
            status: c.status(at).as_str(),
            revoked_at_ms: c.revoked_at_ms,
            revocation_reason: c.revocation_reason.clone(),
            created_at_ms: c.created_at_ms,
        }
    }
}

/// Counts of the agency's certificates.
#[derive(Debug, Serialize, ToSchema)]
pub struct Totals {
    pub total: i64,
    pub personal: i64,
    pub organization: i64,
    pub valid: i64,
    pub expiring: i64,
    pub expired: i64,
    pub revoked: i64,
}

impl From<&CertTotals> for Totals {
    fn from(t: &CertTotals) -> Self {
        Self {
            total: t.total,
            personal: t.personal,
            organization: t.organization,
            valid: t.valid,
            expiring: t.expiring,
            expired: t.expired,
            revoked: t.revoked,
        }
    }
}

/// A page of certificates, soonest expiry first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificatePage {
    pub certificates: Vec<CertificateBody>,
    /// The `after` of the next page; null on the last.
    pub next: Option<String>,
    pub totals: Totals,
    /// The time the statuses were computed at.
    pub at_ms: i64,
    /// Whether this deployment has a built-in CA to issue from.
    pub can_issue: bool,
}

/// `POST /api/v1/certificates`; the certificate page's form sends the same fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IssueRequest {
    /// `personal` or `organization`.
    #[serde(default)]
    #[schema(required = true)]
    pub kind: String,
    /// The person (personal certificates).
    #[serde(default)]
    pub holder_id: String,
    /// PKCS#10 request, PEM. Empty: the CA generates the key.
    #[serde(default)]
    pub csr: String,
    /// Password of the PKCS#12 file of a generated key (8 characters or more).
    #[serde(default)]
    pub password: String,
    /// With a CSR: `software`, `pkcs11` (default), `remote`.
    #[serde(default)]
    pub device_kind: String,
    #[serde(default)]
    pub device_label: String,
}

impl From<IssueRequest> for CertificateForm {
    fn from(b: IssueRequest) -> Self {
        Self {
            kind: b.kind,
            holder_id: b.holder_id,
            csr: b.csr,
            password: b.password,
            device_kind: b.device_kind,
            device_label: b.device_label,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Issued {
    pub certificate: CertificateBody,
    /// A generated key's PKCS#12 file (base64), returned once; absent for a CSR.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(content_encoding = "base64")]
    pub pkcs12: Option<String>,
}

/// `POST /api/v1/certificates/{serial}/revoke`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// `unspecified` (default), `keyCompromise`, `affiliationChanged`, `superseded`,
    /// `cessationOfOperation`, `privilegeWithdrawn`.
    #[serde(default)]
    pub reason: String,
}
