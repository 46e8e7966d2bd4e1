//! Remote signing (issue 9 §3): credentials whose keys stay in the server's HSM, signed
//! through the Cloud Signature Consortium API ([`csc`]) or approved on the holder's phone
//! (the in-process API below, which the web signing flow calls). Sole control (SCAL2): a
//! signature needs the holder's PIN, for exactly the hashes shown, once each, within five
//! minutes. Five wrong PINs lock the credential until an administrator unlocks it.
//!
//! [`client`] speaks CSC v2 to a configured provider.

pub mod client;
pub mod csc;
pub mod wire;

use std::sync::Arc;

use signet_core::person::Viewer;
use signet_core::PersonId;
/// The algorithm of a credential (re-exported for the web edge).
pub use signet_pki::SignatureAlgorithm;
use signet_store::directory::Person;
use signet_store::remote_signing::{
    Actor, NewRemoteCredential, NewSignRequest, RemoteCredential as Stored, RequestState, SadUse,
};
use tokio::sync::broadcast;

use crate::admin::require_admin;
use crate::group_commit::GroupCommit;
use crate::server_keys::ServerKeys;
use crate::{App, AppError, Invalid};

/// How long a signing request waits for the holder, and how long a SAD lives.
pub const TTL_MS: i64 = 5 * 60 * 1000;
/// Wrong PINs that lock a credential.
pub const MAX_WRONG_PINS: i64 = 5;
/// The most hashes one request or one SAD may carry (a batch).
pub const MAX_HASHES: usize = 1000;
/// The shortest PIN a new credential accepts.
pub const MIN_PIN: usize = 6;

/// A remote-signing credential as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCredential {
    pub id: String,
    pub holder: PersonId,
    pub label: String,
    /// DER certificates, the signer's first.
    pub chain: Vec<Vec<u8>>,
    pub algorithm: SignatureAlgorithm,
    /// Locked after too many wrong PINs.
    pub locked: bool,
}

/// What the web signing flow asks the holder's phone to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRequest {
    pub credential_id: String,
    /// "notation — subject" of the document.
    pub label: String,
    /// The requesting application (shown on the phone).
    pub application: String,
    /// SHA-256 digests to sign.
    pub digests: Vec<[u8; 32]>,
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteOutcome {
    Pending,
    /// The raw signatures, in the order of the request's digests.
    Signed(Vec<Vec<u8>>),
    Rejected,
    Expired,
}

/// A pending request as the holder's phone page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub id: String,
    pub credential_label: String,
    pub label: String,
    pub application: String,
    pub hashes: usize,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// The remote-signing service of the application: the HSM (when configured) and the
/// channel that tells phone pages a request arrived for a person.
pub struct RemoteSigning {
    keys: Option<Arc<ServerKeys>>,
    /// The CSC providers of the configuration (the client's side).
    pub providers: Vec<client::Provider>,
    events: broadcast::Sender<PersonId>,
    /// The signatures of concurrent calls, journaled together.
    pub(crate) commits: GroupCommit<SadUse, ()>,
}

impl std::fmt::Debug for RemoteSigning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSigning")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl Default for RemoteSigning {
    fn default() -> Self {
        Self::new(None, Vec::new())
    }
}

impl RemoteSigning {
    pub fn new(keys: Option<ServerKeys>, providers: Vec<client::Provider>) -> Self {
        Self {
            keys: keys.map(Arc::new),
            providers,
            events: broadcast::channel(256).0,
            commits: GroupCommit::new("signatures"),
        }
    }

    pub fn keys(&self) -> Result<Arc<ServerKeys>, AppError> {
        self.keys
            .clone()
            .ok_or(AppError::Invalid(Invalid::NoRemoteSigning))
    }

    /// Whether this server holds keys (an HSM is configured).
    pub fn enabled(&self) -> bool {
        self.keys.is_some()
    }

    /// Tells phone pages listening for `holder` that their requests changed.
    fn notify(&self, holder: &PersonId) {
        // No listener is not an error: the page reloads its list when it opens.
        let _ = self.events.send(holder.clone());
    }

    /// Persons whose requests changed, as they change.
    pub fn subscribe(&self) -> broadcast::Receiver<PersonId> {
        self.events.subscribe()
    }
}

