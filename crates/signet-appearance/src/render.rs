//! The three layouts of Phụ lục I, drawn into one Form XObject.

use crate::content::{Content, Rgb, BLACK, BLUE, FONT_RES};
use crate::font::{write_font, Font};
use crate::image::{decode, default_size, fit_centered, write_image, Image};
use crate::layout::{check_box, ATTACHMENT_PAD, ATTACHMENT_SIZE, SEAL_GAP};
use crate::pdf::{num, stream};
use crate::text::{fit, Block, LEADING};
use crate::{AppearanceError, ObjectSink};

/// Longest agency name accepted, in characters (Phụ lục VI allows 200 for issuer names).
const MAX_AGENCY: usize = 250;
/// Longest person name accepted.
const MAX_NAME: usize = 100;
/// Longest number and notation accepted (Phụ lục VI: 30; some room for long unit codes).
const MAX_NOTATION: usize = 60;
/// Narrowest text column worth drawing next to a seal.
const MIN_TEXT_WIDTH: f64 = 24.0;
/// Start size of a name drawn instead of a signature image.
const NAME_SIZE: f64 = 14.0;
/// Start size of the organization's text.
const ORG_TEXT_SIZE: f64 = 10.0;
/// Label before the signing time.
const TIME_LABEL: &str = "Thời gian ký: ";
/// Label before the number and notation.
const NOTATION_LABEL: &str = "Số, ký hiệu: ";

/// One visible signature: its layout and the size of its box (the field's rectangle).
#[derive(Debug, Clone, Copy)]
pub struct Appearance<'a> {
    /// Width of the box in points.
    pub width: f64,
    /// Height of the box in points.
    pub height: f64,
    /// What the box shows.
    pub layout: Layout<'a>,
}

/// The three layouts of Nghị định 30 Phụ lục I.
#[derive(Debug, Clone, Copy)]
pub enum Layout<'a> {
    /// The competent person's signature: the handwritten image (blue PNG, transparent
    /// background) scaled to fit the box, or the name in blue when there is no image.
    Personal {
        /// The handwritten signature image, if the person has one.
        signature_png: Option<&'a [u8]>,
        /// The person's full name, shown when there is no image.
        name: &'a str,
    },
    /// The organization's signature: the red seal at its real size at the right of the box
    /// (see [`crate::seal_rect`]), the agency name and signing time to its left.
    Organization {
        /// The seal image (red PNG, transparent background, `pHYs` for its real size).
        seal_png: &'a [u8],
        /// The agency's name, e.g. `Ủy ban nhân dân tỉnh Lạc Hồng`.
        agency: &'a str,
        /// ISO 8601 in Vietnam time, e.g. `2026-11-23T14:05:09+07:00`.
        signing_time: &'a str,
    },
    /// An attachment or electronic copy signed by the organization: text only, 10 pt black,
    /// for the top right of the first page (see [`crate::top_right_rect`]).
    Attachment(AttachmentText<'a>),
}

/// What an attachment's or electronic copy's appearance says.
#[derive(Debug, Clone, Copy)]
pub struct AttachmentText<'a> {
    /// The main document's number and notation, e.g. `12/QĐ-UBND`.
    pub notation: &'a str,
    /// The signing agency's name.
    pub agency: &'a str,
    /// ISO 8601 in Vietnam time, e.g. `2026-11-23T14:05:09+07:00`.
    pub signing_time: &'a str,
}

impl AttachmentText<'_> {
    /// The lines (before wrapping) of the appearance, validated.
    pub(crate) fn paragraphs(&self, font: &Font) -> Result<Vec<String>, AppearanceError> {
        check_text(font, "notation", self.notation, MAX_NOTATION)?;
        Ok(vec![
            format!("{NOTATION_LABEL}{}", self.notation.trim()),
            checked_agency(font, self.agency)?,
            checked_time(self.signing_time)?,
        ])
    }
}

fn check_text(font: &Font, what: &'static str, s: &str, max: usize) -> Result<(), AppearanceError> {
    let len = s.chars().count();
    if s.trim().is_empty() {
        return Err(AppearanceError::EmptyText(what));
    }
    if len > max {
        return Err(AppearanceError::TextTooLong { what, len, max });
    }
    font.check(s)
}

fn checked_agency(font: &Font, agency: &str) -> Result<String, AppearanceError> {
    check_text(font, "agency name", agency, MAX_AGENCY)?;
    Ok(agency.trim().to_owned())
}

/// `YYYY-MM-DDThh:mm:ss+07:00`, checked by shape (the caller's clock made it): Phụ lục I wants
/// the date, hour, minute and second in Vietnam time per ISO 8601.
fn checked_time(time: &str) -> Result<String, AppearanceError> {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd+07:00";
    let ok = time.len() == SHAPE.len()
        && time.bytes().zip(SHAPE).all(|(b, s)| match s {
            b'd' => b.is_ascii_digit(),
            _ => b == *s,
        });
    if !ok {
        return Err(AppearanceError::BadTime(time.chars().take(40).collect()));
    }
    Ok(format!("{TIME_LABEL}{time}"))
}

/// Render `spec` into `sink` and return the object number of the Form XObject to use as the
/// widget's `/AP /N`. Nothing is written to the sink when an error is returned.
pub fn render(spec: &Appearance, sink: &mut dyn ObjectSink) -> Result<u32, AppearanceError> {
    let (w, h) = (spec.width, spec.height);
    check_box(w, h)?;
    let font = Font::embedded()?;
    let mut drawing = Drawing {
        content: Content::new(&font),
        images: Vec::new(),
        font: &font,
        size: (w, h),
    };
    drawing.content.clip(w, h);
    match spec.layout {
        Layout::Personal {
            signature_png: Some(png),
            ..
        } => drawing.personal_image(png)?,
        Layout::Personal {
            signature_png: None,
            name,
        } => drawing.personal_name(name)?,
        Layout::Organization {
            seal_png,
            agency,
            signing_time,
        } => drawing.organization(seal_png, agency, signing_time)?,
        Layout::Attachment(text) => drawing.attachment(&text)?,
    }
    drawing.finish(sink)
}

