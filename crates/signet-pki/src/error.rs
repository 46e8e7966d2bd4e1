//! The one error type of the crate.

/// What went wrong, precisely enough for a caller to tell the person what to fix.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// The input was meant to be PEM but has no (or a different) PEM block.
    #[error("not a PEM {expected} (found {found})")]
    WrongPem {
        /// The PEM label we wanted, e.g. `CERTIFICATE REQUEST`.
        expected: &'static str,
        /// What the input starts with instead.
        found: String,
    },
    /// The DER inside is not the ASN.1 structure announced.
    #[error("malformed {what}: {detail}")]
    MalformedDer {
        /// What we tried to read (`certificate request`, `certificate`, ...).
        what: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// The CSR's self-signature does not verify: no proof of possession of the key.
    #[error("the certificate request's signature does not verify (no proof of possession)")]
    CsrBadSignature,
    /// The CSR uses a key or signature algorithm the CA does not accept.
    #[error("unsupported algorithm in the certificate request: {0}")]
    CsrUnsupportedAlgorithm(String),
    /// A public key given for issuance is malformed or of an algorithm the CA does not accept.
    #[error("unsupported public key: {0}")]
    UnsupportedPublicKey(String),
    /// A CMS signature cannot be built as asked (digest of the wrong length, signature that
    /// does not verify with the signer certificate...).
    #[error("CMS signature: {0}")]
    Cms(String),
    /// The signer (software key, token, HSM) failed.
    #[error("signer failed: {0}")]
    Signer(String),
    /// A profile field is empty, too long or not representable.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// Which field (`name`, `email`, `agency code`, ...).
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A serial number given as text is not hexadecimal, or names no certificate we issued.
    #[error("unknown certificate serial {0}")]
    UnknownSerial(String),
    /// The certificate was already revoked.
    #[error("certificate {0} is already revoked")]
    AlreadyRevoked(String),
    /// Key generation or loading failed.
    #[error("key error: {0}")]
    Key(String),
    /// The random source did not give enough bytes.
    #[error("random source failed: {0}")]
    Random(String),
    /// Building or signing a certificate or CRL failed in rcgen.
    #[error("certificate generation failed: {0}")]
    Generation(String),
    /// The saved CA state does not hold together (wrong keys for the certificates, bad PEM...).
    #[error("inconsistent CA state: {0}")]
    State(String),
    /// DER encoding of a structure we built failed (a bug or a value out of range).
    #[error("encoding failed: {0}")]
    Encoding(String),
}

impl From<rcgen::Error> for PkiError {
    fn from(e: rcgen::Error) -> Self {
        PkiError::Generation(e.to_string())
    }
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        PkiError::Encoding(e.to_string())
    }
}

/// `Result` with [`PkiError`].
pub type Result<T, E = PkiError> = std::result::Result<T, E>;
