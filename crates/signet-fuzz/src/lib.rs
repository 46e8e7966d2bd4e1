//! Signet's fuzz targets, in one place that both fuzz runners call:
//!
//! - the stable mutation fuzzer of this crate (`src/main.rs`, `scripts/fuzz`), which runs on
//!   any toolchain and in CI (`scripts/fuzz --smoke`);
//! - cargo-fuzz (`fuzz/` at the repository root, libFuzzer with coverage feedback), where a
//!   nightly toolchain is available: `cargo +nightly fuzz run pdf`.
//!
//! Each target takes arbitrary bytes, must return (never hang) and panics only when an
//! invariant of the product breaks (a file we wrote does not parse back). The string it
//! returns is a coarse outcome label that the stable runner uses as a stand-in for coverage.

pub mod targets;
