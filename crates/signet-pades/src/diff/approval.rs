//! Approvals: a rule clears an object at a level, for one use (path), for all uses seen from a
//! container (relative), or everywhere (blanket).

use signet_pdf::ObjRef;

use crate::report::Modifications;

use super::usage::{Anchor, Path};
use super::view::View;

#[derive(Clone, Debug)]
pub(super) enum Context {
    Blanket,
    Path(Path),
    Relative(Anchor, Path),
}

#[derive(Clone, Debug)]
pub(super) struct Approval {
    pub(super) level: Modifications,
    pub(super) object: ObjRef,
    pub(super) context: Context,
    /// The form field the change belongs to, and whether it is fine even if that field is
    /// locked (`FormUpdate.valid_when_locked`).
    pub(super) field: Option<(String, bool)>,
    /// False for changes a certification signature forbids (new visible signature fields).
    pub(super) certify_ok: bool,
}

/// The comparison of one revision with the signed one.
pub(super) struct Cx<'v, 'a> {
    pub(super) old: &'v View<'a>,
    pub(super) new: &'v View<'a>,
    pub(super) out: Vec<Approval>,
}

impl Cx<'_, '_> {
    pub(super) fn ok(&mut self, level: Modifications, object: ObjRef, context: Context) {
        self.out.push(Approval {
            level,
            object,
            context,
            field: None,
            certify_ok: true,
        });
    }

    pub(super) fn field_ok(
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
    pub(super) fn since(&self) -> usize {
        self.old.rev + 1
    }
}
