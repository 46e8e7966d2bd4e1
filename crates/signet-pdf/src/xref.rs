//! Cross-reference sections: classic tables and xref streams.

use crate::chars::is_delim_or_ws;
use crate::lexer::{Lexer, Token};
use crate::object::{Dictionary, Object};
use crate::parser::{self, find};
use crate::{PdfError, Result};

/// One cross-reference entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum XrefEntry {
    /// A free entry (the object is deleted in this revision).
    Free { gen: u16 },
    /// An object stored at a byte offset. Offset 0 is an invalid entry, kept as such.
    InUse { offset: u64, gen: u16 },
    /// An object inside an object stream.
    Compressed { stream: u32, index: u32 },
}

/// Which flavour a section was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum XrefKind {
    /// `xref` table and `trailer`.
    Table,
    /// A `/Type /XRef` stream.
    Stream,
    /// A table whose trailer has `/XRefStm` (a hybrid-reference file).
    Hybrid,
    /// No usable cross-reference: rebuilt by scanning the file.
    Recovered,
}

/// One parsed section.
#[derive(Debug, Clone)]
pub struct Section {
    pub offset: usize,
    pub kind: XrefKind,
    pub entries: Vec<(u32, XrefEntry)>,
    pub trailer: Dictionary,
    /// True when the section was found near, not at, the announced offset.
    pub shifted: bool,
    /// The offset a `startxref` or `/Prev` announced for this section.
    pub announced: usize,
}

/// Most entries one section may declare (bounded further by the file length).
const MAX_ENTRIES: usize = 10_000_000;
/// How far from an announced offset we look for a misplaced section.
pub(crate) const SLACK: usize = 64;

/// Parses the section at `offset`, tolerating an offset a few bytes off.
pub fn read_section(data: &[u8], offset: usize) -> Result<Section> {
    let mut s = read_section_inner(data, offset)?;
    s.announced = offset;
    Ok(s)
}

fn read_section_inner(data: &[u8], offset: usize) -> Result<Section> {
    match read_exact(data, offset) {
        Ok(s) => Ok(s),
        Err(e) => {
            let lo = offset.saturating_sub(SLACK);
            let hi = offset.saturating_add(SLACK).min(data.len());
            for cand in candidates(data, lo, hi) {
                if cand == offset {
                    continue;
                }
                if let Ok(mut s) = read_exact(data, cand) {
                    s.shifted = true;
                    return Ok(s);
                }
            }
            Err(e)
        }
    }
}

/// Start positions of `xref` keywords or digits at a line start within [lo, hi).
fn candidates(data: &[u8], lo: usize, hi: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (lo..hi)
        .filter(|&i| i == 0 || matches!(data[i - 1], b'\n' | b'\r' | b' '))
        .filter(|&i| data[i] == b'x' || data[i].is_ascii_digit())
        .collect();
    v.sort_by_key(|&i| i.abs_diff((lo + hi) / 2));
    v
}

fn read_exact(data: &[u8], offset: usize) -> Result<Section> {
    if offset >= data.len() {
        return Err(PdfError::Structure(format!(
            "xref offset {offset} beyond end of file"
        )));
    }
    let mut lx = Lexer::new(data, offset);
    lx.skip_ws();
    let at = lx.pos();
    // A section starts at a token boundary: an offset into the middle of `56 0 obj` (reading
    // `6 0 obj`) or of `startxref` (reading `xref`) is wrong, not a second section.
    if at > 0 && !is_delim_or_ws(data[at - 1]) {
        return Err(PdfError::syntax(
            at,
            "xref offset is not at a token boundary",
        ));
    }
    if data[at..].starts_with(b"xref") {
        read_table(data, at + 4, at)
    } else {
        read_stream(data, at)
    }
}

