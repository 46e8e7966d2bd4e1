//! Scratch directories.

use std::path::{Path, PathBuf};

/// A fresh directory under the system temp dir, named `signet-<tag>-…`. Removed on drop
/// when the test passed; kept (and its path printed) when the test panicked, to look at.
pub struct TempDir(Option<tempfile::TempDir>);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("signet-{tag}-"))
            .tempdir()
            .unwrap_or_else(|e| panic!("creating a temp dir for {tag}: {e}"));
        TempDir(Some(dir))
    }

    /// The directory itself.
    pub fn dir(&self) -> &Path {
        match &self.0 {
            Some(d) => d.path(),
            None => unreachable!("only taken in drop"),
        }
    }

    /// `name` inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    /// Writes `data` to `name` and returns its path.
    pub fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, data).unwrap_or_else(|e| panic!("writing {}: {e}", p.display()));
        p
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        let p = self.path(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(d) = self.0.take() {
            if std::thread::panicking() {
                eprintln!("test files kept in {}", d.keep().display());
            }
        }
    }
}
