//! The document rows as `journal verify` compares them with the journal: the fields every
//! change journals (state, subject, secrecy, number and notation of an issued document), read
//! raw, so a row edited behind the journal's back shows as it is.

use signet_core::ids::AgencyId;
use sqlx::Row;

use crate::{Store, StoreError};

/// One document row's journaled fields, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedRow {
    pub id: String,
    pub state: String,
    pub subject: String,
    pub secrecy: String,
    pub number: Option<i64>,
    pub notation: Option<String>,
}

impl Store {
    /// Every document row of an agency, in id order.
    pub async fn audited_rows(&self, agency_id: &AgencyId) -> Result<Vec<AuditedRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, state, subject, secrecy, number, notation FROM documents \
             WHERE agency_id = $1 ORDER BY id",
        )
        .bind(agency_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditedRow {
                    id: r.try_get("id")?,
                    state: r.try_get("state")?,
                    subject: r.try_get("subject")?,
                    secrecy: r.try_get("secrecy")?,
                    number: r.try_get("number")?,
                    notation: r.try_get("notation")?,
                })
            })
            .collect()
    }
}
