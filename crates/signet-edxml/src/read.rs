//! The lenient packet reader. Elements are matched by local name whatever their namespace
//! (prefixed or unprefixed QCVN namespace, or none), in any order, under their parent
//! (`From/OrganId` inside `MessageHeader`, …); unknown elements are skipped. Attachments are
//! streamed ([`crate::attach`]); the whole packet is canonicalized on the fly into SHA-1 and
//! SHA-256 so an enveloped signature over it can be checked without holding the packet.
//!
//! The legacy status variant — `SOAP-ENV:Envelope/SOAP-ENV:Header` (or `Body`) around the
//! `Status` children, dates as dd/MM/yyyy — is **read**, as a status packet: its children are
//! the same, only the wrapper and the date order differ, and refusing it would lose statuses
//! that older provincial systems still send.

use std::io::BufRead;

use crate::attach::AttachmentStream;
use crate::c14n::{Canon, Digests, Mode};
use crate::dates::{date_from_packet, time_from_packet};
use crate::dsig::{Forms, PacketDigests, DSIG_NS};
use crate::lex::{Element, Event, Lexer, QName, TEXT_CHUNK};
use crate::model::{Attachment, BusinessKind, Kind, Organ, Packet, Status};
use crate::{dsig, EdxmlError};

/// How much a packet may hold.
#[derive(Clone, Debug)]
pub struct Limits {
    /// One delivered attachment, in bytes (decoded, and unzipped when zipped).
    pub max_attachment: u64,
    /// How many attachments.
    pub max_attachments: usize,
    /// How many elements in all (real packets have a few hundred).
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_attachment: 256 * 1024 * 1024,
            max_attachments: 1000,
            max_elements: 100_000,
        }
    }
}

/// A delivered file, when the caller asked to keep them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

const SOAP_NS: [&str; 2] = [
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/2003/05/soap-envelope",
];
/// Header fields longer than this are refused (the longest, Subject, is 500 characters).
const MAX_FIELD: usize = 64 * 1024;
const MAX_SIGNATURE: usize = 1024 * 1024;

/// `Attachment` children as read.
#[derive(Default)]
struct Encoded {
    content_type: String,
    content_id: String,
    name: String,
    stream: Option<AttachmentStream>,
}

/// A manifest `Reference`.
#[derive(Default)]
struct ManifestRef {
    href: String,
    content_id: String,
    name: String,
    content_type: String,
}

struct Reader {
    limits: Limits,
    keep: bool,
    packet: Packet,
    path: Vec<String>,
    text: String,
    text_overflow: bool,
    saw_header: bool,
    saw_status: bool,
    encoded: Vec<Encoded>,
    manifest: Vec<ManifestRef>,
    canon: Canons,
    /// The canonical forms and digests computed (all of them unless a hint said fewer).
    forms: Forms,
    /// The events of the first `ds:Signature`, while and after it is read.
    signature: Option<Vec<Event>>,
    /// The namespace declarations in scope at that Signature.
    signature_scope: Vec<(String, String)>,
    signature_depth: usize,
    signature_bytes: usize,
    elements: usize,
}

/// Reads a packet, hashing attachments without keeping them.
pub fn inspect<R: BufRead>(input: R, limits: &Limits) -> Result<Packet, EdxmlError> {
    read_packet(input, limits, false).map(|(p, _)| p)
}

/// [`inspect`] of a packet held in memory (what a hub or a node receives): when the
/// packet's tail shows its signature's algorithms, only the canonical form and the digest
/// the signature names are computed (one of four), else — or when the guess fell short —
/// the packet is read again computing every form. Same result as [`inspect`].
pub fn inspect_bytes(packet: &[u8], limits: &Limits) -> Result<Packet, EdxmlError> {
    if let Some(forms) = Forms::hinted(packet) {
        if let Some((p, _)) = read_forms(packet, limits, false, forms)? {
            return Ok(p);
        }
    }
    inspect(packet, limits)
}

/// Reads a packet and keeps the delivered files (in memory: the caller bounds the input).
pub fn read<R: BufRead>(input: R, limits: &Limits) -> Result<(Packet, Vec<File>), EdxmlError> {
    read_packet(input, limits, true)
}

