//! The few fields of an X.509 certificate that CMS verification needs, read without decoding
//! the whole certificate: third-party certificates that `x509-cert` refuses (serials over 20
//! bytes, odd string types) must still let us check a signature.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use der::asn1::ObjectIdentifier as Oid;

use crate::ber::{malformed, Reader, Tlv, INTEGER, OCTET_STRING, OID, SEQUENCE};
use crate::error::Result;
use crate::oids;
use crate::sigalg::DigestAlgorithm;

/// Borrowed views into one certificate.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CertInfo<'a> {
    /// The serial number INTEGER contents (two's complement, as encoded).
    pub serial: &'a [u8],
    /// The issuer Name, whole TLV.
    pub issuer: &'a [u8],
    /// The SubjectPublicKeyInfo, whole TLV.
    pub spki: &'a [u8],
    /// The extensions SEQUENCE contents, if any.
    extensions: Option<&'a [u8]>,
}

/// One extension: critical flag and the OCTET STRING contents.
struct Extension<'a> {
    critical: bool,
    value: &'a [u8],
}

pub(crate) fn oid_is(tlv: &Tlv<'_>, oid: &Oid) -> bool {
    tlv.tag == OID && tlv.contents == oid.as_bytes()
}

impl<'a> CertInfo<'a> {
    pub fn parse(der: &'a [u8]) -> Result<Self> {
        let cert = Reader::new(der).expect_tag(SEQUENCE, "certificate")?;
        let tbs = cert.children().expect_tag(SEQUENCE, "tbsCertificate")?;
        let mut r = tbs.children();
        r.optional(0xa0)?; // [0] EXPLICIT version
        let serial = r.expect_tag(INTEGER, "serial number")?.contents;
        r.expect_tag(SEQUENCE, "signature algorithm")?;
        let issuer = r.expect_tag(SEQUENCE, "issuer")?.whole;
        r.expect_tag(SEQUENCE, "validity")?;
        r.expect_tag(SEQUENCE, "subject")?;
        let spki = r.expect_tag(SEQUENCE, "subjectPublicKeyInfo")?.whole;
        r.optional(0x81)?; // issuerUniqueID
        r.optional(0x82)?; // subjectUniqueID
        let extensions = match r.optional(0xa3)? {
            Some(e) => Some(e.children().expect_tag(SEQUENCE, "extensions")?.contents),
            None => None,
        };
        Ok(CertInfo {
            serial,
            issuer,
            spki,
            extensions,
        })
    }

    fn extension(&self, oid: &Oid) -> Result<Option<Extension<'a>>> {
        let Some(exts) = self.extensions else {
            return Ok(None);
        };
        let mut r = Reader::new(exts);
        while let Some(ext) = r.next()? {
            let mut e = ext.children();
            let id = e.expect_tag(OID, "extension id")?;
            if !oid_is(&id, oid) {
                continue;
            }
            let critical = match e.optional(0x01)? {
                Some(b) => b.contents.first().is_some_and(|v| *v != 0),
                None => false,
            };
            let value = e.expect_tag(OCTET_STRING, "extension value")?.contents;
            return Ok(Some(Extension { critical, value }));
        }
        Ok(None)
    }

    /// The subjectKeyIdentifier; without the extension, the SHA-1 of the public key bits
    /// (RFC 5280 4.2.1.2 method 1), which is what signers compute when they use it as an id.
    pub fn subject_key_id(&self) -> Result<Vec<u8>> {
        if let Some(ext) = self.extension(&oids::SUBJECT_KEY_ID)? {
            return Ok(Reader::new(ext.value)
                .expect_tag(OCTET_STRING, "key identifier")?
                .contents
                .to_vec());
        }
        let key = Spki::parse(self.spki)?.key;
        Ok(DigestAlgorithm::Sha1.hash(key))
    }

    /// True if the certificate has a *critical* extended key usage that includes timeStamping
    /// (RFC 3161 2.3 requires both).
    pub fn is_critical_time_stamping(&self) -> Result<bool> {
        let Some(ext) = self.extension(&oids::EXT_KEY_USAGE)? else {
            return Ok(false);
        };
        let seq = Reader::new(ext.value).expect_tag(SEQUENCE, "extKeyUsage")?;
        let mut r = seq.children();
        let mut found = false;
        while let Some(p) = r.next()? {
            found |= oid_is(&p, &oids::KP_TIME_STAMPING);
        }
        Ok(found && ext.critical)
    }
}

/// A SubjectPublicKeyInfo: algorithm OID, raw parameters and the key bits.
pub(crate) struct Spki<'a> {
    pub algorithm: Tlv<'a>,
    pub parameters: Option<Tlv<'a>>,
    /// The BIT STRING contents without the unused-bits octet.
    pub key: &'a [u8],
}

impl<'a> Spki<'a> {
    pub fn parse(der: &'a [u8]) -> Result<Self> {
        let seq = Reader::new(der).expect_tag(SEQUENCE, "subjectPublicKeyInfo")?;
        let mut r = seq.children();
        let alg = r.expect_tag(SEQUENCE, "public key algorithm")?;
        let mut a = alg.children();
        let algorithm = a.expect_tag(OID, "public key algorithm")?;
        let parameters = a.next()?;
        let bits = r.expect_tag(0x03, "public key")?.contents;
        match bits.split_first() {
            Some((0, key)) => Ok(Spki {
                algorithm,
                parameters,
                key,
            }),
            _ => Err(malformed("public key BIT STRING with unused bits")),
        }
    }

    /// The RSA modulus length in bytes (for sizing signatures), if this is an RSA key.
    pub fn rsa_modulus_len(&self) -> Option<usize> {
        let seq = Reader::new(self.key).expect_tag(SEQUENCE, "RSA key").ok()?;
        let n = seq.children().expect_tag(INTEGER, "modulus").ok()?;
        let start = n.contents.iter().position(|b| *b != 0)?;
        Some(n.contents.len() - start)
    }
}
