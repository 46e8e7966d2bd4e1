//! The logical structure of a tagged PDF, when a new signature widget is tagged (no pyHanko
//! counterpart: its default policy calls every structure change *other*).
//!
//! Signing tools that keep a tagged document accessible (iText 7, the Government's signing
//! service) tag each new signature widget: a `/Form` structure element whose `/K` is an object
//! reference (`/OBJR`) to the widget is appended to an existing element's `/K`, the widget gets
//! a `/StructParent` key, and the structure tree root gets a rewritten `/ParentTree` (a number
//! tree, often copied whole into new objects) with one more key and a higher
//! `/ParentTreeNextKey`. Nothing of that changes what the document shows or says, so it is
//! cleared at the form-filling level — and only exactly that:
//! - the root changes no key but `/ParentTree` and `/ParentTreeNextKey` (which may only grow);
//! - every key of the signed revision's parent tree maps to the same elements as before;
//! - a new key maps to a new `/Form` element tagging a new signature widget;
//! - an existing element changes only by new such kids appended to its `/K`, in order.

use std::collections::{BTreeMap, HashSet};

use signet_pdf::{Dictionary, ObjRef, Object};

use crate::report::Modifications;

use super::approval::{Context, Cx};
use super::commons::{compare_dicts, same};
use super::verdict::{fail, MAX_TREE, R};
use super::view::View;

/// Most entries read from one parent tree.
const MAX_NUMS: usize = 1_000_000;

pub(super) fn structure_rule(cx: &mut Cx) -> R<()> {
    let (old_root, new_root) = (cx.old.root()?, cx.new.root()?);
    // The catalog rule keeps the catalog's own `/StructTreeRoot` entry unchanged.
    let (Some(Object::Reference(str_ref)), Some(Object::Reference(new_ref))) = (
        old_root.get(b"StructTreeRoot"),
        new_root.get(b"StructTreeRoot"),
    ) else {
        return Ok(());
    };
    if str_ref != new_ref || !rewritten(cx, *str_ref) {
        return Ok(());
    }
    let (Some(old_str), Some(new_str)) = (dict(cx.old, *str_ref), dict(cx.new, *str_ref)) else {
        return fail("the structure tree root is not a dictionary");
    };
    compare_dicts(
        &Object::Dictionary(old_str.clone()),
        &Object::Dictionary(new_str.clone()),
        &[b"ParentTree", b"ParentTreeNextKey"],
        "the structure tree root was changed",
    )?;
    let next_key =
        |v: &View, d: &Dictionary| v.val(d, b"ParentTreeNextKey").and_then(|o| o.as_i64());
    let (old_next, new_next) = (
        next_key(cx.old, &old_str).unwrap_or(0),
        next_key(cx.new, &new_str).unwrap_or(0),
    );
    if new_next < old_next {
        return fail("the structure tree's next key went down");
    }
    let widgets = new_signature_widgets(cx)?;
    let tags = new_tags(cx, &widgets)?;
    parent_tree(cx, &old_str, &new_str, old_next, new_next, &tags)?;
    tagged_parents(cx, &tags)?;
    cx.ok(Modifications::FormFilling, *str_ref, Context::Blanket);
    Ok(())
}

/// Listed in the newer revision's xref section and existing in the signed one.
fn rewritten(cx: &Cx, r: ObjRef) -> bool {
    listed(cx.new, r) && cx.old.get(r).is_some()
}

/// Listed in `v`'s own xref section.
fn listed(v: &View, r: ObjRef) -> bool {
    v.doc
        .revisions()
        .get(v.rev)
        .is_some_and(|rev| rev.entries.contains_key(&r.num))
}

fn dict(v: &View, r: ObjRef) -> Option<Dictionary> {
    v.get(r).and_then(|o| o.as_dict().cloned())
}

/// Widgets of the signature fields the signed revision did not have.
fn new_signature_widgets(cx: &Cx) -> R<HashSet<ObjRef>> {
    let fields = |v: &View| v.doc.acro_form_fields_at(v.rev).unwrap_or_default();
    let old: HashSet<Option<ObjRef>> = fields(cx.old).iter().map(|f| f.field).collect();
    let mut out = HashSet::new();
    for f in fields(cx.new)
        .into_iter()
        .filter(|f| !old.contains(&f.field))
    {
        out.extend(f.widgets.iter().filter_map(|w| w.obj.or(f.field)));
    }
    Ok(out)
}

