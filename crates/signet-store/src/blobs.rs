//! Content-addressed file storage on the filesystem.
//!
//! Files are streamed in: each chunk is hashed and written to a temporary file as it arrives,
//! so memory use does not grow with the file. Only a complete file is moved (atomically, by
//! rename) to its place under its SHA-256; a writer dropped before [`BlobWriter::finish`] —
//! a client that disconnected, a file over the limit — removes its temporary file, so an
//! interrupted upload leaves nothing half-written.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::fs;
use tokio::io::AsyncWriteExt;

use crate::{random_hex, Store, StoreError};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    max_size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
}

impl BlobStore {
    /// A store under `root`, refusing files larger than `max_size` bytes.
    pub async fn open(root: impl Into<PathBuf>, max_size: u64) -> Result<Self, StoreError> {
        let root = root.into();
        fs::create_dir_all(root.join("tmp")).await?;
        Ok(Self { root, max_size })
    }

    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Starts a new upload.
    pub async fn writer(&self) -> Result<BlobWriter, StoreError> {
        let tmp = self.root.join("tmp").join(random_hex::<16>());
        let file = fs::File::create(&tmp).await?;
        Ok(BlobWriter {
            store: self.clone(),
            tmp: Some(tmp),
            file: Some(file),
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Opens a stored file for reading, streamed by the caller.
    pub async fn open_blob(&self, sha256: &str) -> Result<fs::File, StoreError> {
        let path = self.path_of(sha256).ok_or(StoreError::NotFound)?;
        match fs::File::open(path).await {
            Ok(f) => Ok(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Where the file with this SHA-256 lives.
    pub(crate) fn blob_path(&self, sha256: &str) -> Result<PathBuf, StoreError> {
        self.path_of(sha256).ok_or(StoreError::NotFound)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// An upload in progress.
#[derive(Debug)]
pub struct BlobWriter {
    store: BlobStore,
    tmp: Option<PathBuf>,
    file: Option<fs::File>,
    hasher: Sha256,
    size: u64,
}

impl BlobWriter {
    /// Writes the next chunk; fails (and discards the upload) past the size limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        self.size += chunk.len() as u64;
        if self.size > self.store.max_size {
            return Err(StoreError::TooLarge {
                limit: self.store.max_size,
            });
        }
        self.hasher.update(chunk);
        let file = self.file.as_mut().ok_or(StoreError::NotFound)?;
        file.write_all(chunk).await?;
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Makes the file durable and moves it to its content address. An identical file already
    /// stored is kept and this copy dropped.
    pub async fn finish(mut self) -> Result<StoredBlob, StoreError> {
        if self.size == 0 {
            return Err(StoreError::Empty);
        }
        let mut file = self.file.take().ok_or(StoreError::NotFound)?;
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let dest = self.store.path_of(&sha256).ok_or(StoreError::NotFound)?;
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).await?;
        }
        let tmp = self.tmp.take().ok_or(StoreError::NotFound)?;
        fs::rename(&tmp, &dest).await?;
        Ok(StoredBlob {
            sha256,
            size: self.size,
        })
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            // Best effort: a leftover temporary file is harmless and swept at start-up.
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Store {
    /// Records a stored blob (idempotent).
    pub async fn record_blob(&self, blob: &StoredBlob, at_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO blobs (sha256, size, created_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&blob.sha256)
        .bind(blob.size as i64)
        .bind(at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

impl BlobStore {
    /// Removes temporary files left by a crash mid-upload: those not written to since
    /// `untouched_since`. Files written to later are left alone: with several nodes on one
    /// shared file store, they are another node's uploads in progress (a node restarting
    /// used to delete them, and that node's upload then failed at its rename).
    pub async fn sweep_temporary(
        &self,
        untouched_since: std::time::SystemTime,
    ) -> Result<usize, StoreError> {
        let mut n = 0;
        let mut dir = fs::read_dir(self.root.join("tmp")).await?;
        while let Some(e) = dir.next_entry().await? {
            let modified = match e.metadata().await.and_then(|m| m.modified()) {
                Ok(t) => t,
                // Finished or swept by another node meanwhile.
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(err) => return Err(err.into()),
            };
            if modified >= untouched_since {
                continue;
            }
            match fs::remove_file(e.path()).await {
                Ok(()) => n += 1,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(n)
    }
}
