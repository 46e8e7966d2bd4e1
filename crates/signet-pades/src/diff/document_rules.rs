//! Document-level rules, all at the LTV level.

use std::collections::BTreeSet;

use signet_pdf::{Dictionary, ObjRef, Object, XrefEntry, XrefKind};

use crate::report::Modifications;

use super::approval::{Context, Cx};
use super::commons::{compare_dicts, compare_key, is_stream, safe_ref, same_opt};
use super::usage::{path, Path, Step};
use super::verdict::{fail, R};
use super::view::View;

pub(super) const ROOT_EXEMPT: [&[u8]; 6] = [
    b"AcroForm",
    b"DSS",
    b"Extensions",
    b"Metadata",
    b"MarkInfo",
    b"Version",
];

/// [CatalogModificationRule]
pub(super) fn catalog_rule(cx: &mut Cx) -> R<()> {
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
pub(super) fn info_rule(cx: &mut Cx) -> R<()> {
    let Some(new) = cx.new.trailer.get(b"Info").and_then(Object::as_ref) else {
        return Ok(());
    };
    let old = cx.old.trailer.get(b"Info").and_then(Object::as_ref);
    let r = safe_ref(cx, old, new)?;
    cx.ok(Modifications::Ltv, r, Context::Path(path(&[b"Info"])));
    Ok(())
}

/// [XrefStreamRule, ObjectStreamRule]: new cross-reference and object streams.
pub(super) fn stream_rules(cx: &mut Cx) -> R<()> {
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
pub(super) fn dss_rule(cx: &mut Cx) -> R<()> {
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
pub(super) fn der_arrays(
    cx: &mut Cx,
    old: &Dictionary,
    new: &Dictionary,
    keys: &[&[u8]],
    at: &Path,
) -> R<()> {
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
pub(super) fn metadata_rule(cx: &mut Cx) -> R<()> {
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
pub(super) fn is_xmp(v: &View, r: ObjRef) -> bool {
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
