//! Demo images made in code, so a demo (and the tests) need no binary assets: a blue
//! handwriting-like signature and a red round seal, both on a transparent background.

use sha2::{Digest, Sha256};

use crate::pdf::deflate;

/// Signature canvas, in pixels (3:1, like a signature line).
const SIG_SIZE: (u32, u32) = (600, 200);
/// Ink of the signature (Phụ lục I: blue).
const SIG_INK: [u8; 3] = [20, 45, 170];
/// Seal diameter in pixels: 36 mm at 300 dpi.
const SEAL_PX: u32 = 425;
/// pHYs for the seal: pixels per metre so that 425 pixels are 36 mm.
const SEAL_PPM: u32 = 11_806;
/// Ink of the seal (Phụ lục I: red).
const SEAL_INK: [u8; 3] = [210, 20, 40];

/// An RGBA canvas where shapes set coverage (alpha) in one ink colour.
struct Canvas {
    width: u32,
    height: u32,
    alpha: Vec<f64>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            alpha: vec![0.0; (width * height) as usize],
        }
    }

    /// Set every pixel's coverage to `f(x, y)` where it is larger (x, y at pixel centres).
    fn paint(&mut self, x_range: (f64, f64), y_range: (f64, f64), f: impl Fn(f64, f64) -> f64) {
        let clamp = |v: f64, max: u32| v.max(0.0).min(f64::from(max)) as u32;
        for y in clamp(y_range.0, self.height)..clamp(y_range.1.ceil(), self.height) {
            for x in clamp(x_range.0, self.width)..clamp(x_range.1.ceil(), self.width) {
                let cov = f(f64::from(x) + 0.5, f64::from(y) + 0.5).clamp(0.0, 1.0);
                let a = &mut self.alpha[(y * self.width + x) as usize];
                *a = a.max(cov);
            }
        }
    }

    /// A round pen dab of radius `r` at (cx, cy), anti-aliased over one pixel.
    fn dab(&mut self, cx: f64, cy: f64, r: f64) {
        let reach = r + 1.0;
        self.paint(
            (cx - reach, cx + reach),
            (cy - reach, cy + reach),
            |x, y| r + 0.5 - ((x - cx).powi(2) + (y - cy).powi(2)).sqrt(),
        );
    }

    fn into_png(self, ink: [u8; 3], ppm: Option<u32>) -> Vec<u8> {
        let mut raw = Vec::with_capacity(self.alpha.len() * 4 + self.height as usize);
        for row in self.alpha.chunks(self.width as usize) {
            raw.push(0); // filter: none
            for a in row {
                raw.extend_from_slice(&ink);
                raw.push((a * 255.0).round() as u8);
            }
        }
        encode_png(self.width, self.height, &raw, ppm)
    }
}

/// A blue handwriting-like stroke: a looping trochoid whose loops and slant depend on `name`,
/// with a flourish underneath. The name itself is not written (it is a demo, not a forgery aid).
pub fn signature_png(name: &str) -> Vec<u8> {
    let seed = Sha256::digest(name.as_bytes());
    let loops = 4.0 + f64::from(seed[0] % 4);
    let height = 40.0 + f64::from(seed[1] % 20);
    let slant = 0.25 + f64::from(seed[2] % 10) / 40.0;
    let (w, h) = SIG_SIZE;
    let (w, h) = (f64::from(w), f64::from(h));
    let mut canvas = Canvas::new(SIG_SIZE.0, SIG_SIZE.1);
    let steps = 6000;
    for i in 0..=steps {
        let t = f64::from(i) / f64::from(steps);
        let phase = t * loops * std::f64::consts::TAU;
        // x advances while the pen circles: loops where the circle outruns the advance.
        // Loop heights wander like a hand's, differently for each name.
        let wander = 0.65 + 0.35 * (phase * 0.41 + f64::from(seed[3])).sin();
        let y = h * 0.42 - height * phase.cos() * wander;
        let x = 40.0 + (w - 120.0) * t - 28.0 * phase.sin() + slant * (h * 0.42 - y);
        let pressure = 2.2 + 1.3 * (t * std::f64::consts::PI).sin();
        canvas.dab(x, y, pressure);
    }
    for i in 0..=2000 {
        let t = f64::from(i) / 2000.0;
        let x = 30.0 + (w - 60.0) * t;
        let y = h * 0.8 - 12.0 * (t * std::f64::consts::PI).sin();
        canvas.dab(x, y, 1.5 + 1.5 * (1.0 - t));
    }
    canvas.into_png(SIG_INK, None)
}

