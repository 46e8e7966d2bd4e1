//! Signet's PDF layer: the object model, a revision-aware reader, an append-only incremental
//! writer and PAdES signature preparation.
//!
//! Pure: no I/O and no clock. Callers pass file bytes in and get file bytes out; dates (`/M`)
//! are strings the caller formats.
//!
//! Malformed input gives a [`PdfError`], never a panic: nesting, counts and sizes are bounded
//! and reference chains are guarded against cycles.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![forbid(unsafe_code)]

mod chain;
mod document;
mod dss;
mod error;
pub mod fields;
mod filters;
mod fresh;
pub mod lexer;
pub mod object;
mod objstm;
pub mod parser;
mod recover;
pub mod signature;
mod spans;
pub mod writer;
mod xref;

pub use document::{Document, Revision, XrefEntry, XrefKind, MAX_DEPTH};

pub use dss::{add_dss, add_dss_in, Dss, VriEntry};
pub use error::PdfError;
pub use fields::{decode_text, encode_text, SignatureField, Widget};
pub use fresh::{one_page_pdf, FreshDocument};
pub use parser::parse_bytes;
pub use signature::{
    add_signature_fields, add_signature_fields_in, prepare_signature, prepare_signature_in,
    FieldSpec, Prepared, SignatureKind, SignatureRequest,
};
pub use writer::{Update, XrefStyle};

pub use object::{Dictionary, ObjRef, Object, Stream};

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, PdfError>;

/// Debug aid (not a stable API): every `startxref` as (position, value).
#[doc(hidden)]
pub fn debug_startxref_pointers(data: &[u8]) -> Vec<(usize, usize)> {
    xref::startxref_pointers(data)
}

/// Debug aid (not a stable API): the section at `offset` as (found at, kind, /Prev).
#[doc(hidden)]
pub fn debug_read_section(data: &[u8], offset: usize) -> Result<(usize, XrefKind, Option<i64>)> {
    let s = xref::read_section(data, offset)?;
    Ok((
        s.offset,
        s.kind,
        s.trailer.get(b"Prev").and_then(Object::as_i64),
    ))
}
