//! One revision reviewed against the signed one: every object it lists cleared by a rule.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use signet_pdf::{ObjRef, Object, XrefEntry};

use crate::report::Modifications;

use super::approval::{Context, Cx};
use super::commons::same;
use super::document_rules::{catalog_rule, dss_rule, info_rule, metadata_rule, stream_rules};
use super::form_rules::form_rule;
use super::locks::Locks;
use super::structure_rules::structure_rule;
use super::usage::Usage;
use super::verdict::{fail, Suspicious, R};
use super::view::{section_size, View};

/// Reviews one revision: `Ok` with its level and the object that decided it.
pub(super) fn review(
    old: &View,
    new: &View,
    locks: &Locks,
) -> R<(Modifications, ObjRef, &'static str)> {
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
    structure_rule(&mut cx)?;

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

pub(super) fn level_reason(l: Modifications) -> &'static str {
    match l {
        Modifications::FormFilling => "signature or form field filled",
        Modifications::Annotations => "annotation",
        _ => "validation data or document timestamp",
    }
}

/// New objects that neither the trailer nor a rewritten object reaches (through other new
/// objects): harmless leftovers such as the xref stream itself (`_find_orphans`).
pub(super) fn orphans(new: &View, explicit: &BTreeSet<ObjRef>) -> R<BTreeSet<ObjRef>> {
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
pub(super) fn identical(old: &View, new: &View, r: ObjRef) -> bool {
    match (old.get(r), new.get(r)) {
        (Some(a), Some(b)) => same(&a, &b),
        _ => false,
    }
}