fn read_table(data: &[u8], pos: usize, offset: usize) -> Result<Section> {
    let mut lx = Lexer::new(data, pos);
    let mut entries = Vec::new();
    loop {
        let save = lx.pos();
        match lx.next_token()? {
            Some(Token::Integer(start)) => {
                let count = match lx.next_token()? {
                    Some(Token::Integer(c)) => c,
                    _ => return Err(PdfError::syntax(save, "bad xref subsection header")),
                };
                read_subsection(&mut lx, start, count, &mut entries)?;
            }
            Some(Token::Keyword(b"trailer")) => break,
            _ => {
                return Err(PdfError::syntax(
                    save,
                    "expected xref subsection or `trailer`",
                ))
            }
        }
    }
    let tpos = lx.pos();
    let trailer = match parser::parse_object(&mut lx, 0)? {
        Object::Dictionary(d) => d,
        _ => return Err(PdfError::syntax(tpos, "trailer is not a dictionary")),
    };
    let kind = if trailer.contains(b"XRefStm") {
        XrefKind::Hybrid
    } else {
        XrefKind::Table
    };
    Ok(Section {
        offset,
        kind,
        entries,
        trailer,
        shifted: false,
        announced: 0,
    })
}

fn read_subsection(
    lx: &mut Lexer<'_>,
    start: i64,
    count: i64,
    out: &mut Vec<(u32, XrefEntry)>,
) -> Result<()> {
    let remaining = lx.data().len().saturating_sub(lx.pos());
    let (Ok(start), Ok(count)) = (u32::try_from(start), usize::try_from(count)) else {
        return Err(PdfError::syntax(lx.pos(), "negative xref subsection"));
    };
    // Each entry takes at least 18 bytes: a count beyond that is a lie, not an allocation.
    if count > remaining / 18 + 1 || out.len() + count > MAX_ENTRIES {
        return Err(PdfError::Limit(format!(
            "xref subsection of {count} entries"
        )));
    }
    for i in 0..count {
        let at = lx.pos();
        let (Some(Token::Integer(off)), Some(Token::Integer(gen)), Some(Token::Keyword(k))) =
            (lx.next_token()?, lx.next_token()?, lx.next_token()?)
        else {
            return Err(PdfError::syntax(at, "bad xref entry"));
        };
        let num = start
            .checked_add(i as u32)
            .ok_or_else(|| PdfError::syntax(at, "object number overflow"))?;
        let gen = u16::try_from(gen).unwrap_or(u16::MAX);
        let entry = match k {
            b"n" => XrefEntry::InUse {
                offset: u64::try_from(off).unwrap_or(0),
                gen,
            },
            b"f" => XrefEntry::Free { gen },
            _ => return Err(PdfError::syntax(at, "xref entry type is not n or f")),
        };
        out.push((num, entry));
    }
    Ok(())
}

fn read_stream(data: &[u8], pos: usize) -> Result<Section> {
    let ind = parser::parse_indirect(data, pos, &|_| None)?;
    let Object::Stream(stream) = ind.object else {
        return Err(PdfError::syntax(
            pos,
            "xref offset points to neither a table nor a stream",
        ));
    };
    if !stream.dict.name_is(b"Type", b"XRef") {
        return Err(PdfError::syntax(
            pos,
            "stream at xref offset is not /Type /XRef",
        ));
    }
    let decoded = stream.decoded_limited(data.len().saturating_mul(4).max(1 << 20))?;
    let entries = stream_entries(&stream.dict, &decoded, pos)?;
    let trailer = stream_trailer(stream.dict);
    Ok(Section {
        offset: pos,
        kind: XrefKind::Stream,
        entries,
        trailer,
        shifted: false,
        announced: 0,
    })
}

fn widths(dict: &Dictionary, pos: usize) -> Result<[usize; 3]> {
    let w = dict
        .get(b"W")
        .and_then(Object::as_array)
        .ok_or_else(|| PdfError::syntax(pos, "xref stream without /W"))?;
    let mut out = [0usize; 3];
    for (i, slot) in out.iter_mut().enumerate() {
        let v = w.get(i).and_then(Object::as_i64).unwrap_or(0);
        *slot = usize::try_from(v)
            .ok()
            .filter(|&v| v <= 8)
            .ok_or_else(|| PdfError::syntax(pos, "bad /W width"))?;
    }
    Ok(out)
}

