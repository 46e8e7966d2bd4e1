//! Writing a small new PDF from objects (tests, fixtures, the appearance engineer's samples).

use crate::document::Document;
use crate::object::{Dictionary, ObjRef, Object, Stream};
use crate::writer::write_table;
use crate::xref::XrefEntry;
use crate::{PdfError, Result};
use std::collections::{BTreeMap, HashSet};

/// A new document built object by object; `finish` writes header, objects, xref table and
/// trailer.
#[derive(Debug, Default)]
pub struct FreshDocument {
    objects: BTreeMap<u32, Vec<u8>>,
    next: u32,
}

impl FreshDocument {
    pub fn new() -> Self {
        FreshDocument {
            objects: BTreeMap::new(),
            next: 1,
        }
    }
    pub fn allocate(&mut self) -> ObjRef {
        let r = ObjRef::new(self.next, 0);
        self.next += 1;
        r
    }
    pub fn put(&mut self, r: ObjRef, o: &Object) {
        self.objects.insert(r.num, o.to_bytes());
    }
    /// An already-serialized object body.
    pub fn put_raw(&mut self, r: ObjRef, body: Vec<u8>) {
        self.objects.insert(r.num, body);
    }
    /// Writes the file with `/Root root` and a fixed `/ID` derived from nothing variable
    /// (callers wanting a unique ID pass `id`).
    pub fn finish(self, root: ObjRef, id: Option<[u8; 16]>) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut entries = BTreeMap::new();
        for (num, body) in &self.objects {
            entries.insert(
                *num,
                XrefEntry::InUse {
                    offset: out.len() as u64,
                    gen: 0,
                },
            );
            out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        // Gaps in the numbering get free entries, so every number below /Size is listed.
        let size = self.objects.keys().max().map_or(1, |m| m + 1);
        let mut trailer = Dictionary::new()
            .with(b"Size", Object::Integer(i64::from(size)))
            .with(b"Root", Object::Reference(root));
        let id = id.unwrap_or([0x5A; 16]);
        trailer.set(
            b"ID",
            Object::Array(vec![
                Object::String(id.to_vec()),
                Object::String(id.to_vec()),
            ]),
        );
        for n in 1..size {
            entries.entry(n).or_insert(XrefEntry::Free { gen: 0 });
        }
        write_table(&mut out, &entries, &trailer);
        out
    }
}

/// A one-page PDF with the given media box and (uncompressed) page content, using
/// Helvetica as `/F1`.
pub fn one_page_pdf(media_box: [f64; 4], content: &[u8]) -> Vec<u8> {
    let mut d = FreshDocument::new();
    let (catalog, pages, page, contents, font) = (
        d.allocate(),
        d.allocate(),
        d.allocate(),
        d.allocate(),
        d.allocate(),
    );
    d.put(
        catalog,
        &Dictionary::new()
            .with(b"Type", Object::name("Catalog"))
            .with(b"Pages", pages)
            .into(),
    );
    d.put(
        pages,
        &Dictionary::new()
            .with(b"Type", Object::name("Pages"))
            .with(b"Kids", Object::Array(vec![page.into()]))
            .with(b"Count", Object::Integer(1))
            .into(),
    );
    let fonts = Dictionary::new().with(b"F1", font);
    d.put(
        page,
        &Dictionary::new()
            .with(b"Type", Object::name("Page"))
            .with(b"Parent", pages)
            .with(
                b"MediaBox",
                Object::Array(media_box.iter().map(|v| Object::Real(*v)).collect()),
            )
            .with(b"Resources", Dictionary::new().with(b"Font", fonts))
            .with(b"Contents", contents)
            .into(),
    );
    d.put(
        contents,
        &Object::Stream(Stream::new(Dictionary::new(), content.to_vec())),
    );
    d.put(
        font,
        &Dictionary::new()
            .with(b"Type", Object::name("Font"))
            .with(b"Subtype", Object::name("Type1"))
            .with(b"BaseFont", Object::name("Helvetica"))
            .with(b"Encoding", Object::name("WinAnsiEncoding"))
            .into(),
    );
    d.finish(catalog, None)
}

