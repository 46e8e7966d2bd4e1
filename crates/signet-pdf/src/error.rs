use thiserror::Error;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, PdfError>;

/// The one error type of `signet-pdf`.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// Bytes that are not valid PDF syntax at a given offset.
    #[error("syntax error at byte {offset}: {msg}")]
    Syntax { offset: usize, msg: String },
    /// The file ended in the middle of something.
    #[error("unexpected end of data at byte {0}")]
    Eof(usize),
    /// A structural problem (xref, trailer, page tree, ...).
    #[error("invalid PDF structure: {0}")]
    Structure(String),
    /// A limit that protects against hostile input was reached.
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// The document is encrypted: it is read and verified, never written into (signing it
    /// would mean encrypting every new object under the owner's key).
    #[error("the document is encrypted: Signet reads and verifies encrypted PDFs but does not add to them (remove the encryption first)")]
    Encrypted,
    /// The document is encrypted with a user password and none was given.
    #[error("the document is encrypted and needs a password to open")]
    PasswordRequired,
    /// The password given opens the document neither as its user nor as its owner.
    #[error("the password given does not open this encrypted document")]
    WrongPassword,
    /// An encryption dictionary this reader refuses: another security handler, an unknown
    /// algorithm or revision, lengths out of range.
    #[error("unsupported or invalid encryption: {0}")]
    Encryption(String),
    /// A stream filter we do not implement.
    #[error("unsupported stream filter: {0}")]
    UnsupportedFilter(String),
    /// Corrupt compressed data.
    #[error("corrupt stream data: {0}")]
    Decode(String),
    /// A request that cannot be satisfied (duplicate field name, unknown page, ...).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The CMS does not fit in the reserved /Contents placeholder.
    #[error("signature of {needed} bytes does not fit the {capacity}-byte placeholder")]
    SignatureTooBig { needed: usize, capacity: usize },
    /// The prepared bytes were changed between preparation and embedding.
    #[error("prepared document was altered: the signed ranges no longer match their digest")]
    PreparedAltered,
}

impl PdfError {
    pub(crate) fn syntax(offset: usize, msg: impl Into<String>) -> Self {
        PdfError::Syntax {
            offset,
            msg: msg.into(),
        }
    }
}