/// The name a signature algorithm is stored under.
pub(crate) fn algorithm_name(a: SignatureAlgorithm) -> &'static str {
    match a {
        SignatureAlgorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
        _ => "rsa-pkcs1-sha256",
    }
}

fn parse_algorithm(s: &str) -> Result<SignatureAlgorithm, AppError> {
    match s {
        "rsa-pkcs1-sha256" => Ok(SignatureAlgorithm::RsaPkcs1Sha256),
        "ecdsa-p256-sha256" => Ok(SignatureAlgorithm::EcdsaP256Sha256),
        other => Err(AppError::Ca(format!(
            "unknown credential algorithm {other:?}"
        ))),
    }
}

fn credential_view(c: &Stored) -> Result<RemoteCredential, AppError> {
    Ok(RemoteCredential {
        id: c.id.clone(),
        holder: c.holder_id.clone(),
        label: c.label.clone(),
        chain: c.chain.clone(),
        algorithm: parse_algorithm(&c.key_algo)?,
        locked: c.locked_at_ms.is_some(),
    })
}

/// Checks a list of SHA-256 digests: 1 to [`MAX_HASHES`], no repeats.
pub(crate) fn check_digests(digests: &[[u8; 32]]) -> Result<Vec<Vec<u8>>, AppError> {
    if digests.is_empty() || digests.len() > MAX_HASHES {
        return Err(AppError::Invalid(Invalid::RemoteHashCount {
            max: MAX_HASHES,
        }));
    }
    let mut seen = std::collections::HashSet::new();
    if !digests.iter().all(|d| seen.insert(*d)) {
        return Err(AppError::Invalid(Invalid::RemoteHashRepeated));
    }
    Ok(digests.iter().map(|d| d.to_vec()).collect())
}

fn actor(viewer: &Viewer, at_ms: i64) -> Actor<'_> {
    Actor {
        agency_id: &viewer.agency_id,
        person_id: &viewer.person_id,
        at_ms,
    }
}

/// Refuses another person's credential.
pub(crate) fn check_own(viewer: &Viewer, holder_id: &PersonId) -> Result<(), AppError> {
    if *holder_id != viewer.person_id {
        return Err(AppError::Forbidden("another person's signing credential"));
    }
    Ok(())
}

