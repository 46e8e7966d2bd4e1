//! Work queues taken with a lease: the exchange's outbox of consignments, the hub's queue and
//! the webhook deliveries are claimed the same way, so that several nodes on one database
//! never work on one row at once, and a node that dies mid-work leaves its rows to the others
//! once the lease ends.

use crate::{Backend, StoreError, Tx};

/// A table of queued work: its key column and the state its waiting rows are in. Each has
/// `state`, `next_attempt_ms` and `claimed_until_ms` columns.
pub(crate) struct Queue {
    pub table: &'static str,
    pub key: &'static str,
    pub waiting: &'static str,
}

/// Claims, in `tx`, up to `limit` waiting rows of `queue` due at `now_ms`, for `lease_ms`:
/// their keys, the longest due first.
pub(crate) async fn claim_due(
    tx: &mut Tx,
    backend: Backend,
    queue: &Queue,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    let Queue {
        table,
        key,
        waiting,
    } = queue;
    let due: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT {key} FROM {table} WHERE state = $1 AND next_attempt_ms <= $2 \
         AND claimed_until_ms <= $2 ORDER BY next_attempt_ms LIMIT $3{}",
        skip_locked(backend)
    ))
    .bind(*waiting)
    .bind(now_ms)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let mut claimed = Vec::with_capacity(due.len());
    for id in due {
        // The lease re-checked in the UPDATE keeps a claim single on both engines.
        let taken = sqlx::query(&format!(
            "UPDATE {table} SET claimed_until_ms = $1 \
             WHERE {key} = $2 AND state = $3 AND claimed_until_ms <= $4"
        ))
        .bind(now_ms + lease_ms)
        .bind(&id)
        .bind(*waiting)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
        if taken.rows_affected() == 1 {
            claimed.push(id);
        }
    }
    Ok(claimed)
}

/// ` FOR UPDATE SKIP LOCKED` where the engine has it (PostgreSQL): nodes skip each other's
/// claims instead of waiting on them. SQLite serialises writers anyway.
fn skip_locked(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}
