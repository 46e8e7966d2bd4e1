//! PNG and JPEG images → PDF Image XObjects (DeviceRGB, 8 bits, FlateDecode) with an `/SMask`
//! for the alpha channel, and the real size of a seal from its `pHYs` resolution.
//!
//! A JPEG is decoded to pixels and written like a PNG's, rather than embedded as DCTDecode:
//! the same full decode refuses a damaged file when it is uploaded, and every image reaches
//! the PDF in one well-tested form (no CMYK or Adobe-inverted JPEG for viewers to misread).

use std::io::Cursor;

use crate::pdf::stream;
use crate::{AppearanceError, ObjectSink};

/// Largest PNG file accepted, in bytes.
pub const MAX_PNG_BYTES: usize = 8 * 1024 * 1024;
/// Largest width or height accepted, in pixels.
pub const MAX_PNG_SIDE: u32 = 4096;
/// Largest pixel count accepted (a 300 dpi seal is about 425 × 425; this leaves room).
pub const MAX_PNG_PIXELS: u64 = 4 * 1024 * 1024;
/// Memory the PNG decoder may use for its own buffers.
const DECODER_LIMIT_BYTES: usize = 32 * 1024 * 1024;

/// Default seal diameter when the PNG has no usable `pHYs` (the common 36 mm round seal).
const DEFAULT_SEAL_MM: f64 = 36.0;
/// Real sizes outside this range mean a bogus `pHYs`: fall back to the default.
const PLAUSIBLE_MM: (f64, f64) = (5.0, 300.0);
const PT_PER_MM: f64 = 72.0 / 25.4;

/// A decoded image: 8-bit RGB samples and, unless fully opaque, 8-bit alpha.
pub(crate) struct Image {
    pub(crate) width: u32,
    pub(crate) height: u32,
    rgb: Vec<u8>,
    alpha: Option<Vec<u8>>,
    /// Size in points from `pHYs` (metres), when present and plausible.
    pub(crate) real_size_pt: Option<(f64, f64)>,
}

fn bad(e: impl std::fmt::Display) -> AppearanceError {
    AppearanceError::BadPng(e.to_string())
}

fn bad_jpeg(e: impl std::fmt::Display) -> AppearanceError {
    AppearanceError::BadJpeg(e.to_string())
}

/// The decoder's error in words a person uploading a file can act on.
fn jpeg_error(e: jpeg_decoder::Error) -> AppearanceError {
    match e {
        jpeg_decoder::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            bad_jpeg("the file ends too early (cut short or damaged)")
        }
        jpeg_decoder::Error::Format(m) => bad_jpeg(format!("damaged: {m}")),
        jpeg_decoder::Error::Unsupported(f) => AppearanceError::UnsupportedJpeg(format!("{f:?}")),
        other => bad_jpeg(other),
    }
}

/// Whether the bytes start as a JPEG file (SOI then a marker); anything else is read as PNG.
pub fn is_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// What an image's header says: its size in pixels, and for a PNG with a plausible `pHYs`
/// its size in points.
struct Header {
    width: u32,
    height: u32,
    real_size_pt: Option<(f64, f64)>,
}

fn header(bytes: &[u8]) -> Result<Header, AppearanceError> {
    if is_jpeg(bytes) {
        let (_, info) = open_jpeg(bytes)?;
        return Ok(Header {
            width: u32::from(info.width),
            height: u32::from(info.height),
            real_size_pt: None,
        });
    }
    let reader = open(bytes)?;
    let info = reader.info();
    Ok(Header {
        width: info.width,
        height: info.height,
        real_size_pt: real_size(info),
    })
}

