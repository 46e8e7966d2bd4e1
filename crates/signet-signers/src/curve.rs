//! The elliptic curves of the keys a token makes and signs with.

use rcgen::SignatureAlgorithm;

/// The curves offered (with the hash each is used with).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// P-256 with SHA-256.
    P256,
    /// P-384 with SHA-384.
    P384,
}

impl Curve {
    pub(crate) fn params(self) -> Vec<u8> {
        match self {
            // OBJECT IDENTIFIER 1.2.840.10045.3.1.7 (secp256r1)
            Curve::P256 => vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            // OBJECT IDENTIFIER 1.3.132.0.34 (secp384r1)
            Curve::P384 => vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
        }
    }

    pub(crate) fn of_params(p: &[u8]) -> Option<Curve> {
        [Curve::P256, Curve::P384]
            .into_iter()
            .find(|c| c.params() == p)
    }

    pub(crate) fn algorithm(self) -> &'static SignatureAlgorithm {
        match self {
            Curve::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Curve::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        }
    }

    pub(crate) fn digest(self) -> &'static ring::digest::Algorithm {
        match self {
            Curve::P256 => &ring::digest::SHA256,
            Curve::P384 => &ring::digest::SHA384,
        }
    }

    pub(crate) fn point_len(self) -> usize {
        match self {
            Curve::P256 => 65,
            Curve::P384 => 97,
        }
    }
}
