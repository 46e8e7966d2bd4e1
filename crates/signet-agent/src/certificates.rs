//! The certificates the agent offers: those on a token that have a private key, with what
//! the page shows of them and the issuers found on the same token.

use base64::Engine;
use der::Decode;
use signet_signers::{Module, SignerError, TokenCertificate};
use time::format_description::well_known::Rfc3339;
use x509_cert::Certificate;

use crate::B64;

/// One signing certificate, as `GET /v1/certificates` gives it.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct Offered {
    /// `<token serial>/<CKA_ID hex>`.
    pub id: String,
    /// The token's label.
    pub token: String,
    /// The certificate object's label.
    pub label: String,
    pub subject: String,
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// RFC 3339.
    pub not_after: String,
    /// Base64 DER.
    pub der: String,
    /// The issuers found on the same token, nearest first (base64 DER), the certificate
    /// itself not included.
    pub chain: Vec<String>,
    #[serde(skip)]
    pub(crate) token_serial: String,
    #[serde(skip)]
    pub(crate) key_id: Vec<u8>,
    #[serde(skip)]
    pub(crate) der_bytes: Vec<u8>,
}

fn is_ca(cert: &Certificate) -> bool {
    cert.tbs_certificate
        .get::<x509_cert::ext::pkix::BasicConstraints>()
        .ok()
        .flatten()
        .is_some_and(|(_, bc)| bc.ca)
}

/// The certificates with a private key, from every token of `module`.
pub(crate) fn offered(module: &Module) -> Result<Vec<Offered>, SignerError> {
    let all = module.certificates()?;
    let parsed: Vec<(TokenCertificate, Certificate)> = all
        .into_iter()
        .filter_map(|t| Certificate::from_der(&t.der).ok().map(|c| (t, c)))
        .collect();
    Ok(parsed
        .iter()
        .filter(|(t, c)| t.has_key && !t.id.is_empty() && !is_ca(c))
        .map(|(t, c)| describe(t, c, &parsed))
        .collect())
}

fn describe(
    t: &TokenCertificate,
    c: &Certificate,
    all: &[(TokenCertificate, Certificate)],
) -> Offered {
    let tbs = &c.tbs_certificate;
    let not_after = time::OffsetDateTime::from_unix_timestamp(
        tbs.validity.not_after.to_unix_duration().as_secs() as i64,
    )
    .ok()
    .and_then(|t| t.format(&Rfc3339).ok())
    .unwrap_or_default();
    Offered {
        id: format!("{}/{}", t.token.serial, hex::encode(&t.id)),
        token: t.token.label.clone(),
        label: t.label.clone(),
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        serial: hex::encode(tbs.serial_number.as_bytes()),
        not_after,
        der: B64.encode(&t.der),
        chain: chain(t, c, all),
        token_serial: t.token.serial.clone(),
        key_id: t.id.clone(),
        der_bytes: t.der.clone(),
    }
}

/// The issuers of `c` on the same token, nearest first, up to the first self-issued one.
fn chain(
    t: &TokenCertificate,
    c: &Certificate,
    all: &[(TokenCertificate, Certificate)],
) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = c;
    let mut seen = vec![t.der.clone()];
    while out.len() < 8 && current.tbs_certificate.issuer != current.tbs_certificate.subject {
        let Some((issuer_t, issuer)) = all.iter().find(|(it, ic)| {
            it.token.serial == t.token.serial
                && ic.tbs_certificate.subject == current.tbs_certificate.issuer
                && !seen.contains(&it.der)
        }) else {
            break;
        };
        out.push(B64.encode(&issuer_t.der));
        seen.push(issuer_t.der.clone());
        current = issuer;
    }
    out
}
