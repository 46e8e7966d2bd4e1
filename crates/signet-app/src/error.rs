//! The one error type of the use-case layer; the web edge maps it to HTTP once.

use signet_core::CoreError;
use signet_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {retry_after_s} s")]
    TooManyAttempts { retry_after_s: u64 },
    /// A public service asked too often from one address.
    #[error("too many requests; try again in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Rule(CoreError),
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("file larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("internal error")]
    Internal(#[source] StoreError),
    /// Issuance needs the built-in CA and this deployment has none.
    #[error("no built-in CA is configured: certificates cannot be issued or revoked here")]
    NoCa,
    /// The built-in CA failed (its directory, its keys): the operator's problem, logged.
    #[error("{0}")]
    Ca(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::TooLarge { limit } => Self::TooLarge { limit },
            StoreError::Empty => Self::Invalid("the file is empty".into()),
            StoreError::Domain(e) => Self::Rule(e),
            other => Self::Internal(other),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        Self::Rule(e)
    }
}
