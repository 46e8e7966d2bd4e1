//! Cryptographic integrity of a parsed CMS signature: does the digest match the data, and does
//! the signature verify with the signer certificate's key. Trust in that certificate is the
//! business of path validation, not of this module.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use der::asn1::ObjectIdentifier as Oid;
use ring::signature::{self as rs, VerificationAlgorithm};

use crate::certinfo::Spki;
use crate::cms_parse::{AlgorithmId, CmsSignature};
use crate::oids;
use crate::sigalg::{DigestAlgorithm, PssParams};

/// The verdict on one signature's integrity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Integrity {
    /// The signed content matches the data: messageDigest (or the encapsulated SHA-1 of
    /// `adbe.pkcs7.sha1`, or a time-stamp token's imprint) equals the digest of the data.
    pub digest_ok: bool,
    /// The signature verifies with the signer certificate's public key.
    pub signature_ok: bool,
    /// The signature covers signed attributes (otherwise it covers the content directly).
    pub signed_attributes: bool,
    /// signingCertificate(V2), when present, names the signer certificate (its first ESS
    /// identifier: hash, and serial if given). `None` when the attribute is absent, which
    /// PAdES baseline signatures must not be.
    pub signing_certificate: Option<bool>,
    /// The signed attributes are in DER order, or there are none (see
    /// [`crate::SignedAttrs::der_ordered`]).
    pub attributes_der: bool,
    /// Why something is not ok (unsupported algorithm, no signer certificate...), if known.
    pub problem: Option<String>,
    /// An RSA PKCS#1 v1.5 signature whose DigestInfo omits the hash's NULL parameter (the
    /// Government's signing service writes it): accepted, as BouncyCastle (the EU DSS) and
    /// OpenJDK do, and reported as a warning (docs/CORPUS-AGREEMENT.md).
    pub digest_info_without_null: bool,
}

impl Integrity {
    /// Both checks passed.
    pub fn ok(&self) -> bool {
        self.digest_ok && self.signature_ok
    }

    /// Both checks passed and the signed attributes (if any) are DER-ordered as RFC 5652
    /// requires: the verdict of strict validators (DSS, pyHanko).
    pub fn strict_ok(&self) -> bool {
        self.ok() && self.attributes_der
    }
}

/// Checks `sig` against the signed data, given as the pieces a PDF ByteRange names (or one
/// piece). With signed attributes, only the digest of the data is needed; without them the
/// signature covers the data itself, so the pieces are joined for the signature check.
pub fn verify_integrity(sig: &CmsSignature, data: &[&[u8]]) -> Integrity {
    let mut problem = None;
    let Some(digest) = sig.digest_algorithm else {
        return failed(
            sig,
            format!("unsupported digest {}", sig.digest_algorithm_id.oid),
        );
    };
    // What the signature is about: the encapsulated content when there is one (adbe.pkcs7.sha1,
    // time-stamp tokens), otherwise the detached data. An empty eContent, which some PDF
    // signers write, is read as detached (pdfsig does the same).
    let encapsulated = sig.encapsulated_content.as_ref().filter(|e| !e.is_empty());
    let (content_ok, content): (bool, Vec<u8>) = match encapsulated {
        Some(e) => (encapsulated_matches(sig, e, data, &mut problem), e.clone()),
        None => (true, Vec::new()),
    };
    let detached = encapsulated.is_none();
    let content_digest = if detached {
        digest.hash_parts(data)
    } else {
        digest.hash(&content)
    };
    let (digest_ok, message): (bool, Vec<u8>) = match &sig.signed_attributes {
        Some(a) => {
            let md = a.message_digest.as_deref() == Some(content_digest.as_slice());
            if !md {
                problem.get_or_insert_with(|| "messageDigest does not match".into());
            }
            // RFC 5652 5.3: the signed contentType must be the eContentType, so that a
            // signature cannot be replayed over content of another type.
            let ct = a.content_type.as_ref() == Some(&sig.content_type);
            if !ct {
                problem.get_or_insert_with(|| "contentType attribute missing or wrong".into());
            }
            (content_ok && md && ct, a.der.clone())
        }
        None if detached => (true, data.concat()),
        None => (content_ok, content),
    };
    let mut digest_info_without_null = false;
    let signature_ok = match check_signature(sig, digest, &message) {
        Ok(true) => true,
        Ok(false) if rsa_without_null(sig, digest, &message) => {
            digest_info_without_null = true;
            true
        }
        Ok(false) => {
            problem.get_or_insert_with(|| "the signature does not verify with the key".into());
            false
        }
        Err(why) => {
            problem.get_or_insert(why);
            false
        }
    };
    Integrity {
        // Without signed attributes nothing but the signature binds the data.
        digest_ok: if sig.signed_attributes.is_none() && detached {
            signature_ok
        } else {
            digest_ok
        },
        signature_ok,
        signed_attributes: sig.signed_attributes.is_some(),
        signing_certificate: signing_certificate_ok(sig),
        attributes_der: attributes_der(sig),
        problem,
        digest_info_without_null,
    }
}

