//! The standard security handler of encrypted PDFs (ISO 32000-2 §7.6.4): RC4 with 40- to
//! 128-bit keys (`/V 1`–`2`, revisions 2–3), RC4 or AES-128 crypt filters (`/V 4`, revision 4)
//! and AES-256 (`/V 5`, revisions 5 and 6).
//!
//! A file opens with the empty user password (protected by an owner password only: what
//! authorities do to restrict printing or editing) or with a password the caller gives, tried
//! as the user password and then as the owner password. Only reading: strings and streams are
//! decrypted as objects are loaded; signatures are checked on the bytes as written.
//!
//! Hostile dictionaries give [`PdfError::Encryption`]: every length is checked before use and
//! every loop is bounded (the revision 6 hash runs at most 288 rounds).

use crate::object::{Dictionary, ObjRef, Object, Stream};
use crate::{PdfError, Result};
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use md5::{Digest, Md5};
use sha2::{Sha256, Sha384, Sha512};

/// The padding string of Algorithm 2 (ISO 32000-2 §7.6.4.3.2).
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// Longest password revisions 5 and 6 use (in UTF-8 bytes).
const MAX_PASSWORD_R6: usize = 127;

/// A cipher applied to strings or streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Identity,
    Rc4,
    Aes128,
    Aes256,
}

/// Which password opened an encrypted document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Opened {
    /// No password was needed: the user password is empty (an owner password may restrict
    /// printing or editing, which does not concern reading).
    WithoutPassword,
    /// The password given is the user password.
    UserPassword,
    /// The password given is the owner password.
    OwnerPassword,
}

/// How an encrypted document is protected and how it was opened.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Encryption {
    /// The standard security handler's revision (`/R`, 2 to 6).
    pub revision: u8,
    /// The cipher of the document's streams: `RC4-40` … `RC4-128`, `AES-128`, `AES-256`
    /// (or `none` when only strings are encrypted).
    pub cipher: String,
    pub opened: Opened,
}

/// The file key and the ciphers of one encrypted document.
#[derive(Debug)]
pub(crate) struct Decryptor {
    key: Vec<u8>,
    strings: Method,
    streams: Method,
    /// Named crypt filters (`/CF`), for streams that name one in a `/Crypt` filter.
    filters: Vec<(Vec<u8>, Method)>,
    encrypt_metadata: bool,
    /// The `/Encrypt` dictionary's own object: its strings are not encrypted.
    own: Option<ObjRef>,
    pub(crate) info: Encryption,
}

/// What the `/Encrypt` dictionary says, checked.
struct Params<'a> {
    revision: u8,
    /// File key length in bytes (5 to 16 for RC4 and AES-128, 32 for AES-256).
    key_len: usize,
    o: &'a [u8],
    u: &'a [u8],
    oe: &'a [u8],
    ue: &'a [u8],
    p: [u8; 4],
    id0: &'a [u8],
    encrypt_metadata: bool,
}

fn bad(msg: impl Into<String>) -> PdfError {
    PdfError::Encryption(msg.into())
}

/// Opens the standard security handler of `enc` (the `/Encrypt` dictionary, object `own`)
/// with `id0` (the first string of the trailer's `/ID`): with `password`, tried as the user
/// then the owner password, else with the empty user password.
pub(crate) fn open(
    enc: &Dictionary,
    own: Option<ObjRef>,
    id0: &[u8],
    password: Option<&str>,
) -> Result<Decryptor> {
    let filter = enc.get(b"Filter").and_then(Object::as_name).unwrap_or(b"");
    if filter != b"Standard" {
        return Err(bad(format!(
            "security handler /{} is not supported (only the standard password handler is)",
            String::from_utf8_lossy(filter)
        )));
    }
    let v = enc.get(b"V").and_then(Object::as_i64).unwrap_or(0);
    let (strings, streams, filters) = methods(enc, v)?;
    let params = params(enc, v, id0, streams)?;
    let candidates: Vec<(&str, Opened, Opened)> = match password {
        Some(p) if !p.is_empty() => vec![
            (p, Opened::UserPassword, Opened::OwnerPassword),
            ("", Opened::WithoutPassword, Opened::WithoutPassword),
        ],
        _ => vec![("", Opened::WithoutPassword, Opened::WithoutPassword)],
    };
    for (pw, as_user, as_owner) in candidates {
        if let Some((key, owner)) = authenticate(&params, pw) {
            let info = Encryption {
                revision: params.revision,
                cipher: cipher_name(streams, params.key_len),
                opened: if owner { as_owner } else { as_user },
            };
            return Ok(Decryptor {
                key,
                strings,
                streams,
                filters,
                encrypt_metadata: params.encrypt_metadata,
                own,
                info,
            });
        }
    }
    Err(match password {
        Some(p) if !p.is_empty() => PdfError::WrongPassword,
        _ => PdfError::PasswordRequired,
    })
}