/// New structure elements that tag one new signature widget each: `/S /Form`, `/K` an
/// `/OBJR` to the widget. By element, its parent (`/P`).
fn new_tags(cx: &Cx, widgets: &HashSet<ObjRef>) -> R<BTreeMap<ObjRef, ObjRef>> {
    let mut out = BTreeMap::new();
    for &w in widgets {
        let Some(widget) = dict(cx.new, w) else {
            continue;
        };
        let Some(key) = widget.get(b"StructParent").and_then(Object::as_i64) else {
            continue;
        };
        let Some(elem) = parent_tree_value(cx.new, key)?.and_then(|o| o.as_ref()) else {
            return fail("a signature widget's structure parent is missing");
        };
        let Some(d) = dict(cx.new, elem).filter(|_| cx.old.unassignable(elem)) else {
            return fail("a signature widget is tagged by an existing element");
        };
        let objr = cx.new.val(&d, b"K");
        let tags_widget = objr.as_ref().and_then(Object::as_dict).is_some_and(|k| {
            k.name_is(b"Type", b"OBJR") && k.get(b"Obj").and_then(Object::as_ref) == Some(w)
        });
        let keys_ok = d.iter().all(|(k, _)| {
            matches!(
                k,
                b"Type" | b"S" | b"P" | b"Pg" | b"K" | b"Alt" | b"ID" | b"Lang"
            )
        });
        let Some(parent) = d.get(b"P").and_then(Object::as_ref) else {
            return fail("a new structure element has no parent");
        };
        if !tags_widget || !keys_ok || !d.name_is(b"S", b"Form") {
            return fail("a new structure element does more than tag a signature widget");
        }
        out.insert(elem, parent);
    }
    Ok(out)
}

/// The value of `key` in the parent tree of `v`'s structure tree root.
fn parent_tree_value(v: &View, key: i64) -> R<Option<Object>> {
    let root = v.root()?;
    let Some(Object::Dictionary(str_root)) = v.val(&root, b"StructTreeRoot") else {
        return Ok(None);
    };
    Ok(number_tree(v, &str_root)?.remove(&key))
}

/// A number tree flattened (`/Nums` of every node, `/Kids` followed), values unresolved, and
/// the new objects that make up its nodes.
fn number_tree(v: &View, str_root: &Dictionary) -> R<BTreeMap<i64, Object>> {
    Ok(number_tree_nodes(v, str_root)?.0)
}

