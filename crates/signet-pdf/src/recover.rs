//! Rebuilding a cross-reference by scanning for `N G obj`, for files whose xref is broken.

use crate::chars::{is_delim_or_ws, is_ws};
use crate::lexer::{Lexer, Token};
use crate::object::{Dictionary, Object};
use crate::parser::{self, find};
use crate::revision::Revision;
use crate::xref::{self, XrefEntry, XrefKind};
use crate::{PdfError, Result};
use std::collections::HashMap;

/// Every `N G obj` header in the file: number → [(generation, offset)] in file order.
pub fn scan_objects(data: &[u8]) -> HashMap<u32, Vec<(u16, usize)>> {
    let mut out: HashMap<u32, Vec<(u16, usize)>> = HashMap::new();
    let mut from = 0;
    while let Some(rel) = find(&data[from..], b"obj") {
        let at = from + rel;
        from = at + 3;
        let followed_ok = data.get(at + 3).is_none_or(|&b| is_delim_or_ws(b));
        if !followed_ok || at == 0 || !is_ws(data[at - 1]) {
            continue;
        }
        match header_before(data, at) {
            // Object 0 is the free-list head, never an object.
            Some((0, _, _)) | None => {}
            Some((num, gen, start)) => out.entry(num).or_default().push((gen, start)),
        }
    }
    out
}

/// Reads `N G ` backwards from the `obj` keyword at `at`.
fn header_before(data: &[u8], at: usize) -> Option<(u32, u16, usize)> {
    let mut i = at;
    let skip_ws = |i: &mut usize| {
        while *i > 0 && is_ws(data[*i - 1]) {
            *i -= 1;
        }
    };
    let digits = |i: &mut usize| -> Option<(u64, usize)> {
        let end = *i;
        while *i > 0 && data[*i - 1].is_ascii_digit() && end - *i < 10 {
            *i -= 1;
        }
        if *i == end {
            return None;
        }
        let v = std::str::from_utf8(&data[*i..end]).ok()?.parse().ok()?;
        Some((v, *i))
    };
    skip_ws(&mut i);
    let (gen, _) = digits(&mut i)?;
    skip_ws(&mut i);
    let (num, start) = digits(&mut i)?;
    if start > 0 && !is_delim_or_ws(data[start - 1]) {
        return None;
    }
    Some((u32::try_from(num).ok()?, u16::try_from(gen).ok()?, start))
}

/// Builds one revision from a scan: the last definition of each object wins; the trailer is
/// the last `trailer` dictionary (or xref stream dictionary) naming a `/Root`, else a
/// `/Type /Catalog` object found in the scan.
pub fn rebuild(data: &[u8]) -> Result<Revision> {
    let scan = scan_objects(data);
    let mut entries: HashMap<u32, XrefEntry> = HashMap::new();
    for (num, defs) in &scan {
        if let Some((gen, off)) = defs.last() {
            entries.insert(
                *num,
                XrefEntry::InUse {
                    offset: *off as u64,
                    gen: *gen,
                },
            );
        }
    }
    let mut trailer = find_trailer(data, &scan).unwrap_or_default();
    add_objstm_entries(data, &scan, &mut entries);
    if trailer.get(b"Root").and_then(Object::as_ref).is_none() {
        let root = find_catalog(data, &scan).ok_or_else(|| {
            PdfError::Structure("no usable xref, trailer or catalog found".into())
        })?;
        trailer.set(b"Root", Object::Reference(root));
    }
    let size = entries.keys().max().map_or(1, |m| i64::from(*m) + 1);
    trailer.set(
        b"Size",
        Object::Integer(size.max(trailer.get(b"Size").and_then(Object::as_i64).unwrap_or(0))),
    );
    trailer.remove(b"Prev");
    Ok(Revision {
        index: 0,
        xref_offset: 0,
        end: data.len(),
        kind: XrefKind::Recovered,
        trailer,
        entries,
    })
}

