//! Reading a CMS SignedData as third parties write it (PDF /Contents, time-stamp tokens).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use der::asn1::ObjectIdentifier as Oid;
use time::OffsetDateTime;

use crate::ber::{malformed, Reader, Tlv, INTEGER, OCTET_STRING, OID, SEQUENCE, SET};
use crate::certinfo::{oid_is, CertInfo};
use crate::error::Result;
use crate::oids;
use crate::sigalg::DigestAlgorithm;

/// At most this many certificates, SignerInfos or attributes are kept: a PDF signature has a
/// handful; hostile input gets an error instead of unbounded work.
const MAX_ITEMS: usize = 256;

/// An algorithm identifier as found: OID and raw parameters (whole TLV, if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmId {
    /// The OID.
    pub oid: Oid,
    /// The DER of the parameters, if present (NULL included).
    pub parameters: Option<Vec<u8>>,
}

/// One ESS certificate identifier (from signingCertificate or signingCertificateV2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EssCertId {
    /// The hash algorithm (SHA-1 for signingCertificate, SHA-256 by default for V2).
    pub hash_algorithm: Option<DigestAlgorithm>,
    /// The OID when it is not one we know.
    pub hash_oid: Oid,
    /// The certificate hash.
    pub cert_hash: Vec<u8>,
    /// IssuerSerial's serial INTEGER contents, if present.
    pub serial: Option<Vec<u8>>,
}

/// The signed attributes of a SignerInfo.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignedAttrs {
    /// The DER `SET OF Attribute` exactly as signed (the `[0]` tag replaced by SET).
    pub der: Vec<u8>,
    /// The attributes are in DER order (X.690 11.6) with definite lengths. Some signers sign
    /// an unsorted SET as written; the signature then verifies over those bytes (NSS/pdfsig
    /// accept it) but not over the DER that RFC 5652 prescribes (DSS and pyHanko refuse it).
    pub der_ordered: bool,
    /// messageDigest.
    pub message_digest: Option<Vec<u8>>,
    /// contentType.
    pub content_type: Option<Oid>,
    /// signing-time, if present (PAdES forbids it; CAdES/PKCS#7 signers often add it).
    pub signing_time: Option<OffsetDateTime>,
    /// signingCertificateV2 identifiers.
    pub signing_certificate_v2: Option<Vec<EssCertId>>,
    /// signingCertificate (v1, SHA-1) identifiers.
    pub signing_certificate: Option<Vec<EssCertId>>,
}

/// What a CMS SignedData says about its (first) signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmsSignature {
    /// eContentType (id-data for PDF signatures, id-ct-TSTInfo for time-stamp tokens).
    pub content_type: Oid,
    /// The encapsulated content, if not detached.
    pub encapsulated_content: Option<Vec<u8>>,
    /// SignerInfo.digestAlgorithm as written.
    pub digest_algorithm_id: AlgorithmId,
    /// The digest algorithm, if known. A signature OID in the digestAlgorithm field (an
    /// old-signer oddity) is read as its hash.
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// SignerInfo.signatureAlgorithm.
    pub signature_algorithm: AlgorithmId,
    /// The signature value.
    pub signature: Vec<u8>,
    /// The certificate the SignerIdentifier names, if it is among the certificates.
    pub signer_certificate: Option<Vec<u8>>,
    /// Every certificate of the SignedData (DER), in order.
    pub certificates: Vec<Vec<u8>>,
    /// Signed attributes, if present.
    pub signed_attributes: Option<SignedAttrs>,
    /// Unsigned signatureTimeStampToken values (DER ContentInfo each).
    pub signature_timestamps: Vec<Vec<u8>>,
    /// How many SignerInfos the SignedData has (only the first is read).
    pub signer_info_count: usize,
}

