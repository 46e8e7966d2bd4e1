//! The appearances on a real page, checked by poppler (pdftotext, pdffonts, pdftoppm) and qpdf.

use crate::common::{one_page_pdf, run, tool, Placed, Scratch, Sink};
use signet_appearance::{
    demo, render, seal_rect, seal_size_pt, top_right_rect, Appearance, AttachmentText, Layout,
};

const AGENCY: &str = "Ủy ban nhân dân tỉnh Lạc Hồng";
const TIME: &str = "2026-11-23T14:05:09+07:00";
const NOTATION: &str = "12/QĐ-UBND";
const NAME: &str = "Nguyễn Văn An";
const PAGE: (f64, f64) = (596.0, 842.0);
/// The leader's signature box: 150 × 50 pt, the 3:1 shape of the demo signature.
const LEADER: [f64; 4] = [330.0, 200.0, 480.0, 250.0];
/// A second personal box, with the name as text (no image).
const NAME_BOX: [f64; 4] = [330.0, 120.0, 480.0, 150.0];
/// Width of the organization's text column.
const ORG_TEXT_W: f64 = 130.0;

/// Where things went on the page.
struct Page {
    pdf: Vec<u8>,
    seal: [f64; 4],
    org: [f64; 4],
    attachment: [f64; 4],
    org_bytes: usize,
}

fn place(sink: &mut Sink, rect: [f64; 4], layout: Layout) -> Placed {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let form = render(
        &Appearance {
            width: w,
            height: h,
            layout,
        },
        sink,
    )
    .expect("render");
    Placed {
        form,
        rect,
        bbox: (w, h),
    }
}

fn build() -> Page {
    let signature = demo::signature_png(NAME);
    let seal = demo::seal_png();
    let seal_size = seal_size_pt(&seal).unwrap();
    let org = seal_rect(LEADER, seal_size, ORG_TEXT_W);
    let text = AttachmentText {
        notation: NOTATION,
        agency: AGENCY,
        signing_time: TIME,
    };
    let attachment = top_right_rect([0.0, 0.0, PAGE.0, PAGE.1], &text).unwrap();

    let mut sink = Sink::default();
    let mut placed = vec![place(
        &mut sink,
        LEADER,
        Layout::Personal {
            signature_png: Some(&signature),
            name: NAME,
        },
    )];
    let before = sink.bytes();
    placed.push(place(
        &mut sink,
        org,
        Layout::Organization {
            seal_png: &seal,
            agency: AGENCY,
            signing_time: TIME,
        },
    ));
    let org_bytes = sink.bytes() - before;
    placed.push(place(&mut sink, attachment, Layout::Attachment(text)));
    placed.push(place(
        &mut sink,
        NAME_BOX,
        Layout::Personal {
            signature_png: None,
            name: NAME,
        },
    ));
    let seal_box = [org[2] - seal_size.0, org[1], org[2], org[3]];
    Page {
        pdf: one_page_pdf(PAGE, &placed, &sink),
        seal: seal_box,
        org,
        attachment,
        org_bytes,
    }
}

fn write(name: &str) -> (Scratch, std::path::PathBuf, Page) {
    let page = build();
    let dir = Scratch::new(name);
    let path = dir.path("page.pdf");
    std::fs::write(&path, &page.pdf).unwrap();
    (dir, path, page)
}

#[test]
fn qpdf_finds_no_syntax_error() {
    let Some(qpdf) = tool("qpdf") else { return };
    let (_dir, path, _) = write("qpdf");
    let out = run(&qpdf, &["--check", path.to_str().unwrap()]);
    assert!(
        out.contains("No syntax or stream encoding errors found"),
        "{out}"
    );
}

#[test]
fn pdftotext_extracts_the_vietnamese_text() {
    let Some(pdftotext) = tool("pdftotext") else {
        return;
    };
    let (_dir, path, _) = write("text");
    let text = run(&pdftotext, &[path.to_str().unwrap(), "-"]);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for wanted in [
        AGENCY,
        TIME,
        NOTATION,
        NAME,
        "Thời gian ký:",
        "Số, ký hiệu: 12/QĐ-UBND",
    ] {
        assert!(words.contains(wanted), "{wanted:?} not in {words:?}");
    }
}

#[test]
fn pdffonts_shows_embedded_subset_fonts_with_unicode_maps() {
    let Some(pdffonts) = tool("pdffonts") else {
        return;
    };
    let (_dir, path, _) = write("fonts");
    let out = run(&pdffonts, &[path.to_str().unwrap()]);
    let fonts: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(fonts.len(), 3, "one font per text appearance:\n{out}");
    for line in fonts {
        let t: Vec<&str> = line.split_whitespace().collect();
        let name = t[0];
        assert_eq!(name.len(), "ABCDEF+LiberationSerif".len(), "{line}");
        assert!(name.ends_with("+LiberationSerif"), "{line}");
        assert!(
            line.contains("CID TrueType") && line.contains("Identity-H"),
            "{line}"
        );
        assert_eq!(
            &t[t.len() - 5..t.len() - 2],
            ["yes", "yes", "yes"],
            "emb sub uni: {line}"
        );
    }
}