fn cipher_name(m: Method, key_len: usize) -> String {
    match m {
        Method::Identity => "none".into(),
        Method::Rc4 => format!("RC4-{}", key_len * 8),
        Method::Aes128 => "AES-128".into(),
        Method::Aes256 => "AES-256".into(),
    }
}

/// The string and stream ciphers and the named crypt filters for `/V` `v`.
type Methods = (Method, Method, Vec<(Vec<u8>, Method)>);

fn methods(enc: &Dictionary, v: i64) -> Result<Methods> {
    match v {
        1 | 2 => Ok((Method::Rc4, Method::Rc4, Vec::new())),
        4 | 5 => {
            let mut named = Vec::new();
            if let Some(cf) = enc.get(b"CF").and_then(Object::as_dict) {
                for (name, f) in cf.iter().take(64) {
                    named.push((name.to_vec(), filter_method(f, v)?));
                }
            }
            let pick = |key: &[u8]| -> Result<Method> {
                let name = enc
                    .get(key)
                    .and_then(Object::as_name)
                    .unwrap_or(b"Identity");
                if name == b"Identity" {
                    return Ok(Method::Identity);
                }
                named
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, m)| *m)
                    .ok_or_else(|| {
                        bad(format!(
                            "/{} names crypt filter /{} that /CF does not define",
                            String::from_utf8_lossy(key),
                            String::from_utf8_lossy(name)
                        ))
                    })
            };
            Ok((pick(b"StrF")?, pick(b"StmF")?, named))
        }
        other => Err(bad(format!(
            "encryption algorithm /V {other} is not supported (1, 2, 4 and 5 are)"
        ))),
    }
}

fn filter_method(f: &Object, v: i64) -> Result<Method> {
    let cfm = f
        .as_dict()
        .and_then(|d| d.get(b"CFM"))
        .and_then(Object::as_name)
        .unwrap_or(b"None");
    match (cfm, v) {
        (b"None", _) => Ok(Method::Identity),
        (b"V2", 4) => Ok(Method::Rc4),
        (b"AESV2", 4) => Ok(Method::Aes128),
        (b"AESV3", 5) => Ok(Method::Aes256),
        _ => Err(bad(format!(
            "crypt filter method /{} is not supported with /V {v}",
            String::from_utf8_lossy(cfm)
        ))),
    }
}

fn string_entry<'a>(enc: &'a Dictionary, key: &str, min: usize) -> Result<&'a [u8]> {
    let s = enc
        .get(key.as_bytes())
        .and_then(Object::as_str_bytes)
        .ok_or_else(|| bad(format!("/{key} is missing or not a string")))?;
    if s.len() < min {
        return Err(bad(format!(
            "/{key} has {} bytes, at least {min} expected",
            s.len()
        )));
    }
    Ok(&s[..min])
}

