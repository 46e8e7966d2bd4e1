//! One attachment's ContentTransferEncoded, streamed: base64 decoded chunk by chunk, hashed,
//! and — when the decoded bytes start like a ZIP archive — inflated in parallel, because some
//! senders zip each attachment (one entry) while ContentType names the original type. Which
//! file is delivered is decided at the end, when the name and type are known (they may come
//! after the content). Memory stays at a few chunks unless the caller keeps the files.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use flate2::{Crc, Decompress, FlushDecompress, Status};
use sha2::{Digest, Sha256};

use crate::EdxmlError;

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Size and SHA-256 of a byte stream, and the bytes themselves when kept.
struct Hashed {
    size: u64,
    sha: Sha256,
    kept: Option<Vec<u8>>,
}

impl Hashed {
    fn new(keep: bool) -> Self {
        Hashed {
            size: 0,
            sha: Sha256::new(),
            kept: keep.then(Vec::new),
        }
    }

    fn add(&mut self, b: &[u8], limit: u64, what: &str) -> Result<(), EdxmlError> {
        self.size += b.len() as u64;
        if self.size > limit {
            return Err(EdxmlError::Refused(format!(
                "{what} larger than {} MiB",
                limit / (1024 * 1024)
            )));
        }
        self.sha.update(b);
        if let Some(k) = &mut self.kept {
            k.extend_from_slice(b);
        }
        Ok(())
    }
}

enum Zip {
    /// Fewer than the 30 bytes of a local file header seen yet.
    Sniff(Vec<u8>),
    /// The header's name and extra field still to skip.
    Skip {
        left: usize,
        entry: Entry,
    },
    Inflate {
        inflater: Box<Decompress>,
        entry: Entry,
    },
    Stored {
        left: u64,
        entry: Entry,
    },
    Done(Entry),
    No,
}

/// The single entry being extracted.
struct Entry {
    out: Hashed,
    crc: Crc,
    want_crc: Option<u32>,
    /// Stored (not deflated): the entry's size.
    stored: Option<u64>,
}

/// The delivered file.
pub(crate) struct Delivered {
    pub size: u64,
    pub sha256: String,
    pub bytes: Option<Vec<u8>>,
}

pub(crate) struct AttachmentStream {
    pending: Vec<u8>,
    raw: Hashed,
    zip: Zip,
    limit: u64,
    keep: bool,
}

