//! Signature verification with `ring`: RSA PKCS#1 v1.5 and PSS (SHA-256/384/512, 2048-8192
//! bits), ECDSA P-256/P-384, Ed25519. SHA-1 is refused as insecure.

use der::asn1::{BitString, ObjectIdentifier};
use der::Sequence;
use ring::signature::{self as rs, VerificationAlgorithm};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::oids;

/// RSASSA-PSS-params (RFC 4055). The defaults (SHA-1, salt 20) are refused, so absent fields
/// only need to be told apart from present ones.
#[derive(Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mgf: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

/// Verifies `signature` over `msg` with the key in `spki`, under algorithm `alg`. The error says
/// why in a sentence.
pub(crate) fn verify(
    alg: &AlgorithmIdentifierOwned,
    spki: &SubjectPublicKeyInfoOwned,
    msg: &[u8],
    signature: &BitString,
) -> Result<(), String> {
    let ring_alg = pick(alg, spki)?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or("the public key is not a whole number of bytes")?;
    let sig = signature
        .as_bytes()
        .ok_or("the signature is not a whole number of bytes")?;
    ring_alg
        .verify(key.into(), msg.into(), sig.into())
        .map_err(|_| "the signature does not verify".to_string())
}

/// Verifies one certificate link for path building: as [`verify`], except that an RSA SHA-1
/// signature is checked (with ring's legacy verifier) rather than refused, so a chain of an
/// older national CA still ends at its root; the path is then judged invalid for its algorithm
/// ([`is_sha1`]), not "no chain found".
pub(crate) fn verify_link(
    alg: &AlgorithmIdentifierOwned,
    spki: &SubjectPublicKeyInfoOwned,
    msg: &[u8],
    signature: &BitString,
) -> Result<(), String> {
    let rsa = key_is(spki, oids::RSA_ENCRYPTION);
    if alg.oid != oids::SHA1_WITH_RSA || !rsa {
        return verify(alg, spki, msg, signature);
    }
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or("the public key is not a whole number of bytes")?;
    let sig = signature
        .as_bytes()
        .ok_or("the signature is not a whole number of bytes")?;
    rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        .verify(key.into(), msg.into(), sig.into())
        .map_err(|_| "the signature does not verify".to_string())
}

/// Whether `alg` is a SHA-1 signature algorithm (refused in a path).
pub(crate) fn is_sha1(alg: &AlgorithmIdentifierOwned) -> bool {
    alg.oid == oids::SHA1_WITH_RSA || alg.oid == oids::ECDSA_WITH_SHA1
}

fn key_is(spki: &SubjectPublicKeyInfoOwned, oid: ObjectIdentifier) -> bool {
    spki.algorithm.oid == oid
}

fn curve(spki: &SubjectPublicKeyInfoOwned) -> Option<ObjectIdentifier> {
    if !key_is(spki, oids::EC_PUBLIC_KEY) {
        return None;
    }
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
}

fn pick(
    alg: &AlgorithmIdentifierOwned,
    spki: &SubjectPublicKeyInfoOwned,
) -> Result<&'static dyn VerificationAlgorithm, String> {
    let rsa = key_is(spki, oids::RSA_ENCRYPTION) || key_is(spki, oids::RSASSA_PSS);
    let ec = curve(spki);
    let mismatch = || {
        format!(
            "signature algorithm {} does not fit the issuer's key",
            alg.oid
        )
    };
    let a: &'static dyn VerificationAlgorithm = match alg.oid {
        x if x == oids::SHA1_WITH_RSA || x == oids::ECDSA_WITH_SHA1 => {
            return Err("SHA-1 signature (insecure, refused)".into())
        }
        x if x == oids::SHA256_WITH_RSA && rsa => &rs::RSA_PKCS1_2048_8192_SHA256,
        x if x == oids::SHA384_WITH_RSA && rsa => &rs::RSA_PKCS1_2048_8192_SHA384,
        x if x == oids::SHA512_WITH_RSA && rsa => &rs::RSA_PKCS1_2048_8192_SHA512,
        x if x == oids::RSASSA_PSS && rsa => pss(alg)?,
        x if x == oids::ECDSA_WITH_SHA256 && ec == Some(oids::SECP256R1) => {
            &rs::ECDSA_P256_SHA256_ASN1
        }
        x if x == oids::ECDSA_WITH_SHA384 && ec == Some(oids::SECP256R1) => {
            &rs::ECDSA_P256_SHA384_ASN1
        }
        x if x == oids::ECDSA_WITH_SHA256 && ec == Some(oids::SECP384R1) => {
            &rs::ECDSA_P384_SHA256_ASN1
        }
        x if x == oids::ECDSA_WITH_SHA384 && ec == Some(oids::SECP384R1) => {
            &rs::ECDSA_P384_SHA384_ASN1
        }
        x if x == oids::ED25519 && key_is(spki, oids::ED25519) => &rs::ED25519,
        x if [
            oids::SHA256_WITH_RSA,
            oids::SHA384_WITH_RSA,
            oids::SHA512_WITH_RSA,
            oids::RSASSA_PSS,
            oids::ECDSA_WITH_SHA256,
            oids::ECDSA_WITH_SHA384,
            oids::ED25519,
        ]
        .contains(&x) =>
        {
            return Err(mismatch())
        }
        x => return Err(format!("unsupported signature algorithm {x}")),
    };
    Ok(a)
}

/// The ring PSS verifier for the parameters: hash SHA-256/384/512, MGF1 with the same hash,
/// salt as long as the hash (what ring checks), trailer 1.
fn pss(alg: &AlgorithmIdentifierOwned) -> Result<&'static dyn VerificationAlgorithm, String> {
    let params = alg
        .parameters
        .as_ref()
        .ok_or("RSA-PSS without parameters (SHA-1 defaults refused)")?
        .decode_as::<PssParams>()
        .map_err(|e| format!("malformed RSA-PSS parameters: {e}"))?;
    let hash = params
        .hash
        .ok_or("RSA-PSS with the SHA-1 default hash (refused)")?
        .oid;
    let mgf = params
        .mgf
        .ok_or("RSA-PSS with the default MGF (MGF1-SHA-1)")?;
    let mgf_hash = mgf
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
        .map(|a| a.oid);
    if mgf.oid != oids::MGF1 || mgf_hash != Some(hash) {
        return Err("RSA-PSS with an MGF other than MGF1 over the same hash".into());
    }
    if params.trailer.unwrap_or(1) != 1 {
        return Err("RSA-PSS with a trailer field other than 1".into());
    }
    let (a, len): (&'static dyn VerificationAlgorithm, u32) = match hash {
        h if h == oids::SHA256 => (&rs::RSA_PSS_2048_8192_SHA256, 32),
        h if h == oids::SHA384 => (&rs::RSA_PSS_2048_8192_SHA384, 48),
        h if h == oids::SHA512 => (&rs::RSA_PSS_2048_8192_SHA512, 64),
        h => return Err(format!("RSA-PSS with hash {h} (accepted: SHA-256/384/512)")),
    };
    if params.salt.unwrap_or(20) != len {
        return Err("RSA-PSS with a salt length other than the hash length".into());
    }
    Ok(a)
}

/// Checks `tbs.signature` against the outer algorithm (RFC 5280 4.1.1.2: they must match).
pub(crate) fn same_algorithm(a: &AlgorithmIdentifierOwned, b: &AlgorithmIdentifierOwned) -> bool {
    use der::Encode;
    match (a.to_der(), b.to_der()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
