//! A parsed PDF: its revisions (oldest first) and object access as of any revision.

use crate::crypt::{self, Decryptor, Encryption};
use crate::object::{Dictionary, ObjRef, Object};
pub use crate::parser::MAX_DEPTH;
use crate::parser::{self, Indirect};
pub use crate::revision::Revision;
use crate::{chain, objstm, recover};

pub use crate::xref::{XrefEntry, XrefKind};
use crate::{PdfError, Result};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Most reference hops when resolving `a -> b -> c`.
const MAX_HOPS: usize = 32;

/// A parsed PDF document. Owns the file bytes (one copy); objects are parsed on demand.
#[derive(Debug)]
pub struct Document {
    data: Vec<u8>,
    revisions: Vec<Revision>,
    recovered: bool,
    lenient: AtomicBool,
    objstms: Mutex<HashMap<u64, Arc<objstm::ObjStm>>>,
    scan: OnceLock<HashMap<u32, Vec<(u16, usize)>>>,
    /// Set when the file is encrypted: objects are decrypted as they are loaded.
    crypt: Option<Decryptor>,
}

impl Document {
    /// Parses a whole file. An encrypted file opens when its user password is empty (an
    /// owner password alone restricts what a viewer allows, not reading); otherwise it gives
    /// [`PdfError::PasswordRequired`].
    pub fn parse(bytes: &[u8]) -> Result<Document> {
        Self::from_vec(bytes.to_vec())
    }

    /// Parses an encrypted file with `password`, tried as its user then its owner password
    /// (and the empty user password when that fails: [`PdfError::WrongPassword`] only when
    /// nothing opens it). For an unencrypted file the password is ignored.
    pub fn parse_with_password(bytes: &[u8], password: &str) -> Result<Document> {
        Self::open(bytes.to_vec(), Some(password))
    }

    /// Parses the file as it was when its first `end` bytes were the whole file (e.g. the end
    /// of a revision, or the end of a signature's ByteRange).
    pub fn parse_prefix(bytes: &[u8], end: usize) -> Result<Document> {
        Self::parse(&bytes[..end.min(bytes.len())])
    }

    /// Parses, taking ownership of the bytes (no copy).
    pub fn from_vec(data: Vec<u8>) -> Result<Document> {
        Self::open(data, None)
    }

    /// Parses, taking ownership of the bytes, with an optional password for encrypted files.
    pub fn open(data: Vec<u8>, password: Option<&str>) -> Result<Document> {
        if !data.starts_with(b"%PDF-")
            && parser::find(&data[..data.len().min(1024)], b"%PDF-").is_none()
        {
            return Err(PdfError::Structure(
                "no %PDF- header in the first 1024 bytes".into(),
            ));
        }
        let mut doc = Document {
            data,
            revisions: Vec::new(),
            recovered: false,
            lenient: AtomicBool::new(false),
            objstms: Mutex::new(HashMap::new()),
            scan: OnceLock::new(),
            crypt: None,
        };
        match chain::read_chain(&doc.data) {
            Ok((revs, shifted)) => {
                doc.revisions = revs;
                doc.lenient.store(shifted, Ordering::Relaxed);
            }
            Err(_) => doc.revisions = Vec::new(),
        }
        // An encryption that cannot be opened is the answer, not a reason to rebuild.
        doc.open_encryption(password)?;
        // A chain is usable when the newest trailer leads to a readable catalog.
        if doc.revisions.is_empty() || doc.catalog().is_err() {
            doc.revisions = vec![recover::rebuild(&doc.data)?];
            doc.recovered = true;
            doc.lenient.store(false, Ordering::Relaxed);
            doc.objstms
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
            if doc.crypt.is_none() {
                doc.open_encryption(password)?;
            }
        }
        Ok(doc)
    }

    /// Reads the newest trailer's `/Encrypt` with the raw (not yet decrypting) reader and
    /// installs the decryptor.
    fn open_encryption(&mut self, password: Option<&str>) -> Result<()> {
        let Some(entry) = self.trailer().get(b"Encrypt").cloned() else {
            return Ok(());
        };
        let own = entry.as_ref();
        let dict = match self.resolve(&entry) {
            Ok(Object::Dictionary(d)) => d,
            _ => return Err(PdfError::Encryption("/Encrypt is not a dictionary".into())),
        };
        let id0 = match self.trailer().get(b"ID").and_then(Object::as_array) {
            Some([first, ..]) => first.as_str_bytes().unwrap_or(&[]).to_vec(),
            _ => Vec::new(),
        };
        self.crypt = Some(crypt::open(&dict, own, &id0, password)?);
        // Object streams read before the key was known were read raw.
        self.objstms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        Ok(())
    }

    /// How the file is encrypted and how it was opened (`None`: not encrypted).
    pub fn encryption(&self) -> Option<&Encryption> {
        self.crypt.as_ref().map(|c| &c.info)
    }

