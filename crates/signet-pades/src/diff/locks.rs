//! What a signature forbids besides the default policy: DocMDP and FieldMDP.

use signet_pdf::{decode_text, Dictionary, Document, Object};

/// What the signature itself forbids besides the default policy.
#[derive(Clone, Debug, Default)]
pub struct Locks {
    /// A certification (DocMDP) signature that forbids new visible signature fields
    /// afterwards. pyHanko's default policy forbids them after any certification; Acrobat
    /// (ISO 32000-1 §12.8.2.2: P=2 allows "filling in forms ... and signing") lets a later
    /// signer add a signature field and sign it, which is the Vietnamese Government's own flow
    /// (a leader certifies, then the organization's seal goes in a new visible field). We follow
    /// Acrobat: only `P=1` sets this (and `P=1` allows nothing but validation data anyway).
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
    pub(super) fn locks(&self, name: &str) -> bool {
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
                let p = match get(&r, b"TransformParams") {
                    Object::Dictionary(tp) => tp.get(b"P").and_then(Object::as_i64),
                    _ => None,
                };
                // An absent /P means 2 (ISO 32000-1 Table 254).
                locks.certifying = p.unwrap_or(2) == 1;
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