impl App {
    /// The credential `id` if it is the viewer's own: another person's is refused, an unknown
    /// one is not found.
    pub(crate) async fn own_credential(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<Stored, AppError> {
        let c = self.store.remote_credential(id).await?;
        check_own(viewer, &c.holder_id)?;
        Ok(c)
    }

    /// The viewer's own remote-signing credentials.
    pub async fn remote_credentials(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<RemoteCredential>, AppError> {
        self.store
            .remote_credentials_of(&viewer.person_id)
            .await?
            .iter()
            .map(credential_view)
            .collect()
    }

    /// One of the viewer's own credentials.
    pub async fn remote_credential(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<RemoteCredential, AppError> {
        credential_view(&self.own_credential(viewer, id).await?)
    }

    /// Asks the holder's phone to sign `req.digests` with their credential: the request id.
    /// The credential must be the viewer's own; the request expires after [`TTL_MS`].
    pub async fn request_remote_signature(
        &self,
        viewer: &Viewer,
        req: RemoteRequest,
    ) -> Result<String, AppError> {
        let cred = self.own_credential(viewer, &req.credential_id).await?;
        let hashes = check_digests(&req.digests)?;
        signet_core::document::check_text("label", &req.label, 600)?;
        signet_core::document::check_text("application", &req.application, 200)?;
        if cred.locked_at_ms.is_some() {
            return Err(AppError::Invalid(Invalid::RemoteLocked));
        }
        let now = self.clock.now_ms();
        let new = NewSignRequest {
            credential_id: cred.id.clone(),
            requester_id: viewer.person_id.clone(),
            label: req.label.trim().to_owned(),
            application: req.application.trim().to_owned(),
            hashes,
            created_at_ms: now,
            expires_at_ms: now + TTL_MS,
        };
        let r = self
            .store
            .insert_sign_request(&new, &cred.agency_id)
            .await?;
        self.remote.notify(&cred.holder_id);
        Ok(r.id)
    }

    /// Where the viewer's request stands; `Signed` carries the signatures.
    pub async fn remote_signature_outcome(
        &self,
        viewer: &Viewer,
        request_id: &str,
    ) -> Result<RemoteOutcome, AppError> {
        let r = self.store.sign_request(request_id).await?;
        if r.requester_id != viewer.person_id {
            return Err(AppError::NotFound);
        }
        Ok(match r.state_at(self.clock.now_ms()) {
            RequestState::Pending => RemoteOutcome::Pending,
            RequestState::Approved => RemoteOutcome::Signed(r.signatures.unwrap_or_default()),
            RequestState::Rejected => RemoteOutcome::Rejected,
            RequestState::Expired => RemoteOutcome::Expired,
        })
    }

    /// The viewer's pending requests (their phone page), newest first.
    pub async fn pending_sign_requests(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<PendingRequest>, AppError> {
        let creds = self.store.remote_credentials_of(&viewer.person_id).await?;
        let label_of = |id: &str| {
            creds
                .iter()
                .find(|c| c.id == id)
                .map_or_else(String::new, |c| c.label.clone())
        };
        let pending = self
            .store
            .pending_sign_requests(&viewer.person_id, self.clock.now_ms())
            .await?;
        Ok(pending
            .into_iter()
            .map(|r| PendingRequest {
                credential_label: label_of(&r.credential_id),
                hashes: r.hashes.len(),
                id: r.id,
                label: r.label,
                application: r.application,
                created_at_ms: r.created_at_ms,
                expires_at_ms: r.expires_at_ms,
            })
            .collect())
    }

    /// A pending request for one of the viewer's credentials.
    async fn own_request(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<(signet_store::remote_signing::SignRequest, Stored), AppError> {
        let r = self.store.sign_request(id).await?;
        let cred = self.store.remote_credential(&r.credential_id).await?;
        if cred.holder_id != viewer.person_id {
            return Err(AppError::NotFound);
        }
        if r.state_at(self.clock.now_ms()) != RequestState::Pending {
            return Err(AppError::Invalid(Invalid::RequestAnswered));
        }
        Ok((r, cred))
    }

    /// The holder approves a request with their PIN: every digest is signed in the HSM.
    pub async fn approve_sign_request(
        &self,
        viewer: &Viewer,
        id: &str,
        pin: &str,
    ) -> Result<(), AppError> {
        let (r, cred) = self.own_request(viewer, id).await?;
        self.check_pin(viewer, &cred, pin).await?;
        let signatures = self.sign_in_hsm(&cred.key_label, r.hashes.clone()).await?;
        let by = actor(viewer, self.clock.now_ms());
        self.store
            .answer_sign_request(&r, Some(&signatures), by)
            .await
            .map_err(answered)?;
        self.remote.notify(&viewer.person_id);
        Ok(())
    }

    /// The holder refuses a request (journaled).
    pub async fn reject_sign_request(&self, viewer: &Viewer, id: &str) -> Result<(), AppError> {
        let (r, _) = self.own_request(viewer, id).await?;
        let by = actor(viewer, self.clock.now_ms());
        self.store
            .answer_sign_request(&r, None, by)
            .await
            .map_err(answered)?;
        self.remote.notify(&viewer.person_id);
        Ok(())
    }

    /// Checks the credential's PIN: a wrong one counts, the fifth locks (journaled).
    pub(crate) async fn check_pin(
        &self,
        viewer: &Viewer,
        cred: &Stored,
        pin: &str,
    ) -> Result<(), AppError> {
        if cred.locked_at_ms.is_some() {
            return Err(AppError::Invalid(Invalid::RemoteLocked));
        }
        let (pin, hash) = (pin.to_owned(), cred.pin_hash.clone());
        let ok = tokio::task::spawn_blocking(move || crate::auth::verify_password(&pin, &hash))
            .await
            .unwrap_or(false);
        if ok {
            self.store.reset_wrong_pins(&cred.id).await?;
            return Ok(());
        }
        let now = self.clock.now_ms();
        let after = self
            .store
            .record_wrong_pin(&cred.id, MAX_WRONG_PINS, actor_of(cred, viewer, now))
            .await?;
        tracing::info!(credential = %cred.id, count = after.failed_pin_count, "wrong credential PIN");
        if after.locked_at_ms.is_some() {
            return Err(AppError::Invalid(Invalid::RemoteLocked));
        }
        Err(AppError::Invalid(Invalid::RemotePin {
            left: (MAX_WRONG_PINS - after.failed_pin_count).max(0) as u32,
        }))
    }

    /// Signs digests with a credential's HSM key, off the async workers.
    pub(crate) async fn sign_in_hsm(
        &self,
        key_label: &str,
        digests: Vec<Vec<u8>>,
    ) -> Result<Vec<Vec<u8>>, AppError> {
        let keys = self.remote.keys()?;
        let label = key_label.to_owned();
        tokio::task::spawn_blocking(move || keys.sign_digests(&label, &digests))
            .await
            .map_err(|e| AppError::Ca(format!("remote signing: {e}")))?
    }

    /// Gives `holder` a remote-signing credential: an ECDSA P-256 key pair generated in the
    /// HSM (an RSA-2048 key in the demo's software keystore, see
    /// [`ServerKeys::demo_software_keystore`]), a person certificate for it from the built-in CA (recorded in the inventory), and
    /// the PIN's hash. `actor` is who did it (`system` for the demo).
    pub async fn create_remote_credential(
        &self,
        holder: &Person,
        pin: &str,
        actor: &str,
    ) -> Result<RemoteCredential, AppError> {
        if pin.chars().count() < MIN_PIN {
            return Err(AppError::Invalid(Invalid::PasswordTooShort {
                min: MIN_PIN,
            }));
        }
        let pin_hash = crate::auth::hash_password(pin)?;
        self.create_credential(holder, pin_hash, actor).await
    }

    /// [`Self::create_remote_credential`] with the PIN hashed already (the demo hashes its
    /// one PIN once).
    pub(crate) async fn create_credential(
        &self,
        holder: &Person,
        pin_hash: String,
        actor: &str,
    ) -> Result<RemoteCredential, AppError> {
        let keys = self.remote.keys()?;
        let agency = self.store.agency(&holder.agency_id).await?;
        let key_label = format!("csc-{}", signet_store::new_id());
        let label = key_label.clone();
        let (key, algorithm) = tokio::task::spawn_blocking(move || keys.new_credential_key(&label))
            .await
            .map_err(|e| AppError::Ca(format!("credential key: {e}")))??;
        let order = crate::certificates::Holder::person(&agency, holder, None).order(key);
        let (certificate, issuance) = self.issue_and_record(order, &agency.id, actor).await?;
        let mut chain = vec![issuance.issued.der.clone()];
        chain.extend(issuance.chain);
        let new = NewRemoteCredential {
            agency_id: agency.id.clone(),
            holder_id: holder.id.clone(),
            label: format!("{} — {}", holder.full_name, certificate.serial),
            chain,
            key_label,
            key_algo: algorithm_name(algorithm).to_owned(),
            pin_hash,
        };
        let stored = self
            .store
            .insert_remote_credential(&new, actor, self.clock.now_ms())
            .await?;
        credential_view(&stored)
    }

    /// An agency's locked credentials (administrators).
    pub async fn locked_remote_credentials(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<RemoteCredential>, AppError> {
        require_admin(viewer)?;
        self.store
            .locked_remote_credentials(&viewer.agency_id)
            .await?
            .iter()
            .map(credential_view)
            .collect()
    }

    /// An administrator unlocks a credential of their agency (journaled).
    pub async fn unlock_remote_credential(
        &self,
        viewer: &Viewer,
        id: &str,
    ) -> Result<(), AppError> {
        require_admin(viewer)?;
        let by = actor(viewer, self.clock.now_ms());
        Ok(self.store.unlock_remote_credential(id, by).await?)
    }
}

/// The actor of a change to a credential: the viewer, journaled in the credential's agency.
fn actor_of<'a>(cred: &'a Stored, viewer: &'a Viewer, at_ms: i64) -> Actor<'a> {
    Actor {
        agency_id: &cred.agency_id,
        person_id: &viewer.person_id,
        at_ms,
    }
}

/// A request answered meanwhile (a second tab, or its expiry) is the person's news, not a
/// server fault.
fn answered(e: signet_store::StoreError) -> AppError {
    match e {
        signet_store::StoreError::Conflict(_) => AppError::Invalid(Invalid::RequestAnswered),
        other => other.into(),
    }
}
