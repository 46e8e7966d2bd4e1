//! RFC 6960 OCSP responder for the issuing CA.

use der::asn1::{BitString, GeneralizedTime, Null, OctetString};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_ocsp::{
    BasicOcspResponse, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse,
    OcspResponseStatus, ResponderId, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
    Version,
};

use crate::ca::Ca;
use crate::digest::Digest;
use crate::error::{PkiError, Result};
use crate::oids;
use crate::revocation::RevocationList;
use crate::serial::serial_hex;

/// How long an OCSP answer is valid (nextUpdate - thisUpdate), in seconds.
pub const OCSP_VALIDITY_SECONDS: i64 = 24 * 3600;

/// The most certificates one request may ask about.
const MAX_REQUESTS: usize = 64;

fn gtime(t: OffsetDateTime) -> Result<OcspGeneralizedTime> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| PkiError::Encoding("time before 1970".into()))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))?;
    Ok(OcspGeneralizedTime(GeneralizedTime::from_date_time(dt)))
}

/// A response with an error status and no body.
fn status_only(status: OcspResponseStatus) -> Vec<u8> {
    OcspResponse {
        response_status: status,
        response_bytes: None,
    }
    .to_der()
    // Two small fixed fields: encoding cannot fail.
    .unwrap_or_else(|_| vec![0x30, 0x03, 0x0a, 0x01, status as u8])
}

impl Ca {
    /// Answers a DER `OCSPRequest`. Never fails: garbage gets `malformedRequest`, a certificate
    /// of another issuer `unauthorized`, a failure while signing `internalError`.
    pub fn respond(
        &self,
        request: &[u8],
        revocations: &RevocationList,
        now: OffsetDateTime,
    ) -> Vec<u8> {
        let Ok(req) = OcspRequest::from_der(request) else {
            return status_only(OcspResponseStatus::MalformedRequest);
        };
        let list = &req.tbs_request.request_list;
        if list.is_empty() || list.len() > MAX_REQUESTS {
            return status_only(OcspResponseStatus::MalformedRequest);
        }
        if !list.iter().all(|r| self.issuer_hashes.matches(&r.req_cert)) {
            return status_only(OcspResponseStatus::Unauthorized);
        }
        match self.sign_response(&req, revocations, now) {
            Ok(der) => der,
            Err(_) => status_only(OcspResponseStatus::InternalError),
        }
    }

    fn sign_response(
        &self,
        req: &OcspRequest,
        revocations: &RevocationList,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>> {
        let now = now.replace_nanosecond(0).unwrap_or(now); // 0 is always a valid nanosecond
        let this_update = gtime(now)?;
        let next_update = gtime(now + time::Duration::seconds(OCSP_VALIDITY_SECONDS))?;
        let mut responses = Vec::with_capacity(req.tbs_request.request_list.len());
        for r in &req.tbs_request.request_list {
            let serial = serial_hex(r.req_cert.serial_number.as_bytes());
            let status = if let Some(rev) = revocations.get(&serial) {
                let t = OffsetDateTime::from_unix_timestamp(rev.time)
                    .map_err(|e| PkiError::State(e.to_string()))?;
                CertStatus::Revoked(RevokedInfo {
                    revocation_time: gtime(t)?,
                    revocation_reason: Some(rev.reason.x509()),
                })
            } else if self.has_issued(&serial) {
                CertStatus::Good(Null)
            } else {
                CertStatus::Unknown(Null)
            };
            responses.push(SingleResponse {
                cert_id: r.req_cert.clone(),
                cert_status: status,
                this_update,
                next_update: Some(next_update),
                single_extensions: None,
            });
        }
        // Echo the nonce extension, if any.
        let nonce: Vec<_> = req
            .tbs_request
            .request_extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id == oids::OCSP_NONCE)
            .cloned()
            .map(|mut e| {
                e.critical = false;
                e
            })
            .collect();
        let key_hash = Digest::Sha1.hash(
            self.ocsp
                .cert
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes(),
        );
        let tbs = ResponseData {
            version: Version::V1,
            responder_id: ResponderId::ByKey(OctetString::new(key_hash)?),
            produced_at: this_update,
            responses,
            response_extensions: if nonce.is_empty() { None } else { Some(nonce) },
        };
        let sig = self.ocsp.sign(&tbs.to_der()?)?;
        let basic = BasicOcspResponse {
            tbs_response_data: tbs,
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: self.key_alg().signature_oid(),
                parameters: None,
            },
            signature: BitString::from_bytes(&sig)?,
            certs: Some(vec![self.ocsp.cert.clone()]),
        };
        Ok(OcspResponse {
            response_status: OcspResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: oids::OCSP_BASIC,
                response: OctetString::new(basic.to_der()?)?,
            }),
        }
        .to_der()?)
    }
}