fn signing_certificate_ok(sig: &CmsSignature) -> Option<bool> {
    let attrs = sig.signed_attributes.as_ref()?;
    let ids = attrs
        .signing_certificate_v2
        .as_ref()
        .or(attrs.signing_certificate.as_ref())?;
    Some(match (ids.first(), &sig.signer_certificate) {
        (Some(id), Some(cert)) => id.matches(cert),
        _ => false,
    })
}

fn attributes_der(sig: &CmsSignature) -> bool {
    !matches!(&sig.signed_attributes, Some(a) if !a.der_ordered)
}

fn failed(sig: &CmsSignature, why: String) -> Integrity {
    Integrity {
        digest_ok: false,
        signature_ok: false,
        signed_attributes: sig.signed_attributes.is_some(),
        signing_certificate: signing_certificate_ok(sig),
        attributes_der: attributes_der(sig),
        problem: Some(why),
        digest_info_without_null: false,
    }
}

/// Does the encapsulated content stand for `data`? `adbe.pkcs7.sha1` puts the SHA-1 of the
/// data there; a time-stamp token (document timestamp) its TSTInfo, whose imprint must match.
/// With no data given (a token checked on its own), the content is taken as is.
fn encapsulated_matches(
    sig: &CmsSignature,
    content: &[u8],
    data: &[&[u8]],
    problem: &mut Option<String>,
) -> bool {
    if data.is_empty() {
        return true;
    }
    let ok = if sig.content_type == oids::CT_TST_INFO {
        crate::tst_info::parse_tst_info(content).is_ok_and(|t| {
            t.digest_algorithm
                .is_some_and(|d| d.hash_parts(data) == t.imprint)
        })
    } else {
        content == DigestAlgorithm::Sha1.hash_parts(data) || content == data.concat()
    };
    if !ok {
        *problem = Some("the encapsulated content does not match the data".into());
    }
    ok
}

/// The DER DigestInfo prefix of `digest` with the AlgorithmIdentifier's parameters absent
/// (RFC 8017 §9.2 Note 1 lists them with NULL; this is the same minus `05 00`).
fn digest_info_prefix_without_null(digest: DigestAlgorithm) -> Vec<u8> {
    let (oid_last, len) = match digest {
        DigestAlgorithm::Sha1 => {
            return vec![
                0x30, 0x1f, 0x30, 0x07, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x04, 0x14,
            ]
        }
        DigestAlgorithm::Sha256 => (0x01, 0x20),
        DigestAlgorithm::Sha384 => (0x02, 0x30),
        DigestAlgorithm::Sha512 => (0x03, 0x40),
    };
    let mut p = vec![0x30, 0x0f + len, 0x30, 0x0b, 0x06, 0x09];
    p.extend_from_slice(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, oid_last]);
    p.extend_from_slice(&[0x04, len]);
    p
}

/// An RSA PKCS#1 v1.5 signature checked against exactly one other encoding, the DigestInfo
/// without NULL: a byte-for-byte comparison of the whole block (no lenient parsing, which is
/// what the known forgeries exploit).
fn rsa_without_null(sig: &CmsSignature, digest: DigestAlgorithm, message: &[u8]) -> bool {
    if sig.signature_algorithm.oid.to_string() == "1.2.840.113549.1.1.10" {
        return false; // PSS has no DigestInfo
    }
    let Some(cert) = sig.signer_certificate.as_deref() else {
        return false;
    };
    let Ok(info) = crate::certinfo::CertInfo::parse(cert) else {
        return false;
    };
    let Ok(hash) = signature_hash(&sig.signature_algorithm.oid, digest) else {
        return false;
    };
    rsa_verifies_without_null(info.spki, hash, message, &sig.signature)
}

