//! A TrueType subsetter that keeps glyph ids.
//!
//! Why our own rather than the `subsetter` crate: an appearance needs a few dozen glyphs of one
//! known TrueType font, and keeping glyph ids makes the PDF side trivial and hard to get wrong
//! (`/CIDToGIDMap /Identity`, CID = GID; `hmtx` and composite glyph references stay valid with
//! no renumbering). Unused glyphs become empty entries in `loca`/`glyf`, which is where almost
//! all of the size is. Composite glyphs pull in their components (Vietnamese letters are often
//! base + accent composites). Tables a PDF renderer does not need (`cmap`, `name`, layout
//! tables, `kern`) are dropped; `post` is cut to its 32-byte format 3 header.

use std::collections::BTreeSet;

use crate::AppearanceError;

/// Tables copied as they are (hinting programs are kept: glyph instructions call into them).
const COPIED: [&[u8; 4]; 7] = [
    b"OS/2", b"cvt ", b"fpgm", b"hhea", b"hmtx", b"maxp", b"prep",
];

/// Composite glyph nesting allowed (the TrueType spec has no limit; real fonts use 1–2).
const MAX_COMPONENT_DEPTH: usize = 8;

fn err(what: &'static str) -> AppearanceError {
    AppearanceError::Font(what)
}

fn u16_at(data: &[u8], at: usize) -> Result<u16, AppearanceError> {
    let b = data.get(at..at + 2).ok_or(err("truncated font table"))?;
    Ok(u16::from_be_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], at: usize) -> Result<u32, AppearanceError> {
    let b = data.get(at..at + 4).ok_or(err("truncated font table"))?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Find a table in the font's table directory.
fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Result<&'a [u8], AppearanceError> {
    let count = usize::from(u16_at(font, 4)?);
    for i in 0..count {
        let rec = 12 + 16 * i;
        if font.get(rec..rec + 4) == Some(&tag[..]) {
            let off = u32_at(font, rec + 8)? as usize;
            let len = u32_at(font, rec + 12)? as usize;
            return font
                .get(off..off.saturating_add(len))
                .ok_or(err("font table out of bounds"));
        }
    }
    Err(err("font table missing"))
}

/// The `glyf` and `loca` tables of the source font, read as glyph byte ranges.
struct Glyphs<'a> {
    glyf: &'a [u8],
    loca: &'a [u8],
    long_loca: bool,
    count: u16,
}

impl<'a> Glyphs<'a> {
    fn new(font: &'a [u8]) -> Result<Self, AppearanceError> {
        let head = table(font, b"head")?;
        Ok(Self {
            glyf: table(font, b"glyf")?,
            loca: table(font, b"loca")?,
            long_loca: u16_at(head, 50)? == 1,
            count: u16_at(table(font, b"maxp")?, 4)?,
        })
    }

    fn data(&self, gid: u16) -> Result<&'a [u8], AppearanceError> {
        if gid >= self.count {
            return Err(err("glyph id out of range"));
        }
        let i = usize::from(gid);
        let (start, end) = if self.long_loca {
            (u32_at(self.loca, 4 * i)?, u32_at(self.loca, 4 * i + 4)?)
        } else {
            let s = u32::from(u16_at(self.loca, 2 * i)?) * 2;
            (s, u32::from(u16_at(self.loca, 2 * i + 2)?) * 2)
        };
        if end < start {
            return Err(err("loca offsets decrease"));
        }
        self.glyf
            .get(start as usize..end as usize)
            .ok_or(err("glyph data out of bounds"))
    }
}

/// Component glyph ids of a composite glyph (empty for a simple or empty glyph).
fn components(glyph: &[u8]) -> Result<Vec<u16>, AppearanceError> {
    const ARGS_ARE_WORDS: u16 = 0x0001;
    const HAVE_SCALE: u16 = 0x0008;
    const MORE: u16 = 0x0020;
    const XY_SCALE: u16 = 0x0040;
    const TWO_BY_TWO: u16 = 0x0080;
    if glyph.len() < 10 || i16::from_be_bytes([glyph[0], glyph[1]]) >= 0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut at = 10;
    loop {
        let flags = u16_at(glyph, at)?;
        out.push(u16_at(glyph, at + 2)?);
        at += 4 + if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
        at += if flags & HAVE_SCALE != 0 {
            2
        } else if flags & XY_SCALE != 0 {
            4
        } else if flags & TWO_BY_TWO != 0 {
            8
        } else {
            0
        };
        if flags & MORE == 0 || out.len() > usize::from(u16::MAX) {
            return Ok(out);
        }
    }
}

