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
/// their keys, the longest due first. Must be the first statement of `tx`.
///
/// One UPDATE that picks its rows itself: on SQLite a transaction that reads first and writes
/// after fails with `SQLITE_BUSY_SNAPSHOT` (no waiting helps) when another connection wrote in
/// between — two claimers at once, or any other write — while a transaction that begins by
/// writing waits its turn for the lock. On PostgreSQL the rows picked are locked and skipped
/// by the other nodes' claims.
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
    // The rows picked once (MATERIALIZED): as an `IN (…)` subquery PostgreSQL may run it again
    // per row, and with SKIP LOCKED each run picks other rows, past the limit. The state and
    // lease re-checked in the UPDATE keep a claim single on both engines.
    let mut claimed: Vec<(i64, String)> = sqlx::query_as(&format!(
        "WITH picked (picked_key) AS MATERIALIZED (\
         SELECT {key} FROM {table} WHERE state = $2 AND next_attempt_ms <= $3 \
         AND claimed_until_ms <= $3 ORDER BY next_attempt_ms LIMIT $4{}) \
         UPDATE {table} SET claimed_until_ms = $1 FROM picked \
         WHERE {key} = picked_key AND state = $2 AND claimed_until_ms <= $3 \
         RETURNING next_attempt_ms, {key}",
        skip_locked(backend)
    ))
    .bind(now_ms + lease_ms)
    .bind(*waiting)
    .bind(now_ms)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    // RETURNING keeps no order.
    claimed.sort();
    Ok(claimed.into_iter().map(|(_, id)| id).collect())
}

/// ` FOR UPDATE SKIP LOCKED` where the engine has it (PostgreSQL): nodes skip each other's
/// claims instead of waiting on them. SQLite serialises writers anyway.
fn skip_locked(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}
