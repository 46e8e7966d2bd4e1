//! The packet's XML signature (W3C XML-DSig): enveloped, over the whole packet (`URI=""`),
//! exclusive C14N, RSA-SHA256 or ECDSA-SHA256/384 on write with the signer certificate in
//! `KeyInfo/X509Data`; on read also inclusive C14N, and SHA-1 digests and signature methods
//! (accepted and reported).
//!
//! What is checked is the signature's own integrity: each reference's digest, and the
//! SignatureValue over the canonical SignedInfo with an embedded certificate's key. Whether
//! that certificate is trusted is the caller's business (path validation in signet-pki).
//! Forms not supported — references to an element id, canonicalizations with comments or
//! C14N 1.1, a key given only by name — give `valid: None`, "cannot be judged", never `true`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use signet_pki::{RawSigner, SignatureAlgorithm};

use crate::c14n::{Canon, Digests, Mode};
use crate::lex::{Element, Event, Lexer};
use crate::model::SignatureReport;
use crate::EdxmlError;

pub(crate) const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// What one SDK writes for exclusive C14N (not the W3C identifier; read as it).
const EXC_C14N_SDK: &str = "http://www.w3.org/TR/xml-exc-c14n#";
const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// Signature methods: URI, signature OID, hash name, ECDSA.
const METHODS: [(&str, &str, &str, bool); 8] = [
    (
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "1.2.840.113549.1.1.5",
        "sha1",
        false,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "1.2.840.113549.1.1.11",
        "sha256",
        false,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "1.2.840.113549.1.1.12",
        "sha384",
        false,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "1.2.840.113549.1.1.13",
        "sha512",
        false,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
        "1.2.840.10045.4.1",
        "sha1",
        true,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "1.2.840.10045.4.3.2",
        "sha256",
        true,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        "1.2.840.10045.4.3.3",
        "sha384",
        true,
    ),
    (
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
        "1.2.840.10045.4.3.4",
        "sha512",
        true,
    ),
];

/// An element of the captured signature with its children and text.
struct Node<'a> {
    el: &'a Element,
    /// Event indices of the start and end tags.
    start: usize,
    end: usize,
    kids: Vec<Node<'a>>,
    text: String,
}

impl<'a> Node<'a> {
    fn kid(&self, local: &str) -> Option<&Node<'a>> {
        self.kids.iter().find(|k| k.el.name.local == local)
    }

    fn algorithm(&self, local: &str) -> &str {
        self.kid(local)
            .and_then(|k| k.el.attr("Algorithm"))
            .unwrap_or_default()
    }

    /// Every descendant of this local name, in document order.
    fn find_all<'s>(&'s self, local: &str, out: &mut Vec<&'s Node<'a>>) {
        for k in &self.kids {
            if k.el.name.local == local {
                out.push(k);
            }
            k.find_all(local, out);
        }
    }
}

/// The tree of `events[at..]` from the start tag at `at`.
fn node(events: &[Event], at: usize) -> Option<(Node<'_>, usize)> {
    let Event::Start(el) = events.get(at)? else {
        return None;
    };
    let mut n = Node {
        el,
        start: at,
        end: at,
        kids: Vec::new(),
        text: String::new(),
    };
    let mut i = at + 1;
    loop {
        match events.get(i)? {
            Event::Start(_) => {
                let (kid, next) = node(events, i)?;
                n.kids.push(kid);
                i = next;
            }
            Event::Text(t) => {
                n.text.push_str(t);
                i += 1;
            }
            Event::End(_) => {
                n.end = i;
                return Some((n, i + 1));
            }
            _ => i += 1,
        }
    }
}

/// The canonicalization an Algorithm URI names.
fn mode_of(uri: &str) -> Option<Mode> {
    match uri {
        EXC_C14N | EXC_C14N_SDK => Some(Mode::Exclusive),
        C14N => Some(Mode::Inclusive),
        _ => None,
    }
}

/// The canonical form of `events[start..=end]`; `scope` is what the first element inherits.
fn canonical(
    events: &[Event],
    start: usize,
    end: usize,
    mode: Mode,
    scope: &[(String, String)],
) -> Vec<u8> {
    let mut c = Canon::with_mode(Vec::new(), mode, scope.to_vec());
    for e in &events[start..=end] {
        match e {
            Event::Start(el) => c.start(el),
            Event::End(n) => c.end(n),
            Event::Text(t) => c.text(t),
            Event::Pi { target, data } => c.pi(target, data),
            Event::Eof => {}
        }
    }
    c.sink
}

