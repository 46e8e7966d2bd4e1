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
