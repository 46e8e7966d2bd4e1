//! Objects from tokens: direct objects, `N G obj ... endobj` and streams.

use crate::lexer::{Lexer, Token};
use crate::object::{Dictionary, ObjRef, Object, Stream};
use crate::{PdfError, Result};

/// Deepest nesting of arrays/dictionaries accepted.
pub const MAX_DEPTH: usize = 256;

/// Resolves an indirect `/Length` while a stream is being parsed.
pub type LengthResolver<'r> = &'r dyn Fn(ObjRef) -> Option<i64>;

/// Parses one direct object at the lexer's position.
pub fn parse_object(lx: &mut Lexer<'_>, depth: usize) -> Result<Object> {
    let start = lx.pos();
    let tok = lx.next_token()?.ok_or(PdfError::Eof(start))?;
    object_from(lx, tok, depth, start)
}

fn object_from(lx: &mut Lexer<'_>, tok: Token<'_>, depth: usize, start: usize) -> Result<Object> {
    if depth > MAX_DEPTH {
        return Err(PdfError::Limit(format!(
            "nesting deeper than {MAX_DEPTH} at byte {start}"
        )));
    }
    Ok(match tok {
        Token::Integer(i) => integer_or_ref(lx, i),
        Token::Real(r) => Object::Real(r),
        Token::Name(n) => Object::Name(n),
        Token::String(s) => Object::String(s),
        Token::ArrayOpen => Object::Array(array(lx, depth)?),
        Token::DictOpen => Object::Dictionary(dictionary(lx, depth)?),
        Token::Keyword(b"true") => Object::Boolean(true),
        Token::Keyword(b"false") => Object::Boolean(false),
        Token::Keyword(b"null") => Object::Null,
        Token::Keyword(k) => {
            return Err(PdfError::syntax(
                start,
                format!("unexpected `{}`", String::from_utf8_lossy(k)),
            ))
        }
        Token::ArrayClose | Token::DictClose => {
            return Err(PdfError::syntax(start, "unexpected closing delimiter"))
        }
    })
}

/// `N` may start `N G R`: look ahead two tokens and rewind if it does not.
fn integer_or_ref(lx: &mut Lexer<'_>, i: i64) -> Object {
    let save = lx.pos();
    if let (Ok(num), Ok(Some(Token::Integer(g)))) = (u32::try_from(i), lx.next_token()) {
        if let (Ok(gen), Ok(Some(Token::Keyword(b"R")))) = (u16::try_from(g), lx.next_token()) {
            return Object::Reference(ObjRef { num, gen });
        }
    }
    lx.set_pos(save);
    Object::Integer(i)
}

fn array(lx: &mut Lexer<'_>, depth: usize) -> Result<Vec<Object>> {
    let mut items = Vec::new();
    loop {
        let start = lx.pos();
        match lx.next_token()?.ok_or(PdfError::Eof(start))? {
            Token::ArrayClose => return Ok(items),
            tok => items.push(object_from(lx, tok, depth + 1, start)?),
        }
    }
}

fn dictionary(lx: &mut Lexer<'_>, depth: usize) -> Result<Dictionary> {
    let mut d = Dictionary::new();
    loop {
        let start = lx.pos();
        let key = match lx.next_token()?.ok_or(PdfError::Eof(start))? {
            Token::DictClose => return Ok(d),
            Token::Name(n) => n,
            _ => return Err(PdfError::syntax(start, "dictionary key is not a name")),
        };
        let vstart = lx.pos();
        let tok = lx.next_token()?.ok_or(PdfError::Eof(vstart))?;
        // `/Key >>` with a missing value: read as null like other readers do.
        if tok == Token::DictClose {
            d.push_raw(key, Object::Null);
            return Ok(d);
        }
        let value = object_from(lx, tok, depth + 1, vstart)?;
        d.push_raw(key, value);
    }
}

/// An indirect object parsed from `N G obj`.
#[derive(Debug)]
pub struct Indirect {
    pub id: ObjRef,
    pub object: Object,
    /// Offset just after `endobj` (or after the object when `endobj` is missing).
    pub end: usize,
}

