//! Trust anchors: configuration, read from PEM bundles or DER files.

use std::sync::Arc;

use super::cert::{malformed, Cert};
use super::types::CertSummary;
use crate::error::{PkiError, Result};

/// Most PEM blocks read from one input.
const MAX_PEM_BLOCKS: usize = 10_000;

/// A named trust list an anchor came from: the report says which list a chain ended in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TrustListLabel {
    /// A stable id, e.g. `vn-gov`.
    pub id: String,
    /// The list's name as people know it, e.g. "Chữ ký số chuyên dùng Chính phủ".
    pub name: String,
}

/// The set of trusted certificates (roots, or any CA the deployment trusts directly), with the
/// trust list each came from (a built-in list such as the Vietnamese government's) and the
/// untrusted CA certificates those lists ship for path building only.
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    certs: Vec<Arc<Cert>>,
    /// Parallel to `certs`: the trust list the anchor belongs to, if any.
    lists: Vec<Option<Arc<TrustListLabel>>>,
    /// Intermediate CAs offered to every path search (never anchors): the signer's file may
    /// carry none (Vietnamese signed PDFs usually embed the signer's certificate alone).
    path_certs: Vec<Arc<Cert>>,
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
        self.add_in(der, None)
    }

    /// Adds one DER certificate as an anchor of the trust list `list`; a certificate already
    /// present keeps its first list.
    pub fn add_to_list(&mut self, der: &[u8], list: &Arc<TrustListLabel>) -> Result<()> {
        self.add_in(der, Some(Arc::clone(list)))
    }

    fn add_in(&mut self, der: &[u8], list: Option<Arc<TrustListLabel>>) -> Result<()> {
        let c = Cert::parse(der)?;
        if !self
            .certs
            .iter()
            .any(|a| a.fingerprint() == c.fingerprint())
        {
            self.certs.push(Arc::new(c));
            self.lists.push(list);
        }
        Ok(())
    }

    /// Adds one DER CA certificate for path building only: it may complete a chain to an
    /// anchor but is not trusted itself.
    pub fn add_path_certificate(&mut self, der: &[u8]) -> Result<()> {
        let c = Cert::parse(der)?;
        if !self
            .path_certs
            .iter()
            .any(|a| a.fingerprint() == c.fingerprint())
        {
            self.path_certs.push(Arc::new(c));
        }
        Ok(())
    }

    /// The trust list of the anchor whose DER SHA-256 is `sha256` (lower-case hex): `None` for
    /// an anchor from configuration files or one not present.
    pub fn list_of(&self, sha256: &str) -> Option<&TrustListLabel> {
        let i = self.certs.iter().position(|c| c.summary.sha256 == sha256)?;
        self.lists.get(i)?.as_deref()
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

    /// How many path-building certificates (not anchors).
    pub fn path_certificate_count(&self) -> usize {
        self.path_certs.len()
    }

    pub(crate) fn certs(&self) -> &[Arc<Cert>] {
        &self.certs
    }

    pub(crate) fn path_certs(&self) -> &[Arc<Cert>] {
        &self.path_certs
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