fn read_packet<R: BufRead>(
    input: R,
    limits: &Limits,
    keep: bool,
) -> Result<(Packet, Vec<File>), EdxmlError> {
    read_forms(input, limits, keep, Forms::ALL)?.ok_or_else(|| {
        EdxmlError::Invalid("every canonical form was computed, yet one is missing".into())
    })
}

/// Reads a packet computing the canonical `forms`; `None` when its signature needs one
/// that was not computed.
fn read_forms<R: BufRead>(
    input: R,
    limits: &Limits,
    keep: bool,
    forms: Forms,
) -> Result<Option<(Packet, Vec<File>)>, EdxmlError> {
    let mut lexer = Lexer::new(input);
    let mut r = Reader {
        limits: limits.clone(),
        keep,
        packet: Packet::default(),
        path: Vec::new(),
        text: String::new(),
        text_overflow: false,
        saw_header: false,
        saw_status: false,
        encoded: Vec::new(),
        manifest: Vec::new(),
        canon: Canons::new(forms),
        forms,
        signature: None,
        signature_scope: Vec::new(),
        signature_depth: 0,
        signature_bytes: 0,
        elements: 0,
    };
    loop {
        let event = lexer.next()?;
        if matches!(event, Event::Eof) {
            break;
        }
        if let Event::Start(_) = event {
            r.elements += 1;
            if r.elements > limits.max_elements {
                return Err(EdxmlError::Refused(format!(
                    "more than {} elements",
                    limits.max_elements
                )));
            }
        }
        if r.signature.is_none() && is_signature(&event) {
            r.signature_scope = lexer.in_scope();
        }
        if r.capture(&event)? {
            continue;
        }
        match &event {
            Event::Start(e) => r.start(e)?,
            Event::End(n) => {
                r.canon.end(n);
                r.end()?;
            }
            Event::Text(t) => r.text(t)?,
            Event::Pi { target, data } => r.canon.pi(target, data),
            Event::Eof => {}
        }
    }
    r.finish()
}

impl Reader {
    /// Routes the events of the first XML signature aside (the enveloped-signature transform
    /// leaves it out of the packet's digest). True when `event` was taken.
    fn capture(&mut self, event: &Event) -> Result<bool, EdxmlError> {
        if self.signature_depth == 0 {
            if self.signature.is_some() || !is_signature(event) {
                return Ok(false);
            }
            self.signature = Some(Vec::new());
        }
        match event {
            Event::Start(e) => {
                self.signature_depth += 1;
                // What a captured element costs, so many small ones count too.
                self.signature_bytes +=
                    64 + e.attrs.iter().map(|a| a.value.len() + 32).sum::<usize>();
            }
            Event::End(_) => self.signature_depth -= 1,
            Event::Text(t) => self.signature_bytes += t.len(),
            _ => {}
        }
        if self.signature_bytes > MAX_SIGNATURE {
            return Err(EdxmlError::Refused(
                "an XML signature larger than 1 MiB".into(),
            ));
        }
        if let Some(s) = &mut self.signature {
            s.push(event.clone());
            if self.signature_depth == 0 {
                // From here on, only the canonical forms the signature uses are computed.
                self.canon.keep(&dsig::forms_needed(s));
            }
        }
        Ok(true)
    }

