//! The walks that find every use of an object (pyHanko's `_load_reverse_xref_cache`), so that
//! rewriting a shared object must be justified everywhere.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use signet_pdf::{ObjRef, Object, XrefEntry};

use super::usage::{path, Anchor, Path, Step, Usage, Usages};
use super::verdict::{fail, MAX_PATH, MAX_TREE, R};
use super::view::View;

pub(super) struct Walker<'v, 'a> {
    pub(super) view: &'v View<'a>,
    /// Page tree nodes and their one canonical path: pages are only entered through it.
    pub(super) pages: HashMap<ObjRef, Path>,
    /// Structure elements: only entered from the structure tree itself.
    pub(super) structs: HashSet<ObjRef>,
    /// The objects whose uses are recorded (recording every object would cost too much).
    pub(super) targets: HashSet<ObjRef>,
    pub(super) out: Usages,
}

impl View<'_> {
    /// The uses that matter: of objects a later revision rewrites, and of appearance
    /// dictionaries (whose sharing is checked whether or not they are rewritten).
    pub(super) fn usages(&self) -> R<Rc<Usages>> {
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
    pub(super) fn appearance_dicts(&self) -> R<HashSet<ObjRef>> {
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
    pub(super) fn page_nodes(&mut self, node: &Object, at: &Path, depth: usize) -> R<()> {
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

    pub(super) fn struct_nodes(&mut self, elem: &Object, depth: usize) -> R<()> {
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

    pub(super) fn visit(
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
