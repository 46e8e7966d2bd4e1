//! What a scanned document's pages are made of: the images each page shows, their pixel size
//! and whether their colour space is a colour one. Enough to check the digitisation rules of
//! Nghị định 30 Phụ lục I (colour, at least 200 dpi at 100 % scale) without decoding a pixel.
//!
//! Where the page's own content draws an image (the `cm` matrices before its `Do`), the
//! resolution is the image's pixels over the size it is drawn at, and the image must cover
//! half the page or more to be a page scan; an image drawn only from a Form XObject is taken
//! as drawn over the whole page.

use std::collections::{HashMap, HashSet};

use crate::document::Document;
use crate::fields::rect_of;
use crate::lexer::{Lexer, Token};
use crate::object::{Dictionary, Object};
use crate::Result;

/// How deep Form XObjects are followed looking for images.
const MAX_FORM_DEPTH: usize = 4;
/// The most content-stream bytes read per page, and tokens walked, looking for placements.
const MAX_CONTENT: usize = 16 << 20;
const MAX_TOKENS: usize = 4_000_000;
/// The share of the page a page scan's image covers at least.
const MIN_COVER: f64 = 0.5;

/// One image drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageImage {
    /// Pixels across and down (`/Width`, `/Height`).
    pub width: u64,
    pub height: u64,
    /// Whether the image's colour space holds colour (RGB, CMYK, Lab, an indexed or ICC space
    /// over one of them); grey, black-and-white and masks do not.
    pub colour: bool,
    /// The largest size the page's content draws it at, in points along the image's own
    /// axes (across, down); `None` when not drawn by the page's own content.
    pub drawn: Option<[f64; 2]>,
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
    /// The resolution of the page's largest image, in dots per inch: its pixels over the
    /// size it is drawn at, the smaller of across and down. Drawn from a Form XObject only: as
    /// if over the whole page, whichever way it is turned. `None` when the page has no image.
    pub fn dpi(&self) -> Option<f64> {
        let img = self.largest()?;
        let (w, h) = (img.width as f64, img.height as f64);
        if let Some([dw, dh]) = img.drawn.filter(|[a, b]| *a > 0.0 && *b > 0.0) {
            return Some((w / (dw / 72.0)).min(h / (dh / 72.0)));
        }
        let (pw, ph) = self.size_in_inches()?;
        let upright = (w / pw).min(h / ph);
        let turned = (w / ph).min(h / pw);
        Some(upright.max(turned))
    }

    /// Whether the page's largest image is drawn over half the page or more, as a scanned
    /// page is (a logo on a typed page is not). An image drawn only from a Form XObject counts
    /// as covering the page.
    pub fn covered(&self) -> bool {
        let Some(img) = self.largest() else {
            return false;
        };
        let Some([dw, dh]) = img.drawn else {
            return true;
        };
        let Some((pw, ph)) = self.size_in_inches() else {
            return false;
        };
        (dw * dh) / (pw * 72.0 * ph * 72.0) >= MIN_COVER
    }

    /// Whether the page's largest image is in colour.
    pub fn colour(&self) -> bool {
        self.largest().is_some_and(|i| i.colour)
    }

    fn largest(&self) -> Option<&PageImage> {
        self.images.iter().max_by_key(|i| i.width * i.height)
    }

    fn size_in_inches(&self) -> Option<(f64, f64)> {
        let [x0, y0, x1, y1] = self.media_box;
        let (pw, ph) = (((x1 - x0).abs()) / 72.0, ((y1 - y0).abs()) / 72.0);
        (pw > 0.0 && ph > 0.0).then_some((pw, ph))
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
            let content = contents(doc, doc.page_attr(page, b"Contents")?);
            let drawn = placements(&content);
            let mut seen = HashSet::new();
            collect(doc, &res, 0, &mut seen, &mut images, &drawn)?;
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
    drawn: &HashMap<Vec<u8>, [f64; 2]>,
) -> Result<()> {
    let Some(x) = resources.get(b"XObject") else {
        return Ok(());
    };
    let Object::Dictionary(x) = doc.resolve(x)? else {
        return Ok(());
    };
    for (name, v) in x.iter() {
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
                // The page's content names its own resources only.
                drawn: (depth == 0).then(|| drawn.get(name).copied()).flatten(),
            });
        } else if s.dict.name_is(b"Subtype", b"Form") && depth < MAX_FORM_DEPTH {
            if let Some(res) = s.dict.get(b"Resources") {
                if let Object::Dictionary(res) = doc.resolve(res)? {
                    collect(doc, &res, depth + 1, seen, images, drawn)?;
                }
            }
        }
    }
    Ok(())
}

