//! A tiny content-stream builder for the Form XObject: images, coloured text, clipping.

use std::fmt::Write as _;

use crate::font::{Font, GlyphSet};
use crate::pdf::{hex16, num};
use crate::AppearanceError;

/// The resource name of the font in the form's `/Resources`.
pub(crate) const FONT_RES: &str = "F1";

/// An RGB fill colour, components in 0..=1.
#[derive(Clone, Copy)]
pub(crate) struct Rgb(pub(crate) f64, pub(crate) f64, pub(crate) f64);

/// Pure black (Phụ lục I: attachment text is black).
pub(crate) const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
/// The ink blue of a handwritten signature, used for a name drawn instead of one.
pub(crate) const BLUE: Rgb = Rgb(0.0, 0.2, 0.6);

/// Operators collected so far, and the glyphs the text used.
pub(crate) struct Content<'f> {
    font: &'f Font,
    ops: String,
    pub(crate) glyphs: GlyphSet,
}

impl<'f> Content<'f> {
    pub(crate) fn new(font: &'f Font) -> Self {
        Self {
            font,
            ops: String::new(),
            glyphs: GlyphSet::new(),
        }
    }

    /// Clip everything to the box, so nothing is drawn outside the field's rectangle.
    pub(crate) fn clip(&mut self, width: f64, height: f64) {
        let _ = writeln!(self.ops, "0 0 {} {} re W n", num(width), num(height));
    }

    /// Draw image resource `name` into the rectangle (x, y, w, h).
    pub(crate) fn image(&mut self, name: &str, x: f64, y: f64, w: f64, h: f64) {
        let _ = writeln!(
            self.ops,
            "q {} 0 0 {} {} {} cm /{name} Do Q",
            num(w),
            num(h),
            num(x),
            num(y)
        );
    }

    /// Show `text` with its baseline starting at (x, y).
    pub(crate) fn text(
        &mut self,
        text: &str,
        size: f64,
        (x, y): (f64, f64),
        color: Rgb,
    ) -> Result<(), AppearanceError> {
        let mut hex = String::with_capacity(text.len() * 4);
        for c in text.chars() {
            let gid = self.font.glyph(c)?;
            self.glyphs.entry(gid).or_insert(c);
            hex16(&mut hex, gid);
        }
        let _ = writeln!(
            self.ops,
            "BT {} {} {} rg /{FONT_RES} {} Tf {} {} Td <{hex}> Tj ET",
            num(color.0),
            num(color.1),
            num(color.2),
            num(size),
            num(x),
            num(y)
        );
        Ok(())
    }

    /// A black horizontal rule from (x0, y) to (x1, y), `width` points thick.
    pub(crate) fn rule(&mut self, x0: f64, x1: f64, y: f64, width: f64) {
        let _ = writeln!(
            self.ops,
            "q 0 0 0 RG {} w {} {} m {} {} l S Q",
            num(width),
            num(x0),
            num(y),
            num(x1),
            num(y)
        );
    }

    pub(crate) fn into_bytes(self) -> (Vec<u8>, GlyphSet) {
        (self.ops.into_bytes(), self.glyphs)
    }
}