    /// The file bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }
    /// Revisions, oldest first.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }
    /// Where each revision ends (after `%%EOF` + EOL), oldest first.
    pub fn revision_end_offsets(&self) -> Vec<usize> {
        self.revisions.iter().map(|r| r.end).collect()
    }
    /// The index of the newest revision.
    pub fn last_revision(&self) -> usize {
        self.revisions.len().saturating_sub(1)
    }
    /// True when the cross-reference data was unusable and rebuilt by scanning. Such a file
    /// must never be reported as validly signed.
    pub fn recovered(&self) -> bool {
        self.recovered
    }
    /// True when a small defect was tolerated (startxref or an object offset a few bytes off).
    pub fn lenient(&self) -> bool {
        self.lenient.load(Ordering::Relaxed)
    }
    /// The newest trailer.
    pub fn trailer(&self) -> &Dictionary {
        self.trailer_at(self.last_revision())
    }
    /// The trailer as of revision `rev` (merged with older ones for missing keys is not done:
    /// each revision's trailer must be complete).
    pub fn trailer_at(&self, rev: usize) -> &Dictionary {
        static EMPTY: OnceLock<Dictionary> = OnceLock::new();
        match self.revisions.get(rev) {
            Some(r) => &r.trailer,
            None => EMPTY.get_or_init(Dictionary::new),
        }
    }
    /// The next free object number as the newest trailer declares it (`/Size`), never below
    /// any number actually used.
    pub fn size(&self) -> u32 {
        let declared = self
            .trailer()
            .get(b"Size")
            .and_then(Object::as_i64)
            .unwrap_or(0);
        let used = self
            .revisions
            .iter()
            .flat_map(|r| r.entries.keys())
            .max()
            .map_or(0, |m| m.saturating_add(1));
        u32::try_from(declared).unwrap_or(0).max(used)
    }

    /// Every object that exists as of revision `rev` (in use or compressed), sorted.
    pub fn live_refs_at(&self, rev: usize) -> Vec<ObjRef> {
        let mut latest: HashMap<u32, XrefEntry> = HashMap::new();
        for r in self.revisions.iter().take(rev.saturating_add(1)) {
            latest.extend(r.entries.iter().map(|(n, e)| (*n, *e)));
        }
        let mut v: Vec<ObjRef> = latest
            .into_iter()
            .filter(|(n, _)| *n != 0)
            .filter_map(|(n, e)| match e {
                // Offset 0 is an error entry, but get() may still find the object by rescanning.
                XrefEntry::InUse { gen, .. } => Some(ObjRef::new(n, gen)),
                XrefEntry::Compressed { .. } => Some(ObjRef::new(n, 0)),
                _ => None,
            })
            .collect();
        v.sort_unstable();
        v
    }

    /// The object `r` in the newest revision (`None` if absent, freed or of another generation).
    pub fn get(&self, r: ObjRef) -> Result<Option<Object>> {
        self.get_at(self.last_revision(), r)
    }

    /// The object `r` as of revision `rev`.
    pub fn get_at(&self, rev: usize, r: ObjRef) -> Result<Option<Object>> {
        self.get_depth(rev, r, 0)
    }

    /// Follows references (bounded) and returns a direct object; missing objects are `Null`.
    pub fn resolve(&self, o: &Object) -> Result<Object> {
        self.resolve_at(self.last_revision(), o)
    }

    /// [`Document::resolve`] as of revision `rev`.
    pub fn resolve_at(&self, rev: usize, o: &Object) -> Result<Object> {
        let mut cur = o.clone();
        for _ in 0..MAX_HOPS {
            match cur {
                Object::Reference(r) => cur = self.get_at(rev, r)?.unwrap_or(Object::Null),
                other => return Ok(other),
            }
        }
        Err(PdfError::Limit("reference chain too long (cycle?)".into()))
    }

    /// A dictionary entry, resolved.
    pub fn dict_get_at(&self, rev: usize, d: &Dictionary, key: &[u8]) -> Result<Object> {
        match d.get(key) {
            Some(o) => self.resolve_at(rev, o),
            None => Ok(Object::Null),
        }
    }

    /// The catalog (`/Root`) reference and dictionary, newest revision.
    pub fn catalog(&self) -> Result<(ObjRef, Dictionary)> {
        self.catalog_at(self.last_revision())
    }

