//! OCSP responses (RFC 6960): BasicOCSPResponse signed by the certificate's issuer or by a
//! responder the issuer delegated (a certificate it issued with the OCSPSigning EKU).

use std::sync::Arc;

use der::{Decode, Encode};
use time::{Duration, OffsetDateTime};
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, SingleResponse};

use super::cert::{first_inner_tlv, gt_to_odt, Cert};
use super::sig;
use super::status::{fresh, revoked_at, Outcome};
use super::types::{RevocationReason, OCSP_NO_NEXT_UPDATE_SECONDS};
use crate::digest::Digest;
use crate::oids;

/// Largest OCSP response read, in bytes.
const MAX_OCSP_LEN: usize = 1 << 20;
/// Most certificates read from one response.
const MAX_RESPONSE_CERTS: usize = 16;

pub(crate) struct Ocsp {
    pub(crate) index: usize,
    basic: BasicOcspResponse,
    tbs: Vec<u8>,
    certs: Vec<Cert>,
}

impl Ocsp {
    pub(crate) fn parse(index: usize, der: &[u8]) -> Result<Ocsp, String> {
        if der.len() > MAX_OCSP_LEN {
            return Err("larger than 1 MiB".into());
        }
        let resp = OcspResponse::from_der(der).map_err(|e| format!("malformed: {e}"))?;
        if resp.response_status != OcspResponseStatus::Successful {
            return Err(format!("response status {:?}", resp.response_status));
        }
        let bytes = resp
            .response_bytes
            .ok_or("successful but without a response")?;
        if bytes.response_type != oids::OCSP_BASIC {
            return Err(format!(
                "response type {} (expected basic)",
                bytes.response_type
            ));
        }
        let raw = bytes.response.as_bytes();
        let basic = BasicOcspResponse::from_der(raw).map_err(|e| format!("malformed: {e}"))?;
        let tbs = first_inner_tlv(raw)
            .map_err(|e| format!("malformed: {e}"))?
            .to_vec();
        let certs = basic
            .certs
            .iter()
            .flatten()
            .take(MAX_RESPONSE_CERTS)
            .filter_map(|c| c.to_der().ok().and_then(|d| Cert::parse(&d).ok()))
            .collect();
        Ok(Ocsp {
            index,
            basic,
            tbs,
            certs,
        })
    }

    pub(crate) fn produced_at(&self) -> OffsetDateTime {
        gt_to_odt(&self.basic.tbs_response_data.produced_at.0)
    }

    /// `Ok(None)`: the response is not about `cert`. `Err`: it is, but cannot be used.
    pub(crate) fn status_of(
        &self,
        cert: &Cert,
        issuer: &Cert,
        pool: &[Arc<Cert>],
        time: OffsetDateTime,
    ) -> Result<Option<Outcome>, String> {
        let data = &self.basic.tbs_response_data;
        let Some(single) = data
            .responses
            .iter()
            .find(|r| matches_cert(r, cert, issuer))
        else {
            return Ok(None);
        };
        self.check_signer(issuer, pool, gt_to_odt(&data.produced_at.0))?;
        let this_update = gt_to_odt(&single.this_update.0);
        let next_update = single.next_update.as_ref().map(|t| gt_to_odt(&t.0));
        // Without nextUpdate the responder always has newer data: a short grace only.
        let next_update = next_update
            .or_else(|| Some(this_update + Duration::seconds(OCSP_NO_NEXT_UPDATE_SECONDS)));
        fresh(cert, time, this_update, next_update)?;
        Ok(Some(match &single.cert_status {
            CertStatus::Good(_) => Outcome::Good,
            CertStatus::Unknown(_) => Outcome::Unknown,
            CertStatus::Revoked(info) => revoked_at(
                gt_to_odt(&info.revocation_time.0),
                RevocationReason::of(info.revocation_reason),
                time,
            ),
        }))
    }

    /// The response is signed by the issuer itself, or by a delegated responder certificate
    /// (carried in the response or in the pool) that the issuer signed, with the OCSPSigning EKU, valid when
    /// the response was produced. The responder's own revocation is not checked (responders
    /// carry id-pkix-ocsp-nocheck in practice).
    fn check_signer(
        &self,
        issuer: &Cert,
        pool: &[Arc<Cert>],
        produced_at: OffsetDateTime,
    ) -> Result<(), String> {
        let b = &self.basic;
        let by =
            |key: &Cert| sig::verify(&b.signature_algorithm, key.spki(), &self.tbs, &b.signature);
        if by(issuer).is_ok() {
            return Ok(());
        }
        let candidates = self.certs.iter().chain(pool.iter().map(|c| &**c));
        for r in candidates.filter(|r| r.has_eku(oids::KP_OCSP_SIGNING)) {
            let delegated = r.issued_by_name(issuer)
                && r.ext.unknown_critical.is_empty()
                && r.not_before() <= produced_at
                && produced_at <= r.not_after()
                && sig::verify(
                    &r.cert.signature_algorithm,
                    issuer.spki(),
                    &r.tbs,
                    &r.cert.signature,
                )
                .is_ok();
            if delegated && by(r).is_ok() {
                return Ok(());
            }
        }
        Err("not signed by the issuer or by a responder it authorized".into())
    }
}

/// Whether the CertID names `cert` issued by `issuer`, under the hash the response used.
fn matches_cert(r: &SingleResponse, cert: &Cert, issuer: &Cert) -> bool {
    let id = &r.cert_id;
    if id.serial_number.as_bytes() != cert.serial() {
        return false;
    }
    let Some(d) = Digest::of_oid(&id.hash_algorithm.oid) else {
        return false;
    };
    let key = issuer.spki().subject_public_key.raw_bytes();
    d.hash(&cert.issuer_der) == id.issuer_name_hash.as_bytes()
        && d.hash(key) == id.issuer_key_hash.as_bytes()
}
