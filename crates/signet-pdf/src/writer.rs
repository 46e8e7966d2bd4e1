//! The append-only incremental writer.
//!
//! `finish()` returns the original bytes unchanged followed by one new section: the new or
//! changed objects, then a cross-reference section of the same flavour as the previous one
//! and a trailer that copies every previous entry except `/Prev` (and `/XRefStm`, which
//! describes one section only). For a hybrid file we append a plain table: readers that
//! understand `/XRefStm` follow `/Prev` into the hybrid section and still see its stream
//! entries, and table-only readers lose nothing they had before. (pyHanko refuses hybrid
//! files in strict mode and otherwise also appends a table.)

use crate::document::Document;
use crate::object::{Dictionary, ObjRef, Object};
use crate::xref::{XrefEntry, XrefKind};
use crate::{PdfError, Result};
use std::collections::BTreeMap;

/// The flavour of the appended cross-reference section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefStyle {
    Table,
    Stream,
}

/// Highest object number an update may allocate (well above any real document; keeps every
/// number and `/Size` far from integer limits).
pub const MAX_OBJECT_NUMBER: u32 = 100_000_000;

#[derive(Debug, Clone)]
enum Pending {
    Object(Object),
    Raw(Vec<u8>),
}

/// One incremental update being built on top of a parsed document.
#[derive(Debug)]
pub struct Update<'a> {
    doc: &'a Document,
    next: u32,
    objects: BTreeMap<u32, (u16, Pending)>,
    /// Objects deleted by this update: number → generation of the free entry.
    freed: BTreeMap<u32, u16>,
    style: XrefStyle,
    allow_lenient: bool,
}

