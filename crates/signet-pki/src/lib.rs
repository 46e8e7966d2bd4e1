//! Signet's PKI: a small two-level CA for state agencies.
//!
//! - [`Ca::init`] makes a root, an issuing CA (pathLen 0), an OCSP responder certificate and a
//!   TSA certificate; [`Ca::issue_from_csr`] and [`Ca::issue_with_new_key`] issue person and
//!   organization certificates by profile ([`Ca::issue_for_public_key`] too, without a proof of
//!   possession, for a key the CA operator generated on a token); [`Ca::next_issuing_crl`]
//!   publishes the CRL.
//! - [`Ca::respond`] answers RFC 6960 OCSP requests; [`Ca::timestamp`] answers RFC 3161 time-stamp
//!   requests (with RFC 5816 ESSCertIDv2).
//! - PAdES/CAdES signatures: [`SignedAttributes::pades`] and [`signed_data`] (or [`sign_pades`]
//!   with any [`RawSigner`]) build the detached CMS; [`timestamp_request`], [`timestamp_token`]
//!   and [`add_signature_timestamp`] make it B-T, and the same request/token pair gives a
//!   document timestamp's /Contents; [`contents_capacity`] sizes the placeholder.
//! - Third-party CMS (BER too): [`parse_signature`], [`verify_integrity`],
//!   [`parse_timestamp_token`], [`verify_timestamp_token`]; [`fuzz_cms`] for fuzzers.
//!
//! The crate is pure: no file, no socket, no clock. Time is a parameter; serial numbers come
//! from the caller's RNG. (Key generation and ECDSA nonces use `ring`, which reads the operating
//! system's random source itself.) The caller saves [`CaKeys`] and [`CaRecord`].

mod ber;
mod ca;
mod cades;
mod certid;
mod certinfo;
mod cms_parse;
mod cms_verify;
mod csr;
mod digest;
mod error;
mod ess;
mod fuzz;
mod ocsp;
mod oids;
mod pem;
mod revocation;
mod serial;
mod sigalg;
pub mod subject;
mod timestamp;
mod tsa;
mod tst_info;
pub mod validation;

pub use ca::{
    next_crl_number, Ca, CaKey, CaKeys, CaRecord, CaSigningKeys, DynKey, GeneratedKey, HolderKey,
    Issued, IssuedEntry, KeyAlg, Profile, Subject, CRL_VALIDITY, ORGANIZATION_VALIDITY,
    PERSON_VALIDITY,
};
pub use cades::{
    contents_capacity, sign_pades, signed_data, SignedAttributes, TIMESTAMP_TOKEN_RESERVE,
};
pub use cms_parse::{parse_signature, AlgorithmId, CmsSignature, EssCertId, SignedAttrs};
pub use cms_verify::{verify_integrity, verify_with_certificate, Integrity};
pub use csr::verify as verify_csr;
pub use error::{PkiError, Result};
pub use fuzz::fuzz_cms;
pub use ocsp::OCSP_VALIDITY_SECONDS;
pub use oids::TSA_POLICY;
pub use pem::pem_encode as pem;
pub use revocation::{Reason, Revocation, RevocationList};
pub use serial::{parse_serial, serial_hex};
pub use sigalg::{DigestAlgorithm, RawSigner, SignatureAlgorithm};
pub use timestamp::{
    add_signature_timestamp, parse_timestamp_token, signature_value, timestamp_request,
    timestamp_token, verify_timestamp_token, TimestampCheck, TimestampToken, TstInfo,
};
