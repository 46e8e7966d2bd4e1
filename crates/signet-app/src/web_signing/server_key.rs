//! The leader's signature with the personal key the server's HSM holds for them (issue 9 §1,
//! the "server-held key" device): the same key as their remote-signing credential, used
//! straight from the document page, confirmed by the credential's PIN (five wrong PINs lock
//! it, as on the phone). Off unless the agency's administrator allows it: a key the server
//! holds is a weaker sole control than a token in the leader's hand.
//!
//! A batch takes one PIN. Each document is prepared first, then every digest is signed in
//! the HSM, then each document is completed in its own transaction: a crash in between
//! leaves each document either signed or untouched (its prepared signature simply expires),
//! and signing the documents still waiting finishes the batch.

use signet_core::ids::DocumentId;
use signet_core::person::Viewer;
use signet_store::documents::Document;
use signet_store::remote_signing::RemoteCredential as Stored;

use crate::admin::require_admin;
use crate::{App, AppError, Invalid};

impl App {
    /// Whether the viewer's agency lets its leaders sign with server-held keys (and this
    /// server has an HSM).
    pub async fn server_keys_enabled(&self, viewer: &Viewer) -> Result<bool, AppError> {
        Ok(self.remote.enabled() && self.store.server_keys_enabled(&viewer.agency_id).await?)
    }

    /// An administrator allows or forbids server-held personal keys in their agency
    /// (journaled).
    pub async fn set_server_keys(&self, viewer: &Viewer, enabled: bool) -> Result<(), AppError> {
        require_admin(viewer)?;
        Ok(self
            .store
            .set_server_keys(
                &viewer.agency_id,
                enabled,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// The viewer's key on the server: their first remote credential not locked.
    async fn server_key_of(&self, viewer: &Viewer) -> Result<Stored, AppError> {
        let creds = self.store.remote_credentials_of(&viewer.person_id).await?;
        if creds.is_empty() {
            return Err(super::refused(
                "the server holds no signing key for you; ask an administrator",
            ));
        }
        creds
            .into_iter()
            .find(|c| c.locked_at_ms.is_none())
            .ok_or(AppError::Invalid(Invalid::RemoteLocked))
    }

    /// Signs the documents `ids` (one or a batch) with the viewer's server-held key after
    /// checking its PIN: the signed documents, in order.
    pub async fn sign_with_server_key(
        &self,
        viewer: &Viewer,
        ids: &[DocumentId],
        pin: &str,
    ) -> Result<Vec<Document>, AppError> {
        if !self.server_keys_enabled(viewer).await? {
            return Err(super::refused(
                "signing with a key held by the server is not enabled for your agency",
            ));
        }
        let cred = self.server_key_of(viewer).await?;
        self.check_pin(viewer, &cred, pin).await?;
        let prepared = self
            .prepare_signatures(viewer, ids, "server", cred.chain.clone())
            .await?;
        let digests = prepared.iter().map(|p| p.digest.clone()).collect();
        let signatures = self.sign_in_hsm(&cred.key_label, digests).await?;
        let mut docs = Vec::with_capacity(prepared.len());
        for (p, sig) in prepared.iter().zip(&signatures) {
            docs.push(
                self.complete_signature(viewer, &p.pending_id, sig, &[])
                    .await?,
            );
        }
        Ok(docs)
    }

    /// A reviewer's ký nháy with their key held by the server (issue 13 §2): prepared,
    /// signed in the HSM after the PIN, completed — the reviewer's approval with it.
    pub async fn initial_with_server_key(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
        pin: &str,
    ) -> Result<Document, AppError> {
        if !self.server_keys_enabled(viewer).await? {
            return Err(super::refused(
                "signing with a key held by the server is not enabled for your agency",
            ));
        }
        let cred = self.server_key_of(viewer).await?;
        self.check_pin(viewer, &cred, pin).await?;
        let p = self
            .prepare_initial(viewer, id, "server", cred.chain.clone())
            .await?;
        let signatures = self
            .sign_in_hsm(&cred.key_label, vec![p.digest.clone()])
            .await?;
        let sig = signatures
            .first()
            .ok_or_else(|| super::refused("the HSM gave no signature"))?;
        self.complete_signature(viewer, &p.pending_id, sig, &[])
            .await
    }
}
