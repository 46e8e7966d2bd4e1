//! XML Canonicalization 1.0 without comments, exclusive (W3C xml-exc-c14n, what Signet
//! writes) or inclusive (W3C xml-c14n, what some legacy senders sign with), streamed: events
//! in, canonical bytes out to a [`Sink`] (a hasher for a whole packet, a buffer for
//! SignedInfo). Comments are never seen (the reader drops them); no InclusiveNamespaces
//! prefix list is honoured (Signet never writes one); inclusive canonicalization of a
//! subtree does not import inherited `xml:*` attributes.

use crate::lex::{Element, QName};

/// Where canonical bytes go.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// SHA-1 and SHA-256 at once: which one a signature names is known only once its SignedInfo
/// was read, possibly after the data it covers. Either may be left out when a hint says the
/// signature does not use it ([`crate::dsig::Forms`]).
pub(crate) struct Digests {
    sha1: Option<ring::digest::Context>,
    sha256: Option<sha2::Sha256>,
}

impl Digests {
    /// Both digests.
    pub fn new() -> Self {
        Digests::only(true, true)
    }

    /// The digests asked for.
    pub fn only(sha1: bool, sha256: bool) -> Self {
        Digests {
            sha1: sha1.then(|| ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY)),
            sha256: sha256.then(<sha2::Sha256 as sha2::Digest>::new),
        }
    }

    /// Stops computing the digests not asked for any more.
    pub fn keep(&mut self, sha1: bool, sha256: bool) {
        if !sha1 {
            self.sha1 = None;
        }
        if !sha256 {
            self.sha256 = None;
        }
    }

    /// (SHA-1, SHA-256), each `None` when it was not computed.
    pub fn finish(self) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        (
            self.sha1.map(|c| c.finish().as_ref().to_vec()),
            self.sha256.map(|h| sha2::Digest::finalize(h).to_vec()),
        )
    }
}

impl Sink for Digests {
    fn put(&mut self, bytes: &[u8]) {
        if let Some(c) = &mut self.sha1 {
            c.update(bytes);
        }
        if let Some(h) = &mut self.sha256 {
            sha2::Digest::update(h, bytes);
        }
    }
}

/// Which canonicalization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Exclusive,
    Inclusive,
}

/// The canonicalizer: the namespace declarations each open output element rendered.
pub(crate) struct Canon<S: Sink> {
    pub sink: S,
    mode: Mode,
    /// Inclusive, for a subtree: the declarations in scope at its apex (from its ancestors).
    apex_scope: Vec<(String, String)>,
    rendered: Vec<Vec<(String, String)>>,
    after_root: bool,
}

impl<S: Sink> Canon<S> {
    #[cfg(test)]
    pub fn new(sink: S) -> Self {
        Canon::with_mode(sink, Mode::Exclusive, Vec::new())
    }

    /// A canonicalizer in `mode`; `apex_scope` is what the first element inherits.
    pub fn with_mode(sink: S, mode: Mode, apex_scope: Vec<(String, String)>) -> Self {
        Canon {
            sink,
            mode,
            apex_scope,
            rendered: Vec::new(),
            after_root: false,
        }
    }