/// Writes the newest view of `doc` as a clean, single-revision file (same object numbers,
/// streams with correct lengths, one xref table). For unsigned files that were read
/// leniently or recovered, before signing them. Refuses a document with a signed field:
/// rewriting would invalidate the signature.
pub fn rewrite(doc: &Document) -> Result<Vec<u8>> {
    // A clean copy would be a decrypted one: the owner's restrictions would be lost.
    if doc.encryption().is_some() {
        return Err(PdfError::Encrypted);
    }
    if doc
        .acro_form_fields()
        .unwrap_or_default()
        .iter()
        .any(|f| !f.is_empty())
    {
        return Err(PdfError::Invalid(
            "the document is signed: rewriting would invalidate it".into(),
        ));
    }
    let (root, _) = doc.catalog()?;
    let objects = readable_objects(doc, root);
    let kept: HashSet<ObjRef> = objects.iter().map(|(r, _)| *r).collect();
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut entries = BTreeMap::new();
    for (r, mut obj) in objects {
        null_dangling(&mut obj, &kept);
        entries.insert(
            r.num,
            XrefEntry::InUse {
                offset: out.len() as u64,
                gen: r.gen,
            },
        );
        out.extend_from_slice(format!("{} {} obj\n", r.num, r.gen).as_bytes());
        obj.write(&mut out);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = entries.keys().max().map_or(1, |m| m.saturating_add(1));
    if size > crate::writer::MAX_OBJECT_NUMBER {
        return Err(PdfError::Limit(
            "object numbers too large to rewrite".into(),
        ));
    }
    // Gaps stay gaps (subsections skip them): filling them could mean millions of entries
    // for one absurd object number.
    let mut trailer = Dictionary::new()
        .with(b"Size", Object::Integer(i64::from(size)))
        .with(b"Root", Object::Reference(root));
    for key in [&b"Info"[..], b"ID"] {
        if let Some(v) = doc.trailer().get(key) {
            trailer.set(key, v.clone());
        }
    }
    write_table(&mut out, &entries, &trailer);
    Ok(out)
}

/// The objects a rewrite keeps: every readable one of the newest revision except the
/// containers (cross-reference and object streams, whose objects are written one by one;
/// only streams: a dictionary that merely claims such a `/Type` is kept).
fn readable_objects(doc: &Document, root: ObjRef) -> Vec<(ObjRef, Object)> {
    doc.live_refs_at(doc.last_revision())
        .into_iter()
        // Unreadable objects are dropped: references to them read as null, per ISO 32000.
        .filter_map(|r| Some((r, doc.get(r).ok().flatten()?)))
        .filter(|(r, obj)| {
            let container = obj.as_stream().is_some_and(|s| {
                s.dict.name_is(b"Type", b"XRef") || s.dict.name_is(b"Type", b"ObjStm")
            });
            !container || *r == root
        })
        .collect()
}

/// Writes out as `null` every reference to an object the rewrite does not keep. They read
/// as null already; left as references, a later update that allocates the same number (its
/// `/Size` no longer covers a dropped object) would silently give them a meaning, e.g. make
/// a new signature field the kid of an old one.
fn null_dangling(obj: &mut Object, kept: &HashSet<ObjRef>) {
    match obj {
        Object::Reference(r) if !kept.contains(r) => *obj = Object::Null,
        Object::Array(items) => items.iter_mut().for_each(|o| null_dangling(o, kept)),
        Object::Dictionary(d) => d.values_mut().for_each(|o| null_dangling(o, kept)),
        Object::Stream(s) => s.dict.values_mut().for_each(|o| null_dangling(o, kept)),
        _ => {}
    }
}
