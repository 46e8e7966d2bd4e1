//! The Document Security Store (`/DSS`, PAdES B-LT): certificates, OCSP responses and CRLs
//! added in an incremental update, merged with what the file already has.

use crate::document::Document;
use crate::object::{Dictionary, ObjRef, Object, Stream};
use crate::writer::Update;
use crate::{PdfError, Result};
use std::collections::HashMap;

/// Validation data to add. Each item is DER.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dss {
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    /// `/VRI` entries keyed by the upper-case hex SHA-1 of the signature's /Contents.
    pub vri: Vec<(String, VriEntry)>,
}

/// One `/VRI` entry: the items (DER) that validate one signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VriEntry {
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    /// `/TU`, a PDF date string, when known.
    pub tu: Option<String>,
}

/// One incremental update adding `dss` to the catalog's `/DSS`.
pub fn add_dss(doc: &Document, dss: &Dss) -> Result<Vec<u8>> {
    let mut up = Update::new(doc);
    add_dss_in(&mut up, dss)?;
    up.finish()
}

/// Existing streams of one DSS array: content → object, and the array's own location.
struct Bucket {
    items: Vec<Object>,
    known: HashMap<Vec<u8>, ObjRef>,
    array_ref: Option<ObjRef>,
}

/// Adds `dss` to an update, keeping every existing DSS entry.
pub fn add_dss_in(up: &mut Update<'_>, dss: &Dss) -> Result<()> {
    let (root, _) = up.document().catalog()?;
    let mut cat = up
        .get(root)?
        .ok_or_else(|| PdfError::Structure("catalog missing".into()))?;
    let slot = cat.as_dict().and_then(|d| d.get(b"DSS")).cloned();
    let dss_ref = up.existing_container(slot.as_ref(), true);
    let mut dict = match &slot {
        Some(o) => up.resolve(o)?.as_dict().cloned().unwrap_or_default(),
        None => Dictionary::new(),
    };
    let mut by_data: HashMap<Vec<u8>, ObjRef> = HashMap::new();
    for (key, items) in [
        (&b"Certs"[..], &dss.certs),
        (b"OCSPs", &dss.ocsps),
        (b"CRLs", &dss.crls),
    ] {
        let mut bucket = load_bucket(up, &dict, key)?;
        for der in items.iter().chain(vri_items(dss, key)) {
            let r = intern(up, &mut bucket, der);
            by_data.insert(der.clone(), r);
        }
        by_data.extend(bucket.known.iter().map(|(k, v)| (k.clone(), *v)));
        store_array(up, &mut dict, key, bucket);
    }
    if !dss.vri.is_empty() {
        add_vri(up, &mut dict, dss, &by_data)?;
    }
    if !dict.contains(b"Type") {
        dict.set(b"Type", Object::name("DSS"));
    }
    match dss_ref {
        Some(r) => up.put(r, &dict.into()),
        None => {
            let r = up.allocate();
            up.put(r, &dict.into());
            let cd = cat
                .as_dict_mut()
                .ok_or_else(|| PdfError::Structure("catalog is not a dictionary".into()))?;
            cd.set(b"DSS", r);
            up.put(root, &cat);
        }
    }
    Ok(())
}

fn vri_items<'d>(dss: &'d Dss, key: &[u8]) -> impl Iterator<Item = &'d Vec<u8>> + 'd {
    let key = key.to_vec();
    dss.vri.iter().flat_map(move |(_, e)| match key.as_slice() {
        b"Certs" => e.certs.iter(),
        b"OCSPs" => e.ocsps.iter(),
        _ => e.crls.iter(),
    })
}

fn load_bucket(up: &Update<'_>, dict: &Dictionary, key: &[u8]) -> Result<Bucket> {
    let array_ref = up.existing_container(dict.get(key), false);
    let items = match dict.get(key) {
        Some(o) => up
            .resolve(o)?
            .as_array()
            .map(<[Object]>::to_vec)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut known = HashMap::new();
    for item in &items {
        let Some(r) = item.as_ref() else { continue };
        // Unreadable existing entries are kept as they are, just not used for deduplication.
        if let Ok(Object::Stream(s)) = up.resolve(item) {
            if let Ok(data) = s.decoded() {
                known.insert(data, r);
            }
        }
    }
    Ok(Bucket {
        items,
        known,
        array_ref,
    })
}

fn intern(up: &mut Update<'_>, bucket: &mut Bucket, der: &[u8]) -> ObjRef {
    if let Some(r) = bucket.known.get(der) {
        return *r;
    }
    let r = up.allocate();
    up.put(
        r,
        &Object::Stream(Stream::new(Dictionary::new(), der.to_vec())),
    );
    bucket.items.push(r.into());
    bucket.known.insert(der.to_vec(), r);
    r
}

fn store_array(up: &mut Update<'_>, dict: &mut Dictionary, key: &[u8], b: Bucket) {
    if b.items.is_empty() {
        return;
    }
    match b.array_ref {
        Some(r) => up.put(r, &Object::Array(b.items)),
        None => dict.set(key, Object::Array(b.items)),
    }
}

fn add_vri(
    up: &mut Update<'_>,
    dict: &mut Dictionary,
    dss: &Dss,
    by_data: &HashMap<Vec<u8>, ObjRef>,
) -> Result<()> {
    let vri_ref = up.existing_container(dict.get(b"VRI"), true);
    let mut vri = match dict.get(b"VRI") {
        Some(o) => up.resolve(o)?.as_dict().cloned().unwrap_or_default(),
        None => Dictionary::new(),
    };
    for (key, e) in &dss.vri {
        let refs = |items: &[Vec<u8>]| -> Object {
            Object::Array(
                items
                    .iter()
                    .filter_map(|d| by_data.get(d))
                    .map(|r| Object::Reference(*r))
                    .collect(),
            )
        };
        let mut entry = Dictionary::new();
        for (k, items) in [
            (&b"Cert"[..], &e.certs),
            (b"OCSP", &e.ocsps),
            (b"CRL", &e.crls),
        ] {
            if !items.is_empty() {
                entry.set(k, refs(items));
            }
        }
        if let Some(tu) = &e.tu {
            entry.set(b"TU", Object::string(tu));
        }
        vri.set(key.to_ascii_uppercase(), entry);
    }
    match vri_ref {
        Some(r) => up.put(r, &vri.into()),
        None => dict.set(b"VRI", vri),
    }
    Ok(())
}
