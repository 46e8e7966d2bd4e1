//! The embedded font: Liberation Serif (Times New Roman metrics), measured with `ttf-parser`,
//! subset by our own glyph-keeping subsetter and written as a Type0/CIDFontType2 font.

mod objects;
mod subset;

use std::collections::BTreeMap;

use crate::AppearanceError;

pub(crate) use objects::write_font;

/// Liberation Serif Regular 2.1.5 (SIL OFL 1.1, see `fonts/`): metric-compatible with Times New
/// Roman, which Phụ lục I names, and it covers the precomposed Vietnamese letters.
static FONT_DATA: &[u8] = include_bytes!("../../fonts/LiberationSerif-Regular.ttf");

/// The PostScript name used (with a subset tag) as `/BaseFont`.
const POSTSCRIPT_NAME: &str = "LiberationSerif";

/// The parsed embedded font.
pub(crate) struct Font {
    face: ttf_parser::Face<'static>,
    units_per_em: f64,
}

/// Glyphs used by an appearance, with the character each one stands for (for `/ToUnicode`).
pub(crate) type GlyphSet = BTreeMap<u16, char>;

impl Font {
    /// Parse the embedded font (cheap: only the table directory is read).
    pub(crate) fn embedded() -> Result<Self, AppearanceError> {
        let face = ttf_parser::Face::parse(FONT_DATA, 0)
            .map_err(|_| AppearanceError::Font("the embedded font does not parse"))?;
        let units_per_em = f64::from(face.units_per_em());
        Ok(Self { face, units_per_em })
    }

    /// The raw font file.
    pub(crate) fn data(&self) -> &'static [u8] {
        FONT_DATA
    }

    /// The glyph for `c`. Control characters and characters the font lacks are errors rather
    /// than a silent `.notdef` box, so a wrong name is never signed unnoticed.
    pub(crate) fn glyph(&self, c: char) -> Result<u16, AppearanceError> {
        if c.is_control() {
            return Err(AppearanceError::MissingGlyph(c, u32::from(c)));
        }
        match self.face.glyph_index(c) {
            Some(g) if g.0 != 0 => Ok(g.0),
            _ => Err(AppearanceError::MissingGlyph(c, u32::from(c))),
        }
    }

    /// Advance width of a glyph in thousandths of the font size (PDF glyph space).
    pub(crate) fn advance_1000(&self, gid: u16) -> f64 {
        let adv = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        f64::from(adv) * 1000.0 / self.units_per_em
    }

    /// Width of `text` at `size` points (no kerning: the content stream does not kern either).
    pub(crate) fn width(&self, text: &str, size: f64) -> Result<f64, AppearanceError> {
        let mut total = 0.0;
        for c in text.chars() {
            total += self.advance_1000(self.glyph(c)?);
        }
        Ok(total * size / 1000.0)
    }

    /// Check that every character of `text` can be drawn.
    pub(crate) fn check(&self, text: &str) -> Result<(), AppearanceError> {
        text.chars().try_for_each(|c| self.glyph(c).map(|_| ()))
    }

    /// Ascender in thousandths of the font size.
    pub(crate) fn ascent_1000(&self) -> f64 {
        f64::from(self.face.ascender()) * 1000.0 / self.units_per_em
    }

    /// Descender (negative) in thousandths of the font size.
    pub(crate) fn descent_1000(&self) -> f64 {
        f64::from(self.face.descender()) * 1000.0 / self.units_per_em
    }

    fn cap_height_1000(&self) -> f64 {
        let cap = self.face.capital_height().unwrap_or(self.face.ascender());
        f64::from(cap) * 1000.0 / self.units_per_em
    }

    fn bbox_1000(&self) -> [f64; 4] {
        let r = self.face.global_bounding_box();
        let s = 1000.0 / self.units_per_em;
        [
            f64::from(r.x_min) * s,
            f64::from(r.y_min) * s,
            f64::from(r.x_max) * s,
            f64::from(r.y_max) * s,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_letters_have_glyphs() {
        let font = Font::embedded().unwrap();
        for c in "Ủy ban nhân dân tỉnh Lạc Hồng Thời gian ký ĐƯỢC ữ ỹ ặ".chars()
        {
            assert!(font.glyph(c).is_ok(), "{c}");
        }
        assert!(
            font.glyph('\u{4E2D}').is_err(),
            "no CJK in Liberation Serif"
        );
        assert!(font.glyph('\n').is_err());
    }

    #[test]
    fn widths_follow_times_metrics() {
        let font = Font::embedded().unwrap();
        // Times New Roman: 'm' is 778/1000 em, space 250/1000.
        assert!((font.width("m", 1000.0).unwrap() - 778.0).abs() < 1.0);
        assert!((font.width(" ", 10.0).unwrap() - 2.5).abs() < 0.01);
    }
}
