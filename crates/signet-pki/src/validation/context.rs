//! What a validation uses: the anchors, the untrusted pools and the time.

use time::OffsetDateTime;

use super::anchors::TrustAnchors;
use super::types::RevocationPolicy;

/// Everything a validation uses. Build it with [`ValidationContext::new`] and fill the pools.
#[derive(Clone, Debug)]
pub struct ValidationContext {
    /// The trusted roots (or any trusted CA).
    pub anchors: TrustAnchors,
    /// Untrusted certificates (DER) that may complete a path: from the CMS, the DSS, AIA fetches.
    pub intermediates: Vec<Vec<u8>>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER `OCSPResponse`).
    pub ocsp_responses: Vec<Vec<u8>>,
    /// The time at which the path must be valid (signing time, time-stamp time or now).
    pub time: OffsetDateTime,
    /// What to do without revocation data.
    pub revocation: RevocationPolicy,
}

impl ValidationContext {
    /// A context with no untrusted certificate and no revocation data, policy `Require`.
    pub fn new(anchors: TrustAnchors, time: OffsetDateTime) -> Self {
        ValidationContext {
            anchors,
            intermediates: Vec::new(),
            crls: Vec::new(),
            ocsp_responses: Vec::new(),
            time,
            revocation: RevocationPolicy::Require,
        }
    }
}
