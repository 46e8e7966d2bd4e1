//! A small BER/DER reader for CMS as third parties write it.
//!
//! Why not `der` for everything: signatures in the wild use BER indefinite lengths (17 of the
//! 181 signatures of our corpus), and `der` sorts SET OF values while decoding, which changes
//! the bytes of signed attributes that a signer wrote unsorted. The verifier needs the bytes
//! exactly as signed, so it walks the structure with this reader and hands only small,
//! well-formed pieces (certificates, algorithm identifiers, attribute values) to `der`.
//!
//! Limits keep hostile input cheap: nesting depth and element count per walk are bounded, and
//! every length is checked against the input before use, so nothing is allocated from a length.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::error::{PkiError, Result};

/// Deepest nesting followed when measuring an indefinite-length element.
const MAX_DEPTH: usize = 64;

/// One element: its tag byte, its contents and the whole encoding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (only low tag numbers: CMS uses no tag above 30).
    pub tag: u8,
    /// The contents. For an indefinite-length element, everything up to the end-of-contents.
    pub contents: &'a [u8],
    /// Identifier, length and contents (and the end-of-contents octets, if any).
    pub whole: &'a [u8],
    /// True for an indefinite-length (BER) element.
    pub indefinite: bool,
}

impl<'a> Tlv<'a> {
    /// True if the constructed bit is set.
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// The children of a constructed element.
    pub fn children(&self) -> Reader<'a> {
        Reader::new(self.contents)
    }

    /// The contents of a primitive element, or the concatenated pieces of a constructed
    /// (BER) string such as a segmented OCTET STRING.
    pub fn string_bytes(&self) -> Result<Vec<u8>> {
        if !self.constructed() {
            return Ok(self.contents.to_vec());
        }
        let mut out = Vec::new();
        let mut r = self.children();
        while let Some(piece) = r.next()? {
            if piece.constructed() {
                return Err(malformed("nested constructed string"));
            }
            out.extend_from_slice(piece.contents);
        }
        Ok(out)
    }

    /// The element re-labelled with another identifier octet, as DER (definite length).
    /// Used for signed attributes: signed as `SET OF` (0x31), stored as `[0] IMPLICIT` (0xa0).
    pub fn with_tag(&self, tag: u8) -> Vec<u8> {
        if !self.indefinite {
            let mut v = self.whole.to_vec();
            if let Some(first) = v.first_mut() {
                *first = tag;
            }
            return v;
        }
        encode(tag, self.contents)
    }
}

/// A cursor over consecutive elements.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

pub(crate) fn malformed(detail: &str) -> PkiError {
    PkiError::MalformedDer {
        what: "CMS",
        detail: detail.to_string(),
    }
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    /// True when no element is left (an end-of-contents pair also ends the walk).
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty() || self.rest.starts_with(&[0, 0])
    }

    /// What has not been read.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// The next element, or `None` at the end.
    pub fn next(&mut self) -> Result<Option<Tlv<'a>>> {
        if self.is_empty() {
            return Ok(None);
        }
        let tlv = parse(self.rest, 0)?;
        self.rest = &self.rest[tlv.whole.len()..];
        Ok(Some(tlv))
    }

    /// The next element, which must exist.
    pub fn expect(&mut self, what: &str) -> Result<Tlv<'a>> {
        self.next()?
            .ok_or_else(|| malformed(&format!("missing {what}")))
    }

    /// The next element if it has `tag`.
    pub fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>> {
        if self.rest.first() == Some(&tag) {
            self.next()
        } else {
            Ok(None)
        }
    }

    /// The next element, which must have `tag`.
    pub fn expect_tag(&mut self, tag: u8, what: &str) -> Result<Tlv<'a>> {
        let t = self.expect(what)?;
        if t.tag != tag {
            return Err(malformed(&format!(
                "{what}: expected tag {tag:#04x}, found {:#04x}",
                t.tag
            )));
        }
        Ok(t)
    }
}

/// Parses one element at the start of `input`.
pub(crate) fn parse(input: &[u8], depth: usize) -> Result<Tlv<'_>> {
    if depth > MAX_DEPTH {
        return Err(malformed("nesting too deep"));
    }
    let (&tag, after_tag) = input.split_first().ok_or_else(|| malformed("truncated"))?;
    if tag & 0x1f == 0x1f {
        return Err(malformed("high tag numbers are not used in CMS"));
    }
    let (&first, after_len) = after_tag
        .split_first()
        .ok_or_else(|| malformed("truncated length"))?;
    if first == 0x80 {
        if tag & 0x20 == 0 {
            return Err(malformed("indefinite length on a primitive element"));
        }
        let body = indefinite_body(after_len, depth)?;
        let whole_len = 2 + body.len() + 2;
        return Ok(Tlv {
            tag,
            contents: body,
            whole: &input[..whole_len],
            indefinite: true,
        });
    }
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n > 4 || after_len.len() < n {
            return Err(malformed("bad length"));
        }
        let len = after_len[..n]
            .iter()
            .fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, 2 + n)
    };
    let end = header
        .checked_add(len)
        .filter(|e| *e <= input.len())
        .ok_or_else(|| malformed("length past the end of the input"))?;
    Ok(Tlv {
        tag,
        contents: &input[header..end],
        whole: &input[..end],
        indefinite: false,
    })
}