fn b64(text: &str) -> Option<Vec<u8>> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    B64.decode(clean).ok()
}

/// Combines verdicts: any false is false, else any unknown is unknown.
fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// (SHA-1, SHA-256) of the packet's canonical form without the signature, per mode (`None`
/// when that mode, or that digest, was not computed).
#[derive(Default)]
pub(crate) struct PacketDigests {
    pub exclusive: Option<FormDigests>,
    pub inclusive: Option<FormDigests>,
}

/// (SHA-1, SHA-256) of one canonical form, each `None` when not computed.
pub(crate) type FormDigests = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The canonical forms and digests of the whole packet a signature's references use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Forms {
    pub exclusive: bool,
    pub inclusive: bool,
    pub sha1: bool,
    pub sha256: bool,
}

impl Forms {
    pub const ALL: Forms = Forms {
        exclusive: true,
        inclusive: true,
        sha1: true,
        sha256: true,
    };

    /// Whether computing `self` gives everything `needed` asks for.
    pub fn covers(&self, needed: &Forms) -> bool {
        (self.exclusive || !needed.exclusive)
            && (self.inclusive || !needed.inclusive)
            && (self.sha1 || !needed.sha1)
            && (self.sha256 || !needed.sha256)
    }

    /// A guess of what a packet held in memory needs, from the algorithm identifiers after
    /// the last `SignedInfo` in its tail (where an enveloped signature usually sits), so a
    /// reader computes one canonical form and one digest instead of two of each. Only a
    /// guess: the reader checks it against the signature it reads and starts again with
    /// every form when it fell short. `None`: no signature in the tail, nothing to guess.
    pub fn hinted(packet: &[u8]) -> Option<Forms> {
        const TAIL: usize = 32 * 1024;
        let tail = &packet[packet.len().saturating_sub(TAIL)..];
        let signed_info = &tail[last_signed_info(tail)?..];
        let has = |uri: &str| rfind(signed_info, uri.as_bytes()).is_some();
        let forms = Forms {
            exclusive: has(EXC_C14N) || has(EXC_C14N_SDK),
            inclusive: has(C14N),
            sha1: has(SHA1),
            sha256: has(SHA256),
        };
        ((forms.exclusive || forms.inclusive) && (forms.sha1 || forms.sha256)).then_some(forms)
    }
}

/// Where the last SignedInfo element starts in `tail` (its start tag, not its end tag).
fn last_signed_info(tail: &[u8]) -> Option<usize> {
    let mut end = tail.len();
    while let Some(at) = rfind(&tail[..end], b"SignedInfo") {
        // `<SignedInfo`, `<ds:SignedInfo`: the tag's '<' is not followed by '/'.
        let open = tail[..at].iter().rposition(|&b| b == b'<')?;
        if tail.get(open + 1) != Some(&b'/') {
            return Some(open);
        }
        end = at;
    }
    None
}

/// The last position of `needle` in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The canonicalization a whole-packet reference needs, from its transforms: enveloped then
/// exclusive or inclusive C14N, or enveloped alone (inclusive by default).
fn reference_mode(r: &Node<'_>) -> Option<Mode> {
    if r.el.attr("URI") != Some("") {
        return None;
    }
    let mut transforms = Vec::new();
    r.find_all("Transform", &mut transforms);
    let algs: Vec<&str> = transforms
        .iter()
        .map(|t| t.el.attr("Algorithm").unwrap_or_default())
        .collect();
    match algs.as_slice() {
        [ENVELOPED] => Some(Mode::Inclusive),
        [ENVELOPED, c] => mode_of(c),
        _ => None,
    }
}

/// Which canonical forms and digests of the whole packet the captured signature needs.
pub(crate) fn forms_needed(events: &[Event]) -> Forms {
    let Some((sig, _)) = node(events, 0) else {
        return Forms::default();
    };
    let mut refs = Vec::new();
    sig.find_all("Reference", &mut refs);
    let mut needed = Forms::default();
    for r in refs {
        match reference_mode(r) {
            Some(Mode::Exclusive) => needed.exclusive = true,
            Some(Mode::Inclusive) => needed.inclusive = true,
            None => continue,
        }
        match r.algorithm("DigestMethod") {
            SHA1 => needed.sha1 = true,
            SHA256 => needed.sha256 = true,
            _ => {}
        }
    }
    needed
}

