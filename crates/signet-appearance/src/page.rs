//! A page of plain text (a printable report such as the "phiếu kiểm tra chữ ký số"): lines of
//! text at given sizes, wrapped to the width, drawn from the top in the embedded Vietnamese
//! font. Characters the font lacks are shown as `?` rather than refused: the text comes from
//! third-party certificates.

use crate::content::{Content, BLACK};
use crate::font::write_font;
use crate::font::Font;
use crate::pdf::{num, stream};
use crate::text::{wrap, LEADING};
use crate::{AppearanceError, ObjectSink};

/// One paragraph of a text page.
#[derive(Debug, Clone)]
pub struct TextLine {
    /// The text; wrapped at word boundaries to the page width.
    pub text: String,
    /// Font size in points.
    pub size: f64,
    /// Space before the paragraph, in points.
    pub space_before: f64,
}

/// Renders `lines` into a Form XObject of `width` × `height` points with `margin` on every
/// side; returns its object number. Text past the bottom margin is cut.
pub fn render_text_page(
    width: f64,
    height: f64,
    margin: f64,
    lines: &[TextLine],
    sink: &mut dyn ObjectSink,
) -> Result<u32, AppearanceError> {
    let font = Font::embedded()?;
    render_one(&font, width, height, margin, lines, sink)
}

/// Like [`render_text_page`], but text past the bottom margin goes on to further pages
/// instead of being cut: one Form XObject per page, in order (at least one).
pub fn render_text_pages(
    width: f64,
    height: f64,
    margin: f64,
    lines: &[TextLine],
    sink: &mut dyn ObjectSink,
) -> Result<Vec<u32>, AppearanceError> {
    let font = Font::embedded()?;
    let max_w = width - 2.0 * margin;
    let mut pages: Vec<Vec<TextLine>> = vec![Vec::new()];
    let mut top = height - margin;
    for line in lines {
        let text = shown(&font, &line.text);
        let wrapped = wrap(&font, &[text], line.size, max_w, true)?.unwrap_or_default();
        for (i, l) in wrapped.into_iter().enumerate() {
            let before = if i == 0 { line.space_before } else { 0.0 };
            let baseline = top - before - font.ascent_1000() / 1000.0 * line.size;
            let fresh = pages.last().is_some_and(Vec::is_empty);
            let before = if baseline < margin && !fresh {
                pages.push(Vec::new());
                top = height - margin;
                0.0
            } else {
                before
            };
            top -= before + line.size * LEADING;
            if let Some(page) = pages.last_mut() {
                page.push(TextLine {
                    text: l,
                    size: line.size,
                    space_before: before,
                });
            }
        }
    }
    pages
        .iter()
        .map(|p| render_one(&font, width, height, margin, p, sink))
        .collect()
}

/// `text` with the characters the font lacks shown as `?`.
fn shown(font: &Font, text: &str) -> String {
    text.chars()
        .map(|c| if font.glyph(c).is_ok() { c } else { '?' })
        .collect()
}

fn render_one(
    font: &Font,
    width: f64,
    height: f64,
    margin: f64,
    lines: &[TextLine],
    sink: &mut dyn ObjectSink,
) -> Result<u32, AppearanceError> {
    let mut content = Content::new(font);
    content.clip(width, height);
    let max_w = width - 2.0 * margin;
    let mut top = height - margin;
    for line in lines {
        top -= line.space_before;
        let text = shown(font, &line.text);
        let wrapped = wrap(font, &[text], line.size, max_w, true)?.unwrap_or_default();
        for l in wrapped {
            let baseline = top - font.ascent_1000() / 1000.0 * line.size;
            if baseline < margin {
                break;
            }
            content.text(&l, line.size, (margin, baseline), BLACK)?;
            top -= line.size * LEADING;
        }
    }
    let (ops, glyphs) = content.into_bytes();
    let mut resources = String::new();
    if !glyphs.is_empty() {
        let n = write_font(font, &glyphs, sink)?;
        resources.push_str(&format!("/Font << /F1 {n} 0 R >> "));
    }
    let dict = format!(
        "/Type /XObject /Subtype /Form /BBox [0 0 {} {}] /Resources << {resources}>>",
        num(width),
        num(height)
    );
    let form = sink.reserve();
    sink.put(form, stream(&dict, &ops));
    Ok(form)
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

    fn lines(n: usize) -> Vec<TextLine> {
        (0..n)
            .map(|i| TextLine {
                text: format!("Dòng số {i}: ý kiến xử lý văn bản đến"),
                size: 10.0,
                space_before: 2.0,
            })
            .collect()
    }

    #[test]
    fn text_past_the_bottom_goes_on_to_further_pages() {
        let mut sink = Objects::default();
        let one = render_text_pages(595.0, 842.0, 50.0, &lines(5), &mut sink).unwrap();
        assert_eq!(one.len(), 1);
        let mut sink = Objects::default();
        let pages = render_text_pages(595.0, 842.0, 50.0, &lines(200), &mut sink).unwrap();
        // 742 pt of text height at 10 pt × leading + 2 pt per line: about 55 lines a page.
        assert!((3..=5).contains(&pages.len()), "{} pages", pages.len());
        // The last line is drawn on the last page, not cut.
        let last = sink
            .0
            .iter()
            .find(|(n, _)| *n == *pages.last().unwrap())
            .unwrap();
        assert!(!last.1.is_empty());
        let mut sink = Objects::default();
        let empty = render_text_pages(595.0, 842.0, 50.0, &[], &mut sink).unwrap();
        assert_eq!(empty.len(), 1, "an empty text is one blank page");
    }
}
