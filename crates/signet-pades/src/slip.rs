//! The "phiếu kiểm tra chữ ký số": a one-page A4 PDF in Vietnamese a clerk can print or attach
//! to the incoming document's file — the overall verdict, each signature's verdict, signer,
//! times, trust list, and the checked file's SHA-256 (so the slip names exactly one file).
//! Drawn with the appearance engine's embedded font (diacritics extractable by pdftotext).

use signet_appearance::{render_text_page, ObjectSink, TextLine};
use signet_pdf::object::{Dictionary, ObjRef, Object, Stream};
use signet_pdf::FreshDocument;
use time::OffsetDateTime;

use crate::report::{Coverage, Indication, Integrity, Modifications, Report, SignatureReport};

const A4: (f64, f64) = (595.0, 842.0);
const MARGIN: f64 = 50.0;

/// What the slip says besides the report.
pub struct SlipInput<'a> {
    /// The file's name as received.
    pub file_name: &'a str,
    pub document_sha256: &'a [u8; 32],
    /// When the verification ran.
    pub verified_at: OffsetDateTime,
}

/// Writes the slip of `report` as a PDF.
pub fn slip_pdf(
    report: &Report,
    input: &SlipInput,
) -> Result<Vec<u8>, signet_appearance::AppearanceError> {
    let lines = slip_lines(report, input);
    let mut doc = FreshDocument::new();
    let form = render_text_page(A4.0, A4.1, MARGIN, &lines, &mut Sink(&mut doc))?;
    let (catalog, pages, page, contents) = (
        doc.allocate(),
        doc.allocate(),
        doc.allocate(),
        doc.allocate(),
    );
    doc.put(
        catalog,
        &Dictionary::new()
            .with(b"Type", Object::name("Catalog"))
            .with(b"Pages", pages)
            .with(b"Lang", Object::String(b"vi-VN".to_vec()))
            .into(),
    );
    doc.put(
        pages,
        &Dictionary::new()
            .with(b"Type", Object::name("Pages"))
            .with(b"Kids", Object::Array(vec![page.into()]))
            .with(b"Count", Object::Integer(1))
            .into(),
    );
    let xobjects = Dictionary::new().with(b"Slip", ObjRef::new(form, 0));
    doc.put(
        page,
        &Dictionary::new()
            .with(b"Type", Object::name("Page"))
            .with(b"Parent", pages)
            .with(
                b"MediaBox",
                Object::Array(vec![
                    Object::Integer(0),
                    Object::Integer(0),
                    Object::Real(A4.0),
                    Object::Real(A4.1),
                ]),
            )
            .with(b"Resources", Dictionary::new().with(b"XObject", xobjects))
            .with(b"Contents", contents)
            .into(),
    );
    doc.put(
        contents,
        &Object::Stream(Stream::new(Dictionary::new(), b"q /Slip Do Q\n".to_vec())),
    );
    let mut id = [0u8; 16];
    id.copy_from_slice(&input.document_sha256[..16]);
    Ok(doc.finish(catalog, Some(id)))
}

struct Sink<'a>(&'a mut FreshDocument);

impl ObjectSink for Sink<'_> {
    fn reserve(&mut self) -> u32 {
        self.0.allocate().num
    }
    fn put(&mut self, num: u32, body: Vec<u8>) {
        self.0.put_raw(ObjRef::new(num, 0), body);
    }
}

fn line(text: impl Into<String>, size: f64, space_before: f64) -> TextLine {
    TextLine {
        text: text.into(),
        size,
        space_before,
    }
}

/// The verdict in the words a clerk reads.
pub fn verdict_vi(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "HỢP LỆ",
        Indication::Indeterminate => "CHƯA XÁC ĐỊNH ĐƯỢC",
        Indication::TotalFailed => "KHÔNG HỢP LỆ",
    }
}

