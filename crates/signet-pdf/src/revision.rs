//! One revision of a PDF: what `chain` reads from the xref sections, `recover` rebuilds from a
//! damaged file, and [`crate::Document`] serves. Its own module, so that the readers and the
//! document do not import each other.

use crate::object::Dictionary;
use crate::xref::{XrefEntry, XrefKind};
use std::collections::HashMap;

/// Most xref sections followed through `/Prev`.
pub(crate) const MAX_SECTIONS: usize = 10_000;

/// One revision: an xref section (two for a linearized file's first revision) and its trailer.
#[derive(Debug, Clone)]
pub struct Revision {
    /// Position in [`crate::Document::revisions`] (0 = original document).
    pub index: usize,
    /// Offset of the (newest) xref section of this revision.
    pub xref_offset: usize,
    /// Offset just after this revision's `%%EOF` and EOL: where a ByteRange must reach to
    /// cover it.
    pub end: usize,
    pub kind: XrefKind,
    pub trailer: Dictionary,
    /// The entries this revision's section(s) define or free.
    pub entries: HashMap<u32, XrefEntry>,
}

impl Revision {
    /// Object numbers this revision defines (in use or compressed), sorted.
    pub fn defined(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .entries
            .iter()
            .filter(|(_, e)| !matches!(e, XrefEntry::Free { .. }))
            .map(|(n, _)| *n)
            .collect();
        v.sort_unstable();
        v
    }
    /// Object numbers this revision frees (object 0 excluded), sorted.
    pub fn freed(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .entries
            .iter()
            .filter(|(n, e)| **n != 0 && matches!(e, XrefEntry::Free { .. }))
            .map(|(n, _)| *n)
            .collect();
        v.sort_unstable();
        v
    }
}
