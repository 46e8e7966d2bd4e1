//! PKCS#10 requests: decoding and the proof-of-possession check.

use der::{Decode, Encode};
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_cert::request::CertReq;

use crate::error::{PkiError, Result};
use crate::oids;
use crate::pem::pem_decode;

/// Decodes a CSR given as PEM (`CERTIFICATE REQUEST` or `NEW CERTIFICATE REQUEST`) or DER,
/// checks its self-signature and returns the DER of its SubjectPublicKeyInfo.
pub fn verify(input: &[u8]) -> Result<Vec<u8>> {
    let der = if input.first() == Some(&0x30) {
        input.to_vec()
    } else {
        let text = String::from_utf8_lossy(input);
        let label_new = text
            .trim_start()
            .starts_with("-----BEGIN NEW CERTIFICATE REQUEST-----");
        pem_decode(
            input,
            if label_new {
                "NEW CERTIFICATE REQUEST"
            } else {
                "CERTIFICATE REQUEST"
            },
        )?
    };
    let req = CertReq::from_der(&der).map_err(|e| PkiError::MalformedDer {
        what: "certificate request",
        detail: e.to_string(),
    })?;
    let spki = &req.info.public_key;
    let key_oid = spki.algorithm.oid;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
    let sig_oid = req.algorithm.oid;
    let alg: &'static dyn VerificationAlgorithm = match (key_oid, curve, sig_oid) {
        (k, Some(c), s)
            if k == oids::EC_PUBLIC_KEY && c == oids::SECP256R1 && s == oids::ECDSA_WITH_SHA256 =>
        {
            &signature::ECDSA_P256_SHA256_ASN1
        }
        (k, Some(c), s)
            if k == oids::EC_PUBLIC_KEY && c == oids::SECP256R1 && s == oids::ECDSA_WITH_SHA384 =>
        {
            &signature::ECDSA_P256_SHA384_ASN1
        }
        (k, Some(c), s)
            if k == oids::EC_PUBLIC_KEY && c == oids::SECP384R1 && s == oids::ECDSA_WITH_SHA384 =>
        {
            &signature::ECDSA_P384_SHA384_ASN1
        }
        (k, Some(c), s)
            if k == oids::EC_PUBLIC_KEY && c == oids::SECP384R1 && s == oids::ECDSA_WITH_SHA256 =>
        {
            &signature::ECDSA_P384_SHA256_ASN1
        }
        (k, _, s) if k == oids::RSA_ENCRYPTION && s == oids::SHA256_WITH_RSA => {
            &signature::RSA_PKCS1_2048_8192_SHA256
        }
        (k, _, s) if k == oids::RSA_ENCRYPTION && s == oids::SHA384_WITH_RSA => {
            &signature::RSA_PKCS1_2048_8192_SHA384
        }
        (k, _, s) if k == oids::RSA_ENCRYPTION && s == oids::SHA512_WITH_RSA => {
            &signature::RSA_PKCS1_2048_8192_SHA512
        }
        (k, c, s) => {
            let curve = c.map(|c| format!(" on {c}")).unwrap_or_default();
            return Err(PkiError::CsrUnsupportedAlgorithm(format!(
                "key {k}{curve} signed with {s} (accepted: ECDSA P-256/P-384, RSA >= 2048 with PKCS#1 v1.5 and SHA-2)"
            )));
        }
    };
    let tbs = req.info.to_der()?;
    let sig = req.signature.as_bytes().ok_or(PkiError::CsrBadSignature)?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| PkiError::MalformedDer {
            what: "certificate request",
            detail: "public key is not a whole number of bytes".into(),
        })?;
    UnparsedPublicKey::new(alg, key)
        .verify(&tbs, sig)
        .map_err(|_| PkiError::CsrBadSignature)?;
    Ok(spki.to_der()?)
}