fn slip_lines(report: &Report, input: &SlipInput) -> Vec<TextLine> {
    let mut v = vec![
        line("PHIẾU KIỂM TRA CHỮ KÝ SỐ", 16.0, 0.0),
        line(
            "(Kiểm tra chữ ký số trên văn bản điện tử đến — Nghị định 30/2020/NĐ-CP, Điều 21)",
            9.0,
            2.0,
        ),
        line(format!("Tệp: {}", input.file_name), 10.0, 12.0),
        line(
            format!(
                "Mã băm SHA-256 của tệp: {}",
                hex::encode(input.document_sha256)
            ),
            10.0,
            2.0,
        ),
        line(
            format!(
                "Thời điểm kiểm tra: {}",
                crate::pdfdate::rfc3339(
                    input
                        .verified_at
                        .replace_nanosecond(0)
                        .unwrap_or(input.verified_at)
                )
            ),
            10.0,
            2.0,
        ),
        line(
            format!(
                "Kết luận chung: {} ({}) — {} chữ ký số",
                verdict_vi(report.verdict),
                report.verdict.as_str(),
                report.signatures.len()
            ),
            12.0,
            6.0,
        ),
    ];
    for m in &report.messages {
        v.push(line(format!("• {}", m.vi), 9.0, 2.0));
    }
    for (i, s) in report.signatures.iter().enumerate() {
        signature_lines(&mut v, i, s);
    }
    v.push(line(
        "Phiếu do phần mềm Signet lập tự động từ kết quả kiểm tra; đối chiếu mã băm SHA-256 \
         để biết phiếu thuộc đúng tệp.",
        8.0,
        14.0,
    ));
    v
}

fn signature_lines(v: &mut Vec<TextLine>, i: usize, s: &SignatureReport) {
    v.push(line(
        format!(
            "Chữ ký số {} (trường {}): {} ({}{})",
            i + 1,
            s.field,
            verdict_vi(s.indication),
            s.indication.as_str(),
            s.sub_indication
                .map(|x| format!(" / {}", crate::etsi::sub_name(x)))
                .unwrap_or_default()
        ),
        11.0,
        10.0,
    ));
    if let Some(signer) = &s.signer {
        let name = signer
            .common_name
            .clone()
            .unwrap_or_else(|| signer.subject.clone());
        v.push(line(format!("Người ký: {name}"), 10.0, 2.0));
        let d = &signer.details;
        if let Some(t) = &d.title {
            v.push(line(format!("Chức vụ: {t}"), 10.0, 0.0));
        }
        if let Some(o) = &d.organization {
            v.push(line(format!("Cơ quan, tổ chức: {o}"), 10.0, 0.0));
        }
        for id in &d.identifiers {
            let label = if id.label_vi.is_empty() {
                id.kind.as_str()
            } else {
                id.label_vi.as_str()
            };
            v.push(line(format!("{label}: {}", id.value), 10.0, 0.0));
        }
        v.push(line(
            format!("Chứng thư số do: {}", signer.issuer),
            9.0,
            0.0,
        ));
        v.push(line(
            format!("Số hiệu chứng thư số: {}", signer.serial),
            9.0,
            0.0,
        ));
    }
    v.push(line(
        format!(
            "Thời điểm ký (người ký khai): {}",
            s.signing_time.as_deref().unwrap_or("không có")
        ),
        10.0,
        0.0,
    ));
    v.push(line(
        format!(
            "Dấu thời gian: {}",
            s.timestamp.as_deref().unwrap_or("không có")
        ),
        10.0,
        0.0,
    ));
    v.push(line(
        format!(
            "Toàn vẹn: {}; phạm vi ký: {}; sửa đổi sau khi ký: {}",
            match s.integrity {
                Integrity::Intact => "nguyên vẹn",
                Integrity::Broken => "bị thay đổi",
            },
            match s.coverage {
                Coverage::EntireFile => "toàn bộ tệp",
                Coverage::EntireRevision => "toàn bộ phiên bản đã ký",
                Coverage::Partial => "một phần",
            },
            match s.modifications {
                Modifications::None => "không có",
                Modifications::Ltv => "chỉ thêm dữ liệu kiểm tra dài hạn",
                Modifications::FormFilling => "điền biểu mẫu, ký thêm",
                Modifications::Annotations => "thêm chú thích",
                Modifications::Other => "sửa nội dung khác",
            }
        ),
        10.0,
        0.0,
    ));
    match (&s.trust_list, &s.trust_anchor) {
        (Some(l), Some(a)) => v.push(line(
            format!("Danh sách tin cậy: {} (gốc: {a})", l.name),
            10.0,
            0.0,
        )),
        (None, Some(a)) => v.push(line(format!("Chứng thư gốc tin cậy: {a}"), 10.0, 0.0)),
        _ => v.push(line(
            "Không xây dựng được chuỗi chứng thư đến chứng thư gốc tin cậy",
            10.0,
            0.0,
        )),
    }
    for m in s.messages.iter().take(4) {
        v.push(line(format!("• {}", m.vi), 9.0, 0.0));
    }
}
