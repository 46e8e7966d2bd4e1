//! The CSC server's use cases: authorize (PIN → SAD for exactly some hashes), extend,
//! and sign hashes under a SAD. The HTTP edge (signet-web's `csc` module) only translates.
//!
//! A SAD is a random token given once; the database keeps its hash, the hashes it
//! authorizes and those already signed. Signing checks the SAD, signs in the HSM, then marks
//! the hashes used and journals the signature in one transaction (shared with concurrent
//! calls: a group commit, see `crate::group_commit`); a concurrent use of the same hash
//! loses and its signature is thrown away, never returned.

use signet_core::person::Viewer;
use signet_store::random_hex;
use signet_store::remote_signing::{CredentialKey, SadCheck, SadUse};

use super::{actor, check_digests, SignatureAlgorithm, TTL_MS};
use crate::{App, AppError, Invalid};

/// A SAD and how long it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub sad: String,
    pub expires_in_s: i64,
}

impl App {
    /// Authorizes exactly `hashes` (SHA-256) for signing with the viewer's credential, by its
    /// PIN: a SAD valid for [`TTL_MS`], once per hash.
    pub async fn authorize_remote(
        &self,
        viewer: &Viewer,
        credential_id: &str,
        pin: &str,
        hashes: &[[u8; 32]],
    ) -> Result<Authorization, AppError> {
        let cred = self.own_credential(viewer, credential_id).await?;
        let hashes = check_digests(hashes)?;
        self.check_pin(viewer, &cred, pin).await?;
        self.new_sad(viewer, &cred.id, &hashes).await
    }

    async fn new_sad(
        &self,
        viewer: &Viewer,
        credential_id: &str,
        hashes: &[Vec<u8>],
    ) -> Result<Authorization, AppError> {
        let sad = random_hex::<32>();
        let now = self.clock.now_ms();
        self.store
            .insert_sad(
                &sad,
                credential_id,
                hashes,
                now + TTL_MS,
                actor(viewer, now),
            )
            .await?;
        Ok(Authorization {
            sad,
            expires_in_s: TTL_MS / 1000,
        })
    }

    /// A fresh SAD for the hashes of `sad` not yet signed (the old one ends now): a client
    /// that needs longer than five minutes extends before the end, and the new SAD again
    /// lives at most [`TTL_MS`].
    pub async fn extend_remote(
        &self,
        viewer: &Viewer,
        credential_id: &str,
        sad: &str,
    ) -> Result<Authorization, AppError> {
        let cred = self.own_credential(viewer, credential_id).await?;
        let s = self.live_sad(&cred.id, sad).await?;
        let left: Vec<Vec<u8>> = s
            .hashes
            .into_iter()
            .filter(|h| !s.used.contains(h))
            .collect();
        if left.is_empty() {
            return Err(AppError::Invalid(Invalid::SadUsed));
        }
        self.store.expire_sad(sad, self.clock.now_ms()).await?;
        self.new_sad(viewer, &cred.id, &left).await
    }

    /// The SAD `sad` of credential `credential_id`, refused when unknown, another
    /// credential's, or expired.
    async fn live_sad(
        &self,
        credential_id: &str,
        sad: &str,
    ) -> Result<signet_store::remote_signing::Sad, AppError> {
        let s = self.store.sad(sad).await?;
        let s = s.filter(|s| s.credential_id == credential_id);
        self.live(s, |s| s.expires_at_ms)
    }

    /// A SAD read as `found`, refused when not found or past its end.
    fn live<S>(&self, found: Option<S>, expires_at_ms: impl Fn(&S) -> i64) -> Result<S, AppError> {
        let s = found.ok_or(AppError::Invalid(Invalid::SadInvalid))?;
        if expires_at_ms(&s) <= self.clock.now_ms() {
            return Err(AppError::Invalid(Invalid::SadExpired));
        }
        Ok(s)
    }

    /// Signs `hashes` with the viewer's credential under `sad`: each must be one the SAD
    /// authorizes and not signed before. The raw signatures, in order.
    pub async fn sign_hashes(
        &self,
        viewer: &Viewer,
        credential_id: &str,
        sad: &str,
        hashes: &[[u8; 32]],
    ) -> Result<Vec<Vec<u8>>, AppError> {
        let hashes = check_digests(hashes)?;
        // The credential and the SAD in one read (the viewer is known already).
        let (cred, s) = self
            .store
            .credential_with_sad(credential_id, sad, &hashes)
            .await?;
        self.sign_checked(viewer, &cred, s, sad, hashes, |_| Ok(()))
            .await
    }

    /// [`Self::sign_hashes`] for the person signed in with the session `token` (CSC's bearer
    /// token), refused by `accepts` when the credential's algorithm is not the one the caller
    /// asks for (CSC's `signAlgo`): the session, its person, the credential and the SAD in
    /// one read — the call a client signing hash after hash makes each time.
    pub async fn sign_hashes_signed_in(
        &self,
        token: &str,
        credential_id: &str,
        sad: &str,
        hashes: &[[u8; 32]],
        accepts: impl FnOnce(SignatureAlgorithm) -> Result<(), AppError>,
    ) -> Result<Vec<Vec<u8>>, AppError> {
        let hashes = check_digests(hashes)?;
        let signer = self
            .store
            .signer_with_credential(token, self.clock.now_ms(), credential_id, sad, &hashes)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let viewer = crate::auth::viewer_of(&signer.person)?;
        let (cred, s) = signer.credential.ok_or(AppError::NotFound)?;
        self.sign_checked(&viewer, &cred, s, sad, hashes, accepts)
            .await
    }

    /// Signs `hashes` with `cred` under the SAD `sad` (`s`: what the database says of it),
    /// once every check passes; returned once marked used and journaled.
    async fn sign_checked(
        &self,
        viewer: &Viewer,
        cred: &CredentialKey,
        s: Option<SadCheck>,
        sad: &str,
        hashes: Vec<Vec<u8>>,
        accepts: impl FnOnce(SignatureAlgorithm) -> Result<(), AppError>,
    ) -> Result<Vec<Vec<u8>>, AppError> {
        super::check_own(viewer, &cred.holder_id)?;
        if cred.locked_at_ms.is_some() {
            return Err(AppError::Invalid(Invalid::RemoteLocked));
        }
        accepts(super::parse_algorithm(&cred.key_algo)?)?;
        let s = self.live(s, |s| s.expires_at_ms)?;
        if !s.authorized {
            return Err(AppError::Invalid(Invalid::HashNotAuthorized));
        }
        if s.used {
            return Err(AppError::Invalid(Invalid::SadUsed));
        }
        let signatures = self.sign_in_hsm(&cred.key_label, hashes.clone()).await?;
        let used = SadUse {
            token: sad.to_owned(),
            credential_id: cred.id.clone(),
            hashes,
            agency_id: cred.agency_id.clone(),
            person_id: viewer.person_id.clone(),
            at_ms: self.clock.now_ms(),
        };
        // Returned only once marked used and journaled (with concurrent calls' marks).
        let store = self.store.clone();
        let journaled = self
            .remote
            .commits
            .commit(used, |uses| async move { store.use_sads(&uses).await });
        match journaled.await {
            Ok(()) => Ok(signatures),
            Err(signet_store::StoreError::Conflict(_)) => Err(AppError::Invalid(Invalid::SadUsed)),
            Err(e) => Err(e.into()),
        }
    }
}
