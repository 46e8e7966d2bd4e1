//! The page tree and the AcroForm field tree (signature fields).

use crate::document::{Document, MAX_DEPTH};
use crate::object::{Dictionary, ObjRef, Object};
use crate::{PdfError, Result};
use std::collections::HashSet;

/// Most nodes visited in one tree walk (pages or fields).
const MAX_NODES: usize = 1_000_000;

/// A widget annotation of a signature field.
#[derive(Debug, Clone, PartialEq)]
pub struct Widget {
    /// The widget's object (`None` when it is the field object itself, stored directly).
    pub obj: Option<ObjRef>,
    pub rect: Option<[f64; 4]>,
    /// The page (`/P`), when the widget names it.
    pub page: Option<ObjRef>,
}

/// A signature field (`/FT /Sig`) found from the catalog's `/AcroForm /Fields`.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureField {
    /// Fully qualified name: the `/T` of each ancestor joined with `.`.
    pub name: String,
    /// The field object, when indirect.
    pub field: Option<ObjRef>,
    /// `/V` as stored (a reference to the signature dictionary, usually).
    pub value: Option<Object>,
    /// `/V` resolved to its dictionary, if any (an empty field has none).
    pub sig_dict: Option<Dictionary>,
    pub widgets: Vec<Widget>,
}

impl SignatureField {
    /// True when the field has no signature yet.
    pub fn is_empty(&self) -> bool {
        self.sig_dict.is_none()
    }
    /// The `/V` reference, when indirect.
    pub fn value_ref(&self) -> Option<ObjRef> {
        self.value.as_ref().and_then(Object::as_ref)
    }
}

struct Node {
    obj: Object,
    name: String,
    ft: Option<Vec<u8>>,
    depth: usize,
}

impl Document {
    /// Page objects in order, newest revision.
    pub fn pages(&self) -> Result<Vec<ObjRef>> {
        self.pages_at(self.last_revision())
    }

