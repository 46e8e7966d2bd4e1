//! The built-in CA as the application holds it — one service for the web's certificate page,
//! the CA's public endpoints (OCSP, TSA, CRLs, CA certificates) and `signet ca …`.
//!
//! Two views of one directory:
//! - [`BuiltInCa::lock`]: the CA, exclusively, for issuance and revocation (async mutex, so one
//!   change at a time reads, changes and saves `state.json`);
//! - [`BuiltInCa::published`]: a read-only copy for the endpoints, with its CRLs, reloaded
//!   when `state.json` changes and remade when half their validity has passed. An issuance
//!   holding the lock (a PKCS#12 file takes seconds) never delays an OCSP answer.
//!
//! Time is always the application's [`Clock`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use signet_pki::Ca;
use time::OffsetDateTime;
use tokio::sync::{Mutex, MutexGuard};

use crate::clock::{Clock, SystemClock};
use crate::{ca_dir, AppError};

/// The loaded CA and what tells whether it is still the one on disk.
pub struct LoadedCa {
    pub ca: Ca,
    mtime: Option<SystemTime>,
    /// Set when the in-memory CA may differ from the saved one (a step failed half-way):
    /// the next use reloads it from disk.
    stale: bool,
}

impl LoadedCa {
    /// After a failed step: forget the in-memory changes at the next use.
    pub fn discard_changes(&mut self) {
        self.stale = true;
    }

    /// Saves `state.json` and remembers its new time, so our own write is not mistaken for
    /// someone else's.
    pub fn save(&mut self, dir: &Path) -> Result<(), AppError> {
        if let Err(e) = ca_dir::save_record(dir, &self.ca) {
            self.stale = true;
            return Err(e);
        }
        self.mtime = ca_dir::state_mtime(dir);
        Ok(())
    }
}

/// What the public endpoints serve: a copy of the CA and its current CRLs. Never saved: the
/// endpoints do not write `state.json`; the CRL numbers are time-based, so they still grow.
pub struct Published {
    pub ca: Ca,
    pub issuing_crl: Vec<u8>,
    pub root_crl: Vec<u8>,
    made: OffsetDateTime,
    crl_number: u64,
    mtime: Option<SystemTime>,
}

impl Published {
    fn build(dir: &Path, last_crl_number: u64, now: OffsetDateTime) -> Result<Self, AppError> {
        let mtime = ca_dir::state_mtime(dir);
        let ca = ca_dir::load(dir)?;
        let record = ca.record();
        let n = signet_pki::next_crl_number(last_crl_number.max(record.crl_number), now);
        let root_n = signet_pki::next_crl_number(last_crl_number.max(record.root_crl_number), now);
        let issuing_crl = ca
            .issuing_crl(ca.revocations(), n, now)
            .map_err(ca_dir::pki_error)?;
        let root_crl = ca.root_crl(root_n, now).map_err(ca_dir::pki_error)?;
        Ok(Self {
            ca,
            issuing_crl,
            root_crl,
            made: now,
            crl_number: n,
            mtime,
        })
    }
}

/// A CA directory in use by the application.
pub struct BuiltInCa {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    state: Mutex<LoadedCa>,
    /// Built at the first request to an endpoint (the command line never needs it).
    published: std::sync::Mutex<Option<Arc<Published>>>,
    /// The `state.json` time the database's inventory was last brought up to date with
    /// (see [`crate::ca_inventory`]).
    pub(crate) inventory_mtime: Mutex<Option<SystemTime>>,
}

impl std::fmt::Debug for BuiltInCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltInCa")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl BuiltInCa {
    /// Loads the CA of `dir`, on the system clock until [`BuiltInCa::with_clock`] (which
    /// [`crate::App::with_ca`] calls with the application's).
    pub fn open(dir: &Path) -> Result<Self, AppError> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let mtime = ca_dir::state_mtime(dir);
        let ca = ca_dir::load(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            clock,
            state: Mutex::new(LoadedCa {
                ca,
                mtime,
                stale: false,
            }),
            published: std::sync::Mutex::new(None),
            inventory_mtime: Mutex::new(None),
        })
    }

    /// The same CA reading the time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Now, by the CA's clock (the application's).
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The CA, exclusively; reloaded first when `state.json` changed on disk (`signet ca …`
    /// run beside the server) or a previous step failed half-way.
    pub async fn lock(&self) -> Result<MutexGuard<'_, LoadedCa>, AppError> {
        let mut guard = self.state.lock().await;
        let mtime = ca_dir::state_mtime(&self.dir);
        if guard.stale || mtime != guard.mtime {
            guard.ca = ca_dir::load(&self.dir)?;
            guard.mtime = mtime;
            guard.stale = false;
        }
        Ok(guard)
    }

    /// The CA as the endpoints serve it: reloaded when `state.json` changed, with CRLs
    /// remade when half their validity has passed.
    pub fn published(&self) -> Result<Arc<Published>, AppError> {
        let mut guard = self.published.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.clock.now();
        let current = guard.as_ref().filter(|p| {
            ca_dir::state_mtime(&self.dir) == p.mtime
                && now - p.made <= signet_pki::CRL_VALIDITY / 2
        });
        if let Some(p) = current {
            return Ok(Arc::clone(p));
        }
        let last = guard.as_ref().map_or(0, |p| p.crl_number);
        let fresh = Arc::new(Published::build(&self.dir, last, now)?);
        *guard = Some(Arc::clone(&fresh));
        Ok(fresh)
    }

    /// The OCSP response to a DER request (a malformed request gets the malformedRequest
    /// answer, not an error).
    pub fn ocsp_response(&self, request: &[u8]) -> Result<Vec<u8>, AppError> {
        let p = self.published()?;
        Ok(p.ca.respond(request, p.ca.revocations(), self.clock.now()))
    }

    /// The RFC 3161 reply to a DER time-stamp query.
    pub fn timestamp_reply(&self, query: &[u8]) -> Result<Vec<u8>, AppError> {
        let p = self.published()?;
        // A random positive 63-bit serial: unique without a counter shared between processes.
        let mut b = [0u8; 8];
        crate::random::fill(&mut b).map_err(AppError::Ca)?;
        let serial = (u64::from_be_bytes(b) >> 1).max(1);
        Ok(p.ca.timestamp(query, serial, self.clock.now()))
    }
}
