//! The one error type of the crate.

/// Why an appearance could not be made, precisely enough to tell the person what to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppearanceError {
    /// The box (or a rectangle) is not a finite, positive size within PDF limits.
    #[error("invalid box size {width} x {height} pt (each must be finite, > 0 and <= {max})")]
    BadBox {
        /// Width asked for, in points.
        width: f64,
        /// Height asked for, in points.
        height: f64,
        /// The largest side accepted.
        max: f64,
    },
    /// The box leaves no room for the text next to the image.
    #[error("the box is too small for its content: {0}")]
    BoxTooSmall(&'static str),
    /// A text is longer than the limit.
    #[error("the {what} is too long: {len} characters (at most {max})")]
    TextTooLong {
        /// Which text (`agency name`, `notation`, ...).
        what: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A text that must be shown is empty.
    #[error("the {0} is empty")]
    EmptyText(&'static str),
    /// The signing time is not ISO 8601 in Vietnam time (`YYYY-MM-DDThh:mm:ss+07:00`).
    #[error("the signing time {0:?} is not of the form 2026-11-23T14:05:09+07:00")]
    BadTime(String),
    /// A character has no glyph in the embedded font (or is a control character).
    #[error("the character {0:?} (U+{1:04X}) cannot be shown with the embedded font")]
    MissingGlyph(char, u32),
    /// The bytes are not a PNG image we can read.
    #[error("invalid PNG image: {0}")]
    BadPng(String),
    /// The PNG image is larger than the limits.
    #[error("PNG image too large: {0}")]
    PngTooLarge(String),
    /// The bytes start as a JPEG image but cannot be read (damaged, cut short).
    #[error("invalid JPEG image: {0}")]
    BadJpeg(String),
    /// A JPEG image of a kind not drawn (CMYK, 16-bit samples, arithmetic coding).
    #[error("unsupported JPEG image: {0}")]
    UnsupportedJpeg(String),
    /// The JPEG image is larger than the limits.
    #[error("JPEG image too large: {0}")]
    JpegTooLarge(String),
    /// The embedded font could not be read or subset (a build defect, not a user error).
    #[error("font error: {0}")]
    Font(&'static str),
}
