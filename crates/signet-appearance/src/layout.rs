//! Where the fields go on the page: the organization's field next to the leader's signature,
//! and an attachment's text box at the top right of the first page.

use crate::font::Font;
use crate::text::fit;
use crate::{AppearanceError, AttachmentText};

/// PDF implementations limit user-space sizes to 14 400 units (PDF 32000 Annex C).
pub(crate) const MAX_SIDE: f64 = 14_400.0;
/// Space between the organization's text and its seal.
pub(crate) const SEAL_GAP: f64 = 4.0;
/// Phụ lục I: attachment and copy text is 10 pt.
pub(crate) const ATTACHMENT_SIZE: f64 = 10.0;
/// Padding inside the attachment's box.
pub(crate) const ATTACHMENT_PAD: f64 = 2.0;
/// Right page margin of Nghị định 30 (Phụ lục I: 15–20 mm): the box ends there.
const RIGHT_MARGIN_MM: f64 = 15.0;
/// Distance of the box from the top edge: inside the 20–25 mm top margin, above the text.
const TOP_OFFSET_MM: f64 = 5.0;
const PT_PER_MM: f64 = 72.0 / 25.4;
/// The default signature box: the size of a leader's signature block (title, handwriting, name).
const DEFAULT_BOX_PT: (f64, f64) = (200.0, 80.0);
/// Bottom margin of Nghị định 30 (Phụ lục I: 20–25 mm): the default box starts above it.
const BOTTOM_MARGIN_MM: f64 = 25.0;

/// Check that a box size is finite, positive and within PDF limits.
pub(crate) fn check_box(width: f64, height: f64) -> Result<(), AppearanceError> {
    let ok = |v: f64| v.is_finite() && v > 0.0 && v <= MAX_SIDE;
    if ok(width) && ok(height) {
        Ok(())
    } else {
        Err(AppearanceError::BadBox {
            width,
            height,
            max: MAX_SIDE,
        })
    }
}

/// The organization's field rectangle `[x0, y0, x1, y1]` on the page, from the leader's
/// signature rectangle, the seal's real size (see [`crate::seal_size_pt`]) and the width
/// wanted for the text.
///
/// The seal covers the left third of the leader's signature (Nghị định 30 Điều 33.1.b and
/// Phụ lục I): its right edge is at one third of the leader's box and it is centred vertically
/// on it. The text column lies to the left of the seal, so it covers nothing of the signature;
/// [`crate::Layout::Organization`] draws the seal at the right end of this box, matching.
pub fn seal_rect(leader_rect: [f64; 4], seal_size_pt: (f64, f64), text_width_pt: f64) -> [f64; 4] {
    let [ax, ay, bx, by] = leader_rect;
    let (x0, x1) = (ax.min(bx), ax.max(bx));
    let cy = (ay + by) / 2.0;
    let (sw, sh) = seal_size_pt;
    let right = x0 + (x1 - x0) / 3.0;
    let text = if text_width_pt > 0.0 {
        text_width_pt + SEAL_GAP
    } else {
        0.0
    };
    [right - sw - text, cy - sh / 2.0, right, cy + sh / 2.0]
}

/// Where a signature goes when nobody said where: the bottom right of a page with this media
/// box (the caller takes the last page), where the signature block of Phụ lục I sits — a
/// 200 × 80 pt box, its right edge at the 15 mm margin and its bottom at the 25 mm margin.
/// Pages too small for that get the box clamped inside the page.
pub fn default_signature_rect(page_media_box: [f64; 4]) -> [f64; 4] {
    let [ax, ay, bx, by] = page_media_box;
    let (x0, y0, x1, y1) = (ax.min(bx), ay.min(by), ax.max(bx), ay.max(by));
    let (w, h) = DEFAULT_BOX_PT;
    let right = (x1 - RIGHT_MARGIN_MM * PT_PER_MM).max(x0 + w.min(x1 - x0));
    let bottom = (y0 + BOTTOM_MARGIN_MM * PT_PER_MM).min(y1 - h.min(y1 - y0));
    [
        (right - w).max(x0),
        bottom.max(y0),
        right,
        (bottom + h).min(y1),
    ]
}

