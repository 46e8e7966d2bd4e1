//! The administrators' choice of built-in trust lists: on or off per list id, journaled in
//! the deciding agency's journal. One choice serves the whole deployment (one verifier).

use signet_core::ids::{AgencyId, PersonId};
use sqlx::Row;

use crate::journal::details::{entry, TrustListSet};
use crate::journal::{append_and_commit, claim_head};
use crate::{Store, StoreError};

impl Store {
    /// Every stored choice: (list id, enabled).
    pub async fn trust_list_settings(&self) -> Result<Vec<(String, bool)>, StoreError> {
        let rows = sqlx::query("SELECT list_id, enabled FROM trust_list_settings ORDER BY list_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("list_id")?,
                    r.try_get::<i64, _>("enabled")? != 0,
                ))
            })
            .collect()
    }

    /// Turns `list_id` on or off, journaled under `agency_id` by `actor`.
    pub async fn set_trust_list(
        &self,
        agency_id: &AgencyId,
        list_id: &str,
        enabled: bool,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        sqlx::query("DELETE FROM trust_list_settings WHERE list_id = $1")
            .bind(list_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO trust_list_settings (list_id, enabled, changed_by, changed_at_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(list_id)
        .bind(i64::from(enabled))
        .bind(actor.as_str())
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let entry = entry(
            at_ms,
            actor.as_str(),
            list_id,
            &TrustListSet {
                enabled,
                list: list_id,
            },
        )?;
        append_and_commit(tx, agency_id, &mut head, entry).await
    }
}