/// Read the JPEG's headers (up to the frame) and check the same limits as a PNG's.
fn open_jpeg(
    bytes: &[u8],
) -> Result<(jpeg_decoder::Decoder<&[u8]>, jpeg_decoder::ImageInfo), AppearanceError> {
    if bytes.len() > MAX_PNG_BYTES {
        return Err(AppearanceError::JpegTooLarge(format!(
            "{} bytes (at most {MAX_PNG_BYTES})",
            bytes.len()
        )));
    }
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(DECODER_LIMIT_BYTES);
    decoder.read_info().map_err(jpeg_error)?;
    let info = decoder.info().ok_or_else(|| bad_jpeg("no frame header"))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    if w == 0 || h == 0 {
        return Err(bad_jpeg("zero width or height"));
    }
    if w > MAX_PNG_SIDE || h > MAX_PNG_SIDE || u64::from(w) * u64::from(h) > MAX_PNG_PIXELS {
        return Err(AppearanceError::JpegTooLarge(format!(
            "{w} x {h} pixels (at most {MAX_PNG_SIDE} per side and {MAX_PNG_PIXELS} in all)"
        )));
    }
    Ok((decoder, info))
}

/// Decode a greyscale or colour 8-bit JPEG into RGB (opaque: JPEG has no alpha). A file cut
/// short, or with damaged headers or markers, is refused; like libjpeg, the decoder does not
/// notice scan data that was cut and then closed with an end marker (its last blocks decode
/// grey), which no upload does by accident.
fn decode_jpeg(bytes: &[u8]) -> Result<Image, AppearanceError> {
    let (mut decoder, info) = open_jpeg(bytes)?;
    let pixels = decoder.decode().map_err(jpeg_error)?;
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|g| [*g, *g, *g]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => {
            return Err(AppearanceError::UnsupportedJpeg(
                "CMYK colours: save the image as RGB".into(),
            ))
        }
        jpeg_decoder::PixelFormat::L16 => {
            return Err(AppearanceError::UnsupportedJpeg(
                "16-bit samples: save the image with 8 bits".into(),
            ))
        }
    };
    let n = usize::from(info.width) * usize::from(info.height);
    if rgb.len() != n * 3 {
        return Err(bad_jpeg("image data shorter than its header says"));
    }
    Ok(Image {
        width: u32::from(info.width),
        height: u32::from(info.height),
        rgb,
        alpha: None,
        real_size_pt: None,
    })
}

