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
//! - after a certification signature with `P=1` no visible signature field may be added (with
//!   `P=2` or `3` it may, as Acrobat allows; pyHanko's default refuses it: a deliberate
//!   difference, see docs/CORPUS-AGREEMENT.md), and fields a
//!   `/FieldMDP` reference locks may not change ([`Locks`]).
//!
//! - a tagged PDF's structure tree may tag new signature widgets (a `/Form` element per widget
//!   and the parent tree entries for it), at the form-filling level; pyHanko's default policy
//!   has no such rule: a deliberate difference, see `structure_rules` and
//!   docs/CORPUS-AGREEMENT.md.
//!
//! Like pyHanko's default policy, nothing is ever cleared at the `Annotations` level: adding a
//! comment or any other non-widget annotation after signing is `Other`.
//!
//! All walks are bounded; a document too large to analyse is `Other`.

mod approval;
mod commons;
mod document_rules;
mod form_rules;
mod locks;
mod review;
mod structure_rules;
mod usage;
mod verdict;
mod view;
mod walk;

use signet_pdf::{Document, ObjRef};

use crate::report::Modifications;
pub use locks::{FieldLock, Locks};
use review::review;
use verdict::Suspicious;
use view::{Shared, View};

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use signet_pdf::{
        add_dss, add_signature_fields, one_page_pdf, prepare_signature, prepare_signature_in,
        Dictionary, Dss, FieldSpec, Object, SignatureRequest, Stream, Update, VriEntry,
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

    /// A certification with permission `p` in an invisible field, then (the Government's flow)
    /// a new visible field created and signed: the level after the certification.
    fn certified_then_sealed(p: u8) -> Analysis {
        let pdf = one_page_pdf([0.0, 0.0, 595.0, 842.0], b"BT (Nghi dinh) Tj ET");
        let pdf = add_signature_fields(&parse(&pdf), &[field("LanhDao", [0.0; 4])]).unwrap();
        let mut req = SignatureRequest::cades("LanhDao", "D:20261123000000Z", 64);
        req.certify = Some(p);
        let pdf = sign(&pdf, &req);
        let base = parse(&pdf).last_revision();
        let specs = [field("CoQuan", [250.0, 60.0, 400.0, 180.0])];
        let pdf = add_signature_fields(&parse(&pdf), &specs).unwrap();
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
    fn a_new_signature_field_after_certification_follows_acrobat() {
        // P=2 (and 3): filling in forms and signing, new signature fields included.
        assert_eq!(certified_then_sealed(2).level, Modifications::FormFilling);
        assert_eq!(certified_then_sealed(3).level, Modifications::FormFilling);
        // P=1: no new visible signature field (and verify.rs allows only LTV anyway).
        let a = certified_then_sealed(1);
        assert_eq!(
            (a.level, a.worst().map(|c| c.why)),
            (
                Modifications::Other,
                Some("a visible signature field was added after a certification signature")
            )
        );
    }

    #[test]
    fn field_locks_follow_pyhanko() {
        let lock = FieldLock::Exclude(vec!["A".into()]);
        assert!(!lock.locks("A") && !lock.locks("A.x") && lock.locks("B") && lock.locks("AB"));
        assert!(FieldLock::Include(vec!["A".into()]).locks("A.x"));
    }
}
