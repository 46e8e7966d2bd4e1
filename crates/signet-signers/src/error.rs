//! The one error type of the crate.

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
    /// The token locked the PIN (too many wrong tries).
    #[error("the token's PIN is locked: {0}")]
    PinLocked(String),
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