    /// The declarations an element may render: the visibly utilized ones (exclusive), or its
    /// own plus, at the apex, every inherited one (inclusive).
    fn candidates(&mut self, e: &Element) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = match self.mode {
            Mode::Exclusive => {
                let mut used = vec![(e.name.prefix.clone(), e.name.ns.clone())];
                for a in &e.attrs {
                    if !a.name.prefix.is_empty() && a.name.prefix != "xml" {
                        used.push((a.name.prefix.clone(), a.name.ns.clone()));
                    }
                }
                used
            }
            Mode::Inclusive if self.rendered.is_empty() => {
                let mut all = std::mem::take(&mut self.apex_scope);
                all.retain(|(p, _)| !e.decls.iter().any(|(q, _)| q == p));
                all.extend(e.decls.iter().cloned());
                all
            }
            Mode::Inclusive => e.decls.clone(),
        };
        out.sort();
        out.dedup();
        out
    }

    /// The URI an output ancestor last rendered for `prefix` ("" if none).
    fn in_output(&self, prefix: &str) -> Option<&str> {
        self.rendered
            .iter()
            .rev()
            .flat_map(|level| level.iter())
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }

    pub fn start(&mut self, e: &Element) {
        let mut decls = Vec::new();
        for (p, uri) in self.candidates(e) {
            let shown = self.in_output(&p);
            let needed = match shown {
                Some(s) => s != uri,
                None => !(p.is_empty() && uri.is_empty()),
            };
            if needed {
                decls.push((p, uri));
            }
        }
        self.sink.put(b"<");
        self.sink.put(e.name.written().as_bytes());
        for (p, uri) in &decls {
            if p.is_empty() {
                self.sink.put(b" xmlns=\"");
            } else {
                self.sink.put(format!(" xmlns:{p}=\"").as_bytes());
            }
            self.sink.put(escape_attr(uri).as_bytes());
            self.sink.put(b"\"");
        }
        let mut attrs: Vec<_> = e.attrs.iter().collect();
        attrs.sort_by(|a, b| (&a.name.ns, &a.name.local).cmp(&(&b.name.ns, &b.name.local)));
        for a in attrs {
            self.sink.put(b" ");
            self.sink.put(a.name.written().as_bytes());
            self.sink.put(b"=\"");
            self.sink.put(escape_attr(&a.value).as_bytes());
            self.sink.put(b"\"");
        }
        self.sink.put(b">");
        self.rendered.push(decls);
    }

    pub fn end(&mut self, name: &QName) {
        self.sink.put(b"</");
        self.sink.put(name.written().as_bytes());
        self.sink.put(b">");
        self.rendered.pop();
        if self.rendered.is_empty() {
            self.after_root = true;
        }
    }

    /// Text inside the root (text outside it is not canonical content).
    pub fn text(&mut self, t: &str) {
        if self.rendered.is_empty() {
            return;
        }
        if t.bytes().all(|b| !matches!(b, b'&' | b'<' | b'>' | b'\r')) {
            self.sink.put(t.as_bytes());
            return;
        }
        let mut out = String::with_capacity(t.len() + 16);
        for c in t.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\r' => out.push_str("&#xD;"),
                c => out.push(c),
            }
        }
        self.sink.put(out.as_bytes());
    }

    pub fn pi(&mut self, target: &str, data: &str) {
        let body = if data.is_empty() {
            format!("<?{target}?>")
        } else {
            format!("<?{target} {data}?>")
        };
        if self.after_root {
            self.sink.put(b"\n");
        }
        self.sink.put(body.as_bytes());
        if self.rendered.is_empty() && !self.after_root {
            self.sink.put(b"\n");
        }
    }
}

fn escape_attr(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lex::{Event, Lexer};

    use super::*;

    fn canon(xml: &str) -> String {
        let mut l = Lexer::new(xml.as_bytes());
        let mut c = Canon::new(Vec::new());
        loop {
            match l.next().unwrap() {
                Event::Start(e) => c.start(&e),
                Event::End(n) => c.end(&n),
                Event::Text(t) => c.text(&t),
                Event::Pi { target, data } => c.pi(&target, &data),
                Event::Eof => break,
            }
        }
        String::from_utf8(c.sink).unwrap()
    }

    #[test]
    fn exclusive_rules() {
        // Unused declarations dropped, used ones pushed down, attributes sorted by
        // (namespace, local name), empty elements expanded, entities normalized.
        let got = canon(
            "<?xml version=\"1.0\"?>\r\n<r xmlns=\"urn:d\" xmlns:u=\"urn:unused\" xmlns:p=\"urn:p\">\r\n <p:a z='1' p:b=\"&#x9;\" a=\"&quot;\"/><b>a&gt;b&#13;</b></r>",
        );
        assert_eq!(
            got,
            "<r xmlns=\"urn:d\">\n <p:a xmlns:p=\"urn:p\" a=\"&quot;\" z=\"1\" p:b=\"&#x9;\"></p:a><b>a&gt;b&#xD;</b></r>"
        );
    }

    #[test]
    fn inclusive_rules() {
        let xml = "<r xmlns=\"urn:d\" xmlns:u=\"urn:u\"><a xmlns:u=\"urn:u\"/><b xmlns:p=\"urn:p\" xmlns=\"\"/></r>";
        let mut l = Lexer::new(xml.as_bytes());
        let mut c = Canon::with_mode(Vec::new(), Mode::Inclusive, Vec::new());
        loop {
            match l.next().unwrap() {
                Event::Start(e) => c.start(&e),
                Event::End(n) => c.end(&n),
                Event::Text(t) => c.text(&t),
                _ => break,
            }
        }
        assert_eq!(
            String::from_utf8(c.sink).unwrap(),
            "<r xmlns=\"urn:d\" xmlns:u=\"urn:u\"><a></a><b xmlns=\"\" xmlns:p=\"urn:p\"></b></r>"
        );
    }

    #[test]
    fn default_namespace_reset() {
        assert_eq!(
            canon("<a xmlns=\"urn:x\"><b xmlns=\"\"/></a>"),
            "<a xmlns=\"urn:x\"><b xmlns=\"\"></b></a>"
        );
        assert_eq!(canon("<a><b xmlns=\"\"/></a>"), "<a><b></b></a>");
    }
}
