//! The ByteRange of a signature: is it sane, which revision does it cover, and what it leaves out.

use signet_pdf::Document;

use crate::report::Coverage;

/// A checked ByteRange: the signed pieces of the file, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranges {
    pub raw: Vec<i64>,
    /// (start, end) pairs, end exclusive, inside the file.
    pub pieces: Vec<(usize, usize)>,
}

impl Ranges {
    /// Parses `[start len start len …]`; `None` when it is not pairs of non-negative integers
    /// inside the file, in increasing order without overlap.
    pub fn parse(raw: Vec<i64>, file_len: usize) -> Option<Ranges> {
        if raw.is_empty() || !raw.len().is_multiple_of(2) || raw.len() > 64 {
            return None;
        }
        let mut pieces = Vec::new();
        let mut last_end = 0usize;
        for pair in raw.chunks(2) {
            let start = usize::try_from(pair[0]).ok()?;
            let len = usize::try_from(pair[1]).ok()?;
            let end = start.checked_add(len)?;
            if end > file_len || (!pieces.is_empty() && start < last_end) {
                return None;
            }
            pieces.push((start, end));
            last_end = end;
        }
        Some(Ranges { raw, pieces })
    }

    /// The signed bytes, as slices of the file.
    pub fn slices<'a>(&self, file: &'a [u8]) -> Vec<&'a [u8]> {
        self.pieces.iter().map(|&(s, e)| &file[s..e]).collect()
    }

    pub fn end(&self) -> usize {
        self.pieces.last().map_or(0, |p| p.1)
    }
}

/// Where a revision's `%%EOF` marker begins (searching back from its end).
fn eof_marker(file: &[u8], rev_end: usize) -> Option<usize> {
    let from = rev_end.saturating_sub(64);
    file.get(from..rev_end)?
        .windows(5)
        .rposition(|w| w == b"%%EOF")
        .map(|p| from + p)
}

/// The revision a ByteRange ends with: its end lies between the revision's `%%EOF` and the end
/// of the line after it. `None` when the range ends anywhere else.
pub fn covered_revision(doc: &Document, ranges: &Ranges) -> Option<usize> {
    let end = ranges.end();
    let file = doc.bytes();
    // The last match: a linearized file's first-page section ends where the main one does.
    doc.revisions().iter().rposition(|r| {
        eof_marker(file, r.end).is_some_and(|eof| end >= eof + 5 && end <= r.end.max(eof + 5) + 2)
    })
}

/// The revision that last wrote object `num` (where a signature dictionary was written).
pub fn defining_revision(doc: &Document, num: u32) -> Option<usize> {
    doc.revisions()
        .iter()
        .rposition(|r| r.entries.contains_key(&num))
}

/// Coverage: a range from 0 whose only gap is exactly the `/Contents` hex string, ending at a
/// revision boundary (the file's very end → entire file).
pub fn coverage(doc: &Document, ranges: &Ranges, revision: Option<usize>) -> Coverage {
    let file = doc.bytes();
    let gaps_are_contents = ranges.pieces.windows(2).all(|w| {
        let (a, b) = (w[0].1, w[1].0);
        b > a + 1
            && file.get(a) == Some(&b'<')
            && file.get(b - 1) == Some(&b'>')
            && file[a + 1..b - 1]
                .iter()
                .all(|c| c.is_ascii_hexdigit() || c.is_ascii_whitespace())
    });
    let from_start = ranges.pieces.first().is_some_and(|p| p.0 == 0);
    if !from_start || !gaps_are_contents || ranges.pieces.len() != 2 {
        return Coverage::Partial;
    }
    let Some(rev) = revision else {
        return Coverage::Partial;
    };
    // Entire file means every byte: as pyHanko judges it, even whitespace or NULs after the
    // signed `%%EOF` leave the file only "entire revision" (issue 11 §2; the tail is not
    // signed, and a later update could begin there).
    if rev + 1 == doc.revisions().len() && ranges.end() == file.len() {
        Coverage::EntireFile
    } else {
        Coverage::EntireRevision
    }
}
