//! The copy form of an electronic copy (Nghị định 30 Phụ lục I, "bản sao"): under a full-width
//! rule, the copying agency's name and the copy's number and notation on the left, the form
//! ("SAO Y", "SAO LỤC", "TRÍCH SAO") and the place and date on the right, then "Nơi nhận:"
//! and the recipients. Drawn as a Form XObject the size of a page, in the embedded font, so
//! `pdftotext` reads it. The agency's seal is not part of it: an electronic copy is signed at
//! the top right of its first page ([`crate::top_right_rect`]).

use crate::content::{Content, BLACK};
use crate::font::{write_font, Font};
use crate::pdf::{num, stream};
use crate::text::{wrap, LEADING};
use crate::{AppearanceError, ObjectSink};

/// Space from the page's edges.
const MARGIN: f64 = 56.0;
const HEADING: f64 = 13.0;
const BODY: f64 = 12.0;
const SMALL: f64 = 11.0;

/// What the copy form says.
#[derive(Debug, Clone, Copy)]
pub struct CopyForm<'a> {
    /// `SAO Y`, `SAO LỤC` or `TRÍCH SAO`.
    pub form: &'a str,
    /// The copying agency's name.
    pub agency: &'a str,
    /// The copy's number and notation, e.g. `5/SY-UBND`.
    pub notation: &'a str,
    /// Place and date, e.g. `Hà Nội, ngày 04 tháng 12 năm 2026`.
    pub place_and_date: &'a str,
    /// Nơi nhận.
    pub recipients: &'a [String],
    /// A line under the heading saying what was copied (e.g. the original's notation and,
    /// for a trích sao, its pages); may be empty.
    pub note: &'a str,
}

/// Renders `form` into a Form XObject of `width` × `height` points (a page); returns its
/// object number. Characters the font lacks are refused.
pub fn render_copy_form(
    width: f64,
    height: f64,
    form: &CopyForm,
    sink: &mut dyn ObjectSink,
) -> Result<u32, AppearanceError> {
    let font = Font::embedded()?;
    for t in [
        form.form,
        form.agency,
        form.notation,
        form.place_and_date,
        form.note,
    ] {
        font.check(t)?;
    }
    for r in form.recipients {
        font.check(r)?;
    }
    let mut c = Content::new(&font);
    c.clip(width, height);
    let top = height - MARGIN;
    c.rule(MARGIN, width - MARGIN, top, 0.75);
    let half = (width - 2.0 * MARGIN) / 2.0;
    let left = (MARGIN, MARGIN + half - 6.0);
    let right = (MARGIN + half + 6.0, width - MARGIN);
    // Left: the agency (upper case, wrapped), then the number.
    let mut y = top - 8.0;
    let agency = form.agency.trim().to_uppercase();
    for line in wrap(&font, &[agency], BODY, left.1 - left.0, true)?.unwrap_or_default() {
        y -= BODY * LEADING;
        centred(&mut c, &font, &line, BODY, left, y)?;
    }
    let rule_w = 60.0_f64.min(left.1 - left.0);
    let mid = (left.0 + left.1) / 2.0;
    c.rule(mid - rule_w / 2.0, mid + rule_w / 2.0, y - 4.0, 0.5);
    y -= BODY * LEADING + 8.0;
    centred(
        &mut c,
        &font,
        &format!("Số: {}", form.notation.trim()),
        HEADING,
        left,
        y,
    )?;
    let left_bottom = y;
    // Right: the form, then the place and date.
    let mut y = top - 8.0 - HEADING * LEADING;
    centred(&mut c, &font, form.form.trim(), HEADING, right, y)?;
    for line in wrap(
        &font,
        &[form.place_and_date.trim().to_owned()],
        BODY,
        right.1 - right.0,
        true,
    )?
    .unwrap_or_default()
    {
        y -= BODY * LEADING + 4.0;
        centred(&mut c, &font, &line, BODY, right, y)?;
    }
    let mut y = left_bottom.min(y) - 2.0 * BODY;
    if !form.note.trim().is_empty() {
        for line in wrap(
            &font,
            &[form.note.trim().to_owned()],
            SMALL,
            width - 2.0 * MARGIN,
            true,
        )?
        .unwrap_or_default()
        {
            c.text(&line, SMALL, (MARGIN, y), BLACK)?;
            y -= SMALL * LEADING;
        }
        y -= BODY;
    }
    // Nơi nhận.
    c.text("Nơi nhận:", BODY, (MARGIN, y), BLACK)?;
    let last = form.recipients.len().saturating_sub(1);
    for (i, r) in form.recipients.iter().enumerate() {
        let end = if i == last { "." } else { ";" };
        let text = format!("- {}{end}", r.trim().trim_end_matches([';', '.']));
        for line in wrap(&font, &[text], SMALL, half, true)?.unwrap_or_default() {
            y -= SMALL * LEADING;
            if y < MARGIN {
                break;
            }
            c.text(&line, SMALL, (MARGIN, y), BLACK)?;
        }
    }
    let (ops, glyphs) = c.into_bytes();
    let n = write_font(&font, &glyphs, sink)?;
    let dict = format!(
        "/Type /XObject /Subtype /Form /BBox [0 0 {} {}] /Resources << /Font << /F1 {n} 0 R >> >>",
        num(width),
        num(height)
    );
    let f = sink.reserve();
    sink.put(f, stream(&dict, &ops));
    Ok(f)
}

/// `text` centred between `x0` and `x1` with its baseline at `y`.
fn centred(
    c: &mut Content,
    font: &Font,
    text: &str,
    size: f64,
    (x0, x1): (f64, f64),
    y: f64,
) -> Result<(), AppearanceError> {
    let w = font.width(text, size)?;
    let x = x0 + ((x1 - x0) - w).max(0.0) / 2.0;
    c.text(text, size, (x, y), BLACK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Objects(Vec<(u32, Vec<u8>)>, u32);

    impl ObjectSink for Objects {
        fn reserve(&mut self) -> u32 {
            self.1 += 1;
            self.1
        }
        fn put(&mut self, num: u32, body: Vec<u8>) {
            self.0.push((num, body));
        }
    }

    #[test]
    fn the_form_is_drawn_and_refuses_what_the_font_cannot_show() {
        let recipients = vec!["Sở Nội vụ".to_owned(), "Lưu: VT".to_owned()];
        let form = CopyForm {
            form: "TRÍCH SAO",
            agency: "Ủy ban nhân dân tỉnh Hưng Yên",
            notation: "6/TS-UBND",
            place_and_date: "Hưng Yên, ngày 04 tháng 12 năm 2026",
            recipients: &recipients,
            note: "Trích sao trang 1 của văn bản số 12/QĐ-UBND",
        };
        let mut sink = Objects::default();
        let f = render_copy_form(595.0, 842.0, &form, &mut sink).unwrap();
        let body = &sink.0.iter().find(|(n, _)| *n == f).unwrap().1;
        let text = String::from_utf8_lossy(body);
        assert!(text.contains("/Subtype /Form"), "{text}");
        assert!(text.contains("/BBox [0 0 595 842]"), "{text}");
        // Text is drawn (the font written as well).
        assert!(sink.0.len() > 2);
        let bad = CopyForm {
            agency: "\u{1F600}",
            ..form
        };
        assert!(render_copy_form(595.0, 842.0, &bad, &mut Objects::default()).is_err());
    }
}
