//! Path building: from the end entity to an anchor through the untrusted pool.

use std::sync::Arc;

use super::cert::Cert;
use super::checks::evaluate;
use super::context::ValidationContext;
use super::inputs::Inputs;
use super::sig;
use super::types::{
    CertStatus, PathReport, Purpose, MAX_ATTEMPTS, MAX_DEPTH, MAX_INPUTS, MAX_PATHS,
};
use crate::error::Result;

/// A candidate issuer: from the anchors or from the pool.
#[derive(Clone)]
struct Node {
    cert: Arc<Cert>,
    anchor: bool,
}

struct Search<'a> {
    anchors: &'a [Arc<Cert>],
    pool: &'a [Arc<Cert>],
    attempts: usize,
    /// Complete paths, end entity first, anchor last.
    paths: Vec<Vec<Node>>,
    /// The longest chain that did not reach an anchor.
    deepest: Vec<Node>,
    /// Links whose names matched but whose signature did not verify.
    bad_links: Vec<String>,
}

impl Search<'_> {
    /// Issuer candidates of `child`, AKI/SKI matches first, mismatches last.
    fn candidates(&self, child: &Cert, chain: &[Node]) -> Vec<Node> {
        let in_chain = |c: &Cert| {
            chain
                .iter()
                .any(|n| n.cert.fingerprint() == c.fingerprint())
        };
        let anchors = self.anchors.iter().map(|c| Node {
            cert: c.clone(),
            anchor: true,
        });
        let pool = self.pool.iter().map(|c| Node {
            cert: c.clone(),
            anchor: false,
        });
        let mut v: Vec<Node> = anchors
            .chain(pool)
            .filter(|n| child.issued_by_name(&n.cert) && !in_chain(&n.cert))
            .collect();
        v.sort_by_key(|n| match child.aki_matches(&n.cert) {
            Some(true) => 0,
            None => 1,
            Some(false) => 2,
        });
        v
    }

    fn extend(&mut self, chain: &mut Vec<Node>) {
        let Some(child) = chain.last().map(|n| n.cert.clone()) else {
            return;
        };
        if chain.len() > self.deepest.len() {
            self.deepest = chain.clone();
        }
        if chain.len() >= MAX_DEPTH {
            return;
        }
        for cand in self.candidates(&child, chain) {
            if self.paths.len() >= MAX_PATHS || self.attempts >= MAX_ATTEMPTS {
                return;
            }
            self.attempts += 1;
            let c = &child.cert;
            if let Err(why) = sig::verify_link(
                &c.signature_algorithm,
                cand.cert.spki(),
                &child.tbs,
                &c.signature,
            ) {
                // With an AKI naming another key this was not the issuer after all (a
                // namesake CA): no path, rather than a bad signature (openssl agrees).
                if child.aki_matches(&cand.cert) == Some(false) {
                    continue;
                }
                self.bad_links.push(format!(
                    "signature of \"{}\" by \"{}\": {why}",
                    child.summary.subject, cand.cert.summary.subject
                ));
                continue;
            }
            chain.push(cand.clone());
            if cand.anchor {
                self.paths.push(chain.clone());
            } else {
                self.extend(chain);
            }
            chain.pop();
        }
    }
}

/// Parses the pool, skipping (with a warning) what does not parse or is an anchor already.
fn parse_pool(ctx: &ValidationContext, warnings: &mut Vec<String>) -> Vec<Arc<Cert>> {
    let mut pool: Vec<Arc<Cert>> = Vec::new();
    if ctx.intermediates.len() > MAX_INPUTS {
        warnings.push(format!(
            "only the first {MAX_INPUTS} untrusted certificates were read"
        ));
    }
    for (i, der) in ctx.intermediates.iter().take(MAX_INPUTS).enumerate() {
        match Cert::parse(der) {
            Ok(c) => {
                let known = |x: &Arc<Cert>| x.fingerprint() == c.fingerprint();
                if !pool.iter().any(known) && !ctx.anchors.certs().iter().any(known) {
                    pool.push(Arc::new(c));
                }
            }
            Err(e) => warnings.push(format!("untrusted certificate #{i} ignored: {e}")),
        }
    }
    // The trust lists' own intermediates come last: the file's certificates are tried first.
    for c in ctx.anchors.path_certs() {
        let known = |x: &Arc<Cert>| x.fingerprint() == c.fingerprint();
        if !pool.iter().any(known) && !ctx.anchors.certs().iter().any(known) {
            pool.push(c.clone());
        }
    }
    pool
}

/// Builds a path for the end-entity certificate `end_entity` (DER) and validates it at
/// `ctx.time` for `purpose`, with the context's CRLs and OCSP responses.
///
/// Errors only when the end-entity certificate itself is malformed; every other problem is a
/// verdict in the report (and malformed pool entries, CRLs or responses are warnings).
pub fn validate(
    ctx: &ValidationContext,
    end_entity: &[u8],
    purpose: Purpose,
) -> Result<PathReport> {
    let ee = Arc::new(Cert::parse(end_entity)?);
    let mut warnings = Vec::new();
    let pool = parse_pool(ctx, &mut warnings);
    let anchors = ctx.anchors.certs();
    let mut search = Search {
        anchors,
        pool: &pool,
        attempts: 0,
        paths: Vec::new(),
        deepest: Vec::new(),
        bad_links: Vec::new(),
    };
    if let Some(a) = anchors.iter().find(|a| a.fingerprint() == ee.fingerprint()) {
        // The end entity is trusted directly.
        search.paths.push(vec![Node {
            cert: a.clone(),
            anchor: true,
        }]);
    } else {
        let mut chain = vec![Node {
            cert: ee,
            anchor: false,
        }];
        search.extend(&mut chain);
    }
    let inputs = Inputs::parse(ctx, pool.clone(), &mut warnings);
    let mut best: Option<PathReport> = None;
    for p in &search.paths {
        let certs: Vec<&Cert> = p.iter().map(|n| &*n.cert).collect();
        let report = evaluate(&certs, ctx, purpose, &inputs, warnings.clone());
        if best
            .as_ref()
            .is_none_or(|b| report.status.severity() < b.status.severity())
        {
            best = Some(report);
        }
    }
    Ok(best.unwrap_or_else(|| no_path(search, warnings)))
}

fn no_path(search: Search<'_>, mut warnings: Vec<String>) -> PathReport {
    let chain = search
        .deepest
        .iter()
        .map(|n| n.cert.summary.clone())
        .collect();
    let status = match search.bad_links.first() {
        Some(why) => CertStatus::Invalid(why.clone()),
        None => CertStatus::UnknownIssuer,
    };
    warnings.extend(search.bad_links);
    PathReport {
        chain,
        status,
        per_cert: Vec::new(),
        anchor: None,
        warnings,
    }
}