fn le16(b: &[u8], at: usize) -> usize {
    usize::from(b[at]) | usize::from(b[at + 1]) << 8
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl AttachmentStream {
    pub fn new(limit: u64, keep: bool) -> Self {
        AttachmentStream {
            pending: Vec::new(),
            raw: Hashed::new(keep),
            zip: Zip::Sniff(Vec::new()),
            limit,
            keep,
        }
    }

    /// More base64 text (white space anywhere is ignored).
    pub fn push_text(&mut self, text: &str) -> Result<(), EdxmlError> {
        self.pending
            .extend(text.bytes().filter(|b| !b.is_ascii_whitespace()));
        // Decode whole quads; a quad with padding waits for the end.
        let mut n = self.pending.len() / 4 * 4;
        if let Some(p) = self.pending[..n].iter().position(|b| *b == b'=') {
            n = p / 4 * 4;
        }
        if n >= 4096 {
            let rest = self.pending.split_off(n);
            let chunk = std::mem::replace(&mut self.pending, rest);
            self.decoded(&chunk)?;
        }
        Ok(())
    }

    fn decoded(&mut self, b64: &[u8]) -> Result<(), EdxmlError> {
        let bytes = LENIENT
            .decode(b64)
            .map_err(|e| EdxmlError::Invalid(format!("attachment content is not base64: {e}")))?;
        self.raw.add(&bytes, self.limit, "an attachment")?;
        self.feed_zip(&bytes)
    }

    fn feed_zip(&mut self, mut b: &[u8]) -> Result<(), EdxmlError> {
        while !b.is_empty() {
            let zip = std::mem::replace(&mut self.zip, Zip::No);
            self.zip = match zip {
                Zip::Sniff(mut head) => {
                    let take = (30 - head.len()).min(b.len());
                    head.extend_from_slice(&b[..take]);
                    b = &b[take..];
                    self.sniffed(head)
                }
                Zip::Skip { left, entry } => {
                    let take = left.min(b.len());
                    b = &b[take..];
                    if left > take {
                        Zip::Skip {
                            left: left - take,
                            entry,
                        }
                    } else {
                        self.after_header(entry)
                    }
                }
                Zip::Inflate { inflater, entry } => {
                    let (zip, used) = self.inflate(inflater, entry, b)?;
                    b = &b[used..];
                    zip
                }
                Zip::Stored { left, mut entry } => {
                    let take = (left.min(b.len() as u64)) as usize;
                    entry.add(&b[..take], self.limit)?;
                    b = &b[take..];
                    if left > take as u64 {
                        Zip::Stored {
                            left: left - take as u64,
                            entry,
                        }
                    } else {
                        Zip::Done(entry)
                    }
                }
                done @ (Zip::Done(_) | Zip::No) => {
                    self.zip = done;
                    return Ok(());
                }
            };
        }
        Ok(())
    }

    /// The local file header, once 30 bytes are in.
    fn sniffed(&mut self, head: Vec<u8>) -> Zip {
        if !b"PK\x03\x04".starts_with(&head[..head.len().min(4)]) {
            return Zip::No;
        }
        if head.len() < 30 {
            return Zip::Sniff(head);
        }
        let flags = le16(&head, 6);
        let csize = le32(&head, 18);
        let described = flags & 0x08 != 0;
        let stored = match le16(&head, 8) {
            8 => None,
            0 if !described && csize != u32::MAX => Some(u64::from(csize)),
            _ => return Zip::No,
        };
        let entry = Entry {
            out: Hashed::new(self.keep),
            crc: Crc::new(),
            want_crc: (!described).then(|| le32(&head, 14)),
            stored,
        };
        match le16(&head, 26) + le16(&head, 28) {
            0 => self.after_header(entry),
            left => Zip::Skip { left, entry },
        }
    }

    fn after_header(&self, entry: Entry) -> Zip {
        match entry.stored {
            Some(0) => Zip::Done(entry),
            Some(left) => Zip::Stored { left, entry },
            None => Zip::Inflate {
                inflater: Box::new(Decompress::new(false)),
                entry,
            },
        }
    }

    /// Inflates what it can of `b`: the next state and how many bytes were used.
    fn inflate(
        &self,
        mut inflater: Box<Decompress>,
        mut entry: Entry,
        b: &[u8],
    ) -> Result<(Zip, usize), EdxmlError> {
        let mut out = vec![0u8; 64 * 1024];
        let start = inflater.total_in();
        loop {
            let used = (inflater.total_in() - start) as usize;
            let before = inflater.total_out();
            let status = match inflater.decompress(&b[used..], &mut out, FlushDecompress::None) {
                Ok(s) => s,
                // Not a deflate stream after all: deliver the bytes as they came.
                Err(_) => return Ok((Zip::No, b.len())),
            };
            let made = (inflater.total_out() - before) as usize;
            entry.add(&out[..made], self.limit)?;
            let used = (inflater.total_in() - start) as usize;
            match status {
                Status::StreamEnd => return Ok((Zip::Done(entry), used)),
                _ if used == b.len() && made < out.len() => {
                    return Ok((Zip::Inflate { inflater, entry }, used))
                }
                _ if made == 0 && used == 0 => return Ok((Zip::No, b.len())),
                _ => {}
            }
        }
    }

    /// The file to deliver: the ZIP's single entry when the sender zipped a file whose
    /// ContentType names another type, else the decoded bytes.
    pub fn finish(mut self, content_type: &str, name: &str) -> Result<Delivered, EdxmlError> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            self.decoded(&rest)?;
        }
        let inner = match std::mem::replace(&mut self.zip, Zip::No) {
            Zip::Done(e) if e.crc_ok() && !is_zip_container(content_type, name) => Some(e.out),
            _ => None,
        };
        let file = inner.unwrap_or(self.raw);
        Ok(Delivered {
            size: file.size,
            sha256: hex::encode(file.sha.finalize()),
            bytes: file.kept,
        })
    }
}

