//! RFC 3161 time-stamps on the signer's side: the request for a signature timestamp (PAdES
//! B-T) or a document timestamp (B-LTA), checking the answer, reading and verifying tokens.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::ber::{self, malformed, Reader, Tlv, INTEGER, OCTET_STRING, OID, SEQUENCE, SET};
use crate::certinfo::CertInfo;
use crate::cms_parse::{parse_signature, CmsSignature};
use crate::cms_verify::verify_integrity;
use crate::error::Result;
use crate::oids;
use crate::sigalg::DigestAlgorithm;
pub use crate::tst_info::TstInfo;
use crate::tst_info::{message_imprint, parse_tst_info, ts_error};

/// A DER `TimeStampReq` (version 1, certReq TRUE) for `imprint`, the digest of what is to be
/// time-stamped: the signature value for a signature timestamp ([`signature_value`]), the
/// ByteRange data for a document timestamp. `nonce` (big-endian, unsigned; empty for none)
/// ties the answer to this request.
pub fn timestamp_request(imprint: &[u8], digest_alg: DigestAlgorithm, nonce: &[u8]) -> Vec<u8> {
    let alg = ber::encode(SEQUENCE, &ber::encode(OID, digest_alg.oid().as_bytes()));
    let mut mi = alg;
    mi.extend(ber::encode(OCTET_STRING, imprint));
    let mut body = ber::encode(INTEGER, &[1]);
    body.extend(ber::encode(SEQUENCE, &mi));
    if !nonce.is_empty() {
        body.extend(ber::unsigned_integer(nonce));
    }
    body.extend([0x01, 0x01, 0xff]); // certReq TRUE: the TSA certificate comes with the token
    ber::encode(SEQUENCE, &body)
}

/// A parsed time-stamp token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampToken {
    /// What the token's TSTInfo says.
    pub info: TstInfo,
    /// The CMS signature of the TSA.
    pub cms: CmsSignature,
    /// The TSA certificate (the SignedData signer), if the token carries it.
    pub tsa_certificate: Option<Vec<u8>>,
}

/// The outcome of [`verify_timestamp_token`], check by check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampCheck {
    /// The imprint equals the digest of the time-stamped data.
    pub imprint_ok: bool,
    /// messageDigest and the TSA's signature over the TSTInfo verify.
    pub signature_ok: bool,
    /// signingCertificate(V2) names the TSA certificate.
    pub cert_id_ok: bool,
    /// The TSA certificate has a critical extendedKeyUsage timeStamping.
    pub eku_ok: bool,
    /// The first problem found, if any.
    pub problem: Option<String>,
}

impl TimestampCheck {
    /// Every check passed.
    pub fn ok(&self) -> bool {
        self.imprint_ok && self.signature_ok && self.cert_id_ok && self.eku_ok
    }
}

/// Checks a DER `TimeStampResp` against the request it answers (status granted, same imprint
/// and algorithm, same nonce) and returns the TimeStampToken (DER ContentInfo) as the TSA
/// wrote it — for a document timestamp, that is the PDF's /Contents.
pub fn timestamp_token(response_der: &[u8], request: &[u8]) -> Result<Vec<u8>> {
    let resp = Reader::new(response_der).expect_tag(SEQUENCE, "TimeStampResp")?;
    let mut r = resp.children();
    let status_info = r.expect_tag(SEQUENCE, "PKIStatusInfo")?;
    let status = status_info.children().expect_tag(INTEGER, "status")?;
    // granted (0) or grantedWithMods (1)
    if !matches!(status.contents, [0] | [1]) {
        return Err(ts_error(format!(
            "the TSA refused the request (status {:02x?})",
            status.contents
        )));
    }
    let token = r.expect_tag(SEQUENCE, "timeStampToken")?;
    let parsed = parse_timestamp_token(token.whole)?;
    let (alg, imprint, nonce) = request_fields(request)?;
    if parsed.info.digest_algorithm != Some(alg) || parsed.info.imprint != imprint {
        return Err(ts_error("the token time-stamps another imprint"));
    }
    if parsed.info.nonce.as_deref().map(strip_zeros) != nonce.as_deref().map(strip_zeros) {
        return Err(ts_error("the token's nonce is not the request's"));
    }
    // A token that does not verify would only fail later, in every validator.
    let integrity = verify_integrity(&parsed.cms, &[]);
    if !integrity.ok() {
        return Err(ts_error(format!(
            "the token's signature does not verify: {}",
            integrity.problem.unwrap_or_default()
        )));
    }
    Ok(token.whole.to_vec())
}

fn strip_zeros(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    &v[start..]
}

type RequestFields = (DigestAlgorithm, Vec<u8>, Option<Vec<u8>>);

fn request_fields(request: &[u8]) -> Result<RequestFields> {
    let req = Reader::new(request).expect_tag(SEQUENCE, "TimeStampReq")?;
    let mut r = req.children();
    r.expect_tag(INTEGER, "version")?;
    let (alg, imprint) = message_imprint(&r.expect_tag(SEQUENCE, "messageImprint")?)?;
    let alg = alg.ok_or_else(|| ts_error("unsupported digest in the request"))?;
    r.optional(OID)?; // reqPolicy
    let nonce = r.optional(INTEGER)?.map(|n| n.contents.to_vec());
    Ok((alg, imprint, nonce))
}

/// Parses a TimeStampToken (ContentInfo of a SignedData whose content is a TSTInfo).
pub fn parse_timestamp_token(der: &[u8]) -> Result<TimestampToken> {
    let cms = parse_signature(der)?;
    if cms.content_type != oids::CT_TST_INFO {
        return Err(ts_error("the SignedData does not hold a TSTInfo"));
    }
    let content = cms
        .encapsulated_content
        .as_deref()
        .ok_or_else(|| ts_error("no TSTInfo in the token"))?;
    let info = parse_tst_info(content)?;
    Ok(TimestampToken {
        info,
        tsa_certificate: cms.signer_certificate.clone(),
        cms,
    })
}