fn params<'a>(enc: &'a Dictionary, v: i64, id0: &'a [u8], streams: Method) -> Result<Params<'a>> {
    let r = enc.get(b"R").and_then(Object::as_i64).unwrap_or(0);
    let revision = match (v, r) {
        (1, 2) | (2, 2 | 3) | (4, 4) | (5, 5 | 6) => r as u8,
        _ => {
            return Err(bad(format!(
                "revision /R {r} with /V {v} is not a standard security handler this reader knows"
            )))
        }
    };
    let bits = match enc.get(b"Length") {
        None => None,
        Some(Object::Integer(b)) if (40..=256).contains(b) && b % 8 == 0 => Some(*b),
        Some(other) => {
            return Err(bad(format!(
                "key /Length {} is not a multiple of 8 from 40 to 256",
                String::from_utf8_lossy(&other.to_bytes())
            )))
        }
    };
    let key_len = match (v, bits) {
        (1, _) => 5,
        (2, b) => usize::try_from(b.unwrap_or(40)).unwrap_or(0) / 8,
        (4, _) if streams == Method::Aes128 => 16,
        (4, b) => usize::try_from(b.unwrap_or(128)).unwrap_or(0) / 8,
        (_, None | Some(256)) => 32,
        (_, Some(b)) => return Err(bad(format!("key /Length {b} with AES-256"))),
    };
    if key_len > 16 && v != 5 {
        return Err(bad(format!("key /Length {} with RC4", key_len * 8)));
    }
    let (hash_len, key_len_min) = if revision >= 5 { (48, 32) } else { (32, 0) };
    let p = enc
        .get(b"P")
        .and_then(Object::as_i64)
        .ok_or_else(|| bad("/P (the permissions) is missing or not an integer"))?;
    Ok(Params {
        revision,
        key_len,
        o: string_entry(enc, "O", hash_len)?,
        u: string_entry(enc, "U", hash_len)?,
        oe: if key_len_min > 0 {
            string_entry(enc, "OE", 32)?
        } else {
            &[]
        },
        ue: if key_len_min > 0 {
            string_entry(enc, "UE", 32)?
        } else {
            &[]
        },
        // Written signed or unsigned: the low 32 bits either way.
        p: (p as u32).to_le_bytes(),
        id0,
        encrypt_metadata: !matches!(enc.get(b"EncryptMetadata"), Some(Object::Boolean(false))),
    })
}

/// The file key when `pw` is the user or the owner password, and whether it was the owner's.
fn authenticate(p: &Params<'_>, pw: &str) -> Option<(Vec<u8>, bool)> {
    if p.revision >= 5 {
        let bytes = pw.as_bytes();
        return open_aes256(p, &bytes[..bytes.len().min(MAX_PASSWORD_R6)]);
    }
    let pw = legacy_bytes(pw);
    let key = file_key(p, &pw);
    if user_key_ok(p, &key) {
        return Some((key, false));
    }
    let user = owner_to_user(p, &pw);
    let key = file_key(p, &user);
    user_key_ok(p, &key).then_some((key, true))
}

/// Revisions 2–4 take the password in PDFDocEncoding, which agrees with Latin-1 on the
/// characters people type; anything beyond Latin-1 is taken as UTF-8 bytes.
fn legacy_bytes(pw: &str) -> Vec<u8> {
    pw.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()
        .unwrap_or_else(|| pw.as_bytes().to_vec())
}

fn padded(pw: &[u8]) -> [u8; 32] {
    let n = pw.len().min(32);
    let mut out = PAD;
    out[..n].copy_from_slice(&pw[..n]);
    out[n..].copy_from_slice(&PAD[..32 - n]);
    out
}

/// Algorithm 2: the file key from a (user) password.
fn file_key(p: &Params<'_>, pw: &[u8]) -> Vec<u8> {
    let mut h = Md5::new();
    h.update(padded(pw));
    h.update(p.o);
    h.update(p.p);
    h.update(p.id0);
    if p.revision >= 4 && !p.encrypt_metadata {
        h.update([0xFF; 4]);
    }
    let mut key = h.finalize().to_vec();
    if p.revision >= 3 {
        for _ in 0..50 {
            key = Md5::digest(&key[..p.key_len]).to_vec();
        }
    }
    key.truncate(p.key_len);
    key
}

