//! RFC 3161 time-stamping authority, with the RFC 5816 ESSCertIDv2 signed attribute.

use cmpv2::status::{PkiStatus, PkiStatusInfo};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, GeneralizedTime, Int, OctetString, SetOfVec};
use der::{Decode, Encode, Tag};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::ext::pkix::name::GeneralName;
use x509_tsp::{Accuracy, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

use crate::ca::Ca;
use crate::digest::Digest;
use crate::error::{PkiError, Result};
use crate::ess::{attribute, signing_certificate_v2};
use crate::oids;

/// PKIFailureInfo bits (RFC 3161 section 2.4.2).
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
enum FailInfo {
    BadAlg = 0,
    BadDataFormat = 5,
    UnacceptedPolicy = 15,
    UnacceptedExtension = 16,
    SystemFailure = 25,
}

/// `TimeStampResp { status { rejection, failInfo } }`, written by hand: cmpv2 0.2's
/// `PkiFailureInfo` flag set encodes the bit *numbers* as masks (badDataFormat = 5 comes out as
/// bits 0 and 2), so it cannot be used for the failure bits.
fn reject(fail: FailInfo) -> Vec<u8> {
    let bit = fail as usize;
    let mut bits = vec![0u8; bit / 8 + 1];
    bits[bit / 8] = 0x80 >> (bit % 8);
    let unused = (7 - bit % 8) as u8;
    let mut bit_string = vec![0x03, (bits.len() + 1) as u8, unused];
    bit_string.extend_from_slice(&bits);
    let mut status_info = vec![0x02, 0x01, 0x02]; // status: rejection (2)
    status_info.extend_from_slice(&bit_string);
    let mut psi = vec![0x30, status_info.len() as u8];
    psi.extend_from_slice(&status_info);
    let mut resp = vec![0x30, psi.len() as u8];
    resp.extend_from_slice(&psi);
    resp
}

/// A positive INTEGER in its minimal DER form.
fn positive_int(n: u64) -> Result<Int> {
    let bytes = n.to_be_bytes();
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    let mut v = Vec::with_capacity(9);
    if bytes[start] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(&bytes[start..]);
    Ok(Int::new(&v)?)
}

impl Ca {
    /// Answers a DER `TimeStampReq` with a `TimeStampResp`. Never fails: undecodable input gets
    /// `rejection/badDataFormat`, an unsupported or inconsistent digest `badAlg`, a foreign
    /// policy `unacceptedPolicy`, extensions `unacceptedExtension`, a signing failure
    /// `systemFailure`.
    pub fn timestamp(&self, request: &[u8], serial: u64, now: OffsetDateTime) -> Vec<u8> {
        let Ok(req) = TimeStampReq::from_der(request) else {
            return reject(FailInfo::BadDataFormat);
        };
        let imprint = &req.message_imprint;
        let digest = match Digest::of_oid(&imprint.hash_algorithm.oid) {
            Some(d) if d != Digest::Sha1 => d,
            _ => return reject(FailInfo::BadAlg),
        };
        if imprint.hashed_message.as_bytes().len() != digest.len() {
            return reject(FailInfo::BadDataFormat);
        }
        if req.req_policy.is_some_and(|p| p != oids::TSA_POLICY) {
            return reject(FailInfo::UnacceptedPolicy);
        }
        if req.extensions.as_ref().is_some_and(|e| !e.is_empty()) {
            return reject(FailInfo::UnacceptedExtension);
        }
        match self.token(&req, serial, now) {
            Ok(der) => der,
            Err(_) => reject(FailInfo::SystemFailure),
        }
    }

    fn token(&self, req: &TimeStampReq, serial: u64, now: OffsetDateTime) -> Result<Vec<u8>> {
        let secs = u64::try_from(now.unix_timestamp())
            .map_err(|_| PkiError::Encoding("time before 1970".into()))?;
        let gen_time = GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))?;
        let tsa_cert = &self.tsa.cert;
        let tst = TstInfo {
            version: TspVersion::V1,
            policy: oids::TSA_POLICY,
            message_imprint: req.message_imprint.clone(),
            serial_number: positive_int(serial)?,
            gen_time,
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            ordering: false,
            nonce: req.nonce.clone(),
            tsa: Some(GeneralName::DirectoryName(
                tsa_cert.tbs_certificate.subject.clone(),
            )),
            extensions: None,
        };
        let tst_der = tst.to_der()?;
        let digest = self.key_alg().digest();
        let digest_alg = AlgorithmIdentifierOwned {
            oid: digest.oid(),
            parameters: None,
        };

        let mut signed_attrs = SetOfVec::new();
        signed_attrs.insert(attribute(
            oids::CONTENT_TYPE,
            Any::encode_from(&oids::CT_TST_INFO)?,
        )?)?;
        signed_attrs.insert(attribute(
            oids::MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.hash(&tst_der))?)?,
        )?)?;
        signed_attrs.insert(signing_certificate_v2(&self.tsa.cert_der, tsa_cert)?)?;
        let signature = self.tsa.sign(&signed_attrs.to_der()?)?;

        let signer = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tsa_cert.tbs_certificate.issuer.clone(),
                serial_number: tsa_cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: digest_alg.clone(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: self.key_alg().signature_oid(),
                parameters: None,
            },
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let mut digest_algorithms = SetOfVec::new();
        digest_algorithms.insert(digest_alg)?;
        let mut signer_infos = SetOfVec::new();
        signer_infos.insert(signer)?;
        let certificates = if req.cert_req {
            let mut set = SetOfVec::new();
            set.insert(CertificateChoices::Certificate(tsa_cert.clone()))?;
            // And its issuer: a validator offline (LTV) must build the TSA's path from what
            // the document carries, and not every one looks in the DSS for it.
            set.insert(CertificateChoices::Certificate(self.issuing.cert.clone()))?;
            Some(CertificateSet(set))
        } else {
            None
        };
        let sd = SignedData {
            version: CmsVersion::V3,
            digest_algorithms,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oids::CT_TST_INFO,
                econtent: Some(Any::new(Tag::OctetString, tst_der)?),
            },
            certificates,
            crls: None,
            signer_infos: SignerInfos(signer_infos),
        };
        let token = ContentInfo {
            content_type: oids::SIGNED_DATA,
            content: Any::encode_from(&sd)?,
        };
        let resp = TimeStampResp {
            status: PkiStatusInfo {
                status: PkiStatus::Accepted,
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(token),
        };
        Ok(resp.to_der()?)
    }
}