fn find_trailer(data: &[u8], scan: &HashMap<u32, Vec<(u16, usize)>>) -> Option<Dictionary> {
    let mut best: Option<(usize, Dictionary)> = None;
    let mut from = 0;
    while let Some(rel) = find(&data[from..], b"trailer") {
        let at = from + rel;
        from = at + 7;
        let mut lx = Lexer::new(data, at + 7);
        if let Ok(Object::Dictionary(d)) = parser::parse_object(&mut lx, 0) {
            if d.contains(b"Root") {
                best = Some((at, d));
            }
        }
    }
    // Xref stream dictionaries also carry the trailer keys.
    for defs in scan.values() {
        for (_, off) in defs {
            if best.as_ref().is_some_and(|(b, _)| b > off) {
                continue;
            }
            if let Some(d) = xref_stream_dict(data, *off) {
                best = Some((*off, d));
            }
        }
    }
    best.map(|(_, d)| d)
}

/// The dictionary of an xref stream object at `off` (without decoding its data).
fn xref_stream_dict(data: &[u8], off: usize) -> Option<Dictionary> {
    let (_, after) = parser::object_header(data, off).ok()?;
    let mut lx = Lexer::new(data, after);
    let window = &data[after..data.len().min(after + 64)];
    // Cheap pre-check before parsing a dictionary that is probably not an xref stream.
    find(window, b"XRef")?;
    match parser::parse_object(&mut lx, 0).ok()? {
        Object::Dictionary(d) if d.name_is(b"Type", b"XRef") && d.contains(b"Root") => {
            Some(xref::stream_trailer(d))
        }
        _ => None,
    }
}

fn find_catalog(data: &[u8], scan: &HashMap<u32, Vec<(u16, usize)>>) -> Option<crate::ObjRef> {
    let mut found = None;
    for (num, defs) in scan {
        let Some((gen, off)) = defs.last() else {
            continue;
        };
        let (_, after) = parser::object_header(data, *off).ok()?;
        let mut lx = Lexer::new(data, after);
        if let Ok(Object::Dictionary(d)) = parser::parse_object(&mut lx, 0) {
            if d.name_is(b"Type", b"Catalog") {
                let r = crate::ObjRef::new(*num, *gen);
                // Prefer the catalog defined last in the file.
                if found.is_none_or(|(o, _)| o < *off) {
                    found = Some((*off, r));
                }
            }
        }
    }
    found.map(|(_, r)| r)
}

/// Objects inside object streams become compressed entries unless defined directly.
fn add_objstm_entries(
    data: &[u8],
    scan: &HashMap<u32, Vec<(u16, usize)>>,
    entries: &mut HashMap<u32, XrefEntry>,
) {
    for (num, defs) in scan {
        let Some((_, off)) = defs.last() else {
            continue;
        };
        let Ok(ind) = parser::parse_indirect(data, *off, &|_| None) else {
            continue;
        };
        let Object::Stream(s) = ind.object else {
            continue;
        };
        if !s.dict.name_is(b"Type", b"ObjStm") {
            continue;
        }
        let Ok(decoded) = s.decoded_limited(data.len().saturating_mul(64).max(1 << 20)) else {
            continue;
        };
        let n = s
            .dict
            .get(b"N")
            .and_then(Object::as_i64)
            .unwrap_or(0)
            .clamp(0, 1_000_000);
        let mut lx = Lexer::new(&decoded, 0);
        for index in 0..n {
            let (Ok(Some(Token::Integer(obj))), Ok(Some(Token::Integer(_)))) =
                (lx.next_token(), lx.next_token())
            else {
                break;
            };
            let Ok(obj) = u32::try_from(obj) else {
                continue;
            };
            entries.entry(obj).or_insert(XrefEntry::Compressed {
                stream: *num,
                index: index as u32,
            });
        }
    }
}
