//! The built-in CA as the application holds it: loaded once, behind an async mutex so one
//! issuance or revocation at a time reads, changes and saves `state.json`.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use signet_pki::Ca;
use tokio::sync::{Mutex, MutexGuard};

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

/// A CA directory in use by the application.
pub struct BuiltInCa {
    dir: PathBuf,
    state: Mutex<LoadedCa>,
}

impl std::fmt::Debug for BuiltInCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltInCa")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl BuiltInCa {
    /// Loads the CA of `dir`.
    pub fn open(dir: &Path) -> Result<Self, AppError> {
        let mtime = ca_dir::state_mtime(dir);
        let ca = ca_dir::load(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            state: Mutex::new(LoadedCa {
                ca,
                mtime,
                stale: false,
            }),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
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
}
