//! The form [FormUpdatingRule and its field rules].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use signet_pdf::{decode_text, Dictionary, ObjRef, Object};

use crate::report::Modifications;

use super::approval::{Approval, Context, Cx};
use super::commons::{compare_dicts, compare_key, same, same_dicts, same_opt};
use super::usage::{path, Anchor, Path, Step, Usage};
use super::verdict::{fail, Suspicious, MAX_TREE, R};
use super::view::View;

pub(super) const ACROFORM_EXEMPT: [&[u8]; 5] = [b"Fields", b"DR", b"DA", b"Q", b"NeedAppearances"];
/// Keys a form field may change when its value is filled in (`VALUE_UPDATE_KEYS`).
pub(super) const VALUE_UPDATE_KEYS: [&[u8]; 8] =
    [b"Ff", b"Type", b"AP", b"AS", b"V", b"F", b"DA", b"Q"];
/// Keys that may change even on a locked field (`FORMFIELD_ALWAYS_MODIFIABLE`).
pub(super) const ALWAYS_MODIFIABLE: [&[u8]; 2] = [b"Ff", b"Type"];

/// One form field (by fully qualified name) in the signed and the newer revision.
pub(super) struct Spec {
    pub(super) name: String,
    /// `/FT`, inherited from the parent when absent.
    pub(super) ft: Option<Object>,
    pub(super) old_ref: Option<ObjRef>,
    pub(super) new_ref: Option<ObjRef>,
    /// Where the signed revision lists it: `/Root/AcroForm/Fields/i(/Kids/j)*`.
    pub(super) old_path: Option<Path>,
}

impl Spec {
    pub(super) fn is_sig(&self) -> bool {
        self.ft.as_ref().and_then(Object::as_name) == Some(b"Sig")
    }
}

pub(super) fn form_rule(cx: &mut Cx) -> R<()> {
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
pub(super) type Listed = BTreeMap<String, (Option<Object>, ObjRef, Option<Object>, usize)>;

pub(super) fn make_list(v: &View, list: Option<&Object>) -> R<Listed> {
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

pub(super) fn non_empty(kids: &Option<Object>) -> bool {
    match kids {
        None => false,
        Some(Object::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// Pairs up the fields of both revisions by fully qualified name (`_list_fields`).
#[allow(clippy::too_many_arguments)]
pub(super) fn list_fields(
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
pub(super) fn expected_contexts(cx: &Cx, spec: &Spec) -> R<Vec<Context>> {
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

pub(super) fn dict_of(v: &View, r: ObjRef) -> R<Dictionary> {
    match v.get(r).as_deref() {
        Some(Object::Dictionary(d)) => Ok(d.clone()),
        _ => Err(Suspicious("a form field is not a dictionary", Some(r))),
    }
}

pub(super) fn rect_area(v: &View, d: &Dictionary) -> f64 {
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
pub(super) fn is_visible(v: &View, field: &Dictionary) -> bool {
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
pub(super) fn sig_field_creation(cx: &mut Cx, specs: &[Spec]) -> R<()> {
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

pub(super) fn kid_refs(v: &View, node: &Dictionary) -> R<Vec<ObjRef>> {
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
pub(super) fn annots_of(
    v: &View,
    page: &Dictionary,
) -> R<Option<(BTreeSet<ObjRef>, Option<ObjRef>)>> {
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
pub(super) fn page_tree_annots(
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
pub(super) fn compare_fields(old: &Dictionary, new: &Dictionary) -> R<bool> {
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
pub(super) fn sig_field_modification(cx: &mut Cx, spec: &Spec) -> R<()> {
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
pub(super) fn generic_field_modification(cx: &mut Cx, spec: &Spec) -> R<()> {
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
pub(super) fn appearance_update(
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
