//! Sign-in: argon2id password hashes, server-side sessions, and a limit on failed attempts.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use signet_core::person::Viewer;
use signet_store::directory::Person;
use signet_store::random_hex;

use crate::{App, AppError};

/// How long a session lasts without signing in again.
pub const SESSION_TTL_MS: i64 = 8 * 3600 * 1000;
/// Failed sign-ins allowed per account within [`WINDOW_MS`].
pub const MAX_FAILURES: u32 = 5;
/// Failed sign-ins allowed per client address within [`WINDOW_MS`]. Higher than per account:
/// behind a reverse proxy or an agency's NAT many people share one address, and a few typos
/// must not lock them all out; guessing across many accounts is still stopped.
pub const MAX_FAILURES_PER_CLIENT: u32 = 30;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    crate::random::fill(&mut salt)
        .map_err(|detail| AppError::Invalid(crate::Invalid::Hashing { detail }))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| {
        AppError::Invalid(crate::Invalid::Hashing {
            detail: e.to_string(),
        })
    })?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            AppError::Invalid(crate::Invalid::Hashing {
                detail: e.to_string(),
            })
        })
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks a new password against a minimal policy.
pub fn check_password_policy(password: &str) -> Result<(), AppError> {
    if password.chars().count() < 10 {
        return Err(AppError::Invalid(crate::Invalid::PasswordTooShort {
            min: 10,
        }));
    }
    Ok(())
}

/// A signed-in person as a request sees them.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub person: Person,
    pub viewer: Viewer,
    pub csrf_token: String,
}

/// A new session: the token for the cookie, and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// A fixed hash to verify against when the account does not exist, so a wrong username
/// takes as long as a wrong password and does not reveal which accounts exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2lnbmV0LWR1bW15LXNhbHQ$0x9Dc3n3Ga6wWkuS8mIsrmLuQp0Uo0Jy7e2bHhmW0ZI";

impl App {
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<NewSession, AppError> {
        let now = self.clock.now_ms();
        let user_key = format!("user:{}", username.trim().to_lowercase());
        let client_key = format!("client:{client}");
        // Every attempt is counted before the password is checked, atomically in the
        // database: parallel guesses cannot slip past the limit while the (slow) hash runs,
        // and every node sharing the database sees the same count.
        for (key, max) in [
            (&user_key, MAX_FAILURES),
            (&client_key, MAX_FAILURES_PER_CLIENT),
        ] {
            let count = self
                .store
                .count_sign_in_attempt(key, WINDOW_MS, now)
                .await?;
            if count.attempts > i64::from(max) {
                // A parallel attempt may have opened the window a moment after `now`.
                let left_ms = (count.window_start_ms + WINDOW_MS - now).clamp(1000, WINDOW_MS);
                return Err(AppError::TooManyAttempts {
                    retry_after_s: u64::try_from(left_ms).unwrap_or(1000).div_ceil(1000),
                });
            }
        }
        let person = self.store.person_by_username(username.trim()).await.ok();
        let hash = person
            .as_ref()
            .map_or(DUMMY_HASH, |p| p.password_hash.as_str());
        let password_ok = verify_password(password, hash);
        let person = match person {
            Some(p) if password_ok && p.active => p,
            _ => {
                tracing::info!(username, client, "failed sign-in");
                return Err(AppError::BadCredentials);
            }
        };
        // Only failures count: the account starts afresh, the address gets its attempt back.
        self.store
            .clear_sign_in_attempts(&user_key, now - WINDOW_MS)
            .await?;
        self.store.uncount_sign_in_attempt(&client_key).await?;
        let session = NewSession {
            token: random_hex::<32>(),
            csrf_token: random_hex::<32>(),
        };
        self.store
            .insert_session_from(
                &session.token,
                &person.id,
                &session.csrf_token,
                now,
                now + SESSION_TTL_MS,
                client,
            )
            .await?;
        tracing::info!(username, "signed in");
        Ok(session)
    }

    pub async fn signed_in(&self, token: &str) -> Result<SignedIn, AppError> {
        let (session, person) = self
            .store
            .session_with_person(token, self.clock.now_ms())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let viewer = viewer_of(&person)?;
        Ok(SignedIn {
            person,
            viewer,
            csrf_token: session.csrf_token,
        })
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        Ok(self.store.delete_session(token).await?)
    }
}

/// Who `person`, signed in, acts as; an inactive person is not signed in.
pub(crate) fn viewer_of(person: &Person) -> Result<Viewer, AppError> {
    if !person.active {
        return Err(AppError::Unauthenticated);
    }
    Ok(Viewer {
        person_id: person.id.clone(),
        agency_id: person.agency_id.clone(),
        roles: person.roles.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("mật khẩu đủ dài").unwrap();
        let b = hash_password("mật khẩu đủ dài").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu đủ dài", &a));
        assert!(!verify_password("mật khẩu sai", &a));
        assert!(!verify_password("x", "not a hash"));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
