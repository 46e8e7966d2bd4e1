//! PEM: the one encoder and decoder of the crate.

use crate::error::{PkiError, Result};

/// PEM of a DER blob under a label (`CERTIFICATE`, `X509 CRL`, `PRIVATE KEY`).
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    // Fails only for a label that is not ASCII or an absurd length: ours are constants.
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap_or_default()
}

/// Decodes one PEM block with the expected label.
pub(crate) fn pem_decode(input: &[u8], expected: &'static str) -> Result<Vec<u8>> {
    let found = || {
        String::from_utf8_lossy(&input[..input.len().min(40)])
            .trim()
            .to_string()
    };
    let (label, der) = der::pem::decode_vec(input).map_err(|_| PkiError::WrongPem {
        expected,
        found: found(),
    })?;
    if label != expected {
        return Err(PkiError::WrongPem {
            expected,
            found: format!("-----BEGIN {label}-----"),
        });
    }
    Ok(der)
}
