//! The CA: a root, an issuing CA, an OCSP responder and a TSA certificate; issuance by profile;
//! CRLs. Everything is a value: the caller saves [`CaKeys`] and [`CaRecord`] where it likes.
//!
//! One module a seam: the keys, the caller's RNG, the checks of what is certified, the
//! extensions, a new hierarchy, the loaded CA, issuance, and revocation with the CRLs. The OCSP
//! responder and the TSA (`crate::ocsp`, `crate::tsa`) answer with a loaded [`Ca`].

mod checks;
mod crl;
mod extensions;
mod hierarchy;
mod issue;
mod keys;
mod loaded;
mod profile;
mod record;
mod rng;

pub use crl::{next_crl_number, CRL_VALIDITY};
pub use keys::{CaKey, CaKeys, CaSigningKeys, DynKey, GeneratedKey, HolderKey, KeyAlg};
pub use loaded::Ca;
pub use profile::{Profile, Subject, ORGANIZATION_VALIDITY, PERSON_VALIDITY};
pub use record::{CaRecord, Issued, IssuedEntry};
