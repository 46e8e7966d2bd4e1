//! Signed attributes our own signers write: the attribute wrapper, and signingCertificateV2
//! (RFC 5035) with one ESSCertIDv2, shared by PAdES signatures (`cades`) and time stamps
//! (`tsa`, RFC 5816). Reading them back is `cms_parse`'s, leniently, as
//! [`crate::EssCertId`].

use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::Sequence;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use crate::digest::Digest;
use crate::error::Result;
use crate::oids;

/// ESSCertIDv2 with the default hash algorithm (SHA-256), which DER leaves out.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// An attribute with one value.
pub(crate) fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// signingCertificateV2 naming `cert` (whose DER is `cert_der`): the SHA-256 of the
/// certificate with its issuer and serial.
pub(crate) fn signing_certificate_v2(cert_der: &[u8], cert: &Certificate) -> Result<Attribute> {
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Digest::Sha256.hash(cert_der))?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            },
        }],
    };
    attribute(oids::SIGNING_CERTIFICATE_V2, Any::encode_from(&ess)?)
}
