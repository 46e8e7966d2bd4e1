//! The PDF object model and its canonical serialization.
//!
//! Serialization is byte-exact and deterministic: the same `Object` always gives the same
//! bytes, which is what an incremental writer (and a signature over those bytes) needs.

use crate::chars::is_delim_or_ws;

/// An indirect reference `num gen R`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ObjRef {
    pub num: u32,
    pub gen: u16,
}

impl ObjRef {
    pub const fn new(num: u32, gen: u16) -> Self {
        ObjRef { num, gen }
    }
}

impl std::fmt::Display for ObjRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} R", self.num, self.gen)
    }
}

/// A PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Null,
    Boolean(bool),
    Integer(i64),
    Real(f64),
    /// A name without its leading `/`, with `#xx` escapes already decoded.
    Name(Vec<u8>),
    /// A string's bytes (literal or hex in the source: the distinction carries no meaning).
    String(Vec<u8>),
    Array(Vec<Object>),
    Dictionary(Dictionary),
    Stream(Stream),
    Reference(ObjRef),
}

/// A dictionary that keeps insertion order (so rewriting an object keeps its key order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dictionary {
    entries: Vec<(Vec<u8>, Object)>,
}

/// A stream: its dictionary and its data exactly as stored in the file (still encoded).
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub dict: Dictionary,
    pub data: Vec<u8>,
}

impl Object {
    /// A name object from text, e.g. `Object::name("Sig")`.
    pub fn name(n: &str) -> Object {
        Object::Name(n.as_bytes().to_vec())
    }
    /// A string object from bytes.
    pub fn string(s: impl AsRef<[u8]>) -> Object {
        Object::String(s.as_ref().to_vec())
    }
    pub fn as_dict(&self) -> Option<&Dictionary> {
        match self {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }
    pub fn as_dict_mut(&mut self) -> Option<&mut Dictionary> {
        match self {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&mut s.dict),
            _ => None,
        }
    }
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Object::Integer(i) => Some(*i),
            _ => None,
        }
    }
    /// A number as f64 (integers included).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_str_bytes(&self) -> Option<&[u8]> {
        match self {
            Object::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_ref(&self) -> Option<ObjRef> {
        match self {
            Object::Reference(r) => Some(*r),
            _ => None,
        }
    }
    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            Object::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// Appends the canonical serialization of this object to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Object::Null => out.extend_from_slice(b"null"),
            Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Object::Real(r) => write_real(*r, out),
            Object::Name(n) => write_name(n, out),
            Object::String(s) => write_string(s, out),
            Object::Array(a) => {
                out.push(b'[');
                for (i, o) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    o.write(out);
                }
                out.push(b']');
            }
            Object::Dictionary(d) => d.write(out),
            Object::Stream(s) => s.write(out),
            Object::Reference(r) => out.extend_from_slice(r.to_string().as_bytes()),
        }
    }

    /// The canonical serialization as a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write(&mut v);
        v
    }
}

impl From<Dictionary> for Object {
    fn from(d: Dictionary) -> Self {
        Object::Dictionary(d)
    }
}
impl From<ObjRef> for Object {
    fn from(r: ObjRef) -> Self {
        Object::Reference(r)
    }
}
impl From<i64> for Object {
    fn from(i: i64) -> Self {
        Object::Integer(i)
    }
}

impl Dictionary {
    pub fn new() -> Self {
        Dictionary::default()
    }
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Object> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
    /// Sets `key`, replacing an existing value in place (keeps key order) or appending.
    pub fn set(&mut self, key: impl AsRef<[u8]>, value: impl Into<Object>) {
        let key = key.as_ref();
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key.to_vec(), value)),
        }
    }
    /// Builder-style [`Dictionary::set`].
    pub fn with(mut self, key: impl AsRef<[u8]>, value: impl Into<Object>) -> Self {
        self.set(key, value);
        self
    }
    pub fn remove(&mut self, key: &[u8]) -> Option<Object> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }
    pub fn contains(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Object)> {
        self.entries.iter().map(|(k, v)| (k.as_slice(), v))
    }
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Object> {
        self.entries.iter_mut().map(|(_, v)| v)
    }
    /// `/Type` (or another key) compared with a name.
    pub fn name_is(&self, key: &[u8], name: &[u8]) -> bool {
        self.get(key).and_then(Object::as_name) == Some(name)
    }
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<<");
        for (k, v) in &self.entries {
            write_name(k, out);
            out.push(b' ');
            v.write(out);
        }
        out.extend_from_slice(b">>");
    }
    /// Adds a parsed pair. A duplicate key keeps its **first** value, as pyHanko and pdf.js
    /// read it: the specification leaves duplicates undefined, and agreeing with the reference
    /// validator matters more than any one choice (a `/Type /DocTimeStamp … /Type /Sig`
    /// dictionary must not read as a different kind of signature here than there).
    pub(crate) fn push_raw(&mut self, key: Vec<u8>, value: Object) {
        if self.get(&key).is_none() {
            self.entries.push((key, value));
        }
    }
}

impl Stream {
    pub fn new(dict: Dictionary, data: Vec<u8>) -> Self {
        Stream { dict, data }
    }
    /// Serializes as `<<...>>\nstream\n...\nendstream` with `/Length` set to the data length.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut dict = self.dict.clone();
        dict.set(b"Length", Object::Integer(self.data.len() as i64));
        dict.write(out);
        out.extend_from_slice(b"\nstream\n");
        out.extend_from_slice(&self.data);
        out.extend_from_slice(b"\nendstream");
    }
}

fn write_real(r: f64, out: &mut Vec<u8>) {
    // PDF has no exponent syntax and non-finite numbers do not exist: map them to 0.
    if !r.is_finite() {
        out.push(b'0');
        return;
    }
    let mut s = format!("{r:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    out.extend_from_slice(s.as_bytes());
}

/// True for PDF delimiters and whitespace (which cannot appear raw in a name).
fn write_name(n: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &b in n {
        if (0x21..=0x7e).contains(&b) && !is_delim_or_ws(b) && b != b'#' {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

fn write_string(s: &[u8], out: &mut Vec<u8>) {
    let printable = s
        .iter()
        .all(|&b| (0x20..=0x7e).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t'));
    if !printable {
        out.push(b'<');
        out.extend_from_slice(hex::encode_upper(s).as_bytes());
        out.push(b'>');
        return;
    }
    out.push(b'(');
    for &b in s {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.push(b),
        }
    }
    out.push(b')');
}
