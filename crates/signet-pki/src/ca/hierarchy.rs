//! A new hierarchy: the root, the issuing CA, the OCSP responder and the TSA certificates.

use rcgen::{BasicConstraints, CrlDistributionPoint, IsCa, KeyUsagePurpose};
use time::{Duration, OffsetDateTime};

use super::checks::check_text;
use super::extensions::{aia_ext, base_params, ca_dn, custom_ext, eku_ext};
use super::keys::KeyAlg;
use super::record::{CaRecord, RECORD_VERSION};
use super::rng::random_serial;
use crate::error::{PkiError, Result};
use crate::oids;
use crate::pem::pem_encode;
use crate::revocation::RevocationList;

/// Validity of the root certificate.
pub const ROOT_VALIDITY: Duration = Duration::days(20 * 365);
/// Validity of the issuing CA certificate.
pub const ISSUING_VALIDITY: Duration = Duration::days(10 * 365);
/// Validity of the OCSP responder certificate (short: it carries id-pkix-ocsp-nocheck).
pub const OCSP_VALIDITY: Duration = Duration::days(365);
/// Validity of the TSA certificate.
pub const TSA_VALIDITY: Duration = Duration::days(10 * 365);

/// Makes and signs the four CA certificates over the given keys.
pub(super) fn build_record<K: rcgen::SigningKey + ?Sized>(
    name: &str,
    base_url: &str,
    key_alg: KeyAlg,
    now: OffsetDateTime,
    rng: &mut dyn rand_core::RngCore,
    keys: [&K; 4],
) -> Result<CaRecord> {
    check_text("CA name", name, 64)?;
    let base = base_url.trim().trim_end_matches('/').to_string();
    if !(base.starts_with("http://") || base.starts_with("https://")) || !base.is_ascii() {
        return Err(PkiError::InvalidField {
            field: "base url",
            reason: "must be an ASCII http:// or https:// URL".into(),
        });
    }
    let now = now.replace_nanosecond(0).unwrap_or(now); // 0 is always a valid nanosecond
    let [root_key, issuing_key, ocsp_key, tsa_key] = keys;

    // Root: self-signed, CA critical, keyCertSign + cRLSign critical.
    let mut rp = base_params(
        ca_dn(name, &format!("{name} Root CA")),
        random_serial(rng)?,
        now,
        ROOT_VALIDITY,
    );
    rp.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    rp.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    rp.use_authority_key_identifier_extension = false;
    let root_cert = rp.self_signed(&root_key)?;
    let root_issuer = rcgen::Issuer::new(rp, &root_key);

    // Issuing CA: pathLen 0, CDP of the root.
    let mut ip = base_params(
        ca_dn(name, &format!("{name} Issuing CA")),
        random_serial(rng)?,
        now,
        ISSUING_VALIDITY,
    );
    ip.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ip.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ip.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![format!("{base}/crl/root.crl")],
    }];
    let issuing_cert = ip.signed_by(&issuing_key, &root_issuer)?;
    let issuing_issuer = rcgen::Issuer::new(ip, &issuing_key);

    // OCSP responder: EKU OCSPSigning critical, id-pkix-ocsp-nocheck.
    let mut op = base_params(
        ca_dn(name, &format!("{name} OCSP Responder")),
        random_serial(rng)?,
        now,
        OCSP_VALIDITY,
    );
    op.is_ca = IsCa::ExplicitNoCa;
    op.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    op.custom_extensions = vec![
        eku_ext(&[oids::KP_OCSP_SIGNING], true)?,
        custom_ext(oids::OCSP_NOCHECK, false, vec![0x05, 0x00]),
    ];
    let ocsp_cert = op.signed_by(&ocsp_key, &issuing_issuer)?;

    // TSA: EKU timeStamping critical and alone.
    let mut tp = base_params(
        ca_dn(name, &format!("{name} Time-Stamping Authority")),
        random_serial(rng)?,
        now,
        TSA_VALIDITY.min(ISSUING_VALIDITY),
    );
    tp.is_ca = IsCa::ExplicitNoCa;
    tp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    tp.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![format!("{base}/crl/issuing.crl")],
    }];
    tp.custom_extensions = vec![eku_ext(&[oids::KP_TIME_STAMPING], true)?, aia_ext(&base)?];
    let tsa_cert = tp.signed_by(&tsa_key, &issuing_issuer)?;

    let record = CaRecord {
        version: RECORD_VERSION,
        name: name.trim().to_string(),
        base_url: base,
        key_alg,
        root_cert: pem_encode("CERTIFICATE", root_cert.der()),
        issuing_cert: pem_encode("CERTIFICATE", issuing_cert.der()),
        ocsp_cert: pem_encode("CERTIFICATE", ocsp_cert.der()),
        tsa_cert: pem_encode("CERTIFICATE", tsa_cert.der()),
        issued: Vec::new(),
        revoked: RevocationList::default(),
        crl_number: 0,
        root_crl_number: 0,
        tsa_serial: 0,
    };
    Ok(record)
}