/// Reads `N G obj` at `pos`, returning the id and the position after `obj`.
pub fn object_header(data: &[u8], pos: usize) -> Result<(ObjRef, usize)> {
    let mut lx = Lexer::new(data, pos);
    let bad = || PdfError::syntax(pos, "expected `N G obj`");
    let num = match lx.next_token()? {
        Some(Token::Integer(n)) => u32::try_from(n).map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    let gen = match lx.next_token()? {
        Some(Token::Integer(g)) => u16::try_from(g).map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    match lx.next_token()? {
        Some(Token::Keyword(b"obj")) => Ok((ObjRef { num, gen }, lx.pos())),
        _ => Err(bad()),
    }
}

/// Parses a whole indirect object at `pos`.
pub fn parse_indirect(data: &[u8], pos: usize, lengths: LengthResolver<'_>) -> Result<Indirect> {
    let (id, after) = object_header(data, pos)?;
    let mut lx = Lexer::new(data, after);
    let object = parse_object(&mut lx, 0)?;
    let object = match object {
        Object::Dictionary(dict) => stream_or_dict(&mut lx, dict, lengths)?,
        o => o,
    };
    let save = lx.pos();
    let end = match lx.next_token() {
        Ok(Some(Token::Keyword(b"endobj"))) => lx.pos(),
        _ => save,
    };
    Ok(Indirect { id, object, end })
}

fn stream_or_dict(
    lx: &mut Lexer<'_>,
    dict: Dictionary,
    lengths: LengthResolver<'_>,
) -> Result<Object> {
    let save = lx.pos();
    if lx.next_token().ok().flatten() != Some(Token::Keyword(b"stream")) {
        lx.set_pos(save);
        return Ok(Object::Dictionary(dict));
    }
    let data = lx.data();
    let mut start = lx.pos();
    // `stream` is followed by CRLF or LF (a lone CR is tolerated).
    if data.get(start) == Some(&b'\r') {
        start += 1;
    }
    if data.get(start) == Some(&b'\n') {
        start += 1;
    }
    let declared = match dict.get(b"Length") {
        Some(Object::Integer(n)) => Some(*n),
        Some(Object::Reference(r)) => lengths(*r),
        _ => None,
    };
    let end = stream_end(data, start, declared)?;
    let body = data[start..end].to_vec();
    let mut lx2 = Lexer::new(data, end);
    lx2.skip_ws();
    if data[lx2.pos()..].starts_with(b"endstream") {
        lx2.set_pos(lx2.pos() + 9);
    }
    lx.set_pos(lx2.pos());
    Ok(Object::Stream(Stream::new(dict, body)))
}

/// The end of stream data: trust /Length when `endstream` follows it, else search.
fn stream_end(data: &[u8], start: usize, declared: Option<i64>) -> Result<usize> {
    if let Some(n) = declared.and_then(|n| usize::try_from(n).ok()) {
        if let Some(end) = start.checked_add(n).filter(|&e| e <= data.len()) {
            let mut lx = Lexer::new(data, end);
            lx.skip_ws();
            if data[lx.pos()..].starts_with(b"endstream") {
                return Ok(end);
            }
        }
    }
    let rel = find(&data[start..], b"endstream").ok_or(PdfError::Eof(start))?;
    let mut end = start + rel;
    // The EOL before `endstream` is not part of the data.
    if end > start && data[end - 1] == b'\n' {
        end -= 1;
    }
    if end > start && data[end - 1] == b'\r' {
        end -= 1;
    }
    Ok(end)
}

/// First occurrence of `needle` in `hay`. Whole-file scans (`%%EOF`, `startxref`, recovery)
/// run on every parse, so this is memchr's SIMD search, not a byte loop (10× on a 1 MB file).
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(hay, needle)
}

/// Last occurrence of `needle` in `hay`.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

/// Parses a direct object from a complete byte slice (used by tests and callers).
pub fn parse_bytes(bytes: &[u8]) -> Result<Object> {
    let mut lx = Lexer::new(bytes, 0);
    parse_object(&mut lx, 0)
}
