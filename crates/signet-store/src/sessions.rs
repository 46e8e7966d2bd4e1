//! Server-side sessions. Only a hash of the session token is stored, so a copy of the
//! database does not let anyone sign in.

use sha2::{Digest, Sha256};
use signet_core::ids::PersonId;
use sqlx::Row;

use crate::sql::RowExt;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub person_id: PersonId,
    pub csrf_token: String,
    pub expires_at_ms: i64,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    pub async fn insert_session(
        &self,
        token: &str,
        person_id: &PersonId,
        csrf_token: &str,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, person_id, csrf_token, created_at_ms, expires_at_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(token))
        .bind(person_id.as_str())
        .bind(csrf_token)
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session for `token`, if any.
    pub async fn session(&self, token: &str, now_ms: i64) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT person_id, csrf_token, expires_at_ms FROM sessions \
             WHERE token_hash = $1 AND expires_at_ms > $2",
        )
        .bind(token_hash(token))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                person_id: r.id("person_id")?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at_ms: r.try_get("expires_at_ms")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_expired_sessions(&self, now_ms: i64) -> Result<u64, StoreError> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at_ms <= $1")
            .bind(now_ms)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }
}
