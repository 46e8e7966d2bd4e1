//! Reading the Document Security Store (`/DSS`: certificates, OCSP responses, CRLs) of a file,
//! and which revision added it — PAdES B-LT data the verifier uses with the network off.

use signet_pdf::{Document, Object};

/// Most entries read from each DSS array.
const MAX_ENTRIES: usize = 4096;
/// Most bytes one decoded DSS stream may have.
const MAX_STREAM: usize = 16 << 20;

/// The validation data of a file's DSS (as of a revision).
#[derive(Clone, Debug, Default)]
pub struct Dss {
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

impl Dss {
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.ocsps.is_empty() && self.crls.is_empty()
    }
}

/// The DSS as of revision `rev` (empty when there is none or it cannot be read).
pub fn read(doc: &Document, rev: usize) -> Dss {
    let mut dss = Dss::default();
    let Ok((_, cat)) = doc.catalog_at(rev) else {
        return dss;
    };
    let Ok(Object::Dictionary(d)) = doc.dict_get_at(rev, &cat, b"DSS") else {
        return dss;
    };
    dss.certs = streams(doc, rev, &d, b"Certs");
    dss.ocsps = streams(doc, rev, &d, b"OCSPs");
    dss.crls = streams(doc, rev, &d, b"CRLs");
    dss
}

fn streams(doc: &Document, rev: usize, d: &signet_pdf::Dictionary, key: &[u8]) -> Vec<Vec<u8>> {
    let Ok(Object::Array(items)) = doc.dict_get_at(rev, d, key) else {
        return Vec::new();
    };
    items
        .iter()
        .take(MAX_ENTRIES)
        .filter_map(|o| match doc.resolve_at(rev, o) {
            Ok(Object::Stream(s)) => s.decoded_limited(MAX_STREAM).ok(),
            _ => None,
        })
        .collect()
}

/// The first revision whose catalog has a DSS, if any.
pub fn first_revision_with_dss(doc: &Document) -> Option<usize> {
    (0..doc.revisions().len()).find(|&r| {
        doc.catalog_at(r)
            .map(|(_, c)| c.contains(b"DSS"))
            .unwrap_or(false)
    })
}
