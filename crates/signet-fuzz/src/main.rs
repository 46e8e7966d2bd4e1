//! `signet-fuzz <target> --seconds N --corpus DIR --out DIR [--seed S] [--timeout-ms MS]`
//! `signet-fuzz <target> --replay FILE` (one input, panics shown with their backtrace)
//!
//! A mutation fuzzer for stable Rust. Seeds come from the corpus directory; each mutated
//! input runs on a worker thread under `catch_unwind`, watched by a time limit. Panicking
//! inputs are saved to the output directory (deduplicated by message); a hang is saved and
//! stops the run, since a stuck thread cannot be killed. Inputs whose outcome label is new
//! join the live corpus (a cheap stand-in for coverage feedback).
//!
//! Build it with overflow checks, so arithmetic overflow shows up as a crash:
//! `CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true cargo build --release -p signet-fuzz`.
//! New targets go in `signet_fuzz::targets::TARGETS` (a name and a `fn(&[u8]) -> String`) and
//! get a libFuzzer twin in `fuzz/fuzz_targets/`.
// A developer's tool, not a library: a bad argument or an unreadable file stops it with a
// message, and an unseeded run takes its seed from the wall clock.
#![allow(clippy::panic, clippy::disallowed_methods)]

mod mutate;
mod rng;

use signet_fuzz::targets;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Args {
    target: String,
    replay: Option<PathBuf>,
    seconds: u64,
    corpus: PathBuf,
    out: PathBuf,
    seed: u64,
    timeout: Duration,
    max_len: usize,
}

fn usage() -> ! {
    let names: Vec<&str> = targets::TARGETS.iter().map(|(n, _)| *n).collect();
    eprintln!("usage: signet-fuzz <{}> --seconds N --corpus DIR --out DIR [--seed S] [--timeout-ms MS] [--max-len BYTES] | --replay FILE", names.join("|"));
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let target = it.next().unwrap_or_else(|| usage());
    let mut a = Args {
        target,
        replay: None,
        seconds: 60,
        corpus: PathBuf::from("/work/shared/corpus/pdf"),
        out: PathBuf::from("fuzz-out"),
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()) << 20,
        timeout: Duration::from_millis(3000),
        max_len: 4 << 20,
    };
    while let Some(flag) = it.next() {
        let val = it.next().unwrap_or_else(|| usage());
        let num = || val.parse::<u64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--seconds" => a.seconds = num(),
            "--corpus" => a.corpus = PathBuf::from(&val),
            "--out" => a.out = PathBuf::from(&val),
            "--seed" => a.seed = num(),
            "--timeout-ms" => a.timeout = Duration::from_millis(num()),
            "--max-len" => a.max_len = num() as usize,
            "--replay" => a.replay = Some(PathBuf::from(&val)),
            _ => usage(),
        }
    }
    a
}

fn load_corpus(dir: &Path, max_len: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                if b.len() <= max_len && b.len() > 8 {
                    out.push(b);
                }
            }
        }
    }
    out
}

/// One input on the worker: Ok(label) or Err(panic message).
type Outcome = Result<String, String>;

fn spawn_worker(target: targets::Target) -> (mpsc::Sender<Vec<u8>>, mpsc::Receiver<Outcome>) {
    let (in_tx, in_rx) = mpsc::channel::<Vec<u8>>();
    let (out_tx, out_rx) = mpsc::channel::<Outcome>();
    std::thread::spawn(move || {
        for input in in_rx {
            let r = std::panic::catch_unwind(|| target(&input)).map_err(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "non-string panic".into())
            });
            if out_tx.send(r).is_err() {
                break;
            }
        }
    });
    (in_tx, out_rx)
}

fn save(out: &Path, kind: &str, input: &[u8], note: &str) -> PathBuf {
    let h = input.iter().fold(0xcbf29ce484222325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    });
    let p = out.join(format!("{kind}-{h:016x}.pdf"));
    let _ = std::fs::write(&p, input);
    let _ = std::fs::write(p.with_extension("txt"), note);
    p
}

fn main() {
    let a = parse_args();
    let target = targets::find(&a.target).unwrap_or_else(|| usage());
    if let Some(file) = &a.replay {
        // Runs one input in this thread with the default panic hook: the backtrace shows.
        let input = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        println!("{}", target(&input));
        return;
    }
    let mut corpus = load_corpus(&a.corpus, a.max_len);
    if corpus.is_empty() {
        corpus.push(
            b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec(),
        );
    }
    std::fs::create_dir_all(&a.out)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", a.out.display()));
    // Panics are expected and reported by us; keep the default hook quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let seeds = corpus.len();
    let mut rng = rng::Rng::new(a.seed);
    let (tx, rx) = spawn_worker(target);
    let (mut execs, mut crashes, mut labels, mut seen_msgs) =
        (0u64, 0u64, HashSet::new(), HashSet::new());
    let start = Instant::now();
    let deadline = start + Duration::from_secs(a.seconds);
    let mut last_report = start;
    eprintln!(
        "signet-fuzz {}: {} seeds, seed {}, {} s",
        a.target, seeds, a.seed, a.seconds
    );
    while Instant::now() < deadline {
        // Half of the time start from an original seed: the live corpus leans to small,
        // heavily damaged inputs.
        let i = if rng.below(2) == 0 {
            rng.below(seeds)
        } else {
            rng.below(corpus.len())
        };
        let j = rng.below(corpus.len());
        let input = mutate::mutate(&mut rng, &corpus[i], &corpus[j], a.max_len);
        if tx.send(input.clone()).is_err() {
            break;
        }
        execs += 1;
        match rx.recv_timeout(a.timeout) {
            Ok(Ok(label)) => {
                if labels.insert(label) && corpus.len() < seeds + 2000 {
                    corpus.push(input);
                }
            }
            Ok(Err(msg)) => {
                crashes += 1;
                if seen_msgs.insert(msg.clone()) {
                    let p = save(&a.out, "crash", &input, &msg);
                    eprintln!("CRASH {}: {msg}", p.display());
                }
            }
            Err(_) => {
                let p = save(
                    &a.out,
                    "hang",
                    &input,
                    &format!("no result within {:?}", a.timeout),
                );
                eprintln!(
                    "HANG {} (stopping: the stuck worker cannot be killed)",
                    p.display()
                );
                summary(execs, crashes, seen_msgs.len(), 1, corpus.len(), start);
                std::process::exit(1);
            }
        }
        if last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            summary(execs, crashes, seen_msgs.len(), 0, corpus.len(), start);
        }
    }
    summary(execs, crashes, seen_msgs.len(), 0, corpus.len(), start);
    std::process::exit(i32::from(crashes > 0));
}

fn summary(execs: u64, crashes: u64, unique: usize, hangs: u64, corpus: usize, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "execs {execs} ({:.0}/s), crashes {crashes} ({unique} unique), hangs {hangs}, live corpus {corpus}",
        execs as f64 / secs.max(0.001)
    );
}
