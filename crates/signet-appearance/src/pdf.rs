//! Small helpers to serialize PDF object bodies.

use std::fmt::Write as _;

/// A PDF real number: at most 3 decimals, no exponent, no `-0` (PDF has no exponent syntax).
pub(crate) fn num(v: f64) -> String {
    let rounded = (v * 1000.0).round() / 1000.0;
    if rounded == 0.0 || !rounded.is_finite() {
        return "0".to_owned();
    }
    let mut s = format!("{rounded:.3}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

/// A stream object body: `dict` holds the entries other than `/Length` and `/Filter`.
/// The data is deflated when that makes it smaller (tiny content streams stay readable).
pub(crate) fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let packed = deflate(data);
    let (filter, body) = if packed.len() < data.len() {
        (" /Filter /FlateDecode", packed)
    } else {
        ("", data.to_vec())
    };
    let mut out = format!("<< {dict}{filter} /Length {} >>\nstream\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out.extend_from_slice(b"\nendstream");
    out
}

/// zlib-wrapped deflate, as `/FlateDecode` and PNG's IDAT expect.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 9)
}

/// A PDF literal string for ASCII text such as font names (escapes the delimiters).
pub(crate) fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('(');
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// Two-byte big-endian hex of a glyph id, as used in Identity-H strings and CMaps.
pub(crate) fn hex16(out: &mut String, v: u16) {
    let _ = write!(out, "{v:04X}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_pdf_reals() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(12.3456), "12.346");
        assert_eq!(num(-2.5), "-2.5");
        assert_eq!(num(14_400.25), "14400.25");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn streams_carry_their_length() {
        let body = stream("/Type /X", b"abc");
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with("<< /Type /X /Length 3 >>\nstream\nabc\nendstream"));
        let long = vec![b'a'; 1000];
        let body = stream("", &long);
        assert!(String::from_utf8_lossy(&body).contains("/FlateDecode"));
        assert_eq!(literal("a(b)\\"), "(a\\(b\\)\\\\)");
    }
}
