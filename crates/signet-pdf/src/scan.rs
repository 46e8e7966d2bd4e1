//! What a scanned document's pages are made of: the images each page shows, their pixel size
//! and whether their colour space is a colour one. Enough to check the digitisation rules of
//! Nghị định 30 Phụ lục I (colour, at least 200 dpi at 100 % scale) without decoding a pixel.

use std::collections::HashSet;

use crate::document::Document;
use crate::fields::rect_of;
use crate::object::{Dictionary, Object};
use crate::Result;

/// How deep Form XObjects are followed looking for images.
const MAX_FORM_DEPTH: usize = 4;

/// One image drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageImage {
    /// Pixels across and down (`/Width`, `/Height`).
    pub width: u64,
    pub height: u64,
    /// Whether the image's colour space holds colour (RGB, CMYK, Lab, an indexed or ICC space
    /// over one of them); grey, black-and-white and masks do not.
    pub colour: bool,
}

/// One page of a scan.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPage {
    /// The page's `/MediaBox` (inherited), in points.
    pub media_box: [f64; 4],
    /// The images its resources hold (directly or in Form XObjects).
    pub images: Vec<PageImage>,
}

impl ScanPage {
    /// The resolution of the page's largest image drawn over the whole page, in dots per
    /// inch: the smaller of across and down, whichever way the image is turned. `None` when
    /// the page has no image.
    pub fn dpi(&self) -> Option<f64> {
        let [x0, y0, x1, y1] = self.media_box;
        let (pw, ph) = (((x1 - x0).abs()) / 72.0, ((y1 - y0).abs()) / 72.0);
        if pw <= 0.0 || ph <= 0.0 {
            return None;
        }
        let img = self.images.iter().max_by_key(|i| i.width * i.height)?;
        let (w, h) = (img.width as f64, img.height as f64);
        let upright = (w / pw).min(h / ph);
        let turned = (w / ph).min(h / pw);
        Some(upright.max(turned))
    }

    /// Whether the page's largest image is in colour.
    pub fn colour(&self) -> bool {
        self.images
            .iter()
            .max_by_key(|i| i.width * i.height)
            .is_some_and(|i| i.colour)
    }
}

/// The pages of `doc` (newest revision) with their images.
pub fn scan_pages(doc: &Document) -> Result<Vec<ScanPage>> {
    let mut out = Vec::new();
    for page in doc.pages()? {
        let media_box = doc
            .page_attr(page, b"MediaBox")?
            .and_then(|o| rect_of(&o))
            .unwrap_or([0.0, 0.0, 612.0, 792.0]);
        let mut images = Vec::new();
        if let Some(Object::Dictionary(res)) = doc.page_attr(page, b"Resources")? {
            let mut seen = HashSet::new();
            collect(doc, &res, 0, &mut seen, &mut images)?;
        }
        out.push(ScanPage { media_box, images });
    }
    Ok(out)
}

fn collect(
    doc: &Document,
    resources: &Dictionary,
    depth: usize,
    seen: &mut HashSet<crate::ObjRef>,
    images: &mut Vec<PageImage>,
) -> Result<()> {
    let Some(x) = resources.get(b"XObject") else {
        return Ok(());
    };
    let Object::Dictionary(x) = doc.resolve(x)? else {
        return Ok(());
    };
    for (_, v) in x.iter() {
        if let Object::Reference(r) = v {
            if !seen.insert(*r) {
                continue;
            }
        }
        let Object::Stream(s) = doc.resolve(v)? else {
            continue;
        };
        if s.dict.name_is(b"Subtype", b"Image") {
            let int = |k: &[u8]| {
                s.dict
                    .get(k)
                    .and_then(Object::as_i64)
                    .and_then(|v| u64::try_from(v).ok())
                    .unwrap_or(0)
            };
            let mask = matches!(s.dict.get(b"ImageMask"), Some(Object::Boolean(true)));
            let colour = !mask
                && match s.dict.get(b"ColorSpace") {
                    Some(cs) => is_colour(doc, cs, 0)?,
                    // A JPEG 2000 image carries its own colour space: not judged here.
                    None => s.dict.name_is(b"Filter", b"JPXDecode"),
                };
            images.push(PageImage {
                width: int(b"Width"),
                height: int(b"Height"),
                colour,
            });
        } else if s.dict.name_is(b"Subtype", b"Form") && depth < MAX_FORM_DEPTH {
            if let Some(res) = s.dict.get(b"Resources") {
                if let Object::Dictionary(res) = doc.resolve(res)? {
                    collect(doc, &res, depth + 1, seen, images)?;
                }
            }
        }
    }
    Ok(())
}

fn is_colour(doc: &Document, cs: &Object, depth: usize) -> Result<bool> {
    if depth > 4 {
        return Ok(false);
    }
    Ok(match doc.resolve(cs)? {
        Object::Name(n) => matches!(
            n.as_slice(),
            b"DeviceRGB" | b"DeviceCMYK" | b"CalRGB" | b"Lab" | b"RGB" | b"CMYK"
        ),
        Object::Array(a) => match a.first().and_then(Object::as_name) {
            Some(b"CalRGB" | b"Lab") => true,
            Some(b"ICCBased") => match a.get(1).map(|o| doc.resolve(o)).transpose()? {
                Some(Object::Stream(s)) => match s.dict.get(b"N").and_then(Object::as_i64) {
                    Some(n) => n >= 3,
                    None => match s.dict.get(b"Alternate") {
                        Some(alt) => is_colour(doc, alt, depth + 1)?,
                        None => false,
                    },
                },
                _ => false,
            },
            Some(b"Indexed" | b"I") => match a.get(1) {
                Some(base) => is_colour(doc, base, depth + 1)?,
                None => false,
            },
            _ => false,
        },
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(w: u64, h: u64, colour: bool) -> ScanPage {
        ScanPage {
            media_box: [0.0, 0.0, 595.0, 842.0],
            images: vec![PageImage {
                width: w,
                height: h,
                colour,
            }],
        }
    }

    #[test]
    fn an_a4_page_scanned_at_200_dpi_reads_200() {
        // A4 is 8.27 × 11.69 in: 1654 × 2339 pixels at 200 dpi.
        let dpi = page(1654, 2339, true).dpi().unwrap();
        assert!((199.5..201.0).contains(&dpi), "{dpi}");
        let low = page(1240, 1754, true).dpi().unwrap();
        assert!((149.0..151.0).contains(&low), "{low}");
        // Turned a quarter: the same resolution.
        let turned = page(2339, 1654, true).dpi().unwrap();
        assert!((199.5..201.0).contains(&turned), "{turned}");
        assert_eq!(
            ScanPage {
                media_box: [0.0, 0.0, 595.0, 842.0],
                images: vec![]
            }
            .dpi(),
            None
        );
    }
}
