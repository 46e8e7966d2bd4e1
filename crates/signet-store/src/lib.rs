//! Signet storage: one implementation of every query for SQLite (embedded default) and
//! PostgreSQL (scale-out), the migrations, and the content-addressed blob store.
//!
//! The queries are written once, in SQL both engines accept, and run through sqlx's `Any`
//! driver; nothing above this crate knows which engine it is talking to. The only place the
//! engines are told apart is connection set-up (SQLite pragmas), in [`db`].

pub mod administration;
pub mod blobs;
pub mod certificates;
mod checkpoint;
pub mod copies;
pub mod db;
pub mod directory;
pub mod documents;
pub mod dossiers;
pub mod error;
pub mod exchange;
pub mod exchange_recall;
pub mod journal;
pub mod meetings;
mod migrations;
mod queue;
pub mod reminders;
pub mod remote_signing;
pub mod seal_requests;
pub mod sessions;
pub mod signing_settings;
mod sql;
pub mod statistics;
#[doc(hidden)]
pub mod testing;
pub mod trust_lists;
pub mod uploads;
pub mod webhooks;

pub use blobs::{BlobStore, BlobWriter, StoredBlob};
pub use db::{Backend, Store, Tx};
pub use error::StoreError;

/// A new random identifier: 128 bits from the operating system, as 32 hex digits.
pub fn new_id() -> String {
    random_hex::<16>()
}

/// Fills `dest` from the operating system's random source: the server's one random source
/// (ids, session tokens, and through `signet_app::random` salts, serials and CA keys), which
/// is why the workspace lints allow it here only.
#[allow(clippy::disallowed_methods)]
pub fn fill_random(dest: &mut [u8]) -> Result<(), String> {
    getrandom::getrandom(dest)
        .map_err(|e| format!("the operating system's random source failed: {e}"))
}

/// `N` random bytes from the operating system as hex.
pub fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    // The OS random source failing is not something the program can recover from.
    #[allow(clippy::expect_used)]
    fill_random(&mut bytes).expect("operating system random source");
    hex::encode(bytes)
}