/// The attachment's box `[x0, y0, x1, y1]` at the top right of a page with this media box:
/// sized to the text at 10 pt (the agency name wrapped to at most half the page width), its
/// right edge at the 15 mm margin and its top 5 mm below the page's top edge.
pub fn top_right_rect(
    page_media_box: [f64; 4],
    text: &AttachmentText,
) -> Result<[f64; 4], AppearanceError> {
    let [ax, ay, bx, by] = page_media_box;
    let (x1, y1) = (ax.max(bx), ay.max(by));
    let (page_w, page_h) = ((bx - ax).abs(), (by - ay).abs());
    check_box(page_w, page_h)?;
    let font = Font::embedded()?;
    let paragraphs = text.paragraphs(&font)?;
    let block = fit(
        &font,
        &paragraphs,
        (page_w / 2.0, MAX_SIDE),
        ATTACHMENT_SIZE,
    )?;
    if block.size < ATTACHMENT_SIZE {
        return Err(AppearanceError::BoxTooSmall("the page is too narrow"));
    }
    let mut widest: f64 = 0.0;
    for line in &block.lines {
        widest = widest.max(font.width(line, block.size)?);
    }
    let w = widest + 2.0 * ATTACHMENT_PAD;
    let h = block.height() + 2.0 * ATTACHMENT_PAD;
    let right = x1 - RIGHT_MARGIN_MM * PT_PER_MM;
    let top = y1 - TOP_OFFSET_MM * PT_PER_MM;
    Ok([right - w, top - h, right, top])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_covers_the_left_third_of_the_signature() {
        let leader = [300.0, 100.0, 450.0, 160.0];
        let r = seal_rect(leader, (102.0, 102.0), 120.0);
        assert_eq!(r[2], 350.0, "right edge at one third of the leader's width");
        assert_eq!(r[0], 350.0 - 102.0 - SEAL_GAP - 120.0);
        assert_eq!((r[1] + r[3]) / 2.0, 130.0, "centred on the signature");
        assert_eq!(r[3] - r[1], 102.0);
        // Corners given in another order give the same answer.
        assert_eq!(
            seal_rect([450.0, 160.0, 300.0, 100.0], (102.0, 102.0), 120.0),
            r
        );
    }

    #[test]
    fn default_box_is_at_the_bottom_right_inside_the_margins() {
        let r = default_signature_rect([0.0, 0.0, 595.276, 841.89]);
        assert!((595.276 - r[2] - 15.0 * PT_PER_MM).abs() < 1e-9, "{r:?}");
        assert!((r[1] - 25.0 * PT_PER_MM).abs() < 1e-9, "{r:?}");
        assert_eq!((r[2] - r[0], r[3] - r[1]), (200.0, 80.0));
        // A media box that does not start at the origin, and a page smaller than the box.
        let r = default_signature_rect([100.0, 100.0, 695.276, 941.89]);
        assert!((695.276 - r[2] - 15.0 * PT_PER_MM).abs() < 1e-9, "{r:?}");
        let tiny = default_signature_rect([0.0, 0.0, 100.0, 50.0]);
        assert!(tiny[0] >= 0.0 && tiny[1] >= 0.0 && tiny[2] <= 100.0 && tiny[3] <= 50.0);
        assert!(tiny[2] > tiny[0] && tiny[3] > tiny[1], "{tiny:?}");
    }

    #[test]
    fn attachment_box_is_at_the_top_right_of_an_a4_page() {
        let text = AttachmentText {
            notation: "12/QĐ-UBND",
            agency: "Ủy ban nhân dân tỉnh Lạc Hồng",
            signing_time: "2026-11-23T14:05:09+07:00",
        };
        let a4 = [0.0, 0.0, 595.276, 841.89];
        let r = top_right_rect(a4, &text).unwrap();
        assert!((595.276 - r[2] - 15.0 * PT_PER_MM).abs() < 1e-9);
        assert!((841.89 - r[3] - 5.0 * PT_PER_MM).abs() < 1e-9);
        assert!(r[0] > 595.276 / 2.0, "right half of the page: {r:?}");
        // Three lines of 10 pt with 1.2 leading, plus padding.
        assert!((r[3] - r[1] - (36.0 + 2.0 * ATTACHMENT_PAD)).abs() < 1e-9);
        assert!(top_right_rect([0.0, 0.0, f64::NAN, 1.0], &text).is_err());
    }
}
