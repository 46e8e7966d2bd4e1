//! A small streaming XML reader: well-formedness and namespaces, in bounded memory.
//!
//! Why our own and not a DOM or `quick-xml`: a packet carries its attachments as base64 text
//! that can be hundreds of megabytes, and a reader that returns a text node whole would hold it
//! all. This one hands text out in chunks of at most [`TEXT_CHUNK`] bytes, refuses any DOCTYPE
//! (so no entity can expand), knows only the five predefined entities and character
//! references, and bounds names, tags, attributes and depth. Input must be UTF-8 (the QCVN
//! packets are); an XML declaration naming another encoding is refused.

use std::io::BufRead;

use crate::EdxmlError;

/// The largest text chunk handed out at once.
pub(crate) const TEXT_CHUNK: usize = 64 * 1024;
const MAX_TAG: usize = 256 * 1024;
const MAX_DEPTH: usize = 128;
const MAX_ATTRS: usize = 128;
const MAX_SKIPPED: usize = 1024 * 1024;

/// A name with its namespace resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QName {
    /// The prefix as written ("" for none).
    pub prefix: String,
    pub local: String,
    /// The namespace URI ("" for none).
    pub ns: String,
}

impl QName {
    /// The name as written: `prefix:local` or `local`.
    pub fn written(&self) -> String {
        if self.prefix.is_empty() {
            self.local.clone()
        } else {
            format!("{}:{}", self.prefix, self.local)
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Attr {
    pub name: QName,
    pub value: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Element {
    pub name: QName,
    /// Attributes other than namespace declarations.
    pub attrs: Vec<Attr>,
    /// The namespace declarations on this element: (prefix or "", URI).
    pub decls: Vec<(String, String)>,
}

impl Element {
    /// The value of the attribute of this local name (any namespace).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name.local == local)
            .map(|a| a.value.as_str())
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Event {
    Start(Element),
    End(QName),
    /// A piece of character data (entities resolved, line ends normalized).
    Text(String),
    /// A processing instruction (the XML declaration is not one).
    Pi {
        target: String,
        data: String,
    },
    Eof,
}

/// The XML reader over any buffered input.
pub(crate) struct Lexer<R: BufRead> {
    input: R,
    offset: u64,
    /// Open elements and the namespace declarations each made.
    open: Vec<(QName, usize)>,
    /// In-scope declarations (prefix, uri); `open` records how many each element pushed.
    scope: Vec<(String, String)>,
    pending_end: Option<QName>,
    seen_root: bool,
    done: bool,
    /// An incomplete UTF-8 sequence or `\r` carried to the next chunk.
    carry: Vec<u8>,
    /// The last text byte was a `\r` (a `\n` right after it is dropped).
    after_cr: bool,
    in_cdata: bool,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':') || b >= 0x80
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

impl<R: BufRead> Lexer<R> {
    pub fn new(input: R) -> Self {
        Lexer {
            input,
            offset: 0,
            open: Vec::new(),
            scope: Vec::new(),
            pending_end: None,
            seen_root: false,
            done: false,
            carry: Vec::new(),
            after_cr: false,
            in_cdata: false,
        }
    }

    fn err(&self, what: impl Into<String>) -> EdxmlError {
        EdxmlError::Malformed {
            offset: self.offset,
            what: what.into(),
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, EdxmlError> {
        let buf = self
            .input
            .fill_buf()
            .map_err(|e| EdxmlError::Io(e.to_string()))?;
        Ok(buf.first().copied())
    }

    fn bump(&mut self) -> Result<Option<u8>, EdxmlError> {
        let b = self.peek()?;
        if b.is_some() {
            self.input.consume(1);
            self.offset += 1;
        }
        Ok(b)
    }

    fn need(&mut self, what: &str) -> Result<u8, EdxmlError> {
        match self.bump()? {
            Some(b) => Ok(b),
            None => Err(self.truncated(what)),
        }
    }

    fn truncated(&self, what: &str) -> EdxmlError {
        let inside = self
            .open
            .last()
            .map(|(n, _)| format!(" inside <{}>", n.written()))
            .unwrap_or_default();
        EdxmlError::Malformed {
            offset: self.offset,
            what: format!("truncated: the file ends in {what}{inside}"),
        }
    }

    fn expect(&mut self, lit: &[u8], what: &str) -> Result<(), EdxmlError> {
        for &c in lit {
            if self.need(what)? != c {
                return Err(self.err(format!("expected {what}")));
            }
        }
        Ok(())
    }

    /// Reads up to and including `end`, refusing more than `max` bytes; returns what came
    /// before `end`.
    fn until(&mut self, end: &[u8], max: usize, what: &str) -> Result<Vec<u8>, EdxmlError> {
        let mut out = Vec::new();
        loop {
            out.push(self.need(what)?);
            if out.ends_with(end) {
                out.truncate(out.len() - end.len());
                return Ok(out);
            }
            if out.len() > max {
                return Err(self.err(format!("{what} longer than {max} bytes")));
            }
        }
    }

    fn skip_space(&mut self) -> Result<(), EdxmlError> {
        while let Some(b) = self.peek()? {
            if !is_space(b) {
                break;
            }
            self.bump()?;
        }
        Ok(())
    }

    fn name(&mut self) -> Result<String, EdxmlError> {
        let mut n = Vec::new();
        while let Some(b) = self.peek()? {
            if !is_name_byte(b) {
                break;
            }
            n.push(b);
            self.bump()?;
            if n.len() > 1024 {
                return Err(self.err("a name longer than 1024 bytes"));
            }
        }
        let first_ok = n
            .first()
            .is_some_and(|b| !b.is_ascii_digit() && !matches!(b, b'-' | b'.'));
        if !first_ok {
            return Err(self.err("expected a name"));
        }
        String::from_utf8(n).map_err(|_| self.err("a name that is not UTF-8"))
    }

    /// The next event. Comments and the XML declaration are skipped.
    pub fn next(&mut self) -> Result<Event, EdxmlError> {
        if let Some(n) = self.pending_end.take() {
            return Ok(self.close(n));
        }
        loop {
            if self.done {
                return Ok(Event::Eof);
            }
            if self.in_cdata {
                return self.cdata();
            }
            match self.peek()? {
                None => {
                    if !self.open.is_empty() || !self.seen_root {
                        return Err(self.truncated(if self.seen_root {
                            "the document"
                        } else {
                            "the prolog (no root element)"
                        }));
                    }
                    self.done = true;
                    return Ok(Event::Eof);
                }
                Some(b'<') => {
                    self.bump()?;
                    if let Some(e) = self.markup()? {
                        return Ok(e);
                    }
                }
                Some(_) if self.open.is_empty() => {
                    let b = self.need("text")?;
                    let bom = b == 0xEF && self.offset == 1;
                    if !(is_space(b) || bom) {
                        return Err(self.err("text outside the root element"));
                    }
                    if b == 0xEF {
                        self.expect(&[0xBB, 0xBF], "a UTF-8 byte order mark")?;
                    }
                }
                Some(_) => return self.text(),
            }
        }
    }

    fn close(&mut self, name: QName) -> Event {
        if let Some((_, pushed)) = self.open.pop() {
            self.scope.truncate(self.scope.len().saturating_sub(pushed));
        }
        Event::End(name)
    }

    /// After `<`: an element, end tag, comment, PI or CDATA. `None` for skipped markup.
    fn markup(&mut self) -> Result<Option<Event>, EdxmlError> {
        match self.peek()? {
            Some(b'?') => {
                self.bump()?;
                self.pi()
            }
            Some(b'!') => {
                self.bump()?;
                self.bang()
            }
            Some(b'/') => {
                self.bump()?;
                self.end_tag().map(Some)
            }
            Some(_) => self.start_tag().map(Some),
            None => Err(self.truncated("a tag")),
        }
    }

    fn pi(&mut self) -> Result<Option<Event>, EdxmlError> {
        let target = self.name()?;
        let data = self.until(b"?>", MAX_TAG, "a processing instruction")?;
        let data = String::from_utf8(data).map_err(|_| self.err("a PI that is not UTF-8"))?;
        if target.eq_ignore_ascii_case("xml") {
            if self.offset > (data.len() + 12) as u64 || self.seen_root {
                return Err(self.err("an XML declaration not at the start"));
            }
            check_declared_encoding(&data).map_err(|e| self.err(e))?;
            return Ok(None);
        }
        Ok(Some(Event::Pi {
            target,
            data: data.trim_start().to_owned(),
        }))
    }

    fn bang(&mut self) -> Result<Option<Event>, EdxmlError> {
        match self.peek()? {
            Some(b'-') => {
                self.expect(b"--", "a comment")?;
                self.until(b"-->", MAX_SKIPPED, "a comment")?;
                Ok(None)
            }
            Some(b'[') => {
                self.expect(b"[CDATA[", "a CDATA section")?;
                if self.open.is_empty() {
                    return Err(self.err("CDATA outside the root element"));
                }
                self.in_cdata = true;
                self.cdata().map(Some)
            }
            _ => {
                let word = self.name().unwrap_or_default();
                if word.eq_ignore_ascii_case("DOCTYPE") {
                    return Err(EdxmlError::Refused(
                        "a DOCTYPE is not allowed in an edXML packet (entity expansion)".into(),
                    ));
                }
                Err(self.err(format!("unexpected <!{word}")))
            }
        }
    }

    /// Character data of a CDATA section, in chunks, until `]]>`.
    fn cdata(&mut self) -> Result<Event, EdxmlError> {
        let mut out = std::mem::take(&mut self.carry);
        while out.len() < TEXT_CHUNK {
            let b = self.need("a CDATA section")?;
            out.push(b);
            if out.ends_with(b"]]>") {
                out.truncate(out.len() - 3);
                self.in_cdata = false;
                break;
            }
        }
        if self.in_cdata {
            // Keep a possible start of "]]>" for the next chunk.
            let keep = out.iter().rev().take_while(|b| **b == b']').count().min(2);
            self.carry = out.split_off(out.len() - keep);
        }
        let text = self.utf8_chunk(normalize_newlines(out), !self.in_cdata)?;
        Ok(Event::Text(text))
    }

    /// Turns bytes into text; an incomplete UTF-8 sequence at the end waits for the next
    /// chunk unless `last`.
    fn utf8_chunk(&mut self, mut bytes: Vec<u8>, last: bool) -> Result<String, EdxmlError> {
        match std::str::from_utf8(&bytes) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() && !last => {
                let tail = bytes.split_off(e.valid_up_to());
                let mut carry = tail;
                carry.append(&mut self.carry);
                self.carry = carry;
            }
            Err(_) => return Err(self.err("text that is not UTF-8")),
        }
        String::from_utf8(bytes).map_err(|_| self.err("text that is not UTF-8"))
    }

    fn end_tag(&mut self) -> Result<Event, EdxmlError> {
        let written = self.name()?;
        self.skip_space()?;
        if self.need("an end tag")? != b'>' {
            return Err(self.err(format!("expected > after </{written}")));
        }
        let Some((open, _)) = self.open.last() else {
            return Err(self.err(format!("</{written}> without a start tag")));
        };
        if open.written() != written {
            return Err(self.err(format!(
                "</{written}> closes <{}> (an unescaped < in text?)",
                open.written()
            )));
        }
        let name = open.clone();
        Ok(self.close(name))
    }

    fn start_tag(&mut self) -> Result<Event, EdxmlError> {
        if self.open.is_empty() && self.seen_root {
            return Err(self.err("a second root element"));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(self.err(format!("elements nested deeper than {MAX_DEPTH}")));
        }
        let name = self.name()?;
        let mut raw_attrs: Vec<(String, String)> = Vec::new();
        let mut tag_bytes = name.len();
        let empty = loop {
            let had_space = matches!(self.peek()?, Some(b) if is_space(b));
            self.skip_space()?;
            match self.need("a start tag")? {
                b'>' => break false,
                b'/' => {
                    if self.need("a start tag")? != b'>' {
                        return Err(self.err("expected /> "));
                    }
                    break true;
                }
                b => {
                    if !had_space {
                        return Err(
                            self.err(format!("expected a space before an attribute of <{name}>"))
                        );
                    }
                    let (n, v) = self.attribute(b)?;
                    tag_bytes += n.len() + v.len();
                    if raw_attrs.iter().any(|(x, _)| *x == n) {
                        return Err(self.err(format!("attribute {n} repeated")));
                    }
                    if raw_attrs.len() >= MAX_ATTRS || tag_bytes > MAX_TAG {
                        return Err(
                            self.err(format!("<{name}> has too many or too long attributes"))
                        );
                    }
                    raw_attrs.push((n, v));
                }
            }
        };
        let element = self.resolve(&name, raw_attrs)?;
        self.seen_root = true;
        if empty {
            self.pending_end = Some(element.name.clone());
        }
        Ok(Event::Start(element))
    }

    /// One attribute whose first byte was `first`.
    fn attribute(&mut self, first: u8) -> Result<(String, String), EdxmlError> {
        let mut name = vec![first];
        while let Some(b) = self.peek()? {
            if !is_name_byte(b) {
                break;
            }
            name.push(b);
            self.bump()?;
            if name.len() > 1024 {
                return Err(self.err("an attribute name longer than 1024 bytes"));
            }
        }
        if !is_name_byte(first) || first.is_ascii_digit() {
            return Err(self.err("expected an attribute name"));
        }
        let name = String::from_utf8(name).map_err(|_| self.err("a name that is not UTF-8"))?;
        self.skip_space()?;
        if self.need("an attribute")? != b'=' {
            return Err(self.err(format!("attribute {name} without a value")));
        }
        self.skip_space()?;
        let quote = self.need("an attribute")?;
        if quote != b'"' && quote != b'\'' {
            return Err(self.err(format!("attribute {name}: value not quoted")));
        }
        let mut raw = Vec::new();
        loop {
            let b = self.need("an attribute value")?;
            if b == quote {
                break;
            }
            if b == b'<' {
                return Err(self.err(format!("attribute {name}: < in a value")));
            }
            raw.push(b);
            if raw.len() > MAX_TAG {
                return Err(self.err(format!("attribute {name}: value too long")));
            }
        }
        let value = self.attribute_value(&raw)?;
        Ok((name, value))
    }

    /// Entities resolved and literal white space normalized to spaces (XML 1.0 3.3.3).
    fn attribute_value(&self, raw: &[u8]) -> Result<String, EdxmlError> {
        let raw = normalize_newlines(raw.to_vec());
        let spaced: Vec<u8> = raw
            .into_iter()
            .map(|b| if matches!(b, b'\t' | b'\n') { b' ' } else { b })
            .collect();
        let s =
            String::from_utf8(spaced).map_err(|_| self.err("an attribute that is not UTF-8"))?;
        resolve_entities(&s).map_err(|e| self.err(e))
    }

    fn resolve(&mut self, name: &str, raw: Vec<(String, String)>) -> Result<Element, EdxmlError> {
        let mut pushed = 0;
        let mut attrs = Vec::new();
        for (n, v) in raw {
            if n == "xmlns" {
                self.scope.push((String::new(), v));
                pushed += 1;
            } else if let Some(p) = n.strip_prefix("xmlns:") {
                if v.is_empty() {
                    return Err(self.err(format!("xmlns:{p}=\"\" (a prefix cannot be undeclared)")));
                }
                self.scope.push((p.to_owned(), v));
                pushed += 1;
            } else {
                attrs.push((n, v));
            }
        }
        let (prefix, local) = split_name(name);
        let ns = self.lookup(prefix, true).map_err(|e| self.err(e))?;
        let el_name = QName {
            prefix: prefix.to_owned(),
            local: local.to_owned(),
            ns,
        };
        let mut out = Vec::with_capacity(attrs.len());
        for (n, value) in attrs {
            let (p, l) = split_name(&n);
            let ns = self.lookup(p, false).map_err(|e| self.err(e))?;
            if out
                .iter()
                .any(|a: &Attr| a.name.local == l && a.name.ns == ns && !ns.is_empty())
            {
                return Err(self.err(format!("attribute {n} repeated")));
            }
            let name = QName {
                prefix: p.to_owned(),
                local: l.to_owned(),
                ns,
            };
            out.push(Attr { name, value });
        }
        self.open.push((el_name.clone(), pushed));
        let decls = self.scope[self.scope.len() - pushed..].to_vec();
        Ok(Element {
            name: el_name,
            attrs: out,
            decls,
        })
    }

    /// Every namespace declaration in scope (the innermost for each prefix).
    pub fn in_scope(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (p, u) in self.scope.iter().rev() {
            if !out.iter().any(|(q, _)| q == p) {
                out.push((p.clone(), u.clone()));
            }
        }
        out
    }

    /// The namespace of a prefix; unprefixed attributes have none.
    fn lookup(&self, prefix: &str, element: bool) -> Result<String, String> {
        if prefix.is_empty() && !element {
            return Ok(String::new());
        }
        if prefix == "xml" {
            return Ok(XML_NS.to_owned());
        }
        match self.scope.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, uri)) => Ok(uri.clone()),
            None if prefix.is_empty() => Ok(String::new()),
            None => Err(format!("undeclared namespace prefix {prefix}:")),
        }
    }

    /// Character data up to the next `<`, at most one chunk.
    fn text(&mut self) -> Result<Event, EdxmlError> {
        let mut out = std::mem::take(&mut self.carry);
        while out.len() < TEXT_CHUNK {
            let buf = self
                .input
                .fill_buf()
                .map_err(|e| EdxmlError::Io(e.to_string()))?;
            if buf.is_empty() {
                return Err(self.truncated("text"));
            }
            let room = TEXT_CHUNK - out.len();
            let stop = buf.iter().take(room).position(|b| *b == b'<' || *b == b'&');
            let n = stop.unwrap_or(buf.len().min(room));
            self.after_cr = push_normalized(&mut out, &buf[..n], self.after_cr);
            self.input.consume(n);
            self.offset += n as u64;
            match self.peek()? {
                Some(b'<') => break,
                Some(b'&') => {
                    self.bump()?;
                    let entity = self.entity()?;
                    out.extend_from_slice(entity.as_bytes());
                    self.after_cr = false;
                }
                _ => {}
            }
        }
        let last = self.peek()? == Some(b'<');
        if last {
            self.after_cr = false;
        }
        self.utf8_chunk(out, last).map(Event::Text)
    }

    /// After `&` in text: the replacement text.
    fn entity(&mut self) -> Result<String, EdxmlError> {
        let mut name = String::from("&");
        loop {
            let b = self.need("an entity reference")?;
            name.push(b as char);
            if b == b';' {
                break;
            }
            if name.len() > 12 || is_space(b) || b == b'<' || b == b'&' {
                return Err(self.err("an unescaped & in text (write &amp;)"));
            }
        }
        resolve_entities(&name).map_err(|e| self.err(e))
    }
}

fn split_name(name: &str) -> (&str, &str) {
    name.split_once(':').unwrap_or(("", name))
}

/// Appends `raw` with line ends normalized; `after_cr` says the previous byte (maybe in an
/// earlier piece) was a `\r`. Returns the same for the next piece.
fn push_normalized(out: &mut Vec<u8>, raw: &[u8], after_cr: bool) -> bool {
    let raw = match raw.split_first() {
        None => return after_cr,
        Some((b'\n', rest)) if after_cr => rest,
        _ => raw,
    };
    if !raw.contains(&b'\r') {
        out.extend_from_slice(raw);
        return false;
    }
    let mut prev_cr = false;
    for &b in raw {
        match b {
            b'\r' => out.push(b'\n'),
            b'\n' if prev_cr => {}
            b => out.push(b),
        }
        prev_cr = b == b'\r';
    }
    prev_cr
}

/// `\r\n` and lone `\r` become `\n` (XML 1.0 2.11).
fn normalize_newlines(bytes: Vec<u8>) -> Vec<u8> {
    if !bytes.contains(&b'\r') {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' {
            out.push(b'\n');
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(bytes[i]);
        }
        i += 1;
    }
    out
}

/// The five predefined entities and character references; anything else is refused.
pub(crate) fn resolve_entities(s: &str) -> Result<String, String> {
    if !s.contains('&') {
        return Ok(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after
            .find(';')
            .filter(|e| *e <= 10)
            .ok_or("an unescaped & (write &amp;)")?;
        let name = &after[..end];
        out.push(match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => char_ref(name)
                .ok_or_else(|| format!("undefined entity &{name}; (an unescaped &?)"))?,
        });
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn char_ref(name: &str) -> Option<char> {
    let n = name.strip_prefix('#')?;
    let code = match n.strip_prefix('x') {
        Some(h) => u32::from_str_radix(h, 16).ok()?,
        None => n.parse().ok()?,
    };
    char::from_u32(code).filter(|c| matches!(*c, '\t' | '\n' | '\r') || *c >= ' ')
}

fn check_declared_encoding(decl: &str) -> Result<(), String> {
    let Some(i) = decl.find("encoding") else {
        return Ok(());
    };
    let value: String = decl[i + 8..]
        .trim_start_matches([' ', '=', '"', '\''])
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | ' '))
        .collect();
    if value.eq_ignore_ascii_case("utf-8") || value.eq_ignore_ascii_case("utf8") {
        Ok(())
    } else {
        Err(format!("encoding {value}: only UTF-8 packets are read"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(xml: &str) -> Result<Vec<Event>, EdxmlError> {
        let mut l = Lexer::new(xml.as_bytes());
        let mut v = Vec::new();
        loop {
            match l.next()? {
                Event::Eof => return Ok(v),
                e => v.push(e),
            }
        }
    }

    #[test]
    fn namespaces_resolve() {
        let ev = events(r#"<a xmlns="urn:d" xmlns:p="urn:p"><p:b p:x="1" y='2'/>t&amp;&#x41;</a>"#)
            .unwrap();
        let Event::Start(b) = &ev[1] else { panic!() };
        assert_eq!(b.name.ns, "urn:p");
        assert_eq!(b.attrs[0].name.ns, "urn:p");
        assert_eq!(b.attrs[1].name.ns, "");
        assert!(matches!(&ev[3], Event::Text(t) if t == "t&A"));
    }

    #[test]
    fn malformed_inputs_are_refused() {
        for (xml, want) in [
            ("<a>x & y</a>", "unescaped &"),
            ("<a>x < y</a>", "expected a name"),
            ("<a><b></a>", "closes <b>"),
            ("<a><b>", "truncated"),
            ("<!DOCTYPE a [<!ENTITY x \"y\">]><a/>", "DOCTYPE"),
            ("<a>&foo;</a>", "undefined entity"),
            ("<a/><b/>", "second root"),
            ("<p:a/>", "undeclared"),
            ("<a x='1' x='2'/>", "repeated"),
            ("<?xml version='1.0' encoding='utf-16'?><a/>", "UTF-8"),
            ("", "truncated"),
        ] {
            let e = events(xml).unwrap_err().to_string();
            assert!(e.contains(want), "{xml}: {e}");
        }
    }

    #[test]
    fn long_text_comes_in_chunks() {
        let body = "QUJD".repeat(100_000);
        let xml = format!("<a>{body}<![CDATA[x]]></a>");
        let ev = events(&xml).unwrap();
        let texts: Vec<&String> = ev
            .iter()
            .filter_map(|e| {
                if let Event::Text(t) = e {
                    Some(t)
                } else {
                    None
                }
            })
            .collect();
        assert!(texts.len() > 2 && texts.iter().all(|t| t.len() <= TEXT_CHUNK));
        let joined: String = texts.into_iter().map(String::as_str).collect();
        assert_eq!(joined, format!("{body}x"));
    }

    #[test]
    fn multibyte_text_split_across_chunks() {
        let body = "Quyết định ".repeat(20_000);
        let xml = format!("<a>{body}</a>");
        let joined: String = events(&xml)
            .unwrap()
            .into_iter()
            .filter_map(|e| {
                if let Event::Text(t) = e {
                    Some(t)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(joined, body);
    }
}
