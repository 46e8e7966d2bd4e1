//! The revocation status of one certificate from all the CRLs and OCSP responses at hand.

use time::OffsetDateTime;

use super::cert::Cert;
use super::context::ValidationContext;
use super::inputs::Inputs;
use super::types::{RevocationReason, RevocationSource};

/// What one piece of revocation data says about a certificate at the validation time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Good,
    Revoked {
        at: OffsetDateTime,
        reason: RevocationReason,
    },
    Unknown,
}

/// Whether data produced at `this_update` (valid until `next_update`) speaks for the status of
/// `cert` at `time`: current at `time`, or produced after it while the certificate was still
/// within its validity (CAs may drop expired certificates from their CRLs).
pub(crate) fn fresh(
    cert: &Cert,
    time: OffsetDateTime,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
) -> Result<(), String> {
    if this_update > time {
        if this_update > cert.not_after() {
            return Err("issued after the certificate expired".into());
        }
        return Ok(());
    }
    match next_update {
        Some(n) if n >= time => Ok(()),
        Some(n) => Err(format!(
            "outdated: nextUpdate {n} is before the validation time"
        )),
        None => Err("no nextUpdate and issued before the validation time".into()),
    }
}

/// A revocation dated after the validation time does not count: the certificate was good then.
pub(crate) fn revoked_at(
    at: OffsetDateTime,
    reason: RevocationReason,
    time: OffsetDateTime,
) -> Outcome {
    if at <= time {
        Outcome::Revoked { at, reason }
    } else {
        Outcome::Good
    }
}

/// Looks at every OCSP response, then every CRL. "Revoked" from any usable source wins; else
/// "good" from any; else unknown.
pub(crate) fn revocation(
    cert: &Cert,
    issuer: &Cert,
    ctx: &ValidationContext,
    inputs: &Inputs,
    warnings: &mut Vec<String>,
) -> (Outcome, RevocationSource) {
    let mut good = None;
    let name = &cert.summary.subject;
    for r in &inputs.ocsps {
        match r.status_of(cert, issuer, &inputs.pool, ctx.time) {
            Ok(None) => {}
            Ok(Some(Outcome::Unknown)) => warnings.push(format!(
                "OCSP response #{} says \"unknown\" for \"{name}\"",
                r.index
            )),
            Ok(Some(Outcome::Good)) => good = good.or(Some(RevocationSource::Ocsp(r.index))),
            Ok(Some(rev)) => return (rev, RevocationSource::Ocsp(r.index)),
            Err(why) => warnings.push(format!(
                "OCSP response #{} not used for \"{name}\": {why}",
                r.index
            )),
        }
    }
    for c in &inputs.crls {
        match c.status_of(cert, issuer, ctx.time) {
            Ok(None) => {}
            Ok(Some(Outcome::Good)) => good = good.or(Some(RevocationSource::Crl(c.index))),
            Ok(Some(Outcome::Unknown)) => {}
            Ok(Some(rev)) => return (rev, RevocationSource::Crl(c.index)),
            Err(why) => warnings.push(format!("CRL #{} not used for \"{name}\": {why}", c.index)),
        }
    }
    match good {
        Some(src) => (Outcome::Good, src),
        None => (Outcome::Unknown, RevocationSource::None),
    }
}