    /// Page objects in order as of revision `rev`. Loops and depth are guarded.
    pub fn pages_at(&self, rev: usize) -> Result<Vec<ObjRef>> {
        let (_, cat) = self.catalog_at(rev)?;
        let root = cat
            .get(b"Pages")
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::Structure("catalog has no /Pages reference".into()))?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(root, 0usize)];
        while let Some((r, depth)) = stack.pop() {
            if depth > MAX_DEPTH || !seen.insert(r) || seen.len() > MAX_NODES {
                return Err(PdfError::Structure(format!(
                    "page tree loop or too deep at {r}"
                )));
            }
            let Some(node) = self.get_at(rev, r)? else {
                continue;
            };
            let Some(d) = node.as_dict() else { continue };
            let kids = self.dict_get_at(rev, d, b"Kids")?;
            if d.name_is(b"Type", b"Pages")
                || (!d.name_is(b"Type", b"Page") && kids.as_array().is_some())
            {
                let kids: Vec<ObjRef> = kids
                    .as_array()
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(Object::as_ref)
                    .collect();
                stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
            } else {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// A page attribute, inherited from ancestors when absent (`/MediaBox`, `/Rotate`,
    /// `/Resources`, `/CropBox`).
    pub fn page_attr(&self, page: ObjRef, key: &[u8]) -> Result<Option<Object>> {
        let mut cur = Some(page);
        let mut seen = HashSet::new();
        while let Some(r) = cur {
            if !seen.insert(r) || seen.len() > MAX_DEPTH {
                return Err(PdfError::Structure("page /Parent loop".into()));
            }
            let Some(obj) = self.get(r)? else {
                return Ok(None);
            };
            let Some(d) = obj.as_dict() else {
                return Ok(None);
            };
            if let Some(v) = d.get(key) {
                return self.resolve(v).map(Some);
            }
            cur = d.get(b"Parent").and_then(Object::as_ref);
        }
        Ok(None)
    }

    /// The page's `/MediaBox` (inherited), or US Letter if none is given.
    pub fn page_media_box(&self, page: ObjRef) -> Result<[f64; 4]> {
        Ok(self
            .page_attr(page, b"MediaBox")?
            .and_then(|o| rect_of(&o))
            .unwrap_or([0.0, 0.0, 612.0, 792.0]))
    }

    /// Signature fields, newest revision.
    pub fn acro_form_fields(&self) -> Result<Vec<SignatureField>> {
        self.acro_form_fields_at(self.last_revision())
    }

    /// Signature fields as of revision `rev`, following `/Kids` with loop guards.
    pub fn acro_form_fields_at(&self, rev: usize) -> Result<Vec<SignatureField>> {
        Ok(self
            .all_fields_at(rev)?
            .into_iter()
            .filter(|(_, ft)| ft.as_deref() == Some(b"Sig"))
            .map(|(f, _)| f)
            .collect())
    }

    /// Fully qualified names of all terminal fields (any type), newest revision.
    pub fn field_names(&self) -> Result<Vec<String>> {
        Ok(self
            .all_fields_at(self.last_revision())?
            .into_iter()
            .map(|(f, _)| f.name)
            .collect())
    }

    /// Every terminal field of the newest revision with its (inherited) `/FT` (the field
    /// record is [`SignatureField`]'s shape whatever the type).
    pub fn terminal_fields(&self) -> Result<Vec<(SignatureField, Option<Vec<u8>>)>> {
        self.all_fields_at(self.last_revision())
    }

    /// Every terminal field with its (inherited) `/FT`.
    fn all_fields_at(&self, rev: usize) -> Result<Vec<(SignatureField, Option<Vec<u8>>)>> {
        let (_, cat) = self.catalog_at(rev)?;
        let form = self.dict_get_at(rev, &cat, b"AcroForm")?;
        let Some(form) = form.as_dict() else {
            return Ok(Vec::new());
        };
        let fields = self.dict_get_at(rev, form, b"Fields")?;
        let roots = fields.as_array().unwrap_or(&[]);
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack: Vec<Node> = roots
            .iter()
            .rev()
            .map(|o| Node {
                obj: o.clone(),
                name: String::new(),
                ft: None,
                depth: 0,
            })
            .collect();
        while let Some(node) = stack.pop() {
            if let Some(r) = node.obj.as_ref() {
                if !seen.insert(r) {
                    continue; // shared or cyclic kid: visit once
                }
            }
            if node.depth > MAX_DEPTH || seen.len() > MAX_NODES {
                return Err(PdfError::Limit("field tree too deep or too large".into()));
            }
            self.visit_field(rev, node, &mut stack, &mut out)?;
        }
        Ok(out)
    }

    fn visit_field(
        &self,
        rev: usize,
        node: Node,
        stack: &mut Vec<Node>,
        out: &mut Vec<(SignatureField, Option<Vec<u8>>)>,
    ) -> Result<()> {
        let obj = self.resolve_at(rev, &node.obj)?;
        let Some(d) = obj.as_dict() else {
            return Ok(());
        };
        let name = match d.get(b"T").map(|t| self.resolve_at(rev, t)).transpose()? {
            Some(Object::String(t)) if node.name.is_empty() => decode_text(&t),
            Some(Object::String(t)) => format!("{}.{}", node.name, decode_text(&t)),
            _ => node.name.clone(),
        };
        let ft = d
            .get(b"FT")
            .and_then(Object::as_name)
            .map(<[u8]>::to_vec)
            .or(node.ft.clone());
        let kids = self.dict_get_at(rev, d, b"Kids")?;
        let kids = kids.as_array().unwrap_or(&[]);
        // Kids that have a /T are fields; kids without are this field's widgets.
        let mut widgets = Vec::new();
        let mut child_fields = Vec::new();
        for k in kids {
            let kd = self.resolve_at(rev, k)?;
            match kd.as_dict() {
                Some(kd) if kd.contains(b"T") || kd.contains(b"Kids") => {
                    child_fields.push(k.clone())
                }
                Some(kd) => widgets.push(widget_of(k.as_ref(), kd)),
                None => {}
            }
        }
        for k in child_fields.into_iter().rev() {
            stack.push(Node {
                obj: k,
                name: name.clone(),
                ft: ft.clone(),
                depth: node.depth + 1,
            });
        }
        if kids.len() > widgets.len() && widgets.is_empty() {
            return Ok(());
        }
        if widgets.is_empty() && (d.contains(b"Rect") || d.name_is(b"Subtype", b"Widget")) {
            widgets.push(widget_of(node.obj.as_ref(), d));
        }
        let value = d.get(b"V").cloned();
        let sig_dict = match &value {
            Some(v) if ft.as_deref() == Some(b"Sig") => self.resolve_at(rev, v)?.as_dict().cloned(),
            _ => None,
        };
        out.push((
            SignatureField {
                name,
                field: node.obj.as_ref(),
                value,
                sig_dict,
                widgets,
            },
            ft,
        ));
        Ok(())
    }
}

fn widget_of(r: Option<ObjRef>, d: &Dictionary) -> Widget {
    Widget {
        obj: r,
        rect: d.get(b"Rect").and_then(rect_of),
        page: d.get(b"P").and_then(Object::as_ref),
    }
}

/// A rectangle from a 4-number array.
pub(crate) fn rect_of(o: &Object) -> Option<[f64; 4]> {
    let a = o.as_array()?;
    if a.len() != 4 {
        return None;
    }
    let mut r = [0.0; 4];
    for (slot, v) in r.iter_mut().zip(a) {
        *slot = v.as_f64()?;
    }
    Some(r)
}

/// A PDF text string: UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding (read as Latin-1,
/// which matches it for the printable range).
pub fn decode_text(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    b.iter().map(|&c| char::from(c)).collect()
}

/// Encodes text as a PDF text string: ASCII as is, anything else as UTF-16BE with BOM.
pub fn encode_text(s: &str) -> Vec<u8> {
    if s.is_ascii() {
        return s.as_bytes().to_vec();
    }
    let mut out = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_be_bytes());
    }
    out
}