impl<'a> Update<'a> {
    /// Starts an update. The xref flavour follows the newest section (table after a table or
    /// hybrid section, stream after a stream).
    pub fn new(doc: &'a Document) -> Self {
        let style = match doc.revisions().last().map(|r| r.kind) {
            Some(XrefKind::Stream) => XrefStyle::Stream,
            _ => XrefStyle::Table,
        };
        Update {
            doc,
            next: doc.size().max(1),
            objects: BTreeMap::new(),
            freed: BTreeMap::new(),
            style,
            allow_lenient: false,
        }
    }
    /// Accepts appending to a document that was read leniently ([`Document::lenient`]).
    /// Such a file's damaged parts may read differently once bytes follow them, so by
    /// default `finish` refuses; prefer [`crate::rewrite`] for unsigned files.
    pub fn allow_lenient(&mut self) {
        self.allow_lenient = true;
    }
    /// The document being updated.
    pub fn document(&self) -> &'a Document {
        self.doc
    }
    /// The xref flavour that `finish` will write.
    pub fn style(&self) -> XrefStyle {
        self.style
    }
    /// A fresh object number (from the trailer's `/Size` upwards), generation 0.
    pub fn allocate(&mut self) -> ObjRef {
        // A damaged file may reference numbers beyond its /Size that this update then wrote
        // (e.g. a dangling /AcroForm): never hand those out again.
        while self.next < u32::MAX
            && (self.objects.contains_key(&self.next) || self.freed.contains_key(&self.next))
        {
            self.next += 1;
        }
        let r = ObjRef::new(self.next, 0);
        self.next = self.next.saturating_add(1);
        r
    }

    /// `/Size` for the new trailer: above every number allocated or written.
    fn size(&self) -> u32 {
        let written = self
            .objects
            .keys()
            .chain(self.freed.keys())
            .max()
            .map_or(0, |m| m.saturating_add(1));
        self.next.max(written)
    }
    /// Writes (or rewrites) object `r` in this update.
    pub fn put(&mut self, r: ObjRef, obj: &Object) {
        self.freed.remove(&r.num);
        self.objects
            .insert(r.num, (r.gen, Pending::Object(obj.clone())));
    }
    /// Deletes object `r` in this update (a free entry with the next generation).
    pub fn free(&mut self, r: ObjRef) {
        self.objects.remove(&r.num);
        self.freed.insert(r.num, r.gen.saturating_add(1));
    }
    /// Writes an already-serialized object body (`<<...>>` or `<<...>>stream\n...\nendstream`).
    pub fn put_raw(&mut self, r: ObjRef, body: Vec<u8>) {
        self.freed.remove(&r.num);
        self.objects.insert(r.num, (r.gen, Pending::Raw(body)));
    }
    /// The object as this update will leave it: the pending version if `put` here, else the
    /// document's newest version. Raw bodies are parsed back.
    pub fn get(&self, r: ObjRef) -> Result<Option<Object>> {
        match self.objects.get(&r.num) {
            Some((_, Pending::Object(o))) => Ok(Some(o.clone())),
            None if self.freed.contains_key(&r.num) => Ok(None),
            Some((_, Pending::Raw(b))) => {
                let mut wrapped = format!("{} {} obj\n", r.num, r.gen).into_bytes();
                wrapped.extend_from_slice(b);
                wrapped.extend_from_slice(b"\nendobj\n");
                Ok(Some(
                    crate::parser::parse_indirect(&wrapped, 0, &|_| None)?.object,
                ))
            }
            None => self.doc.get(r),
        }
    }
    /// Resolves references through [`Update::get`].
    pub fn resolve(&self, o: &Object) -> Result<Object> {
        let mut cur = o.clone();
        for _ in 0..32 {
            match cur {
                Object::Reference(r) => cur = self.get(r)?.unwrap_or(Object::Null),
                other => return Ok(other),
            }
        }
        Err(PdfError::Limit("reference chain too long".into()))
    }
    /// The object `o` refers to, if it is a reference to an object that exists in the
    /// document as a dictionary (`want_dict`) or an array. A dangling reference or one to
    /// the wrong type gives `None`: callers then write the container inline instead of into
    /// a number this update may also allocate.
    pub(crate) fn existing_container(&self, o: Option<&Object>, want_dict: bool) -> Option<ObjRef> {
        let r = o?.as_ref()?;
        let obj = self.doc.get(r).ok().flatten()?;
        let fits = if want_dict {
            matches!(obj, Object::Dictionary(_))
        } else {
            matches!(obj, Object::Array(_))
        };
        fits.then_some(r)
    }
    /// True when nothing was put or freed.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty() && self.freed.is_empty()
    }

    /// A malformed raw body (e.g. from another crate) would break the file and every
    /// signature over it: each must parse as one object.
    fn check_raw_bodies(&self) -> Result<()> {
        for (num, (gen, p)) in &self.objects {
            let Pending::Raw(body) = p else { continue };
            let mut wrapped = format!("{num} {gen} obj\n").into_bytes();
            wrapped.extend_from_slice(body);
            wrapped.extend_from_slice(b"\nendobj\n");
            let bad = |why: String| PdfError::Invalid(format!("raw body of object {num}: {why}"));
            let ind = crate::parser::parse_indirect(&wrapped, 0, &|_| None)
                .map_err(|e| bad(e.to_string()))?;
            // Exactly one object: our `endobj` must directly follow it.
            if !wrapped[..ind.end].ends_with(b"endobj") || ind.end + 1 != wrapped.len() {
                return Err(bad("trailing bytes after the object".into()));
            }
        }
        Ok(())
    }

    /// The whole new file.
    pub fn finish(self) -> Result<Vec<u8>> {
        Ok(self.finish_with_offsets()?.0)
    }

    /// The whole new file and the offset of each object written (by number).
    pub fn finish_with_offsets(mut self) -> Result<(Vec<u8>, BTreeMap<u32, usize>)> {
        // Objects read from an encrypted file are decrypted: written back as they are, the
        // file would mix clear and encrypted objects. Refused rather than re-encrypted, and
        // first, so that an encrypted file is refused as such whatever else is wrong with it.
        if self.doc.encryption().is_some() {
            return Err(PdfError::Encrypted);
        }
        if self.size() > MAX_OBJECT_NUMBER {
            return Err(PdfError::Limit(format!(
                "object numbers beyond {MAX_OBJECT_NUMBER} (trailer /Size too large)"
            )));
        }
        if self.doc.recovered() {
            return Err(PdfError::Invalid(
                "refusing to append to a file whose xref had to be rebuilt; rewrite it first"
                    .into(),
            ));
        }
        if self.doc.lenient() && !self.allow_lenient {
            return Err(PdfError::Invalid(
                "refusing to append to a file read leniently (damaged xref): the appended bytes \
                 could change how its damaged parts read; rewrite it first or allow_lenient()"
                    .into(),
            ));
        }
        let prev = self.doc.revisions().last().map_or(0, |r| r.xref_offset);
        let mut out = self.doc.bytes().to_vec();
        if !out.ends_with(b"\n") && !out.ends_with(b"\r") {
            out.push(b'\n');
        }
        self.check_raw_bodies()?;
        let mut offsets = BTreeMap::new();
        let mut entries: BTreeMap<u32, XrefEntry> = BTreeMap::new();
        for (num, (gen, p)) in &self.objects {
            offsets.insert(*num, out.len());
            entries.insert(
                *num,
                XrefEntry::InUse {
                    offset: out.len() as u64,
                    gen: *gen,
                },
            );
            write_object(&mut out, ObjRef::new(*num, *gen), p);
        }
        entries.extend(
            self.freed
                .iter()
                .map(|(n, g)| (*n, XrefEntry::Free { gen: *g })),
        );
        let mut trailer = self.doc.trailer().clone();
        trailer.remove(b"Prev");
        trailer.remove(b"XRefStm");
        trailer.set(b"Prev", Object::Integer(prev as i64));
        match self.style {
            XrefStyle::Table => {
                trailer.set(b"Size", Object::Integer(i64::from(self.size())));
                write_table(&mut out, &entries, &trailer);
            }
            XrefStyle::Stream => {
                let xref_ref = self.allocate();
                trailer.set(b"Size", Object::Integer(i64::from(self.size())));
                offsets.insert(xref_ref.num, out.len());
                entries.insert(
                    xref_ref.num,
                    XrefEntry::InUse {
                        offset: out.len() as u64,
                        gen: 0,
                    },
                );
                write_xref_stream(&mut out, &entries, trailer, xref_ref);
            }
        }
        Ok((out, offsets))
    }
}

