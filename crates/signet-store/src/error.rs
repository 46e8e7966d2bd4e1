//! The one error type of the storage layer.

use signet_core::CoreError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("file larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("empty file")]
    Empty,
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Domain(#[from] CoreError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict(db.message().to_owned())
            }
            _ => Self::Database(e),
        }
    }
}

impl From<CoreError> for Box<StoreError> {
    fn from(e: CoreError) -> Self {
        Box::new(StoreError::Domain(e))
    }
}

/// Reading a stored value back into a domain type failed: the database holds something the
/// domain would never have written.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}
