//! Certificate path building and validation at a given time (RFC 5280), with revocation from
//! CRLs and OCSP responses the caller supplies (embedded in a document or fetched by an I/O
//! layer such as `signet-net`).
//!
//! Pure like the rest of the crate: the validation time is a parameter, nothing is fetched.
//! The I/O loop is: [`validate`] → if a certificate's revocation is unknown,
//! [`revocation_needs`] says what to fetch (URLs and a ready OCSP request) → add the answers to
//! [`ValidationContext::crls`] / [`ValidationContext::ocsp_responses`] → [`validate`] again. When
//! the issuer is unknown, [`ca_issuers_urls`] of the last certificate of the (partial) chain
//! says where the missing intermediate may be downloaded.
//!
//! # Verdicts and their ETSI EN 319 102-1 sub-indications
//!
//! | [`CertStatus`] | ETSI indication / sub-indication |
//! | --- | --- |
//! | `Valid` | PASSED |
//! | `UnknownIssuer` | INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND |
//! | `Expired` | INDETERMINATE / OUT_OF_BOUNDS_NO_POE (OUT_OF_BOUNDS_NOT_REVOKED when the caller holds revocation data showing the certificate was not revoked before it expired); TOTAL-FAILED / EXPIRED when `time` is a proven signing time |
//! | `NotYetValid` | TOTAL-FAILED / NOT_YET_VALID (the signing time is before notBefore) |
//! | `Revoked { at, .. }` | INDETERMINATE / REVOKED_NO_POE (REVOKED_CA_NO_POE when the revoked certificate is a CA); TOTAL-FAILED / REVOKED when a proof of existence (a time stamp) places the signature after `at` |
//! | `RevocationUnknown` | INDETERMINATE / TRY_LATER (no usable data), or REVOCATION_OUT_OF_BOUNDS_NO_POE when [`PathReport::warnings`] shows data outside its freshness window |
//! | `Invalid(reason)` | INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE (basic constraints, key usage, path length, unknown critical extension, wrong purpose), CRYPTO_CONSTRAINTS_FAILURE_NO_POE (SHA-1 or an unsupported algorithm) or CERTIFICATE_CHAIN_GENERAL_FAILURE (a certificate's signature does not verify) |
//!
//! # What is checked
//!
//! Path building: from the end-entity certificate to a trust anchor through the untrusted pool
//! by name chaining (AKI/SKI matches tried first), each link's signature verified; several
//! candidates are tried depth-first, within [`MAX_DEPTH`] certificates and [`MAX_ATTEMPTS`]
//! signature checks; the best of at most [`MAX_PATHS`] complete paths is reported.
//!
//! Each certificate: validity at `time` (the anchor too, as openssl does), issuers are CAs
//! (basicConstraints cA, keyUsage keyCertSign when present, pathLenConstraint), no critical
//! extension we do not process, signature algorithms RSA PKCS#1 v1.5 / RSA-PSS (SHA-256/384/512),
//! ECDSA P-256/P-384, Ed25519. SHA-1 signatures are refused (the anchor's own signature is
//! never checked). The end entity is checked for a [`Purpose`].
//!
//! Not processed (a certificate marking them critical is `Invalid`): name constraints, policy
//! mappings and constraints, inhibitAnyPolicy. Certificate policies are read as "any policy".
//!
//! Revocation, per certificate below the anchor: a CRL from the certificate's issuer (signed by
//! the issuer's key; issuing-distribution-point scope honoured; indirect, partial-reason and
//! delta CRLs are not used; nor is a CRL signed by another key of the issuer), or an OCSP
//! response signed by the issuer or by a responder it delegated (OCSPSigning EKU, certificate
//! from the response or the pool, valid at producedAt; the responder's own revocation is not
//! checked). Data issued after `time` counts (it still lists revocations
//! before `time`; a revocation dated after `time` does not count) as long as it was issued
//! while the certificate was within its validity; data issued before `time` must still be
//! current (nextUpdate ≥ `time`). A certificate with id-pkix-ocsp-nocheck and the OCSPSigning
//! EKU is not checked for revocation (RFC 6960 4.2.2.2.1).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod anchors;
mod cert;
mod checks;
mod context;
mod crl;
mod inputs;
mod needs;
mod ocsp;
mod path;
mod sig;
mod status;
mod types;

pub use anchors::{certificates_from_pem_or_der, TrustAnchors, TrustListLabel};
pub use context::ValidationContext;
pub use needs::{
    ca_issuers_urls, crl_urls, ocsp_request, ocsp_urls, revocation_needs, RevocationNeed,
};
pub use path::validate;
pub use types::{
    CertStatus, CertSummary, PathReport, Purpose, RevocationPolicy, RevocationReason,
    RevocationSource, MAX_ATTEMPTS, MAX_DEPTH, MAX_INPUTS, MAX_PATHS, OCSP_NO_NEXT_UPDATE_SECONDS,
};

/// What a person needs to see of one certificate (subject, issuer, serial, validity), without
/// validating it — e.g. the signer of a signature whose path cannot be built.
pub fn summarize(der: &[u8]) -> crate::Result<CertSummary> {
    cert::Cert::parse(der).map(|c| c.summary)
}

/// When the revocation answer `source` names was produced: an OCSP response's producedAt, a
/// CRL's thisUpdate. `None` when no answer was used or it cannot be read. A report shows it so
/// a reader can tell how fresh "good" is.
pub fn revocation_produced_at(
    ctx: &ValidationContext,
    source: &RevocationSource,
) -> Option<time::OffsetDateTime> {
    match source {
        RevocationSource::Ocsp(i) => {
            let der = ctx.ocsp_responses.get(*i)?;
            ocsp::Ocsp::parse(*i, der).ok().map(|o| o.produced_at())
        }
        RevocationSource::Crl(i) => {
            let der = ctx.crls.get(*i)?;
            crl::Crl::parse(*i, der).ok().map(|c| c.this_update())
        }
        RevocationSource::None | RevocationSource::NoCheck => None,
    }
}