/// Read the PNG's metadata (up to the first image data) and check the limits.
fn open(bytes: &[u8]) -> Result<png::Reader<Cursor<&[u8]>>, AppearanceError> {
    if bytes.len() > MAX_PNG_BYTES {
        return Err(AppearanceError::PngTooLarge(format!(
            "{} bytes (at most {MAX_PNG_BYTES})",
            bytes.len()
        )));
    }
    let limits = png::Limits {
        bytes: DECODER_LIMIT_BYTES,
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    // Palette → RGB, grey < 8 bits → 8, tRNS → alpha, 16 bits → 8.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let reader = decoder.read_info().map_err(bad)?;
    let (w, h) = (reader.info().width, reader.info().height);
    if w == 0 || h == 0 {
        return Err(bad("zero width or height"));
    }
    if w > MAX_PNG_SIDE || h > MAX_PNG_SIDE || u64::from(w) * u64::from(h) > MAX_PNG_PIXELS {
        return Err(AppearanceError::PngTooLarge(format!(
            "{w} x {h} pixels (at most {MAX_PNG_SIDE} per side and {MAX_PNG_PIXELS} in all)"
        )));
    }
    Ok(reader)
}

/// Size in points given by `pHYs` in pixels per metre, if present and plausible.
fn real_size(info: &png::Info) -> Option<(f64, f64)> {
    let dims = info.pixel_dims?;
    if dims.unit != png::Unit::Meter || dims.xppu == 0 || dims.yppu == 0 {
        return None;
    }
    let w_mm = f64::from(info.width) / f64::from(dims.xppu) * 1000.0;
    let h_mm = f64::from(info.height) / f64::from(dims.yppu) * 1000.0;
    let ok = |mm: f64| (PLAUSIBLE_MM.0..=PLAUSIBLE_MM.1).contains(&mm);
    (ok(w_mm) && ok(h_mm)).then_some((w_mm * PT_PER_MM, h_mm * PT_PER_MM))
}

/// The real size of a seal image in points: from its `pHYs` resolution, or 36 mm wide (height
/// in proportion) when the PNG has none (a JPEG never has one here). Use it to place the
/// field with [`crate::seal_rect`].
pub fn seal_size_pt(png_bytes: &[u8]) -> Result<(f64, f64), AppearanceError> {
    let h = header(png_bytes)?;
    Ok(h.real_size_pt
        .unwrap_or_else(|| default_size(h.width, h.height)))
}

/// Where an image of `pixels` lands in a box of `size` points: scaled to fit, aspect ratio
/// kept, centred. Returns (x, y, width, height) in the box's coordinates.
pub(crate) fn fit_centered((bw, bh): (f64, f64), pixels: (u32, u32)) -> (f64, f64, f64, f64) {
    let (iw, ih) = (f64::from(pixels.0), f64::from(pixels.1));
    let scale = (bw / iw).min(bh / ih);
    let (w, h) = (iw * scale, ih * scale);
    ((bw - w) / 2.0, (bh - h) / 2.0, w, h)
}

/// The rectangle `[x0, y0, x1, y1]` that a signature image actually covers when
/// [`crate::Layout::Personal`] draws it into `box_rect` (scaled to fit, centred). Give this,
/// rather than the box, to [`crate::seal_rect`] when the box's shape differs from the image's,
/// so that the seal covers the left third of the *image*.
pub fn signature_image_rect(
    box_rect: [f64; 4],
    png_bytes: &[u8],
) -> Result<[f64; 4], AppearanceError> {
    let head = header(png_bytes)?;
    let [ax, ay, bx, by] = box_rect;
    let (x0, y0) = (ax.min(bx), ay.min(by));
    let (x, y, w, h) = fit_centered(
        ((bx - ax).abs(), (by - ay).abs()),
        (head.width, head.height),
    );
    Ok([x0 + x, y0 + y, x0 + x + w, y0 + y + h])
}

pub(crate) fn default_size(width: u32, height: u32) -> (f64, f64) {
    let w = DEFAULT_SEAL_MM * PT_PER_MM;
    (w, w * f64::from(height) / f64::from(width))
}

/// Decode a PNG of any colour type and bit depth, or an 8-bit greyscale or RGB JPEG, into
/// 8-bit RGB + alpha.
pub(crate) fn decode(bytes: &[u8]) -> Result<Image, AppearanceError> {
    if is_jpeg(bytes) {
        return decode_jpeg(bytes);
    }
    decode_png(bytes)
}

fn decode_png(png_bytes: &[u8]) -> Result<Image, AppearanceError> {
    let mut reader = open(png_bytes)?;
    let real_size_pt = real_size(reader.info());
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| bad("image buffer size overflows"))?;
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(bad)?;
    let channels = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(bad("palette was not expanded")),
    };
    if frame.bit_depth != png::BitDepth::Eight {
        return Err(bad("unexpected bit depth after conversion"));
    }
    let (w, h) = (frame.width as usize, frame.height as usize);
    let mut rgb = Vec::with_capacity(w * h * 3);
    let mut alpha = Vec::with_capacity(w * h);
    for row in buf.chunks(frame.line_size).take(h) {
        for px in row.chunks_exact(channels).take(w) {
            let (color, a) = match *px {
                [g] => ([g, g, g], 255),
                [g, a] => ([g, g, g], a),
                [r, g, b] => ([r, g, b], 255),
                [r, g, b, a] => ([r, g, b], a),
                _ => ([0, 0, 0], 0),
            };
            rgb.extend_from_slice(&color);
            alpha.push(a);
        }
    }
    if rgb.len() != w * h * 3 {
        return Err(bad("image data shorter than its header says"));
    }
    let opaque = alpha.iter().all(|a| *a == 255);
    Ok(Image {
        width: frame.width,
        height: frame.height,
        rgb,
        alpha: (!opaque).then_some(alpha),
        real_size_pt,
    })
}

/// Write the image (and its soft mask) and return the image's object number.
pub(crate) fn write_image(img: &Image, sink: &mut dyn ObjectSink) -> u32 {
    let common = format!(
        "/Type /XObject /Subtype /Image /Width {} /Height {} /BitsPerComponent 8",
        img.width, img.height
    );
    let smask = img.alpha.as_ref().map(|alpha| {
        let n = sink.reserve();
        sink.put(
            n,
            stream(&format!("{common} /ColorSpace /DeviceGray"), alpha),
        );
        n
    });
    let mut dict = format!("{common} /ColorSpace /DeviceRGB");
    if let Some(n) = smask {
        dict.push_str(&format!(" /SMask {n} 0 R"));
    }
    let n = sink.reserve();
    sink.put(n, stream(&dict, &img.rgb));
    n
}

