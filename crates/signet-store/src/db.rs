//! Connections, transactions and migrations.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection};

use crate::checkpoint::Checkpointer;
use crate::StoreError;

/// Which engine a store runs on; reported for operators, never branched on by queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// The database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// SQLite's WAL checkpoints, off the writers' path (see [`crate::checkpoint`]); held
    /// for its drop, which ends the task with the last clone of the store.
    #[allow(dead_code)]
    pub(crate) checkpointer: Option<Arc<Checkpointer>>,
}

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// SQLite settings applied to every connection: WAL so readers never wait for the writer,
/// a long busy timeout because writers queue on one lock, foreign keys enforced, and no
/// checkpoint by a committing writer (a task of the store's own does them,
/// [`crate::checkpoint`]).
const SQLITE_PRAGMAS: [&str; 5] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 60000",
    "PRAGMA wal_autocheckpoint = 0",
];

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…` and applies any
    /// migrations not yet applied.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let store = Self::connect(url, max_connections).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        // One direct connection first: a pool that cannot connect only says it timed out,
        // while this says why (refused, unknown host, authentication, missing database).
        sqlx::AnyConnection::connect_with(&options)
            .await?
            .close()
            .await?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(60))
            // A pooled PostgreSQL connection may have been cut while idle (server restart,
            // firewall); a SQLite connection is a file in this process and cannot be, and its
            // ping is a round trip to the connection's worker thread on every acquire.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in SQLITE_PRAGMAS {
                            sqlx::Executor::execute(&mut *conn, pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await?;
        let checkpointer = match backend {
            Backend::Sqlite => Some(Arc::new(crate::checkpoint::start(&options).await?)),
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            backend,
            checkpointer,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        crate::migrations::apply(&self.pool).await
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
