//! What the caller saves: the CA's public record, and what issuance hands back.

use serde::{Deserialize, Serialize};

use super::keys::KeyAlg;
use super::profile::Profile;
use crate::pem::pem_encode;
use crate::revocation::RevocationList;

/// Version of the [`CaRecord`] layout.
pub const RECORD_VERSION: u32 = 1;

/// One certificate issued by the issuing CA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedEntry {
    /// Serial, lower-case hex without leading zero bytes.
    pub serial: String,
    /// Which profile.
    pub profile: Profile,
    /// The subject common name.
    pub name: String,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
}

/// Everything public about the CA plus its counters: safe to store as plain JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaRecord {
    /// Layout version, [`RECORD_VERSION`].
    pub version: u32,
    /// The CA's display name.
    pub name: String,
    /// Base URL of the published CRLs, OCSP and certificates, without a trailing slash.
    pub base_url: String,
    /// Key algorithm.
    pub key_alg: KeyAlg,
    /// Root certificate (PEM).
    pub root_cert: String,
    /// Issuing CA certificate (PEM).
    pub issuing_cert: String,
    /// OCSP responder certificate (PEM).
    pub ocsp_cert: String,
    /// TSA certificate (PEM).
    pub tsa_cert: String,
    /// Every leaf issued, in order.
    pub issued: Vec<IssuedEntry>,
    /// Revoked leaves.
    pub revoked: RevocationList,
    /// The last cRLNumber used for the issuing CA's CRL (0: none yet).
    pub crl_number: u64,
    /// The last cRLNumber used for the root's CRL.
    pub root_crl_number: u64,
    /// The last TSA serial used.
    pub tsa_serial: u64,
}

/// A certificate as DER together with its serial.
#[derive(Clone, Debug)]
pub struct Issued {
    /// DER of the certificate.
    pub der: Vec<u8>,
    /// Serial, lower-case hex.
    pub serial: String,
}

impl Issued {
    /// PEM of the certificate.
    pub fn pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
    }
}
