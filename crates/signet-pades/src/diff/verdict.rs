//! What a rule answers, and the bounds of all walks.

use signet_pdf::ObjRef;

/// Most objects visited in all walks of one analysis.
pub(super) const MAX_STEPS: usize = 3_000_000;
/// Deepest path (keys and indices from the trailer) followed.
pub(super) const MAX_PATH: usize = 256;
/// Deepest field or page tree followed.
pub(super) const MAX_TREE: usize = 64;

/// A rule found something it does not allow (pyHanko's `SuspiciousModification`).
#[derive(Debug)]
pub(super) struct Suspicious(pub(super) &'static str, pub(super) Option<ObjRef>);

pub(super) type R<T> = Result<T, Suspicious>;

pub(super) fn fail<T>(why: &'static str) -> R<T> {
    Err(Suspicious(why, None))
}
