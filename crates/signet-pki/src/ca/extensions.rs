//! Certificate parameters and extensions shared by the CA's certificates and its leaves.

use der::asn1::ObjectIdentifier;
use der::Encode;
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue, KeyIdMethod,
    SerialNumber,
};
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax, ExtendedKeyUsage};

use super::checks::ia5;
use crate::error::Result;
use crate::oids;

pub(super) fn custom_ext(
    oid: ObjectIdentifier,
    critical: bool,
    content: Vec<u8>,
) -> CustomExtension {
    let arcs: Vec<u64> = oid.arcs().map(u64::from).collect();
    let mut ext = CustomExtension::from_oid_content(&arcs, content);
    ext.set_criticality(critical);
    ext
}

pub(super) fn eku_ext(purposes: &[ObjectIdentifier], critical: bool) -> Result<CustomExtension> {
    let der = ExtendedKeyUsage(purposes.to_vec()).to_der()?;
    Ok(custom_ext(oids::EXT_KEY_USAGE, critical, der))
}

pub(super) fn uri(field: &'static str, url: &str) -> Result<GeneralName> {
    Ok(GeneralName::UniformResourceIdentifier(ia5(field, url)?))
}

pub(super) fn aia_ext(base: &str) -> Result<CustomExtension> {
    let aia = AuthorityInfoAccessSyntax(vec![
        AccessDescription {
            access_method: oids::AD_OCSP,
            access_location: uri("base url", &format!("{base}/ocsp"))?,
        },
        AccessDescription {
            access_method: oids::AD_CA_ISSUERS,
            access_location: uri("base url", &format!("{base}/ca/issuing.cer"))?,
        },
    ]);
    Ok(custom_ext(
        oids::AUTHORITY_INFO_ACCESS,
        false,
        aia.to_der()?,
    ))
}

/// A distinguished name that starts with C=VN (a PrintableString, as RFC 5280 asks).
pub(super) fn vn_dn() -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    let vn = rcgen::string::PrintableString::try_from("VN").map_or_else(
        |_| DnValue::Utf8String("VN".into()),
        DnValue::PrintableString,
    );
    dn.push(DnType::CountryName, vn);
    dn
}

pub(super) fn ca_dn(name: &str, cn: &str) -> DistinguishedName {
    let mut dn = vn_dn();
    dn.push(DnType::OrganizationName, name);
    dn.push(DnType::CommonName, cn);
    dn
}

pub(super) fn base_params(
    dn: DistinguishedName,
    serial: Vec<u8>,
    now: OffsetDateTime,
    validity: Duration,
) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    // Backdate a minute so that a relying party with a slightly slow clock accepts it.
    p.not_before = now - Duration::minutes(1);
    p.not_after = now + validity;
    p.use_authority_key_identifier_extension = true;
    p.key_identifier_method = KeyIdMethod::Sha256;
    p
}

pub(super) fn arcs_dn(oid: ObjectIdentifier) -> DnType {
    DnType::CustomDnType(oid.arcs().map(u64::from).collect())
}