/// Parses the CMS at the start of `contents`; trailing bytes (the zero padding of a PDF
/// /Contents placeholder) are ignored.
pub fn parse_signature(contents: &[u8]) -> Result<CmsSignature> {
    let ci = Reader::new(contents).expect_tag(SEQUENCE, "ContentInfo")?;
    let mut r = ci.children();
    let ct = r.expect_tag(OID, "contentType")?;
    if !oid_is(&ct, &oids::SIGNED_DATA) {
        return Err(malformed("ContentInfo is not a SignedData"));
    }
    let explicit = r.expect_tag(0xa0, "content")?;
    let sd = explicit.children().expect_tag(SEQUENCE, "SignedData")?;
    signed_data(&sd)
}

fn signed_data(sd: &Tlv<'_>) -> Result<CmsSignature> {
    let mut r = sd.children();
    r.expect_tag(INTEGER, "version")?;
    r.expect_tag(SET, "digestAlgorithms")?;
    let (content_type, encapsulated_content) = encap(&r.expect_tag(SEQUENCE, "encapContentInfo")?)?;
    let certificates = match r.optional(0xa0)? {
        Some(set) => certificate_set(&set)?,
        None => Vec::new(),
    };
    r.optional(0xa1)?; // crls: revocation data is the validator's business
    let infos = r.expect_tag(SET, "signerInfos")?;
    let mut ir = infos.children();
    let first = ir.expect_tag(SEQUENCE, "SignerInfo")?;
    let mut count = 1;
    while ir.next()?.is_some() {
        count += 1;
        if count > MAX_ITEMS {
            return Err(malformed("too many SignerInfos"));
        }
    }
    signer_info(
        &first,
        content_type,
        encapsulated_content,
        certificates,
        count,
    )
}

fn encap(e: &Tlv<'_>) -> Result<(Oid, Option<Vec<u8>>)> {
    let mut r = e.children();
    let ct = oid(&r.expect_tag(OID, "eContentType")?)?;
    let content = match r.optional(0xa0)? {
        Some(c) => {
            let s = c.children().expect("eContent")?;
            if s.tag & 0x1f != OCTET_STRING {
                return Err(malformed("eContent is not an OCTET STRING"));
            }
            Some(s.string_bytes()?)
        }
        None => None,
    };
    Ok((ct, content))
}

fn certificate_set(set: &Tlv<'_>) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut r = set.children();
    while let Some(c) = r.next()? {
        // Only plain certificates; attribute certificates ([1], [2]) and others are skipped.
        if c.tag == SEQUENCE {
            if out.len() == MAX_ITEMS {
                return Err(malformed("too many certificates"));
            }
            out.push(c.whole.to_vec());
        }
    }
    Ok(out)
}

pub(crate) fn oid(t: &Tlv<'_>) -> Result<Oid> {
    Oid::from_bytes(t.contents).map_err(|_| malformed("unsupported object identifier"))
}

pub(crate) fn algorithm_id(t: &Tlv<'_>) -> Result<AlgorithmId> {
    let mut r = t.children();
    let id = oid(&r.expect_tag(OID, "algorithm")?)?;
    let parameters = r.next()?.map(|p| p.whole.to_vec());
    Ok(AlgorithmId {
        oid: id,
        parameters,
    })
}

/// The digest of a digestAlgorithm OID, also reading `sha*WithRSAEncryption` and
/// `ecdsa-with-SHA*` there, which some signers write.
pub(crate) fn digest_of(oid: &Oid) -> Option<DigestAlgorithm> {
    if let Some(d) = DigestAlgorithm::from_oid(oid) {
        return Some(d);
    }
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" => Some(DigestAlgorithm::Sha1),
        "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => Some(DigestAlgorithm::Sha256),
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => Some(DigestAlgorithm::Sha384),
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => Some(DigestAlgorithm::Sha512),
        _ => None,
    }
}

