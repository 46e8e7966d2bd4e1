//! Every input the fuzzer once crashed on (tests/regressions/*.pdf) now runs through the
//! `pdf` fuzz target's exercise (`signet_pdf::fuzz::exercise`) without panicking, without a
//! broken invariant and within a time limit.

use std::sync::mpsc;
use std::time::Duration;

#[test]
fn fuzz_regressions_do_not_crash() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "pdf") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(signet_pdf::fuzz::exercise(&bytes).map(|_| ()));
        });
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Ok(())) => n += 1,
            Ok(Err(broken)) => panic!("{}: {broken}", p.display()),
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{}: more than 5 s", p.display()),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{}: panicked", p.display()),
        }
    }
    assert!(n >= 1, "no regression files found");
    eprintln!("{n} regression inputs ok");
}
