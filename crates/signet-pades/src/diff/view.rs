//! One revision of the document, with its objects cached (walks visit the same objects
//! often).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use signet_pdf::{Dictionary, Document, ObjRef, Object, XrefEntry};

use super::usage::Usages;
use super::verdict::{fail, MAX_STEPS, R};

/// Trailer keys that belong to the xref section, not to the document (pyHanko drops them).
pub(super) const NON_TRAILER_KEYS: [&[u8]; 7] = [
    b"Length",
    b"Filter",
    b"DecodeParms",
    b"W",
    b"Type",
    b"Index",
    b"XRefStm",
];

/// What all revisions' views of one analysis share: the work budget, and the revision in
/// which each object first appears (pyHanko's `get_introducing_revision`).
pub(super) struct Shared {
    pub(super) steps: Cell<usize>,
    pub(super) introduced: HashMap<ObjRef, usize>,
}

impl Shared {
    pub(super) fn new(doc: &Document) -> Rc<Shared> {
        let mut introduced = HashMap::new();
        for (k, rev) in doc.revisions().iter().enumerate() {
            for (&num, e) in &rev.entries {
                let r = match e {
                    XrefEntry::InUse { gen, .. } => ObjRef::new(num, *gen),
                    XrefEntry::Compressed { .. } => ObjRef::new(num, 0),
                    XrefEntry::Free { .. } => continue,
                };
                introduced.entry(r).or_insert(k);
            }
        }
        Rc::new(Shared {
            steps: Cell::new(0),
            introduced,
        })
    }
}

/// `/Size` of revision `rev`'s own xref section: object numbers at or above it did not exist
/// yet, so a newer revision may use them freely (`is_ref_unassignable`).
pub(super) fn section_size(doc: &Document, rev: usize) -> u32 {
    let own = doc.trailer_at(rev).get(b"Size");
    let merged = (0..rev).rev().find_map(|r| doc.trailer_at(r).get(b"Size"));
    own.or(merged)
        .and_then(Object::as_i64)
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0)
}

pub(super) struct View<'a> {
    pub(super) doc: &'a Document,
    pub(super) rev: usize,
    /// The trailers up to `rev` merged, newer keys winning.
    pub(super) trailer: Dictionary,
    pub(super) cache: RefCell<HashMap<ObjRef, Option<Rc<Object>>>>,
    pub(super) shared: Rc<Shared>,
    pub(super) usages: RefCell<Option<Rc<Usages>>>,
}

impl<'a> View<'a> {
    pub(super) fn new(doc: &'a Document, rev: usize, shared: &Rc<Shared>) -> View<'a> {
        let mut trailer = Dictionary::new();
        for r in 0..=rev {
            for (k, v) in doc.trailer_at(r).iter() {
                trailer.set(k, v.clone());
            }
        }
        for k in NON_TRAILER_KEYS {
            trailer.remove(k);
        }
        View {
            doc,
            rev,
            trailer,
            cache: RefCell::new(HashMap::new()),
            shared: shared.clone(),
            usages: RefCell::new(None),
        }
    }

    /// Counts work; a document that needs too much is refused rather than analysed forever.
    pub(super) fn step(&self) -> R<()> {
        let n = self.shared.steps.get() + 1;
        self.shared.steps.set(n);
        if n > MAX_STEPS {
            return fail("document too large to analyse");
        }
        Ok(())
    }

    pub(super) fn get(&self, r: ObjRef) -> Option<Rc<Object>> {
        if let Some(o) = self.cache.borrow().get(&r) {
            return o.clone();
        }
        let o = self.doc.get_at(self.rev, r).ok().flatten().map(Rc::new);
        self.cache.borrow_mut().insert(r, o.clone());
        o
    }

    /// Follows references; missing objects are `null`, as in pyHanko.
    pub(super) fn resolve(&self, o: &Object) -> Object {
        let mut cur = o.clone();
        for _ in 0..32 {
            match cur {
                Object::Reference(r) => {
                    cur = self.get(r).map_or(Object::Null, |o| (*o).clone());
                }
                other => return other,
            }
        }
        Object::Null
    }

    /// A dictionary entry, resolved (`None` when the key is absent).
    pub(super) fn val(&self, d: &Dictionary, key: &[u8]) -> Option<Object> {
        d.get(key).map(|o| self.resolve(o))
    }

    pub(super) fn size(&self) -> u32 {
        section_size(self.doc, self.rev)
    }

    pub(super) fn unassignable(&self, r: ObjRef) -> bool {
        r.num >= self.size()
    }

    pub(super) fn root_ref(&self) -> Option<ObjRef> {
        self.trailer.get(b"Root").and_then(Object::as_ref)
    }

    pub(super) fn root(&self) -> R<Dictionary> {
        match self.trailer.get(b"Root").map(|o| self.resolve(o)) {
            Some(Object::Dictionary(d)) => Ok(d),
            _ => fail("the catalog is not a dictionary"),
        }
    }

    pub(super) fn introduced(&self, r: ObjRef) -> Option<usize> {
        self.shared.introduced.get(&r).copied()
    }

    /// The newest revision whose xref section mentions `r` (pyHanko's `get_last_change`).
    pub(super) fn last_change(&self, r: ObjRef) -> Option<usize> {
        self.doc
            .revisions()
            .iter()
            .rposition(|rev| match rev.entries.get(&r.num) {
                Some(XrefEntry::InUse { gen, .. }) => *gen == r.gen,
                Some(XrefEntry::Compressed { .. }) => r.gen == 0,
                Some(XrefEntry::Free { gen }) => gen.wrapping_sub(1) == r.gen,
                None => false,
            })
    }

    /// The references reachable from `o` through objects introduced in revision `since` or
    /// later; older objects are neither returned nor entered (`collect_dependencies`).
    pub(super) fn new_deps(&self, o: &Object, since: usize) -> R<BTreeSet<ObjRef>> {
        let mut out = BTreeSet::new();
        let mut stack = vec![Rc::new(o.clone())];
        while let Some(o) = stack.pop() {
            self.step()?;
            match &*o {
                Object::Reference(r) => {
                    if out.contains(r) || self.introduced(*r).is_none_or(|k| k < since) {
                        continue;
                    }
                    out.insert(*r);
                    if let Some(x) = self.get(*r) {
                        stack.push(x);
                    }
                }
                Object::Array(a) => stack.extend(a.iter().map(|x| Rc::new(x.clone()))),
                Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| Rc::new(v.clone()))),
                Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| Rc::new(v.clone()))),
                _ => {}
            }
        }
        Ok(out)
    }
}
