//! Numbers from the registers (số, số đến).

use signet_core::ids::AgencyId;

use crate::{StoreError, Tx};

/// Takes the next number of a counter. The upsert is atomic on both engines: the row lock
/// (PostgreSQL) or the write lock (SQLite) makes concurrent callers wait their turn, and a
/// rolled-back transaction gives its number back, so numbers are gap-free and unique.
pub(crate) async fn next_number(
    tx: &mut Tx,
    agency_id: &AgencyId,
    series: &str,
    year: i32,
) -> Result<i64, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO counters (agency_id, series, year, value) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (agency_id, series, year) DO UPDATE SET value = counters.value + 1 \
         RETURNING value",
    )
    .bind(agency_id.as_str())
    .bind(series)
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}
