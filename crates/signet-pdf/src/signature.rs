//! Signature fields and signature preparation (PAdES): the placeholder file, its ByteRange,
//! and embedding the CMS later.

use crate::document::Document;
use crate::fields::encode_text;
use crate::object::{Dictionary, ObjRef, Object};
use crate::writer::Update;
use crate::{PdfError, Result};
use sha2::{Digest, Sha256};

/// Largest /Contents placeholder accepted (bytes of DER; the hex is twice that).
pub const MAX_CONTENTS: usize = 4 * 1024 * 1024;

/// A signature field to create.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// The field's partial name (no `.`), unique in the document.
    pub name: String,
    /// Zero-based page index.
    pub page: usize,
    /// The widget rectangle in page coordinates; `[0 0 0 0]` makes an invisible field.
    pub rect: [f64; 4],
    /// A form XObject already written into the same [`Update`] (e.g. with `put_raw`), used
    /// as `/AP /N`.
    pub appearance: Option<ObjRef>,
}

/// What kind of signature dictionary to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SignatureKind {
    /// `/Type /Sig`, `/SubFilter /ETSI.CAdES.detached` (PAdES).
    Cades,
    /// `/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161` (PAdES B-LTA document timestamp).
    DocTimeStamp,
}

/// What `prepare_signature` should do.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureRequest {
    /// The field to fill. For a document timestamp it is created (invisible) when absent.
    pub field: String,
    /// Create the field in this same update (approval signatures only; the product rule is
    /// to create all fields first with [`add_signature_fields`]).
    pub create: Option<FieldSpec>,
    pub kind: SignatureKind,
    /// `/M`, a PDF date string such as `D:20261123143000+07'00'` (the caller reads the clock).
    pub m: Option<String>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact_info: Option<String>,
    /// Bytes reserved for the DER CMS (the placeholder holds twice as many hex digits).
    pub contents_capacity: usize,
    /// A new appearance (form XObject in the same update) for the field's widget.
    pub appearance: Option<ObjRef>,
    /// Make this a certification signature with DocMDP permissions `P` (1: no changes,
    /// 2: form filling and signing, 3: also annotations). Only for the first signature.
    pub certify: Option<u8>,
}

impl SignatureRequest {
    /// A PAdES (CAdES-detached) signature of an existing field.
    pub fn cades(field: &str, m: &str, contents_capacity: usize) -> Self {
        SignatureRequest {
            field: field.into(),
            create: None,
            kind: SignatureKind::Cades,
            m: Some(m.into()),
            name: None,
            reason: None,
            location: None,
            contact_info: None,
            contents_capacity,
            appearance: None,
            certify: None,
        }
    }
    /// A document timestamp in a new invisible field.
    pub fn doc_timestamp(field: &str, contents_capacity: usize) -> Self {
        SignatureRequest {
            kind: SignatureKind::DocTimeStamp,
            m: None,
            ..Self::cades(field, "", contents_capacity)
        }
    }
}

/// A file with a signature placeholder, waiting for its CMS. Serializable, so it can be
/// persisted while a remote signer or token works.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prepared {
    #[serde(with = "b64")]
    pub bytes: Vec<u8>,
    pub byte_range: [u64; 4],
    /// Bytes available for the DER CMS.
    pub capacity: usize,
    /// SHA-256 over the two signed ranges, re-checked by `embed`.
    #[serde(with = "hex::serde")]
    pub digest: [u8; 32],
    /// The signature dictionary's object.
    pub sig_ref: crate::ObjRef,
    pub field: String,
}

