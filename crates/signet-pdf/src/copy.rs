//! Copying pages of one document into a new one (electronic copies: sao y, sao lục, trích
//! sao). Each chosen page keeps its content, resources and boxes (inherited ones written on
//! the page); the visible appearances of its widgets (the signatures' images and texts, filled
//! form fields) are drawn into the page's content, because the copy carries none of the
//! original's fields or signatures — what was visible stays visible, nothing else comes along.
//! Further pages (the copy form) are added as Form XObjects before [`PageCopy::finish`].

use std::collections::HashMap;

use crate::document::Document;
use crate::fields::rect_of;
use crate::fresh::FreshDocument;
use crate::object::{Dictionary, ObjRef, Object, Stream};
use crate::{PdfError, Result};

/// The most objects one copy may take from its source (a guard against absurd files).
const MAX_OBJECTS: usize = 2_000_000;

/// Page attributes written on the copied page (inherited ones resolved).
const KEPT: [&[u8]; 6] = [
    b"MediaBox",
    b"CropBox",
    b"Rotate",
    b"UserUnit",
    b"BleedBox",
    b"TrimBox",
];

/// A new document under construction from pages of another.
#[derive(Debug)]
pub struct PageCopy {
    doc: FreshDocument,
    pages_ref: ObjRef,
    kids: Vec<ObjRef>,
}

/// Copies `pages` (zero-based, in the order given) of `src`'s newest revision. Refuses an
/// encrypted source, an empty selection and a page that does not exist.
pub fn copy_pages(src: &Document, pages: &[usize]) -> Result<PageCopy> {
    if src.encryption().is_some() {
        return Err(PdfError::Encrypted);
    }
    let all = src.pages()?;
    if pages.is_empty() {
        return Err(PdfError::Invalid("no page to copy".into()));
    }
    let mut doc = FreshDocument::new();
    let pages_ref = doc.allocate();
    let mut copier = Copier {
        src,
        doc,
        map: HashMap::new(),
        stack: Vec::new(),
    };
    let mut kids = Vec::new();
    for &p in pages {
        let page = *all.get(p).ok_or_else(|| {
            PdfError::Invalid(format!(
                "page {} does not exist: the document has {}",
                p + 1,
                all.len()
            ))
        })?;
        kids.push(copier.page(page, pages_ref)?);
    }
    Ok(PageCopy {
        doc: copier.doc,
        pages_ref,
        kids,
    })
}

impl PageCopy {
    /// The document being built, to write further objects (e.g. an appearance's form).
    pub fn fresh(&mut self) -> &mut FreshDocument {
        &mut self.doc
    }

    /// Pages so far.
    pub fn page_count(&self) -> usize {
        self.kids.len()
    }

    /// Adds a page of `media_box` showing Form XObject `form` (an object of [`Self::fresh`])
    /// at the page's origin.
    pub fn add_form_page(&mut self, media_box: [f64; 4], form: ObjRef) {
        let (page, contents) = (self.doc.allocate(), self.doc.allocate());
        let draw = format!(
            "q 1 0 0 1 {} {} cm /Form0 Do Q\n",
            num(media_box[0]),
            num(media_box[1])
        );
        self.doc.put(
            contents,
            &Object::Stream(Stream::new(Dictionary::new(), draw.into_bytes())),
        );
        let resources = Dictionary::new().with(b"XObject", Dictionary::new().with(b"Form0", form));
        self.doc.put(
            page,
            &Dictionary::new()
                .with(b"Type", Object::name("Page"))
                .with(b"Parent", self.pages_ref)
                .with(b"MediaBox", rect(media_box))
                .with(b"Resources", resources)
                .with(b"Contents", contents)
                .into(),
        );
        self.kids.push(page);
    }

    /// Writes the file: the page tree, the catalog, the cross-reference table. `id` is the
    /// file identifier.
    pub fn finish(mut self, id: [u8; 16]) -> Vec<u8> {
        let count = i64::try_from(self.kids.len()).unwrap_or(i64::MAX);
        self.doc.put(
            self.pages_ref,
            &Dictionary::new()
                .with(b"Type", Object::name("Pages"))
                .with(
                    b"Kids",
                    Object::Array(self.kids.iter().map(|k| Object::Reference(*k)).collect()),
                )
                .with(b"Count", Object::Integer(count))
                .into(),
        );
        let catalog = self.doc.allocate();
        self.doc.put(
            catalog,
            &Dictionary::new()
                .with(b"Type", Object::name("Catalog"))
                .with(b"Pages", self.pages_ref)
                .into(),
        );
        self.doc.finish(catalog, Some(id))
    }
}