fn signer_info(
    si: &Tlv<'_>,
    content_type: Oid,
    encapsulated_content: Option<Vec<u8>>,
    certificates: Vec<Vec<u8>>,
    signer_info_count: usize,
) -> Result<CmsSignature> {
    let mut r = si.children();
    r.expect_tag(INTEGER, "SignerInfo version")?;
    let sid = r.expect("SignerIdentifier")?;
    let digest_algorithm_id = algorithm_id(&r.expect_tag(SEQUENCE, "digestAlgorithm")?)?;
    let signed_attributes = match r.optional(0xa0)? {
        Some(a) => Some(signed_attrs(&a)?),
        None => None,
    };
    let signature_algorithm = algorithm_id(&r.expect_tag(SEQUENCE, "signatureAlgorithm")?)?;
    let signature = r.expect("signature")?;
    if signature.tag & 0x1f != OCTET_STRING {
        return Err(malformed("signature is not an OCTET STRING"));
    }
    let signature_timestamps = match r.optional(0xa1)? {
        Some(u) => unsigned_timestamps(&u)?,
        None => Vec::new(),
    };
    let signer_certificate = find_signer(&sid, &certificates)?;
    Ok(CmsSignature {
        content_type,
        encapsulated_content,
        digest_algorithm: digest_of(&digest_algorithm_id.oid),
        digest_algorithm_id,
        signature_algorithm,
        signature: signature.string_bytes()?,
        signer_certificate,
        certificates,
        signed_attributes,
        signature_timestamps,
        signer_info_count,
    })
}

/// The certificate named by the SignerIdentifier: issuerAndSerialNumber (issuer compared
/// byte for byte) or `[0]` subjectKeyIdentifier.
fn find_signer(sid: &Tlv<'_>, certs: &[Vec<u8>]) -> Result<Option<Vec<u8>>> {
    let infos: Vec<(usize, CertInfo<'_>)> = certs
        .iter()
        .enumerate()
        .filter_map(|(i, c)| CertInfo::parse(c).ok().map(|ci| (i, ci)))
        .collect();
    let found = match sid.tag {
        SEQUENCE => {
            let mut r = sid.children();
            let issuer = r.expect_tag(SEQUENCE, "issuer")?.whole;
            let serial = r.expect_tag(INTEGER, "serial")?.contents;
            infos
                .iter()
                .find(|(_, c)| c.serial == serial && c.issuer == issuer)
                .map(|(i, _)| *i)
        }
        0x80 => infos
            .iter()
            .find(|(_, c)| c.subject_key_id().is_ok_and(|k| k == sid.contents))
            .map(|(i, _)| *i),
        _ => return Err(malformed("unknown SignerIdentifier")),
    };
    Ok(found.and_then(|i| certs.get(i).cloned()))
}

fn attributes<'a>(set: &Tlv<'a>) -> Result<Vec<(Tlv<'a>, Tlv<'a>)>> {
    let mut out = Vec::new();
    let mut r = set.children();
    while let Some(a) = r.next()? {
        if out.len() == MAX_ITEMS {
            return Err(malformed("too many attributes"));
        }
        let mut ar = a.children();
        let id = ar.expect_tag(OID, "attribute type")?;
        let values = ar.expect_tag(SET, "attribute values")?;
        out.push((id, values));
    }
    Ok(out)
}

fn first_value<'a>(values: &Tlv<'a>) -> Result<Tlv<'a>> {
    values.children().expect("attribute value")
}

fn signed_attrs(a: &Tlv<'_>) -> Result<SignedAttrs> {
    let mut out = SignedAttrs {
        der: a.with_tag(SET),
        der_ordered: der_ordered(a)?,
        ..SignedAttrs::default()
    };
    for (id, values) in attributes(a)? {
        let v = first_value(&values)?;
        if oid_is(&id, &oids::MESSAGE_DIGEST) {
            out.message_digest = Some(v.string_bytes()?);
        } else if oid_is(&id, &oids::CONTENT_TYPE) {
            out.content_type = Some(oid(&v)?);
        } else if oid_is(&id, &oids::SIGNING_TIME) {
            // A time in a form we do not read must not hide the rest of the signature.
            out.signing_time = crate::ber::parse_time(&v).ok();
        } else if oid_is(&id, &oids::SIGNING_CERTIFICATE_V2) {
            out.signing_certificate_v2 = Some(ess_ids(&v, true)?);
        } else if oid_is(&id, &oids::SIGNING_CERTIFICATE) {
            out.signing_certificate = Some(ess_ids(&v, false)?);
        }
    }
    Ok(out)
}