fn stream_entries(dict: &Dictionary, data: &[u8], pos: usize) -> Result<Vec<(u32, XrefEntry)>> {
    let w = widths(dict, pos)?;
    let row = w[0] + w[1] + w[2];
    if row == 0 {
        return Err(PdfError::syntax(pos, "xref stream /W is all zeros"));
    }
    let size = dict.get(b"Size").and_then(Object::as_i64).unwrap_or(0);
    let index: Vec<i64> = match dict.get(b"Index").and_then(Object::as_array) {
        Some(a) => a.iter().map(|o| o.as_i64().unwrap_or(-1)).collect(),
        None => vec![0, size],
    };
    let mut rows = data.chunks_exact(row);
    let mut out = Vec::new();
    for pair in index.chunks(2) {
        let [start, count] = pair else { break };
        let (Ok(start), Ok(count)) = (u32::try_from(*start), usize::try_from(*count)) else {
            return Err(PdfError::syntax(pos, "bad xref stream /Index"));
        };
        for i in 0..count {
            // Fewer rows than /Index promises: stop at the data (other readers do too).
            let Some(r) = rows.next() else { return Ok(out) };
            let Some(num) = start.checked_add(i as u32) else {
                return Ok(out);
            };
            if let Some(e) = decode_row(r, w) {
                out.push((num, e));
            }
        }
    }
    Ok(out)
}

fn field(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b))
}

fn decode_row(r: &[u8], w: [usize; 3]) -> Option<XrefEntry> {
    let t = if w[0] == 0 { 1 } else { field(&r[..w[0]]) };
    let f2 = field(&r[w[0]..w[0] + w[1]]);
    let f3 = field(&r[w[0] + w[1]..]);
    match t {
        0 => Some(XrefEntry::Free {
            gen: u16::try_from(f3).unwrap_or(u16::MAX),
        }),
        1 => Some(XrefEntry::InUse {
            offset: f2,
            gen: u16::try_from(f3).unwrap_or(u16::MAX),
        }),
        2 => Some(XrefEntry::Compressed {
            stream: u32::try_from(f2).ok()?,
            index: u32::try_from(f3).ok()?,
        }),
        // Unknown types are to be ignored (treated as null references) per ISO 32000.
        _ => None,
    }
}

/// The value after the last `startxref`, if any.
pub fn find_startxref(data: &[u8]) -> Option<usize> {
    let tail_start = data.len().saturating_sub(4096);
    let pos = parser::rfind(&data[tail_start..], b"startxref")
        .map(|p| p + tail_start)
        .or_else(|| parser::rfind(data, b"startxref"))?;
    let mut lx = Lexer::new(data, pos + 9);
    match lx.next_token() {
        Ok(Some(Token::Integer(n))) => usize::try_from(n).ok(),
        _ => None,
    }
}

/// Positions of every `%%EOF` marker.
pub fn eof_positions(data: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = find(&data[from..], b"%%EOF") {
        out.push(from + rel);
        from += rel + 5;
    }
    out
}

/// `pos` moved past one EOL (CRLF, LF or CR), if there is one.
pub fn after_eol(data: &[u8], mut pos: usize) -> usize {
    if data.get(pos) == Some(&b'\r') {
        pos += 1;
    }
    if data.get(pos) == Some(&b'\n') {
        pos += 1;
    }
    pos
}

/// Every `startxref N` in the file: (position of the keyword, N).
pub fn startxref_pointers(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = find(&data[from..], b"startxref") {
        let at = from + rel;
        from = at + 9;
        let mut lx = Lexer::new(data, at + 9);
        if let Ok(Some(Token::Integer(n))) = lx.next_token() {
            if let Ok(n) = usize::try_from(n) {
                out.push((at, n));
            }
        }
    }
    out
}

/// An xref stream's dictionary as a trailer: without the keys that describe the stream.
pub(crate) fn stream_trailer(mut dict: Dictionary) -> Dictionary {
    for k in [
        &b"Length"[..],
        b"Filter",
        b"DecodeParms",
        b"W",
        b"Index",
        b"Type",
    ] {
        dict.remove(k);
    }
    dict
}