/// Checks a token against the digest of the time-stamped data (for a signature timestamp,
/// the digest of the signature value with the token's algorithm; see [`TstInfo`]). `data` is
/// the time-stamped data itself: the digest is computed here with the token's algorithm.
pub fn verify_timestamp_token(token: &TimestampToken, data: &[u8]) -> Result<TimestampCheck> {
    let mut problem = None;
    let imprint_ok = token
        .info
        .digest_algorithm
        .is_some_and(|d| d.hash(data) == token.info.imprint);
    if !imprint_ok {
        problem = Some("the imprint does not match the data".to_string());
    }
    let integrity = verify_integrity(&token.cms, &[]);
    if !integrity.ok() {
        problem = problem.or(integrity.problem.clone());
    }
    let (cert_id_ok, eku_ok) = match &token.tsa_certificate {
        // RFC 5035: the first identifier is the signer's.
        Some(cert) => (integrity.signing_certificate == Some(true), {
            CertInfo::parse(cert)?.is_critical_time_stamping()?
        }),
        None => (false, false),
    };
    if !cert_id_ok {
        problem = problem.or(Some(
            "no ESS certificate id names the TSA certificate".into(),
        ));
    }
    if !eku_ok {
        problem = problem.or(Some(
            "the TSA certificate lacks a critical timeStamping EKU".into(),
        ));
    }
    Ok(TimestampCheck {
        imprint_ok,
        signature_ok: integrity.ok(),
        cert_id_ok,
        eku_ok,
        problem,
    })
}

/// The signature value of the (first) SignerInfo: what a signature timestamp's imprint hashes.
pub fn signature_value(cms_der: &[u8]) -> Result<Vec<u8>> {
    Ok(parse_signature(cms_der)?.signature)
}

/// Adds `token_der` as an unsigned signatureTimeStampToken attribute to the first SignerInfo
/// of `cms_der` (PAdES B-T). Everything else is kept byte for byte; only the lengths of the
/// enclosing elements change, so the signature stays valid.
pub fn add_signature_timestamp(cms_der: &[u8], token_der: &[u8]) -> Result<Vec<u8>> {
    let token = parse_timestamp_token(token_der)?;
    let signature = signature_value(cms_der)?;
    let check = verify_timestamp_token(&token, &signature)?;
    if !check.imprint_ok {
        return Err(ts_error("the token does not time-stamp this signature"));
    }
    let mut attr = ber::encode(OID, oids::SIGNATURE_TIME_STAMP.as_bytes());
    attr.extend(ber::encode(SET, token_der));
    let attr = ber::encode(SEQUENCE, &attr);
    splice_signer_info(cms_der, &attr)
}

/// Rebuilds ContentInfo → [0] → SignedData → signerInfos → first SignerInfo with `attr`
/// appended to its unsigned attributes.
fn splice_signer_info(cms_der: &[u8], attr: &[u8]) -> Result<Vec<u8>> {
    let ci = Reader::new(cms_der).expect_tag(SEQUENCE, "ContentInfo")?;
    let mut r = ci.children();
    let ct = r.expect_tag(OID, "contentType")?;
    let explicit = r.expect_tag(0xa0, "content")?;
    let sd = explicit.children().expect_tag(SEQUENCE, "SignedData")?;
    let mut parts = Vec::new();
    let mut sr = sd.children();
    while let Some(t) = sr.next()? {
        parts.push(t);
    }
    let infos = parts
        .pop()
        .filter(|t| t.tag == SET)
        .ok_or_else(|| malformed("no signerInfos"))?;
    let mut ir = infos.children();
    let first = ir.expect_tag(SEQUENCE, "SignerInfo")?;
    let rest = ir.remaining();

    let new_si = ber::encode(SEQUENCE, &with_unsigned(&first, attr)?);
    let mut infos_body = new_si;
    infos_body.extend_from_slice(rest);
    let mut sd_body: Vec<u8> = parts.iter().flat_map(|t| t.whole.to_vec()).collect();
    sd_body.extend(ber::encode(SET, &infos_body));
    let mut ci_body = ct.whole.to_vec();
    ci_body.extend(ber::encode(0xa0, &ber::encode(SEQUENCE, &sd_body)));
    Ok(ber::encode(SEQUENCE, &ci_body))
}

/// The SignerInfo's contents with `attr` added to `[1] unsignedAttrs` (created if absent).
fn with_unsigned(si: &Tlv<'_>, attr: &[u8]) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut unsigned = Vec::new();
    let mut r = si.children();
    while let Some(t) = r.next()? {
        if t.tag == 0xa1 {
            unsigned.extend_from_slice(t.contents);
        } else {
            body.extend_from_slice(t.whole);
        }
    }
    unsigned.extend_from_slice(attr);
    body.extend(ber::encode(0xa1, &unsigned));
    Ok(body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips() {
        let req = timestamp_request(&[7; 32], DigestAlgorithm::Sha256, &[0, 0x80, 1]);
        let (alg, imprint, nonce) = request_fields(&req).unwrap();
        assert_eq!(alg, DigestAlgorithm::Sha256);
        assert_eq!(imprint, vec![7; 32]);
        assert_eq!(nonce.unwrap(), vec![0, 0x80, 1]);
        let none = timestamp_request(&[7; 48], DigestAlgorithm::Sha384, &[]);
        assert!(request_fields(&none).unwrap().2.is_none());
    }
}