/// Checks the signature captured from a packet; `scope` is the namespace declarations in
/// scope at the Signature element.
pub(crate) fn verify(
    events: &[Event],
    scope: &[(String, String)],
    digests: &PacketDigests,
) -> SignatureReport {
    let mut report = SignatureReport {
        present: true,
        ..SignatureReport::default()
    };
    let Some((sig, _)) = node(events, 0) else {
        report.valid = Some(false);
        return report;
    };
    let Some(si) = sig.kid("SignedInfo") else {
        report.valid = Some(false);
        return report;
    };
    let c14n = mode_of(si.algorithm("CanonicalizationMethod"));
    let mut valid = c14n.map(|_| true);
    let method = METHODS
        .iter()
        .find(|m| m.0 == si.algorithm("SignatureMethod"));
    let mut hashes: Vec<&str> = method.map(|m| m.2).into_iter().collect();
    let mut refs = Vec::new();
    si.find_all("Reference", &mut refs);
    if refs.is_empty() {
        valid = Some(false);
    }
    for r in refs {
        let (verdict, hash) = check_reference(r, digests);
        valid = and(valid, verdict);
        hashes.extend(hash);
    }
    report.digest = weakest(&hashes);
    let mut certs = Vec::new();
    sig.find_all("X509Certificate", &mut certs);
    let certs: Vec<Vec<u8>> = certs.iter().filter_map(|c| b64(&c.text)).collect();
    let signed_info = canonical(
        events,
        si.start,
        si.end,
        c14n.unwrap_or(Mode::Exclusive),
        scope,
    );
    let value = sig.kid("SignatureValue").and_then(|v| b64(&v.text));
    let (verdict, signer) = match (method, value) {
        (Some(m), Some(v)) => check_value(m, &signed_info, &v, &certs),
        (None, _) => (None, certs.first().cloned()),
        (_, None) => (Some(false), certs.first().cloned()),
    };
    report.valid = and(valid, verdict);
    report.signer = signer
        .as_ref()
        .and_then(|c| signet_pki::validation::summarize(c).ok())
        .map(|s| s.subject_cn);
    report.certificate = signer;
    report
}

/// One reference: its verdict and the hash it uses.
fn check_reference(r: &Node<'_>, digests: &PacketDigests) -> (Option<bool>, Option<&'static str>) {
    let (sha256, hash) = match r.algorithm("DigestMethod") {
        SHA1 => (false, "sha1"),
        SHA256 => (true, "sha256"),
        _ => return (None, None),
    };
    let computed = match reference_mode(r) {
        Some(Mode::Exclusive) => digests.exclusive.as_ref(),
        Some(Mode::Inclusive) => digests.inclusive.as_ref(),
        None => None,
    };
    let Some((d1, d256)) = computed else {
        return (None, Some(hash));
    };
    let Some(expected) = (if sha256 { d256 } else { d1 }) else {
        return (None, Some(hash));
    };
    let value = r.kid("DigestValue").and_then(|v| b64(&v.text));
    (
        Some(value.as_deref() == Some(expected.as_slice())),
        Some(hash),
    )
}

/// The SignatureValue checked with each embedded certificate: the verdict and the signer
/// (the certificate that verifies, else the first).
fn check_value(
    method: &(&str, &str, &str, bool),
    signed_info: &[u8],
    value: &[u8],
    certs: &[Vec<u8>],
) -> (Option<bool>, Option<Vec<u8>>) {
    let value = if method.3 {
        match ecdsa_raw_to_der(value) {
            Some(v) => v,
            None => return (Some(false), certs.first().cloned()),
        }
    } else {
        value.to_vec()
    };
    let mut verdict = None;
    for c in certs {
        match signet_pki::verify_with_certificate(c, method.1, signed_info, &value) {
            Ok(true) => return (Some(true), Some(c.clone())),
            Ok(false) => verdict = Some(false),
            Err(_) => {}
        }
    }
    (verdict, certs.first().cloned())
}

fn weakest(hashes: &[&str]) -> Option<String> {
    ["sha1", "sha256", "sha384", "sha512"]
        .iter()
        .find(|h| hashes.contains(h))
        .map(|h| (*h).to_owned())
}

