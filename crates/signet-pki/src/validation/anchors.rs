//! Trust anchors: configuration, read from PEM bundles or DER files.

use std::sync::Arc;

use super::cert::{malformed, Cert};
use super::types::CertSummary;
use crate::error::{PkiError, Result};

/// Most PEM blocks read from one input.
const MAX_PEM_BLOCKS: usize = 10_000;

/// The set of trusted certificates (roots, or any CA the deployment trusts directly).
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    certs: Vec<Arc<Cert>>,
}

impl TrustAnchors {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads every certificate of a PEM bundle (other PEM blocks are skipped) or one DER
    /// certificate.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self> {
        let mut t = TrustAnchors::new();
        t.add_pem_or_der(bytes)?;
        Ok(t)
    }

    /// Adds one DER certificate; a certificate already present is not added twice.
    pub fn add(&mut self, der: &[u8]) -> Result<()> {
        let c = Cert::parse(der)?;
        if !self
            .certs
            .iter()
            .any(|a| a.fingerprint() == c.fingerprint())
        {
            self.certs.push(Arc::new(c));
        }
        Ok(())
    }

    /// Adds every certificate of a PEM bundle or one DER certificate; returns how many were read.
    pub fn add_pem_or_der(&mut self, bytes: &[u8]) -> Result<usize> {
        let ders = certificates_from_pem_or_der(bytes)?;
        for d in &ders {
            self.add(d)?;
        }
        Ok(ders.len())
    }

    /// How many anchors.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// What each anchor is.
    pub fn summaries(&self) -> Vec<CertSummary> {
        self.certs.iter().map(|c| c.summary.clone()).collect()
    }

    pub(crate) fn certs(&self) -> &[Arc<Cert>] {
        &self.certs
    }
}

/// The DER certificates in `bytes`: every `CERTIFICATE` block of a PEM text, or the input itself
/// when it is DER (starts with a SEQUENCE tag). Errors when no certificate is found.
pub fn certificates_from_pem_or_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![bytes.to_vec()]);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| PkiError::WrongPem {
        expected: "CERTIFICATE",
        found: "neither DER nor UTF-8 text".into(),
    })?;
    let mut out = Vec::new();
    for (i, block) in text.split("-----BEGIN ").skip(1).enumerate() {
        if i >= MAX_PEM_BLOCKS {
            return Err(malformed("PEM bundle", "more than 10000 blocks"));
        }
        if !block.starts_with("CERTIFICATE-----") {
            continue;
        }
        let end = block
            .find("-----END CERTIFICATE-----")
            .ok_or_else(|| malformed("PEM certificate", "no END line"))?;
        let pem = format!(
            "-----BEGIN {}-----END CERTIFICATE-----\n",
            block.get(..end).unwrap_or_default()
        );
        let (_, der) =
            der::pem::decode_vec(pem.as_bytes()).map_err(|e| malformed("PEM certificate", e))?;
        out.push(der);
    }
    if out.is_empty() {
        return Err(PkiError::WrongPem {
            expected: "CERTIFICATE",
            found: String::from_utf8_lossy(bytes.get(..40).unwrap_or(bytes))
                .trim()
                .to_string(),
        });
    }
    Ok(out)
}