/// A widget's appearance to draw: the form (in the copy), the widget's rectangle and the
/// form's bounding box, both normalized.
type Appearance = (ObjRef, [f64; 4], [f64; 4]);

struct Copier<'a> {
    src: &'a Document,
    doc: FreshDocument,
    /// Source object → its number in the copy.
    map: HashMap<ObjRef, ObjRef>,
    /// Source objects numbered but not yet written.
    stack: Vec<ObjRef>,
}

impl Copier<'_> {
    /// One page: its attributes, resources (with the widgets' appearances added as XObjects)
    /// and content (the original's, isolated in `q … Q`, then the appearances).
    fn page(&mut self, page: ObjRef, parent: ObjRef) -> Result<ObjRef> {
        let src = self.src;
        let dict = src
            .get(page)?
            .and_then(|o| o.as_dict().cloned())
            .ok_or_else(|| PdfError::Structure(format!("page {page} is not a dictionary")))?;
        let mut out = Dictionary::new()
            .with(b"Type", Object::name("Page"))
            .with(b"Parent", parent);
        for key in KEPT {
            if let Some(v) = src.page_attr(page, key)? {
                let v = self.rewrite(&v)?;
                out.set(key, v);
            }
        }
        if !out.contains(b"MediaBox") {
            out.set(b"MediaBox", rect([0.0, 0.0, 612.0, 792.0]));
        }
        let mut resources = match src.page_attr(page, b"Resources")? {
            Some(Object::Dictionary(d)) => d,
            _ => Dictionary::new(),
        };
        let mut xobjects = match resources.get(b"XObject") {
            Some(o) => match src.resolve(o)? {
                Object::Dictionary(d) => d,
                _ => Dictionary::new(),
            },
            None => Dictionary::new(),
        };
        let mut overlay = String::new();
        for (i, (form, r, bbox)) in self.appearances(&dict)?.into_iter().enumerate() {
            let name = format!("SignetAP{i}");
            let (bw, bh) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
            let (rw, rh) = (r[2] - r[0], r[3] - r[1]);
            if bw.abs() < f64::EPSILON || bh.abs() < f64::EPSILON {
                continue;
            }
            let (sx, sy) = (rw / bw, rh / bh);
            overlay.push_str(&format!(
                "q {} 0 0 {} {} {} cm /{name} Do Q\n",
                num(sx),
                num(sy),
                num(r[0] - bbox[0] * sx),
                num(r[1] - bbox[1] * sy)
            ));
            // Already the copy's reference: set after the rewrite below would renumber it.
            xobjects.set(name.as_bytes(), Object::Reference(form));
        }
        let ap_names: Vec<Vec<u8>> = xobjects
            .iter()
            .filter(|(k, _)| k.starts_with(b"SignetAP"))
            .map(|(k, _)| k.to_vec())
            .collect();
        let mut aps = Vec::new();
        for k in &ap_names {
            if let Some(v) = xobjects.remove(k) {
                aps.push((k.clone(), v));
            }
        }
        let mut xobjects = self.rewrite_dict(&xobjects)?;
        for (k, v) in aps {
            xobjects.set(k, v);
        }
        resources.remove(b"XObject");
        let mut resources = self.rewrite_dict(&resources)?;
        if !xobjects.is_empty() {
            resources.set(b"XObject", xobjects);
        }
        out.set(b"Resources", resources);
        let mut contents = vec![Object::Reference(self.stream(b"q\n".to_vec()))];
        match dict.get(b"Contents") {
            Some(Object::Array(parts)) => {
                for p in parts {
                    let p = self.rewrite(p)?;
                    contents.push(p);
                }
            }
            Some(o @ Object::Reference(_)) => {
                let o = src.resolve(o)?;
                match o {
                    Object::Array(parts) => {
                        for p in &parts {
                            let p = self.rewrite(p)?;
                            contents.push(p);
                        }
                    }
                    Object::Stream(_) => {
                        if let Some(Object::Reference(r)) = dict.get(b"Contents") {
                            contents.push(Object::Reference(self.reference(*r)?));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        let tail = self.stream(format!("\nQ\n{overlay}").into_bytes());
        contents.push(Object::Reference(tail));
        out.set(b"Contents", Object::Array(contents));
        let r = self.doc.allocate();
        self.doc.put(r, &out.into());
        self.drain()?;
        Ok(r)
    }

    fn stream(&mut self, data: Vec<u8>) -> ObjRef {
        let r = self.doc.allocate();
        self.doc
            .put(r, &Object::Stream(Stream::new(Dictionary::new(), data)));
        r
    }

    /// The page's visible widget appearances: (the form in the copy, the widget's rectangle
    /// normalized, the form's bounding box).
    fn appearances(&mut self, page: &Dictionary) -> Result<Vec<Appearance>> {
        let src = self.src;
        let annots = match page.get(b"Annots") {
            Some(o) => src.resolve(o)?,
            None => return Ok(Vec::new()),
        };
        let mut out = Vec::new();
        for a in annots.as_array().unwrap_or(&[]) {
            let Object::Dictionary(annot) = src.resolve(a)? else {
                continue;
            };
            // Hidden (2) or NoView (32) annotations are not seen: not copied.
            let flags = annot.get(b"F").and_then(Object::as_i64).unwrap_or(0);
            if flags & (2 | 32) != 0 {
                continue;
            }
            let Some(r) = annot.get(b"Rect").and_then(rect_of) else {
                continue;
            };
            let Some(ap) = annot.get(b"AP") else { continue };
            let Object::Dictionary(ap) = src.resolve(ap)? else {
                continue;
            };
            let Some(Object::Reference(n)) = ap.get(b"N") else {
                continue;
            };
            let Some(Object::Stream(form)) = src.get(*n)? else {
                continue;
            };
            let bbox = form
                .dict
                .get(b"BBox")
                .and_then(rect_of)
                .unwrap_or([0.0, 0.0, 0.0, 0.0]);
            let copied = self.reference(*n)?;
            out.push((copied, normalized(r), normalized(bbox)));
        }
        Ok(out)
    }

    /// `o` as written in the copy: references renumbered and queued for copying.
    fn rewrite(&mut self, o: &Object) -> Result<Object> {
        Ok(match o {
            Object::Reference(r) => Object::Reference(self.reference(*r)?),
            Object::Array(items) => Object::Array(
                items
                    .iter()
                    .map(|i| self.rewrite(i))
                    .collect::<Result<_>>()?,
            ),
            Object::Dictionary(d) => Object::Dictionary(self.rewrite_dict(d)?),
            Object::Stream(s) => {
                Object::Stream(Stream::new(self.rewrite_dict(&s.dict)?, s.data.clone()))
            }
            other => other.clone(),
        })
    }

    fn rewrite_dict(&mut self, d: &Dictionary) -> Result<Dictionary> {
        let mut out = Dictionary::new();
        for (k, v) in d.iter() {
            // Back-pointers to pages and structure elements would drag the source along.
            if k == b"Parent" || k == b"P" || k == b"StructParent" || k == b"StructParents" {
                continue;
            }
            let v = self.rewrite(v)?;
            out.set(k, v);
        }
        Ok(out)
    }

    /// The copy's number for source object `r` (numbered on first sight, written by
    /// [`Self::drain`]).
    fn reference(&mut self, r: ObjRef) -> Result<ObjRef> {
        if let Some(n) = self.map.get(&r) {
            return Ok(*n);
        }
        if self.map.len() >= MAX_OBJECTS {
            return Err(PdfError::Limit("too many objects to copy".into()));
        }
        let n = self.doc.allocate();
        self.map.insert(r, n);
        self.stack.push(r);
        Ok(n)
    }

    /// Writes every queued source object.
    fn drain(&mut self) -> Result<()> {
        while let Some(r) = self.stack.pop() {
            let target = self.map.get(&r).copied().unwrap_or(r);
            let obj = match self.src.get(r)? {
                // Pages, page trees and the catalog are never copied by reference.
                Some(Object::Dictionary(d))
                    if d.name_is(b"Type", b"Page")
                        || d.name_is(b"Type", b"Pages")
                        || d.name_is(b"Type", b"Catalog") =>
                {
                    Object::Null
                }
                Some(o) => self.rewrite(&o)?,
                None => Object::Null,
            };
            self.doc.put(target, &obj);
        }
        Ok(())
    }
}

fn normalized([ax, ay, bx, by]: [f64; 4]) -> [f64; 4] {
    [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)]
}

fn rect(r: [f64; 4]) -> Object {
    Object::Array(r.iter().map(|v| Object::Real(*v)).collect())
}

fn num(v: f64) -> String {
    let mut out = Vec::new();
    Object::Real(v).write(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}