/// XML-DSig ECDSA values are r‖s; ring and CMS want DER `SEQUENCE { r, s }`.
fn ecdsa_raw_to_der(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || raw.len() & 1 == 1 || raw.len() > 132 {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = der_uint(r);
    body.extend(der_uint(s));
    let mut out = vec![0x30];
    push_len(&mut out, body.len());
    out.extend(body);
    Some(out)
}

fn der_uint(v: &[u8]) -> Vec<u8> {
    let v = &v[v
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(v.len().saturating_sub(1))..];
    let mut body = Vec::with_capacity(v.len() + 1);
    if v.first().is_some_and(|b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(v);
    let mut out = vec![0x02];
    push_len(&mut out, body.len());
    out.extend(body);
    out
}

fn push_len(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        out.extend([0x81, n as u8]);
    }
}

/// DER `SEQUENCE { r, s }` → r‖s, each `half` bytes.
fn ecdsa_der_to_raw(der: &[u8], half: usize) -> Option<Vec<u8>> {
    fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = b.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let (len, rest) = match len {
            l if l < 0x80 => (usize::from(l), rest),
            0x81 => (usize::from(*rest.first()?), &rest[1..]),
            _ => return None,
        };
        (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
    }
    let (0x30, body, _) = tlv(der)? else {
        return None;
    };
    let (0x02, r, rest) = tlv(body)? else {
        return None;
    };
    let (0x02, s, _) = tlv(rest)? else {
        return None;
    };
    let mut out = Vec::with_capacity(2 * half);
    for v in [r, s] {
        let v = &v[v.iter().position(|b| *b != 0).unwrap_or(v.len())..];
        if v.len() > half {
            return None;
        }
        out.resize(out.len() + half - v.len(), 0);
        out.extend_from_slice(v);
    }
    Some(out)
}

/// The signature method URI and, for ECDSA, the size of r and s.
fn method_of(alg: SignatureAlgorithm) -> Result<(&'static str, Option<usize>), EdxmlError> {
    use SignatureAlgorithm as A;
    Ok(match alg {
        A::RsaPkcs1Sha256 => (METHODS[1].0, None),
        A::RsaPkcs1Sha384 => (METHODS[2].0, None),
        A::RsaPkcs1Sha512 => (METHODS[3].0, None),
        A::EcdsaP256Sha256 => (METHODS[5].0, Some(32)),
        A::EcdsaP384Sha384 => (METHODS[6].0, Some(48)),
        other => {
            return Err(EdxmlError::Sign(format!(
                "{other:?} is not used for packet signatures: use an RSA PKCS#1 v1.5 or ECDSA key"
            )))
        }
    })
}

pub(crate) fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\r', "&#xD;")
}

/// Signs the packet `before` + `after` (the signature goes between them) with `signer`,
/// whose certificate (DER) is embedded.
pub(crate) fn sign<S: RawSigner>(
    before: &str,
    after: &str,
    signer: &S,
    cert: &[u8],
) -> Result<String, EdxmlError> {
    sign_with_digest(before, after, signer, cert, SIGNET_FORM)
}

/// How a signature is made: Signet writes SHA-256 and exclusive C14N; tests also make what
/// legacy senders send (SHA-1 digests, inclusive C14N) to check that it is read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Form {
    pub sha1: bool,
    pub mode: Mode,
}

pub(crate) const SIGNET_FORM: Form = Form {
    sha1: false,
    mode: Mode::Exclusive,
};

