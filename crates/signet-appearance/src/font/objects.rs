//! The PDF objects of the embedded subset font: Type0 → CIDFontType2 → FontDescriptor →
//! FontFile2, with Identity-H encoding (2-byte CIDs equal to glyph ids) and a `/ToUnicode`
//! CMap so that text extraction gives back the Vietnamese characters.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::{subset::subset, Font, GlyphSet, POSTSCRIPT_NAME};
use crate::pdf::{hex16, literal, num, stream};
use crate::{AppearanceError, ObjectSink};

/// Entries per `beginbfchar` block (the CMap format allows at most 100).
const BFCHAR_BLOCK: usize = 100;

/// Write the font objects for `used` and return the Type0 font's object number.
pub(crate) fn write_font(
    font: &Font,
    used: &GlyphSet,
    sink: &mut dyn ObjectSink,
) -> Result<u32, AppearanceError> {
    let gids: BTreeSet<u16> = used.keys().copied().collect();
    let file = subset(font.data(), &gids)?;
    let base_font = format!("{}+{POSTSCRIPT_NAME}", subset_tag(&gids));

    let file_num = sink.reserve();
    let dict = format!("/Length1 {}", file.len());
    sink.put(file_num, stream(&dict, &file));

    let descriptor_num = sink.reserve();
    sink.put(
        descriptor_num,
        descriptor(font, &base_font, file_num).into_bytes(),
    );

    let cid_num = sink.reserve();
    sink.put(
        cid_num,
        cid_font(font, used, &base_font, descriptor_num).into_bytes(),
    );

    let cmap_num = sink.reserve();
    sink.put(cmap_num, stream("", to_unicode(used).as_bytes()));

    let type0_num = sink.reserve();
    let type0 = format!(
        "<< /Type /Font /Subtype /Type0 /BaseFont /{base_font} /Encoding /Identity-H \
         /DescendantFonts [{cid_num} 0 R] /ToUnicode {cmap_num} 0 R >>"
    );
    sink.put(type0_num, type0.into_bytes());
    Ok(type0_num)
}

/// Six capital letters derived from the glyph set, as PDF requires for a subset's name; the
/// same glyphs give the same tag, so output is reproducible.
fn subset_tag(gids: &BTreeSet<u16>) -> String {
    let mut hasher = Sha256::new();
    for g in gids {
        hasher.update(g.to_be_bytes());
    }
    hasher.finalize()[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

fn descriptor(font: &Font, base_font: &str, file_num: u32) -> String {
    let [x0, y0, x1, y1] = font.bbox_1000();
    // Flags: Serif (2) + Symbolic (4): symbolic because the glyphs are not addressed through a
    // standard Latin encoding (Identity-H), as PDF 32000 §9.8.2 advises for CID fonts.
    format!(
        "<< /Type /FontDescriptor /FontName /{base_font} /Flags 6 /FontBBox [{} {} {} {}] \
         /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 {file_num} 0 R >>",
        num(x0),
        num(y0),
        num(x1),
        num(y1),
        num(font.ascent_1000()),
        num(font.descent_1000()),
        num(font.cap_height_1000()),
    )
}

fn cid_font(font: &Font, used: &GlyphSet, base_font: &str, descriptor_num: u32) -> String {
    let mut widths = String::new();
    for gid in used.keys() {
        let _ = write!(widths, "{gid} [{}] ", num(font.advance_1000(*gid)));
    }
    format!(
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base_font} \
         /CIDSystemInfo << /Registry {} /Ordering {} /Supplement 0 >> \
         /FontDescriptor {descriptor_num} 0 R /DW 1000 /W [{}] /CIDToGIDMap /Identity >>",
        literal("Adobe"),
        literal("Identity"),
        widths.trim_end()
    )
}

/// The `/ToUnicode` CMap: each CID (= glyph id) to the UTF-16BE of its character.
fn to_unicode(used: &GlyphSet) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(&u16, &char)> = used.iter().collect();
    for block in entries.chunks(BFCHAR_BLOCK) {
        let _ = writeln!(out, "{} beginbfchar", block.len());
        for (gid, c) in block {
            out.push('<');
            hex16(&mut out, **gid);
            out.push_str("> <");
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                hex16(&mut out, *u);
            }
            out.push_str(">\n");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_maps_glyphs_to_utf16() {
        let mut used = GlyphSet::new();
        used.insert(0x0102, 'Ủ');
        used.insert(0x0005, '😀');
        let cmap = to_unicode(&used);
        assert!(cmap.contains("2 beginbfchar\n<0005> <D83DDE00>\n<0102> <1EE6>\n"));
    }

    #[test]
    fn subset_tags_are_six_capitals_and_stable() {
        let a: BTreeSet<u16> = [1, 2, 3].into();
        let tag = subset_tag(&a);
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(tag, subset_tag(&a));
        assert_ne!(tag, subset_tag(&[1, 2].into()));
    }
}
