//! What an I/O layer should fetch: revocation data for a path, issuers for a partial chain.

use der::asn1::OctetString;
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};
use x509_cert::Certificate;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest, Version};

use super::cert::{malformed, Cert};
use super::types::{CertStatus, PathReport, RevocationSource};
use crate::digest::Digest;
use crate::error::Result;
use crate::oids;

/// The revocation data one certificate of a path still lacks, and where to get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationNeed {
    /// The certificate (DER).
    pub cert: Vec<u8>,
    /// Its issuer (DER).
    pub issuer: Vec<u8>,
    /// OCSP responders named in its AIA extension (`http://...`).
    pub ocsp_urls: Vec<String>,
    /// CRL distribution points (URIs).
    pub crl_urls: Vec<String>,
    /// A DER `OCSPRequest` for it (SHA-1 CertID, the form every responder accepts; no nonce, so
    /// that answers can be cached).
    pub ocsp_request_der: Vec<u8>,
}

/// The certificates of a validated path whose revocation status was not established from the
/// context's data (valid or revocation-unknown ones; not the anchor, not an OCSP responder
/// with id-pkix-ocsp-nocheck). Empty when no path was found: see [`ca_issuers_urls`] then.
pub fn revocation_needs(report: &PathReport) -> Vec<RevocationNeed> {
    let mut out = Vec::new();
    let n = report.per_cert.len();
    for (i, (summary, status, source)) in report.per_cert.iter().enumerate() {
        // Expired or invalid certificates fail whatever their revocation status.
        let open = matches!(status, CertStatus::Valid | CertStatus::RevocationUnknown);
        if i + 1 >= n || *source != RevocationSource::None || !open {
            continue;
        }
        let Some((issuer, _, _)) = report.per_cert.get(i + 1) else {
            continue;
        };
        let (Ok(c), Ok(iss)) = (Cert::parse(&summary.der), Cert::parse(&issuer.der)) else {
            continue;
        };
        let Ok(req) = request_for(&c, &iss) else {
            continue;
        };
        out.push(RevocationNeed {
            cert: summary.der.clone(),
            issuer: issuer.der.clone(),
            ocsp_urls: aia_uris(&c.cert, oids::AD_OCSP),
            crl_urls: cdp_uris(&c.cert),
            ocsp_request_der: req,
        });
    }
    out
}

/// A DER `OCSPRequest` for `cert` issued by `issuer` (both DER).
pub fn ocsp_request(cert: &[u8], issuer: &[u8]) -> Result<Vec<u8>> {
    request_for(&Cert::parse(cert)?, &Cert::parse(issuer)?)
}

fn request_for(cert: &Cert, issuer: &Cert) -> Result<Vec<u8>> {
    let d = Digest::Sha1;
    let key = issuer.spki().subject_public_key.raw_bytes();
    let id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: d.oid(),
            parameters: Some(der::asn1::Null.into()),
        },
        issuer_name_hash: OctetString::new(d.hash(&cert.issuer_der))?,
        issuer_key_hash: OctetString::new(d.hash(key))?,
        serial_number: cert.cert.tbs_certificate.serial_number.clone(),
    };
    let req = OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: id,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    Ok(req.to_der()?)
}

/// The caIssuers URLs of a certificate's AIA extension: where its issuer may be downloaded.
pub fn ca_issuers_urls(cert: &[u8]) -> Result<Vec<String>> {
    Ok(aia_uris(&parse(cert)?, oids::AD_CA_ISSUERS))
}

/// The OCSP responder URLs of a certificate's AIA extension.
pub fn ocsp_urls(cert: &[u8]) -> Result<Vec<String>> {
    Ok(aia_uris(&parse(cert)?, oids::AD_OCSP))
}

/// The URIs of a certificate's CRL distribution points.
pub fn crl_urls(cert: &[u8]) -> Result<Vec<String>> {
    Ok(cdp_uris(&parse(cert)?))
}

fn parse(der: &[u8]) -> Result<Certificate> {
    Certificate::from_der(der).map_err(|e| malformed("certificate", e))
}

fn extension(c: &Certificate, oid: der::asn1::ObjectIdentifier) -> Option<&[u8]> {
    c.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == oid)
        .map(|e| e.extn_value.as_bytes())
}

fn uri(n: &GeneralName) -> Option<String> {
    match n {
        GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
        _ => None,
    }
}

fn aia_uris(c: &Certificate, method: der::asn1::ObjectIdentifier) -> Vec<String> {
    let Some(v) = extension(c, oids::AUTHORITY_INFO_ACCESS) else {
        return Vec::new();
    };
    AuthorityInfoAccessSyntax::from_der(v)
        .map(|aia| {
            aia.0
                .iter()
                .filter(|a| a.access_method == method)
                .filter_map(|a| uri(&a.access_location))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn cdp_uris(c: &Certificate) -> Vec<String> {
    let Some(v) = extension(c, oids::CRL_DP) else {
        return Vec::new();
    };
    let Ok(dps) = CrlDistributionPoints::from_der(v) else {
        return Vec::new();
    };
    dps.0
        .iter()
        .filter_map(|dp| match &dp.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names.iter().filter_map(uri)),
            _ => None,
        })
        .flatten()
        .collect()
}
