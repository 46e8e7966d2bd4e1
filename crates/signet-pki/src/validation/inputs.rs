//! The context's revocation data and untrusted certificates, parsed once per validation.

use std::sync::Arc;

use super::cert::Cert;
use super::context::ValidationContext;
use super::crl::Crl;
use super::ocsp::Ocsp;
use super::types::{RevocationPolicy, MAX_INPUTS};

/// The context's revocation data, parsed once per validation.
pub(crate) struct Inputs {
    pub(crate) crls: Vec<Crl>,
    pub(crate) ocsps: Vec<Ocsp>,
    /// The untrusted certificates: a delegated OCSP responder may be among them (a DSS
    /// keeps certificates apart from the responses).
    pub(crate) pool: Vec<Arc<Cert>>,
}

impl Inputs {
    pub(crate) fn parse(
        ctx: &ValidationContext,
        pool: Vec<Arc<Cert>>,
        warnings: &mut Vec<String>,
    ) -> Inputs {
        let mut crls = Vec::new();
        if ctx.revocation == RevocationPolicy::Skip {
            // Not looked at: not parsed either (a national CA's CRL can take a while).
            return Inputs {
                crls,
                ocsps: Vec::new(),
                pool,
            };
        }
        for (i, der) in ctx.crls.iter().enumerate().take(MAX_INPUTS) {
            match Crl::parse(i, der) {
                Ok(c) => crls.push(c),
                Err(e) => warnings.push(format!("CRL #{i} ignored: {e}")),
            }
        }
        let mut ocsps = Vec::new();
        for (i, der) in ctx.ocsp_responses.iter().enumerate().take(MAX_INPUTS) {
            match Ocsp::parse(i, der) {
                Ok(r) => ocsps.push(r),
                Err(e) => warnings.push(format!("OCSP response #{i} ignored: {e}")),
            }
        }
        Inputs { crls, ocsps, pool }
    }
}
