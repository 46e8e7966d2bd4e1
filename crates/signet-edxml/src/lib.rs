//! QCVN 102:2016 edXML: the document packet (gói tin văn bản) and the status packet (gói tin
//! trạng thái) — model ([`Packet`], [`Spec`]), a lenient streaming reader ([`inspect`],
//! [`read`]), a strict writer ([`build`], [`build_signed`]) and the packet's XML signature.
//!
//! - Reading accepts the QCVN namespace prefixed or not (or missing), elements in any order,
//!   unknown elements, `cid:` references with or without the prefix on either side, dates as
//!   `yyyy/MM/dd`, `yyyy-MM-dd` or `dd/MM/yyyy`, attachments zipped by the sender (the single
//!   entry is delivered when ContentType names another type), and the legacy SOAP-ENV status
//!   envelope (read as a status packet, see [`read`]'s module).
//! - Reading refuses, with a one-line reason: malformed XML (unescaped `&` or `<`, truncation,
//!   mismatched tags), any DOCTYPE (no entity is ever expanded), other encodings than UTF-8,
//!   attachments over [`Limits::max_attachment`] (decoded or unzipped), oversize fields.
//!   Memory stays bounded: attachments are streamed and hashed, never held, by [`inspect`].
//! - Writing follows the QCVN samples (see [`write`]); signing is XML-DSig enveloped over the
//!   whole packet, exclusive C14N, RSA-SHA256 or ECDSA-SHA256, signer certificate embedded —
//!   what `xmlsec1 --verify` checks with the CA's certificates.
//!
//! Pure: no file, no socket, no clock; the time of a packet is a parameter.

mod attach;
mod c14n;
mod dates;
mod dsig;
mod lex;
mod model;
mod read;
mod write;

pub use model::{
    status_meaning, Attachment, Business, BusinessKind, Code, DocumentType, Kind, Organ, Packet,
    Promulgation, ResponseFor, SignatureReport, SignerInfo, Spec, Status, STATUS_CODES,
};
pub use read::{inspect, inspect_bytes, read, File, Limits};
pub use write::{build, build_signed, content_id, FileIn, EDXML_NS};

/// Why a packet was refused or could not be made. One line each.
#[derive(Debug, thiserror::Error)]
pub enum EdxmlError {
    /// Not well-formed XML.
    #[error("malformed XML at byte {offset}: {what}")]
    Malformed { offset: u64, what: String },
    /// Well-formed but refused on principle (DOCTYPE, size limits).
    #[error("refused: {0}")]
    Refused(String),
    /// XML, but not an edXML packet we can read or write.
    #[error("not a valid edXML packet: {0}")]
    Invalid(String),
    /// The input could not be read.
    #[error("read error: {0}")]
    Io(String),
    /// The signature could not be made.
    #[error("signing: {0}")]
    Sign(String),
}

/// Fuzzing entry: reads `data` as a packet; a short label of the outcome. The in-memory
/// reader must say exactly what the streaming one says, whatever the packet's tail claims.
pub fn fuzz_inspect(data: &[u8]) -> String {
    let streamed = inspect(data, &Limits::default());
    let in_memory = inspect_bytes(data, &Limits::default());
    assert_eq!(
        format!("{streamed:?}"),
        format!("{in_memory:?}"),
        "inspect_bytes disagrees with inspect"
    );
    match streamed {
        Ok(p) => format!(
            "ok:{:?}:a{}:s{}:{:?}",
            p.kind,
            p.attachments.len().min(3),
            p.signature.present,
            p.signature.valid
        ),
        Err(e) => {
            let s: String = e
                .to_string()
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .take(30)
                .collect();
            format!("err:{s}")
        }
    }
}

#[cfg(test)]
mod tests;
