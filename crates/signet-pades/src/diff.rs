//! What changed after a signature, judged the way pyHanko's default policy does
//! (`pyhanko.sign.diff_analysis`, `DEFAULT_DIFF_POLICY`), so that our verdicts and the
//! referee's can be compared object for object.
//!
//! Every revision after the signed one is compared with the *signed* revision (not with its
//! predecessor). Each object number the newer revision's xref section lists must be cleared by
//! a rule; the revision's level is the highest level any of its objects needed, at least LTV.
//! Whatever no rule clears, and anything a rule finds suspicious, is `Other` (deny by default).
//!
//! The rules (pyHanko's names in brackets):
//! - freeing an object is never allowed (`reject_object_freeing`);
//! - new objects nothing reaches (xref streams, junk) are ignored (`_find_orphans`), and so are
//!   objects rewritten with identical content (`ignore_identical_objects`);
//! - the catalog may only change `/AcroForm`, `/DSS`, `/Extensions`, `/Metadata`, `/MarkInfo`,
//!   `/Version` [CatalogModificationRule]; `/Info` may change [DocInfoRule]; new xref and object
//!   streams are fine [XrefStreamRule, ObjectStreamRule];
//! - the DSS may grow, with a rigid structure, and existing `/VRI` entries must stay exactly as
//!   they were [DSSCompareRule]; the XMP metadata may be replaced by XMP [MetadataUpdateRule];
//! - the form: `/AcroForm` keys other than `/Fields`, `/DR`, `/DA`, `/Q`, `/NeedAppearances`
//!   must not change; fields may not be deleted; only signature fields may be added, with their
//!   widgets on pages; signature fields may be signed once; other fields may change their
//!   value and appearance only [FormUpdatingRule and its field rules];
//! - an object that the signed revision used somewhere is only cleared when *every* place that
//!   used it was checked by a rule (so a widget's appearance shared with the trailer, or a DSS
//!   also reachable from `/AdditionalStreams`, is not cleared by the form or DSS rule);
//! - after a certification signature no visible signature field may be added, and fields a
//!   `/FieldMDP` reference locks may not change ([`Locks`]).
//!
//! Like pyHanko's default policy, nothing is ever cleared at the `Annotations` level: adding a
//! comment or any other non-widget annotation after signing is `Other`.
//!
//! All walks are bounded; a document too large to analyse is `Other`.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use signet_pdf::{decode_text, Dictionary, Document, ObjRef, Object, XrefEntry, XrefKind};

use crate::report::Modifications;

/// Most objects visited in all walks of one analysis.
const MAX_STEPS: usize = 3_000_000;
/// Deepest path (keys and indices from the trailer) followed.
const MAX_PATH: usize = 256;
/// Deepest field or page tree followed.
const MAX_TREE: usize = 64;

/// One change and the level its rule gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub revision: usize,
    pub object: ObjRef,
    pub level: Modifications,
    pub why: &'static str,
}

/// The result of comparing the revisions after `base` with `base`.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub level: Modifications,
    pub changes: Vec<Change>,
}

impl Analysis {
    /// The first change at the analysis' level (for messages).
    pub fn worst(&self) -> Option<&Change> {
        self.changes.iter().find(|c| c.level == self.level)
    }
}

/// What the signature itself forbids besides the default policy.
#[derive(Clone, Debug, Default)]
pub struct Locks {
    /// A certification (DocMDP) signature: no new visible signature fields afterwards.
    pub certifying: bool,
    /// `/FieldMDP`: which fields may no longer change.
    pub fields: Option<FieldLock>,
}