impl Prepared {
    /// The two byte ranges the signature covers (everything but the /Contents hex string).
    pub fn signed_ranges(&self) -> (&[u8], &[u8]) {
        let [a, b, c, d] = self.byte_range.map(|v| v as usize);
        let first = self.bytes.get(a..a + b).unwrap_or(&[]);
        let second = self.bytes.get(c..c + d).unwrap_or(&[]);
        (first, second)
    }
    /// SHA-256 of the signed ranges (the PAdES message digest for SHA-256).
    pub fn digest_sha256(&self) -> [u8; 32] {
        self.digest
    }
    /// Writes the DER CMS (or timestamp token) into the placeholder and returns the final
    /// file. Fails if it does not fit or if the prepared bytes were altered.
    pub fn embed(mut self, cms_der: &[u8]) -> Result<Vec<u8>> {
        if ranges_digest(&self)? != self.digest {
            return Err(PdfError::PreparedAltered);
        }
        if cms_der.len() > self.capacity {
            return Err(PdfError::SignatureTooBig {
                needed: cms_der.len(),
                capacity: self.capacity,
            });
        }
        let start = self.byte_range[1] as usize + 1; // after '<'
        let hexed = hex::encode_upper(cms_der);
        let slot = self
            .bytes
            .get_mut(start..start + hexed.len())
            .ok_or(PdfError::PreparedAltered)?;
        slot.copy_from_slice(hexed.as_bytes());
        Ok(self.bytes)
    }
}

fn ranges_digest(p: &Prepared) -> Result<[u8; 32]> {
    let [a, b, c, d] = p.byte_range.map(|v| v as usize);
    let bad = || PdfError::PreparedAltered;
    if a != 0 || b >= c || c.checked_add(d) != Some(p.bytes.len()) {
        return Err(bad());
    }
    let slot = p.bytes.get(b..c).ok_or_else(bad)?;
    if slot.first() != Some(&b'<') || slot.last() != Some(&b'>') || slot.len() != p.capacity * 2 + 2
    {
        return Err(bad());
    }
    let (r1, r2) = p.signed_ranges();
    let mut h = Sha256::new();
    h.update(r1);
    h.update(r2);
    Ok(h.finalize().into())
}

/// ONE incremental update creating all `specs` (no appearances: use
/// [`add_signature_fields_in`] to add them).
pub fn add_signature_fields(doc: &Document, specs: &[FieldSpec]) -> Result<Vec<u8>> {
    let mut up = Update::new(doc);
    add_signature_fields_in(&mut up, specs)?;
    up.finish()
}

/// Adds signature fields to an update (where the caller may already have written the
/// appearance XObjects). Returns the field objects, in the order of `specs`.
pub fn add_signature_fields_in(up: &mut Update<'_>, specs: &[FieldSpec]) -> Result<Vec<ObjRef>> {
    let doc = up.document();
    check_names(doc, specs)?;
    let pages = doc.pages()?;
    let mut refs = Vec::with_capacity(specs.len());
    for spec in specs {
        let page = *pages.get(spec.page).ok_or_else(|| {
            PdfError::Invalid(format!(
                "page {} does not exist ({} pages)",
                spec.page,
                pages.len()
            ))
        })?;
        let field = up.allocate();
        up.put(field, &field_dict(spec, page).into());
        add_to_annots(up, page, field)?;
        refs.push(field);
    }
    add_to_acroform(up, &refs)?;
    Ok(refs)
}

fn check_names(doc: &Document, specs: &[FieldSpec]) -> Result<()> {
    let existing = doc.field_names()?;
    for (i, s) in specs.iter().enumerate() {
        if s.name.is_empty() || s.name.contains('.') {
            return Err(PdfError::Invalid(format!(
                "field name {:?} must be non-empty and contain no '.'",
                s.name
            )));
        }
        if existing.iter().any(|n| n == &s.name) || specs[..i].iter().any(|o| o.name == s.name) {
            return Err(PdfError::Invalid(format!(
                "a field named {:?} already exists",
                s.name
            )));
        }
    }
    Ok(())
}

fn field_dict(spec: &FieldSpec, page: ObjRef) -> Dictionary {
    let mut d = Dictionary::new()
        .with(b"FT", Object::name("Sig"))
        .with(b"T", Object::String(encode_text(&spec.name)))
        .with(b"Type", Object::name("Annot"))
        .with(b"Subtype", Object::name("Widget"))
        .with(
            b"Rect",
            Object::Array(spec.rect.iter().map(|v| Object::Real(*v)).collect()),
        )
        .with(b"F", Object::Integer(4))
        .with(b"P", page);
    if let Some(ap) = spec.appearance {
        d.set(b"AP", Dictionary::new().with(b"N", ap));
    }
    d
}

