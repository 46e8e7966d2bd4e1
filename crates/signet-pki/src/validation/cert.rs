//! A certificate parsed once, with the extensions the validator reads.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Header, Reader, SliceReader};
use time::OffsetDateTime;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::types::CertSummary;
use crate::error::{PkiError, Result};
use crate::oids;

/// Largest certificate accepted, in bytes.
pub(crate) const MAX_CERT_LEN: usize = 1 << 20;

/// A certificate and what the validator needs of it.
#[derive(Clone, Debug)]
pub(crate) struct Cert {
    pub(crate) cert: Certificate,
    /// The raw tbsCertificate, as signed.
    pub(crate) tbs: Vec<u8>,
    pub(crate) subject_der: Vec<u8>,
    pub(crate) issuer_der: Vec<u8>,
    /// Lower-cased, space-collapsed RFC 4514 strings: the fallback name comparison.
    subject_norm: String,
    issuer_norm: String,
    pub(crate) ext: Exts,
    pub(crate) summary: CertSummary,
}

/// The extensions read, and those not understood.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exts {
    pub(crate) basic: Option<BasicConstraints>,
    pub(crate) key_usage: Option<KeyUsage>,
    /// The purposes and whether the extension is critical.
    pub(crate) eku: Option<(Vec<ObjectIdentifier>, bool)>,
    pub(crate) ski: Option<Vec<u8>>,
    pub(crate) aki: Option<Vec<u8>>,
    pub(crate) ocsp_nocheck: bool,
    /// Critical extensions this validator does not process.
    pub(crate) unknown_critical: Vec<ObjectIdentifier>,
}

pub(crate) fn malformed(what: &'static str, e: impl std::fmt::Display) -> PkiError {
    PkiError::MalformedDer {
        what,
        detail: e.to_string(),
    }
}

/// The bytes of the first element inside the outer SEQUENCE of `der`: the to-be-signed part of
/// a certificate, CRL or BasicOCSPResponse exactly as signed (re-encoding could differ).
pub(crate) fn first_inner_tlv(der: &[u8]) -> der::Result<&[u8]> {
    let mut r = SliceReader::new(der)?;
    let _outer = Header::decode(&mut r)?;
    let start = usize::try_from(r.position())?;
    let inner = Header::decode(&mut r)?;
    let len = usize::try_from((inner.encoded_len()? + inner.length)?)?;
    der.get(start..start.saturating_add(len))
        .ok_or_else(|| der::ErrorKind::Incomplete {
            expected_len: inner.length,
            actual_len: r.remaining_len(),
        })
        .map_err(der::Error::from)
}

