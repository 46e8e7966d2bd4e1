//! Images of every colour type, and bad input of every kind: clear errors, never a panic.

use crate::common::{crc32, encode, stream_data, Sink};
use png::{BitDepth, ColorType};
use proptest::prelude::*;
use signet_appearance::{
    demo, render, seal_size_pt, signature_image_rect, top_right_rect, Appearance, AppearanceError,
    AttachmentText, Layout, MAX_PNG_BYTES,
};

const AGENCY: &str = "Ủy ban nhân dân tỉnh Lạc Hồng";
const TIME: &str = "2026-11-23T14:05:09+07:00";

/// The demo seal, made once (drawing it takes a moment in a debug build).
fn seal() -> &'static [u8] {
    static SEAL: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SEAL.get_or_init(demo::seal_png)
}

fn personal(png: &[u8], w: f64, h: f64) -> Result<Sink, AppearanceError> {
    let mut sink = Sink::default();
    let layout = Layout::Personal {
        signature_png: Some(png),
        name: "An",
    };
    render(
        &Appearance {
            width: w,
            height: h,
            layout,
        },
        &mut sink,
    )?;
    Ok(sink)
}

/// The RGB samples and the soft mask (if any) of the one image in `sink`.
fn image_of(sink: &Sink) -> (Vec<u8>, Option<Vec<u8>>) {
    let rgb = sink.find("/ColorSpace /DeviceRGB");
    assert_eq!(rgb.len(), 1);
    let mask = sink.find("/ColorSpace /DeviceGray");
    assert_eq!(
        mask.is_empty(),
        !String::from_utf8_lossy(rgb[0]).contains("/SMask")
    );
    (stream_data(rgb[0]), mask.first().map(|m| stream_data(m)))
}

#[test]
fn grey_images_become_rgb_without_a_mask() {
    let png = encode(
        (2, 1),
        ColorType::Grayscale,
        BitDepth::Eight,
        None,
        &[0x10, 0xF0],
    );
    let (rgb, mask) = image_of(&personal(&png, 20.0, 10.0).unwrap());
    assert_eq!(rgb, [0x10, 0x10, 0x10, 0xF0, 0xF0, 0xF0]);
    assert_eq!(mask, None, "an opaque image needs no soft mask");
}

#[test]
fn one_bit_grey_is_expanded_to_eight() {
    let png = encode(
        (8, 1),
        ColorType::Grayscale,
        BitDepth::One,
        None,
        &[0b1000_0001],
    );
    let (rgb, _) = image_of(&personal(&png, 8.0, 1.0).unwrap());
    assert_eq!(&rgb[..6], [255, 255, 255, 0, 0, 0]);
    assert_eq!(&rgb[21..], [255, 255, 255]);
}

#[test]
fn grey_alpha_keeps_its_alpha() {
    let png = encode(
        (1, 1),
        ColorType::GrayscaleAlpha,
        BitDepth::Eight,
        None,
        &[0x80, 0x40],
    );
    let (rgb, mask) = image_of(&personal(&png, 10.0, 10.0).unwrap());
    assert_eq!((rgb, mask), (vec![0x80; 3], Some(vec![0x40])));
}

#[test]
fn sixteen_bit_rgba_is_cut_to_eight_bits() {
    let data = [0xAB, 0xCD, 0x12, 0x34, 0x00, 0xFF, 0x80, 0x01];
    let png = encode((1, 1), ColorType::Rgba, BitDepth::Sixteen, None, &data);
    let (rgb, mask) = image_of(&personal(&png, 10.0, 10.0).unwrap());
    assert_eq!((rgb, mask), (vec![0xAB, 0x12, 0x00], Some(vec![0x80])));
}

#[test]
fn palette_with_transparency_becomes_rgb_and_mask() {
    let plte = [200, 20, 40, 20, 45, 170];
    let png = encode(
        (2, 1),
        ColorType::Indexed,
        BitDepth::Eight,
        Some((&plte, &[0])),
        &[0, 1],
    );
    let (rgb, mask) = image_of(&personal(&png, 10.0, 5.0).unwrap());
    assert_eq!(rgb, plte);
    assert_eq!(
        mask,
        Some(vec![0, 255]),
        "tRNS entry 0 is transparent, entry 1 opaque"
    );
}

#[test]
fn signatures_keep_their_aspect_ratio_centred() {
    let sink = personal(&demo::signature_png("An"), 300.0, 50.0).unwrap();
    let form = sink.find("/Subtype /Form");
    let ops = String::from_utf8(stream_data(form[0])).unwrap();
    // 600 × 200 pixels into 300 × 50 points: 150 × 50, centred horizontally.
    assert!(ops.contains("q 150 0 0 50 75 0 cm /Im1 Do Q"), "{ops}");
    assert!(String::from_utf8_lossy(form[0]).contains("/BBox [0 0 300 50]"));
}

