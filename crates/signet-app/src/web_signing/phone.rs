//! The leader's signature from their phone (issue 9 §3): the documents are prepared with the
//! leader's remote-signing credential's chain, one request with every digest goes to their
//! phone (`/sign-requests`), and once approved the signatures complete the documents. The
//! same serves a reviewer's ký nháy ([`App::request_phone_initial`]). The
//! page polls with the request id and the pending ids it was given, so nothing is kept in
//! memory (a restart in between loses nothing).

use signet_core::ids::DocumentId;
use signet_core::person::Viewer;
use signet_store::documents::Document;

use super::PreparedSignature;
use crate::remote_signing::{RemoteCredential, RemoteOutcome, RemoteRequest};
use crate::{App, AppError};

/// A request sent to the leader's phone.
#[derive(Debug, Clone)]
pub struct PhoneRequest {
    pub request_id: String,
    /// The prepared signatures, in the order of the request's digests.
    pub pending_ids: Vec<String>,
    pub expires_at_ms: i64,
}

impl App {
    /// Prepares `ids` for the leader's first usable remote credential and asks their phone.
    pub async fn request_phone_signature(
        &self,
        viewer: &Viewer,
        ids: &[DocumentId],
    ) -> Result<PhoneRequest, AppError> {
        let credential = self.phone_credential(viewer).await?;
        let prepared = self
            .prepare_signatures(viewer, ids, "phone", credential.chain.clone())
            .await?;
        self.ask_phone(viewer, ids, credential, prepared, "Signet — ký văn bản đi")
            .await
    }

    /// A reviewer's ký nháy from their phone (issue 13 §2): the draft is prepared for an
    /// approval signature with their remote credential, and their phone asked; the answer
    /// completes it as [`Self::phone_signature_outcome`] does for a leader's signature.
    pub async fn request_phone_initial(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<PhoneRequest, AppError> {
        let credential = self.phone_credential(viewer).await?;
        let prepared = self
            .prepare_initial(viewer, id, "phone", credential.chain.clone())
            .await?;
        self.ask_phone(
            viewer,
            std::slice::from_ref(id),
            credential,
            vec![prepared],
            "Signet — ký nháy dự thảo",
        )
        .await
    }

    /// Whether the viewer can sign from a phone (a usable remote credential of theirs).
    pub async fn has_phone(&self, viewer: &Viewer) -> bool {
        self.phone_credential(viewer).await.is_ok()
    }

    async fn phone_credential(&self, viewer: &Viewer) -> Result<RemoteCredential, AppError> {
        self.remote_credentials(viewer)
            .await?
            .into_iter()
            .find(|c| !c.locked)
            .ok_or_else(|| {
                super::refused("you have no usable remote-signing credential for the phone")
            })
    }

    /// One request to the holder's phone with every prepared digest, in order.
    async fn ask_phone(
        &self,
        viewer: &Viewer,
        ids: &[DocumentId],
        credential: RemoteCredential,
        prepared: Vec<PreparedSignature>,
        application: &str,
    ) -> Result<PhoneRequest, AppError> {
        let mut digests = Vec::with_capacity(prepared.len());
        for p in &prepared {
            let d: [u8; 32] = p
                .digest
                .as_slice()
                .try_into()
                .map_err(|_| super::refused("not a SHA-256 digest"))?;
            digests.push(d);
        }
        let mut subjects = Vec::new();
        for id in ids {
            subjects.push(self.document(viewer, id).await?.subject);
        }
        let label: String = subjects.join("; ").chars().take(590).collect();
        let request_id = self
            .request_remote_signature(
                viewer,
                RemoteRequest {
                    credential_id: credential.id,
                    label,
                    application: application.into(),
                    digests,
                },
            )
            .await?;
        Ok(PhoneRequest {
            request_id,
            pending_ids: prepared.iter().map(|p| p.pending_id.clone()).collect(),
            expires_at_ms: prepared.iter().map(|p| p.expires_at_ms).min().unwrap_or(0),
        })
    }

    /// The phone's answer: `None` while pending; the signed documents once approved.
    pub async fn phone_signature_outcome(
        &self,
        viewer: &Viewer,
        request_id: &str,
        pending_ids: &[String],
    ) -> Result<Option<Vec<Document>>, AppError> {
        match self.remote_signature_outcome(viewer, request_id).await? {
            RemoteOutcome::Pending => Ok(None),
            RemoteOutcome::Signed(signatures) => {
                if signatures.len() != pending_ids.len() {
                    return Err(super::refused(
                        "the phone answered another number of signatures",
                    ));
                }
                let mut docs = Vec::with_capacity(pending_ids.len());
                for (id, sig) in pending_ids.iter().zip(&signatures) {
                    docs.push(self.complete_signature(viewer, id, sig, &[]).await?);
                }
                Ok(Some(docs))
            }
            RemoteOutcome::Rejected => Err(super::refused("refused on the phone")),
            RemoteOutcome::Expired => Err(super::refused("the request to the phone expired")),
        }
    }
}