/// A rendered page: RGB pixels at 72 dpi, so one pixel is one point.
struct Raster {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Raster {
    fn pixel(&self, col: usize, row: usize) -> [u8; 3] {
        let i = (row * self.width + col) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Pixels matching `class`, as PDF coordinates of their centres.
    fn points(&self, class: fn([u8; 3]) -> bool) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for row in 0..self.height {
            for col in 0..self.width {
                if class(self.pixel(col, row)) {
                    out.push((col as f64 + 0.5, self.height as f64 - row as f64 - 0.5));
                }
            }
        }
        out
    }
}

fn is_red([r, g, b]: [u8; 3]) -> bool {
    r > 150 && g < 110 && b < 110
}
fn is_blue([r, g, b]: [u8; 3]) -> bool {
    b > 120 && r < 110 && g < 140
}
fn is_dark([r, g, b]: [u8; 3]) -> bool {
    r < 90 && g < 90 && b < 90
}
fn inside((x, y): (f64, f64), [x0, y0, x1, y1]: [f64; 4], margin: f64) -> bool {
    x >= x0 - margin && x <= x1 + margin && y >= y0 - margin && y <= y1 + margin
}

fn rasterize(pdftoppm: &std::path::Path, path: &std::path::Path) -> Raster {
    let prefix = path.with_file_name("page");
    run(
        pdftoppm,
        &[
            "-r",
            "72",
            "-png",
            "-singlefile",
            path.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(prefix.with_extension("png")).unwrap();
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    Raster {
        width: info.width as usize,
        height: info.height as usize,
        rgb: buf,
    }
}

#[test]
fn pdftoppm_shows_the_seal_over_the_left_third_of_the_signature() {
    let Some(pdftoppm) = tool("pdftoppm") else {
        return;
    };
    let (_dir, path, page) = write("render");
    let raster = rasterize(&pdftoppm, &path);
    assert_eq!((raster.width, raster.height), (596, 842));

    // Red: only the seal, at its real size (36 mm = 102 pt), where seal_rect put it.
    let red = raster.points(is_red);
    assert!(red.len() > 2000, "{} red pixels", red.len());
    assert!(
        red.iter().all(|p| inside(*p, page.seal, 1.0)),
        "red outside the seal"
    );
    let min_x = red.iter().map(|p| p.0).fold(f64::MAX, f64::min);
    let max_x = red.iter().map(|p| p.0).fold(f64::MIN, f64::max);
    let min_y = red.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    let max_y = red.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let (w_mm, h_mm) = (
        (max_x - min_x + 1.0) * 25.4 / 72.0,
        (max_y - min_y + 1.0) * 25.4 / 72.0,
    );
    eprintln!("seal rendered {w_mm:.1} x {h_mm:.1} mm at x {min_x}..{max_x}, y {min_y}..{max_y}");
    assert!((w_mm - 36.0).abs() < 1.0 && (h_mm - 36.0).abs() < 1.0);
    // Its right edge is at one third of the signature's width.
    let third = LEADER[0] + (LEADER[2] - LEADER[0]) / 3.0;
    assert!(
        (max_x - third).abs() < 2.0,
        "seal ends at {max_x}, third at {third}"
    );
    let left_third = [LEADER[0], LEADER[1], third, LEADER[3]];
    let red_on_sig = red.iter().filter(|p| inside(**p, left_third, 0.0)).count();
    assert!(
        red_on_sig > 100,
        "{red_on_sig} red pixels on the left third of the signature"
    );

    // Blue: only the signature and the name, and the signature's right two thirds show.
    let blue = raster.points(is_blue);
    assert!(
        blue.iter()
            .all(|p| inside(*p, LEADER, 1.0) || inside(*p, NAME_BOX, 1.0)),
        "blue elsewhere"
    );
    let right = [third, LEADER[1], LEADER[2], LEADER[3]];
    let blue_right = blue.iter().filter(|p| inside(**p, right, 0.0)).count();
    let blue_name = blue.iter().filter(|p| inside(**p, NAME_BOX, 0.0)).count();
    eprintln!(
        "blue pixels: {blue_right} on the signature's right two thirds, {blue_name} in the name"
    );
    assert!(blue_right > 300 && blue_name > 50);

    // Black text: the attachment box at the top right, and the organization's text column.
    let dark = raster.points(is_dark);
    let in_attachment = dark
        .iter()
        .filter(|p| inside(**p, page.attachment, 0.0))
        .count();
    let org_text = [page.org[0], page.org[1], page.seal[0], page.org[3]];
    let in_org = dark.iter().filter(|p| inside(**p, org_text, 0.0)).count();
    eprintln!("dark pixels: {in_attachment} in the attachment box, {in_org} in the seal's text");
    assert!(in_attachment > 100 && in_org > 100);
    assert!(page.attachment[0] > PAGE.0 / 2.0 && page.attachment[1] > PAGE.1 * 0.9);
    assert!(dark
        .iter()
        .all(|p| inside(*p, page.attachment, 1.0) || inside(*p, org_text, 1.0)));
}

#[test]
fn sizes_of_the_font_the_subset_and_an_organization_appearance() {
    let page = build();
    let mut sink = Sink::default();
    let seal = demo::seal_png();
    let layout = Layout::Organization {
        seal_png: &seal,
        agency: AGENCY,
        signing_time: TIME,
    };
    render(
        &Appearance {
            width: 240.0,
            height: 110.0,
            layout,
        },
        &mut sink,
    )
    .unwrap();
    let file = sink.find("/Length1");
    assert_eq!(file.len(), 1);
    let head = String::from_utf8_lossy(&file[0][..80]).to_string();
    let length1: usize = head
        .split("/Length1 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let font = include_bytes!("../../fonts/LiberationSerif-Regular.ttf").len();
    eprintln!(
        "font {font} B; subset {length1} B ({} B deflated in the PDF); organization appearance {} B \
         (this layout: {} B); seal PNG {} B; whole test page {} B",
        file[0].len(),
        page.org_bytes,
        sink.bytes(),
        seal.len(),
        page.pdf.len()
    );
    assert!(length1 * 5 < font, "subset {length1} of {font}");
    assert!(file[0].len() * 10 < font);
}

/// Every Vietnamese letter with every tone, lower case (and đ).
const ALPHABET: &str = "a à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ e è é ẻ ẽ ẹ ê ề ế ể ễ ệ \
    i ì í ỉ ĩ ị o ò ó ỏ õ ọ ô ồ ố ổ ỗ ộ ơ ờ ớ ở ỡ ợ u ù ú ủ ũ ụ ư ừ ứ ử ữ ự y ỳ ý ỷ ỹ ỵ đ";

#[test]
fn pdftotext_round_trips_every_vietnamese_letter() {
    let Some(pdftotext) = tool("pdftotext") else {
        return;
    };
    let upper = ALPHABET.to_uppercase();
    assert_eq!(upper.split(' ').count(), 73);
    let mut sink = Sink::default();
    let mut placed = Vec::new();
    for (i, letters) in [ALPHABET, upper.as_str()].into_iter().enumerate() {
        let text = AttachmentText {
            notation: NOTATION,
            agency: letters,
            signing_time: TIME,
        };
        let [x0, y0, x1, y1] = top_right_rect([0.0, 0.0, PAGE.0, PAGE.1], &text).unwrap();
        let shift = 200.0 * i as f64;
        placed.push(place(
            &mut sink,
            [x0, y0 - shift, x1, y1 - shift],
            Layout::Attachment(text),
        ));
    }
    let dir = Scratch::new("alphabet");
    let path = dir.path("page.pdf");
    std::fs::write(&path, one_page_pdf(PAGE, &placed, &sink)).unwrap();
    // `-raw` (content order): in its default reading-order mode poppler takes rows of
    // one-letter words for letter-spaced text and drops the spaces between them.
    let text = run(&pdftotext, &["-raw", path.to_str().unwrap(), "-"]);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(ALPHABET), "{words}");
    assert!(words.contains(&upper), "{words}");
}

#[test]
fn poppler_measures_the_text_with_our_widths() {
    // Right-aligned lines end exactly at the text column's edge only if poppler's glyph
    // widths (from /W) are the ones we measured with.
    let Some(pdftotext) = tool("pdftotext") else {
        return;
    };
    let (_dir, path, page) = write("bbox");
    let html = run(&pdftotext, &["-bbox-layout", path.to_str().unwrap(), "-"]);
    let column_right = page.seal[0] - 4.0;
    let mut checked = 0;
    for line in html
        .lines()
        .filter(|l| l.trim_start().starts_with("<line "))
    {
        let attr = |name: &str| -> f64 {
            let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            line[start..].split('"').next().unwrap().parse().unwrap()
        };
        let (x_min, x_max, y_max) = (attr("xMin"), attr("xMax"), PAGE.1 - attr("yMin"));
        if x_min >= page.org[0] - 1.0 && x_max <= page.seal[0] && y_max <= page.org[3] + 1.0 {
            assert!(
                (x_max - column_right).abs() < 0.1,
                "line ends at {x_max}, column at {column_right}"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "{checked} lines of the organization's text found:\n{html}"
    );
}