/// Appends `annot` to the page's `/Annots`, wherever that array lives.
fn add_to_annots(up: &mut Update<'_>, page: ObjRef, annot: ObjRef) -> Result<()> {
    let mut page_obj = up
        .get(page)?
        .ok_or_else(|| PdfError::Structure(format!("page {page} missing")))?;
    let pd = page_obj
        .as_dict_mut()
        .ok_or_else(|| PdfError::Structure("page is not a dictionary".into()))?;
    let indirect = up.existing_container(pd.get(b"Annots"), false);
    match (indirect, pd.get(b"Annots").cloned()) {
        (Some(r), _) => {
            let arr = match up.resolve(&Object::Reference(r))? {
                Object::Array(a) => a,
                _ => Vec::new(),
            };
            up.put(r, &Object::Array(push(arr, annot)));
        }
        (None, Some(Object::Array(a))) => {
            pd.set(b"Annots", Object::Array(push(a, annot)));
            up.put(page, &page_obj);
        }
        _ => {
            pd.set(b"Annots", Object::Array(vec![annot.into()]));
            up.put(page, &page_obj);
        }
    }
    Ok(())
}

fn push(mut v: Vec<Object>, r: ObjRef) -> Vec<Object> {
    v.push(Object::Reference(r));
    v
}

/// Adds fields to the catalog's `/AcroForm /Fields` (creating them) and sets `/SigFlags 3`.
fn add_to_acroform(up: &mut Update<'_>, fields: &[ObjRef]) -> Result<()> {
    if fields.is_empty() {
        return Ok(());
    }
    let (root, _) = up.document().catalog()?;
    let mut cat = up
        .get(root)?
        .ok_or_else(|| PdfError::Structure("catalog missing".into()))?;
    let form_slot = cat.as_dict().and_then(|d| d.get(b"AcroForm")).cloned();
    let (mut form, form_ref) = match (up.existing_container(form_slot.as_ref(), true), form_slot) {
        (Some(r), _) => (
            up.resolve(&Object::Reference(r))?
                .as_dict()
                .cloned()
                .unwrap_or_default(),
            Some(r),
        ),
        (None, Some(Object::Dictionary(d))) => (d, None),
        _ => (Dictionary::new(), None),
    };
    let fields_ref = up.existing_container(form.get(b"Fields"), false);
    match fields_ref {
        Some(r) => {
            let arr = up
                .resolve(&Object::Reference(r))?
                .as_array()
                .map(<[Object]>::to_vec)
                .unwrap_or_default();
            let arr = fields.iter().fold(arr, |a, f| push(a, *f));
            up.put(r, &Object::Array(arr));
        }
        // Inline, absent, dangling or not an array: (re)write it inline.
        None => {
            let arr = form
                .get(b"Fields")
                .and_then(|o| o.as_array().map(<[Object]>::to_vec))
                .unwrap_or_default();
            form.set(
                b"Fields",
                Object::Array(fields.iter().fold(arr, |a, f| push(a, *f))),
            );
        }
    }
    form.set(b"SigFlags", Object::Integer(3));
    match form_ref {
        Some(r) => up.put(r, &form.into()),
        None => {
            let cd = cat
                .as_dict_mut()
                .ok_or_else(|| PdfError::Structure("catalog is not a dictionary".into()))?;
            cd.set(b"AcroForm", form);
            up.put(root, &cat);
        }
    }
    Ok(())
}

/// Prepares a signature in one incremental update (see [`prepare_signature_in`]).
pub fn prepare_signature(doc: &Document, req: &SignatureRequest) -> Result<Prepared> {
    prepare_signature_in(Update::new(doc), req)
}

