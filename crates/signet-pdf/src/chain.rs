//! Following `startxref` and `/Prev` through the cross-reference sections, tolerating the
//! common defects, and turning sections into revisions.

use crate::document::{Revision, MAX_SECTIONS};
use crate::object::Object;
use crate::xref::{self, Section};
use crate::{PdfError, Result};
use std::collections::HashSet;

/// Reads the startxref chain. Returns revisions oldest first and whether anything was
/// found off its announced offset.
pub fn read_chain(data: &[u8]) -> Result<(Vec<Revision>, bool)> {
    let start =
        xref::find_startxref(data).ok_or_else(|| PdfError::Structure("no startxref".into()))?;
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
        let mut s = match (xref::read_section(data, off), sections.last()) {
            (Ok(s), _) => s,
            (Err(e), None) => return Err(e),
            // A broken /Prev: continue with the section the previous `startxref` in the
            // file announced (what the revision before this one ended with).
            (Err(e), Some(newer)) => match previous_section(data, newer.offset, &seen, &found) {
                Some((alt, s)) => {
                    patched = true;
                    seen.insert(alt);
                    s
                }
                None => return Err(e),
            },
        };
        if !found.insert(s.offset) {
            break; // reached an already-read section: a cycle
        }
        merge_xrefstm(data, &mut s)?;
        next = s
            .trailer
            .get(b"Prev")
            .and_then(Object::as_i64)
            .and_then(|p| usize::try_from(p).ok());
        sections.push(s);
    }
    let shifted = patched || sections.iter().any(|s| s.shifted);
    Ok((group(data, sections), shifted))
}

/// The section announced by the nearest `startxref` before `before` that parses and was
/// not visited yet (a few tries only).
fn previous_section(
    data: &[u8],
    before: usize,
    seen: &HashSet<usize>,
    found: &HashSet<usize>,
) -> Option<(usize, Section)> {
    xref::startxref_pointers(&data[..before.min(data.len())])
        .iter()
        .rev()
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

/// A hybrid section: entries of its `/XRefStm` fill the numbers the table leaves out.
fn merge_xrefstm(data: &[u8], s: &mut Section) -> Result<()> {
    let Some(off) = s.trailer.get(b"XRefStm").and_then(Object::as_i64) else {
        return Ok(());
    };
    let off = usize::try_from(off).map_err(|_| PdfError::Structure("bad /XRefStm".into()))?;
    let stm = xref::read_section(data, off)?;
    let known: HashSet<u32> = s.entries.iter().map(|(n, _)| *n).collect();
    s.entries
        .extend(stm.entries.into_iter().filter(|(n, _)| !known.contains(n)));
    Ok(())
}

/// Turns sections (newest first) into revisions (oldest first): one revision per section, as
/// pyHanko counts them. A linearized file's first-page section (whose `/Prev` points forward
/// to the main section) is thus a revision of its own, after the main one: viewing "as of"
/// the main section alone gives an incomplete document, which no signature ever covers.
///
/// A revision ends after the `%%EOF` that follows the `startxref` pointing at its section
/// (for linearized files that `startxref` sits after the main section), else after the first
/// `%%EOF` following the section.
fn group(data: &[u8], sections: Vec<Section>) -> Vec<Revision> {
    let pointers = xref::startxref_pointers(data);
    let mut revs: Vec<Revision> = sections
        .into_iter()
        .map(|s| {
            let end = pointers
                .iter()
                .filter(|(_, v)| *v == s.announced)
                .map(|(p, _)| *p)
                .find(|&p| p >= s.offset)
                .or_else(|| {
                    pointers
                        .iter()
                        .find(|(_, v)| *v == s.announced)
                        .map(|(p, _)| *p)
                })
                .map_or_else(
                    || xref::revision_end(data, s.offset),
                    |p| xref::revision_end(data, p),
                );
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
