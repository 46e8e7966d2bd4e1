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
    let mut fetching = Fetching {
        fetcher,
        now,
        errors: Vec::new(),
    };
    let mut report = validate(ctx, end_entity, purpose)?;
    for _ in 0..MAX_ROUNDS {
        let added = if report.status == CertStatus::UnknownIssuer {
            fetching.issuers(ctx, &report)
        } else if ctx.revocation != RevocationPolicy::Skip {
            fetching.revocation(ctx, &report)
        } else {
            false
        };
        if !added {
            break;
        }
        report = validate(ctx, end_entity, purpose)?;
    }
    Ok((report, fetching.errors))
}

/// What a round of fetching uses: the fetcher, the current time (for its cache), and the
/// failures so far.
struct Fetching<'a> {
    fetcher: &'a Fetcher,
    now: OffsetDateTime,
    errors: Vec<NetError>,
}

impl Fetching<'_> {
    /// The issuers named by the AIA of the chain's top certificate; whether any is new.
    fn issuers(&mut self, ctx: &mut ValidationContext, report: &PathReport) -> bool {
        let Some(top) = report.chain.last() else {
            return false;
        };
        let mut added = false;
        for url in ca_issuers_urls(&top.der).unwrap_or_default() {
            match self.fetcher.fetch_ca_issuers(&url, self.now) {
                Ok(certs) => added |= add_new(&mut ctx.intermediates, certs),
                Err(e) => self.errors.push(e),
            }
        }
        added
    }

    /// OCSP responses or CRLs for what the report lacks; whether any is new.
    fn revocation(&mut self, ctx: &mut ValidationContext, report: &PathReport) -> bool {
        let needs = revocation_needs(report);
        if needs.is_empty() {
            return false;
        }
        let got = self.fetcher.fetch_revocation(&needs, self.now);
        self.errors.extend(got.errors);
        let crls = add_new(&mut ctx.crls, got.crls);
        let responses = add_new(&mut ctx.ocsp_responses, got.ocsp_responses);
        crls || responses
    }
}

/// Appends the items `into` does not hold yet; whether there was any.
fn add_new(into: &mut Vec<Vec<u8>>, items: Vec<Vec<u8>>) -> bool {
    let before = into.len();
    for item in items {
        if !into.contains(&item) {
            into.push(item);
        }
    }
    into.len() > before
}
