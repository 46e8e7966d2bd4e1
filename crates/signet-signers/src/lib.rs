//! Signers that reach a device or a file: ECDSA and RSA keys on a PKCS#11 token or HSM
//! (`cryptoki`), and software keys from PKCS#12 or PKCS#8 files ([`SoftwareKey`]).
//!
//! Token keys are usable wherever an `rcgen::SigningKey` is taken — in particular as the keys
//! of the built-in CA (`signet_pki::Ca::init_with_keys` / `load_with_keys`) — and every key
//! implements [`signet_pki::RawSigner`] for CMS/PAdES signatures. The trait lives in the pure
//! `signet-pki` so that building a signature does not depend on `cryptoki`. The private key
//! never leaves the token: the message is hashed here and only the digest is sent (CKM_ECDSA;
//! CKM_RSA_PKCS with a DigestInfo; CKM_RSA_PKCS_PSS).
//!
//! The same calls serve a certificate holder's key generated on their token
//! ([`Token::generate`], then [`Token::store_certificate`] once the CA issued the certificate).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod asn1;
mod curve;
mod key;
mod software;
mod token;

pub use curve::Curve;
pub use key::{KeyProtection, Pkcs11Key};
pub use software::SoftwareKey;
pub use token::Token;

/// What went wrong with a signer: a token or HSM, a key file, the signing itself.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    /// The PKCS#11 module could not be loaded or initialised.
    #[error("PKCS#11 module {module}: {detail}")]
    Module {
        /// The module path.
        module: String,
        /// The library's message.
        detail: String,
    },
    /// No token with this label in any slot.
    #[error("no PKCS#11 token labelled {0:?}")]
    NoToken(String),
    /// The token refused the PIN.
    #[error("the token refused the PIN: {0}")]
    Login(String),
    /// No key, or more than one, with this label.
    #[error("expected one {what} labelled {label:?} on the token, found {found}")]
    Key {
        /// private or public key
        what: &'static str,
        /// The label asked for.
        label: String,
        /// How many were found.
        found: usize,
    },
    /// A key already exists under the label asked for a new one.
    #[error("the token already holds a key labelled {0:?}")]
    LabelTaken(String),
    /// A certificate already exists under the label asked for a new one.
    #[error("the token already holds a certificate labelled {0:?}")]
    CertificateLabelTaken(String),
    /// The bytes given as a certificate are not an X.509 certificate.
    #[error("not a DER X.509 certificate: {0}")]
    BadCertificate(&'static str),
    /// Any other PKCS#11 failure.
    #[error("PKCS#11: {0}")]
    Pkcs11(#[from] cryptoki::error::Error),
    /// The token returned something that is not an ECDSA P-256/P-384 or RSA public key.
    #[error("unexpected key on the token: {0}")]
    BadKey(String),
    /// A key file is not a supported private key (PKCS#8 RSA 2048-4096 bits, P-256, P-384).
    #[error("unsupported key: {0}")]
    KeyFormat(String),
    /// A PKCS#12 file could not be read (wrong password, unsupported encryption, no key).
    #[error("PKCS#12: {0}")]
    Pkcs12(String),
    /// Signing failed inside the cryptographic library.
    #[error("signing failed: {0}")]
    Crypto(String),
}