/// Algorithms 4 and 5: does `key` reproduce `/U`?
fn user_key_ok(p: &Params<'_>, key: &[u8]) -> bool {
    if p.revision == 2 {
        let mut x = PAD;
        return rc4(key, &mut x) && x[..] == p.u[..32];
    }
    let mut h = Md5::new();
    h.update(PAD);
    h.update(p.id0);
    let mut x: [u8; 16] = h.finalize().into();
    for i in 0..20u8 {
        let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        if !rc4(&k, &mut x) {
            return false;
        }
    }
    x[..] == p.u[..16]
}

/// Algorithm 7: the user password that `/O` hides under the owner password `pw`.
fn owner_to_user(p: &Params<'_>, pw: &[u8]) -> Vec<u8> {
    let mut h: [u8; 16] = Md5::digest(padded(pw)).into();
    if p.revision >= 3 {
        for _ in 0..50 {
            h = Md5::digest(h).into();
        }
    }
    let n = if p.revision == 2 { 5 } else { p.key_len };
    let key = &h[..n];
    let mut x = p.o[..32].to_vec();
    if p.revision == 2 {
        rc4(key, &mut x);
    } else {
        for i in (0..20u8).rev() {
            let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
            rc4(&k, &mut x);
        }
    }
    x
}

/// Algorithms 2.A and 2.B: the AES-256 file key for the user or the owner password.
fn open_aes256(p: &Params<'_>, pw: &[u8]) -> Option<(Vec<u8>, bool)> {
    let hash = |salt: &[u8], udata: &[u8]| hash_r56(p.revision, pw, salt, udata);
    if hash(&p.u[32..40], &[]) == p.u[..32] {
        let k = hash(&p.u[40..48], &[]);
        return Some((unwrap_key(&k, p.ue), false));
    }
    if hash(&p.o[32..40], &p.u[..48]) == p.o[..32] {
        let k = hash(&p.o[40..48], &p.u[..48]);
        return Some((unwrap_key(&k, p.oe), true));
    }
    None
}

/// `/UE` or `/OE` decrypted with AES-256, no IV, no padding.
fn unwrap_key(k: &[u8; 32], wrapped: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 32];
    buf.copy_from_slice(&wrapped[..32]);
    let dec = cbc::Decryptor::<aes::Aes256>::new(k.into(), &[0u8; 16].into());
    // 32 bytes are whole blocks: NoPadding cannot fail.
    let _ = dec.decrypt_padded_mut::<NoPadding>(&mut buf);
    buf.to_vec()
}

/// The revision 5 hash (one SHA-256) or the revision 6 hardened hash (Algorithm 2.B).
fn hash_r56(revision: u8, pw: &[u8], salt: &[u8], udata: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(pw);
    h.update(salt);
    h.update(udata);
    let first: [u8; 32] = h.finalize().into();
    if revision == 5 {
        return first;
    }
    let mut k: Vec<u8> = first.to_vec();
    let mut round: usize = 0;
    // At least 64 rounds, then until the last byte of E is at most round − 32: since a byte is
    // at most 255 the loop ends by round 288 whatever the input.
    loop {
        let block: Vec<u8> = [pw, &k, udata].concat();
        let mut e: Vec<u8> = block.repeat(64);
        let len = e.len();
        let enc = cbc::Encryptor::<aes::Aes128>::new(k[..16].into(), k[16..32].into());
        // `e` is a multiple of 64 bytes long, whole AES blocks.
        let _ = enc.encrypt_padded_mut::<NoPadding>(&mut e, len);
        let modulo = e[..16].iter().map(|&b| u32::from(b)).sum::<u32>() % 3;
        k = match modulo {
            0 => Sha256::digest(&e).to_vec(),
            1 => Sha384::digest(&e).to_vec(),
            _ => Sha512::digest(&e).to_vec(),
        };
        round += 1;
        let last = usize::from(*e.last().unwrap_or(&0));
        if round >= 64 && last + 32 <= round {
            break;
        }
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&k[..32]);
    out
}