/// The contents of an indefinite-length element: children up to the end-of-contents octets.
fn indefinite_body(input: &[u8], depth: usize) -> Result<&[u8]> {
    let mut at = 0;
    loop {
        let rest = &input[at..];
        if rest.starts_with(&[0, 0]) {
            return Ok(&input[..at]);
        }
        if rest.is_empty() {
            return Err(malformed("missing end-of-contents"));
        }
        at += parse(rest, depth + 1)?.whole.len();
    }
}

/// DER of one element with a definite length.
pub(crate) fn encode(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    out.push(tag);
    let n = contents.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = (n as u64).to_be_bytes();
        let skip = bytes.iter().position(|b| *b != 0).unwrap_or(7);
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
    out
}

/// DER INTEGER of an unsigned big-endian value (leading zeros dropped, one added if needed).
pub(crate) fn unsigned_integer(value: &[u8]) -> Vec<u8> {
    let start = value.iter().position(|b| *b != 0).unwrap_or(value.len());
    let mut v = Vec::with_capacity(value.len() + 1);
    match value.get(start) {
        None => v.push(0),
        Some(b) if b & 0x80 != 0 => v.push(0),
        _ => {}
    }
    v.extend_from_slice(&value[start..]);
    encode(0x02, &v)
}

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
pub(crate) const OID: u8 = 0x06;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const INTEGER: u8 = 0x02;

fn time_error(detail: impl Into<String>) -> PkiError {
    PkiError::MalformedDer {
        what: "time",
        detail: detail.into(),
    }
}

/// UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSS[.fff]Z`), as signers and TSAs
/// write them; fractions of a second are dropped.
pub(crate) fn parse_time(t: &Tlv<'_>) -> Result<OffsetDateTime> {
    let s = std::str::from_utf8(t.contents).map_err(|_| time_error("time is not ASCII"))?;
    let bad = || time_error(format!("unsupported time {s:?}"));
    if !s.is_ascii() {
        return Err(bad()); // byte slicing below needs ASCII
    }
    let s = s.strip_suffix('Z').ok_or_else(bad)?;
    let (year, rest) = match t.tag {
        0x17 if s.len() == 12 => {
            let yy: i32 = s[..2].parse().map_err(|_| bad())?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &s[2..])
        }
        0x18 if s.len() >= 14 => (s[..4].parse().map_err(|_| bad())?, &s[4..]),
        _ => return Err(bad()),
    };
    let frac = &rest[10..];
    if !(frac.is_empty() || frac.starts_with('.') && frac[1..].bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n = |i: usize| -> Result<u8> {
        let v = rest.get(i..i + 2).ok_or_else(bad)?;
        if !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        v.parse().map_err(|_| bad())
    };
    let month = Month::try_from(n(0)?).map_err(|_| bad())?;
    let date = Date::from_calendar_date(year, month, n(2)?).map_err(|_| bad())?;
    let time = Time::from_hms(n(4)?, n(6)?, n(8)?).map_err(|_| bad())?;
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn definite_and_indefinite_lengths() {
        // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c',
            0x00, 0x00, 0x00, 0x00, 0xff,
        ];
        let t = parse(&ber, 0).unwrap();
        assert!(t.indefinite);
        assert_eq!(t.whole.len(), ber.len() - 1);
        let mut r = t.children();
        assert_eq!(r.expect("int").unwrap().contents, &[5]);
        let s = r.expect("str").unwrap();
        assert_eq!(s.string_bytes().unwrap(), b"abc");
        assert!(r.next().unwrap().is_none());
        assert_eq!(t.with_tag(0x31)[..2], [0x31, (ber.len() - 1 - 4) as u8][..]);
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            &[][..],
            &[0x30],
            &[0x30, 0x05, 0x01],
            &[0x30, 0x80, 0x02, 0x01],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x04, 0x80, 0, 0],
            &[0x1f, 0x01, 0x00],
        ] {
            assert!(parse(bad, 0).is_err(), "{bad:02x?}");
        }
        // Deep indefinite nesting stops at the limit instead of overflowing the stack.
        let mut deep = vec![];
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        assert!(parse(&deep, 0).is_err());
    }

    #[test]
    fn integers_and_lengths_encode_minimally() {
        assert_eq!(unsigned_integer(&[0, 0, 0x7f]), vec![0x02, 1, 0x7f]);
        assert_eq!(unsigned_integer(&[0x80]), vec![0x02, 2, 0, 0x80]);
        assert_eq!(unsigned_integer(&[]), vec![0x02, 1, 0]);
        assert_eq!(encode(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(encode(0x04, &[0; 300])[..4], [0x04, 0x82, 1, 44]);
    }

    fn time(tag: u8, s: &str) -> Result<OffsetDateTime> {
        let der = encode(tag, s.as_bytes());
        parse_time(&parse(&der, 0)?)
    }

    #[test]
    fn times_parse_with_and_without_fractions() {
        let t = time(0x18, "20261123101500.123Z").unwrap();
        assert_eq!(t.unix_timestamp(), 1_795_428_900);
        assert_eq!(time(0x17, "261123101500Z").unwrap(), t);
        assert_eq!(time(0x17, "491231235959Z").unwrap().year(), 2049);
        assert_eq!(time(0x17, "500101000000Z").unwrap().year(), 1950);
        for bad in [
            "2026112310150Z",
            "20261323101500Z",
            "20261123101500",
            "2026112310150aZ",
            "20261123101500.Z1",
            "ééééééééééééééZ",
        ] {
            assert!(time(0x18, bad).is_err(), "{bad}");
        }
    }
}
