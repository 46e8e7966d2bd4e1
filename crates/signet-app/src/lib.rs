//! Signet use cases: what a clerk, a leader, an officer or an administrator can do, called
//! alike by the web edge and the command line. Transactions live in the store; rules live in
//! `signet-core`; this layer checks who may do what and in which order, and reads the clock.

pub mod admin;
pub mod archive;
pub mod auth;
pub mod ca_dir;
pub mod ca_inventory;
pub mod ca_revocation;
pub mod ca_service;
pub mod certificates;
pub mod clock;
pub mod copies;
pub mod demo;
mod demo_history;
pub mod documents;
pub mod dossiers;
pub mod drafting;
pub mod error;
pub mod exchange;
pub mod files;
mod group_commit;
pub mod hub;
pub mod issuance;
pub mod journal;
pub mod journal_anchor;
pub mod mail;
pub mod meetings;
pub mod my_work;
pub mod opinions;
pub mod people_admin;
pub mod processing;
pub mod processing_slip;
pub mod random;
pub mod registers;
pub mod reminders;
pub mod remote_signing;
pub mod replies;
pub mod seal_requests;
pub mod search;
pub mod server_keys;
pub mod signature_images;
pub mod signing;
pub mod statistics;
#[cfg(feature = "testing")]
pub mod testing;
pub mod trust_lists;
pub mod uploads;
pub mod verification;
pub mod web_signing;
pub mod webhooks;

use std::sync::Arc;

pub use clock::{Clock, SystemClock};
pub use error::{AppError, Invalid};
use signet_store::{BlobStore, Store};

/// Everything a request needs. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub blobs: BlobStore,
    pub clock: Arc<dyn Clock>,
    /// The built-in CA, when this deployment runs one.
    pub ca: Option<Arc<ca_service::BuiltInCa>>,
    /// Public verification of signed PDFs: trust anchors, network, limits.
    pub verifier: Arc<verification::Verifier>,
    /// Signing from the web: the agencies' seal keys, the TSA.
    pub signing: Arc<web_signing::Setup>,
    /// Remote signing (CSC): the HSM holding credentials' keys, when configured.
    pub remote: Arc<remote_signing::RemoteSigning>,
    /// Exchange with other agencies: routes to hubs and nodes, whom packets are trusted from.
    pub exchange: Arc<exchange::Setup>,
    /// Webhooks to the province's other systems: retries and their cap.
    pub webhooks: Arc<webhooks::Setup>,
}

impl App {
    pub fn new(store: Store, blobs: BlobStore, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            blobs,
            clock,
            ca: None,
            verifier: Arc::new(verification::Verifier::new(
                signet_pki::validation::TrustAnchors::new(),
                false,
            )),
            signing: Arc::new(web_signing::Setup::default()),
            remote: Arc::new(remote_signing::RemoteSigning::default()),
            exchange: Arc::new(exchange::Setup::default()),
            webhooks: Arc::new(webhooks::Setup::default()),
        }
    }

    /// The same application retrying webhook deliveries as `setup` says.
    pub fn with_webhooks(mut self, setup: webhooks::Setup) -> Self {
        self.webhooks = Arc::new(setup);
        self
    }

    /// The same application exchanging documents with `setup`'s routes and trust.
    pub fn with_exchange(mut self, setup: exchange::Setup) -> Self {
        self.exchange = Arc::new(setup);
        self
    }

    /// The same application sealing with `setup`'s keys and TSA.
    pub fn with_signing(mut self, setup: web_signing::Setup) -> Self {
        self.signing = Arc::new(setup);
        self
    }

    /// The same application signing for remote credentials with the keys of `keys`.
    pub fn with_server_keys(self, keys: server_keys::ServerKeys) -> Self {
        self.with_remote_signing(remote_signing::RemoteSigning::new(Some(keys), Vec::new()))
    }

    /// The same application with `remote` as its remote-signing service (HSM, providers).
    pub fn with_remote_signing(mut self, remote: remote_signing::RemoteSigning) -> Self {
        self.remote = Arc::new(remote);
        self
    }

    /// The same application issuing, revoking and answering the CA's endpoints with `ca`,
    /// on the application's clock.
    pub fn with_ca(mut self, ca: ca_service::BuiltInCa) -> Self {
        // The demo keeps its agencies' seal keys beside its CA (see `demo`).
        if self.signing.seals.demo_dir().is_none() {
            let mut setup = (*self.signing).clone();
            setup.seals = setup.seals.with_demo_dir(ca.dir().join("seals"));
            self.signing = Arc::new(setup);
        }
        self.ca = Some(Arc::new(ca.with_clock(Arc::clone(&self.clock))));
        self
    }
}
