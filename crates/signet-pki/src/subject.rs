//! What the Vietnamese certificate profiles put in a signer's subject besides the name: the
//! personal ID, tax code or budget-unit code (in UID or serialNumber, with a prefix such as
//! `CMND:`, `CCCD:`, `MST:`, `MNS:`), and the position held (title). A report shows them so a
//! clerk can tell two people of the same name apart.

use der::asn1::{Any, ObjectIdentifier};
use der::{Decode, Tag, Tagged};
use x509_cert::Certificate;

const UID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const TITLE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.12");
const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const ORG_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");

/// Identifier prefixes of the Vietnamese profiles, with what they are.
const PREFIXES: [(&str, &str, &str); 8] = [
    ("CMND", "Chứng minh nhân dân", "identity card number"),
    ("CCCD", "Căn cước công dân", "citizen ID number"),
    ("CMT", "Chứng minh thư", "identity card number"),
    ("HC", "Hộ chiếu", "passport number"),
    ("MST", "Mã số thuế", "tax code"),
    ("MNS", "Mã quan hệ ngân sách", "budget-unit code"),
    ("MDV", "Mã đơn vị", "agency code"),
    ("CQ", "Mã cơ quan", "agency code"),
];

/// One identifier read from the subject (`MST:0102357802` gives kind `MST`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SubjectId {
    /// The prefix as written (upper case), e.g. `CCCD`, `MST`; empty when there was none.
    pub kind: String,
    pub value: String,
    /// What the prefix means, Vietnamese and English (empty for an unknown prefix).
    pub label_vi: String,
    pub label_en: String,
}

/// The subject attributes beyond the common name, as written in the certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SubjectDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizational_unit: Option<String>,
    /// Every prefixed identifier found in UID and serialNumber (several may share one
    /// attribute: `MST:0102357802, MNS:1032158`).
    pub identifiers: Vec<SubjectId>,
}

impl SubjectDetails {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        *self == SubjectDetails::default()
    }
}

/// Reads the details from a DER certificate; an unreadable certificate gives none.
pub fn subject_details(der: &[u8]) -> SubjectDetails {
    let Ok(cert) = Certificate::from_der(der) else {
        return SubjectDetails::default();
    };
    let mut d = SubjectDetails::default();
    let mut ids = Vec::new();
    // Most specific first, as the subject is displayed (RFC 4514 order).
    for atv in cert
        .tbs_certificate
        .subject
        .0
        .iter()
        .rev()
        .flat_map(|rdn| rdn.0.iter())
    {
        let Some(v) = text(&atv.value) else { continue };
        if atv.oid == UID || atv.oid == SERIAL_NUMBER {
            ids.extend(identifiers(&v));
        }
        let slot = match atv.oid {
            x if x == UID => &mut d.uid,
            x if x == SERIAL_NUMBER => &mut d.serial_number,
            x if x == TITLE => &mut d.title,
            x if x == ORGANIZATION => &mut d.organization,
            x if x == ORG_UNIT => &mut d.organizational_unit,
            _ => continue,
        };
        // A profile may repeat an attribute (two UIDs: tax code and budget-unit code).
        match slot {
            Some(prev) => {
                prev.push_str(", ");
                prev.push_str(&v);
            }
            None => *slot = Some(v),
        }
    }
    for id in ids {
        if !d.identifiers.contains(&id) {
            d.identifiers.push(id);
        }
    }
    d
}

/// A directory string's text (UTF8, Printable, IA5, Teletex as Latin-1, BMP).
fn text(v: &Any) -> Option<String> {
    let b = v.value();
    let s = match v.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            std::str::from_utf8(b).ok()?.to_string()
        }
        Tag::TeletexString => b.iter().map(|&c| char::from(c)).collect(),
        Tag::BmpString => {
            let units: Vec<u16> = b
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()?
        }
        _ => return None,
    };
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The prefixed identifiers of one attribute value: parts separated by `,` or `;`, each
/// `PREFIX:value` (or `PREFIX-value`, as some CAs write); a known prefix is labelled.
fn identifiers(value: &str) -> Vec<SubjectId> {
    let mut out = Vec::new();
    for part in value
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((kind, v)) = part.split_once([':', '-']) else {
            continue;
        };
        let kind = kind.trim().to_uppercase();
        let v = v.trim();
        if v.is_empty()
            || kind.is_empty()
            || kind.len() > 8
            || !kind.chars().all(|c| c.is_ascii_alphabetic())
        {
            continue;
        }
        let (vi, en) = PREFIXES
            .iter()
            .find(|(p, _, _)| *p == kind)
            .map_or(("", ""), |(_, vi, en)| (*vi, *en));
        out.push(SubjectId {
            kind,
            value: v.to_string(),
            label_vi: vi.into(),
            label_en: en.into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::identifiers;

    #[test]
    fn reads_several_prefixed_identifiers() {
        let ids = identifiers("MST:0102357802, MNS:1032158");
        assert_eq!(ids.len(), 2);
        assert_eq!(
            (ids[0].kind.as_str(), ids[0].value.as_str()),
            ("MST", "0102357802")
        );
        assert_eq!(ids[1].label_en, "budget-unit code");
        assert_eq!(
            identifiers("CCCD:001099000123")[0].label_vi,
            "Căn cước công dân"
        );
        assert!(identifiers("plain text").is_empty());
    }
}
