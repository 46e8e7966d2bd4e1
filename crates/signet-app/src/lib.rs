//! Signet use cases: what a clerk, a leader, an officer or an administrator can do, called
//! alike by the web edge and the command line. Transactions live in the store; rules live in
//! `signet-core`; this layer checks who may do what and in which order, and reads the clock.

pub mod admin;
pub mod auth;
pub mod ca_dir;
pub mod ca_inventory;
pub mod ca_revocation;
pub mod ca_service;
pub mod certificates;
pub mod clock;
pub mod demo;
mod demo_history;
pub mod documents;
pub mod error;
pub mod files;
pub mod issuance;
pub mod journal;
pub mod processing;
pub mod random;
pub mod registers;
pub mod signing;
pub mod statistics;
pub mod verification;

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
    pub limiter: Arc<auth::LoginLimiter>,
    /// The built-in CA, when this deployment runs one.
    pub ca: Option<Arc<ca_service::BuiltInCa>>,
    /// Public verification of signed PDFs: trust anchors, network, limits.
    pub verifier: Arc<verification::Verifier>,
}

impl App {
    pub fn new(store: Store, blobs: BlobStore, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            blobs,
            clock,
            limiter: Arc::new(auth::LoginLimiter::default()),
            ca: None,
            verifier: Arc::new(verification::Verifier::new(
                signet_pki::validation::TrustAnchors::new(),
                false,
            )),
        }
    }

    /// The same application issuing, revoking and answering the CA's endpoints with `ca`,
    /// on the application's clock.
    pub fn with_ca(mut self, ca: ca_service::BuiltInCa) -> Self {
        self.ca = Some(Arc::new(ca.with_clock(Arc::clone(&self.clock))));
        self
    }
}