/// True if the elements of a SET OF are in DER order: ascending encodings, compared as octet
/// strings with the shorter one padded with zeros (X.690 11.6), and no indefinite length.
fn der_ordered(set: &Tlv<'_>) -> Result<bool> {
    if set.indefinite {
        return Ok(false);
    }
    let mut r = set.children();
    let mut previous: Option<&[u8]> = None;
    while let Some(t) = r.next()? {
        if t.indefinite {
            return Ok(false);
        }
        if let Some(p) = previous {
            if padded_cmp(p, t.whole) == std::cmp::Ordering::Greater {
                return Ok(false);
            }
        }
        previous = Some(t.whole);
    }
    Ok(true)
}

fn padded_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    let pad = |v: &[u8], i: usize| v.get(i).copied().unwrap_or(0);
    (0..n)
        .map(|i| pad(a, i).cmp(&pad(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// `SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies … }`.
fn ess_ids(v: &Tlv<'_>, v2: bool) -> Result<Vec<EssCertId>> {
    let certs = v.children().expect_tag(SEQUENCE, "ESS certs")?;
    let mut r = certs.children();
    let mut out = Vec::new();
    while let Some(id) = r.next()? {
        if out.len() == MAX_ITEMS {
            return Err(malformed("too many ESS certificate ids"));
        }
        out.push(ess_id(&id, v2)?);
    }
    Ok(out)
}

fn ess_id(id: &Tlv<'_>, v2: bool) -> Result<EssCertId> {
    let mut r = id.children();
    let default = if v2 {
        DigestAlgorithm::Sha256
    } else {
        DigestAlgorithm::Sha1
    };
    let hash_oid = match r.optional(SEQUENCE)? {
        Some(alg) if v2 => algorithm_id(&alg)?.oid,
        Some(_) => return Err(malformed("ESSCertID with a hash algorithm")),
        None => default.oid(),
    };
    let cert_hash = r.expect_tag(OCTET_STRING, "certHash")?.contents.to_vec();
    let serial = match r.optional(SEQUENCE)? {
        Some(is) => {
            let mut ir = is.children();
            ir.expect_tag(SEQUENCE, "GeneralNames")?;
            Some(ir.expect_tag(INTEGER, "serialNumber")?.contents.to_vec())
        }
        None => None,
    };
    Ok(EssCertId {
        hash_algorithm: DigestAlgorithm::from_oid(&hash_oid),
        hash_oid,
        cert_hash,
        serial,
    })
}

fn unsigned_timestamps(u: &Tlv<'_>) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for (id, values) in attributes(u)? {
        if !oid_is(&id, &oids::SIGNATURE_TIME_STAMP) {
            continue;
        }
        let mut r = values.children();
        while let Some(v) = r.next()? {
            if out.len() == MAX_ITEMS {
                return Err(malformed("too many time-stamp tokens"));
            }
            out.push(v.whole.to_vec());
        }
    }
    Ok(out)
}

impl EssCertId {
    /// True if this identifier names `cert_der` (hash, and serial when present).
    pub fn matches(&self, cert_der: &[u8]) -> bool {
        let Some(alg) = self.hash_algorithm else {
            return false;
        };
        if alg.hash(cert_der) != self.cert_hash {
            return false;
        }
        match (&self.serial, CertInfo::parse(cert_der)) {
            (None, _) => true,
            (Some(s), Ok(c)) => c.serial == s.as_slice(),
            (Some(_), Err(_)) => false,
        }
    }
}
