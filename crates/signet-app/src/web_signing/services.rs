//! The network as the web's signing sees it: the built-in CA answers in-process (its TSA and
//! OCSP responder are this server's own endpoints, so a request to itself would only add a
//! round trip); a configured TSA URL and every other CA's responders go over HTTP.

use std::sync::Arc;

use signet_pades::dss::Dss;
use signet_pades::Services;
use signet_pki::validation::RevocationNeed;
use time::OffsetDateTime;

use crate::ca_service::BuiltInCa;
use crate::signing::NetServices;

/// TSA and revocation data for the web's signatures and seals.
pub struct AppServices {
    ca: Option<Arc<BuiltInCa>>,
    /// A TSA named in the configuration; else the built-in CA's.
    tsa_configured: bool,
    net: NetServices,
}

impl AppServices {
    pub fn new(ca: Option<Arc<BuiltInCa>>, tsa: Option<String>) -> Self {
        Self {
            ca,
            tsa_configured: tsa.is_some(),
            net: NetServices::new(tsa),
        }
    }

    /// The built-in CA's answer for one need: OCSP for what its issuing CA issued, the root's
    /// CRL for the issuing CA itself; `None` for another CA's certificates.
    fn local_answer(&self, need: &RevocationNeed, out: &mut Dss) -> bool {
        let Some(ca) = &self.ca else { return false };
        let Ok(p) = ca.published() else { return false };
        if need.issuer == p.ca.issuing_der() {
            match ca.ocsp_response(&need.ocsp_request_der) {
                Ok(r) => {
                    out.ocsps.push(r);
                    return true;
                }
                Err(e) => tracing::warn!("built-in OCSP: {e}"),
            }
        } else if need.issuer == p.ca.root_der() {
            if !out.crls.contains(&p.root_crl) {
                out.crls.push(p.root_crl.clone());
            }
            return true;
        }
        false
    }
}

impl Services for AppServices {
    fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>, String> {
        match (&self.ca, self.tsa_configured) {
            (Some(ca), false) => ca.timestamp_reply(request).map_err(|e| e.to_string()),
            _ => self.net.timestamp(request),
        }
    }

    fn revocation(&self, needs: &[RevocationNeed], at: OffsetDateTime) -> Dss {
        let mut out = Dss::default();
        let remote: Vec<RevocationNeed> = needs
            .iter()
            .filter(|n| !self.local_answer(n, &mut out))
            .cloned()
            .collect();
        if !remote.is_empty() {
            let fetched = self.net.revocation(&remote, at);
            out.ocsps.extend(fetched.ocsps);
            out.crls.extend(fetched.crls);
        }
        out
    }
}
