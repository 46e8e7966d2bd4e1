//! Signet's PDF layer: the object model, a revision-aware reader, an append-only incremental
//! writer and PAdES signature preparation.
//!
//! Pure: no I/O and no clock. Callers pass file bytes in and get file bytes out; dates (`/M`)
//! are strings the caller formats. Malformed input gives a [`PdfError`], never a panic:
//! nesting, counts and sizes are bounded and reference chains are guarded against cycles.
//!
//! # Reading
//! [`Document::parse`] follows `startxref` and `/Prev` through classic tables, xref streams
//! and hybrid sections. Each xref section is one [`Revision`] (as pyHanko counts them), with
//! the offset where it ends ([`Revision::end`]: just after its `%%EOF` and EOL — where a
//! ByteRange must reach to cover it). [`Document::get_at`] shows an object as of any revision.
//! Small defects (offsets a few bytes off, a broken `/Prev` with an earlier `startxref` to fall
//! back on) are tolerated and flagged by [`Document::lenient`]; a file whose xref is unusable
//! is rebuilt by scanning and flagged by [`Document::recovered`] (never report it valid).
//!
//! # Signing
//! ```
//! use signet_pdf::*;
//! let pdf = one_page_pdf([0.0, 0.0, 595.0, 842.0], b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET");
//! // 1. All signature fields in one revision (the product rule).
//! let doc = Document::parse(&pdf)?;
//! let spec = |name: &str, x: f64| FieldSpec { name: name.into(), page: 0, rect: [x, 60.0, x + 200.0, 130.0], appearance: None };
//! let with_fields = add_signature_fields(&doc, &[spec("SigSeal", 40.0), spec("SigPerson", 350.0)])?;
//! // 2. A placeholder for one of them; `Prepared` is serde-serializable and can wait.
//! let doc = Document::parse(&with_fields)?;
//! let prepared = prepare_signature(&doc, &SignatureRequest::cades("SigPerson", "D:20261123143000+07'00'", 8192))?;
//! let (first, second) = prepared.signed_ranges(); // hash these for the CMS messageDigest
//! assert_eq!(first.len() + second.len() + 2 * 8192 + 2, prepared.bytes.len());
//! // 3. Embed the DER CMS from the signer.
//! # let cms_der = [0x30, 0x00];
//! let signed = prepared.embed(&cms_der)?;
//! assert_eq!(Document::parse(&signed)?.revisions().len(), 3);
//! # Ok::<(), PdfError>(())
//! ```
//! An appearance from the appearance crate is written into the same [`Update`] first
//! ([`Update::put_raw`]) and passed as [`FieldSpec::appearance`] to
//! [`add_signature_fields_in`] (or [`SignatureRequest::appearance`] to
//! [`prepare_signature_in`]).
//!
//! # Writing
//! [`Update`] appends one section: earlier bytes are never touched; the xref flavour follows
//! the previous section (a table after a hybrid one — see [`writer`]); the trailer keeps every
//! entry but `/Prev` (and `/XRefStm`). It refuses recovered files, and lenient ones unless
//! [`Update::allow_lenient`] is called: bytes appended after damage can change how the
//! damaged parts read. [`rewrite`] turns an unsigned damaged file into a clean one first.
//! [`FreshDocument`] writes small new files.

mod chain;
mod chars;
mod copy;
mod crypt;
mod document;
mod dss;
mod error;
pub mod fields;
mod fill;
mod filters;
mod fresh;
pub mod fuzz;
pub mod lexer;
pub mod object;
mod objstm;
pub mod parser;
mod recover;
mod revision;
pub mod scan;
pub mod signature;
mod spans;
pub mod writer;
mod xref;

pub use copy::{copy_pages, PageCopy};
pub use crypt::{Encryption, Opened};
pub use document::{Document, Revision, XrefEntry, XrefKind, MAX_DEPTH};
pub use dss::{add_dss, add_dss_in, Dss, VriEntry};
pub use error::{PdfError, Result};
pub use fields::{decode_text, encode_text, SignatureField, Widget};
pub use fill::fill_text_fields_in;
pub use fresh::{one_page_pdf, rewrite, FreshDocument};
pub use object::{Dictionary, ObjRef, Object, Stream};
pub use parser::parse_bytes;
pub use signature::{
    add_signature_fields, add_signature_fields_in, prepare_signature, prepare_signature_in,
    FieldSpec, Prepared, SignatureKind, SignatureRequest,
};
pub use writer::{Update, XrefStyle};
