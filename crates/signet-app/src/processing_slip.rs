//! The phiếu xử lý văn bản đến (processing slip) as a printable A4 PDF: the document, the
//! leader's direction, the assignments and deadline, the processing notes (with their
//! files' names), the opinions asked and given, extensions and the result (issue 10 §1).
//! Drawn in Vietnamese with the appearance engine's embedded font (pdftotext extracts it).

use signet_appearance::{render_text_pages, ObjectSink, TextLine};
use signet_core::ids::DocumentId;
use signet_core::person::Viewer;
use signet_pdf::object::{Dictionary, ObjRef, Object, Stream};
use signet_pdf::FreshDocument;
use signet_store::documents::processing::{HandlerRole, Holder, ProcessingRecord};
use signet_store::documents::{Document, OpinionRequest};

use crate::clock::display_ms;
use crate::{App, AppError};

const A4: (f64, f64) = (595.0, 842.0);
const MARGIN: f64 = 50.0;

/// What the slip shows, with every id already turned into a name.
#[derive(Debug, Clone, Default)]
pub struct SlipText {
    pub agency: String,
    /// Label and value of the document's particulars.
    pub particulars: Vec<(String, String)>,
    pub subject: String,
    /// Who directed, when, what.
    pub direction: Option<(String, String, String)>,
    pub deadline: String,
    /// Role label and names.
    pub assignments: Vec<(String, String)>,
    /// Who, when, what, file names.
    pub notes: Vec<(String, String, String, Vec<String>)>,
    /// Who asked whom, when, the question, the answer.
    pub opinions: Vec<(String, String, String, String, Option<String>)>,
    /// The deadline asked for, the reason, the decision.
    pub extensions: Vec<(String, String, String)>,
    pub result: Option<String>,
    /// When the slip was printed.
    pub printed_at: String,
}

fn line(text: impl Into<String>, size: f64, space_before: f64) -> TextLine {
    TextLine {
        text: text.into(),
        size,
        space_before,
    }
}

fn heading(text: &str) -> TextLine {
    line(text, 12.0, 10.0)
}

/// The slip's paragraphs, in the order a clerk reads them.
pub fn slip_lines(s: &SlipText) -> Vec<TextLine> {
    let mut v = vec![
        line(s.agency.to_uppercase(), 11.0, 0.0),
        line("PHIẾU XỬ LÝ VĂN BẢN ĐẾN", 16.0, 10.0),
        line(format!("Trích yếu: {}", s.subject), 11.0, 8.0),
    ];
    for (k, val) in &s.particulars {
        v.push(line(format!("{k}: {val}"), 10.0, 2.0));
    }
    v.push(heading("I. Ý kiến chỉ đạo của lãnh đạo"));
    match &s.direction {
        Some((who, when, what)) => {
            v.push(line(what.clone(), 10.0, 2.0));
            v.push(line(format!("— {who}, {when}"), 9.0, 2.0));
        }
        None => v.push(line("(Chưa có ý kiến chỉ đạo)", 10.0, 2.0)),
    }
    v.push(line(format!("Hạn xử lý: {}", s.deadline), 10.0, 4.0));
    v.push(heading("II. Phân công xử lý"));
    for (role, names) in &s.assignments {
        v.push(line(format!("{role}: {names}"), 10.0, 2.0));
    }
    v.push(heading("III. Ý kiến xử lý"));
    if s.notes.is_empty() {
        v.push(line("(Chưa có)", 10.0, 2.0));
    }
    for (who, when, what, files) in &s.notes {
        v.push(line(format!("{when} — {who}: {what}"), 10.0, 3.0));
        for f in files {
            v.push(line(format!("    Tệp đính kèm: {f}"), 9.0, 1.0));
        }
    }
    if !s.opinions.is_empty() {
        v.push(heading("IV. Xin ý kiến lãnh đạo"));
        for (who, leader, when, question, answer) in &s.opinions {
            v.push(line(
                format!("{when} — {who} xin ý kiến {leader}: {question}"),
                10.0,
                3.0,
            ));
            let a = answer.as_deref().unwrap_or("(chưa cho ý kiến)");
            v.push(line(format!("    Ý kiến: {a}"), 10.0, 1.0));
        }
    }
    if !s.extensions.is_empty() {
        v.push(heading("V. Gia hạn xử lý"));
        for (day, reason, state) in &s.extensions {
            v.push(line(format!("Đến {day}: {reason} ({state})"), 10.0, 2.0));
        }
    }
    v.push(heading("Kết quả xử lý"));
    v.push(line(
        s.result.clone().unwrap_or_else(|| "Đang xử lý".into()),
        10.0,
        2.0,
    ));
    v.push(line(format!("In lúc {}", s.printed_at), 8.0, 16.0));
    v
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

/// Writes the slip as an A4 PDF of as many pages as its text needs. `id` seeds the file
/// identifier (the same slip of the same state gives the same identifier).
pub fn slip_pdf(s: &SlipText, id: [u8; 16]) -> Result<Vec<u8>, AppError> {
    let lines = slip_lines(s);
    let mut doc = FreshDocument::new();
    let forms = render_text_pages(A4.0, A4.1, MARGIN, &lines, &mut Sink(&mut doc))
        .map_err(|e| AppError::Ca(format!("processing slip: {e}")))?;
    let (catalog, pages) = (doc.allocate(), doc.allocate());
    let mut kids = Vec::new();
    for form in forms {
        let (page, contents) = (doc.allocate(), doc.allocate());
        let media = [0.0, 0.0, A4.0, A4.1].map(Object::Real).to_vec();
        let xobjects = Dictionary::new().with(b"Slip", ObjRef::new(form, 0));
        doc.put(
            page,
            &Dictionary::new()
                .with(b"Type", Object::name("Page"))
                .with(b"Parent", pages)
                .with(b"MediaBox", Object::Array(media))
                .with(b"Resources", Dictionary::new().with(b"XObject", xobjects))
                .with(b"Contents", contents)
                .into(),
        );
        doc.put(
            contents,
            &Object::Stream(Stream::new(Dictionary::new(), b"q /Slip Do Q\n".to_vec())),
        );
        kids.push(page.into());
    }
    let count = kids.len() as i64;
    doc.put(
        pages,
        &Dictionary::new()
            .with(b"Type", Object::name("Pages"))
            .with(b"Kids", Object::Array(kids))
            .with(b"Count", Object::Integer(count))
            .into(),
    );
    doc.put(
        catalog,
        &Dictionary::new()
            .with(b"Type", Object::name("Catalog"))
            .with(b"Pages", pages)
            .with(b"Lang", Object::String(b"vi-VN".to_vec()))
            .into(),
    );
    Ok(doc.finish(catalog, Some(id)))
}

fn role_vi(r: HandlerRole) -> &'static str {
    match r {
        HandlerRole::Lead => "Chủ trì",
        HandlerRole::Co => "Phối hợp",
        HandlerRole::Info => "Để biết",
    }
}

