//! The TSTInfo of an RFC 3161 time-stamp token: what the TSA says it stamped, and when.

use der::asn1::ObjectIdentifier as Oid;
use time::OffsetDateTime;

use crate::ber::{parse_time, Reader, Tlv, INTEGER, OCTET_STRING, OID, SEQUENCE};
use crate::cms_parse::{algorithm_id, oid};
use crate::error::{PkiError, Result};
use crate::sigalg::DigestAlgorithm;

/// The TSTInfo of a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TstInfo {
    /// The TSA policy.
    pub policy: Oid,
    /// messageImprint's hash algorithm, if known.
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// messageImprint's hashedMessage.
    pub imprint: Vec<u8>,
    /// serialNumber (INTEGER contents).
    pub serial: Vec<u8>,
    /// genTime (fractions of a second dropped).
    pub gen_time: OffsetDateTime,
    /// The nonce (INTEGER contents), if any.
    pub nonce: Option<Vec<u8>>,
}

pub(crate) fn ts_error(detail: impl Into<String>) -> PkiError {
    PkiError::MalformedDer {
        what: "time-stamp",
        detail: detail.into(),
    }
}

pub(crate) fn message_imprint(mi: &Tlv<'_>) -> Result<(Option<DigestAlgorithm>, Vec<u8>)> {
    let mut r = mi.children();
    let alg = algorithm_id(&r.expect_tag(SEQUENCE, "hashAlgorithm")?)?;
    let hash = r
        .expect_tag(OCTET_STRING, "hashedMessage")?
        .contents
        .to_vec();
    Ok((DigestAlgorithm::from_oid(&alg.oid), hash))
}

pub(crate) fn parse_tst_info(der: &[u8]) -> Result<TstInfo> {
    let seq = Reader::new(der).expect_tag(SEQUENCE, "TSTInfo")?;
    let mut r = seq.children();
    r.expect_tag(INTEGER, "version")?;
    let policy = oid(&r.expect_tag(OID, "policy")?)?;
    let (digest_algorithm, imprint) = message_imprint(&r.expect_tag(SEQUENCE, "messageImprint")?)?;
    let serial = r.expect_tag(INTEGER, "serialNumber")?.contents.to_vec();
    let gen_time = parse_time(&r.expect_tag(0x18, "genTime")?)?;
    r.optional(SEQUENCE)?; // accuracy
    r.optional(0x01)?; // ordering
    let nonce = r.optional(INTEGER)?.map(|n| n.contents.to_vec());
    Ok(TstInfo {
        policy,
        digest_algorithm,
        imprint,
        serial,
        gen_time,
        nonce,
    })
}
