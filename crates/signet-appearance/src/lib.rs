//! Visible signature appearances for Vietnamese e-documents (Nghị định 30/2020/NĐ-CP, Phụ lục I).
//!
//! [`render`] turns an [`Appearance`] — one of the three layouts of Phụ lục I with its box
//! size — into PDF objects: a Form XObject (returned) and its resources (images with their
//! soft masks, a Type0 font with an embedded TrueType subset and a `/ToUnicode` CMap). The
//! objects are handed to an [`ObjectSink`], so this crate knows nothing of the PDF writer that
//! puts them into a file.
//!
//! - [`Layout::Personal`]: the competent person's handwritten signature (blue PNG, transparent
//!   background) scaled to fit the box; without an image, the person's name as text.
//! - [`Layout::Organization`]: the red seal at its real size, covering the left third of the
//!   leader's signature ([`seal_rect`] places the field), with the agency name and the signing
//!   time.
//! - [`Layout::Attachment`]: text only (Times New Roman metrics, 10 pt, black) for the top right
//!   of the first page of an attachment or electronic copy ([`top_right_rect`]).
//!
//! Text is drawn with Liberation Serif (metric-compatible with Times New Roman, SIL OFL 1.1),
//! subset per appearance, so Vietnamese diacritics render and are extractable (`pdftotext`).
//!
//! The crate is pure: no file, no clock. The signing time is a string the caller formats.
#![warn(missing_docs)]

mod content;
mod copy_form;
pub mod demo;
mod error;
mod font;
mod image;
mod layout;
mod page;
mod pdf;
mod render;
mod text;

pub use copy_form::{render_copy_form, CopyForm};
pub use error::AppearanceError;
pub use image::{
    image_dimensions, is_jpeg, png_dimensions, seal_size_pt, signature_image_rect, MAX_PNG_BYTES,
    MAX_PNG_PIXELS, MAX_PNG_SIDE,
};
pub use layout::{default_signature_rect, seal_rect, top_right_rect};
pub use page::{render_text_page, render_text_pages, TextLine};
pub use render::{render, Appearance, AttachmentText, Layout};

/// Where the objects of an appearance go: the caller's PDF writer.
pub trait ObjectSink {
    /// Reserve the next object number (the caller's writer allocates it).
    fn reserve(&mut self) -> u32;
    /// Give the serialized body of object `num` (e.g. `<< ... >>` or
    /// `<< /Length n ... >>stream\n...\nendstream`), without the `num 0 obj` / `endobj` wrapper.
    fn put(&mut self, num: u32, body: Vec<u8>);
}