/// A `/FieldMDP` transform's `/Action` and `/Fields`.
#[derive(Clone, Debug)]
pub enum FieldLock {
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

impl FieldLock {
    /// A field is named by its fully qualified name; naming a parent covers its kids.
    fn locks(&self, name: &str) -> bool {
        let (list, inside) = match self {
            FieldLock::All => return true,
            FieldLock::Include(l) => (l, true),
            FieldLock::Exclude(l) => (l, false),
        };
        let hit = list.iter().any(|f| {
            name == f
                || name
                    .strip_prefix(f.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        });
        hit == inside
    }
}

impl Locks {
    /// What signature dictionary `sig` locks: a `/DocMDP` or `/FieldMDP` signature reference.
    pub fn of(doc: &Document, sig: &Dictionary) -> Locks {
        let last = doc.last_revision();
        let get = |d: &Dictionary, k: &[u8]| doc.dict_get_at(last, d, k).unwrap_or(Object::Null);
        let mut locks = Locks::default();
        let Object::Array(refs) = get(sig, b"Reference") else {
            return locks;
        };
        for r in refs {
            let Ok(Object::Dictionary(r)) = doc.resolve(&r) else {
                continue;
            };
            if r.name_is(b"TransformMethod", b"DocMDP") {
                locks.certifying = true;
            } else if r.name_is(b"TransformMethod", b"FieldMDP") {
                let Object::Dictionary(params) = get(&r, b"TransformParams") else {
                    continue;
                };
                let names = match get(&params, b"Fields") {
                    Object::Array(a) => a
                        .iter()
                        .filter_map(|n| doc.resolve(n).ok()?.as_str_bytes().map(decode_text))
                        .collect(),
                    _ => Vec::new(),
                };
                locks.fields = match params.get(b"Action").and_then(Object::as_name) {
                    Some(b"All") => Some(FieldLock::All),
                    Some(b"Include") => Some(FieldLock::Include(names)),
                    Some(b"Exclude") => Some(FieldLock::Exclude(names)),
                    _ => None,
                };
            }
        }
        locks
    }
}

/// Analyses every revision after `base` (0-based) with the default policy.
pub fn analyse(doc: &Document, base: usize) -> Analysis {
    analyse_with(doc, base, &Locks::default())
}

/// Analyses every revision after `base`, stopping at the first one that is not allowed.
pub fn analyse_with(doc: &Document, base: usize, locks: &Locks) -> Analysis {
    let shared = Shared::new(doc);
    let old = View::new(doc, base, &shared);
    let mut changes = Vec::new();
    let mut level = Modifications::None;
    for rev in base + 1..doc.revisions().len() {
        let new = View::new(doc, rev, &shared);
        let change = match review(&old, &new, locks) {
            Ok((l, object, why)) => change(rev, object, l, why),
            Err(Suspicious(why, object)) => change(
                rev,
                object.unwrap_or(ObjRef::new(0, 0)),
                Modifications::Other,
                why,
            ),
        };
        level = level.max(change.level);
        changes.push(change);
        if level == Modifications::Other {
            break;
        }
    }
    Analysis { level, changes }
}

fn change(revision: usize, object: ObjRef, level: Modifications, why: &'static str) -> Change {
    Change {
        revision,
        object,
        level,
        why,
    }
}

/// A rule found something it does not allow (pyHanko's `SuspiciousModification`).
#[derive(Debug)]
struct Suspicious(&'static str, Option<ObjRef>);

type R<T> = Result<T, Suspicious>;

fn fail<T>(why: &'static str) -> R<T> {
    Err(Suspicious(why, None))
}

// ---------------------------------------------------------------------------------------------
// One revision of the document, with its objects cached (walks visit the same objects often).

/// Trailer keys that belong to the xref section, not to the document (pyHanko drops them).
const NON_TRAILER_KEYS: [&[u8]; 7] = [
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
struct Shared {
    steps: Cell<usize>,
    introduced: HashMap<ObjRef, usize>,
}

impl Shared {
    fn new(doc: &Document) -> Rc<Shared> {
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
fn section_size(doc: &Document, rev: usize) -> u32 {
    let own = doc.trailer_at(rev).get(b"Size");
    let merged = (0..rev).rev().find_map(|r| doc.trailer_at(r).get(b"Size"));
    own.or(merged)
        .and_then(Object::as_i64)
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0)
}

struct View<'a> {
    doc: &'a Document,
    rev: usize,
    /// The trailers up to `rev` merged, newer keys winning.
    trailer: Dictionary,
    cache: RefCell<HashMap<ObjRef, Option<Rc<Object>>>>,
    shared: Rc<Shared>,
    usages: RefCell<Option<Rc<Usages>>>,
}

impl<'a> View<'a> {
    fn new(doc: &'a Document, rev: usize, shared: &Rc<Shared>) -> View<'a> {
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
    fn step(&self) -> R<()> {
        let n = self.shared.steps.get() + 1;
        self.shared.steps.set(n);
        if n > MAX_STEPS {
            return fail("document too large to analyse");
        }
        Ok(())
    }

    fn get(&self, r: ObjRef) -> Option<Rc<Object>> {
        if let Some(o) = self.cache.borrow().get(&r) {
            return o.clone();
        }
        let o = self.doc.get_at(self.rev, r).ok().flatten().map(Rc::new);
        self.cache.borrow_mut().insert(r, o.clone());
        o
    }

    /// Follows references; missing objects are `null`, as in pyHanko.
    fn resolve(&self, o: &Object) -> Object {
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
    fn val(&self, d: &Dictionary, key: &[u8]) -> Option<Object> {
        d.get(key).map(|o| self.resolve(o))
    }

    fn size(&self) -> u32 {
        section_size(self.doc, self.rev)
    }

    fn unassignable(&self, r: ObjRef) -> bool {
        r.num >= self.size()
    }

    fn root_ref(&self) -> Option<ObjRef> {
        self.trailer.get(b"Root").and_then(Object::as_ref)
    }

    fn root(&self) -> R<Dictionary> {
        match self.trailer.get(b"Root").map(|o| self.resolve(o)) {
            Some(Object::Dictionary(d)) => Ok(d),
            _ => fail("the catalog is not a dictionary"),
        }
    }

    fn introduced(&self, r: ObjRef) -> Option<usize> {
        self.shared.introduced.get(&r).copied()
    }

    /// The newest revision whose xref section mentions `r` (pyHanko's `get_last_change`).
    fn last_change(&self, r: ObjRef) -> Option<usize> {
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
    fn new_deps(&self, o: &Object, since: usize) -> R<BTreeSet<ObjRef>> {
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

// ---------------------------------------------------------------------------------------------
// Where the signed revision uses each object: every path from the trailer (pyHanko's
// `_load_reverse_xref_cache`), so that rewriting a shared object must be justified everywhere.

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Step {
    Key(Vec<u8>),
    Index(usize),
}

type Path = Vec<Step>;

fn path(keys: &[&[u8]]) -> Path {
    keys.iter().map(|k| Step::Key(k.to_vec())).collect()
}

/// The object a relative path starts from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Anchor {
    Trailer,
    Obj(ObjRef),
}

/// One place an object is used: the absolute path, and the same seen from the nearest
/// indirect container.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Usage {
    path: Path,
    anchor: Anchor,
    rel: Path,
}

type Usages = HashMap<ObjRef, HashSet<Usage>>;

struct Walker<'v, 'a> {
    view: &'v View<'a>,
    /// Page tree nodes and their one canonical path: pages are only entered through it.
    pages: HashMap<ObjRef, Path>,
    /// Structure elements: only entered from the structure tree itself.
    structs: HashSet<ObjRef>,
    /// The objects whose uses are recorded (recording every object would cost too much).
    targets: HashSet<ObjRef>,
    out: Usages,
}

impl View<'_> {
    /// The uses that matter: of objects a later revision rewrites, and of appearance
    /// dictionaries (whose sharing is checked whether or not they are rewritten).
    fn usages(&self) -> R<Rc<Usages>> {
        if let Some(u) = self.usages.borrow().as_ref() {
            return Ok(u.clone());
        }
        let root = self.root()?;
        let mut targets = self.appearance_dicts()?;
        for rev in self.doc.revisions().iter().skip(self.rev + 1) {
            targets.extend(rev.entries.iter().filter_map(|(&num, e)| match e {
                XrefEntry::InUse { gen, .. } => Some(ObjRef::new(num, *gen)),
                XrefEntry::Compressed { .. } => Some(ObjRef::new(num, 0)),
                XrefEntry::Free { .. } => None,
            }));
        }
        let mut w = Walker {
            view: self,
            pages: HashMap::new(),
            structs: HashSet::new(),
            targets,
            out: HashMap::new(),
        };
        let pages_path = path(&[b"Root", b"Pages"]);
        if let Some(Object::Reference(p)) = root.get(b"Pages") {
            w.pages.insert(*p, pages_path.clone());
        }
        if let Some(p) = root.get(b"Pages") {
            w.page_nodes(&self.resolve(p), &pages_path, 0)?;
        }
        if let Some(s) = self.val(&root, b"StructTreeRoot") {
            w.struct_nodes(&s, 0)?;
        }
        let trailer = Object::Dictionary(self.trailer.clone());
        w.visit(
            &trailer,
            &mut Vec::new(),
            &mut Vec::new(),
            &Anchor::Trailer,
            &mut Vec::new(),
            false,
        )?;
        let u = Rc::new(w.out);
        *self.usages.borrow_mut() = Some(u.clone());
        Ok(u)
    }
}

impl View<'_> {
    /// Every indirect `/AP` value reachable from the trailer.
    fn appearance_dicts(&self) -> R<HashSet<ObjRef>> {
        let mut out = HashSet::new();
        let mut seen = HashSet::new();
        let mut stack = vec![Rc::new(Object::Dictionary(self.trailer.clone()))];
        while let Some(o) = stack.pop() {
            self.step()?;
            let children: Vec<(&[u8], &Object)> = match &*o {
                Object::Array(a) => a.iter().map(|v| (&b""[..], v)).collect(),
                other => other
                    .as_dict()
                    .map(|d| d.iter().collect())
                    .unwrap_or_default(),
            };
            for (key, child) in children {
                match child {
                    Object::Reference(r) => {
                        if key == b"AP" {
                            out.insert(*r);
                        }
                        if seen.insert(*r) {
                            stack.extend(self.get(*r));
                        }
                    }
                    Object::Array(_) | Object::Dictionary(_) => stack.push(Rc::new(child.clone())),
                    _ => {}
                }
            }
        }
        Ok(out)
    }
}

impl Walker<'_, '_> {
    fn page_nodes(&mut self, node: &Object, at: &Path, depth: usize) -> R<()> {
        let Some(kids) = node.as_dict().and_then(|d| self.view.val(d, b"Kids")) else {
            return Ok(());
        };
        for (i, kid) in kids.as_array().unwrap_or(&[]).iter().enumerate() {
            self.view.step()?;
            let mut p = at.clone();
            p.extend([Step::Key(b"Kids".to_vec()), Step::Index(i)]);
            if let Object::Reference(r) = kid {
                if self.pages.insert(*r, p.clone()).is_some() || depth > MAX_TREE {
                    return fail("page tree is circular");
                }
            }
            let kid = self.view.resolve(kid);
            if kid.as_dict().is_some_and(|d| d.name_is(b"Type", b"Pages")) {
                self.page_nodes(&kid, &p, depth + 1)?;
            }
        }
        Ok(())
    }

    fn struct_nodes(&mut self, elem: &Object, depth: usize) -> R<()> {
        let Some(k) = elem.as_dict().and_then(|d| d.get(b"K")) else {
            return Ok(());
        };
        let k = self.view.resolve(k);
        let children = match &k {
            Object::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        for child in children {
            self.view.step()?;
            let resolved = self.view.resolve(&child);
            let Some(d) = resolved.as_dict() else {
                continue;
            };
            if d.get(b"Type").is_some() && !d.name_is(b"Type", b"StructElem") {
                continue;
            }
            if let Object::Reference(r) = child {
                if !self.structs.insert(r) || depth > MAX_PATH {
                    return fail("structure tree is circular");
                }
            }
            self.struct_nodes(&resolved, depth + 1)?;
        }
        Ok(())
    }

    fn visit(
        &mut self,
        o: &Object,
        at: &mut Path,
        seen: &mut Vec<ObjRef>,
        anchor: &Anchor,
        rel: &mut Path,
        in_struct: bool,
    ) -> R<()> {
        self.view.step()?;
        // Refused rather than cut short: a use hidden deeper would go unchecked.
        if at.len() > MAX_PATH || seen.len() > MAX_PATH {
            return fail("document too large to analyse");
        }
        if let Object::Reference(r) = o {
            if seen.contains(r) {
                return Ok(());
            }
            if self.targets.contains(r) {
                let usage = Usage {
                    path: at.clone(),
                    anchor: anchor.clone(),
                    rel: rel.clone(),
                };
                self.out.entry(*r).or_default().insert(usage);
            }
            if self.pages.get(r).is_some_and(|p| p != at)
                || (!in_struct && self.structs.contains(r))
            {
                return Ok(());
            }
            let Some(target) = self.view.get(*r) else {
                return Ok(());
            };
            seen.push(*r);
            let result = self.visit(
                &target,
                at,
                seen,
                &Anchor::Obj(*r),
                &mut Vec::new(),
                in_struct,
            );
            seen.pop();
            return result;
        }
        match o {
            Object::Dictionary(_) | Object::Stream(_) => {
                let Some(d) = o.as_dict() else { return Ok(()) };
                let at_struct_root =
                    at.as_slice() == path(&[b"Root", b"StructTreeRoot"]).as_slice();
                for (k, v) in d.iter() {
                    if k == b"Parent" || (in_struct && k == b"P") {
                        continue;
                    }
                    let into_struct = in_struct || (at_struct_root && k == b"K");
                    at.push(Step::Key(k.to_vec()));
                    rel.push(Step::Key(k.to_vec()));
                    let r = self.visit(v, at, seen, anchor, rel, into_struct);
                    at.pop();
                    rel.pop();
                    r?;
                }
            }
            Object::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    at.push(Step::Index(i));
                    rel.push(Step::Index(i));
                    let r = self.visit(v, at, seen, anchor, rel, in_struct);
                    at.pop();
                    rel.pop();
                    r?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Approvals: a rule clears an object at a level, for one use (path), for all uses seen from a
// container (relative), or everywhere (blanket).

#[derive(Clone, Debug)]
enum Context {
    Blanket,
    Path(Path),
    Relative(Anchor, Path),
}

#[derive(Clone, Debug)]
struct Approval {
    level: Modifications,
    object: ObjRef,
    context: Context,
    /// The form field the change belongs to, and whether it is fine even if that field is
    /// locked (`FormUpdate.valid_when_locked`).
    field: Option<(String, bool)>,
    /// False for changes a certification signature forbids (new visible signature fields).
    certify_ok: bool,
}

/// The comparison of one revision with the signed one.
struct Cx<'v, 'a> {
    old: &'v View<'a>,
    new: &'v View<'a>,
    out: Vec<Approval>,
}

impl Cx<'_, '_> {
    fn ok(&mut self, level: Modifications, object: ObjRef, context: Context) {
        self.out.push(Approval {
            level,
            object,
            context,
            field: None,
            certify_ok: true,
        });
    }

    fn field_ok(
        &mut self,
        level: Modifications,
        object: ObjRef,
        context: Context,
        name: &str,
        locked_ok: bool,
    ) {
        self.out.push(Approval {
            level,
            object,
            context,
            field: Some((name.to_owned(), locked_ok)),
            certify_ok: true,
        });
    }

    /// Objects introduced after the signed revision.
    fn since(&self) -> usize {
        self.old.rev + 1
    }
}

/// Reviews one revision: `Ok` with its level and the object that decided it.
fn review(old: &View, new: &View, locks: &Locks) -> R<(Modifications, ObjRef, &'static str)> {
    let doc = new.doc;
    let Some(revision) = doc.revisions().get(new.rev) else {
        return fail("no such revision");
    };
    let mut explicit = BTreeSet::new();
    for (&num, e) in &revision.entries {
        match *e {
            _ if num == 0 => {}
            XrefEntry::InUse { gen, .. } => {
                explicit.insert(ObjRef::new(num, gen));
            }
            XrefEntry::Compressed { .. } => {
                explicit.insert(ObjRef::new(num, 0));
            }
            XrefEntry::Free { gen } if gen > 0 => {
                return Err(Suspicious(
                    "an object was freed",
                    Some(ObjRef::new(num, gen - 1)),
                ));
            }
            // "Freeing" generation -1: meaningless, cleared only if the number is new.
            XrefEntry::Free { .. } => {
                if num < section_size(doc, new.rev - 1) {
                    return Err(Suspicious("an object was freed", Some(ObjRef::new(num, 0))));
                }
            }
        }
    }

    // What the signed revision used where (only objects rewritten now matter).
    let usages = old.usages()?;
    let mut pending: HashMap<ObjRef, (Modifications, HashSet<Usage>)> = explicit
        .iter()
        .filter_map(|r| {
            usages
                .get(r)
                .map(|u| (*r, (Modifications::None, u.clone())))
        })
        .collect();
    let mut explained: BTreeMap<ObjRef, Modifications> = BTreeMap::new();
    let mut explain = |r: ObjRef, l: Modifications| {
        let e = explained.entry(r).or_insert(l);
        *e = (*e).min(l);
    };
    for r in orphans(new, &explicit)? {
        explain(r, Modifications::Ltv);
    }

    // Rewritten objects some rule cleared for some of their uses but not all.
    let mut partly = BTreeSet::new();
    let mut cx = Cx {
        old,
        new,
        out: Vec::new(),
    };
    catalog_rule(&mut cx)?;
    info_rule(&mut cx)?;
    stream_rules(&mut cx)?;
    dss_rule(&mut cx)?;
    metadata_rule(&mut cx)?;
    form_rule(&mut cx)?;

    for a in cx.out {
        if let (Some((name, false)), Some(lock)) = (&a.field, &locks.fields) {
            if lock.locks(name) {
                return Err(Suspicious(
                    "a locked form field was changed",
                    Some(a.object),
                ));
            }
        }
        if locks.certifying && !a.certify_ok {
            return Err(Suspicious(
                "a visible signature field was added after a certification signature",
                Some(a.object),
            ));
        }
        let mut level = a.level;
        if let Some((max, uses)) = pending.get_mut(&a.object) {
            match &a.context {
                Context::Blanket => uses.clear(),
                Context::Relative(anchor, rel) => {
                    uses.retain(|u| (&u.anchor, &u.rel) != (anchor, rel))
                }
                Context::Path(p) => uses.retain(|u| &u.path != p),
            }
            *max = (*max).max(level);
            level = *max;
            if !uses.is_empty() {
                partly.insert(a.object);
                continue; // still used somewhere no rule looked at
            }
        }
        explain(a.object, level);
    }

    let mut worst = (
        Modifications::Ltv,
        ObjRef::new(0, 0),
        "validation data or document timestamp",
    );
    for r in explicit {
        let level = match explained.get(&r) {
            Some(Modifications::Ltv) => Modifications::Ltv,
            _ if identical(old, new, r) => Modifications::Ltv,
            Some(l) => *l,
            None => {
                let why = if partly.contains(&r) {
                    "an object the signed revision also uses elsewhere was changed"
                } else {
                    "a change no rule allows"
                };
                return Err(Suspicious(why, Some(r)));
            }
        };
        if level > worst.0 {
            worst = (level, r, level_reason(level));
        }
    }
    Ok(worst)
}

fn level_reason(l: Modifications) -> &'static str {
    match l {
        Modifications::FormFilling => "signature or form field filled",
        Modifications::Annotations => "annotation",
        _ => "validation data or document timestamp",
    }
}

/// New objects that neither the trailer nor a rewritten object reaches (through other new
/// objects): harmless leftovers such as the xref stream itself (`_find_orphans`).
fn orphans(new: &View, explicit: &BTreeSet<ObjRef>) -> R<BTreeSet<ObjRef>> {
    let prev_size = section_size(new.doc, new.rev - 1);
    let (mut candidates, updated): (BTreeSet<ObjRef>, Vec<ObjRef>) = (
        explicit
            .iter()
            .filter(|r| r.num >= prev_size)
            .copied()
            .collect(),
        explicit
            .iter()
            .filter(|r| r.num < prev_size)
            .copied()
            .collect(),
    );
    let trailer = Object::Dictionary(new.trailer.clone());
    let objects = std::iter::once(Some(trailer))
        .chain(updated.iter().map(|r| new.get(*r).map(|o| (*o).clone())));
    for o in objects.flatten() {
        if candidates.is_empty() {
            break;
        }
        for r in new.new_deps(&o, new.rev)? {
            candidates.remove(&r);
        }
    }
    Ok(candidates)
}

/// Rewritten with the same content (`ignore_identical_objects`).
fn identical(old: &View, new: &View, r: ObjRef) -> bool {
    match (old.get(r), new.get(r)) {
        (Some(a), Some(b)) => same(&a, &b),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the rules (pyHanko's `commons`).

/// Equal as PDF objects: dictionaries compare by key, not by the order of their entries.
fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Dictionary(x), Object::Dictionary(y)) => same_entries(x, y),
        (Object::Stream(x), Object::Stream(y)) => {
            x.data == y.data && same_entries(&x.dict, &y.dict)
        }
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        _ => a == b,
    }
}

fn same_entries(x: &Dictionary, y: &Dictionary) -> bool {
    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
}

fn same_opt(a: Option<&Object>, b: Option<&Object>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

fn is_stream(o: &Object) -> bool {
    matches!(o, Object::Stream(_))
}

/// Same keys (apart from `ignored`) with the same raw values (`compare_dicts`).
fn same_dicts(old: &Object, new: &Object, ignored: &[&[u8]]) -> R<bool> {
    let (Object::Dictionary(o), Object::Dictionary(n)) = (old, new) else {
        return fail("a dictionary was replaced by something else");
    };
    let keys = |d: &Dictionary| -> BTreeSet<Vec<u8>> {
        d.iter()
            .map(|(k, _)| k.to_vec())
            .filter(|k| !ignored.contains(&k.as_slice()))
            .collect()
    };
    let (ko, kn) = (keys(o), keys(n));
    Ok(ko == kn && kn.iter().all(|k| same_opt(o.get(k), n.get(k))))
}

fn compare_dicts(old: &Object, new: &Object, ignored: &[&[u8]], why: &'static str) -> R<()> {
    if same_dicts(old, new, ignored)? {
        Ok(())
    } else {
        fail(why)
    }
}

/// A rewritten reference may keep its object (a non-stream) or point to a brand-new object,
/// never to another existing one (`safe_whitelist`).
fn safe_ref(cx: &Cx, old_ref: Option<ObjRef>, new_ref: ObjRef) -> R<ObjRef> {
    if let Some(o) = old_ref {
        if cx.old.get(o).is_some_and(|x| is_stream(&x)) {
            return fail("a stream was overwritten");
        }
    }
    if old_ref == Some(new_ref) {
        if cx.new.get(new_ref).is_some_and(|x| is_stream(&x)) {
            return fail("a stream was overwritten");
        }
        Ok(new_ref)
    } else if cx.old.unassignable(new_ref) {
        Ok(new_ref)
    } else {
        Err(Suspicious(
            "an update reuses an existing object",
            Some(new_ref),
        ))
    }
}

/// One entry in its old and new form, resolved.
struct Entry {
    old: Option<Object>,
    new: Option<Object>,
    /// The new indirect value, when it may be cleared.
    approved: Option<ObjRef>,
}

/// An entry may be added or changed but not deleted; a new indirect value must be safe
/// (`compare_key_refs`).
fn compare_key(cx: &Cx, key: &[u8], old: &Dictionary, new: &Dictionary) -> R<Entry> {
    let old_raw = old.get(key);
    let old_ref = old_raw.and_then(Object::as_ref);
    let old_val = old_raw.map(|o| cx.old.resolve(o));
    let Some(new_raw) = new.get(key) else {
        if old_val.is_some() {
            return fail("an entry was deleted");
        }
        return Ok(Entry {
            old: None,
            new: None,
            approved: None,
        });
    };
    let approved = match new_raw.as_ref() {
        Some(r) => Some(safe_ref(cx, old_ref, r)?),
        None => None,
    };
    Ok(Entry {
        old: old_val,
        new: Some(cx.new.resolve(new_raw)),
        approved,
    })
}

// ---------------------------------------------------------------------------------------------
// Document-level rules, all at the LTV level.

const ROOT_EXEMPT: [&[u8]; 6] = [
    b"AcroForm",
    b"DSS",
    b"Extensions",
    b"Metadata",
    b"MarkInfo",
    b"Version",
];

/// [CatalogModificationRule]
fn catalog_rule(cx: &mut Cx) -> R<()> {
    let (old, new) = (cx.old.root()?, cx.new.root()?);
    compare_dicts(
        &Object::Dictionary(old.clone()),
        &Object::Dictionary(new.clone()),
        &ROOT_EXEMPT,
        "the catalog was changed",
    )?;
    for key in [&b"Extensions"[..], b"MarkInfo"] {
        if let Some(r) = compare_key(cx, key, &old, &new)?.approved {
            cx.ok(Modifications::Ltv, r, Context::Path(path(&[b"Root", key])));
        }
    }
    if let Some(r) = cx.new.root_ref() {
        cx.ok(Modifications::Ltv, r, Context::Blanket);
    }
    Ok(())
}

/// [DocInfoRule]
fn info_rule(cx: &mut Cx) -> R<()> {
    let Some(new) = cx.new.trailer.get(b"Info").and_then(Object::as_ref) else {
        return Ok(());
    };
    let old = cx.old.trailer.get(b"Info").and_then(Object::as_ref);
    let r = safe_ref(cx, old, new)?;
    cx.ok(Modifications::Ltv, r, Context::Path(path(&[b"Info"])));
    Ok(())
}

/// [XrefStreamRule, ObjectStreamRule]: new cross-reference and object streams.
fn stream_rules(cx: &mut Cx) -> R<()> {
    let doc = cx.new.doc;
    let Some(rev) = doc.revisions().get(cx.new.rev) else {
        return Ok(());
    };
    let mut streams: BTreeSet<ObjRef> = rev
        .entries
        .values()
        .filter_map(|e| match e {
            XrefEntry::Compressed { stream, .. } => Some(ObjRef::new(*stream, 0)),
            _ => None,
        })
        .collect();
    if matches!(rev.kind, XrefKind::Stream) {
        if let Ok((r, _)) = signet_pdf::parser::object_header(doc.bytes(), rev.xref_offset) {
            streams.insert(r);
        }
    }
    for r in streams.into_iter().filter(|r| cx.old.unassignable(*r)) {
        cx.ok(Modifications::Ltv, r, Context::Blanket);
    }
    Ok(())
}

/// [DSSCompareRule] The DSS may gain certificates, CRLs, OCSP responses and VRI entries in a
/// rigid structure; existing VRI entries may not change.
fn dss_rule(cx: &mut Cx) -> R<()> {
    let (old_root, new_root) = (cx.old.root()?, cx.new.root()?);
    let dss_path = path(&[b"Root", b"DSS"]);
    let e = compare_key(cx, b"DSS", &old_root, &new_root)?;
    if let Some(r) = e.approved {
        cx.ok(Modifications::Ltv, r, Context::Path(dss_path.clone()));
    }
    let Some(new) = e.new else { return Ok(()) };
    let old = match e.old {
        Some(Object::Dictionary(d)) => d,
        None => Dictionary::new(),
        Some(_) => return fail("the signed revision's DSS is not a dictionary"),
    };
    let Some(new) = new.as_dict().cloned() else {
        return fail("the DSS is not a dictionary");
    };
    if new
        .iter()
        .any(|(k, _)| !matches!(k, b"Type" | b"VRI" | b"Certs" | b"CRLs" | b"OCSPs"))
    {
        return fail("unexpected keys in the DSS");
    }
    der_arrays(cx, &old, &new, &[b"Certs", b"CRLs", b"OCSPs"], &dss_path)?;

    let mut vri_path = dss_path.clone();
    vri_path.push(Step::Key(b"VRI".to_vec()));
    let v = compare_key(cx, b"VRI", &old, &new)?;
    if let Some(r) = v.approved {
        cx.ok(Modifications::Ltv, r, Context::Path(vri_path.clone()));
    }
    let Some(new_vri) = v.new else { return Ok(()) };
    let Object::Dictionary(new_vri) = new_vri else {
        return fail("/VRI is not a dictionary");
    };
    let old_vri = match v.old {
        Some(Object::Dictionary(d)) => d,
        None => Dictionary::new(),
        Some(_) => return fail("the signed revision's /VRI is not a dictionary"),
    };
    for (k, old_value) in old_vri.iter() {
        if !same_opt(new_vri.get(k), Some(old_value)) {
            return fail("a VRI entry was modified or deleted");
        }
    }
    for (k, raw) in new_vri.iter().filter(|(k, _)| !old_vri.contains(k)) {
        let well_formed = k.len() >= 40
            && k[..40]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !well_formed {
            return fail("a VRI key is not a hash");
        }
        if let Some(r) = raw.as_ref().filter(|r| cx.old.unassignable(*r)) {
            cx.ok(Modifications::Ltv, r, Context::Blanket);
        }
        let Object::Dictionary(entry) = cx.new.resolve(raw) else {
            return fail("a VRI entry is not a dictionary");
        };
        if entry
            .iter()
            .any(|(k, _)| !matches!(k, b"Type" | b"TU" | b"TS" | b"Cert" | b"CRL" | b"OCSP"))
        {
            return fail("unexpected keys in a VRI entry");
        }
        let mut p = vri_path.clone();
        p.push(Step::Key(k.to_vec()));
        der_arrays(
            cx,
            &Dictionary::new(),
            &entry,
            &[b"Cert", b"CRL", b"OCSP"],
            &p,
        )?;
        if let Some(ts) = entry.get(b"TS").and_then(Object::as_ref) {
            if cx.old.unassignable(ts) {
                cx.ok(Modifications::Ltv, ts, Context::Blanket);
            }
        }
    }
    Ok(())
}

/// The DER arrays of the DSS or of a VRI entry: arrays of stream references; everything new
/// under them is cleared (`_validate_dss_substructure`).
fn der_arrays(cx: &mut Cx, old: &Dictionary, new: &Dictionary, keys: &[&[u8]], at: &Path) -> R<()> {
    let streams_only = |v: &View, o: &Object| {
        v.resolve(o).as_array().is_some_and(|a| {
            a.iter().all(|x| {
                x.as_ref()
                    .and_then(|r| v.get(r))
                    .is_some_and(|s| is_stream(&s))
            })
        })
    };
    for key in keys {
        let Some(value) = new.get(key) else { continue };
        if !streams_only(cx.new, value) {
            return fail("DSS arrays must hold stream references");
        }
        let mut p = at.clone();
        p.push(Step::Key(key.to_vec()));
        if let (Some(new_ref), Some(old_value)) = (value.as_ref(), old.get(key)) {
            if let Some(old_ref) = old_value.as_ref() {
                let r = safe_ref(cx, Some(old_ref), new_ref)?;
                cx.ok(Modifications::Ltv, r, Context::Path(p.clone()));
            }
            if !streams_only(cx.old, old_value) {
                return fail("the signed revision's DSS arrays are malformed");
            }
        }
        for r in cx.new.new_deps(value, cx.since())? {
            cx.ok(Modifications::Ltv, r, Context::Path(p.clone()));
        }
    }
    Ok(())
}

/// [MetadataUpdateRule] The XMP stream may be replaced by another XMP stream.
fn metadata_rule(cx: &mut Cx) -> R<()> {
    let metadata = |root: &Dictionary| -> R<Option<ObjRef>> {
        match root.get(b"Metadata") {
            None => Ok(None),
            Some(Object::Reference(r)) => Ok(Some(*r)),
            Some(_) => fail("/Metadata must be an indirect reference"),
        }
    };
    let Some(new) = metadata(&cx.new.root()?)? else {
        return Ok(());
    };
    if !is_xmp(cx.new, new) {
        return fail("the new metadata is not XMP");
    }
    let old = metadata(&cx.old.root()?)?;
    if old.is_some_and(|o| !is_xmp(cx.old, o)) {
        return fail("the signed revision's metadata is not XMP");
    }
    if old == Some(new) || cx.old.unassignable(new) {
        cx.ok(
            Modifications::Ltv,
            new,
            Context::Path(path(&[b"Root", b"Metadata"])),
        );
    }
    Ok(())
}

/// A stream of UTF-8 XML whose root element is `adobe:ns:meta/`'s `xmpmeta`, without entity
/// declarations (pyHanko parses it with lxml; this checks what that check is for).
fn is_xmp(v: &View, r: ObjRef) -> bool {
    let Some(Object::Stream(s)) = v.get(r).as_deref().cloned() else {
        return false;
    };
    let Ok(data) = s.decoded() else { return false };
    let Ok(text) = std::str::from_utf8(&data) else {
        return false;
    };
    if text.contains("<!ENTITY") {
        return false;
    }
    // Skip the prolog: BOM, whitespace, processing instructions, comments, doctype.
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        let close = if rest.starts_with("<?") {
            "?>"
        } else if rest.starts_with("<!--") {
            "-->"
        } else if rest.starts_with("<!") {
            ">"
        } else {
            break;
        };
        match rest.find(close) {
            Some(i) => rest = &rest[i + close.len()..],
            None => return false,
        }
    }
    let Some(tag) = rest.strip_prefix('<') else {
        return false;
    };
    let end = tag.find('>').unwrap_or(tag.len());
    let start_tag = &tag[..end];
    let name = start_tag
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("");
    let (prefix, local) = name.split_once(':').unwrap_or(("", name));
    let xmlns = if prefix.is_empty() {
        "xmlns".to_owned()
    } else {
        format!("xmlns:{prefix}")
    };
    local == "xmpmeta"
        && [
            format!("{xmlns}=\"adobe:ns:meta/\""),
            format!("{xmlns}='adobe:ns:meta/'"),
        ]
        .iter()
        .any(|a| start_tag.contains(a.as_str()))
        && (start_tag.ends_with('/') || text.contains(&format!("</{name}")))
}

// ---------------------------------------------------------------------------------------------
// The form [FormUpdatingRule and its field rules].

const ACROFORM_EXEMPT: [&[u8]; 5] = [b"Fields", b"DR", b"DA", b"Q", b"NeedAppearances"];
/// Keys a form field may change when its value is filled in (`VALUE_UPDATE_KEYS`).
const VALUE_UPDATE_KEYS: [&[u8]; 8] = [b"Ff", b"Type", b"AP", b"AS", b"V", b"F", b"DA", b"Q"];
/// Keys that may change even on a locked field (`FORMFIELD_ALWAYS_MODIFIABLE`).
const ALWAYS_MODIFIABLE: [&[u8]; 2] = [b"Ff", b"Type"];

/// One form field (by fully qualified name) in the signed and the newer revision.
struct Spec {
    name: String,
    /// `/FT`, inherited from the parent when absent.
    ft: Option<Object>,
    old_ref: Option<ObjRef>,
    new_ref: Option<ObjRef>,
    /// Where the signed revision lists it: `/Root/AcroForm/Fields/i(/Kids/j)*`.
    old_path: Option<Path>,
}

impl Spec {
    fn is_sig(&self) -> bool {
        self.ft.as_ref().and_then(Object::as_name) == Some(b"Sig")
    }
}

fn form_rule(cx: &mut Cx) -> R<()> {
    let (old_root, new_root) = (cx.old.root()?, cx.new.root()?);
    let af_path = path(&[b"Root", b"AcroForm"]);
    let af = compare_key(cx, b"AcroForm", &old_root, &new_root)?;
    if let Some(r) = af.approved {
        cx.ok(Modifications::Ltv, r, Context::Path(af_path));
    }
    let (Some(old_af), Some(new_af)) = (af.old, af.new) else {
        return fail("no form in the signed revision");
    };
    compare_dicts(
        &old_af,
        &new_af,
        &ACROFORM_EXEMPT,
        "the form dictionary was changed",
    )?;
    let (Object::Dictionary(old_af), Object::Dictionary(new_af)) = (old_af, new_af) else {
        return fail("the form is not a dictionary");
    };
    let fields_path = path(&[b"Root", b"AcroForm", b"Fields"]);
    let fields = compare_key(cx, b"Fields", &old_af, &new_af)?;
    if let Some(r) = fields.approved {
        cx.ok(Modifications::Ltv, r, Context::Path(fields_path.clone()));
    }
    // Acrobat touches the default resources; what is new under them is form filling.
    let dr = compare_key(cx, b"DR", &old_af, &new_af)?;
    if let Some(r) = dr.approved {
        cx.ok(
            Modifications::FormFilling,
            r,
            Context::Path(path(&[b"Root", b"AcroForm", b"DR"])),
        );
    }
    if let Some(new_dr) = &dr.new {
        for r in cx.new.new_deps(new_dr, cx.since())? {
            cx.ok(Modifications::FormFilling, r, Context::Blanket);
        }
    }
    let mut specs = Vec::new();
    list_fields(
        cx,
        fields.old.as_ref(),
        fields.new.as_ref(),
        Some(fields_path),
        "",
        None,
        0,
        &mut specs,
    )?;
    sig_field_creation(cx, &specs)?;
    for spec in &specs {
        if spec.is_sig() {
            sig_field_modification(cx, spec)?;
        } else {
            generic_field_modification(cx, spec)?;
        }
    }
    Ok(())
}

/// A field list's named fields: name → (`/FT`, reference, resolved `/Kids`, index).
type Listed = BTreeMap<String, (Option<Object>, ObjRef, Option<Object>, usize)>;

fn make_list(v: &View, list: Option<&Object>) -> R<Listed> {
    let Some(Object::Array(list)) = list else {
        return fail("a field list is not an array");
    };
    let mut out = Listed::new();
    for (i, item) in list.iter().enumerate() {
        v.step()?; // shared kids could make the tree exponential
        let Some(r) = item.as_ref() else {
            return fail("form fields must be indirect objects");
        };
        let Some(Object::Dictionary(field)) = v.get(r).as_deref().cloned() else {
            return fail("form fields must be dictionaries");
        };
        let Some(name) = field.get(b"T") else {
            continue;
        };
        let Some(name) = name.as_str_bytes().map(decode_text) else {
            return fail("field names must be strings");
        };
        if name.contains('.') {
            return fail("partial field names must not contain periods");
        }
        let ft = field.get(b"FT").cloned();
        let kids = v.val(&field, b"Kids");
        if out.insert(name, (ft, r, kids, i)).is_some() {
            return fail("duplicate field name");
        }
    }
    Ok(out)
}

fn non_empty(kids: &Option<Object>) -> bool {
    match kids {
        None => false,
        Some(Object::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// Pairs up the fields of both revisions by fully qualified name (`_list_fields`).
#[allow(clippy::too_many_arguments)]
fn list_fields(
    cx: &Cx,
    old: Option<&Object>,
    new: Option<&Object>,
    old_path: Option<Path>,
    parent: &str,
    inherited_ft: Option<&Object>,
    depth: usize,
    out: &mut Vec<Spec>,
) -> R<()> {
    if depth > MAX_TREE {
        return fail("form field tree too deep");
    }
    let old = make_list(cx.old, old)?;
    let new = make_list(cx.new, new)?;
    for (ft, _, kids, _) in old.values().chain(new.values()) {
        if ft.is_none() && !non_empty(kids) && inherited_ft.is_none() {
            return fail("a terminal field has no type");
        }
    }
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        let o = old.get(name);
        let n = new.get(name);
        let own_ft = |e: Option<&(Option<Object>, ObjRef, Option<Object>, usize)>| {
            e.and_then(|x| x.0.clone())
                .or_else(|| inherited_ft.cloned())
        };
        let (old_ft, new_ft) = (own_ft(o), own_ft(n));
        if o.is_some() && n.is_some() && old_ft != new_ft {
            return fail("a field's type was changed");
        }
        let ft = old_ft.or(new_ft);
        let fq = if parent.is_empty() {
            name.clone()
        } else {
            format!("{parent}.{name}")
        };
        let field_path = match (o, &old_path) {
            (Some(o), Some(p)) => {
                let mut p = p.clone();
                p.push(Step::Index(o.3));
                Some(p)
            }
            _ => None,
        };
        let old_kids = o.and_then(|x| x.2.clone());
        let new_kids = n.and_then(|x| x.2.clone());
        out.push(Spec {
            name: fq.clone(),
            ft: ft.clone(),
            old_ref: o.map(|x| x.1),
            new_ref: n.map(|x| x.1),
            old_path: field_path.clone(),
        });
        if non_empty(&old_kids) || non_empty(&new_kids) {
            let empty = Object::Array(Vec::new());
            let kids_path = field_path.map(|mut p| {
                p.push(Step::Key(b"Kids".to_vec()));
                p
            });
            list_fields(
                cx,
                Some(old_kids.as_ref().unwrap_or(&empty)),
                Some(new_kids.as_ref().unwrap_or(&empty)),
                kids_path,
                &fq,
                ft.as_ref(),
                depth + 1,
                out,
            )?;
        }
    }
    Ok(())
}

/// Where the signed revision was expected to use a field: its place in the field tree, on
/// pages' `/Annots`, in the structure tree (`expected_contexts`).
fn expected_contexts(cx: &Cx, spec: &Spec) -> R<Vec<Context>> {
    let Some(old_ref) = spec.old_ref else {
        return Ok(Vec::new());
    };
    let usages = cx.old.usages()?;
    let uses: Vec<&Usage> = usages
        .get(&old_ref)
        .map(|u| u.iter().collect())
        .unwrap_or_default();
    let key = |s: &Step, k: &[u8]| matches!(s, Step::Key(x) if x == k);
    let on_page = |p: &Path| -> bool {
        if p.len() < 6 || !key(&p[0], b"Root") || !key(&p[1], b"Pages") {
            return false;
        }
        let mut i = 2;
        let mut descended = false;
        while i + 1 < p.len() && key(&p[i], b"Kids") && matches!(p[i + 1], Step::Index(_)) {
            descended = true;
            i += 2;
        }
        descended && i + 2 == p.len() && key(&p[i], b"Annots") && matches!(p[i + 1], Step::Index(_))
    };
    let mut out: Vec<Context> = uses
        .iter()
        .filter(|u| on_page(&u.path))
        .map(|u| Context::Path(u.path.clone()))
        .collect();
    if cx.old.root()?.contains(b"StructTreeRoot") {
        let in_struct = uses.iter().find(|u| {
            let p = &u.path;
            p.len() >= 5
                && key(&p[0], b"Root")
                && key(&p[1], b"StructTreeRoot")
                && key(&p[2], b"K")
                && key(&p[p.len() - 2], b"K")
                && key(&p[p.len() - 1], b"Obj")
        });
        out.extend(in_struct.map(|u| Context::Path(u.path.clone())));
    }
    out.extend(spec.old_path.clone().map(Context::Path));
    Ok(out)
}

fn dict_of(v: &View, r: ObjRef) -> R<Dictionary> {
    match v.get(r).as_deref() {
        Some(Object::Dictionary(d)) => Ok(d.clone()),
        _ => Err(Suspicious("a form field is not a dictionary", Some(r))),
    }
}

fn rect_area(v: &View, d: &Dictionary) -> f64 {
    let Some(Object::Array(r)) = v.val(d, b"Rect") else {
        return 0.0;
    };
    let n: Vec<f64> = r.iter().filter_map(|x| v.resolve(x).as_f64()).collect();
    match n.as_slice() {
        [x1, y1, x2, y2] => ((x1 - x2) * (y1 - y2)).abs(),
        _ => 0.0,
    }
}

/// A field (or one of its widgets) with a non-empty `/Rect`.
fn is_visible(v: &View, field: &Dictionary) -> bool {
    if rect_area(v, field) != 0.0 {
        return true;
    }
    match v.val(field, b"Kids") {
        Some(Object::Array(kids)) => kids.iter().any(|k| {
            v.resolve(k)
                .as_dict()
                .is_some_and(|d| rect_area(v, d) != 0.0)
        }),
        _ => false,
    }
}

/// [SigFieldCreationRule] No field may disappear, only signature fields may appear; a new
/// one is LTV when invisible, form filling otherwise, and its widgets may join pages' `/Annots`.
fn sig_field_creation(cx: &mut Cx, specs: &[Spec]) -> R<()> {
    if specs
        .iter()
        .any(|s| s.old_ref.is_some() && s.new_ref.is_none())
    {
        return fail("a form field was deleted");
    }
    if specs.iter().any(|s| s.old_ref.is_none() && !s.is_sig()) {
        return fail("a form field other than a signature field was added");
    }
    let since = cx.since();
    let mut widgets: HashMap<ObjRef, String> = HashMap::new();
    let new_fields: Vec<(&str, ObjRef)> = specs
        .iter()
        .filter(|s| s.old_ref.is_none())
        .filter_map(|s| s.new_ref.map(|r| (s.name.as_str(), r)))
        .collect();
    for &(name, r) in &new_fields {
        let field = dict_of(cx.new, r)?;
        let visible = is_visible(cx.new, &field);
        let level = if visible {
            Modifications::FormFilling
        } else {
            Modifications::Ltv
        };
        if cx.old.unassignable(r) {
            cx.out.push(Approval {
                level,
                object: r,
                context: Context::Blanket,
                field: Some((name.to_owned(), !visible)),
                certify_ok: !visible,
            });
        }
        for key in [&b"AP"[..], b"Lock", b"SV"] {
            if let Some(raw) = field.get(key) {
                for d in cx.new.new_deps(raw, since)? {
                    cx.field_ok(Modifications::FormFilling, d, Context::Blanket, name, false);
                }
            }
        }
        let Some(kids_raw) = field.get(b"Kids") else {
            widgets.insert(r, name.to_owned()); // the field is its own widget
            continue;
        };
        if let Some(k) = kids_raw.as_ref().filter(|k| cx.old.unassignable(*k)) {
            cx.field_ok(level, k, Context::Blanket, name, !visible);
        }
        let Object::Array(kids) = cx.new.resolve(kids_raw) else {
            return fail("/Kids is not an array");
        };
        for kid in kids {
            let Some(kid) = kid.as_ref() else {
                return fail("/Kids holds direct objects");
            };
            let kid_dict = dict_of(cx.new, kid)?;
            if kid_dict.contains(b"T") {
                continue; // a child field, listed on its own
            }
            widgets.insert(kid, name.to_owned());
            if cx.old.unassignable(kid) {
                cx.field_ok(level, kid, Context::Blanket, name, !visible);
            }
            if let Some(raw) = kid_dict.get(b"AP") {
                for d in cx.new.new_deps(raw, since)? {
                    cx.field_ok(Modifications::FormFilling, d, Context::Blanket, name, false);
                }
            }
        }
    }
    if new_fields.is_empty() {
        return Ok(());
    }
    let old_pages = cx.old.root()?.get(b"Pages").map(|p| cx.old.resolve(p));
    let new_pages = cx.new.root()?.get(b"Pages").map(|p| cx.new.resolve(p));
    let (Some(Object::Dictionary(o)), Some(Object::Dictionary(n))) = (old_pages, new_pages) else {
        return fail("no page tree");
    };
    page_tree_annots(cx, &o, &n, &widgets, &mut Vec::new())
}

fn kid_refs(v: &View, node: &Dictionary) -> R<Vec<ObjRef>> {
    let Some(Object::Array(kids)) = v.val(node, b"Kids") else {
        return fail("a page tree node has no /Kids");
    };
    kids.iter()
        .map(|k| {
            k.as_ref()
                .ok_or(Suspicious("/Kids holds direct objects", None))
        })
        .collect()
}

/// A page's `/Annots` as a set of references, and the array's own reference if indirect.
fn annots_of(v: &View, page: &Dictionary) -> R<Option<(BTreeSet<ObjRef>, Option<ObjRef>)>> {
    let Some(raw) = page.get(b"Annots") else {
        return Ok(None);
    };
    let Object::Array(a) = v.resolve(raw) else {
        return fail("/Annots is not an array");
    };
    let refs = a
        .iter()
        .map(|x| {
            x.as_ref()
                .ok_or(Suspicious("/Annots holds direct objects", None))
        })
        .collect::<R<BTreeSet<ObjRef>>>()?;
    Ok(Some((refs, raw.as_ref())))
}

/// Pages may only gain the widgets of new signature fields (`_walk_page_tree_annots`).
fn page_tree_annots(
    cx: &mut Cx,
    old: &Dictionary,
    new: &Dictionary,
    widgets: &HashMap<ObjRef, String>,
    seen: &mut Vec<ObjRef>,
) -> R<()> {
    let old_kids = kid_refs(cx.old, old)?;
    if kid_refs(cx.new, new)? != old_kids {
        return fail("the page tree was changed");
    }
    for kid in old_kids {
        cx.new.step()?;
        if seen.contains(&kid) || seen.len() > MAX_TREE {
            return fail("page tree is circular");
        }
        let (old_kid, new_kid) = (dict_of(cx.old, kid)?, dict_of(cx.new, kid)?);
        if old_kid.name_is(b"Type", b"Pages") {
            seen.push(kid);
            page_tree_annots(cx, &old_kid, &new_kid, widgets, seen)?;
            seen.pop();
            continue;
        }
        if !old_kid.name_is(b"Type", b"Page") {
            continue;
        }
        let Some((new_annots, new_ref)) = annots_of(cx.new, &new_kid)? else {
            continue;
        };
        let (old_annots, old_ref) = annots_of(cx.old, &old_kid)?.unwrap_or_default();
        if old_annots == new_annots {
            continue;
        }
        if !old_annots.is_subset(&new_annots) {
            return fail("annotations were deleted");
        }
        let added: Vec<&ObjRef> = new_annots.difference(&old_annots).collect();
        if added.iter().any(|a| !widgets.contains_key(a)) {
            return fail("annotations were added that are not new signature widgets");
        }
        compare_dicts(
            &Object::Dictionary(old_kid.clone()),
            &Object::Dictionary(new_kid.clone()),
            &[b"Annots"],
            "a page was changed",
        )?;
        let field = match added.as_slice() {
            [one] => widgets.get(one).map(|n| (n.clone(), true)),
            _ => None,
        };
        let mut page_ok = Approval {
            level: Modifications::Ltv,
            object: kid,
            context: Context::Blanket,
            field,
            certify_ok: true,
        };
        cx.out.push(page_ok.clone());
        if let Some(r) = new_ref.filter(|r| old_ref == Some(*r) || cx.old.unassignable(*r)) {
            page_ok.object = r;
            page_ok.context = Context::Relative(Anchor::Obj(kid), path(&[b"Annots"]));
            cx.out.push(page_ok);
        }
    }
    Ok(())
}

/// Compares a field's dictionaries: only value keys may change; returns whether only keys
/// that may change on a locked field changed (`compare_fields`).
fn compare_fields(old: &Dictionary, new: &Dictionary) -> R<bool> {
    let (o, n) = (
        Object::Dictionary(old.clone()),
        Object::Dictionary(new.clone()),
    );
    compare_dicts(
        &o,
        &n,
        &VALUE_UPDATE_KEYS,
        "a form field was changed beyond its value",
    )?;
    match (old.get(b"Type"), new.get(b"Type")) {
        (None, Some(t)) if t.as_name() != Some(b"Annot") => {
            return fail("a form field's /Type was set")
        }
        (Some(a), Some(b)) if !same(a, b) => return fail("a form field's /Type was changed"),
        (Some(_), None) => return fail("a form field's /Type was deleted"),
        _ => {}
    }
    same_dicts(&o, &n, &ALWAYS_MODIFIABLE)
}

/// [SigFieldModificationRule] A signature field may be signed once (LTV for an invisible
/// document timestamp, form filling otherwise), with a new appearance; a signed one may not
/// change.
fn sig_field_modification(cx: &mut Cx, spec: &Spec) -> R<()> {
    let Some(new_ref) = spec.new_ref else {
        return Ok(());
    };
    let new = dict_of(cx.new, new_ref)?;
    let now_signed = new.contains(b"V");
    if let Some(old_ref) = spec.old_ref {
        let old = dict_of(cx.old, old_ref)?;
        let locked_ok = compare_fields(&old, &new)?;
        let contexts = expected_contexts(cx, spec)?;
        if !old.contains(b"V") && now_signed {
            for c in contexts {
                cx.field_ok(Modifications::Ltv, new_ref, c, &spec.name, locked_ok);
            }
            appearance_update(cx, spec, old_ref, &old, &new)?;
        } else {
            if locked_ok {
                for c in contexts {
                    cx.field_ok(Modifications::Ltv, new_ref, c, &spec.name, true);
                }
            }
            return Ok(());
        }
    }
    if !now_signed {
        return Ok(());
    }
    let Some(value) = new.get(b"V").and_then(Object::as_ref) else {
        return fail("a signature value must be an indirect reference");
    };
    if !cx.old.unassignable(value) {
        return Err(Suspicious(
            "a signature value reuses an existing object",
            Some(value),
        ));
    }
    let Some(sig) = cx.new.get(value).and_then(|o| o.as_dict().cloned()) else {
        return fail("a signature value is not a dictionary");
    };
    // Document timestamps for LTV must be invisible (ISO 32000-2's advice, a rule here).
    let timestamp = sig.name_is(b"Type", b"DocTimeStamp") && !is_visible(cx.new, &new);
    let level = if timestamp {
        Modifications::Ltv
    } else {
        Modifications::FormFilling
    };
    cx.field_ok(level, value, Context::Blanket, &spec.name, timestamp);
    // Acrobat makes /TransformParams indirect.
    if let Some(Object::Array(refs)) = sig.get(b"Reference") {
        for tp in refs.iter().filter_map(|d| match d {
            Object::Dictionary(d) => d.get(b"TransformParams").and_then(Object::as_ref),
            _ => None,
        }) {
            cx.field_ok(level, tp, Context::Blanket, &spec.name, false);
        }
    }
    Ok(())
}

/// [GenericFieldModificationRule] Other fields may change value and appearance.
fn generic_field_modification(cx: &mut Cx, spec: &Spec) -> R<()> {
    let (Some(old_ref), Some(new_ref)) = (spec.old_ref, spec.new_ref) else {
        return Ok(());
    };
    let (old, new) = (dict_of(cx.old, old_ref)?, dict_of(cx.new, new_ref)?);
    let locked_ok = compare_fields(&old, &new)?;
    for c in expected_contexts(cx, spec)? {
        cx.field_ok(
            Modifications::FormFilling,
            new_ref,
            c,
            &spec.name,
            locked_ok,
        );
    }
    appearance_update(cx, spec, old_ref, &old, &new)?;
    if let Some(value) = new.get(b"V") {
        if !same_opt(old.get(b"V"), Some(value)) {
            for d in cx.new.new_deps(value, cx.since())? {
                cx.field_ok(
                    Modifications::FormFilling,
                    d,
                    Context::Blanket,
                    &spec.name,
                    false,
                );
            }
        }
    }
    Ok(())
}

/// A field's appearance may be replaced by new streams, or its streams rewritten in place
/// when nothing else uses them (`_allow_appearance_update`, `_allow_in_place_appearance_update`).
fn appearance_update(
    cx: &mut Cx,
    spec: &Spec,
    old_ref: ObjRef,
    old: &Dictionary,
    new: &Dictionary,
) -> R<()> {
    let name = spec.name.as_str();
    let since = cx.since();
    let ap = compare_key(cx, b"AP", old, new)?;
    if let Some(r) = ap.approved {
        cx.field_ok(Modifications::FormFilling, r, Context::Blanket, name, false);
    }
    let Some(new_ap) = ap.new else { return Ok(()) };
    let Some(new_ap) = new_ap.as_dict().cloned() else {
        return fail("/AP should be a dictionary");
    };
    let old_ap = ap.old.as_ref().and_then(Object::as_dict);
    let mut shared_checked = false;
    for key in [&b"N"[..], b"R", b"D"] {
        let Some(raw) = new_ap.get(key) else { continue };
        for d in cx.new.new_deps(raw, since)? {
            cx.field_ok(Modifications::FormFilling, d, Context::Blanket, name, false);
        }
        if old_ap.is_some() && !shared_checked {
            // An indirect appearance dictionary must have one user, or updating it would
            // change other annotations (or something hidden) too.
            if let Some(Object::Reference(a)) = old.get(b"AP") {
                let usages = cx.old.usages()?;
                let places: HashSet<(&Anchor, &Path)> = usages
                    .get(a)
                    .map(|u| u.iter().map(|u| (&u.anchor, &u.rel)).collect())
                    .unwrap_or_default();
                if places.len() > 1 {
                    return Err(Suspicious(
                        "an appearance dictionary used in several places was changed",
                        Some(*a),
                    ));
                }
            }
            shared_checked = true;
        }
    }

    // In place: the same stream reference, rewritten after signing.
    let (Some(old_ap_raw), Some(_), false) = (old.get(b"AP"), new.get(b"AP"), old.contains(b"AS"))
    else {
        return Ok(());
    };
    let Some(old_ap) = old_ap else { return Ok(()) };
    for key in [&b"N"[..], b"R", b"D"] {
        let old_stm = old_ap.get(key).and_then(Object::as_ref);
        let new_stm = new_ap.get(key).and_then(Object::as_ref);
        let Some(stm) = old_stm.filter(|s| new_stm == Some(*s)) else {
            continue;
        };
        if cx.old.last_change(stm) == Some(cx.old.rev) {
            continue;
        }
        let context = match old_ap_raw {
            Object::Reference(a) => Context::Relative(Anchor::Obj(*a), path(&[key])),
            _ => Context::Relative(Anchor::Obj(old_ref), path(&[b"AP", key])),
        };
        cx.field_ok(Modifications::FormFilling, stm, context, name, false);
        if let Some(o) = cx.new.get(stm) {
            for d in cx.new.new_deps(&o, since)? {
                cx.field_ok(Modifications::FormFilling, d, Context::Blanket, name, false);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use signet_pdf::{
        add_dss, add_signature_fields, one_page_pdf, prepare_signature, prepare_signature_in, Dss,
        FieldSpec, SignatureRequest, Stream, Update, VriEntry,
    };

    fn parse(b: &[u8]) -> Document {
        Document::parse(b).unwrap()
    }

    fn sign(pdf: &[u8], req: &SignatureRequest) -> Vec<u8> {
        prepare_signature(&parse(pdf), req)
            .unwrap()
            .embed(&[0x30, 0x03, 2, 1, 1])
            .unwrap()
    }

    fn field(name: &str, rect: [f64; 4]) -> FieldSpec {
        FieldSpec {
            name: name.into(),
            page: 0,
            rect,
            appearance: None,
        }
    }

    /// Two fields created, then the visible one signed with an appearance, as the product
    /// does: the file and the revision the signature covers.
    fn signed_once() -> (Vec<u8>, usize) {
        let pdf = one_page_pdf(
            [0.0, 0.0, 595.0, 842.0],
            b"BT /F1 12 Tf 72 720 Td (Hi) Tj ET",
        );
        let specs = [field("A", [50.0, 50.0, 200.0, 100.0]), field("B", [0.0; 4])];
        let pdf = add_signature_fields(&parse(&pdf), &specs).unwrap();
        let fields_rev = parse(&pdf).last_revision();
        let doc = parse(&pdf);
        let mut up = Update::new(&doc);
        let ap = up.allocate();
        let form = Dictionary::new()
            .with(b"Type", Object::name("XObject"))
            .with(b"Subtype", Object::name("Form"))
            .with(
                b"BBox",
                Object::Array(vec![0.into(), 0.into(), 150.into(), 50.into()]),
            );
        up.put(ap, &Object::Stream(Stream::new(form, b"0 0 1 rg".to_vec())));
        let mut req = SignatureRequest::cades("A", "D:20261123000000Z", 64);
        req.appearance = Some(ap);
        let pdf = prepare_signature_in(up, &req)
            .unwrap()
            .embed(&[0x30, 0x03, 2, 1, 1])
            .unwrap();
        assert_eq!(level(&pdf, fields_rev), Modifications::FormFilling);
        let base = parse(&pdf).last_revision();
        (pdf, base)
    }

    fn level(pdf: &[u8], base: usize) -> Modifications {
        analyse(&parse(pdf), base).level
    }

    #[test]
    fn our_own_signing_flow_is_form_filling_then_ltv() {
        let (pdf, base) = signed_once();
        let pdf = sign(&pdf, &SignatureRequest::cades("B", "D:20261123000000Z", 64));
        let second = parse(&pdf).last_revision();
        assert_eq!(level(&pdf, base), Modifications::FormFilling);
        let dss = Dss {
            certs: vec![vec![0x30, 0x00]],
            vri: vec![(
                "A".repeat(40),
                VriEntry {
                    certs: vec![vec![0x30, 0x00]],
                    ..VriEntry::default()
                },
            )],
            ..Dss::default()
        };
        let pdf = add_dss(&parse(&pdf), &dss).unwrap();
        let pdf = sign(&pdf, &SignatureRequest::doc_timestamp("TS1", 64));
        assert_eq!(level(&pdf, second), Modifications::Ltv);
        assert_eq!(level(&pdf, base), Modifications::FormFilling);
    }

    #[test]
    fn page_content_changes_and_freed_objects_are_other() {
        let (pdf, base) = signed_once();
        let doc = parse(&pdf);
        let page = doc.pages().unwrap()[0];
        let mut page_dict = doc.get(page).unwrap().unwrap();
        let mut up = Update::new(&doc);
        let content = up.allocate();
        let body = b"BT /F1 12 Tf 72 720 Td (Changed) Tj ET".to_vec();
        up.put(
            content,
            &Object::Stream(Stream::new(Dictionary::new(), body)),
        );
        page_dict.as_dict_mut().unwrap().set(b"Contents", content);
        up.put(page, &page_dict);
        let changed = up.finish().unwrap();
        let a = analyse(&parse(&changed), base);
        assert_eq!(
            (a.level, a.worst().map(|c| c.why)),
            (Modifications::Other, Some("a change no rule allows"))
        );

        let mut up = Update::new(&doc);
        let info = ObjRef::new(doc.size() - 1, 0);
        up.free(info);
        let freed = up.finish().unwrap();
        assert_eq!(
            analyse(&parse(&freed), base).worst().map(|c| c.why),
            Some("an object was freed")
        );
    }

    #[test]
    fn rewriting_an_existing_vri_entry_is_other() {
        let (pdf, base) = signed_once();
        let key = "B".repeat(40);
        let entry = VriEntry {
            certs: vec![vec![0x30, 0x01, 1]],
            ..VriEntry::default()
        };
        let pdf = add_dss(
            &parse(&pdf),
            &Dss {
                vri: vec![(key.clone(), entry)],
                ..Dss::default()
            },
        )
        .unwrap();
        assert_eq!(level(&pdf, base), Modifications::Ltv);
        // Rewrite the entry in place (add_dss itself never does): compared with a revision
        // that had it (pyHanko compares with the signed revision, not the previous one).
        let doc = parse(&pdf);
        let base = doc.last_revision();
        let (root, cat) = doc.catalog().unwrap();
        let mut dss = doc.resolve(cat.get(b"DSS").unwrap()).unwrap();
        let dss_ref = cat.get(b"DSS").and_then(Object::as_ref);
        let vri_slot = dss.as_dict().unwrap().get(b"VRI").cloned().unwrap();
        let mut vri = doc.resolve(&vri_slot).unwrap();
        vri.as_dict_mut().unwrap().set(
            key.as_bytes(),
            Dictionary::new().with(b"TU", Object::string("D:2026")),
        );
        let mut up = Update::new(&doc);
        match (vri_slot.as_ref(), dss_ref) {
            (Some(v), _) => up.put(v, &vri),
            (None, Some(d)) => {
                dss.as_dict_mut().unwrap().set(b"VRI", vri);
                up.put(d, &dss);
            }
            (None, None) => {
                dss.as_dict_mut().unwrap().set(b"VRI", vri);
                let mut cat = cat.clone();
                cat.set(b"DSS", dss);
                up.put(root, &Object::Dictionary(cat));
            }
        }
        let pdf = up.finish().unwrap();
        let a = analyse(&parse(&pdf), base);
        assert_eq!(
            a.worst().map(|c| c.why),
            Some("a VRI entry was modified or deleted")
        );
    }

    /// A one-revision file from object bodies (object i+1 is `bodies[i]`, the catalog is 1),
    /// plus an update rewriting the catalog unchanged.
    fn hostile(bodies: &[&str]) -> Vec<u8> {
        let mut d = signet_pdf::FreshDocument::new();
        for b in bodies {
            let r = d.allocate();
            d.put_raw(r, b.as_bytes().to_vec());
        }
        let pdf = d.finish(ObjRef::new(1, 0), None);
        let doc = parse(&pdf);
        let mut up = Update::new(&doc);
        let (root, cat) = doc.catalog().unwrap();
        up.put(root, &Object::Dictionary(cat));
        up.finish().unwrap()
    }

    #[test]
    fn hostile_structures_end_quickly() {
        // A page tree that contains itself.
        let cyclic = hostile(&[
            "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[]>>>>",
            "<</Type/Pages/Kids[2 0 R 3 0 R]/Count 1>>",
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>",
        ]);
        let a = analyse(&parse(&cyclic), 0);
        assert_eq!(a.worst().map(|c| c.why), Some("page tree is circular"));
        // Form fields sharing their /Kids, 40 levels deep: 2^40 names without a budget.
        let mut bodies = vec![
            "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[4 0 R 5 0 R]>>>>".to_owned(),
            "<</Type/Pages/Kids[3 0 R]/Count 1>>".to_owned(),
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>".to_owned(),
        ];
        for level in 0..40 {
            let kids = if level < 39 {
                format!("/Kids[{} 0 R {} 0 R]", 6 + 2 * level, 7 + 2 * level)
            } else {
                String::new()
            };
            bodies.push(format!("<</T(a)/FT/Tx{kids}>>"));
            bodies.push(format!("<</T(b)/FT/Tx{kids}>>"));
        }
        let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
        let started = std::time::Instant::now();
        let a = analyse(&parse(&hostile(&refs)), 0);
        assert_eq!(
            a.worst().map(|c| c.why),
            Some("document too large to analyse")
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn field_locks_follow_pyhanko() {
        let lock = FieldLock::Exclude(vec!["A".into()]);
        assert!(!lock.locks("A") && !lock.locks("A.x") && lock.locks("B") && lock.locks("AB"));
        assert!(FieldLock::Include(vec!["A".into()]).locks("A.x"));
    }
}
