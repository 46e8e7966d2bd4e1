//! Debug aid: prints each xref section reachable from startxref.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&a[1]).unwrap();
    println!("chain: {:?}", signet_pdf::debug_chain(&bytes));
    for (pos, v) in signet_pdf::debug_startxref_pointers(&bytes) {
        println!(
            "startxref at {pos} -> {v}: {:?}",
            signet_pdf::debug_read_section(&bytes, v)
        );
    }
}
