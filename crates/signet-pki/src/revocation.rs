//! Revocations: what the CRL and the OCSP responder publish.

use rcgen::RevocationReason as RR;
use serde::{Deserialize, Serialize};
use x509_cert::ext::pkix::CrlReason;

/// The CRLReason codes a person may give (RFC 5280 section 5.3.1; holds are not offered).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// unspecified (0)
    Unspecified,
    /// keyCompromise (1)
    KeyCompromise,
    /// affiliationChanged (3)
    AffiliationChanged,
    /// superseded (4)
    Superseded,
    /// cessationOfOperation (5)
    CessationOfOperation,
    /// privilegeWithdrawn (9)
    PrivilegeWithdrawn,
}

/// Each reason as the two libraries that encode it name it: rcgen (CRLs), x509-cert (OCSP).
const CODES: [(Reason, RR, CrlReason); 6] = [
    (Reason::Unspecified, RR::Unspecified, CrlReason::Unspecified),
    (
        Reason::KeyCompromise,
        RR::KeyCompromise,
        CrlReason::KeyCompromise,
    ),
    (
        Reason::AffiliationChanged,
        RR::AffiliationChanged,
        CrlReason::AffiliationChanged,
    ),
    (Reason::Superseded, RR::Superseded, CrlReason::Superseded),
    (
        Reason::CessationOfOperation,
        RR::CessationOfOperation,
        CrlReason::CessationOfOperation,
    ),
    (
        Reason::PrivilegeWithdrawn,
        RR::PrivilegeWithdrawn,
        CrlReason::PrivilegeWithdrawn,
    ),
];

impl Reason {
    /// All reasons with their RFC 5280 names.
    pub const ALL: [(Reason, &'static str); 6] = [
        (Reason::Unspecified, "unspecified"),
        (Reason::KeyCompromise, "keyCompromise"),
        (Reason::AffiliationChanged, "affiliationChanged"),
        (Reason::Superseded, "superseded"),
        (Reason::CessationOfOperation, "cessationOfOperation"),
        (Reason::PrivilegeWithdrawn, "privilegeWithdrawn"),
    ];

    /// Parses the RFC 5280 name (`keyCompromise`, ...).
    pub fn parse(name: &str) -> Option<Reason> {
        Self::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(r, _)| *r)
    }

    /// The RFC 5280 name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map(|(_, n)| *n)
            .unwrap_or("unspecified")
    }

    /// The reason's code for rcgen (the CRL).
    pub(crate) fn rcgen(self) -> rcgen::RevocationReason {
        self.codes().0
    }

    /// The reason's code for x509-cert (the OCSP responder).
    pub(crate) fn x509(self) -> CrlReason {
        self.codes().1
    }

    fn codes(self) -> (rcgen::RevocationReason, CrlReason) {
        CODES
            .iter()
            .find(|(r, _, _)| *r == self)
            .map_or((RR::Unspecified, CrlReason::Unspecified), |(_, a, b)| {
                (*a, *b)
            })
    }
}

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// Serial in normal form (lower-case hex, no leading zero bytes).
    pub serial: String,
    /// When it was revoked, Unix seconds.
    pub time: i64,
    /// Why.
    pub reason: Reason,
}

/// The revocations of the issuing CA.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationList {
    /// In the order they were recorded.
    pub entries: Vec<Revocation>,
}

impl RevocationList {
    /// The revocation of a serial (normal form), if any.
    pub fn get(&self, serial: &str) -> Option<&Revocation> {
        self.entries.iter().find(|r| r.serial == serial)
    }
}
