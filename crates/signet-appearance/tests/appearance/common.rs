//! Test helpers: an object sink, a tiny one-page PDF writer, and the external referees.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use signet_appearance::ObjectSink;

pub use signet_testkit::{tool, TempDir as Scratch};

/// Collects objects; numbers start after the four objects of the page skeleton.
pub struct Sink {
    next: u32,
    pub objects: BTreeMap<u32, Vec<u8>>,
}

impl Default for Sink {
    fn default() -> Self {
        Self {
            next: 5,
            objects: BTreeMap::new(),
        }
    }
}

impl ObjectSink for Sink {
    fn reserve(&mut self) -> u32 {
        self.next += 1;
        self.next - 1
    }
    fn put(&mut self, num: u32, body: Vec<u8>) {
        assert!(num < self.next, "put of an object never reserved");
        assert!(
            self.objects.insert(num, body).is_none(),
            "object {num} put twice"
        );
    }
}

impl Sink {
    /// Total size of the bodies of the objects.
    pub fn bytes(&self) -> usize {
        self.objects.values().map(Vec::len).sum()
    }

    /// The body of the one object whose dictionary contains `needle`.
    pub fn find(&self, needle: &str) -> Vec<&[u8]> {
        self.objects
            .values()
            .filter(|b| {
                let head = &b[..b.len().min(600)];
                String::from_utf8_lossy(head).contains(needle)
            })
            .map(Vec::as_slice)
            .collect()
    }
}

/// A form placed on the page: object number, rectangle `[x0, y0, x1, y1]`, and its BBox size.
pub struct Placed {
    pub form: u32,
    pub rect: [f64; 4],
    pub bbox: (f64, f64),
}

/// A one-page PDF: catalog (1), pages (2), page (3), content (4), then the sink's objects.
/// The page draws each form with `q sx 0 0 sy x y cm /Xn Do Q`.
pub fn one_page_pdf(media: (f64, f64), placed: &[Placed], sink: &Sink) -> Vec<u8> {
    let mut xobjects = String::new();
    let mut content = String::new();
    for (i, p) in placed.iter().enumerate() {
        let [x0, y0, x1, y1] = p.rect;
        xobjects.push_str(&format!("/X{i} {} 0 R ", p.form));
        content.push_str(&format!(
            "q {} 0 0 {} {x0} {y0} cm /X{i} Do Q\n",
            (x1 - x0) / p.bbox.0,
            (y1 - y0) / p.bbox.1
        ));
    }
    let mut objects: BTreeMap<u32, Vec<u8>> = sink.objects.clone();
    objects.insert(1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.insert(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec());
    let page = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /XObject << {xobjects}>> >> /Contents 4 0 R >>",
        media.0, media.1
    );
    objects.insert(3, page.into_bytes());
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content.as_bytes());
    stream.extend_from_slice(b"\nendstream");
    objects.insert(4, stream);

    let size = objects.keys().max().copied().unwrap_or(0) + 1;
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = vec![None; size as usize];
    for (num, body) in &objects {
        offsets[*num as usize] = Some(out.len());
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for off in offsets {
        match off {
            Some(o) => out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

/// Run a tool and return its standard output. A failing exit status fails the test, and so
/// does any message on standard error: poppler reports broken fonts or streams there while
/// still exiting 0.
pub fn run(tool: &Path, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().expect("run tool");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "{} {args:?} failed or complained: {stderr}",
        tool.display(),
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The data of a stream object body, inflated when it is `/FlateDecode`.
pub fn stream_data(body: &[u8]) -> Vec<u8> {
    let start = body
        .windows(7)
        .position(|w| w == b"stream\n")
        .expect("a stream")
        + 7;
    let end = body.len() - b"\nendstream".len();
    let data = &body[start..end];
    let dict = String::from_utf8_lossy(&body[..start]);
    if dict.contains("/FlateDecode") {
        miniz_oxide::inflate::decompress_to_vec_zlib(data).expect("valid deflate")
    } else {
        data.to_vec()
    }
}

/// CRC-32 as PNG uses it, to forge chunks.
pub fn crc32(data: &[u8]) -> u32 {
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

/// Encode a PNG with the `png` crate (any colour type and depth), optionally with a palette
/// and a tRNS chunk.
pub fn encode(
    (w, h): (u32, u32),
    color: png::ColorType,
    depth: png::BitDepth,
    palette: Option<(&[u8], &[u8])>,
    data: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(depth);
        if let Some((plte, trns)) = palette {
            enc.set_palette(plte.to_vec());
            enc.set_trns(trns.to_vec());
        }
        let mut writer = enc.write_header().expect("header");
        writer.write_image_data(data).expect("data");
    }
    out
}
