//! The little DER this crate reads and writes by hand: certificate names for PKCS#11
//! objects, integers, ECDSA signatures.

use crate::SignerError;

/// The subject, issuer and serial number (each a whole DER TLV) of an X.509 certificate, as
/// CKA_SUBJECT, CKA_ISSUER and CKA_SERIAL_NUMBER want them.
pub(crate) struct CertNames<'a> {
    pub serial: &'a [u8],
    pub issuer: &'a [u8],
    pub subject: &'a [u8],
}

/// One DER TLV split off the front of a slice.
struct Tlv<'a> {
    tag: u8,
    /// Tag, length and contents.
    whole: &'a [u8],
    contents: &'a [u8],
    /// What follows it.
    rest: &'a [u8],
}

/// Splits one DER TLV off `input` (definite lengths up to 4 bytes).
fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    if input.len() < end {
        return None;
    }
    Some(Tlv {
        tag,
        whole: &input[..end],
        contents: &input[header..end],
        rest: &input[end..],
    })
}

pub(crate) fn cert_names(der: &[u8]) -> Result<CertNames<'_>, SignerError> {
    let bad = SignerError::BadCertificate;
    fn next<'a>(input: &'a [u8], what: &'static str) -> Result<Tlv<'a>, SignerError> {
        tlv(input).ok_or(SignerError::BadCertificate(what))
    }
    let cert = next(der, "truncated")?;
    let tbs = next(cert.contents, "truncated")?;
    if cert.tag != 0x30 || tbs.tag != 0x30 {
        return Err(bad("not a SEQUENCE"));
    }
    let mut serial = next(tbs.contents, "truncated")?;
    if serial.tag == 0xa0 {
        // [0] EXPLICIT version
        serial = next(serial.rest, "truncated")?;
    }
    if serial.tag != 0x02 {
        return Err(bad("no serial number"));
    }
    let signature = next(serial.rest, "no signature algorithm")?;
    let issuer = next(signature.rest, "no issuer")?;
    let validity = next(issuer.rest, "no validity")?;
    let subject = next(validity.rest, "no subject")?;
    if issuer.tag != 0x30 || subject.tag != 0x30 {
        return Err(bad("issuer or subject is not a Name"));
    }
    Ok(CertNames {
        serial: serial.whole,
        issuer: issuer.whole,
        subject: subject.whole,
    })
}

/// One DER element with a definite length (long form when needed).
pub(crate) fn der_tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = contents.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
    out
}

/// DER INTEGER from an unsigned big-endian value.
pub(crate) fn der_uint(v: &[u8]) -> Vec<u8> {
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    let v = &v[start..];
    let mut body = Vec::with_capacity(v.len() + 1);
    match v.first() {
        Some(b) if b & 0x80 == 0 => {}
        _ => body.push(0), // zero, or a high bit that would read as negative
    }
    body.extend_from_slice(v);
    der_tlv(0x02, &body)
}

/// The public key bits (BIT STRING contents) of a DER certificate.
pub(crate) fn certificate_public_key(cert_der: &[u8]) -> Option<Vec<u8>> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(cert_der).ok()?;
    let bits = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key;
    bits.as_bytes().map(<[u8]>::to_vec)
}

/// PKCS#11 CKM_ECDSA gives r||s; X.509 and CMS want `SEQUENCE { r INTEGER, s INTEGER }`.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = der_uint(r);
    body.extend(der_uint(s));
    // at most 2 * (2 + 1 + 48) = 102 bytes: the short length form is enough
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn raw_signatures_become_der() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r needs a leading zero
        raw[32] = 0x00;
        raw[33] = 0x01; // s has a leading zero to drop
        let der = ecdsa_raw_to_der(&raw);
        assert_eq!(&der[..5], &[0x30, der.len() as u8 - 2, 0x02, 33, 0x00]);
        let s_at = 2 + 2 + 33;
        assert_eq!(&der[s_at..s_at + 2], &[0x02, 31]);
        assert_eq!(der_uint(&[0, 0]), vec![0x02, 1, 0]);
        assert_eq!(der_uint(&[0xff; 256])[..5], [0x02, 0x82, 1, 1, 0]);
        assert_eq!(der_tlv(0x30, &[0; 200])[..3], [0x30, 0x81, 200]);
    }

    #[test]
    fn certificate_names_are_whole_tlvs_and_garbage_is_refused() {
        // SEQUENCE { SEQUENCE { [0] { INTEGER 2 }, INTEGER 5, SEQUENCE {}, SEQUENCE { 0x01 },
        //   SEQUENCE {}, SEQUENCE { 0x02 } } }
        let tbs = [
            0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x05, 0x30, 0x00, 0x30, 0x01, 0x01, 0x30,
            0x00, 0x30, 0x01, 0x02,
        ];
        let mut cert = vec![0x30, tbs.len() as u8 + 2, 0x30, tbs.len() as u8];
        cert.extend_from_slice(&tbs);
        let n = cert_names(&cert).unwrap();
        assert_eq!(n.serial, &[0x02, 0x01, 0x05]);
        assert_eq!(n.issuer, &[0x30, 0x01, 0x01]);
        assert_eq!(n.subject, &[0x30, 0x01, 0x02]);
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x05\x30\x03",
            &cert[..cert.len() - 1],
        ] {
            assert!(matches!(
                cert_names(bad),
                Err(SignerError::BadCertificate(_))
            ));
        }
        assert!(tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none());
    }
}