impl App {
    async fn holder_name(&self, viewer: &Viewer, h: &Holder) -> String {
        match h {
            Holder::Person(p) => self
                .store
                .person(p)
                .await
                .map_or_else(|_| p.to_string(), |p| p.full_name),
            Holder::Unit(u) => self
                .store
                .unit(&viewer.agency_id, u)
                .await
                .map_or_else(|_| u.to_string(), |u| u.name),
        }
    }

    async fn person_name(&self, viewer: &Viewer, p: &signet_core::ids::PersonId) -> String {
        self.holder_name(viewer, &Holder::Person(p.clone())).await
    }

    /// The slip of an incoming document the viewer may read, as a PDF.
    pub async fn processing_slip(
        &self,
        viewer: &Viewer,
        id: &DocumentId,
    ) -> Result<Vec<u8>, AppError> {
        let doc = self.incoming(viewer, id).await?;
        let record = self.store.processing(&viewer.agency_id, id).await?;
        let opinions = self.store.opinion_requests(&viewer.agency_id, id).await?;
        let text = self
            .slip_text(viewer, &doc, record.as_ref(), &opinions)
            .await?;
        slip_pdf(&text, sha2_16(id.as_str()))
    }

    async fn slip_text(
        &self,
        viewer: &Viewer,
        doc: &Document,
        record: Option<&ProcessingRecord>,
        opinions: &[OpinionRequest],
    ) -> Result<SlipText, AppError> {
        let dash = |s: Option<&str>| s.unwrap_or("—").to_owned();
        let mut s = SlipText {
            agency: self.store.agency(&viewer.agency_id).await?.name,
            subject: doc.subject.clone(),
            particulars: vec![
                (
                    "Số đến".into(),
                    doc.number.map_or("—".into(), |n| n.to_string()),
                ),
                ("Ngày đến".into(), dash(doc.arrived_on.as_deref())),
                ("Số, ký hiệu".into(), dash(doc.notation.as_deref())),
                ("Ngày văn bản".into(), dash(doc.issued_on.as_deref())),
                ("Cơ quan ban hành".into(), doc.author_name.clone()),
                ("Độ khẩn".into(), doc.urgency.label_vi().to_owned()),
            ],
            deadline: "—".into(),
            printed_at: display_ms(self.clock.now_ms()),
            ..SlipText::default()
        };
        let Some(r) = record else {
            return Ok(s);
        };
        s.direction = Some((
            self.person_name(viewer, &r.assigned_by).await,
            display_ms(r.assigned_at_ms),
            r.instruction.clone(),
        ));
        s.deadline = r.deadline.clone();
        for role in [HandlerRole::Lead, HandlerRole::Co, HandlerRole::Info] {
            let mut names = Vec::new();
            for a in r.assignments.iter().filter(|a| a.role == role) {
                names.push(self.holder_name(viewer, &a.holder).await);
            }
            if !names.is_empty() {
                s.assignments.push((role_vi(role).into(), names.join(", ")));
            }
        }
        for n in &r.notes {
            s.notes.push((
                self.person_name(viewer, &n.author_id).await,
                display_ms(n.at_ms),
                n.body.clone(),
                n.files.iter().map(|f| f.file_name.clone()).collect(),
            ));
        }
        for o in opinions {
            s.opinions.push((
                self.person_name(viewer, &o.asked_by).await,
                self.person_name(viewer, &o.leader_id).await,
                display_ms(o.at_ms),
                o.question.clone(),
                o.answer.clone(),
            ));
        }
        for e in &r.extensions {
            let state = match e.state.as_str() {
                "approved" => "đã đồng ý",
                "refused" => "không đồng ý",
                _ => "chờ ý kiến",
            };
            s.extensions
                .push((e.deadline.clone(), e.reason.clone(), state.into()));
        }
        s.result = match (r.outcome.as_deref(), &r.done_on) {
            (Some("filed"), Some(on)) => Some(format!(
                "Hoàn thành ngày {on}: lưu hồ sơ, không cần trả lời"
            )),
            (Some(_), Some(on)) => Some(format!("Hoàn thành ngày {on}: đã có văn bản trả lời")),
            _ => None,
        };
        Ok(s)
    }
}

/// The first 16 bytes of the SHA-256 of `text`.
fn sha2_16(text: &str) -> [u8; 16] {
    use sha2::Digest;
    let d = sha2::Sha256::digest(text.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}