fn number_tree_nodes(v: &View, str_root: &Dictionary) -> R<(BTreeMap<i64, Object>, Vec<ObjRef>)> {
    let mut nums = BTreeMap::new();
    let mut nodes = Vec::new();
    let Some(top) = str_root.get(b"ParentTree") else {
        return Ok((nums, nodes));
    };
    let mut seen = HashSet::new();
    let mut stack = vec![(top.clone(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        v.step()?;
        if let Some(r) = node.as_ref() {
            if !seen.insert(r) || depth > MAX_TREE {
                return fail("the parent tree is circular");
            }
            nodes.push(r);
        }
        let Object::Dictionary(d) = v.resolve(&node) else {
            return fail("a parent tree node is not a dictionary");
        };
        if let Some(Object::Array(pairs)) = v.val(&d, b"Nums") {
            for pair in pairs.chunks(2) {
                let [k, value] = pair else {
                    return fail("a parent tree's /Nums is odd");
                };
                let Some(k) = k.as_i64() else {
                    return fail("a parent tree key is not a number");
                };
                nums.insert(k, value.clone());
                if nums.len() > MAX_NUMS {
                    return fail("document too large to analyse");
                }
            }
        }
        if let Some(Object::Array(kids)) = v.val(&d, b"Kids") {
            stack.extend(kids.into_iter().map(|k| (k, depth + 1)));
        }
    }
    Ok((nums, nodes))
}

/// The parent tree: old keys keep their elements, new keys are the new tags. Its new nodes and
/// copied values are cleared.
fn parent_tree(
    cx: &mut Cx,
    old_str: &Dictionary,
    new_str: &Dictionary,
    old_next: i64,
    new_next: i64,
    tags: &BTreeMap<ObjRef, ObjRef>,
) -> R<()> {
    let old_nums = number_tree(cx.old, old_str)?;
    let (new_nums, nodes) = number_tree_nodes(cx.new, new_str)?;
    for (k, old_value) in &old_nums {
        let Some(new_value) = new_nums.get(k) else {
            return fail("a parent tree entry was removed");
        };
        if !same(&cx.old.resolve(old_value), &cx.new.resolve(new_value)) {
            return fail("a parent tree entry was changed");
        }
        approve_new(cx, new_value);
    }
    for (k, value) in new_nums.iter().filter(|(k, _)| !old_nums.contains_key(k)) {
        let is_tag = value.as_ref().is_some_and(|r| tags.contains_key(&r));
        if !is_tag || *k < old_next || *k >= new_next.max(old_next + 1) {
            return fail("a parent tree entry was added that tags no new signature");
        }
    }
    for r in nodes {
        if rewritten(cx, r) || cx.old.unassignable(r) {
            cx.ok(Modifications::FormFilling, r, Context::Blanket);
        } else if listed(cx.new, r) {
            return fail("an update reuses an existing object");
        }
    }
    Ok(())
}

/// A value copied into a new object (an array of the same elements) is cleared with it.
fn approve_new(cx: &mut Cx, value: &Object) {
    if let Some(r) = value.as_ref().filter(|r| cx.old.unassignable(*r)) {
        cx.ok(Modifications::FormFilling, r, Context::Blanket);
    }
}

/// The new tags, and each existing element that gained them as kids appended to its `/K`.
fn tagged_parents(cx: &mut Cx, tags: &BTreeMap<ObjRef, ObjRef>) -> R<()> {
    let mut parents: BTreeMap<ObjRef, Vec<ObjRef>> = BTreeMap::new();
    for (&elem, &parent) in tags {
        parents.entry(parent).or_default().push(elem);
        cx.ok(Modifications::FormFilling, elem, Context::Blanket);
    }
    for (parent, added) in parents {
        if !rewritten(cx, parent) {
            return fail("a new structure element's parent does not list it");
        }
        let (Some(old), Some(new)) = (dict(cx.old, parent), dict(cx.new, parent)) else {
            return fail("a structure element is not a dictionary");
        };
        compare_dicts(
            &Object::Dictionary(old.clone()),
            &Object::Dictionary(new.clone()),
            &[b"K"],
            "a structure element was changed",
        )?;
        let kids = |v: &View, d: &Dictionary| match v.val(d, b"K") {
            Some(Object::Array(a)) => a,
            Some(one) => vec![one],
            None => Vec::new(),
        };
        let (old_kids, new_kids) = (kids(cx.old, &old), kids(cx.new, &new));
        let appended: HashSet<ObjRef> = new_kids
            .get(old_kids.len()..)
            .unwrap_or(&[])
            .iter()
            .filter_map(Object::as_ref)
            .collect();
        let expected: HashSet<ObjRef> = added.into_iter().collect();
        let keeps_old = new_kids.len() >= old_kids.len()
            && old_kids.iter().zip(&new_kids).all(|(a, b)| same(a, b));
        if !keeps_old || appended != expected || new_kids.len() - old_kids.len() != expected.len() {
            return fail("a structure element's kids were changed");
        }
        cx.ok(Modifications::FormFilling, parent, Context::Blanket);
        // `/K` kept in an array object of its own, rewritten with the new kids.
        if let Some(k) = new.get(b"K").and_then(Object::as_ref) {
            if old.get(b"K").and_then(Object::as_ref) == Some(k) && rewritten(cx, k) {
                cx.ok(Modifications::FormFilling, k, Context::Blanket);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use signet_pdf::{
        add_signature_fields_in, one_page_pdf, prepare_signature, Dictionary, Document, FieldSpec,
        ObjRef, Object, SignatureRequest, Update,
    };

    use super::super::{analyse_with, Analysis, Locks};
    use crate::report::Modifications;

    fn parse(b: &[u8]) -> Document {
        Document::parse(b).unwrap()
    }

    fn sign(pdf: &[u8], req: &SignatureRequest) -> Vec<u8> {
        prepare_signature(&parse(pdf), req)
            .unwrap()
            .embed(&[0x30, 0x03, 2, 1, 1])
            .unwrap()
    }

    fn elem(s: &str, parent: ObjRef, page: ObjRef, k: Object) -> Object {
        Dictionary::new()
            .with(b"Type", Object::name("StructElem"))
            .with(b"S", Object::name(s))
            .with(b"P", parent)
            .with(b"Pg", page)
            .with(b"K", k)
            .into()
    }

    /// What the second revision does besides tagging the new seal widget.
    #[derive(Clone, Copy, PartialEq)]
    enum Tamper {
        Nothing,
        /// The signed revision's parent tree entry 0 now names another element.
        OldEntryMoved,
        /// The new element is a paragraph, not a form field's tag.
        NotAForm,
        /// The structure tree root gains a role map.
        RoleMap,
        /// The next key goes down.
        KeyDown,
    }

    /// A tagged one-page document (one paragraph, parent tree {0: [P]}) certified with P=2 in
    /// an invisible field; then, as iText 7 does, the organization's seal in a new visible
    /// field, its widget tagged by a `/Form` element and the parent tree copied into new
    /// objects with one more key.
    fn sealed(tamper: Tamper) -> Analysis {
        let pdf = one_page_pdf([0.0, 0.0, 595.0, 842.0], b"BT (Nghi dinh) Tj ET");
        let doc = parse(&pdf);
        let page = doc.pages().unwrap()[0];
        let (root, mut cat) = doc.catalog().unwrap();
        let mut up = Update::new(&doc);
        let [str_root, document, para, tree, nums0] = [(); 5].map(|()| up.allocate());
        up.put(para, &elem("P", document, page, Object::Integer(0)));
        up.put(
            document,
            &elem("Document", str_root, page, Object::Array(vec![para.into()])),
        );
        up.put(nums0, &Object::Array(vec![para.into()]));
        up.put(
            tree,
            &Dictionary::new()
                .with(b"Nums", Object::Array(vec![0.into(), nums0.into()]))
                .into(),
        );
        let str_dict = Dictionary::new()
            .with(b"Type", Object::name("StructTreeRoot"))
            .with(b"K", Object::Array(vec![document.into()]))
            .with(b"ParentTree", tree)
            .with(b"ParentTreeNextKey", 1);
        up.put(str_root, &str_dict.clone().into());
        cat.set(b"StructTreeRoot", str_root);
        up.put(root, &cat.into());
        let field = |name: &str, rect| FieldSpec {
            name: name.into(),
            page: 0,
            rect,
            appearance: None,
        };
        add_signature_fields_in(&mut up, &[field("LanhDao", [0.0; 4])]).unwrap();
        let pdf = up.finish().unwrap();
        let mut req = SignatureRequest::cades("LanhDao", "D:20261123000000Z", 64);
        req.certify = Some(2);
        let pdf = sign(&pdf, &req);
        let base = parse(&pdf).last_revision();

        let doc = parse(&pdf);
        let mut up = Update::new(&doc);
        let seal =
            add_signature_fields_in(&mut up, &[field("CoQuan", [250.0, 60.0, 400.0, 180.0])])
                .unwrap()[0];
        let mut widget = up.get(seal).unwrap().unwrap();
        widget.as_dict_mut().unwrap().set(b"StructParent", 1);
        up.put(seal, &widget);
        let [tag, new_tree, new_nums0] = [(); 3].map(|()| up.allocate());
        let objr = Dictionary::new()
            .with(b"Type", Object::name("OBJR"))
            .with(b"Obj", seal);
        let kind = if tamper == Tamper::NotAForm {
            "P"
        } else {
            "Form"
        };
        up.put(tag, &elem(kind, document, page, objr.into()));
        let kids = vec![para.into(), tag.into()];
        up.put(
            document,
            &elem("Document", str_root, page, Object::Array(kids)),
        );
        let entry0 = if tamper == Tamper::OldEntryMoved {
            tag
        } else {
            para
        };
        up.put(new_nums0, &Object::Array(vec![entry0.into()]));
        let nums = vec![0.into(), new_nums0.into(), 1.into(), tag.into()];
        up.put(
            new_tree,
            &Dictionary::new().with(b"Nums", Object::Array(nums)).into(),
        );
        let next = if tamper == Tamper::KeyDown { 0 } else { 2 };
        let mut str_dict = str_dict
            .with(b"ParentTree", new_tree)
            .with(b"ParentTreeNextKey", next);
        if tamper == Tamper::RoleMap {
            str_dict.set(
                b"RoleMap",
                Dictionary::new().with(b"Form", Object::name("P")),
            );
        }
        up.put(str_root, &str_dict.into());
        let pdf = up.finish().unwrap();
        let pdf = sign(
            &pdf,
            &SignatureRequest::cades("CoQuan", "D:20261123000000Z", 64),
        );
        let doc = parse(&pdf);
        let fields = doc.acro_form_fields().unwrap();
        let cert = fields.iter().find(|f| f.name == "LanhDao").unwrap();
        let locks = Locks::of(&doc, cert.sig_dict.as_ref().unwrap());
        analyse_with(&doc, base, &locks)
    }

    #[test]
    fn tagging_a_new_seal_widget_is_form_filling() {
        assert_eq!(sealed(Tamper::Nothing).level, Modifications::FormFilling);
    }

    #[test]
    fn any_other_structure_change_is_other() {
        for (tamper, why) in [
            (Tamper::OldEntryMoved, "a parent tree entry was changed"),
            (
                Tamper::NotAForm,
                "a new structure element does more than tag a signature widget",
            ),
            (Tamper::RoleMap, "the structure tree root was changed"),
            (Tamper::KeyDown, "the structure tree's next key went down"),
        ] {
            let a = sealed(tamper);
            assert_eq!(
                (a.level, a.worst().map(|c| c.why)),
                (Modifications::Other, Some(why))
            );
        }
    }
}
