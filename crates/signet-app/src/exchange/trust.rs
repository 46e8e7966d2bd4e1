//! Who signed a packet. Nodes and hubs authenticate each other by the packets themselves
//! (signed requests): every packet is XML-DSig signed by its sending agency's seal key, whose
//! certificate — issued by the CA — names the agency in `organizationIdentifier`. A packet
//! is believed when its signature is valid, its certificate chains to the trust anchors, and
//! that certificate's agency is the packet's `From`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use signet_edxml::SignatureReport;
use signet_pki::validation::{
    validate, CertStatus, Purpose, RevocationPolicy, TrustAnchors, ValidationContext,
};

/// The anchors (and intermediates) packet signers must chain to.
#[derive(Debug, Clone, Default)]
pub struct PacketTrust {
    pub anchors: TrustAnchors,
    pub intermediates: Vec<Vec<u8>>,
    /// Signer certificates whose path was found valid (by SHA-256), and until when that
    /// verdict is reused: a hub sees the same few hundred agency seals all day, and the
    /// path's signature checks cost about as much as the packet's own.
    trusted: Arc<Mutex<HashMap<String, time::OffsetDateTime>>>,
}

/// How long a signer's valid path is believed without validating it again (never past the
/// certificate's own end). Revocation is soft-fail here, so nothing is lost by it but a
/// configuration change, which restarts the node anyway.
const TRUSTED_FOR: time::Duration = time::Duration::minutes(10);
/// The most signers remembered; past it the memory starts over.
const TRUSTED_MAX: usize = 10_000;

impl PacketTrust {
    /// `Ok(())` when `report` is a valid signature by the agency `organ_id`; otherwise why
    /// not, in one line.
    pub fn check(
        &self,
        report: &SignatureReport,
        organ_id: &str,
        at: time::OffsetDateTime,
    ) -> Result<(), String> {
        if !report.present {
            return Err("the packet is not signed".into());
        }
        if report.valid != Some(true) {
            return Err("the packet signature is not valid".into());
        }
        if report.digest.as_deref() != Some("sha256") {
            return Err("the packet signature uses SHA-1".into());
        }
        let cert = report
            .certificate
            .as_deref()
            .ok_or("the packet signature carries no certificate")?;
        let summary = signet_pki::validation::summarize(cert).map_err(|e| e.to_string())?;
        if !names_agency(&summary.subject, organ_id) {
            return Err(format!(
                "the packet is signed by {}, not by the agency {organ_id}",
                summary.subject_cn
            ));
        }
        if self.anchors.is_empty() {
            return Err("no trust anchors are configured for the exchange".into());
        }
        if self.remembered(&summary.sha256, at) {
            return Ok(());
        }
        let mut ctx = ValidationContext::new(self.anchors.clone(), at);
        ctx.intermediates = self.intermediates.clone();
        ctx.revocation = RevocationPolicy::SoftFail;
        let path = validate(&ctx, cert, Purpose::Any).map_err(|e| e.to_string())?;
        match path.status {
            CertStatus::Valid => {
                self.remember(summary.sha256, (at + TRUSTED_FOR).min(summary.not_after));
                Ok(())
            }
            other => Err(format!("the signer certificate is not trusted: {other:?}")),
        }
    }

    fn remembered(&self, sha256: &str, at: time::OffsetDateTime) -> bool {
        let trusted = self.trusted.lock().unwrap_or_else(|p| p.into_inner());
        trusted.get(sha256).is_some_and(|until| at <= *until)
    }

    fn remember(&self, sha256: String, until: time::OffsetDateTime) {
        let mut trusted = self.trusted.lock().unwrap_or_else(|p| p.into_inner());
        if trusted.len() >= TRUSTED_MAX {
            trusted.clear();
        }
        trusted.insert(sha256, until);
    }
}

/// Whether an RFC 4514 subject carries `code` as its organizationIdentifier (2.5.4.97),
/// however the DN printer names that attribute.
fn names_agency(subject: &str, code: &str) -> bool {
    !code.is_empty()
        && subject.split([',', '+']).any(|rdn| {
            let mut kv = rdn.splitn(2, '=');
            let (k, v) = (
                kv.next().unwrap_or("").trim(),
                kv.next().unwrap_or("").trim(),
            );
            let k = k.to_ascii_lowercase();
            (k == "2.5.4.97" || k == "organizationidentifier") && attribute_text(v) == code
        })
}

/// An attribute value as printed: plain text, or `#` and the hex of a DER string (how
/// RFC 4514 prints attributes it has no name for).
fn attribute_text(v: &str) -> String {
    let Some(h) = v.strip_prefix('#') else {
        return v.trim_matches('"').to_owned();
    };
    match hex::decode(h).ok().as_deref() {
        // A string type, short length form (agency codes are a dozen characters).
        Some([_tag, len, rest @ ..]) if usize::from(*len) == rest.len() => {
            String::from_utf8_lossy(rest).into_owned()
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::names_agency;

    #[test]
    fn agency_is_read_from_the_organization_identifier_only() {
        let dn = "CN=UBND,2.5.4.97=000.00.00.H99,O=UBND";
        assert!(names_agency(dn, "000.00.00.H99"));
        let hex = "CN=UBND,2.5.4.97=#0c0d3030302e30302e30302e483939,C=VN";
        assert!(names_agency(hex, "000.00.00.H99"));
        assert!(!names_agency(hex, "000.00.02.H99"));
        assert!(!names_agency(dn, "000.00.00.H9"));
        assert!(!names_agency("CN=000.00.00.H99", "000.00.00.H99"));
    }
}