fn rsa_verifies_without_null(
    spki_der: &[u8],
    hash: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> bool {
    use rsa::pkcs1::DecodeRsaPublicKey;
    let Ok(spki) = Spki::parse(spki_der) else {
        return false;
    };
    if !crate::cms_parse::oid(&spki.algorithm).is_ok_and(|o| o.to_string() == OID_RSA) {
        return false;
    }
    let Ok(key) = rsa::RsaPublicKey::from_pkcs1_der(spki.key) else {
        return false;
    };
    let scheme = rsa::Pkcs1v15Sign {
        hash_len: Some(hash.len()),
        prefix: digest_info_prefix_without_null(hash).into_boxed_slice(),
    };
    key.verify(scheme, &hash.hash(message), signature).is_ok()
}

fn check_signature(
    sig: &CmsSignature,
    digest: DigestAlgorithm,
    message: &[u8],
) -> Result<bool, String> {
    let cert = sig
        .signer_certificate
        .as_deref()
        .ok_or("the signer certificate is not in the SignedData")?;
    let info = crate::certinfo::CertInfo::parse(cert).map_err(|e| e.to_string())?;
    verify_with_spki(
        info.spki,
        &sig.signature_algorithm,
        digest,
        message,
        &sig.signature,
    )
}

/// Verifies a bare `signature` over `message` with the public key of a certificate (DER),
/// the signature algorithm named by its OID (e.g. sha256WithRSAEncryption,
/// ecdsa-with-SHA256; ECDSA signatures DER-encoded): what XML signatures need. `Err` names
/// what is not supported; `Ok(false)` is a signature that does not verify.
pub fn verify_with_certificate(
    cert_der: &[u8],
    signature_oid: &str,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    let oid = Oid::new(signature_oid).map_err(|e| format!("OID {signature_oid}: {e}"))?;
    let digest = crate::cms_parse::digest_of(&oid)
        .ok_or_else(|| format!("unsupported signature algorithm {oid}"))?;
    let info = crate::certinfo::CertInfo::parse(cert_der).map_err(|e| e.to_string())?;
    let alg = AlgorithmId {
        oid,
        parameters: None,
    };
    verify_with_spki(info.spki, &alg, digest, message, signature)
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";

/// Verifies `signature` over `message` with the key of a SubjectPublicKeyInfo. `Err` names
/// what is not supported; `Ok(false)` is a signature that does not verify.
pub(crate) fn verify_with_spki(
    spki_der: &[u8],
    alg: &AlgorithmId,
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    let spki = Spki::parse(spki_der).map_err(|e| e.to_string())?;
    let key_oid = crate::cms_parse::oid(&spki.algorithm).map_err(|e| e.to_string())?;
    let ring_alg = match key_oid.to_string().as_str() {
        OID_RSA | "1.2.840.113549.1.1.10" => rsa_algorithm(alg, digest)?,
        OID_EC => ecdsa_algorithm(&spki, alg, digest)?,
        OID_ED25519 => &rs::ED25519,
        other => return Err(format!("unsupported public key algorithm {other}")),
    };
    Ok(rs::UnparsedPublicKey::new(ring_alg, spki.key)
        .verify(message, signature)
        .is_ok())
}

/// The hash named by a signature OID, or the digestAlgorithm's for a bare key OID.
fn signature_hash(oid: &Oid, digest: DigestAlgorithm) -> Result<DigestAlgorithm, String> {
    match oid.to_string().as_str() {
        OID_RSA | OID_EC => Ok(digest),
        _ => crate::cms_parse::digest_of(oid)
            .ok_or_else(|| format!("unsupported signature algorithm {oid}")),
    }
}

fn rsa_algorithm(
    alg: &AlgorithmId,
    digest: DigestAlgorithm,
) -> Result<&'static dyn VerificationAlgorithm, String> {
    if alg.oid.to_string() == "1.2.840.113549.1.1.10" {
        return pss_algorithm(alg);
    }
    // The 1024-bit floor only where ring has it: third-party signatures from old keys.
    Ok(match signature_hash(&alg.oid, digest)? {
        DigestAlgorithm::Sha1 => &rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        DigestAlgorithm::Sha256 => &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        DigestAlgorithm::Sha384 => &rs::RSA_PKCS1_2048_8192_SHA384,
        DigestAlgorithm::Sha512 => &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
    })
}

/// RSASSA-PSS: ring verifies MGF1 with the same hash and a salt as long as the hash, which is
/// what every profile (and Signet) uses; other parameters are reported unsupported.
fn pss_algorithm(alg: &AlgorithmId) -> Result<&'static dyn VerificationAlgorithm, String> {
    use der::Decode;
    let raw = alg
        .parameters
        .as_deref()
        .ok_or("RSASSA-PSS without parameters")?;
    let p = PssParams::from_der(raw).map_err(|e| format!("RSASSA-PSS parameters: {e}"))?;
    let hash = match &p.hash {
        Some(h) => DigestAlgorithm::from_oid(&h.oid).ok_or("unsupported PSS hash")?,
        None => DigestAlgorithm::Sha1,
    };
    let mgf_hash = match &p.mask_gen {
        Some(m) if m.oid == oids::MGF1 => m
            .parameters
            .as_ref()
            .and_then(|a| a.decode_as::<spki::AlgorithmIdentifierOwned>().ok())
            .and_then(|h| DigestAlgorithm::from_oid(&h.oid)),
        Some(_) => None,
        None => Some(DigestAlgorithm::Sha1),
    };
    let salt = p.salt_len.unwrap_or(20) as usize;
    if mgf_hash != Some(hash) || salt != hash.len() || p.trailer.unwrap_or(1) != 1 {
        return Err("unsupported RSASSA-PSS parameters (MGF1 hash or salt length)".into());
    }
    match hash {
        DigestAlgorithm::Sha256 => Ok(&rs::RSA_PSS_2048_8192_SHA256),
        DigestAlgorithm::Sha384 => Ok(&rs::RSA_PSS_2048_8192_SHA384),
        DigestAlgorithm::Sha512 => Ok(&rs::RSA_PSS_2048_8192_SHA512),
        DigestAlgorithm::Sha1 => Err("RSASSA-PSS with SHA-1 is not supported".into()),
    }
}

