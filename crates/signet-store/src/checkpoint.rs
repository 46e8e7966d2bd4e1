//! SQLite's WAL checkpoints, run by a task of their own instead of by a writer.
//!
//! By default SQLite checkpoints in the connection whose commit took the write-ahead log past
//! 1,000 pages: that commit then copies the pages into the database and waits for two disk
//! flushes while every other writer queues behind it. Under group-committed writes (the
//! remote signatures, the hub's queue) one such commit stalls every caller of the batches
//! behind it. Here the pool's connections never checkpoint (`wal_autocheckpoint = 0`, see
//! [`crate::db`]); a task with a connection of its own runs a PASSIVE checkpoint — which takes
//! neither the write lock nor waits for readers — every [`INTERVAL`], and stops with the last
//! clone of the store. A process that ends leaves its log to the next one, which checkpoints
//! it the same way (SQLite also checkpoints when the last connection to a file closes).

use std::time::Duration;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, Connection as _};

use crate::StoreError;

/// How often the log is copied back: at the highest write rates measured (about 40 MB/s of
/// log, BENCHMARKS §9) the log stays near the 4 MB SQLite's own checkpoints keep it to.
pub(crate) const INTERVAL: Duration = Duration::from_millis(100);

/// The running checkpoint task; dropping it stops the task.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    task: tokio::task::AbortHandle,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts checkpointing the database of `options` on a connection of its own.
pub(crate) async fn start(options: &AnyConnectOptions) -> Result<Checkpointer, StoreError> {
    let mut conn = AnyConnection::connect_with(options).await?;
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // PASSIVE gives up on frames a reader still needs and never waits: the next
            // round takes them.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_all(&mut conn)
                .await
            {
                tracing::warn!(error = %e, "SQLite checkpoint failed; retried next round");
            }
        }
    });
    Ok(Checkpointer {
        task: task.abort_handle(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn file_len(path: &std::path::Path) -> u64 {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }

    /// The pool's connections never checkpoint, so the database file grows only when the
    /// store's task copies the log back; and the task ends with the store.
    #[tokio::test]
    async fn the_task_copies_the_log_into_the_database_and_ends_with_the_store() {
        let db = crate::testing::sqlite().await.unwrap();
        let file = db.dir.join("signet.db");
        let before = file_len(&file);
        sqlx::query("CREATE TABLE filler (b BLOB)")
            .execute(&db.store.pool)
            .await
            .unwrap();
        for _ in 0..64 {
            sqlx::query("INSERT INTO filler (b) VALUES (zeroblob(16384))")
                .execute(&db.store.pool)
                .await
                .unwrap();
        }
        // A megabyte written: all of it in the log until a checkpoint.
        let mut rounds = 0;
        while file_len(&file) < before + (1 << 20) {
            rounds += 1;
            assert!(rounds < 100, "no checkpoint in 5 s");
            tokio::time::sleep(INTERVAL / 2).await;
        }
        let task = db
            .store
            .checkpointer
            .as_ref()
            .map(|c| c.task.clone())
            .unwrap();
        assert!(!task.is_finished());
        db.cleanup().await;
        let mut rounds = 0;
        while !task.is_finished() {
            rounds += 1;
            assert!(rounds < 100, "the task outlived its store");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
