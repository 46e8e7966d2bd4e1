//! Where the signed revision uses each object: paths from the trailer, or from the nearest
//! indirect container.

use std::collections::{HashMap, HashSet};

use signet_pdf::ObjRef;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Step {
    Key(Vec<u8>),
    Index(usize),
}

pub(super) type Path = Vec<Step>;

pub(super) fn path(keys: &[&[u8]]) -> Path {
    keys.iter().map(|k| Step::Key(k.to_vec())).collect()
}

/// The object a relative path starts from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Anchor {
    Trailer,
    Obj(ObjRef),
}

/// One place an object is used: the absolute path, and the same seen from the nearest
/// indirect container.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Usage {
    pub(super) path: Path,
    pub(super) anchor: Anchor,
    pub(super) rel: Path,
}

pub(super) type Usages = HashMap<ObjRef, HashSet<Usage>>;