    /// The catalog as of revision `rev`.
    pub fn catalog_at(&self, rev: usize) -> Result<(ObjRef, Dictionary)> {
        let root = self
            .trailer_at(rev)
            .get(b"Root")
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::Structure("trailer has no /Root reference".into()))?;
        match self.get_at(rev, root)? {
            Some(Object::Dictionary(d)) => Ok((root, d)),
            _ => Err(PdfError::Structure(format!(
                "/Root {root} is not a dictionary"
            ))),
        }
    }

    fn get_depth(&self, rev: usize, r: ObjRef, depth: usize) -> Result<Option<Object>> {
        let Some((k, entry)) = self.lookup(rev, r.num) else {
            return Ok(None);
        };
        match entry {
            XrefEntry::Free { .. } => Ok(None),
            XrefEntry::InUse { gen, .. } if gen != r.gen => Ok(None),
            XrefEntry::InUse { offset, .. } => self.load_direct(k, r, offset, depth).map(Some),
            XrefEntry::Compressed { .. } if r.gen != 0 => Ok(None),
            XrefEntry::Compressed { stream, index } => {
                self.load_compressed(k, r.num, stream, index).map(Some)
            }
        }
    }

    /// The entry for `num` as of `rev`, with the revision that defined it.
    pub(crate) fn lookup(&self, rev: usize, num: u32) -> Option<(usize, XrefEntry)> {
        // Object 0 heads the free list; it is never an object, whatever a file claims.
        if num == 0 {
            return None;
        }
        let top = rev.min(self.last_revision());
        (0..=top)
            .rev()
            .find_map(|k| self.revisions.get(k)?.entries.get(&num).map(|e| (k, *e)))
    }

    fn load_direct(&self, rev: usize, r: ObjRef, offset: u64, depth: usize) -> Result<Object> {
        let lengths = |lr: ObjRef| -> Option<i64> {
            if depth >= 2 {
                return None;
            }
            self.get_depth(rev, lr, depth + 1)
                .ok()
                .flatten()
                .and_then(|o| o.as_i64())
        };
        let at = usize::try_from(offset).unwrap_or(usize::MAX);
        let object = self.load_raw(rev, r, at, &lengths)?;
        Ok(match &self.crypt {
            Some(c) => c.decrypt_object(r, object),
            None => object,
        })
    }

    /// The object at `at` as written (still encrypted in an encrypted file).
    fn load_raw(
        &self,
        rev: usize,
        r: ObjRef,
        at: usize,
        lengths: parser::LengthResolver<'_>,
    ) -> Result<Object> {
        match parser::parse_indirect(&self.data, at, lengths) {
            Ok(Indirect { id, object, .. }) if id.num == r.num => Ok(object),
            first => {
                // Offset missing or a bit off: find the object by scanning, as lenient readers do.
                let end = self.revisions.get(rev).map_or(self.data.len(), |x| x.end);
                match self.rescan(r, end, lengths) {
                    Some(o) => {
                        self.lenient.store(true, Ordering::Relaxed);
                        Ok(o)
                    }
                    None => match first {
                        Err(e) => Err(e),
                        Ok(_) => Err(PdfError::Structure(format!(
                            "xref entry for {r} points to another object"
                        ))),
                    },
                }
            }
        }
    }

    fn rescan(&self, r: ObjRef, end: usize, lengths: parser::LengthResolver<'_>) -> Option<Object> {
        let scan = self.scan.get_or_init(|| recover::scan_objects(&self.data));
        let offs = scan.get(&r.num)?;
        let at = offs
            .iter()
            .filter(|(g, o)| *g == r.gen && *o < end)
            .map(|(_, o)| *o)
            .max()?;
        parser::parse_indirect(&self.data, at, lengths)
            .ok()
            .map(|i| i.object)
    }

    fn load_compressed(&self, rev: usize, num: u32, stream: u32, index: u32) -> Result<Object> {
        let stm = self.objstm(rev, stream)?;
        let idx = usize::try_from(index).unwrap_or(usize::MAX);
        // Trust the index when it names our object, otherwise search the table.
        let off = match stm.table.get(idx) {
            Some((n, off)) if *n == num => *off,
            _ => stm
                .table
                .iter()
                .find(|(n, _)| *n == num)
                .map(|(_, o)| *o)
                .ok_or_else(|| {
                    PdfError::Structure(format!("object {num} not in object stream {stream}"))
                })?,
        };
        let start = stm
            .first
            .checked_add(off)
            .filter(|&s| s <= stm.data.len())
            .ok_or_else(|| {
                PdfError::Structure(format!("object {num}: offset outside object stream"))
            })?;
        let mut lx = crate::lexer::Lexer::new(&stm.data, start);
        parser::parse_object(&mut lx, 0)
    }

    fn objstm(&self, rev: usize, stream: u32) -> Result<Arc<objstm::ObjStm>> {
        // Object streams must be stored directly (type 1 entries): no stream-in-stream cycles.
        let (k, entry) = self
            .lookup(rev, stream)
            .ok_or_else(|| PdfError::Structure(format!("object stream {stream} missing")))?;
        let XrefEntry::InUse { offset, gen } = entry else {
            return Err(PdfError::Structure(format!(
                "object stream {stream} is not a direct object"
            )));
        };
        let key = offset;
        if let Some(s) = self
            .objstms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(s.clone());
        }
        let obj = self.load_direct(k, ObjRef::new(stream, gen), offset, 0)?;
        let stm = Arc::new(objstm::decode(&obj, self.data.len())?);
        self.objstms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, stm.clone());
        Ok(stm)
    }
}
