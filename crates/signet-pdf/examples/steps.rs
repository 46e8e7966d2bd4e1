//! Debug aid: times each step the fuzz target performs on one file.
use signet_pdf::*;
use std::time::Instant;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&a[1]).unwrap();
    let t = Instant::now();
    let doc = Document::parse(&bytes).unwrap();
    println!("parse {:?}", t.elapsed());
    for rev in 0..doc.revisions().len().min(8) {
        let t = Instant::now();
        for r in doc.live_refs_at(rev).into_iter().take(2000) {
            let t1 = Instant::now();
            if let Ok(Some(Object::Stream(s))) = doc.get_at(rev, r) {
                let _ = s.decoded_limited(1 << 22);
            }
            if t1.elapsed().as_millis() > 100 {
                println!("  object {r}: {:?}", t1.elapsed());
            }
        }
        println!("rev {rev} objects {:?}", t.elapsed());
        let t = Instant::now();
        let _ = doc.pages_at(rev);
        let _ = doc.acro_form_fields_at(rev);
        println!("rev {rev} pages+fields {:?}", t.elapsed());
    }
    let t = Instant::now();
    let r = rewrite(&doc);
    println!("rewrite {:?} ok={}", t.elapsed(), r.is_ok());
}