/// Horizontal alignment of text lines in their column.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// The form being drawn: its content and the images it refers to.
struct Drawing<'f> {
    content: Content<'f>,
    images: Vec<(String, Image)>,
    font: &'f Font,
    size: (f64, f64),
}

impl Drawing<'_> {
    /// Register an image and draw it into (x, y, w, h).
    fn image(&mut self, img: Image, (x, y, w, h): (f64, f64, f64, f64)) {
        let name = format!("Im{}", self.images.len() + 1);
        self.content.image(&name, x, y, w, h);
        self.images.push((name, img));
    }

    /// Draw `block`'s lines from the top `top`, each aligned in the column [x0, x1].
    fn lines(
        &mut self,
        block: &Block,
        (x0, x1): (f64, f64),
        top: f64,
        align: Align,
        color: Rgb,
    ) -> Result<(), AppearanceError> {
        let size = block.size;
        let mut baseline = top - self.font.ascent_1000() / 1000.0 * size;
        for line in &block.lines {
            let free = x1 - x0 - self.font.width(line, size)?;
            let x = match align {
                Align::Left => x0,
                Align::Center => x0 + free / 2.0,
                Align::Right => x0 + free,
            };
            self.content.text(line, size, (x, baseline), color)?;
            baseline -= size * LEADING;
        }
        Ok(())
    }

    fn personal_image(&mut self, png: &[u8]) -> Result<(), AppearanceError> {
        let img = decode(png)?;
        let (bw, bh) = self.size;
        let placed = fit_centered((bw, bh), (img.width, img.height));
        self.image(img, placed);
        Ok(())
    }

    fn personal_name(&mut self, name: &str) -> Result<(), AppearanceError> {
        check_text(self.font, "name", name, MAX_NAME)?;
        let (bw, bh) = self.size;
        let pad = (bw.min(bh) * 0.05).min(4.0);
        let block = fit(
            self.font,
            &[name.trim().to_owned()],
            (bw - 2.0 * pad, bh - 2.0 * pad),
            NAME_SIZE,
        )?;
        let top = (bh + block.height()) / 2.0;
        self.lines(&block, (pad, bw - pad), top, Align::Center, BLUE)
    }

    fn organization(
        &mut self,
        png: &[u8],
        agency: &str,
        time: &str,
    ) -> Result<(), AppearanceError> {
        let paragraphs = vec![checked_agency(self.font, agency)?, checked_time(time)?];
        let img = decode(png)?;
        let (bw, bh) = self.size;
        // Real size; shrunk (never enlarged) only if the box cannot hold it.
        let (rw, rh) = img
            .real_size_pt
            .unwrap_or_else(|| default_size(img.width, img.height));
        let shrink = (bw / rw).min(bh / rh).min(1.0);
        let (sw, sh) = (rw * shrink, rh * shrink);
        let text_w = bw - sw - SEAL_GAP;
        if text_w < MIN_TEXT_WIDTH {
            return Err(AppearanceError::BoxTooSmall(
                "no room for the agency name beside the seal",
            ));
        }
        self.image(img, (bw - sw, (bh - sh) / 2.0, sw, sh));
        let block = fit(self.font, &paragraphs, (text_w, bh), ORG_TEXT_SIZE)?;
        let top = (bh + block.height()) / 2.0;
        self.lines(&block, (0.0, text_w), top, Align::Right, BLACK)
    }

    fn attachment(&mut self, text: &AttachmentText) -> Result<(), AppearanceError> {
        let paragraphs = text.paragraphs(self.font)?;
        let (bw, bh) = self.size;
        let inner = (bw - 2.0 * ATTACHMENT_PAD, bh - 2.0 * ATTACHMENT_PAD);
        if inner.0 <= 0.0 || inner.1 <= 0.0 {
            return Err(AppearanceError::BoxTooSmall(
                "no room for the attachment text",
            ));
        }
        let block = fit(self.font, &paragraphs, inner, ATTACHMENT_SIZE)?;
        let x0 = ATTACHMENT_PAD;
        self.lines(
            &block,
            (x0, x0 + inner.0),
            bh - ATTACHMENT_PAD,
            Align::Left,
            BLACK,
        )
    }

    /// Write the font, the images and the form; return the form's object number.
    fn finish(self, sink: &mut dyn ObjectSink) -> Result<u32, AppearanceError> {
        let (ops, glyphs) = self.content.into_bytes();
        let mut resources = String::new();
        if !glyphs.is_empty() {
            // The font first: it is the only step that can still fail.
            let n = write_font(self.font, &glyphs, sink)?;
            resources.push_str(&format!("/Font << /{FONT_RES} {n} 0 R >> "));
        }
        if !self.images.is_empty() {
            resources.push_str("/XObject <<");
            for (name, img) in &self.images {
                resources.push_str(&format!(" /{name} {} 0 R", write_image(img, sink)));
            }
            resources.push_str(" >> ");
        }
        let (w, h) = self.size;
        let dict = format!(
            "/Type /XObject /Subtype /Form /BBox [0 0 {} {}] /Resources << {resources}>>",
            num(w),
            num(h)
        );
        let form = sink.reserve();
        sink.put(form, stream(&dict, &ops));
        Ok(form)
    }
}