/// The page's content streams, decoded and joined; what cannot be read is left out (the
/// images then count as drawn over the page).
fn contents(doc: &Document, contents: Option<Object>) -> Vec<u8> {
    let parts = match contents {
        Some(Object::Array(a)) => a,
        Some(o) => vec![o],
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for part in parts {
        if let Ok(Object::Stream(s)) = doc.resolve(&part) {
            if let Ok(data) = s.decoded_limited(MAX_CONTENT.saturating_sub(out.len())) {
                out.extend_from_slice(&data);
                out.push(b'\n');
            }
        }
    }
    out
}

/// A transformation matrix `[a b c d e f]`.
type Matrix = [f64; 6];

/// `m` then `n` (`m × n`, as `cm` concatenates onto the current matrix).
fn multiply(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// For each XObject the content draws with `Do`, the largest size (by area) it is drawn at:
/// the lengths, in points, the current matrix gives the unit square's two sides. Stops
/// quietly at anything it cannot read.
fn placements(content: &[u8]) -> HashMap<Vec<u8>, [f64; 2]> {
    let mut out: HashMap<Vec<u8>, [f64; 2]> = HashMap::new();
    let mut ctm: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut saved: Vec<Matrix> = Vec::new();
    let mut numbers: Vec<f64> = Vec::new();
    let mut name: Option<Vec<u8>> = None;
    let mut lx = Lexer::new(content, 0);
    for _ in 0..MAX_TOKENS {
        let Ok(Some(token)) = lx.next_token() else {
            break;
        };
        match token {
            Token::Integer(i) => numbers.push(i as f64),
            Token::Real(r) => numbers.push(r),
            Token::Name(n) => name = Some(n),
            Token::Keyword(op) => {
                match op {
                    b"q" => saved.push(ctm),
                    b"Q" => ctm = saved.pop().unwrap_or(ctm),
                    b"cm" if numbers.len() >= 6 => {
                        let n = &numbers[numbers.len() - 6..];
                        let m = [n[0], n[1], n[2], n[3], n[4], n[5]];
                        ctm = multiply(&m, &ctm);
                    }
                    b"Do" => {
                        if let Some(n) = name.take() {
                            let size = [ctm[0].hypot(ctm[1]), ctm[2].hypot(ctm[3])];
                            let e = out.entry(n).or_insert([0.0, 0.0]);
                            if size[0] * size[1] > e[0] * e[1] {
                                *e = size;
                            }
                        }
                    }
                    // An inline image's data is not PDF syntax: skip to its `EI`.
                    b"ID" => match inline_image_end(content, lx.pos()) {
                        Some(end) => lx.set_pos(end),
                        None => break,
                    },
                    _ => {}
                }
                numbers.clear();
                name = None;
            }
            _ => numbers.clear(),
        }
    }
    out
}

/// Where an inline image that starts at `from` ends: after the `EI` that follows white space.
fn inline_image_end(content: &[u8], from: usize) -> Option<usize> {
    let rest = content.get(from..)?;
    let at = rest.windows(4).position(|w| {
        crate::chars::is_ws(w[0]) && &w[1..3] == b"EI" && (crate::chars::is_delim_or_ws(w[3]))
    })?;
    Some(from + at + 3)
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
                drawn: None,
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

    #[test]
    fn placements_follow_the_matrices() {
        let p = placements(
            b"q 0.5 0 0 0.5 0 0 cm q 595 0 0 842 0 0 cm /Im0 Do Q /Im1 Do Q \
              q 0 842 -595 0 595 0 cm /Im2 Do Q BI /W 2 /H 2 ID \x00EI\x01 EI /Im3 Do",
        );
        assert_eq!(p[b"Im0".as_slice()], [297.5, 421.0]);
        assert_eq!(p[b"Im1".as_slice()], [0.5, 0.5]);
        // Turned a quarter: the image's own axes keep their lengths.
        assert_eq!(p[b"Im2".as_slice()], [842.0, 595.0]);
        // After an inline image (whose data holds "EI" not after white space) reading goes on.
        assert_eq!(p[b"Im3".as_slice()], [1.0, 1.0]);
        // Malformed content stops quietly.
        assert!(placements(b"q 1 0 0 1 cm ) /Im0 Do").len() <= 1);
    }

    #[test]
    fn the_size_drawn_decides_the_resolution_and_the_cover() {
        // A4 at 200 dpi placed with margins on a Letter page (612 × 792), fit to the height:
        // 200 dpi, though over the whole Letter page it would read 194.
        let mut letter = page(1654, 2339, true);
        letter.media_box = [0.0, 0.0, 612.0, 792.0];
        let whole = letter.dpi().unwrap();
        assert!(whole < 200.0, "{whole}");
        letter.images[0].drawn = Some([560.0, 792.0]);
        let dpi = letter.dpi().unwrap();
        assert!((211.0..213.0).contains(&dpi), "{dpi}");
        assert!(letter.covered());
        // A large logo drawn in a corner of a typed page is not a page scan.
        let mut logo = page(2000, 2000, true);
        logo.images[0].drawn = Some([144.0, 144.0]);
        assert!(!logo.covered());
        // Drawn from a Form XObject only: taken as over the whole page.
        assert!(page(1654, 2339, true).covered());
    }
}
