//! The strict writer: the shape of the QCVN/VPCP samples that third-party parsers expect —
//! root `edXML` with the QCVN namespace as default, `edXML:`-prefixed envelope, header
//! children in the samples' order, the manifest with `cid:` xlink references, and the
//! base64 attachments in `AttachmentEncoded` after the envelope, their ContentId with `cid:`
//! too. Dates as `yyyy/MM/dd`, times as `yyyy/MM/dd HH:mm:ss` in Vietnam time.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};
use signet_pki::RawSigner;
use time::OffsetDateTime;

use crate::dates::{date_to_packet, packet_time, time_to_packet};
use crate::dsig::escape_text;
use crate::model::{status_meaning, Kind, Organ, Spec, Status};
use crate::{dsig, EdxmlError};

/// The QCVN 102:2016 namespace.
pub const EDXML_NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// A file to attach.
#[derive(Clone, Copy, Debug)]
pub struct FileIn<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// An unsigned packet.
pub fn build(
    spec: &Spec,
    files: &[FileIn<'_>],
    now: OffsetDateTime,
) -> Result<Vec<u8>, EdxmlError> {
    let (before, after) = parts(spec, files, now)?;
    Ok(format!("{before}{after}").into_bytes())
}

/// A packet signed by `signer`, whose certificate (DER) is embedded.
pub fn build_signed<S: RawSigner>(
    spec: &Spec,
    files: &[FileIn<'_>],
    now: OffsetDateTime,
    signer: &S,
    cert: &[u8],
) -> Result<Vec<u8>, EdxmlError> {
    let (before, after) = parts(spec, files, now)?;
    dsig::sign(&before, &after, signer, cert).map(String::into_bytes)
}

/// [`build_signed`] in the form legacy senders sign (tests only).
#[cfg(test)]
pub(crate) fn build_signed_as<S: RawSigner>(
    spec: &Spec,
    files: &[FileIn<'_>],
    now: OffsetDateTime,
    signer: &S,
    cert: &[u8],
    form: dsig::Form,
) -> Result<Vec<u8>, EdxmlError> {
    let (before, after) = parts(spec, files, now)?;
    dsig::sign_with_digest(&before, &after, signer, cert, form).map(String::into_bytes)
}

/// The element writer: `edXML:`-prefixed, indented.
struct W {
    out: String,
    depth: usize,
}

impl W {
    fn line(&mut self) {
        self.out.push('\n');
        self.out.push_str(&"  ".repeat(self.depth));
    }

    fn open(&mut self, name: &str, attrs: &str) {
        self.line();
        self.out.push_str(&format!("<edXML:{name}{attrs}>"));
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.line();
        self.out.push_str(&format!("</edXML:{name}>"));
    }

    fn leaf(&mut self, name: &str, value: &str) -> Result<(), EdxmlError> {
        check_text(name, value)?;
        self.line();
        if value.is_empty() {
            self.out.push_str(&format!("<edXML:{name}/>"));
        } else {
            self.out.push_str(&format!(
                "<edXML:{name}>{}</edXML:{name}>",
                escape_text(value)
            ));
        }
        Ok(())
    }

    fn organ(&mut self, tag: &str, o: &Organ) -> Result<(), EdxmlError> {
        self.open(tag, "");
        self.leaf("OrganId", &o.organ_id)?;
        self.leaf("OrganizationInCharge", "")?;
        self.leaf("OrganName", &o.organ_name)?;
        for empty in ["OrganAdd", "Email", "Telephone", "Fax", "Website"] {
            self.leaf(empty, "")?;
        }
        self.close(tag);
        Ok(())
    }
}

/// Characters XML 1.0 cannot carry are refused, not dropped.
fn check_text(field: &str, v: &str) -> Result<(), EdxmlError> {
    match v
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some(c) => Err(EdxmlError::Invalid(format!(
            "{field}: control character U+{:04X} cannot be written in XML",
            c as u32
        ))),
        None => Ok(()),
    }
}

fn optional_date(s: &str) -> Result<String, EdxmlError> {
    if s.trim().is_empty() {
        return Ok(String::new());
    }
    date_to_packet(s).map_err(EdxmlError::Invalid)
}

/// The packet split where the signature goes (the end of `edXMLHeader`).
fn parts(
    spec: &Spec,
    files: &[FileIn<'_>],
    now: OffsetDateTime,
) -> Result<(String, String), EdxmlError> {
    let mut w = W {
        out: format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<edXML xmlns=\"{EDXML_NS}\">"),
        depth: 1,
    };
    w.open("edXMLEnvelope", &format!(" xmlns:edXML=\"{EDXML_NS}\""));
    w.open("edXMLHeader", "");
    match spec.kind {
        Kind::Document => {
            if spec.status.is_some() {
                return Err(EdxmlError::Invalid(
                    "a document packet has no status (use kind \"status\")".into(),
                ));
            }
            message_header(&mut w, spec)?;
            trace_header(&mut w, spec, now)?;
        }
        Kind::Status => status(&mut w, spec)?,
    }
    let before = std::mem::take(&mut w.out);
    w.close("edXMLHeader");
    if spec.kind == Kind::Document {
        body_and_attachments(&mut w, files)?;
    } else if !files.is_empty() {
        return Err(EdxmlError::Invalid(
            "a status packet has no attachments".into(),
        ));
    } else {
        w.close("edXMLEnvelope");
    }
    w.out.push_str("\n</edXML>\n");
    Ok((before, w.out))
}

fn message_header(w: &mut W, spec: &Spec) -> Result<(), EdxmlError> {
    if spec.from.organ_id.trim().is_empty() {
        return Err(EdxmlError::Invalid("from.organ_id is required".into()));
    }
    let date = optional_date(&spec.promulgation.date)?;
    w.open("MessageHeader", "");
    w.organ("From", &spec.from)?;
    for to in &spec.to {
        w.organ("To", to)?;
    }
    w.open("Code", "");
    w.leaf("CodeNumber", &spec.code.number)?;
    w.leaf("CodeNotation", &spec.code.notation)?;
    w.close("Code");
    w.open("PromulgationInfo", "");
    w.leaf("Place", &spec.promulgation.place)?;
    w.leaf("PromulgationDate", &date)?;
    w.close("PromulgationInfo");
    w.open("DocumentType", "");
    w.leaf("Type", &spec.document_type.kind)?;
    w.leaf("TypeDetail", &spec.document_type.type_detail)?;
    w.leaf("TypeName", &spec.document_type.name)?;
    w.close("DocumentType");
    w.leaf("Subject", &spec.subject)?;
    w.leaf("Content", "")?;
    w.open("SignerInfo", "");
    w.leaf("Competence", "")?;
    w.leaf("Position", &spec.signer.position)?;
    w.leaf("FullName", &spec.signer.full_name)?;
    w.close("SignerInfo");
    w.leaf(
        "DueDate",
        &optional_date(spec.due_date.as_deref().unwrap_or(""))?,
    )?;
    w.open("ToPlaces", "");
    for to in &spec.to {
        w.leaf("Place", &to.organ_name)?;
    }
    w.close("ToPlaces");
    w.open("OtherInfo", "");
    w.leaf("Priority", &spec.priority)?;
    for empty in [
        "SphereOfPromulgation",
        "TyperNotation",
        "PromulgationAmount",
        "PageAmount",
    ] {
        w.leaf(empty, "")?;
    }
    w.close("OtherInfo");
    w.leaf("SteeringType", "0")?;
    let id = if spec.document_id.is_empty() && !date.is_empty() {
        format!(
            "{},{date},{}/{}",
            spec.from.organ_id, spec.code.number, spec.code.notation
        )
    } else {
        spec.document_id.clone()
    };
    w.leaf("DocumentId", &id)?;
    w.close("MessageHeader");
    Ok(())
}

fn trace_header(w: &mut W, spec: &Spec, now: OffsetDateTime) -> Result<(), EdxmlError> {
    w.open("TraceHeaderList", "");
    w.open("TraceHeader", "");
    w.leaf("OrganId", &spec.from.organ_id)?;
    w.leaf("Timestamp", &packet_time(now))?;
    w.close("TraceHeader");
    let b = &spec.business;
    w.open("Bussiness", "");
    w.leaf("BussinessDocType", b.kind.code())?;
    w.leaf("BussinessDocReason", &b.reason)?;
    w.leaf("Paper", "0")?;
    if !b.replaces.is_empty() {
        // Each superseded document, with the recipients it concerns (this packet's).
        w.open("ReplacementInfoList", "");
        for id in &b.replaces {
            w.open("ReplacementInfo", "");
            w.leaf("DocumentId", id)?;
            w.open("OrganIdList", "");
            for to in &spec.to {
                w.leaf("OrganId", &to.organ_id)?;
            }
            w.close("OrganIdList");
            w.close("ReplacementInfo");
        }
        w.close("ReplacementInfoList");
    }
    w.close("Bussiness");
    w.close("TraceHeaderList");
    Ok(())
}

fn status(w: &mut W, spec: &Spec) -> Result<(), EdxmlError> {
    let Some(s) = &spec.status else {
        return Err(EdxmlError::Invalid(
            "a status packet needs \"status\"".into(),
        ));
    };
    check_status_spec(spec, s)?;
    w.open("Status", "");
    w.open("ResponseFor", "");
    let r = &s.response_for;
    w.leaf("OrganId", &r.organ_id)?;
    w.leaf("Code", &r.code)?;
    w.leaf("PromulgationDate", &optional_date(&r.promulgation_date)?)?;
    w.leaf("DocumentId", &r.document_id)?;
    w.close("ResponseFor");
    w.organ("From", &spec.from)?;
    w.leaf("StatusCode", &s.code)?;
    w.leaf("Description", &s.description)?;
    let t = if s.timestamp.trim().is_empty() {
        String::new()
    } else {
        time_to_packet(&s.timestamp).map_err(EdxmlError::Invalid)?
    };
    w.leaf("Timestamp", &t)?;
    w.open("StaffInfo", "");
    for empty in ["Department", "Staff", "Email", "Mobile"] {
        w.leaf(empty, "")?;
    }
    w.close("StaffInfo");
    w.close("Status");
    Ok(())
}

/// A status packet carries only its status, its sender and the document it answers.
fn check_status_spec(spec: &Spec, s: &Status) -> Result<(), EdxmlError> {
    if status_meaning(&s.code).is_none() {
        return Err(EdxmlError::Invalid(format!(
            "status code {:?}: one of 01, 02, 03, 04, 05, 06, 13, 15, 16",
            s.code
        )));
    }
    if spec.from.organ_id.trim().is_empty() {
        return Err(EdxmlError::Invalid("from.organ_id is required".into()));
    }
    if !spec.to.is_empty() {
        return Err(EdxmlError::Invalid("a status packet has no \"to\"".into()));
    }
    if !spec.document_id.is_empty() && spec.document_id != s.response_for.document_id {
        return Err(EdxmlError::Invalid(
            "document_id of a status packet is status.response_for.document_id".into(),
        ));
    }
    Ok(())
}

/// A content id for the `index`th file: UUID-shaped, from its bytes (no random source).
pub fn content_id(index: usize, bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update((index as u64).to_be_bytes());
    h.update(bytes);
    let x = hex::encode(&h.finalize()[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

fn body_and_attachments(w: &mut W, files: &[FileIn<'_>]) -> Result<(), EdxmlError> {
    let ids: Vec<String> = files
        .iter()
        .enumerate()
        .map(|(i, f)| content_id(i, f.bytes))
        .collect();
    w.open("edXMLBody", "");
    w.open("edXMLManifest", " version=\"1.0\"");
    for (f, id) in files.iter().zip(&ids) {
        let attrs = format!(
            " xmlns:xlink=\"{XLINK_NS}\" xlink:href=\"cid:{id}\" xlink:role=\"XLinkRole\" xlink:type=\"simple\""
        );
        w.open("Reference", &attrs);
        w.leaf("Description", f.name)?;
        w.leaf("AttachmentName", f.name)?;
        w.leaf("ContentType", f.content_type)?;
        w.leaf("ContentId", &format!("cid:{id}"))?;
        w.close("Reference");
    }
    w.close("edXMLManifest");
    w.close("edXMLBody");
    w.close("edXMLEnvelope");
    if files.is_empty() {
        return Ok(());
    }
    // Outside the envelope and unprefixed, in the root's (QCVN) default namespace.
    w.out.push_str("\n  <AttachmentEncoded>");
    for (f, id) in files.iter().zip(&ids) {
        check_text("attachment name", f.name)?;
        check_text("content type", f.content_type)?;
        let name = escape_text(f.name);
        w.out.push_str(&format!(
            "\n    <Attachment>\n      <ContentType>{}</ContentType>\n      <ContentId>cid:{id}</ContentId>\n      <Description>{name}</Description>\n      <ContentTransferEncoded>{}</ContentTransferEncoded>\n      <AttachmentName>{name}</AttachmentName>\n    </Attachment>",
            escape_text(f.content_type),
            B64.encode(f.bytes),
        ));
    }
    w.out.push_str("\n  </AttachmentEncoded>");
    Ok(())
}
