//! The RFC 5280 checks of one candidate path, and the purpose of its end entity.

use super::cert::Cert;
use super::context::ValidationContext;
use super::inputs::Inputs;
use super::sig;
use super::status::{revocation, Outcome};
use super::types::{CertStatus, PathReport, Purpose, RevocationPolicy, RevocationSource};
use crate::oids;

/// Validates one complete path (end entity first, anchor last).
pub(crate) fn evaluate(
    path: &[&Cert],
    ctx: &ValidationContext,
    purpose: Purpose,
    inputs: &Inputs,
    mut warnings: Vec<String>,
) -> PathReport {
    let last = path.len().saturating_sub(1);
    let mut per_cert = Vec::with_capacity(path.len());
    for (i, c) in path.iter().enumerate() {
        let issuer = path.get(i + 1).copied();
        let (status, source) = match structure(path, i, purpose) {
            Err(why) => (CertStatus::Invalid(why), RevocationSource::None),
            Ok(()) => match time_status(c, ctx) {
                Some(s) => (s, RevocationSource::None),
                None if i == last => (CertStatus::Valid, RevocationSource::None),
                None => revocation_verdict(c, issuer, ctx, inputs, &mut warnings),
            },
        };
        per_cert.push((c.summary.clone(), status, source));
    }
    // The worst verdict; among equals the one nearest the end entity (the first cause).
    let mut status = CertStatus::Valid;
    for (_, s, _) in &per_cert {
        if s.severity() > status.severity() {
            status = s.clone();
        }
    }
    PathReport {
        chain: path.iter().map(|c| c.summary.clone()).collect(),
        status,
        per_cert,
        anchor: path.last().map(|c| c.summary.clone()),
        warnings,
    }
}

fn time_status(c: &Cert, ctx: &ValidationContext) -> Option<CertStatus> {
    if ctx.time < c.not_before() {
        Some(CertStatus::NotYetValid)
    } else if ctx.time > c.not_after() {
        Some(CertStatus::Expired)
    } else {
        None
    }
}

fn revocation_verdict(
    c: &Cert,
    issuer: Option<&Cert>,
    ctx: &ValidationContext,
    inputs: &Inputs,
    warnings: &mut Vec<String>,
) -> (CertStatus, RevocationSource) {
    if ctx.revocation == RevocationPolicy::Skip {
        return (CertStatus::Valid, RevocationSource::None);
    }
    if c.ext.ocsp_nocheck && c.has_eku(oids::KP_OCSP_SIGNING) {
        return (CertStatus::Valid, RevocationSource::NoCheck);
    }
    let Some(issuer) = issuer else {
        return (CertStatus::RevocationUnknown, RevocationSource::None);
    };
    match revocation(c, issuer, ctx, inputs, warnings) {
        (Outcome::Good, src) => (CertStatus::Valid, src),
        (Outcome::Revoked { at, reason }, src) => (CertStatus::Revoked { at, reason }, src),
        (Outcome::Unknown, _) if ctx.revocation == RevocationPolicy::SoftFail => {
            (CertStatus::Valid, RevocationSource::None)
        }
        (Outcome::Unknown, _) => (CertStatus::RevocationUnknown, RevocationSource::None),
    }
}

/// The checks that do not depend on time: algorithms, CA constraints, critical extensions,
/// and the end entity's purpose.
fn structure(path: &[&Cert], i: usize, purpose: Purpose) -> Result<(), String> {
    let c = path.get(i).ok_or("no such certificate")?;
    let name = &c.summary.subject;
    if let Some(x) = c.ext.unknown_critical.first() {
        return Err(format!(
            "\"{name}\" has a critical extension {x} that is not supported"
        ));
    }
    let is_anchor = i + 1 == path.len();
    if !is_anchor
        && !sig::same_algorithm(
            &c.cert.signature_algorithm,
            &c.cert.tbs_certificate.signature,
        )
    {
        return Err(format!(
            "\"{name}\": the two signature algorithm fields differ"
        ));
    }
    if !is_anchor && sig::is_sha1(&c.cert.signature_algorithm) {
        return Err(format!("\"{name}\": SHA-1 signature (insecure, refused)"));
    }
    if i > 0 {
        as_issuer(c, i - 1, is_anchor)?;
    }
    if i == 0 {
        check_purpose(c, purpose)?;
    }
    Ok(())
}

/// `c` issues certificates, with `below` intermediate CA certificates between it and the end
/// entity.
fn as_issuer(c: &Cert, below: usize, is_anchor: bool) -> Result<(), String> {
    let name = &c.summary.subject;
    let v1_anchor = is_anchor && c.cert.tbs_certificate.extensions.is_none();
    if v1_anchor {
        return Ok(());
    }
    let basic = c.ext.basic.as_ref().filter(|b| b.ca);
    let Some(basic) = basic else {
        return Err(format!(
            "\"{name}\" issues certificates but is not a CA (basicConstraints)"
        ));
    };
    if c.ext
        .key_usage
        .as_ref()
        .is_some_and(|ku| !ku.key_cert_sign())
    {
        return Err(format!(
            "\"{name}\" issues certificates without keyUsage keyCertSign"
        ));
    }
    if let Some(max) = basic.path_len_constraint {
        if below > usize::from(max) {
            return Err(format!(
                "\"{name}\" allows {max} intermediate CA(s) below it (pathLenConstraint), the path has {below}"
            ));
        }
    }
    Ok(())
}

fn check_purpose(c: &Cert, purpose: Purpose) -> Result<(), String> {
    let name = &c.summary.subject;
    let ku = c.ext.key_usage.as_ref();
    // keyUsage absent means any usage (RFC 5280 4.2.1.3).
    let signs = ku.is_none_or(|ku| ku.digital_signature() || ku.non_repudiation());
    match purpose {
        Purpose::Any => Ok(()),
        Purpose::DocumentSigning => {
            if !signs {
                return Err(format!(
                    "\"{name}\": keyUsage has neither digitalSignature nor nonRepudiation"
                ));
            }
            let ok = [
                oids::KP_EMAIL_PROTECTION,
                oids::ANY_EKU,
                oids::MS_DOCUMENT_SIGNING,
                oids::ADOBE_AUTHENTIC_DOCUMENTS,
            ];
            match &c.ext.eku {
                Some((ekus, _)) if !ekus.iter().any(|e| ok.contains(e)) => Err(format!(
                    "\"{name}\": extendedKeyUsage does not allow document signing"
                )),
                _ => Ok(()),
            }
        }
        Purpose::Timestamping => match &c.ext.eku {
            Some((ekus, true)) if ekus.as_slice() == [oids::KP_TIME_STAMPING] && signs => Ok(()),
            _ => Err(format!(
                "\"{name}\" is not a time-stamping certificate (critical EKU timeStamping alone)"
            )),
        },
        Purpose::OcspSigning => {
            if c.has_eku(oids::KP_OCSP_SIGNING) && signs {
                Ok(())
            } else {
                Err(format!(
                    "\"{name}\" is not an OCSP responder certificate (EKU OCSPSigning)"
                ))
            }
        }
    }
}
