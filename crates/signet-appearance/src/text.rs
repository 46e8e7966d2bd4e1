//! Text layout: greedy word wrapping measured with the font's advance widths, and
//! shrink-to-fit so that long agency names stay inside their box.

use crate::font::Font;
use crate::AppearanceError;

/// Line spacing as a multiple of the font size.
pub(crate) const LEADING: f64 = 1.2;
/// Smallest size shrink-to-fit goes down to; below it, text would not be legible anyway.
pub(crate) const MIN_SIZE: f64 = 4.0;
/// Size step of shrink-to-fit.
const STEP: f64 = 0.25;
/// Tolerance for comparing measured widths with box widths computed from the same numbers.
const EPS: f64 = 1e-6;

/// Lines laid out at one font size.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub(crate) size: f64,
    pub(crate) lines: Vec<String>,
}

impl Block {
    /// Height taken by the block: one leading per line.
    pub(crate) fn height(&self) -> f64 {
        self.lines.len() as f64 * self.size * LEADING
    }
}

/// Wrap each paragraph into lines no wider than `max_w`. A word wider than a line is broken
/// between characters when `break_words`; otherwise the wrap fails (`None`) so the caller can
/// shrink the text instead of cutting a word.
pub(crate) fn wrap(
    font: &Font,
    paragraphs: &[String],
    size: f64,
    max_w: f64,
    break_words: bool,
) -> Result<Option<Vec<String>>, AppearanceError> {
    let mut lines = Vec::new();
    for paragraph in paragraphs {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if font.width(&candidate, size)? <= max_w + EPS {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if font.width(word, size)? <= max_w + EPS {
                line = word.to_owned();
            } else if break_words {
                line = break_word(font, word, size, max_w, &mut lines)?;
            } else {
                return Ok(None);
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    Ok(Some(lines))
}

/// Push full-width pieces of `word` to `lines`; return the last, partial piece.
fn break_word(
    font: &Font,
    word: &str,
    size: f64,
    max_w: f64,
    lines: &mut Vec<String>,
) -> Result<String, AppearanceError> {
    let mut piece = String::new();
    for c in word.chars() {
        let mut candidate = piece.clone();
        candidate.push(c);
        if !piece.is_empty() && font.width(&candidate, size)? > max_w + EPS {
            lines.push(std::mem::replace(&mut piece, c.to_string()));
        } else {
            piece = candidate;
        }
    }
    Ok(piece)
}

/// Lay out `paragraphs` (each starts a new line) in a `max_w` × `max_h` box at `start` size,
/// shrinking in steps down to [`MIN_SIZE`]. At the minimum size words are broken if needed;
/// if the text is still too tall it is returned anyway and the form's clip cuts it.
pub(crate) fn fit(
    font: &Font,
    paragraphs: &[String],
    (max_w, max_h): (f64, f64),
    start: f64,
) -> Result<Block, AppearanceError> {
    let mut size = start.max(MIN_SIZE);
    loop {
        let at_min = size <= MIN_SIZE + EPS;
        if let Some(lines) = wrap(font, paragraphs, size, max_w, at_min)? {
            let block = Block { size, lines };
            if at_min || block.height() <= max_h + EPS {
                return Ok(block);
            }
        }
        size = (size - STEP).max(MIN_SIZE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn short_text_keeps_its_size_and_one_line() {
        let font = Font::embedded().unwrap();
        let b = fit(&font, &paras(&["Lạc Hồng"]), (200.0, 50.0), 10.0).unwrap();
        assert_eq!(
            b,
            Block {
                size: 10.0,
                lines: vec!["Lạc Hồng".into()]
            }
        );
    }

    #[test]
    fn long_names_wrap_within_the_width() {
        let font = Font::embedded().unwrap();
        let name = "Ủy ban nhân dân tỉnh Lạc Hồng, Sở Thông tin và Truyền thông";
        let b = fit(&font, &paras(&[name, "Thời gian ký"]), (120.0, 200.0), 10.0).unwrap();
        assert_eq!(b.size, 10.0);
        assert!(b.lines.len() >= 4, "{:?}", b.lines);
        assert_eq!(b.lines.last().unwrap(), "Thời gian ký");
        for l in &b.lines {
            assert!(font.width(l, 10.0).unwrap() <= 120.0);
        }
        assert_eq!(b.lines[..b.lines.len() - 1].join(" "), name);
    }

    #[test]
    fn text_too_tall_shrinks() {
        let font = Font::embedded().unwrap();
        let name = "Ủy ban nhân dân tỉnh Lạc Hồng";
        let b = fit(&font, &paras(&[name]), (60.0, 20.0), 12.0).unwrap();
        assert!(b.size < 12.0 && b.size >= MIN_SIZE);
        assert!(b.height() <= 20.0);
    }

    #[test]
    fn hopeless_boxes_break_words_at_the_minimum_size() {
        let font = Font::embedded().unwrap();
        let b = fit(&font, &paras(&["Supercalifragilistic"]), (10.0, 1.0), 10.0).unwrap();
        assert_eq!(b.size, MIN_SIZE);
        assert_eq!(b.lines.concat(), "Supercalifragilistic");
        assert!(b.lines.len() > 1);
    }
}
