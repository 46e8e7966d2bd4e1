//! Tokenizer for PDF syntax. Works on a borrowed byte slice and never copies more than a
//! token; every loop advances, so no input makes it spin.

use crate::chars::{hex_val, is_delim_or_ws, is_ws, unhex};
use crate::{PdfError, Result};

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<'a> {
    Integer(i64),
    Real(f64),
    Name(Vec<u8>),
    String(Vec<u8>),
    ArrayOpen,
    ArrayClose,
    DictOpen,
    DictClose,
    /// A bare word: `true`, `obj`, `R`, `stream`, `xref`, ...
    Keyword(&'a [u8]),
}

/// A cursor over PDF bytes.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        Lexer {
            data,
            pos: pos.min(data.len()),
        }
    }
    pub fn pos(&self) -> usize {
        self.pos
    }
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.data.len());
    }
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
    pub fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Skips whitespace and `%` comments.
    pub fn skip_ws(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_ws(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.data.get(self.pos) {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token, or `None` at the end of data.
    pub fn next_token(&mut self) -> Result<Option<Token<'a>>> {
        self.skip_ws();
        let start = self.pos;
        let Some(&b) = self.data.get(start) else {
            return Ok(None);
        };
        let tok = match b {
            b'[' => {
                self.pos += 1;
                Token::ArrayOpen
            }
            b']' => {
                self.pos += 1;
                Token::ArrayClose
            }
            b'<' if self.data.get(start + 1) == Some(&b'<') => {
                self.pos += 2;
                Token::DictOpen
            }
            b'>' if self.data.get(start + 1) == Some(&b'>') => {
                self.pos += 2;
                Token::DictClose
            }
            b'<' => Token::String(self.hex_string()?),
            b'(' => Token::String(self.literal_string()?),
            b'/' => Token::Name(self.name()),
            b'0'..=b'9' | b'+' | b'-' | b'.' => self.number(),
            b')' | b'>' | b'{' | b'}' => {
                return Err(PdfError::syntax(start, "unexpected delimiter"))
            }
            _ => Token::Keyword(self.word()),
        };
        Ok(Some(tok))
    }

    /// Reads a run of regular characters.
    fn word(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(&b) = self.data.get(self.pos) {
            if is_delim_or_ws(b) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            // A lone byte that is neither delimiter nor regular cannot happen, but never stall.
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    fn name(&mut self) -> Vec<u8> {
        self.pos += 1; // the '/'
        let raw = self.word_or_empty();
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#' && i + 2 < raw.len() {
                if let (Some(h), Some(l)) = (hex_val(raw[i + 1]), hex_val(raw[i + 2])) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
            }
            out.push(raw[i]);
            i += 1;
        }
        out
    }

    fn word_or_empty(&mut self) -> &'a [u8] {
        let start = self.pos;
        while let Some(&b) = self.data.get(self.pos) {
            if is_delim_or_ws(b) {
                break;
            }
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    fn number(&mut self) -> Token<'a> {
        let start = self.pos;
        let w = self.word();
        parse_number(w).unwrap_or_else(|| {
            // Keep going like other readers: a garbled number is a keyword the parser rejects.
            self.pos = start + w.len();
            Token::Keyword(w)
        })
    }

    fn hex_string(&mut self) -> Result<Vec<u8>> {
        let start = self.pos;
        let rest = self.data.get(start + 1..).unwrap_or_default();
        match unhex(rest) {
            Ok((out, Some(end))) => {
                self.pos = start + 1 + end + 1;
                Ok(out)
            }
            Ok((_, None)) => {
                self.pos = self.data.len();
                Err(PdfError::Eof(start))
            }
            Err(bad) => {
                self.pos = start + 1 + bad + 1;
                Err(PdfError::syntax(start + 1 + bad, "bad hex digit"))
            }
        }
    }

    fn literal_string(&mut self) -> Result<Vec<u8>> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        loop {
            let Some(&b) = self.data.get(self.pos) else {
                return Err(PdfError::Eof(start));
            };
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(b);
                }
                b'\\' => self.escape(&mut out),
                b'\r' => {
                    // An unescaped EOL of any kind reads as a single LF.
                    if self.data.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    out.push(b'\n');
                }
                _ => out.push(b),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) {
        let Some(&c) = self.data.get(self.pos) else {
            return;
        };
        self.pos += 1;
        match c {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'\r' => {
                if self.data.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                }
            }
            b'\n' => {}
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match self.data.get(self.pos) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            _ => out.push(c),
        }
    }
}

/// Parses a PDF number; integers that overflow i64 become reals.
pub fn parse_number(w: &[u8]) -> Option<Token<'static>> {
    let s = std::str::from_utf8(w).ok()?;
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let dots = body.bytes().filter(|&b| b == b'.').count();
    if dots == 0 {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Token::Integer(i));
        }
    }
    if dots > 1 || body == "." {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    Some(Token::Real(f))
}
