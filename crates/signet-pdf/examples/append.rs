//! `cargo run -p signet-pdf --example append -- IN OUT`: appends one object (debug aid).
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&a[1]).unwrap();
    let doc = signet_pdf::Document::parse(&bytes).unwrap();
    let mut up = signet_pdf::Update::new(&doc);
    let r = up.allocate();
    up.put(r, &signet_pdf::Object::Integer(1));
    std::fs::write(&a[2], up.finish().unwrap()).unwrap();
}