#[test]
fn seal_without_phys_defaults_to_36_mm_wide() {
    let (w, h) = seal_size_pt(&demo::signature_png("An")).unwrap();
    assert!((w - 36.0 * 72.0 / 25.4).abs() < 1e-9);
    assert!((h - w / 3.0).abs() < 1e-9, "height in proportion");
}

/// A copy of `png` with the IHDR width and height replaced (and its CRC fixed).
fn with_dimensions(png: &[u8], w: u32, h: u32) -> Vec<u8> {
    let mut out = png.to_vec();
    out[16..20].copy_from_slice(&w.to_be_bytes());
    out[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

#[test]
fn huge_images_are_refused_before_decoding() {
    let png = seal().to_vec();
    for (w, h) in [
        (100_000, 100_000),
        (5000, 10),
        (2048, 2049),
        (u32::MAX >> 1, 1),
    ] {
        let err = personal(&with_dimensions(&png, w, h), 10.0, 10.0).err();
        assert!(
            matches!(
                err,
                Some(AppearanceError::PngTooLarge(_)) | Some(AppearanceError::BadPng(_))
            ),
            "{w}x{h}: {err:?}"
        );
        assert!(seal_size_pt(&with_dimensions(&png, w, h)).is_err());
    }
    // Big dimensions within bounds go on to the data, which is too short: a clean error.
    let err = personal(&with_dimensions(&png, 2000, 2000), 10.0, 10.0).err();
    assert!(matches!(err, Some(AppearanceError::BadPng(_))), "{err:?}");
    let mut big = png.clone();
    big.resize(MAX_PNG_BYTES + 1, 0);
    assert!(matches!(
        personal(&big, 10.0, 10.0),
        Err(AppearanceError::PngTooLarge(_))
    ));
}

#[test]
fn truncated_and_corrupt_pngs_are_clear_errors() {
    let png = seal().to_vec();
    for cut in [0, 7, 8, 20, 33, 60, png.len() / 2, png.len() - 13] {
        let err = personal(&png[..cut], 10.0, 10.0).err();
        assert!(
            matches!(err, Some(AppearanceError::BadPng(_))),
            "cut at {cut}: {err:?}"
        );
    }
    let mut bad_crc = png.clone();
    bad_crc[30] ^= 0xFF;
    assert!(matches!(
        personal(&bad_crc, 10.0, 10.0),
        Err(AppearanceError::BadPng(_))
    ));
}

fn organization(w: f64, h: f64, agency: &str, time: &str) -> (Result<u32, AppearanceError>, Sink) {
    let seal = seal();
    let mut sink = Sink::default();
    let layout = Layout::Organization {
        seal_png: seal,
        agency,
        signing_time: time,
    };
    (
        render(
            &Appearance {
                width: w,
                height: h,
                layout,
            },
            &mut sink,
        ),
        sink,
    )
}

#[test]
fn bad_text_is_refused_and_nothing_is_written() {
    type Expect = fn(&AppearanceError) -> bool;
    let cases: Vec<(&str, &str, Expect)> = vec![
        (AGENCY, "2026-11-23 14:05:09", |e| {
            matches!(e, AppearanceError::BadTime(_))
        }),
        (AGENCY, "2026-11-23T14:05:09Z", |e| {
            matches!(e, AppearanceError::BadTime(_))
        }),
        (AGENCY, "2026-11-23T14:05:09+7:00", |e| {
            matches!(e, AppearanceError::BadTime(_))
        }),
        ("  ", TIME, |e| matches!(e, AppearanceError::EmptyText(_))),
        ("Ủy ban 中文", TIME, |e| {
            matches!(e, AppearanceError::MissingGlyph('中', 0x4E2D))
        }),
        ("Ủy ban\u{7}", TIME, |e| {
            matches!(e, AppearanceError::MissingGlyph(_, 7))
        }),
    ];
    for (agency, time, expected) in cases {
        let (result, sink) = organization(240.0, 110.0, agency, time);
        let err = result.expect_err(agency);
        assert!(expected(&err), "{agency:?} {time:?}: {err}");
        assert!(sink.objects.is_empty(), "nothing written on error");
    }
    let long = "Ủy ban ".repeat(60);
    let (result, _) = organization(240.0, 110.0, &long, TIME);
    assert!(matches!(
        result,
        Err(AppearanceError::TextTooLong { max: 250, .. })
    ));
    let text = AttachmentText {
        notation: "",
        agency: AGENCY,
        signing_time: TIME,
    };
    let mut sink = Sink::default();
    let r = render(
        &Appearance {
            width: 200.0,
            height: 50.0,
            layout: Layout::Attachment(text),
        },
        &mut sink,
    );
    assert!(matches!(r, Err(AppearanceError::EmptyText("notation"))));
}

#[test]
fn bad_boxes_are_refused() {
    for (w, h) in [
        (f64::NAN, 10.0),
        (0.0, 10.0),
        (-5.0, 10.0),
        (10.0, f64::INFINITY),
        (20_000.0, 10.0),
    ] {
        let (result, sink) = organization(w, h, AGENCY, TIME);
        assert!(
            matches!(result, Err(AppearanceError::BadBox { .. })),
            "{w}x{h}"
        );
        assert!(sink.objects.is_empty());
    }
    // A box no wider than the seal leaves no room for the text.
    let (result, _) = organization(100.0, 100.0, AGENCY, TIME);
    assert!(
        matches!(result, Err(AppearanceError::BoxTooSmall(_))),
        "{result:?}"
    );
    // A box smaller than the seal shrinks the seal rather than overflowing.
    let (result, sink) = organization(150.0, 40.0, AGENCY, TIME);
    result.unwrap();
    let form = sink.find("/Subtype /Form");
    let ops = String::from_utf8(stream_data(form[0])).unwrap();
    assert!(ops.contains("q 40 0 0 40 110 0 cm /Im1 Do Q"), "{ops}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(personal(&bytes, 50.0, 20.0).is_err());
        prop_assert!(seal_size_pt(&bytes).is_err());
    }

    #[test]
    fn random_bytes_after_a_png_header_never_panic(tail in prop::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = seal()[..33].to_vec();
        bytes.extend_from_slice(&tail);
        let _ = personal(&bytes, 50.0, 20.0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn corrupted_seals_never_panic(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut png = demo::signature_png("x");
        for (at, byte) in flips {
            let i = at.index(png.len());
            png[i] ^= byte | 1;
        }
        let _ = personal(&png, 50.0, 20.0);
    }
}

#[test]
fn a_jpeg_signature_is_drawn_as_opaque_rgb_in_proportion() {
    let jpeg = signet_testkit::SIGNATURE_JPEG;
    let sink = personal(jpeg, 150.0, 60.0).unwrap();
    let (rgb, mask) = image_of(&sink);
    assert!(mask.is_none(), "JPEG has no alpha");
    assert_eq!(rgb.len(), 300 * 120 * 3);
    // 300 × 120 into a 150 × 60 box: half the size, the same aspect ratio.
    assert_eq!(
        signature_image_rect([0.0, 0.0, 150.0, 60.0], jpeg).unwrap(),
        [0.0, 0.0, 150.0, 60.0]
    );
    let cmyk = personal(signet_testkit::SIGNATURE_JPEG_CMYK, 150.0, 60.0).err();
    assert!(
        matches!(cmyk, Some(AppearanceError::UnsupportedJpeg(_))),
        "{cmyk:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn corrupted_jpegs_never_panic(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut jpeg = signet_testkit::SIGNATURE_JPEG.to_vec();
        for (at, byte) in flips {
            let i = at.index(jpeg.len());
            jpeg[i] ^= byte | 1;
        }
        let _ = personal(&jpeg, 50.0, 20.0);
        let _ = seal_size_pt(&jpeg);
    }

    #[test]
    fn random_bytes_after_a_jpeg_header_never_panic(tail in prop::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = signet_testkit::SIGNATURE_JPEG[..200].to_vec();
        bytes.extend_from_slice(&tail);
        let _ = personal(&bytes, 50.0, 20.0);
    }
}

#[test]
fn the_signature_image_rect_is_where_the_image_lands() {
    let sig = demo::signature_png("An");
    // 600 × 200 pixels in a 300 × 50 box at (100, 40): 150 × 50, centred.
    let r = signature_image_rect([100.0, 40.0, 400.0, 90.0], &sig).unwrap();
    assert_eq!(r, [175.0, 40.0, 325.0, 90.0]);
    assert!(signature_image_rect([0.0, 0.0, 10.0, 10.0], b"junk").is_err());
}

#[test]
fn attachment_text_is_10_pt_black_and_fits_its_top_right_box() {
    let agency = "Sở Thông tin và Truyền thông tỉnh Lạc Hồng, Trung tâm Công nghệ thông tin";
    let text = AttachmentText {
        notation: "1234/SY-STTTT",
        agency,
        signing_time: TIME,
    };
    let a4 = [0.0, 0.0, 595.276, 841.89];
    let [x0, y0, x1, y1] = top_right_rect(a4, &text).unwrap();
    assert!(
        x1 - x0 <= a4[2] / 2.0 + 4.0,
        "the agency wraps at half the page"
    );
    let mut sink = Sink::default();
    let layout = Layout::Attachment(text);
    render(
        &Appearance {
            width: x1 - x0,
            height: y1 - y0,
            layout,
        },
        &mut sink,
    )
    .unwrap();
    let ops = String::from_utf8(stream_data(sink.find("/Subtype /Form")[0])).unwrap();
    let shows: Vec<&str> = ops.lines().filter(|l| l.contains(" Tj ")).collect();
    assert_eq!(
        shows.len(),
        4,
        "notation, two lines of agency, time:\n{ops}"
    );
    for op in shows {
        assert!(
            op.starts_with("BT 0 0 0 rg /F1 10 Tf 2 "),
            "black, 10 pt, left-aligned: {op}"
        );
    }
    assert!(
        sink.find("/Subtype /Image").is_empty(),
        "no image on an attachment"
    );
}
