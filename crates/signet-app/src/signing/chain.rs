//! What a long-term (B-LT) signature needs to be validated offline: the signer's chain up to
//! its root — from the keystore, `--cert`, the trust anchors, or the AIA caIssuers addresses —
//! and, once signed, proof that the file does validate with the network off. A file that
//! claims B-LT but lacks the data is refused, not written.

use signet_pades::{Indication, Options};
use signet_pki::validation::{self, RevocationPolicy, TrustAnchors};
use time::OffsetDateTime;

use super::invalid;
use crate::AppError;

/// Longest chain followed (a root, policy CAs, an issuing CA, the signer, and room to spare).
const MAX_CHAIN: usize = 8;

/// `certs` (the signer first) ordered and completed up to a self-signed root or one of
/// `trusted`: issuers are taken from `certs`, then `trusted`, then fetched from the caIssuers
/// addresses of the certificate whose issuer is missing (`fetch` returns what an address
/// serves). An error names the certificate whose issuer was found nowhere.
pub fn complete_chain(
    certs: &[Vec<u8>],
    trusted: &[Vec<u8>],
    fetch: &dyn Fn(&str) -> Vec<Vec<u8>>,
) -> Result<Vec<Vec<u8>>, AppError> {
    let signer = certs
        .first()
        .ok_or_else(|| invalid("no signer certificate"))?;
    let mut pool: Vec<Vec<u8>> = certs[1..].iter().chain(trusted).cloned().collect();
    let mut chain = vec![signer.clone()];
    while chain.len() < MAX_CHAIN {
        let top = chain.last().map(|c| summary(c)).transpose()?;
        let Some(top) = top else { break };
        if top.subject == top.issuer || trusted.contains(&top.der) {
            return Ok(chain);
        }
        let issuer = match issuer_in(&pool, &top) {
            Some(c) => c,
            None => {
                for url in validation::ca_issuers_urls(&top.der).unwrap_or_default() {
                    pool.extend(fetch(&url));
                }
                issuer_in(&pool, &top).ok_or_else(|| missing_issuer(&top))?
            }
        };
        if chain.contains(&issuer) {
            break;
        }
        chain.push(issuer);
    }
    Err(invalid(format!(
        "the certificate chain of {} does not end at a root within {MAX_CHAIN} certificates",
        summary(signer)?.subject
    )))
}

fn summary(der: &[u8]) -> Result<validation::CertSummary, AppError> {
    validation::summarize(der).map_err(invalid)
}

fn issuer_in(pool: &[Vec<u8>], of: &validation::CertSummary) -> Option<Vec<u8>> {
    pool.iter()
        .find(|c| **c != of.der && validation::summarize(c).is_ok_and(|s| s.subject == of.issuer))
        .cloned()
}

fn missing_issuer(of: &validation::CertSummary) -> AppError {
    invalid(format!(
        "B-LT needs the whole certificate chain, for the file to be validated offline: the \
         issuer of \"{}\" (\"{}\") is neither in the keystore nor given with --cert or --trust, \
         and its AIA address gave nothing — give it with --cert CHAIN.pem or --trust ROOT.pem",
        of.subject, of.issuer
    ))
}

/// The trust anchor when none is configured: the completed chain's root. An error when the
/// chain stops short of a root (the validation data would then miss the top CA's).
pub fn chain_root(chain: &[Vec<u8>]) -> Result<TrustAnchors, AppError> {
    let top = chain
        .last()
        .ok_or_else(|| invalid("no signer certificate"))?;
    let s = summary(top)?;
    if s.subject != s.issuer {
        return Err(missing_issuer(&s));
    }
    let mut anchors = TrustAnchors::new();
    anchors.add(top).map_err(invalid)?;
    Ok(anchors)
}

/// Checks that the signature in `field` of `signed` validates at its long-term level with
/// only what the file holds (no network), as `signet verify --offline` would.
pub fn check_offline(
    signed: &[u8],
    field: &str,
    anchors: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let mut opts = Options::new(anchors.clone(), now);
    opts.revocation = RevocationPolicy::Require;
    let outcome = signet_pades::verify(signed, &opts).map_err(|e| invalid(e.0))?;
    let sig = outcome
        .report
        .signatures
        .iter()
        .find(|s| s.field == field)
        .ok_or_else(|| invalid(format!("the new signature {field} is not in the file")))?;
    let long_term = matches!(sig.level.as_deref(), Some("B-LT" | "B-LTA"));
    if sig.indication == Indication::TotalPassed && long_term {
        return Ok(());
    }
    let missing: Vec<String> = outcome
        .needs
        .iter()
        .map(|n| {
            validation::summarize(&n.cert)
                .map(|s| format!("revocation data of \"{}\"", s.subject))
                .unwrap_or_else(|_| "revocation data".into())
        })
        .collect();
    let why: Vec<&str> = sig.messages.iter().map(|m| m.en.as_str()).collect();
    Err(invalid(format!(
        "the signed file would not validate offline ({}{}; level {}): {}{} — not written",
        sig.indication.as_str(),
        sig.sub_indication
            .map(|s| format!(" {s:?}"))
            .unwrap_or_default(),
        sig.level.as_deref().unwrap_or("none"),
        if missing.is_empty() {
            String::new()
        } else {
            format!("missing {}; ", missing.join(", "))
        },
        why.join("; ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_pades::testing::LocalPki;

    #[test]
    fn a_chain_is_completed_up_to_its_root_or_refused_naming_the_missing_issuer() {
        let now = time::macros::datetime!(2026-12-01 08:00 UTC);
        let pki = LocalPki::new(now).unwrap();
        let key = pki.issue("Nguyễn Văn Hùng", false).unwrap();
        let root = pki.anchors().summaries()[0].der.clone();
        let nothing = |_: &str| Vec::new();
        // The keystore holds the signer and its issuing CA, not the root (the measured case).
        let e = complete_chain(&key.chain, &[], &nothing).unwrap_err();
        assert!(e.to_string().contains("issuer of"), "{e}");
        assert!(chain_root(&key.chain).is_err());
        let full = complete_chain(&key.chain, std::slice::from_ref(&root), &nothing).unwrap();
        assert_eq!(full.len(), 3);
        assert_eq!(full[2], root);
        assert!(chain_root(&full).is_ok());
        // The issuers served at the AIA address complete a lone certificate too.
        let signer_only = vec![key.chain[0].clone()];
        let served = vec![key.chain[1].clone(), root];
        let fetch = move |_: &str| served.clone();
        if validation::ca_issuers_urls(&key.chain[0]).is_ok_and(|u| !u.is_empty()) {
            assert_eq!(complete_chain(&signer_only, &[], &fetch).unwrap(), full);
        }
    }
}