fn write_object(out: &mut Vec<u8>, r: ObjRef, p: &Pending) {
    out.extend_from_slice(format!("{} {} obj\n", r.num, r.gen).as_bytes());
    match p {
        Pending::Object(o) => o.write(out),
        Pending::Raw(b) => out.extend_from_slice(b),
    }
    out.extend_from_slice(b"\nendobj\n");
}

/// Groups of consecutive numbers (one xref subsection each). Built from the numbers
/// themselves, so nothing is computed as `first + count` (numbers may reach `u32::MAX`).
fn runs(nums: impl Iterator<Item = u32>) -> Vec<Vec<u32>> {
    let mut v: Vec<Vec<u32>> = Vec::new();
    for n in nums {
        match v.last_mut() {
            Some(g) if g.last().and_then(|l| l.checked_add(1)) == Some(n) => g.push(n),
            _ => v.push(vec![n]),
        }
    }
    v
}

pub(crate) fn write_table(
    out: &mut Vec<u8>,
    entries: &BTreeMap<u32, XrefEntry>,
    trailer: &Dictionary,
) {
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    // Entry 0 heads the free list in every section (Acrobat expects it).
    let nums: Vec<u32> = std::iter::once(0)
        .chain(entries.keys().copied().filter(|&n| n != 0))
        .collect();
    for group in runs(nums.iter().copied()) {
        out.extend_from_slice(format!("{} {}\n", group[0], group.len()).as_bytes());
        for n in group {
            match entries.get(&n).filter(|_| n != 0) {
                Some(XrefEntry::InUse { offset, gen }) => {
                    out.extend_from_slice(format!("{offset:010} {gen:05} n\r\n").as_bytes())
                }
                Some(XrefEntry::Free { gen }) => {
                    out.extend_from_slice(format!("0000000000 {gen:05} f\r\n").as_bytes())
                }
                _ => out.extend_from_slice(b"0000000000 65535 f\r\n"),
            }
        }
    }
    out.extend_from_slice(b"trailer\n");
    trailer.write(out);
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
}

fn write_xref_stream(
    out: &mut Vec<u8>,
    entries: &BTreeMap<u32, XrefEntry>,
    mut dict: Dictionary,
    me: ObjRef,
) {
    let xref_at = out.len();
    let max = entries
        .values()
        .map(|e| match e {
            XrefEntry::InUse { offset, .. } => *offset,
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let w = (1..=8)
        .find(|&w| w == 8 || max < 1u64 << (8 * w))
        .unwrap_or(8);
    let mut data = Vec::new();
    let mut index = Vec::new();
    for group in runs(entries.keys().copied()) {
        index.push(Object::Integer(i64::from(group[0])));
        index.push(Object::Integer(group.len() as i64));
        for n in group {
            let (kind, off, gen) = match entries.get(&n) {
                Some(XrefEntry::InUse { offset, gen }) => (1u8, *offset, *gen),
                Some(XrefEntry::Free { gen }) => (0, 0, *gen),
                _ => (0, 0, 0),
            };
            data.push(kind);
            data.extend_from_slice(&off.to_be_bytes()[8 - w..]);
            data.extend_from_slice(&gen.to_be_bytes());
        }
    }
    dict.set(b"Type", Object::name("XRef"));
    dict.set(
        b"W",
        Object::Array(vec![1.into(), (w as i64).into(), 2.into()]),
    );
    dict.set(b"Index", Object::Array(index));
    let stream = Object::Stream(crate::object::Stream::new(dict, data));
    write_object(out, me, &Pending::Object(stream));
    out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
}