    fn start(&mut self, e: &Element) -> Result<(), EdxmlError> {
        self.canon.start(e);
        if self.path.is_empty() {
            check_root(e, &mut self.packet)?;
        }
        self.path.push(e.name.local.clone());
        self.text.clear();
        self.text_overflow = false;
        let (anchor, rel) = self.anchor();
        match (anchor, rel.as_slice()) {
            ("MessageHeader", []) => self.saw_header = true,
            ("Status", []) => self.saw_status = true,
            ("MessageHeader", ["To"]) => self.packet.to.push(Organ::default()),
            ("Reference", []) => {
                if self.manifest.len() >= self.limits.max_attachments {
                    return Err(EdxmlError::Refused(format!(
                        "more than {} manifest references",
                        self.limits.max_attachments
                    )));
                }
                self.manifest.push(ManifestRef {
                    href: e.attr("href").unwrap_or_default().to_owned(),
                    ..ManifestRef::default()
                });
            }
            ("Attachment", []) => {
                if self.encoded.len() >= self.limits.max_attachments {
                    return Err(EdxmlError::Refused(format!(
                        "more than {} attachments",
                        self.limits.max_attachments
                    )));
                }
                self.encoded.push(Encoded::default());
            }
            ("Attachment", ["ContentTransferEncoded"]) => {
                if let Some(a) = self.encoded.last_mut() {
                    if a.stream.is_some() {
                        return Err(EdxmlError::Invalid(
                            "an attachment with two ContentTransferEncoded".into(),
                        ));
                    }
                    a.stream = Some(AttachmentStream::new(self.limits.max_attachment, self.keep));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The innermost element whose children we read, and the path below it.
    fn anchor(&self) -> (&'static str, Vec<&str>) {
        const ANCHORS: [&str; 5] = [
            "MessageHeader",
            "Status",
            "Reference",
            "Attachment",
            "Bussiness",
        ];
        for (i, name) in self.path.iter().enumerate().rev() {
            let parent = i.checked_sub(1).map(|p| self.path[p].as_str());
            let anchor = ANCHORS.iter().find(|a| **a == name.as_str()).copied();
            let anchor = match (anchor, parent) {
                (Some("Reference"), Some("edXMLManifest")) => "Reference",
                // Under AttachmentEncoded as the samples have it, or any other wrapper.
                (Some("Attachment"), Some(p)) if p != "MessageHeader" && p != "Status" => {
                    "Attachment"
                }
                (Some(a @ ("MessageHeader" | "Status" | "Bussiness")), _) => a,
                _ => continue,
            };
            let rel = self.path[i + 1..].iter().map(String::as_str).collect();
            return (anchor, rel);
        }
        ("", Vec::new())
    }

    fn text(&mut self, t: &str) -> Result<(), EdxmlError> {
        self.canon.text(t);
        if self.in_content() {
            if let Some(s) = self.encoded.last_mut().and_then(|a| a.stream.as_mut()) {
                return s.push_text(t);
            }
        }
        if self.text.len() + t.len() > MAX_FIELD {
            self.text_overflow = true;
        } else {
            self.text.push_str(t);
        }
        Ok(())
    }

    /// Inside an attachment's ContentTransferEncoded (the same test as [`Self::anchor`]'s).
    fn in_content(&self) -> bool {
        let n = self.path.len();
        n >= 3 && self.path[n - 1] == "ContentTransferEncoded" && self.path[n - 2] == "Attachment"
    }

    fn end(&mut self) -> Result<(), EdxmlError> {
        let (anchor, rel) = self.anchor();
        let rel: Vec<String> = rel.into_iter().map(str::to_owned).collect();
        let value = std::mem::take(&mut self.text).trim().to_owned();
        let known = self.assign(anchor, &rel, value);
        if known && self.text_overflow {
            return Err(EdxmlError::Refused(format!(
                "{} longer than {} KiB",
                rel.join("/"),
                MAX_FIELD / 1024
            )));
        }
        self.path.pop();
        Ok(())
    }

    /// Stores a field's text; false when the element is not one we read.
    fn assign(&mut self, anchor: &str, rel: &[String], v: String) -> bool {
        let rel: Vec<&str> = rel.iter().map(String::as_str).collect();
        let p = &mut self.packet;
        let slot: &mut String = match (anchor, rel.as_slice()) {
            ("MessageHeader", ["From", "OrganId"]) | ("Status", ["From", "OrganId"]) => {
                &mut p.from.organ_id
            }
            ("MessageHeader", ["From", "OrganName"]) | ("Status", ["From", "OrganName"]) => {
                &mut p.from.organ_name
            }
            ("MessageHeader", ["To", field @ ("OrganId" | "OrganName")]) => {
                let Some(to) = p.to.last_mut() else {
                    return false;
                };
                if *field == "OrganId" {
                    &mut to.organ_id
                } else {
                    &mut to.organ_name
                }
            }
            ("MessageHeader", ["Code", "CodeNumber"]) => &mut p.code.number,
            ("MessageHeader", ["Code", "CodeNotation"]) => &mut p.code.notation,
            ("MessageHeader", ["PromulgationInfo", "Place"]) => &mut p.promulgation.place,
            ("MessageHeader", ["PromulgationInfo", "PromulgationDate"]) => {
                p.promulgation.date = date_from_packet(&v);
                return true;
            }
            ("MessageHeader", ["DocumentType", "Type"]) => &mut p.document_type.kind,
            ("MessageHeader", ["DocumentType", "TypeDetail"]) => &mut p.document_type.type_detail,
            ("MessageHeader", ["DocumentType", "TypeName"]) => &mut p.document_type.name,
            ("MessageHeader", ["Subject"]) => &mut p.subject,
            ("MessageHeader", ["SignerInfo", "Position"]) => &mut p.signer.position,
            ("MessageHeader", ["SignerInfo", "FullName"]) => &mut p.signer.full_name,
            ("MessageHeader", ["OtherInfo", "Priority"]) => &mut p.priority,
            ("MessageHeader", ["DocumentId"]) => &mut p.document_id,
            ("MessageHeader", ["DueDate"]) => {
                p.due_date = (!v.is_empty()).then(|| date_from_packet(&v));
                return true;
            }
            ("Status", rest) => return self.assign_status(rest, v),
            ("Bussiness", rest) => return self.assign_business(rest, v),
            ("Reference", [f]) => return self.assign_reference(f, v),
            ("Attachment", [f]) => return self.assign_attachment(f, v),
            _ => return false,
        };
        *slot = v;
        true
    }

    fn assign_status(&mut self, rel: &[&str], v: String) -> bool {
        let s = self.packet.status.get_or_insert_with(Status::default);
        let r = &mut s.response_for;
        match rel {
            ["StatusCode"] => s.code = normalize_code(&v),
            ["Description"] => s.description = v,
            ["Timestamp"] => s.timestamp = time_from_packet(&v),
            ["ResponseFor", "OrganId"] => r.organ_id = v,
            ["ResponseFor", "Code"] => r.code = v,
            ["ResponseFor", "DocumentId"] => r.document_id = v,
            ["ResponseFor", "PromulgationDate"] => r.promulgation_date = date_from_packet(&v),
            _ => return false,
        }
        true
    }

    fn assign_business(&mut self, rel: &[&str], v: String) -> bool {
        let b = &mut self.packet.business;
        match rel {
            ["BussinessDocType"] => b.kind = BusinessKind::from_code(&v),
            ["BussinessDocReason"] => b.reason = v,
            ["ReplacementInfoList", "ReplacementInfo", "DocumentId"] if !v.is_empty() => {
                b.replaces.push(v)
            }
            _ => return false,
        }
        true
    }

    fn assign_reference(&mut self, field: &str, v: String) -> bool {
        let Some(m) = self.manifest.last_mut() else {
            return false;
        };
        match field {
            "ContentId" => m.content_id = v,
            "AttachmentName" => m.name = v,
            "ContentType" => m.content_type = v,
            _ => return false,
        }
        true
    }

    fn assign_attachment(&mut self, field: &str, v: String) -> bool {
        let Some(a) = self.encoded.last_mut() else {
            return false;
        };
        match field {
            "ContentId" => a.content_id = v,
            "AttachmentName" => a.name = v,
            "ContentType" => a.content_type = v,
            "ContentTransferEncoded" => {}
            _ => return false,
        }
        true
    }

    fn finish(mut self) -> Result<Option<(Packet, Vec<File>)>, EdxmlError> {
        self.packet.kind = match (self.saw_header, self.saw_status) {
            (true, false) => Kind::Document,
            (false, true) => Kind::Status,
            // Both: a status packet that carries an (empty) header too, when it has a code.
            (true, true) => match &self.packet.status {
                Some(st) if !st.code.is_empty() => Kind::Status,
                _ => Kind::Document,
            },
            (false, false) => {
                return Err(EdxmlError::Invalid(
                    "neither a document (MessageHeader) nor a status packet (Status)".into(),
                ))
            }
        };
        if self.packet.kind == Kind::Status {
            let s = self.packet.status.get_or_insert_with(Status::default);
            self.packet.document_id = s.response_for.document_id.clone();
        } else {
            self.packet.status = None;
        }
        if let Some(events) = &self.signature {
            if !self.forms.covers(&dsig::forms_needed(events)) {
                return Ok(None);
            }
        }
        let files = self.deliver()?;
        let digests = self.canon.finish();
        self.packet.signature = match &self.signature {
            Some(events) => dsig::verify(events, &self.signature_scope, &digests),
            None => Default::default(),
        };
        Ok(Some((self.packet, files)))
    }

    /// The delivered attachments, named from their own element or from the manifest entry
    /// with the same content id.
    fn deliver(&mut self) -> Result<Vec<File>, EdxmlError> {
        let mut files = Vec::new();
        for a in std::mem::take(&mut self.encoded) {
            let cid = normalize_cid(&a.content_id);
            let m = self.manifest.iter().find(|m| {
                !cid.is_empty()
                    && (normalize_cid(&m.content_id) == cid || normalize_cid(&m.href) == cid)
            });
            let pick = |own: &str, from_manifest: Option<&str>| -> String {
                if own.is_empty() {
                    from_manifest.unwrap_or_default().to_owned()
                } else {
                    own.to_owned()
                }
            };
            let name = pick(&a.name, m.map(|m| m.name.as_str()));
            let content_type = pick(&a.content_type, m.map(|m| m.content_type.as_str()));
            let stream = a
                .stream
                .unwrap_or_else(|| AttachmentStream::new(self.limits.max_attachment, self.keep));
            let d = stream.finish(&content_type, &name)?;
            self.packet.attachments.push(Attachment {
                name: name.clone(),
                content_type: content_type.clone(),
                size: d.size,
                sha256: d.sha256,
            });
            if let Some(bytes) = d.bytes {
                files.push(File {
                    name,
                    content_type,
                    bytes,
                });
            }
        }
        Ok(files)
    }
}

fn is_signature(event: &Event) -> bool {
    matches!(event, Event::Start(e) if e.name.local == "Signature" && e.name.ns == DSIG_NS)
}

/// The packet's canonical forms for an enveloped signature over it, exclusive and inclusive
/// (which one the signature names is known once it was read; a form it does not use is then
/// dropped).
struct Canons {
    exclusive: Option<Canon<Digests>>,
    inclusive: Option<Canon<Digests>>,
}

impl Canons {
    fn new(forms: Forms) -> Self {
        let canon =
            |mode| Canon::with_mode(Digests::only(forms.sha1, forms.sha256), mode, Vec::new());
        Canons {
            exclusive: forms.exclusive.then(|| canon(Mode::Exclusive)),
            inclusive: forms.inclusive.then(|| canon(Mode::Inclusive)),
        }
    }

    fn each(&mut self, f: impl FnMut(&mut Canon<Digests>)) {
        self.exclusive
            .iter_mut()
            .chain(self.inclusive.iter_mut())
            .for_each(f);
    }

    fn start(&mut self, e: &Element) {
        self.each(|c| c.start(e));
    }

    fn end(&mut self, n: &QName) {
        self.each(|c| c.end(n));
    }

    fn text(&mut self, t: &str) {
        self.each(|c| c.text(t));
    }

    fn pi(&mut self, target: &str, data: &str) {
        self.each(|c| c.pi(target, data));
    }

    /// Computes from here on only what the signature needs (SignedInfo was read: a
    /// signature in the header, as edXML places it, leaves the attachments hashed once).
    fn keep(&mut self, needed: &Forms) {
        if !needed.exclusive {
            self.exclusive = None;
        }
        if !needed.inclusive {
            self.inclusive = None;
        }
        self.each(|c| c.sink.keep(needed.sha1, needed.sha256));
    }

    fn finish(self) -> PacketDigests {
        PacketDigests {
            exclusive: self.exclusive.map(|c| c.sink.finish()),
            inclusive: self.inclusive.map(|c| c.sink.finish()),
        }
    }
}

fn check_root(e: &Element, packet: &mut Packet) -> Result<(), EdxmlError> {
    match e.name.local.as_str() {
        "edXML" | "edXMLEnvelope" => Ok(()),
        "Envelope" if SOAP_NS.contains(&e.name.ns.as_str()) => {
            packet.legacy_soap = true;
            Ok(())
        }
        other => Err(EdxmlError::Invalid(format!(
            "not an edXML packet: the root element is <{other}>"
        ))),
    }
}

/// `cid:X`, `<X>` and `X` name the same part (compared without case, as MIME does).
pub(crate) fn normalize_cid(s: &str) -> String {
    let s = s.trim();
    let s = s
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("cid:"))
        .map_or(s, |_| &s[4..]);
    s.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_ascii_lowercase()
}

/// `1` → `01`: some senders drop the leading zero.
fn normalize_code(s: &str) -> String {
    if s.len() == 1 && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{s}")
    } else {
        s.to_owned()
    }
}

// The chunk size bounds what one text event can add to a field.
const _: () = assert!(TEXT_CHUNK <= MAX_FIELD);
