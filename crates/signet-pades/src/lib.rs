//! PAdES on top of `signet-pdf` (structure) and `signet-pki` (CMS, timestamps, paths):
//! verification with a report per signature after ETSI EN 319 102-1, the modification policy
//! ("what changed after the signature"), and the signing flow's pure steps.
//!
//! Pure: no I/O and no clock. The caller passes the validation time, trust anchors and any
//! revocation data it fetched.

pub mod archive;
pub mod coverage;
pub mod diff;
pub mod dss;
pub mod etsi;
mod messages;
pub mod pdfdate;
pub mod report;
pub mod sign;
pub mod slip;
#[cfg(feature = "testing")]
pub mod testing;
pub mod verify;

pub use report::{
    Coverage, Indication, Integrity, Kind, Modifications, Report, SignatureReport, SubIndication,
};
pub use sign::{Level, Services, SignError};
pub use verify::{verify, Locked, Options, Outcome, Password, Unreadable};