/// RC4 in place with a 5- to 16-byte key (false for another length, which no caller makes).
fn rc4(key: &[u8], data: &mut [u8]) -> bool {
    use rc4::consts::{U10, U11, U12, U13, U14, U15, U16, U5, U6, U7, U8, U9};
    use rc4::{KeyInit, Rc4, StreamCipher};
    macro_rules! apply {
        ($($n:literal => $t:ty),*) => {
            match key.len() {
                $($n => match Rc4::<$t>::new_from_slice(key) {
                    Ok(mut c) => { c.apply_keystream(data); true }
                    Err(_) => false,
                },)*
                _ => false,
            }
        };
    }
    apply!(5 => U5, 6 => U6, 7 => U7, 8 => U8, 9 => U9, 10 => U10, 11 => U11, 12 => U12,
        13 => U13, 14 => U14, 15 => U15, 16 => U16)
}

/// AES-CBC with the IV in the first 16 bytes. Damaged data decrypts as far as it goes, as
/// other readers do: shorter than one block reads as empty, a partial last block is dropped,
/// and padding that is not PKCS#7 is kept.
fn aes_cbc(key: &[u8], data: &[u8]) -> Vec<u8> {
    if data.len() < 16 {
        return Vec::new();
    }
    let (iv, body) = data.split_at(16);
    let mut buf = body[..body.len() - body.len() % 16].to_vec();
    let ok = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new(key.into(), iv.into())
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .is_ok(),
        32 => cbc::Decryptor::<aes::Aes256>::new(key.into(), iv.into())
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .is_ok(),
        _ => false,
    };
    if !ok {
        return Vec::new();
    }
    if let Some(&n) = buf.last() {
        let n = usize::from(n);
        if (1..=16).contains(&n)
            && n <= buf.len()
            && buf[buf.len() - n..].iter().all(|&b| usize::from(b) == n)
        {
            buf.truncate(buf.len() - n);
        }
    }
    buf
}

impl Decryptor {
    /// The object `id` as stored, with its strings and stream data decrypted.
    pub(crate) fn decrypt_object(&self, id: ObjRef, obj: Object) -> Object {
        if Some(id) == self.own {
            return obj;
        }
        match obj {
            // Cross-reference streams are never encrypted (§7.6.2).
            Object::Stream(s) if s.dict.name_is(b"Type", b"XRef") => Object::Stream(s),
            Object::Stream(s) => Object::Stream(self.stream(id, s)),
            other => self.value(id, other),
        }
    }

    fn value(&self, id: ObjRef, obj: Object) -> Object {
        match obj {
            Object::String(s) => Object::String(self.apply(id, self.strings, &s)),
            Object::Array(a) => Object::Array(a.into_iter().map(|o| self.value(id, o)).collect()),
            Object::Dictionary(d) => Object::Dictionary(self.dict(id, d)),
            other => other,
        }
    }

    fn dict(&self, id: ObjRef, d: Dictionary) -> Dictionary {
        // A signature's /Contents is not encrypted (§7.6.2): the signed bytes must be
        // findable in the file as written.
        let signature = d.name_is(b"Type", b"Sig")
            || d.name_is(b"Type", b"DocTimeStamp")
            || d.contains(b"ByteRange");
        let mut out = Dictionary::new();
        for (k, v) in d.iter() {
            let v = if signature && k == b"Contents" {
                v.clone()
            } else {
                self.value(id, v.clone())
            };
            out.set(k, v);
        }
        out
    }

    fn stream(&self, id: ObjRef, s: Stream) -> Stream {
        let mut dict = self.dict(id, s.dict);
        let metadata_in_clear = !self.encrypt_metadata && dict.name_is(b"Type", b"Metadata");
        let method = match take_crypt_filter(&mut dict) {
            Some(name) if name == b"Identity" => Method::Identity,
            Some(name) => self
                .filters
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(self.streams, |(_, m)| *m),
            None if metadata_in_clear => Method::Identity,
            None => self.streams,
        };
        let data = self.apply(id, method, &s.data);
        Stream::new(dict, data)
    }