/// Checks a PNG or JPEG for use as an appearance image (limits, then a full decode, so a
/// damaged file is refused when uploaded rather than when a signature is drawn): its size in
/// pixels.
pub fn image_dimensions(bytes: &[u8]) -> Result<(u32, u32), AppearanceError> {
    let image = decode(bytes)?;
    Ok((image.width, image.height))
}

/// [`image_dimensions`], under its first name (it has read JPEG too since JPEG was added).
pub fn png_dimensions(png_bytes: &[u8]) -> Result<(u32, u32), AppearanceError> {
    image_dimensions(png_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    #[test]
    fn demo_seal_is_36_mm() {
        let (w, h) = seal_size_pt(&demo::seal_png()).unwrap();
        assert!((w / PT_PER_MM - 36.0).abs() < 0.1, "{w}");
        assert!((w - h).abs() < 0.01);
        let img = decode(&demo::seal_png()).unwrap();
        assert!(img.alpha.is_some());
        assert_eq!(img.rgb.len(), (img.width * img.height * 3) as usize);
    }

    #[test]
    fn garbage_is_a_clear_error() {
        assert!(matches!(
            decode(b"not a png"),
            Err(AppearanceError::BadPng(_))
        ));
        let big = vec![0u8; MAX_PNG_BYTES + 1];
        assert!(matches!(decode(&big), Err(AppearanceError::PngTooLarge(_))));
    }

    #[test]
    fn a_jpeg_decodes_to_opaque_rgb() {
        let img = decode(signet_testkit::SIGNATURE_JPEG).unwrap();
        assert_eq!((img.width, img.height), (300, 120));
        assert!(img.alpha.is_none());
        assert_eq!(img.rgb.len(), 300 * 120 * 3);
        // Dark ink on white paper: both are there after decoding.
        let lum: Vec<u32> = img
            .rgb
            .chunks(3)
            .map(|p| p.iter().map(|c| u32::from(*c)).sum())
            .collect();
        assert!(lum.iter().any(|l| *l > 700) && lum.iter().any(|l| *l < 300));
        let (w, h) = seal_size_pt(signet_testkit::SIGNATURE_JPEG).unwrap();
        assert!((w / PT_PER_MM - 36.0).abs() < 0.1 && (h - w * 120.0 / 300.0).abs() < 0.01);
    }

    #[test]
    fn a_damaged_or_cmyk_jpeg_is_a_clear_error() {
        let jpeg = signet_testkit::SIGNATURE_JPEG;
        // Cut in the middle of the scan data, or the scan data overwritten.
        let cut = &jpeg[..jpeg.len() / 2];
        assert!(
            matches!(decode(cut), Err(AppearanceError::BadJpeg(_))),
            "cut"
        );
        assert!(
            matches!(decode(cut), Err(AppearanceError::BadJpeg(m)) if m.contains("ends too early")),
            "cut"
        );
        let mut smashed = jpeg.to_vec();
        for b in &mut smashed[20..200] {
            *b = 0x55;
        }
        assert!(
            matches!(decode(&smashed), Err(AppearanceError::BadJpeg(_))),
            "headers overwritten"
        );
        let mut scrambled = jpeg.to_vec();
        let from = jpeg.len() / 3;
        for b in &mut scrambled[from..from + 600] {
            *b = 0xFF;
        }
        assert!(
            matches!(decode(&scrambled), Err(AppearanceError::BadJpeg(_))),
            "scrambled"
        );
        assert!(matches!(
            decode(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Err(AppearanceError::BadJpeg(_))
        ));
        let cmyk = decode(signet_testkit::SIGNATURE_JPEG_CMYK);
        assert!(
            matches!(&cmyk, Err(AppearanceError::UnsupportedJpeg(m)) if m.contains("CMYK")),
            "{:?}",
            cmyk.err()
        );
    }
}