/// [`sign`] in another [`Form`].
pub(crate) fn sign_with_digest<S: RawSigner>(
    before: &str,
    after: &str,
    signer: &S,
    cert: &[u8],
    form: Form,
) -> Result<String, EdxmlError> {
    let unsigned = format!("{before}{after}");
    let (sha1, sha256) = packet_digests(unsigned.as_bytes(), form.mode)?;
    let (digest, digest_method) = if form.sha1 {
        (sha1, SHA1)
    } else {
        (sha256, SHA256)
    };
    let (method, ecdsa_half) = method_of(signer.algorithm())?;
    let (c14n_uri, transforms) = match form.mode {
        Mode::Exclusive => (
            EXC_C14N,
            format!("<Transform Algorithm=\"{ENVELOPED}\"/><Transform Algorithm=\"{EXC_C14N}\"/>"),
        ),
        Mode::Inclusive => (C14N, format!("<Transform Algorithm=\"{ENVELOPED}\"/>")),
    };
    let signed_info = format!(
        "<SignedInfo><CanonicalizationMethod Algorithm=\"{c14n_uri}\"/><SignatureMethod Algorithm=\"{method}\"/><Reference URI=\"\"><Transforms>{transforms}</Transforms><DigestMethod Algorithm=\"{digest_method}\"/><DigestValue>{}</DigestValue></Reference></SignedInfo>",
        B64.encode(digest)
    );
    // SignedInfo canonicalized where it will stand (inclusive C14N takes in the
    // declarations of its ancestors).
    let placed = format!("{before}<Signature xmlns=\"{DSIG_NS}\">{signed_info}</Signature>{after}");
    let c14n = placed_signed_info(placed.as_bytes(), form.mode)?;
    let mut value = signer
        .sign(&c14n)
        .map_err(|e| EdxmlError::Sign(e.to_string()))?;
    if let Some(half) = ecdsa_half {
        value = ecdsa_der_to_raw(&value, half).ok_or_else(|| {
            EdxmlError::Sign("the key returned a malformed ECDSA signature".into())
        })?;
    }
    // The certificate only: an X509SubjectName with attributes in #hex form (the agency
    // code's organizationIdentifier) trips some verifiers.
    signet_pki::validation::summarize(cert)
        .map_err(|e| EdxmlError::Sign(format!("the signer certificate: {e}")))?;
    let signature = format!(
        "<Signature xmlns=\"{DSIG_NS}\">{signed_info}<SignatureValue>{}</SignatureValue><KeyInfo><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></Signature>",
        B64.encode(value),
        B64.encode(cert)
    );
    Ok(format!("{before}{signature}{after}"))
}

/// The canonical SignedInfo of the first Signature in `xml`.
fn placed_signed_info(xml: &[u8], mode: Mode) -> Result<Vec<u8>, EdxmlError> {
    let mut l = Lexer::new(xml);
    let mut events = Vec::new();
    let mut scope = Vec::new();
    let mut depth = 0usize;
    loop {
        let e = l.next()?;
        match &e {
            Event::Eof => break,
            Event::Start(el)
                if depth == 0 && el.name.local == "Signature" && el.name.ns == DSIG_NS =>
            {
                scope = l.in_scope();
                depth = 1;
            }
            Event::Start(_) if depth > 0 => depth += 1,
            Event::End(_) if depth > 0 => depth -= 1,
            _ if depth == 0 => continue,
            _ => {}
        }
        events.push(e);
        if depth == 0 {
            break;
        }
    }
    let (sig, _) = node(&events, 0).ok_or_else(|| EdxmlError::Sign("no Signature".into()))?;
    let si = sig
        .kid("SignedInfo")
        .ok_or_else(|| EdxmlError::Sign("no SignedInfo".into()))?;
    Ok(canonical(&events, si.start, si.end, mode, &scope))
}

/// SHA-1 and SHA-256 of the canonical form of a whole (unsigned) packet.
fn packet_digests(xml: &[u8], mode: Mode) -> Result<(Vec<u8>, Vec<u8>), EdxmlError> {
    let mut l = Lexer::new(xml);
    let mut c = Canon::with_mode(Digests::new(), mode, Vec::new());
    loop {
        match l.next()? {
            Event::Start(e) => c.start(&e),
            Event::End(n) => c.end(&n),
            Event::Text(t) => c.text(&t),
            Event::Pi { target, data } => c.pi(&target, &data),
            Event::Eof => {
                let (sha1, sha256) = c.sink.finish();
                return Ok((sha1.unwrap_or_default(), sha256.unwrap_or_default()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_forms_round_trip() {
        let raw: Vec<u8> = (0..64)
            .map(|i| if i == 0 || i == 32 { 0x80 } else { i as u8 })
            .collect();
        let der = ecdsa_raw_to_der(&raw).unwrap();
        assert_eq!(ecdsa_der_to_raw(&der, 32).unwrap(), raw);
        let small = [vec![0u8; 31], vec![1], vec![0u8; 31], vec![2]].concat();
        assert_eq!(
            ecdsa_der_to_raw(&ecdsa_raw_to_der(&small).unwrap(), 32).unwrap(),
            small
        );
    }
}