    fn apply(&self, id: ObjRef, method: Method, data: &[u8]) -> Vec<u8> {
        match method {
            Method::Identity => data.to_vec(),
            Method::Rc4 => {
                let mut out = data.to_vec();
                rc4(&self.object_key(id, false), &mut out);
                out
            }
            Method::Aes128 => aes_cbc(&self.object_key(id, true), data),
            Method::Aes256 => aes_cbc(&self.key, data),
        }
    }

    /// Algorithm 1: the key of one object for RC4 or AES-128.
    fn object_key(&self, id: ObjRef, aes: bool) -> Vec<u8> {
        let mut h = Md5::new();
        h.update(&self.key);
        h.update(&id.num.to_le_bytes()[..3]);
        h.update(id.gen.to_le_bytes());
        if aes {
            h.update(b"sAlT");
        }
        let full = h.finalize();
        full[..(self.key.len() + 5).min(16)].to_vec()
    }
}

/// Removes a leading `/Crypt` filter from the stream dictionary and returns the crypt filter
/// it names (`/Identity` when its parameters name none).
fn take_crypt_filter(dict: &mut Dictionary) -> Option<Vec<u8>> {
    let filters = dict.get(b"Filter")?;
    let first = match filters {
        Object::Name(n) => n.as_slice(),
        Object::Array(a) => a.first().and_then(Object::as_name)?,
        _ => return None,
    };
    if first != b"Crypt" {
        return None;
    }
    let parms = dict.get(b"DecodeParms").cloned();
    let first_parms = match &parms {
        Some(Object::Array(a)) => a.first().cloned(),
        other => other.clone(),
    };
    let name = first_parms
        .as_ref()
        .and_then(Object::as_dict)
        .and_then(|d| d.get(b"Name"))
        .and_then(Object::as_name)
        .unwrap_or(b"Identity")
        .to_vec();
    match dict.get(b"Filter").cloned() {
        Some(Object::Array(mut a)) => {
            a.remove(0);
            dict.set(b"Filter", Object::Array(a));
            if let Some(Object::Array(mut p)) = parms {
                if !p.is_empty() {
                    p.remove(0);
                }
                dict.set(b"DecodeParms", Object::Array(p));
            }
        }
        _ => {
            dict.remove(b"Filter");
            dict.remove(b"DecodeParms");
        }
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc4_matches_the_published_vector() {
        // RFC 6229, 40-bit key 0x0102030405, keystream at offset 0.
        let mut data = [0u8; 8];
        assert!(rc4(&[1, 2, 3, 4, 5], &mut data));
        assert_eq!(data, [0xb2, 0x39, 0x63, 0x05, 0xf0, 0x3d, 0xc0, 0x27]);
        assert!(!rc4(b"abcd", &mut data), "4-byte keys are refused");
    }

    #[test]
    fn aes_tolerates_damaged_data() {
        let key = [7u8; 16];
        assert!(aes_cbc(&key, b"short").is_empty());
        // 16 bytes of IV and 20 of data: one whole block decrypts, the rest is dropped.
        assert!(aes_cbc(&key, &[1u8; 36]).len() <= 16);
        assert!(aes_cbc(&[1u8; 5], &[0u8; 32]).is_empty());
    }

    #[test]
    fn crypt_filter_is_removed_from_the_chain() {
        let mut d = Dictionary::new()
            .with(
                b"Filter",
                Object::Array(vec![Object::name("Crypt"), Object::name("FlateDecode")]),
            )
            .with(
                b"DecodeParms",
                Object::Array(vec![
                    Dictionary::new()
                        .with(b"Name", Object::name("StdCF"))
                        .into(),
                    Object::Null,
                ]),
            );
        assert_eq!(take_crypt_filter(&mut d), Some(b"StdCF".to_vec()));
        assert_eq!(
            d.get(b"Filter"),
            Some(&Object::Array(vec![Object::name("FlateDecode")]))
        );
    }
}