/// Fills the field `req.field` with a signature dictionary holding a ByteRange placeholder
/// and a zeroed `/Contents` of `req.contents_capacity` bytes, in the given update (which may
/// already hold an appearance XObject).
pub fn prepare_signature_in(mut up: Update<'_>, req: &SignatureRequest) -> Result<Prepared> {
    if req.certify.is_some_and(|p| !(1..=3).contains(&p))
        || (req.certify.is_some() && req.kind != SignatureKind::Cades)
    {
        return Err(PdfError::Invalid(
            "certify needs P in 1..=3 on a /Sig signature".into(),
        ));
    }
    if req.contents_capacity == 0 || req.contents_capacity > MAX_CONTENTS {
        return Err(PdfError::Invalid(format!(
            "contents capacity must be 1..={MAX_CONTENTS} bytes"
        )));
    }
    let doc = up.document();
    let existing = doc
        .acro_form_fields()?
        .into_iter()
        .find(|f| f.name == req.field);
    let field_ref = match (&existing, &req.create, req.kind) {
        (Some(f), None, _) => {
            if !f.is_empty() {
                return Err(PdfError::Invalid(format!(
                    "field {:?} is already signed",
                    req.field
                )));
            }
            f.field
                .ok_or_else(|| PdfError::Invalid("field is not an indirect object".into()))?
        }
        (Some(_), Some(_), _) => {
            return Err(PdfError::Invalid(format!(
                "field {:?} already exists",
                req.field
            )))
        }
        (None, Some(spec), _) => create_one(&mut up, spec, &req.field)?,
        (None, None, SignatureKind::DocTimeStamp) => {
            let spec = FieldSpec {
                name: req.field.clone(),
                page: 0,
                rect: [0.0; 4],
                appearance: None,
            };
            create_one(&mut up, &spec, &req.field)?
        }
        (None, None, SignatureKind::Cades) => {
            return Err(PdfError::Invalid(format!(
                "no signature field named {:?}",
                req.field
            )))
        }
    };
    let sig = up.allocate();
    up.put_raw(sig, sig_dict_body(req));
    point_field(&mut up, field_ref, sig, req.appearance)?;
    if req.certify.is_some() {
        set_docmdp(&mut up, sig)?;
    }
    let (bytes, offsets) = up.finish_with_offsets()?;
    let at = offsets
        .get(&sig.num)
        .copied()
        .ok_or_else(|| PdfError::Structure("signature object not written".into()))?;
    locate(bytes, at, req.contents_capacity, sig, &req.field)
}

/// A certification must be the document's first signature; `/Perms /DocMDP` names it.
fn set_docmdp(up: &mut Update<'_>, sig: ObjRef) -> Result<()> {
    let doc = up.document();
    if doc.acro_form_fields()?.iter().any(|f| !f.is_empty()) {
        return Err(PdfError::Invalid(
            "a certification signature must be the first signature".into(),
        ));
    }
    let (root, _) = doc.catalog()?;
    let mut cat = up
        .get(root)?
        .ok_or_else(|| PdfError::Structure("catalog missing".into()))?;
    let cd = cat
        .as_dict_mut()
        .ok_or_else(|| PdfError::Structure("catalog is not a dictionary".into()))?;
    let mut perms = match cd.get(b"Perms") {
        Some(o) => up.resolve(o)?.as_dict().cloned().unwrap_or_default(),
        None => Dictionary::new(),
    };
    perms.set(b"DocMDP", sig);
    cd.set(b"Perms", perms);
    up.put(root, &cat);
    Ok(())
}

fn create_one(up: &mut Update<'_>, spec: &FieldSpec, name: &str) -> Result<ObjRef> {
    if spec.name != name {
        return Err(PdfError::Invalid(
            "create.name must equal the requested field".into(),
        ));
    }
    let refs = add_signature_fields_in(up, std::slice::from_ref(spec))?;
    refs.first()
        .copied()
        .ok_or_else(|| PdfError::Structure("field not created".into()))
}