/// An ASN.1 time as an `OffsetDateTime` (der limits years to 1970..=9999, always representable).
pub(crate) fn to_odt(t: &Time) -> OffsetDateTime {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A GeneralizedTime (OCSP) as an `OffsetDateTime`.
pub(crate) fn gt_to_odt(t: &der::asn1::GeneralizedTime) -> OffsetDateTime {
    to_odt(&Time::GeneralTime(*t))
}

pub(crate) fn normalize_name(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Cert {
    /// Parses and reads the extensions; a malformed known extension is an error.
    pub(crate) fn parse(der: &[u8]) -> Result<Cert> {
        if der.len() > MAX_CERT_LEN {
            return Err(malformed("certificate", "larger than 1 MiB"));
        }
        let cert = Certificate::from_der(der).map_err(|e| malformed("certificate", e))?;
        let tbs = first_inner_tlv(der)
            .map_err(|e| malformed("certificate", e))?
            .to_vec();
        let t = &cert.tbs_certificate;
        let subject_der = t.subject.to_der()?;
        let issuer_der = t.issuer.to_der()?;
        let ext = read_extensions(&cert)?;
        // Formatting a name walks const-oid's whole OID database per attribute: do it once.
        let summary = summarize(&cert, der);
        Ok(Cert {
            subject_norm: normalize_name(&summary.subject),
            issuer_norm: normalize_name(&summary.issuer),
            cert,
            tbs,
            subject_der,
            issuer_der,
            ext,
            summary,
        })
    }

    pub(crate) fn fingerprint(&self) -> &str {
        &self.summary.sha256
    }

    /// Whether `issuer`'s subject is this certificate's issuer name.
    pub(crate) fn issued_by_name(&self, issuer: &Cert) -> bool {
        self.issuer_der == issuer.subject_der || self.issuer_norm == issuer.subject_norm
    }

    /// Whether the AKI of this certificate names `issuer`'s SKI: `Some(false)` on a mismatch,
    /// `None` when one of them is absent.
    pub(crate) fn aki_matches(&self, issuer: &Cert) -> Option<bool> {
        match (&self.ext.aki, &issuer.ext.ski) {
            (Some(a), Some(s)) => Some(a == s),
            _ => None,
        }
    }

    pub(crate) fn not_before(&self) -> OffsetDateTime {
        self.summary.not_before
    }

    pub(crate) fn not_after(&self) -> OffsetDateTime {
        self.summary.not_after
    }

    pub(crate) fn is_ca(&self) -> bool {
        self.ext.basic.as_ref().is_some_and(|b| b.ca)
    }

    pub(crate) fn spki(&self) -> &spki::SubjectPublicKeyInfoOwned {
        &self.cert.tbs_certificate.subject_public_key_info
    }

    pub(crate) fn has_eku(&self, oid: ObjectIdentifier) -> bool {
        self.ext.eku.as_ref().is_some_and(|(v, _)| v.contains(&oid))
    }

    pub(crate) fn serial(&self) -> &[u8] {
        self.cert.tbs_certificate.serial_number.as_bytes()
    }
}

fn summarize(cert: &Certificate, der: &[u8]) -> CertSummary {
    let t = &cert.tbs_certificate;
    let subject = t.subject.to_string();
    let cn = t
        .subject
        .0
        .iter()
        .rev()
        .flat_map(|rdn| rdn.0.iter())
        .find(|a| a.oid == const_cn())
        .map(|a| {
            let s = a.to_string();
            // AttributeTypeAndValue displays as "CN=value".
            s.split_once('=').map_or(s.clone(), |(_, v)| v.to_string())
        });
    CertSummary {
        subject_cn: cn.unwrap_or_else(|| subject.clone()),
        subject,
        issuer: t.issuer.to_string(),
        serial: crate::serial::serial_hex(t.serial_number.as_bytes()),
        not_before: to_odt(&t.validity.not_before),
        not_after: to_odt(&t.validity.not_after),
        sha256: hex::encode(ring::digest::digest(&ring::digest::SHA256, der)),
        der: der.to_vec(),
    }
}

fn const_cn() -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap("2.5.4.3")
}

fn read_extensions(cert: &Certificate) -> Result<Exts> {
    let mut x = Exts::default();
    let mut seen = Vec::new();
    for e in cert.tbs_certificate.extensions.iter().flatten() {
        if seen.contains(&e.extn_id) {
            return Err(malformed(
                "certificate",
                format!("duplicate extension {}", e.extn_id),
            ));
        }
        seen.push(e.extn_id);
        let v = e.extn_value.as_bytes();
        let bad =
            |err: der::Error| malformed("certificate extension", format!("{}: {err}", e.extn_id));
        match e.extn_id {
            oids::BASIC_CONSTRAINTS => x.basic = Some(BasicConstraints::from_der(v).map_err(bad)?),
            oids::KEY_USAGE => x.key_usage = Some(KeyUsage::from_der(v).map_err(bad)?),
            crate::oids::EXT_KEY_USAGE => {
                x.eku = Some((ExtendedKeyUsage::from_der(v).map_err(bad)?.0, e.critical))
            }
            oids::SUBJECT_KEY_ID => {
                x.ski = Some(
                    SubjectKeyIdentifier::from_der(v)
                        .map_err(bad)?
                        .0
                        .as_bytes()
                        .to_vec(),
                )
            }
            oids::AUTHORITY_KEY_ID => {
                let aki = AuthorityKeyIdentifier::from_der(v).map_err(bad)?;
                x.aki = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            }
            crate::oids::OCSP_NOCHECK => x.ocsp_nocheck = true,
            // Read elsewhere (AIA, CDP) or harmless to accept as understood: names are not
            // constrained here, and policies are taken as "any policy".
            oids::SUBJECT_ALT_NAME
            | oids::ISSUER_ALT_NAME
            | oids::CRL_DP
            | oids::CERT_POLICIES
            | oids::FRESHEST_CRL
            | oids::SUBJECT_INFO_ACCESS
            | oids::QC_STATEMENTS
            | crate::oids::AUTHORITY_INFO_ACCESS => {}
            other if e.critical => x.unknown_critical.push(other),
            _ => {}
        }
    }
    Ok(x)
}
