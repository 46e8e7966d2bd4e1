//! The verification report: one verdict per signature after ETSI EN 319 102-1, with what the
//! referees (pyHanko, pdfsig) also say — integrity, coverage, modifications — so the three can be
//! compared line by line. The JSON shape is documented in `docs/VERIFY-REPORT.md`.

use serde::Serialize;
use signet_pki::subject::SubjectDetails;
use signet_pki::validation::TrustListLabel;

/// The main indication of ETSI EN 319 102-1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Indication {
    #[serde(rename = "TOTAL-PASSED")]
    TotalPassed,
    #[serde(rename = "INDETERMINATE")]
    Indeterminate,
    #[serde(rename = "TOTAL-FAILED")]
    TotalFailed,
}

impl Indication {
    pub fn as_str(self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::Indeterminate => "INDETERMINATE",
            Indication::TotalFailed => "TOTAL-FAILED",
        }
    }
}

/// Sub-indications we give (ETSI EN 319 102-1 §5.1.3 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    NoCertificateChainFound,
    RevokedNoPoe,
    OutOfBoundsNoPoe,
    NotYetValid,
    TryLater,
    ChainConstraintsFailure,
    CryptoConstraintsFailureNoPoe,
    SigConstraintsFailure,
    NoSignerCertificateFound,
}

/// Signature (`/Sig`) or document timestamp (`/DocTimeStamp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Signature,
    DocumentTimestamp,
}

/// Whether the digest and the cryptographic signature both check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Integrity {
    Intact,
    Broken,
}

/// What the ByteRange covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// Everything but the /Contents value, to the last byte of the file.
    EntireFile,
    /// Everything up to the end of one revision; later incremental updates exist.
    EntireRevision,
    /// Anything else: a gap, an end that is not a revision boundary, overlapping ranges.
    Partial,
}

/// What later incremental updates did, from harmless to anything (pyHanko's levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Modifications {
    None,
    /// Validation data (DSS) and document timestamps only.
    Ltv,
    /// Signature fields filled or added, form field values.
    FormFilling,
    /// Annotations added or changed.
    Annotations,
    /// Anything else — e.g. page content. Never allowed after a signature.
    Other,
}

/// A message in both languages of the product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    pub vi: String,
    pub en: String,
    /// A library's own words (English, technical) quoted in both texts, if any, so a page can
    /// show them apart, labelled, after the Vietnamese sentence. Not part of the JSON report.
    #[serde(skip)]
    pub detail: Option<String>,
}

impl Message {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Message {
        Message {
            vi: vi.into(),
            en: en.into(),
            detail: None,
        }
    }

    /// Says which part of the texts is `detail` quoted as it came (nothing when it is empty).
    pub fn with_detail(mut self, detail: &str) -> Message {
        let d = detail.trim();
        if !d.is_empty() {
            self.detail = Some(d.to_owned());
        }
        self
    }
}

/// Who signed: from the signer's certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Signer {
    pub subject: String,
    pub common_name: Option<String>,
    pub serial: String,
    pub issuer: String,
    /// SHA-256 of the signer's certificate (DER), lower-case hex.
    pub certificate_sha256: String,
    /// What the Vietnamese profiles carry besides the name: personal ID / tax code / agency
    /// code (UID, serialNumber), title. Omitted when the subject has none.
    #[serde(skip_serializing_if = "SubjectDetails::is_empty")]
    pub details: SubjectDetails,
}

/// A certificate's revocation status as established for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevocationReport {
    /// `good`, `revoked`, `unknown`, `not-checked`.
    pub status: String,
    /// Where the answer came from: `embedded` (DSS or CMS), `fetched`, `none`.
    pub source: String,
    /// Revocation time, when revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the answer used was produced (OCSP producedAt, CRL thisUpdate), RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produced_at: Option<String>,
}

/// The report for one signature or document timestamp.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    pub field: String,
    pub kind: Kind,
    pub subfilter: String,
    pub integrity: Integrity,
    pub coverage: Coverage,
    pub modifications: Modifications,
    pub indication: Indication,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    pub signer: Option<Signer>,
    /// The time the signer claims (/M or a signing-time attribute), as written.
    pub signing_time: Option<String>,
    /// The signature timestamp's time (or the document timestamp's own), RFC 3339.
    pub timestamp: Option<String>,
    /// B-B, B-T, B-LT, B-LTA, or null when the signature is not PAdES (adbe.pkcs7.*).
    pub level: Option<String>,
    pub byte_range: Vec<i64>,
    /// The revision (0-based) the signature covers.
    pub revision: usize,
    pub digest_algorithm: Option<String>,
    pub revocation: Option<RevocationReport>,
    /// The built-in trust list the signer's chain ended in (null: a configured anchor, or no
    /// chain to any anchor).
    pub trust_list: Option<TrustListLabel>,
    /// The subject of the anchor the signer's chain ended at.
    pub trust_anchor: Option<String>,
    /// The earliest time a valid timestamp proves this signature existed (RFC 3339): its
    /// signature timestamp, or a later document timestamp whose TSA validates; for a document
    /// timestamp, the next valid one after it. Null when nothing proves it.
    pub proof_of_existence: Option<String>,
    /// The time the signer's (or the TSA's) certificate path was validated at (RFC 3339): the
    /// validation time, or `proof_of_existence` when the path was no longer valid at the
    /// validation time (expired or revoked since: past signature validation, ETSI EN
    /// 319 102-1 §5.6.2.4). Null when no path was validated.
    pub validated_at: Option<String>,
    pub messages: Vec<Message>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The worst indication over all signatures; INDETERMINATE when there is none.
    pub verdict: Indication,
    /// The file's cross-reference structure was broken and had to be rebuilt by scanning.
    pub recovered: bool,
    pub revisions: usize,
    pub signatures: Vec<SignatureReport>,
    pub messages: Vec<Message>,
}

impl Report {
    /// The exit status of `signet verify`: 0 all TOTAL-PASSED, 1 any TOTAL-FAILED, 2 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Indication::TotalPassed => 0,
            Indication::TotalFailed => 1,
            Indication::Indeterminate => 2,
        }
    }
}
