//! Debug aid: `prep IN OUT` writes IN with a document-timestamp placeholder filled by a
//! dummy token.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&a[1]).unwrap();
    let doc = signet_pdf::Document::parse(&bytes).unwrap();
    let req = signet_pdf::SignatureRequest::doc_timestamp("FuzzTS", 64);
    let p = signet_pdf::prepare_signature(&doc, &req).unwrap();
    std::fs::write(&a[2], p.embed(&[0x30, 0x00]).unwrap()).unwrap();
}
