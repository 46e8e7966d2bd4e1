//! The fetch-and-validate loop: validate, fetch what is missing, validate again.

use signet_pki::validation::{
    ca_issuers_urls, revocation_needs, validate, CertStatus, PathReport, Purpose, RevocationPolicy,
    ValidationContext,
};
use time::OffsetDateTime;

use crate::error::{NetError, Result};
use crate::fetcher::Fetcher;

/// Rounds of fetching at most: a missing intermediate, then its revocation data, then the
/// end entity's — and a round to spare.
const MAX_ROUNDS: usize = 4;

/// Validates `end_entity`, fetching missing issuers (AIA caIssuers) and missing revocation data
/// (OCSP, then CRL) into `ctx` until nothing new comes, for 4 rounds at most. `now`
/// is the current time (for the cache); `ctx.time` stays the validation time. Returns the last
/// report and what failed on the way. Errors only when the end-entity certificate is malformed.
pub fn validate_online(
    fetcher: &Fetcher,
    ctx: &mut ValidationContext,
    end_entity: &[u8],
    purpose: Purpose,
    now: OffsetDateTime,
) -> Result<(PathReport, Vec<NetError>)> {
    let mut errors = Vec::new();
    let mut report = validate(ctx, end_entity, purpose)?;
    for _ in 0..MAX_ROUNDS {
        let added = if report.status == CertStatus::UnknownIssuer {
            fetch_issuers(fetcher, ctx, &report, now, &mut errors)
        } else if ctx.revocation != RevocationPolicy::Skip {
            fetch_revocation(fetcher, ctx, &report, now, &mut errors)
        } else {
            false
        };
        if !added {
            break;
        }
        report = validate(ctx, end_entity, purpose)?;
    }
    Ok((report, errors))
}

fn fetch_issuers(
    fetcher: &Fetcher,
    ctx: &mut ValidationContext,
    report: &PathReport,
    now: OffsetDateTime,
    errors: &mut Vec<NetError>,
) -> bool {
    let Some(top) = report.chain.last() else {
        return false;
    };
    let mut added = false;
    for url in ca_issuers_urls(&top.der).unwrap_or_default() {
        match fetcher.fetch_ca_issuers(&url, now) {
            Ok(certs) => {
                for c in certs {
                    if !ctx.intermediates.contains(&c) {
                        ctx.intermediates.push(c);
                        added = true;
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    added
}

fn fetch_revocation(
    fetcher: &Fetcher,
    ctx: &mut ValidationContext,
    report: &PathReport,
    now: OffsetDateTime,
    errors: &mut Vec<NetError>,
) -> bool {
    let needs = revocation_needs(report);
    if needs.is_empty() {
        return false;
    }
    let got = fetcher.fetch_revocation(&needs, now);
    errors.extend(got.errors);
    let mut added = false;
    for c in got.crls {
        if !ctx.crls.contains(&c) {
            ctx.crls.push(c);
            added = true;
        }
    }
    for r in got.ocsp_responses {
        if !ctx.ocsp_responses.contains(&r) {
            ctx.ocsp_responses.push(r);
            added = true;
        }
    }
    added
}