/// Sets the field's `/V` (and a new `/AP` on its widget when given).
fn point_field(up: &mut Update<'_>, field: ObjRef, sig: ObjRef, ap: Option<ObjRef>) -> Result<()> {
    let mut f = up
        .get(field)?
        .ok_or_else(|| PdfError::Structure(format!("field {field} missing")))?;
    let d = f
        .as_dict_mut()
        .ok_or_else(|| PdfError::Structure("field is not a dictionary".into()))?;
    d.set(b"V", sig);
    let kid_widget = d
        .get(b"Kids")
        .and_then(Object::as_array)
        .and_then(|k| k.first())
        .and_then(Object::as_ref);
    match (ap, kid_widget) {
        (Some(ap), Some(w)) => {
            up.put(field, &f);
            let mut wo = up
                .get(w)?
                .ok_or_else(|| PdfError::Structure("widget missing".into()))?;
            if let Some(wd) = wo.as_dict_mut() {
                wd.set(b"AP", Dictionary::new().with(b"N", ap));
            }
            up.put(w, &wo);
        }
        (Some(ap), None) => {
            d.set(b"AP", Dictionary::new().with(b"N", ap));
            up.put(field, &f);
        }
        (None, _) => up.put(field, &f),
    }
    Ok(())
}

/// Placeholder array, patched in place: `[0 a b c]` padded with spaces to this width.
const BYTE_RANGE_PLACEHOLDER: &[u8] = b"[0 0000000000 0000000000 0000000000]";

fn sig_dict_body(req: &SignatureRequest) -> Vec<u8> {
    let (ty, sub) = match req.kind {
        SignatureKind::Cades => ("Sig", "ETSI.CAdES.detached"),
        SignatureKind::DocTimeStamp => ("DocTimeStamp", "ETSI.RFC3161"),
    };
    // /ByteRange and /Contents come first so that locating them cannot hit a user string.
    let mut out =
        format!("<</Type /{ty} /Filter /Adobe.PPKLite /SubFilter /{sub} /ByteRange ").into_bytes();
    out.extend_from_slice(BYTE_RANGE_PLACEHOLDER);
    out.extend_from_slice(b" /Contents <");
    out.resize(out.len() + req.contents_capacity * 2, b'0');
    out.push(b'>');
    if let (Some(p), SignatureKind::Cades) = (req.certify, req.kind) {
        out.extend_from_slice(
            format!(
                " /Reference [<</Type /SigRef /TransformMethod /DocMDP /TransformParams <</Type /TransformParams /P {p} /V /1.2>>>>]"
            )
            .as_bytes(),
        );
    }
    let mut rest = Dictionary::new();
    let texts = [
        (&b"M"[..], &req.m),
        (b"Name", &req.name),
        (b"Reason", &req.reason),
        (b"Location", &req.location),
        (b"ContactInfo", &req.contact_info),
    ];
    for (k, v) in texts {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            rest.set(k, Object::String(encode_text(v)));
        }
    }
    for (k, v) in rest.iter() {
        out.push(b' ');
        Object::Name(k.to_vec()).write(&mut out);
        out.push(b' ');
        v.write(&mut out);
    }
    out.extend_from_slice(b">>");
    out
}

/// Finds the placeholders in the written file, fills in the ByteRange, digests the ranges.
fn locate(
    mut bytes: Vec<u8>,
    at: usize,
    capacity: usize,
    sig_ref: ObjRef,
    field: &str,
) -> Result<Prepared> {
    let missing = || PdfError::Structure("signature placeholder not found".into());
    let br = at + crate::parser::find(&bytes[at..], b"/ByteRange [").ok_or_else(missing)? + 11;
    let c0 = at + crate::parser::find(&bytes[at..], b"/Contents <").ok_or_else(missing)? + 10;
    let c1 = c0 + capacity * 2 + 2;
    let len = bytes.len();
    let byte_range = [0u64, c0 as u64, c1 as u64, (len - c1) as u64];
    let mut text =
        format!("[0 {} {} {}]", byte_range[1], byte_range[2], byte_range[3]).into_bytes();
    if text.len() > BYTE_RANGE_PLACEHOLDER.len() {
        return Err(PdfError::Limit(
            "file too large for the ByteRange placeholder".into(),
        ));
    }
    text.resize(BYTE_RANGE_PLACEHOLDER.len(), b' ');
    bytes[br..br + text.len()].copy_from_slice(&text);
    let mut p = Prepared {
        bytes,
        byte_range,
        capacity,
        digest: [0; 32],
        sig_ref,
        field: field.into(),
    };
    p.digest = ranges_digest(&p)?;
    Ok(p)
}

mod b64 {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}
