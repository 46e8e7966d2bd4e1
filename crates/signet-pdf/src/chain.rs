//! Following `startxref` and `/Prev` through the cross-reference sections, tolerating the
//! common defects, and turning sections into revisions.

use crate::object::Object;
use crate::revision::{Revision, MAX_SECTIONS};
use crate::xref::{self, Section, XrefEntry};
use crate::{PdfError, Result};
use std::collections::HashSet;

/// Reads the startxref chain. Returns revisions oldest first and whether anything was
/// found off its announced offset.
pub fn read_chain(data: &[u8]) -> Result<(Vec<Revision>, bool)> {
    let start =
        xref::find_startxref(data).ok_or_else(|| PdfError::Structure("no startxref".into()))?;
    let marks = Marks::new(data);
    let mut sections: Vec<Section> = Vec::new();
    let mut seen = HashSet::new();
    // Offsets where sections were actually found (an announced offset may be a bit off,
    // so two different announcements can reach the same section).
    let mut found = HashSet::new();
    let mut next = Some(start);
    let mut patched = false;
    while let Some(off) = next {
        if !seen.insert(off) {
            break; // a /Prev cycle: stop at the first repeat
        }
        if sections.len() >= MAX_SECTIONS {
            return Err(PdfError::Limit("too many xref sections".into()));
        }
        // A section found only by searching near a bad offset may be one already read
        // (a cycle in disguise): treat it like an unreadable /Prev.
        let read = xref::read_section(data, off).and_then(|s| {
            if found.contains(&s.offset) {
                Err(PdfError::Structure(format!(
                    "/Prev {off} leads back to a section already read"
                )))
            } else {
                Ok(s)
            }
        });
        let s = match (read, sections.last()) {
            (Ok(s), _) => s,
            (Err(e), None) => return Err(e),
            // A broken /Prev: continue with the section the previous `startxref` in the
            // file announced (what the revision before this one ended with).
            (Err(_), Some(newer)) => {
                match previous_section(data, &marks, newer.offset, &seen, &found) {
                    Some((alt, s)) => {
                        patched = true;
                        seen.insert(alt);
                        s
                    }
                    None => {
                        patched = true; // the older part of the chain is lost: never clean
                        break;
                    }
                }
            }
        };
        let mut s = s;
        found.insert(s.offset);
        merge_xrefstm(data, &mut s)?;
        next = s
            .trailer
            .get(b"Prev")
            .and_then(Object::as_i64)
            .and_then(|p| usize::try_from(p).ok());
        sections.push(s);
    }
    let shifted = patched || sections.iter().any(|s| s.shifted);
    Ok((group(&marks, sections), shifted))
}

/// The section announced by the nearest `startxref` before `before` that parses and was
/// not visited yet (a few tries only).
fn previous_section(
    data: &[u8],
    marks: &Marks<'_>,
    before: usize,
    seen: &HashSet<usize>,
    found: &HashSet<usize>,
) -> Option<(usize, Section)> {
    marks
        .pointers
        .iter()
        .rev()
        .filter(|(p, _)| *p < before)
        .map(|(_, v)| *v)
        .filter(|v| !seen.contains(v) && *v < before)
        .take(8)
        .find_map(|v| {
            xref::read_section(data, v)
                .ok()
                .filter(|s| !found.contains(&s.offset))
                .map(|s| (v, s))
        })
}

/// A hybrid section: its `/XRefStm` entries supply what the table leaves out or lists free.
fn merge_xrefstm(data: &[u8], s: &mut Section) -> Result<()> {
    let Some(off) = s.trailer.get(b"XRefStm").and_then(Object::as_i64) else {
        return Ok(());
    };
    let off = usize::try_from(off).map_err(|_| PdfError::Structure("bad /XRefStm".into()))?;
    let stm = xref::read_section(data, off)?;
    // The table wins where it has an object in use; numbers it lacks or lists as free (how
    // hybrid writers hide compressed objects from old readers) come from the stream.
    let in_use: HashSet<u32> = s
        .entries
        .iter()
        .filter(|(_, e)| !matches!(e, XrefEntry::Free { .. }))
        .map(|(n, _)| *n)
        .collect();
    let from_stream: Vec<(u32, XrefEntry)> = stm
        .entries
        .into_iter()
        .filter(|(n, _)| !in_use.contains(n))
        .collect();
    let replaced: HashSet<u32> = from_stream.iter().map(|(n, _)| *n).collect();
    s.entries.retain(|(n, _)| !replaced.contains(n));
    s.entries.extend(from_stream);
    Ok(())
}

/// See [`group`]. A `startxref` "points at" a section when it announces the offset the
/// section was reached by, or one within the search slack of where it was found (the same
/// section reached through a slightly different, equally wrong offset).
fn revision_end(marks: &Marks<'_>, s: &Section) -> usize {
    let points_here = |v: usize| v == s.announced || v.abs_diff(s.offset) <= xref::SLACK;
    let mut candidates = marks
        .pointers
        .iter()
        .filter(|(_, v)| points_here(*v))
        .map(|(p, _)| *p);
    let first = candidates.clone().next();
    marks.end_after(
        candidates
            .find(|&p| p >= s.offset)
            .or(first)
            .unwrap_or(s.offset),
    )
}

/// The `startxref` and `%%EOF` positions of the whole file, found once: following a long
/// or broken chain never rescans the file.
struct Marks<'a> {
    data: &'a [u8],
    /// (position of `startxref`, the offset it announces), in file order.
    pointers: Vec<(usize, usize)>,
    /// Positions of `%%EOF`, in file order.
    eofs: Vec<usize>,
}

impl<'a> Marks<'a> {
    fn new(data: &'a [u8]) -> Self {
        Marks {
            data,
            pointers: xref::startxref_pointers(data),
            eofs: xref::eof_positions(data),
        }
    }
    /// Just after the first `%%EOF` at or after `from`, and its EOL; the file end if none.
    fn end_after(&self, from: usize) -> usize {
        let i = self.eofs.partition_point(|&e| e < from);
        match self.eofs.get(i) {
            Some(&e) => xref::after_eol(self.data, e + 5),
            None => self.data.len(),
        }
    }
}

/// Turns sections (newest first) into revisions (oldest first): one revision per section, as
/// pyHanko counts them. A linearized file's first-page section (whose `/Prev` points forward
/// to the main section) is thus a revision of its own, after the main one: viewing "as of"
/// the main section alone gives an incomplete document, which no signature ever covers.
///
/// A revision ends after the `%%EOF` that follows the `startxref` pointing at its section
/// (for linearized files that `startxref` sits after the main section), else after the first
/// `%%EOF` following the section.
fn group(marks: &Marks<'_>, sections: Vec<Section>) -> Vec<Revision> {
    let mut revs: Vec<Revision> = sections
        .into_iter()
        .map(|s| {
            let end = revision_end(marks, &s);
            Revision {
                index: 0,
                xref_offset: if s.shifted { s.offset } else { s.announced },
                end,
                kind: s.kind,
                trailer: s.trailer,
                // Collected in reverse so that within one section the first definition wins.
                entries: s.entries.into_iter().rev().collect(),
            }
        })
        .collect();
    revs.reverse();
    for (i, r) in revs.iter_mut().enumerate() {
        r.index = i;
    }
    revs
}