/// `gids` plus `.notdef` plus every component of a composite, transitively.
fn closure(glyphs: &Glyphs, gids: &BTreeSet<u16>) -> Result<BTreeSet<u16>, AppearanceError> {
    let mut keep: BTreeSet<u16> = gids.iter().copied().collect();
    keep.insert(0);
    let mut frontier: Vec<u16> = keep.iter().copied().collect();
    for _ in 0..MAX_COMPONENT_DEPTH {
        let mut next = Vec::new();
        for gid in frontier {
            for c in components(glyphs.data(gid)?)? {
                if keep.insert(c) {
                    next.push(c);
                }
            }
        }
        if next.is_empty() {
            return Ok(keep);
        }
        frontier = next;
    }
    Err(err("composite glyphs nested too deeply"))
}

/// New `glyf` and long-format `loca`: kept glyphs copied (4-byte aligned), others empty.
fn rebuild(glyphs: &Glyphs, keep: &BTreeSet<u16>) -> Result<(Vec<u8>, Vec<u8>), AppearanceError> {
    let mut glyf = Vec::new();
    let mut loca = Vec::with_capacity(4 * (usize::from(glyphs.count) + 1));
    for gid in 0..glyphs.count {
        loca.extend_from_slice(&offset32(glyf.len())?);
        if keep.contains(&gid) {
            glyf.extend_from_slice(glyphs.data(gid)?);
            glyf.resize(glyf.len().next_multiple_of(4), 0);
        }
    }
    loca.extend_from_slice(&offset32(glyf.len())?);
    Ok((glyf, loca))
}

fn offset32(v: usize) -> Result<[u8; 4], AppearanceError> {
    u32::try_from(v)
        .map(u32::to_be_bytes)
        .map_err(|_| err("subset font too large"))
}

/// Subset `font` to `gids` (and what they need). The result is a complete TrueType file.
pub(crate) fn subset(font: &[u8], gids: &BTreeSet<u16>) -> Result<Vec<u8>, AppearanceError> {
    let glyphs = Glyphs::new(font)?;
    let keep = closure(&glyphs, gids)?;
    let (glyf, loca) = rebuild(&glyphs, &keep)?;
    let mut head = table(font, b"head")?.to_vec();
    if head.len() < 54 {
        return Err(err("head table too short"));
    }
    head[8..12].fill(0); // checkSumAdjustment, recomputed below
    head[50..52].copy_from_slice(&1u16.to_be_bytes()); // long loca
    let mut post = table(font, b"post")?
        .get(..32)
        .ok_or(err("post too short"))?
        .to_vec();
    post[0..4].copy_from_slice(&0x0003_0000u32.to_be_bytes()); // format 3: no glyph names
    let mut tables: Vec<([u8; 4], Vec<u8>)> = vec![
        (*b"glyf", glyf),
        (*b"head", head),
        (*b"loca", loca),
        (*b"post", post),
    ];
    for tag in COPIED {
        tables.push((*tag, table(font, tag)?.to_vec()));
    }
    tables.sort_by_key(|t| t.0);
    assemble(&tables)
}

/// TrueType checksum: the sum of big-endian u32 words, the tail zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

/// Write the offset table, the table directory and the 4-byte aligned tables.
fn assemble(tables: &[([u8; 4], Vec<u8>)]) -> Result<Vec<u8>, AppearanceError> {
    let n = u16::try_from(tables.len()).map_err(|_| err("too many tables"))?;
    let entry_selector = 15 - n.leading_zeros() as u16; // floor(log2 n), n >= 1
    let search_range = (1u16 << entry_selector) * 16;
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [n, search_range, entry_selector, n * 16 - search_range] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in tables {
        if tag == b"head" {
            head_at = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&offset32(offset)?);
        out.extend_from_slice(&offset32(data.len())?);
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in tables {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    let head_at = head_at.ok_or(err("no head table"))?;
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    out[head_at + 8..head_at + 12].copy_from_slice(&adjust.to_be_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::Font;

    #[test]
    fn subset_keeps_used_glyphs_and_components() {
        let font = Font::embedded().unwrap();
        let gids: BTreeSet<u16> = "Lạc Hồng".chars().map(|c| font.glyph(c).unwrap()).collect();
        let sub = subset(font.data(), &gids).unwrap();
        assert!(sub.len() * 5 < font.data().len(), "{} bytes", sub.len());
        // The subset parses, and its glyphs have the same outlines as the original ones.
        let original = ttf_parser::Face::parse(font.data(), 0).unwrap();
        let parsed = ttf_parser::Face::parse(&sub, 0).unwrap();
        assert_eq!(parsed.number_of_glyphs(), original.number_of_glyphs());
        for gid in &gids {
            let g = ttf_parser::GlyphId(*gid);
            assert_eq!(parsed.glyph_bounding_box(g), original.glyph_bounding_box(g));
            assert!(parsed.glyph_bounding_box(g).is_some() || *gid == font.glyph(' ').unwrap());
        }
        // A glyph not asked for is empty.
        let z = ttf_parser::GlyphId(font.glyph('Z').unwrap());
        assert!(original.glyph_bounding_box(z).is_some());
        assert!(parsed.glyph_bounding_box(z).is_none());
        // The whole-file checksum is the magic number.
        assert_eq!(checksum(&sub), 0xB1B0_AFBA);
    }
}