impl Entry {
    fn add(&mut self, b: &[u8], limit: u64) -> Result<(), EdxmlError> {
        self.crc.update(b);
        self.out.add(b, limit, "an unzipped attachment")
    }

    fn crc_ok(&self) -> bool {
        match self.want_crc {
            Some(c) => c == self.crc.sum(),
            None => true,
        }
    }
}

/// Types that are ZIP archives themselves (delivered as they are): zip, Office Open XML,
/// OpenDocument, EPUB, JAR — by content type or file extension.
fn is_zip_container(content_type: &str, name: &str) -> bool {
    let t = content_type.to_ascii_lowercase();
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    [
        "zip",
        "openxmlformats",
        "opendocument",
        "epub",
        "java-archive",
    ]
    .iter()
    .any(|k| t.contains(k))
        || matches!(
            ext.as_deref(),
            Some("zip" | "docx" | "xlsx" | "pptx" | "odt" | "ods" | "odp" | "epub" | "jar")
        )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A one-entry ZIP (deflated) of `data`, as senders make them.
    pub fn zip_one(name: &str, data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        let deflated = enc.finish().unwrap();
        let mut crc = Crc::new();
        crc.update(data);
        let mut z = b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00".to_vec();
        z.extend_from_slice(&crc.sum().to_le_bytes());
        z.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
        z.extend_from_slice(&(data.len() as u32).to_le_bytes());
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        z.extend_from_slice(name.as_bytes());
        z.extend_from_slice(&deflated);
        // The central directory is not read; a stand-in is enough.
        z.extend_from_slice(b"PK\x01\x02 central directory");
        z
    }

    fn deliver(bytes: &[u8], content_type: &str, name: &str) -> Delivered {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut s = AttachmentStream::new(1 << 30, true);
        for chunk in b64.as_bytes().chunks(7_001) {
            s.push_text(std::str::from_utf8(chunk).unwrap()).unwrap();
            s.push_text("\r\n").unwrap();
        }
        s.finish(content_type, name).unwrap()
    }

    #[test]
    fn zipped_attachment_is_delivered_unzipped() {
        let pdf: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let zipped = zip_one("qd.pdf", &pdf);
        let d = deliver(&zipped, "application/pdf", "qd.pdf");
        assert_eq!(d.bytes.unwrap(), pdf);
        assert_eq!(d.size, pdf.len() as u64);
        // A real zip (or a .docx) is delivered as it is.
        let d = deliver(&zipped, "application/zip", "a.zip");
        assert_eq!(d.bytes.unwrap(), zipped);
        let d = deliver(&zipped, "application/octet-stream", "a.docx");
        assert_eq!(d.bytes.unwrap(), zipped);
        // A damaged entry (bad CRC) is delivered as it came.
        let mut bad = zipped.clone();
        bad[14] ^= 1;
        assert_eq!(
            deliver(&bad, "application/pdf", "qd.pdf").bytes.unwrap(),
            bad
        );
    }

    #[test]
    fn plain_and_unpadded() {
        let d = deliver(b"hello", "text/plain", "a.txt");
        assert_eq!(d.bytes.unwrap(), b"hello");
        let mut s = AttachmentStream::new(1 << 20, true);
        s.push_text("aGVsbG8").unwrap();
        assert_eq!(s.finish("text/plain", "").unwrap().bytes.unwrap(), b"hello");
        let mut s = AttachmentStream::new(1 << 20, false);
        assert!(s.push_text(&"!".repeat(5000)).is_err());
    }

    #[test]
    fn limit_refuses_big_attachments_and_bombs() {
        let mut s = AttachmentStream::new(10_000, false);
        let e = s.push_text(&"A".repeat(40_000)).unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        let bomb = zip_one("x.pdf", &vec![0u8; 5_000_000]);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bomb);
        let mut s = AttachmentStream::new(100_000, false);
        let r = s
            .push_text(&b64)
            .and_then(|_| s.finish("application/pdf", "x.pdf").map(|_| ()));
        assert!(r.unwrap_err().to_string().contains("unzipped"));
    }
}
