//! External referees (openssl, poppler, qpdf, pyHanko, softhsm2-util).
//!
//! The rule every suite follows: a missing tool skips the test with a message on a
//! developer's machine, and fails it under CI (`CI` set), where `scripts/test` installs
//! every tool, so a broken set-up can never pass as "skipped".

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The path of `name`: on `PATH`, or in the workspace's Python venv (`.venv/bin`, pyHanko).
/// `None` when missing locally, with the reason printed; a panic under CI.
pub fn tool(name: &str) -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin");
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([venv])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        missing(name);
    }
    found
}

/// [`tool`] when only presence matters: true if `name` can run.
pub fn require_tool(name: &str) -> bool {
    tool(name).is_some()
}

/// Reports a missing tool or file: a panic under CI, a printed skip otherwise.
pub(crate) fn missing(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is required under CI (scripts/test installs it)"
    );
    eprintln!("skipped: {what} is not installed");
}

/// Runs `program args…` in `dir` and returns its output whatever the exit status. Failing
/// to start it at all panics, naming the command.
pub fn run(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Output {
    let program = program.as_ref();
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} {args:?}: {e}", program.to_string_lossy()))
}

/// [`run`] that must succeed; returns stdout and stderr together.
pub fn run_ok(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> String {
    let program = program.as_ref();
    let o = run(dir, program, args);
    assert!(
        o.status.success(),
        "{} {args:?} in {} failed ({}):\n{}",
        program.to_string_lossy(),
        dir.display(),
        o.status,
        text(&o)
    );
    text(&o)
}

/// `openssl args…` in `dir`, whatever its exit status.
pub fn openssl(dir: &Path, args: &[&str]) -> Output {
    run(dir, "openssl", args)
}

/// `openssl args…` in `dir` that must succeed; its stdout and stderr.
pub fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    run_ok(dir, "openssl", args)
}

/// Standard output then standard error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The shared test data (`corpus/`, `trust/`) the project keeps beside its repository:
/// `SIGNET_SHARED_DIR`, else a `shared` directory beside the checkout or one of its parents,
/// else `/work/shared` (where this project's machines keep it, whatever the clone's path).
pub fn shared_dir() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("SIGNET_SHARED_DIR") {
        return Some(dir.into());
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared"))
        .chain(std::iter::once(std::path::PathBuf::from("/work/shared")))
        .find(|p| p.join("corpus").is_dir())
}
