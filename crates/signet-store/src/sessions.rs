//! Server-side sessions. Only a hash of the session token is stored, so a copy of the
//! database does not let anyone sign in.

use sha2::{Digest, Sha256};
use signet_core::ids::PersonId;
use sqlx::Row;

use crate::directory::{person_from_row, Person, PERSON_COLUMNS};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub person_id: PersonId,
    pub csrf_token: String,
    pub expires_at_ms: i64,
}

/// A live session as an administrator sees it: its id is the token's hash (which lets
/// nobody sign in), when it began and ends, and the client address it was opened from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub client: String,
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
        self.insert_session_from(token, person_id, csrf_token, now_ms, expires_at_ms, "")
            .await
    }

    /// A new session, remembering the client address it was opened from.
    pub async fn insert_session_from(
        &self,
        token: &str,
        person_id: &PersonId,
        csrf_token: &str,
        now_ms: i64,
        expires_at_ms: i64,
        client: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, person_id, csrf_token, created_at_ms, expires_at_ms, client) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(token))
        .bind(person_id.as_str())
        .bind(csrf_token)
        .bind(now_ms)
        .bind(expires_at_ms)
        .bind(client)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live sessions of a person of `agency_id`, newest first.
    pub async fn person_sessions(
        &self,
        agency_id: &signet_core::AgencyId,
        person_id: &PersonId,
        now_ms: i64,
    ) -> Result<Vec<SessionInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.token_hash, s.created_at_ms, s.expires_at_ms, s.client FROM sessions s \
             JOIN people p ON p.id = s.person_id \
             WHERE s.person_id = $1 AND p.agency_id = $2 AND s.expires_at_ms > $3 \
             ORDER BY s.created_at_ms DESC",
        )
        .bind(person_id.as_str())
        .bind(agency_id.as_str())
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionInfo {
                    id: r.try_get("token_hash")?,
                    created_at_ms: r.try_get("created_at_ms")?,
                    expires_at_ms: r.try_get("expires_at_ms")?,
                    client: r.try_get("client")?,
                })
            })
            .collect()
    }

    /// The live session for `token`, if any.
    /// The live session of `token` and its person, in one read (every signed-in request
    /// asks for both).
    pub async fn session_with_person(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<(Session, Person)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT s.csrf_token, s.expires_at_ms, {PERSON_COLUMNS} FROM sessions s \
             JOIN people p ON p.id = s.person_id \
             WHERE s.token_hash = $1 AND s.expires_at_ms > $2"
        ))
        .bind(token_hash(token))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let person = person_from_row(&r)?;
            let session = Session {
                person_id: person.id.clone(),
                csrf_token: r.try_get("csrf_token")?,
                expires_at_ms: r.try_get("expires_at_ms")?,
            };
            Ok((session, person))
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

    /// Counts one sign-in attempt under `key`, atomically (concurrent attempts each get their
    /// own count), in a window of `window_ms` from the key's first attempt; a window that
    /// has ended starts again with this attempt.
    pub async fn count_sign_in_attempt(
        &self,
        key: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<AttemptCount, StoreError> {
        let row = sqlx::query(
            "INSERT INTO sign_in_attempts (attempt_key, attempts, window_start_ms) VALUES ($1, 1, $2) \
             ON CONFLICT (attempt_key) DO UPDATE SET \
               attempts = CASE WHEN sign_in_attempts.window_start_ms + $3 <= $2 THEN 1 \
                               ELSE sign_in_attempts.attempts + 1 END, \
               window_start_ms = CASE WHEN sign_in_attempts.window_start_ms + $3 <= $2 THEN $2 \
                                      ELSE sign_in_attempts.window_start_ms END \
             RETURNING attempts, window_start_ms",
        )
        .bind(key)
        .bind(now_ms)
        .bind(window_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(AttemptCount {
            attempts: row.try_get("attempts")?,
            window_start_ms: row.try_get("window_start_ms")?,
        })
    }

    /// Takes one attempt back from `key` (a client address whose attempt succeeded: only
    /// failures should count against a shared address).
    pub async fn uncount_sign_in_attempt(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE attempt_key = $1 AND attempts > 0",
        )
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets `key`'s attempts (an account that signed in), and every window that ended
    /// before `stale_before_ms`, so the table holds only live windows.
    pub async fn clear_sign_in_attempts(
        &self,
        key: &str,
        stale_before_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_attempts WHERE attempt_key = $1 OR window_start_ms < $2")
            .bind(key)
            .bind(stale_before_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Attempts counted under one key in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptCount {
    pub attempts: i64,
    pub window_start_ms: i64,
}