/// The size of [`seal_png`] in points, as [`crate::seal_size_pt`] reads it, without rendering
/// the picture (~15 ms): to place a seal field that is not drawn yet.
pub fn seal_size_pt() -> (f64, f64) {
    let side = f64::from(SEAL_PX) / f64::from(SEAL_PPM) * 1000.0 * 72.0 / 25.4;
    (side, side)
}

/// A red round seal, 36 mm wide by its `pHYs`: two concentric rings and a five-pointed star.
pub fn seal_png() -> Vec<u8> {
    let mut canvas = Canvas::new(SEAL_PX, SEAL_PX);
    let c = f64::from(SEAL_PX) / 2.0;
    let r = c - 1.0;
    let ring = |inner: f64, outer: f64| {
        move |x: f64, y: f64| {
            let d = ((x - c).powi(2) + (y - c).powi(2)).sqrt();
            (d - inner).min(outer - d) + 0.5
        }
    };
    let all = (0.0, f64::from(SEAL_PX));
    canvas.paint(all, all, ring(r * 0.90, r));
    canvas.paint(all, all, ring(r * 0.68, r * 0.72));
    let (outer, inner) = (r * 0.40, r * 0.16);
    let star = star_polygon(c, c, outer, inner);
    let around = (c - outer - 1.0, c + outer + 1.0);
    canvas.paint(around, around, |x, y| supersampled(&star, x, y));
    canvas.into_png(SEAL_INK, Some(SEAL_PPM))
}

/// Vertices of a five-pointed star, point up (image y grows downwards).
fn star_polygon(cx: f64, cy: f64, outer: f64, inner: f64) -> Vec<(f64, f64)> {
    (0..10)
        .map(|i| {
            let angle = -std::f64::consts::FRAC_PI_2 + f64::from(i) * std::f64::consts::PI / 5.0;
            let rad = if i % 2 == 0 { outer } else { inner };
            (cx + rad * angle.cos(), cy + rad * angle.sin())
        })
        .collect()
}

/// Coverage of the pixel centred at (x, y) by `poly`, from a 4 × 4 grid of samples.
fn supersampled(poly: &[(f64, f64)], x: f64, y: f64) -> f64 {
    let mut inside = 0;
    for i in 0..4 {
        for j in 0..4 {
            let sx = x - 0.5 + (f64::from(i) + 0.5) / 4.0;
            let sy = y - 0.5 + (f64::from(j) + 0.5) / 4.0;
            inside += usize::from(contains(poly, sx, sy));
        }
    }
    inside as f64 / 16.0
}

/// Even-odd point-in-polygon test.
fn contains(poly: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut inside = false;
    let mut prev = poly.len().wrapping_sub(1);
    for (i, &(xi, yi)) in poly.iter().enumerate() {
        let Some(&(xj, yj)) = poly.get(prev) else {
            return false;
        };
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        prev = i;
    }
    inside
}

/// A minimal RGBA PNG: IHDR, optional pHYs (pixels per metre), one IDAT, IEND.
fn encode_png(width: u32, height: u32, filtered_rows: &[u8], ppm: Option<u32>) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8 bits, RGBA, deflate, no filter set, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    if let Some(ppm) = ppm {
        let mut phys = Vec::with_capacity(9);
        phys.extend_from_slice(&ppm.to_be_bytes());
        phys.extend_from_slice(&ppm.to_be_bytes());
        phys.push(1); // unit: metre
        chunk(&mut out, b"pHYs", &phys);
    }
    chunk(&mut out, b"IDAT", &deflate(filtered_rows));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // PNG chunks are far below 4 GiB here (at most a few MB of pixels).
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (ISO 3309, as PNG uses), bitwise: the images are made once per demo.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_size_known_in_advance_is_the_rendered_seal_size() {
        let (w, h) = crate::seal_size_pt(&seal_png()).unwrap();
        let (kw, kh) = seal_size_pt();
        assert!((w - kw).abs() < 1e-9 && (h - kh).abs() < 1e-9, "{w} {kw}");
    }

    #[test]
    fn crc_matches_the_png_spec_example() {
        // The CRC of an empty IEND chunk is well known.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn demo_images_decode_with_transparency() {
        for png in [signature_png("Nguyễn Văn A"), seal_png()] {
            let img = crate::image::decode(&png).unwrap();
            assert!(img.width > 100 && img.height > 100);
        }
        assert_ne!(signature_png("A"), signature_png("B"));
    }
}
