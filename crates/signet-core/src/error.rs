//! The one error type of the domain layer.

/// Something the domain rules refuse. Every variant names the rule, so the edge can turn it
/// into a message a clerk understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error(
        "invalid agency identifier code {0:?}: expected 1 to 35 characters of 0-9, A-Z and '.'"
    )]
    InvalidAgencyCode(String),
    #[error("{0:?} is not a 13-character four-level code NNN.NN.NN.XNN")]
    NotLegacyAgencyCode(String),
    #[error("unknown document type {0:?}")]
    UnknownDocumentType(String),
    #[error("unknown urgency {0:?}")]
    UnknownUrgency(String),
    #[error("unknown secrecy level {0:?}")]
    UnknownSecrecy(String),
    #[error("unknown role {0:?}")]
    UnknownRole(String),
    #[error("unknown document state {0:?}")]
    UnknownState(String),
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("{field} is too long: {len} characters, at most {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    /// PostgreSQL refuses text with a NUL character (SQLite keeps it): no field may hold one.
    #[error("{field} contains a NUL character")]
    NulCharacter { field: &'static str },
    #[error("invalid abbreviation {0:?}: expected 1 to 20 letters (Vietnamese letters allowed)")]
    InvalidAbbreviation(String),
    #[error("the document is {actual}, but this step needs it {expected}")]
    WrongState {
        expected: &'static str,
        actual: &'static str,
    },
    #[error("register number must be at least 1")]
    InvalidNumber,
}
