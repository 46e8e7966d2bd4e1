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
mod certinfo;
mod cms_parse;
mod cms_verify;
mod csr;
mod error;
mod ocsp;
mod oids;
mod revocation;
mod sigalg;
mod timestamp;
mod tsa;
pub mod validation;

pub use ca::{
    next_crl_number, parse_serial, serial_hex, Ca, CaKey, CaKeys, CaRecord, CaSigningKeys, DynKey,
    GeneratedKey, HolderKey, Issued, IssuedEntry, KeyAlg, Profile, Subject, CRL_VALIDITY,
    ORGANIZATION_VALIDITY, PERSON_VALIDITY,
};
pub use cades::{
    contents_capacity, sign_pades, signed_data, SignedAttributes, TIMESTAMP_TOKEN_RESERVE,
};
pub use cms_parse::{parse_signature, AlgorithmId, CmsSignature, EssCertId, SignedAttrs};
pub use cms_verify::{fuzz_cms, verify_integrity, Integrity};
pub use csr::verify as verify_csr;
pub use error::{PkiError, Result};
pub use ocsp::OCSP_VALIDITY_SECONDS;
pub use oids::TSA_POLICY;
pub use revocation::{Reason, Revocation, RevocationList};
pub use sigalg::{DigestAlgorithm, RawSigner, SignatureAlgorithm};
pub use timestamp::{
    add_signature_timestamp, parse_timestamp_token, signature_value, timestamp_request,
    timestamp_token, verify_timestamp_token, TimestampCheck, TimestampToken, TstInfo,
};

/// PEM of a DER blob under a label (`CERTIFICATE`, `X509 CRL`, `PRIVATE KEY`).
pub fn pem(label: &str, der: &[u8]) -> String {
    ca::pem_encode(label, der)
}

/// The digests the TSA accepts and the signers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Digest {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    pub(crate) fn of_oid(oid: &der::asn1::ObjectIdentifier) -> Option<Digest> {
        match *oid {
            o if o == oids::SHA1 => Some(Digest::Sha1),
            o if o == oids::SHA256 => Some(Digest::Sha256),
            o if o == oids::SHA384 => Some(Digest::Sha384),
            o if o == oids::SHA512 => Some(Digest::Sha512),
            _ => None,
        }
    }

    pub(crate) fn oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            Digest::Sha1 => oids::SHA1,
            Digest::Sha256 => oids::SHA256,
            Digest::Sha384 => oids::SHA384,
            Digest::Sha512 => oids::SHA512,
        }
    }

    pub(crate) fn len(self) -> usize {
        match self {
            Digest::Sha1 => 20,
            Digest::Sha256 => 32,
            Digest::Sha384 => 48,
            Digest::Sha512 => 64,
        }
    }

    pub(crate) fn hash(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            Digest::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Digest::Sha256 => &ring::digest::SHA256,
            Digest::Sha384 => &ring::digest::SHA384,
            Digest::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(alg, data).as_ref().to_vec()
    }
}
