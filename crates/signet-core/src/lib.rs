//! The Signet domain: agencies and their identifier codes, people and roles, documents and
//! their lifecycle, registers and numbering, the hash-chained journal, and who may see what.
//!
//! This crate is pure: it does no I/O and reads no clock. Time, randomness and storage are
//! the caller's business; every function here is deterministic in its arguments.

pub mod agency;
pub mod calendar;
pub mod document;
pub mod error;
pub mod ids;
pub mod journal;
pub mod lifecycle;
pub mod person;
pub mod register;
pub mod review;
pub mod text;

pub use agency::{AgencyCode, LegacyAgencyCode};
pub use document::{Direction, DocumentType, Secrecy, Urgency};
pub use error::CoreError;
pub use ids::{AgencyId, CertificateId, DocumentId, FileId, PersonId, UnitId};
pub use lifecycle::DocumentState;
pub use person::Role;
