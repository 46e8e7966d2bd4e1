//! Resumable uploads: the record of each upload in the database (so every node sees it) and
//! its bytes in a part file beside the blob store, appended piece by piece. A finished part
//! is hashed and moved (renamed, not copied) to its content address.

use std::path::PathBuf;

use sha2::{Digest, Sha256};
use signet_core::ids::{AgencyId, PersonId};
use sqlx::Row;
use tokio::fs;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::{random_hex, BlobStore, Store, StoreError, StoredBlob};

/// An upload as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: String,
    pub agency_id: AgencyId,
    pub person_id: PersonId,
    pub file_name: String,
    /// The whole file's size, declared when the upload began.
    pub length: i64,
    /// Bytes received and kept so far.
    pub received: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Upload {
    pub fn is_complete(&self) -> bool {
        self.received == self.length
    }
}

fn upload_from_row(r: &sqlx::any::AnyRow) -> Result<Upload, StoreError> {
    Ok(Upload {
        id: r.try_get("id")?,
        agency_id: AgencyId::from(r.try_get::<String, _>("agency_id")?),
        person_id: PersonId::from(r.try_get::<String, _>("person_id")?),
        file_name: r.try_get("file_name")?,
        length: r.try_get("length")?,
        received: r.try_get("received")?,
        created_at_ms: r.try_get("created_at_ms")?,
        updated_at_ms: r.try_get("updated_at_ms")?,
    })
}

const COLUMNS: &str =
    "id, agency_id, person_id, file_name, length, received, created_at_ms, updated_at_ms";

impl Store {
    /// Records a new, empty upload; its id is random (it is also the part file's name).
    pub async fn insert_upload(
        &self,
        agency_id: &AgencyId,
        person_id: &PersonId,
        file_name: &str,
        length: i64,
        at_ms: i64,
    ) -> Result<Upload, StoreError> {
        let id = random_hex::<16>();
        sqlx::query(&format!(
            "INSERT INTO uploads ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)"
        ))
        .bind(&id)
        .bind(agency_id.as_str())
        .bind(person_id.as_str())
        .bind(file_name)
        .bind(length)
        .bind(at_ms)
        .execute(&self.pool)
        .await?;
        self.upload_of(person_id, &id).await
    }

    /// The upload `id` of `person_id`: another person's upload is not found.
    pub async fn upload_of(&self, person_id: &PersonId, id: &str) -> Result<Upload, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM uploads WHERE id = $1 AND person_id = $2"
        ))
        .bind(id)
        .bind(person_id.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        upload_from_row(&row)
    }

    /// Moves the received count from `from` to `to`; false when it no longer is `from` (a
    /// concurrent piece got there first, and this one's bytes are not counted).
    pub async fn advance_upload(
        &self,
        id: &str,
        from: i64,
        to: i64,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE uploads SET received = $1, updated_at_ms = $2 WHERE id = $3 AND received = $4",
        )
        .bind(to)
        .bind(at_ms)
        .bind(id)
        .bind(from)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_upload(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM uploads WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Uploads nobody has added to since `before_ms` (abandoned), for the sweep.
    pub async fn stale_uploads(&self, before_ms: i64) -> Result<Vec<Upload>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM uploads WHERE updated_at_ms < $1 LIMIT 1000"
        ))
        .bind(before_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(upload_from_row).collect()
    }
}

/// Where a piece of an upload is written: the part file, opened at the received offset.
#[derive(Debug)]
pub struct PartWriter {
    file: fs::File,
    written: u64,
}

impl PartWriter {
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        self.file.write_all(chunk).await?;
        self.written += chunk.len() as u64;
        Ok(())
    }

    /// Bytes written by this piece so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Makes the piece durable before its bytes are counted.
    pub async fn sync(mut self) -> Result<u64, StoreError> {
        self.file.flush().await?;
        self.file.sync_data().await?;
        Ok(self.written)
    }
}

impl BlobStore {
    fn part_path(&self, id: &str) -> Result<PathBuf, StoreError> {
        let valid = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid {
            return Err(StoreError::NotFound);
        }
        Ok(self.root().join("uploads").join(format!("{id}.part")))
    }

    /// Opens the part file to append a piece at `offset`: whatever an interrupted piece left
    /// beyond it was never counted and is cut off first.
    pub async fn part_writer(&self, id: &str, offset: u64) -> Result<PartWriter, StoreError> {
        let path = self.part_path(id)?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).await?;
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .await?;
        file.set_len(offset).await?;
        file.seek(std::io::SeekFrom::Start(offset)).await?;
        Ok(PartWriter { file, written: 0 })
    }

    /// The first bytes of a part (for recognising the file's type).
    pub async fn part_head(&self, id: &str, n: usize) -> Result<Vec<u8>, StoreError> {
        let mut file = fs::File::open(self.part_path(id)?).await?;
        let mut buf = vec![0u8; n];
        let mut got = 0;
        while got < n {
            let k = file.read(&mut buf[got..]).await?;
            if k == 0 {
                break;
            }
            got += k;
        }
        buf.truncate(got);
        Ok(buf)
    }

    /// A complete part becomes a stored file: hashed as it is read, then renamed to its
    /// content address (an identical file already stored is kept and the part dropped).
    pub async fn store_part(&self, id: &str, length: u64) -> Result<StoredBlob, StoreError> {
        if length == 0 {
            return Err(StoreError::Empty);
        }
        if length > self.max_size() {
            return Err(StoreError::TooLarge {
                limit: self.max_size(),
            });
        }
        let path = self.part_path(id)?;
        let mut file = fs::File::open(&path).await?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut left = length;
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let k = file.read(&mut buf[..want]).await?;
            if k == 0 {
                return Err(StoreError::Conflict(
                    "the upload's file is shorter than recorded".into(),
                ));
            }
            hasher.update(&buf[..k]);
            left -= k as u64;
        }
        drop(file);
        // Bytes beyond `length` were never counted.
        fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .await?
            .set_len(length)
            .await?;
        let sha256 = hex::encode(hasher.finalize());
        let dest = self.blob_path(&sha256)?;
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).await?;
        }
        fs::rename(&path, &dest).await?;
        Ok(StoredBlob {
            sha256,
            size: length,
        })
    }

    /// Removes a part file (a cancelled or abandoned upload); missing is fine.
    pub async fn remove_part(&self, id: &str) -> Result<(), StoreError> {
        match fs::remove_file(self.part_path(id)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}
