//! Checks of what a caller asks the CA to certify: subject fields and public keys.

use der::asn1::{Ia5String, ObjectIdentifier};
use der::Decode;

use crate::error::{PkiError, Result};
use crate::oids;

pub(super) fn check_text(field: &'static str, value: &str, max: usize) -> Result<()> {
    let v = value.trim();
    if v.is_empty() {
        return Err(PkiError::InvalidField {
            field,
            reason: "empty".into(),
        });
    }
    if v.chars().count() > max {
        return Err(PkiError::InvalidField {
            field,
            reason: format!("longer than {max} characters"),
        });
    }
    if v.chars().any(char::is_control) {
        return Err(PkiError::InvalidField {
            field,
            reason: "contains a control character".into(),
        });
    }
    Ok(())
}

pub(super) fn ia5(field: &'static str, v: &str) -> Result<Ia5String> {
    Ia5String::new(v).map_err(|_| PkiError::InvalidField {
        field,
        reason: "not ASCII".into(),
    })
}

pub(super) fn check_email(email: &str) -> Result<()> {
    check_text("email", email, 128)?;
    let ok = email.is_ascii()
        && !email.contains(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
    if !ok {
        return Err(PkiError::InvalidField {
            field: "email",
            reason: "not an ASCII address of the form name@domain.tld".into(),
        });
    }
    Ok(())
}

/// Checks that a SubjectPublicKeyInfo is one the CA issues for: ECDSA P-256/P-384 with an
/// uncompressed point, or RSA of at least 2048 bits.
pub(super) fn check_public_key(spki_der: &[u8]) -> Result<()> {
    let bad = |m: String| PkiError::UnsupportedPublicKey(m);
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(spki_der)
        .map_err(|e| bad(format!("malformed SubjectPublicKeyInfo: {e}")))?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| bad("the key is not a whole number of bytes".into()))?;
    let oid = spki.algorithm.oid;
    if oid == oids::EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let len = match curve {
            Some(c) if c == oids::SECP256R1 => 65,
            Some(c) if c == oids::SECP384R1 => 97,
            other => {
                return Err(bad(format!(
                    "EC key on {} (accepted: P-256, P-384)",
                    other.map_or("no named curve".into(), |c| c.to_string())
                )))
            }
        };
        if key.len() != len || key[0] != 0x04 {
            return Err(bad(format!(
                "EC point of {} bytes, expected an uncompressed {len}-byte point",
                key.len()
            )));
        }
        return Ok(());
    }
    if oid == oids::RSA_ENCRYPTION {
        let modulus = der::SliceReader::new(key)
            .and_then(|mut r| {
                use der::Reader;
                r.sequence(|r| {
                    let n = der::asn1::UintRef::decode(r)?;
                    let _e = der::asn1::UintRef::decode(r)?;
                    Ok(n.as_bytes().to_vec())
                })
            })
            .map_err(|e| bad(format!("malformed RSA key: {e}")))?;
        let bits = modulus.len() * 8 - modulus.first().map_or(8, |b| b.leading_zeros() as usize);
        if bits < 2048 {
            return Err(bad(format!("RSA key of {bits} bits (at least 2048)")));
        }
        return Ok(());
    }
    Err(bad(format!(
        "key algorithm {oid} (accepted: ECDSA P-256/P-384, RSA >= 2048)"
    )))
}