fn ecdsa_algorithm(
    spki: &Spki<'_>,
    alg: &AlgorithmId,
    digest: DigestAlgorithm,
) -> Result<&'static dyn VerificationAlgorithm, String> {
    let curve = spki
        .parameters
        .as_ref()
        .and_then(|p| crate::cms_parse::oid(p).ok())
        .map(|o| o.to_string())
        .unwrap_or_default();
    let hash = signature_hash(&alg.oid, digest)?;
    Ok(match (curve.as_str(), hash) {
        ("1.2.840.10045.3.1.7", DigestAlgorithm::Sha256) => &rs::ECDSA_P256_SHA256_ASN1,
        ("1.2.840.10045.3.1.7", DigestAlgorithm::Sha384) => &rs::ECDSA_P256_SHA384_ASN1,
        ("1.3.132.0.34", DigestAlgorithm::Sha256) => &rs::ECDSA_P384_SHA256_ASN1,
        ("1.3.132.0.34", DigestAlgorithm::Sha384) => &rs::ECDSA_P384_SHA384_ASN1,
        (c, h) => return Err(format!("unsupported ECDSA curve {c} with {h:?}")),
    })
}

#[cfg(test)]
mod without_null_tests {
    use super::*;
    use std::process::Command;

    /// openssl signs a DigestInfo without NULL (raw PKCS#1 v1.5 type 1 padding): ring (the
    /// strict path) refuses it, the second exact encoding accepts it, and only for that message.
    #[test]
    fn digest_info_without_null_is_accepted_exactly() {
        let dir = std::env::temp_dir().join(format!("signet-nonull-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("key.pem");
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        run(&["genrsa", "-out", key.to_str().unwrap(), "2048"]);
        let spki = run(&[
            "pkey",
            "-in",
            key.to_str().unwrap(),
            "-pubout",
            "-outform",
            "DER",
        ]);
        let message = b"Nghi dinh 50/2026/ND-CP";
        let mut block = digest_info_prefix_without_null(DigestAlgorithm::Sha256);
        block.extend(DigestAlgorithm::Sha256.hash(message));
        let input = dir.join("block.bin");
        std::fs::write(&input, &block).unwrap();
        let signature = run(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            key.to_str().unwrap(),
            "-in",
            input.to_str().unwrap(),
            "-pkeyopt",
            "rsa_padding_mode:pkcs1",
        ]);
        let alg = AlgorithmId {
            oid: Oid::new(OID_RSA).unwrap(),
            parameters: None,
        };
        let strict = verify_with_spki(&spki, &alg, DigestAlgorithm::Sha256, message, &signature);
        assert_eq!(strict, Ok(false));
        assert!(rsa_verifies_without_null(
            &spki,
            DigestAlgorithm::Sha256,
            message,
            &signature
        ));
        assert!(!rsa_verifies_without_null(
            &spki,
            DigestAlgorithm::Sha256,
            b"other",
            &signature
        ));
        assert!(!rsa_verifies_without_null(
            &spki,
            DigestAlgorithm::Sha384,
            message,
            &signature
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
