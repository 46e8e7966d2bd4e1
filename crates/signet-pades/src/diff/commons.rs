//! Helpers shared by the rules (pyHanko's `commons`).

use std::collections::BTreeSet;

use signet_pdf::{Dictionary, ObjRef, Object};

use super::approval::Cx;
use super::verdict::{fail, Suspicious, R};

/// Equal as PDF objects: dictionaries compare by key, not by the order of their entries.
pub(super) fn same(a: &Object, b: &Object) -> bool {
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

pub(super) fn same_entries(x: &Dictionary, y: &Dictionary) -> bool {
    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
}

pub(super) fn same_opt(a: Option<&Object>, b: Option<&Object>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

pub(super) fn is_stream(o: &Object) -> bool {
    matches!(o, Object::Stream(_))
}

/// Same keys (apart from `ignored`) with the same raw values (`compare_dicts`).
pub(super) fn same_dicts(old: &Object, new: &Object, ignored: &[&[u8]]) -> R<bool> {
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

pub(super) fn compare_dicts(
    old: &Object,
    new: &Object,
    ignored: &[&[u8]],
    why: &'static str,
) -> R<()> {
    if same_dicts(old, new, ignored)? {
        Ok(())
    } else {
        fail(why)
    }
}

/// A rewritten reference may keep its object (a non-stream) or point to a brand-new object,
/// never to another existing one (`safe_whitelist`).
pub(super) fn safe_ref(cx: &Cx, old_ref: Option<ObjRef>, new_ref: ObjRef) -> R<ObjRef> {
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
pub(super) struct Entry {
    pub(super) old: Option<Object>,
    pub(super) new: Option<Object>,
    /// The new indirect value, when it may be cleared.
    pub(super) approved: Option<ObjRef>,
}

/// An entry may be added or changed but not deleted; a new indirect value must be safe
/// (`compare_key_refs`).
pub(super) fn compare_key(cx: &Cx, key: &[u8], old: &Dictionary, new: &Dictionary) -> R<Entry> {
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
