//! Mutations tuned for PDF: generic byte edits plus edits of the numbers and keywords the
//! cross-reference machinery depends on.

use crate::rng::Rng;

/// Tokens whose neighbouring numbers steer the parser (offsets, lengths, counts).
const HOT: &[&[u8]] = &[
    b"obj",
    b"xref",
    b"/Length",
    b"startxref",
    b"/Size",
    b"/Prev",
    b"/N ",
    b"/First",
    b"/W",
    b" R",
    b"/Index",
    b"/XRefStm",
    b"/Count",
    b"/Columns",
    b"/Predictor",
    b"trailer",
];
const KEYWORDS: &[&[u8]] = &[
    b"endobj",
    b"stream",
    b"endstream",
    b"xref",
    b"trailer",
    b"startxref",
    b"%%EOF",
    b"obj",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"/Kids",
    b"/Parent",
    b"/Fields",
    b"/AcroForm",
    b"/Annots",
    b"/Type /ObjStm",
    b"/Type /XRef",
    b"/FlateDecode",
    b"/Encrypt",
];
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "99999999999999999999",
    "-2147483648",
    "0.5",
    "1e5",
];

/// Applies one to four mutations to a copy of `input`; `other` is a second input for splicing.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8], max_len: usize) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(4) {
        one(rng, &mut v, other);
    }
    v.truncate(max_len);
    v
}

fn one(rng: &mut Rng, v: &mut Vec<u8>, other: &[u8]) {
    if v.is_empty() {
        v.push(b'%');
    }
    let at = rng.below(v.len());
    match rng.below(11) {
        0 => v[at] ^= 1 << rng.below(8),
        1 => v[at] = rng.next_u64() as u8,
        2 => {
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            v.splice(at..at, bytes);
        }
        3 => {
            let n = (1 + rng.below(64)).min(v.len() - at);
            v.drain(at..at + n);
        }
        4 => splice(rng, v, other, at),
        5 => v.truncate(at.max(1)),
        6 | 7 => tweak_number(rng, v),
        8 => {
            let kw = KEYWORDS[rng.below(KEYWORDS.len())];
            v.splice(at..at, kw.iter().copied());
        }
        9 => remove_keyword(rng, v),
        _ => {
            // Duplicate a chunk (repeated objects, repeated sections).
            let n = (1 + rng.below(256)).min(v.len() - at);
            let chunk = v[at..at + n].to_vec();
            let to = rng.below(v.len());
            v.splice(to..to, chunk);
        }
    }
}

fn splice(rng: &mut Rng, v: &mut Vec<u8>, other: &[u8], at: usize) {
    if other.is_empty() {
        return;
    }
    let from = rng.below(other.len());
    let n = (1 + rng.below(512)).min(other.len() - from);
    let end = (at + rng.below(512)).min(v.len());
    v.splice(at..end, other[from..from + n].iter().copied());
}

fn find_all(v: &[u8], needle: &[u8], cap: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + needle.len() <= v.len() && out.len() < cap {
        if &v[i..i + needle.len()] == needle {
            out.push(i);
        }
        i += 1;
    }
    out
}

/// Replaces a digit run near a hot token with an interesting or off-by-one number.
fn tweak_number(rng: &mut Rng, v: &mut Vec<u8>) {
    let tok = HOT[rng.below(HOT.len())];
    let hits = find_all(v, tok, 4096);
    let Some(&hit) = hits.get(rng.below(hits.len().max(1))) else {
        return;
    };
    // Look for digits within 24 bytes either side.
    let lo = hit.saturating_sub(24);
    let hi = (hit + tok.len() + 24).min(v.len());
    let digits: Vec<usize> = (lo..hi).filter(|&i| v[i].is_ascii_digit()).collect();
    let Some(&d) = digits.get(rng.below(digits.len().max(1))) else {
        return;
    };
    let (mut s, mut e) = (d, d);
    while s > 0 && v[s - 1].is_ascii_digit() {
        s -= 1;
    }
    while e < v.len() && v[e].is_ascii_digit() {
        e += 1;
    }
    let old: i128 = std::str::from_utf8(&v[s..e])
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let new = match rng.below(3) {
        0 => NUMBERS[rng.below(NUMBERS.len())].to_string(),
        1 => (old + rng.below(9) as i128 - 4).to_string(),
        _ => (rng.next_u64() % 100_000).to_string(),
    };
    v.splice(s..e, new.bytes());
}

fn remove_keyword(rng: &mut Rng, v: &mut Vec<u8>) {
    let kw = KEYWORDS[rng.below(KEYWORDS.len())];
    let hits = find_all(v, kw, 4096);
    if let Some(&h) = hits.get(rng.below(hits.len().max(1))) {
        v.drain(h..h + kw.len());
    }
}
