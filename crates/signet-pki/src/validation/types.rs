//! The validator's vocabulary: limits, policies, purposes, and what a validation reports.

use time::OffsetDateTime;

/// Longest path considered, end entity and anchor included.
pub const MAX_DEPTH: usize = 10;
/// Most signature checks one path search may make.
pub const MAX_ATTEMPTS: usize = 256;
/// Most complete paths compared before the best is reported.
pub const MAX_PATHS: usize = 8;
/// Most untrusted certificates, CRLs and OCSP responses read from a context (the rest are
/// ignored, with a warning).
pub const MAX_INPUTS: usize = 512;
/// An OCSP response without nextUpdate counts for this long after its thisUpdate.
pub const OCSP_NO_NEXT_UPDATE_SECONDS: i64 = 3600;

/// What to do when no usable revocation data is found for a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationPolicy {
    /// The certificate is [`CertStatus::RevocationUnknown`].
    Require,
    /// The certificate passes, with [`RevocationSource::None`]; data that says "revoked" still
    /// makes it [`CertStatus::Revoked`].
    SoftFail,
    /// Revocation is not looked at.
    Skip,
}

/// What the end-entity certificate must be good for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// No purpose check (e.g. to look at a CA certificate).
    Any,
    /// Signing documents: keyUsage (if present) digitalSignature or nonRepudiation; EKU absent
    /// or including emailProtection, anyExtendedKeyUsage, Microsoft document signing
    /// (1.3.6.1.4.1.311.10.3.12) or Adobe authentic documents trust (1.2.840.113583.1.1.5).
    DocumentSigning,
    /// A time-stamping authority (RFC 3161 2.3): a critical EKU holding timeStamping alone.
    Timestamping,
    /// An OCSP responder: EKU with OCSPSigning.
    OcspSigning,
}

/// Why a certificate was revoked (RFC 5280 CRLReason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationReason {
    /// unspecified (0), also used when no reason is given.
    Unspecified,
    /// keyCompromise (1)
    KeyCompromise,
    /// cACompromise (2)
    CaCompromise,
    /// affiliationChanged (3)
    AffiliationChanged,
    /// superseded (4)
    Superseded,
    /// cessationOfOperation (5)
    CessationOfOperation,
    /// certificateHold (6)
    CertificateHold,
    /// privilegeWithdrawn (9)
    PrivilegeWithdrawn,
    /// aACompromise (10)
    AaCompromise,
}

impl RevocationReason {
    /// The RFC 5280 name (`keyCompromise`, ...).
    pub fn name(self) -> &'static str {
        match self {
            RevocationReason::Unspecified => "unspecified",
            RevocationReason::KeyCompromise => "keyCompromise",
            RevocationReason::CaCompromise => "cACompromise",
            RevocationReason::AffiliationChanged => "affiliationChanged",
            RevocationReason::Superseded => "superseded",
            RevocationReason::CessationOfOperation => "cessationOfOperation",
            RevocationReason::CertificateHold => "certificateHold",
            RevocationReason::PrivilegeWithdrawn => "privilegeWithdrawn",
            RevocationReason::AaCompromise => "aACompromise",
        }
    }

    pub(crate) fn of(r: Option<x509_cert::ext::pkix::CrlReason>) -> Self {
        use x509_cert::ext::pkix::CrlReason as R;
        match r {
            Some(R::KeyCompromise) => RevocationReason::KeyCompromise,
            Some(R::CaCompromise) => RevocationReason::CaCompromise,
            Some(R::AffiliationChanged) => RevocationReason::AffiliationChanged,
            Some(R::Superseded) => RevocationReason::Superseded,
            Some(R::CessationOfOperation) => RevocationReason::CessationOfOperation,
            Some(R::CertificateHold) => RevocationReason::CertificateHold,
            Some(R::PrivilegeWithdrawn) => RevocationReason::PrivilegeWithdrawn,
            Some(R::AaCompromise) => RevocationReason::AaCompromise,
            Some(R::Unspecified) | Some(R::RemoveFromCRL) | None => RevocationReason::Unspecified,
        }
    }
}

/// The verdict on one certificate, or on the whole path. See the module documentation for the
/// ETSI sub-indications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Good at the validation time.
    Valid,
    /// The validation time is after notAfter.
    Expired,
    /// The validation time is before notBefore.
    NotYetValid,
    /// Revoked at or before the validation time.
    Revoked {
        /// The revocation date given by the CRL or OCSP response.
        at: OffsetDateTime,
        /// The reason given (unspecified when none).
        reason: RevocationReason,
    },
    /// No path to a trust anchor.
    UnknownIssuer,
    /// No usable CRL or OCSP response under [`RevocationPolicy::Require`].
    RevocationUnknown,
    /// A rule of RFC 5280 or of the purpose is broken; the text says which.
    Invalid(String),
}

impl CertStatus {
    /// Higher is worse: picks the path verdict from the certificates' verdicts.
    pub(crate) fn severity(&self) -> u8 {
        match self {
            CertStatus::Valid => 0,
            CertStatus::RevocationUnknown => 1,
            CertStatus::NotYetValid => 2,
            CertStatus::Expired => 3,
            CertStatus::UnknownIssuer => 4,
            CertStatus::Revoked { .. } => 5,
            CertStatus::Invalid(_) => 6,
        }
    }
}

/// Where a certificate's revocation status came from. The indices point into the context's
/// [`ValidationContext::crls`] and [`ValidationContext::ocsp_responses`], so the caller knows
/// which (embedded or fetched) data it relied on — e.g. to write it into a PDF's DSS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationSource {
    /// No revocation data was used (trust anchor, policy Skip/SoftFail, or nothing found).
    None,
    /// The CRL at this index.
    Crl(usize),
    /// The OCSP response at this index.
    Ocsp(usize),
    /// An OCSP responder certificate with id-pkix-ocsp-nocheck: not checked by design.
    NoCheck,
}

/// What a person needs to see of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// The subject's commonName, or the whole subject when it has none.
    pub subject_cn: String,
    /// The subject DN (RFC 4514 string).
    pub subject: String,
    /// The issuer DN (RFC 4514 string).
    pub issuer: String,
    /// Serial, lower-case hex without leading zero bytes.
    pub serial: String,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256: String,
    /// The certificate itself (DER), e.g. to embed it in a document.
    pub der: Vec<u8>,
}

/// The result of [`validate`].
#[derive(Clone, Debug)]
pub struct PathReport {
    /// The path from the end entity up to the anchor (included). With
    /// [`CertStatus::UnknownIssuer`], the longest partial chain found.
    pub chain: Vec<CertSummary>,
    /// The verdict on the whole path: the worst of the certificates' verdicts.
    pub status: CertStatus,
    /// One entry per certificate of `chain` when a path was found (empty otherwise).
    pub per_cert: Vec<(CertSummary, CertStatus, RevocationSource)>,
    /// The trust anchor the path ends at.
    pub anchor: Option<CertSummary>,
    /// Inputs that were ignored and why (a malformed CRL, a response of another issuer...).
    pub warnings: Vec<String>,
}
