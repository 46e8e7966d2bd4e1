//! The packet as integrators see it: the JSON of `signet edxml inspect --json`, and (without
//! `attachments` and `signature`) the spec `signet edxml build` takes. Field names are a
//! published contract: do not rename.

use serde::{Deserialize, Serialize};

/// A document packet (gói tin văn bản) or a status packet (gói tin trạng thái).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Document,
    Status,
}

/// An agency (OrganId is its identifier code, mã định danh).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organ {
    pub organ_id: String,
    pub organ_name: String,
}

/// Số and ký hiệu.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Code {
    pub number: String,
    pub notation: String,
}

/// Place and date (YYYY-MM-DD) of promulgation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Promulgation {
    pub place: String,
    pub date: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentType {
    #[serde(rename = "type")]
    pub kind: String,
    pub type_detail: String,
    pub name: String,
}

/// The person who signed the document (SignerInfo).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignerInfo {
    pub position: String,
    pub full_name: String,
}

/// One delivered file: the original (unzipped when the sender zipped it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the delivered file, lower-case hex.
    pub sha256: String,
}

/// The document a status answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResponseFor {
    pub organ_id: String,
    pub code: String,
    pub document_id: String,
    /// YYYY-MM-DD.
    pub promulgation_date: String,
}

/// A status packet's status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Status {
    pub code: String,
    pub description: String,
    /// ISO 8601; packet times carry no zone and are Vietnam time (+07:00).
    pub timestamp: String,
    pub response_for: ResponseFor,
}

/// The packet's XML signature as read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureReport {
    pub present: bool,
    /// Its own integrity (references and SignatureValue with the embedded certificate);
    /// `None` when it cannot be judged (an algorithm or reference form not supported).
    pub valid: Option<bool>,
    /// The signer certificate's subject commonName.
    pub signer: Option<String>,
    /// "sha256" or "sha1" (the weakest hash the signature uses).
    pub digest: Option<String>,
    /// The signer certificate (DER) the signature was checked with, for the caller to judge
    /// who signed (not part of the JSON contract).
    #[serde(skip)]
    pub certificate: Option<Vec<u8>>,
}

/// What a document packet does to the receiver's register (QCVN 102 `Bussiness`): a new
/// document, or the recall, update or replacement of one sent earlier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BusinessKind {
    #[default]
    New,
    /// Thu hồi: the document named by the packet's DocumentId is withdrawn.
    Recall,
    /// Cập nhật: a corrected version of the documents in `replaces`.
    Update,
    /// Thay thế: a new document that replaces the documents in `replaces`.
    Replace,
}

impl BusinessKind {
    /// The `BussinessDocType` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::New => "0",
            Self::Recall => "1",
            Self::Update => "2",
            Self::Replace => "3",
        }
    }

    /// From a `BussinessDocType` code; anything unknown is a new document, as senders that
    /// leave the element empty mean.
    pub fn from_code(code: &str) -> Self {
        match code.trim() {
            "1" => Self::Recall,
            "2" => Self::Update,
            "3" => Self::Replace,
            _ => Self::New,
        }
    }
}

/// The packet's `Bussiness` element. Only in the JSON when it is not a plain new document,
/// so the published shape of ordinary packets does not change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Business {
    pub kind: BusinessKind,
    /// Why (BussinessDocReason): the recall's or the correction's reason.
    pub reason: String,
    /// The edXML document ids an update or a replacement supersedes (ReplacementInfo).
    pub replaces: Vec<String>,
}

impl Business {
    pub fn is_new(&self) -> bool {
        *self == Self::default()
    }
}

/// The packet fields shared by `inspect` and `build`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Spec {
    pub kind: Kind,
    pub document_id: String,
    pub from: Organ,
    pub to: Vec<Organ>,
    pub code: Code,
    pub promulgation: Promulgation,
    pub document_type: DocumentType,
    pub subject: String,
    pub priority: String,
    pub due_date: Option<String>,
    pub signer: SignerInfo,
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Business::is_new")]
    pub business: Business,
}

/// What `inspect` reports: the spec, the delivered attachments and the signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    pub kind: Kind,
    pub document_id: String,
    pub from: Organ,
    pub to: Vec<Organ>,
    pub code: Code,
    pub promulgation: Promulgation,
    pub document_type: DocumentType,
    pub subject: String,
    pub priority: String,
    pub due_date: Option<String>,
    pub signer: SignerInfo,
    pub attachments: Vec<Attachment>,
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Business::is_new")]
    pub business: Business,
    pub signature: SignatureReport,
    /// Read from the legacy SOAP-ENV status envelope (not part of the JSON contract).
    #[serde(skip)]
    pub legacy_soap: bool,
}

impl Packet {
    /// The fields a spec has.
    pub fn spec(&self) -> Spec {
        Spec {
            kind: self.kind,
            document_id: self.document_id.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            code: self.code.clone(),
            promulgation: self.promulgation.clone(),
            document_type: self.document_type.clone(),
            subject: self.subject.clone(),
            priority: self.priority.clone(),
            due_date: self.due_date.clone(),
            signer: self.signer.clone(),
            status: self.status.clone(),
            business: self.business.clone(),
        }
    }
}

/// The status codes of QĐ 28 that packets carry.
pub const STATUS_CODES: [(&str, &str); 9] = [
    ("01", "arrived"),
    ("02", "rejected / returned"),
    ("03", "registered"),
    ("04", "assigned"),
    ("05", "processing"),
    ("06", "done"),
    ("13", "recalled"),
    ("15", "updated"),
    ("16", "replaced"),
];

/// The English meaning of a status code, if it is one of [`STATUS_CODES`].
pub fn status_meaning(code: &str) -> Option<&'static str> {
    STATUS_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, m)| *m)
}
