//! Resumable uploads (issue 13 §5): a person sends a big file in pieces and, when the network
//! drops, asks how much arrived and goes on from there (the tus protocol at the HTTP edge).
//! The finished upload is then named in a document form in place of the file itself.

use signet_core::person::Viewer;
use signet_store::documents::NewFile;
use signet_store::uploads::{PartWriter, Upload};

use crate::files::{clean_file_name, sniff};
use crate::{App, AppError, Invalid};

/// How many first bytes recognise a file's type.
const HEAD_BYTES: usize = 8192;
/// An upload nobody added to for this long is abandoned and removed.
pub const ABANDONED_AFTER_MS: i64 = 24 * 3600 * 1000;

impl App {
    /// Begins an upload of `length` bytes named `file_name`.
    pub async fn start_upload(
        &self,
        v: &Viewer,
        file_name: &str,
        length: u64,
    ) -> Result<Upload, AppError> {
        let name = clean_file_name(file_name)?;
        if length == 0 {
            return Err(AppError::Invalid(Invalid::EmptyFile));
        }
        let limit = self.blobs.max_size();
        if length > limit {
            return Err(AppError::TooLarge { limit });
        }
        let length = i64::try_from(length).map_err(|_| AppError::TooLarge { limit })?;
        let now = self.clock.now_ms();
        Ok(self
            .store
            .insert_upload(&v.agency_id, &v.person_id, &name, length, now)
            .await?)
    }

    /// The person's own upload; anyone else's is not found.
    pub async fn upload(&self, v: &Viewer, id: &str) -> Result<Upload, AppError> {
        Ok(self.store.upload_of(&v.person_id, id).await?)
    }

    /// Opens the next piece of an upload, which must start where the received bytes end.
    pub async fn begin_piece(
        &self,
        v: &Viewer,
        id: &str,
        offset: u64,
    ) -> Result<(Upload, PartWriter), AppError> {
        let up = self.upload(v, id).await?;
        if i64::try_from(offset).ok() != Some(up.received) {
            return Err(AppError::Conflict(format!(
                "the upload has {} bytes, not {offset}: ask for its offset and go on from there",
                up.received
            )));
        }
        let writer = self.blobs.part_writer(&up.id, offset).await?;
        Ok((up, writer))
    }

    /// Counts a piece's bytes once they are on disk (also for a piece cut short: what
    /// arrived is kept). The first piece is checked for the file's type, so a wrong file is
    /// refused before the rest of it is sent.
    pub async fn end_piece(&self, up: &Upload, writer: PartWriter) -> Result<i64, AppError> {
        let written = i64::try_from(writer.sync().await?).unwrap_or(i64::MAX);
        let to = up.received.saturating_add(written);
        if to > up.length {
            return Err(AppError::Invalid(Invalid::Body {
                detail: format!("more bytes than the {} announced", up.length),
            }));
        }
        if up.received == 0 && written > 0 {
            let head = self.blobs.part_head(&up.id, HEAD_BYTES).await?;
            if let Err(e) = sniff(&up.file_name, &head) {
                self.remove_upload(&up.id).await?;
                return Err(e);
            }
        }
        let now = self.clock.now_ms();
        if !self
            .store
            .advance_upload(&up.id, up.received, to, now)
            .await?
        {
            return Err(AppError::Conflict(
                "another piece of this upload arrived at the same time".into(),
            ));
        }
        Ok(to)
    }

    /// Cancels the person's upload and drops what arrived.
    pub async fn cancel_upload(&self, v: &Viewer, id: &str) -> Result<(), AppError> {
        let up = self.upload(v, id).await?;
        self.remove_upload(&up.id).await
    }

    async fn remove_upload(&self, id: &str) -> Result<(), AppError> {
        self.store.delete_upload(id).await?;
        self.blobs.remove_part(id).await?;
        Ok(())
    }

    /// A finished upload of the person's becomes a file for a document form (once).
    pub async fn take_upload(&self, v: &Viewer, id: &str) -> Result<NewFile, AppError> {
        let up = self.upload(v, id.trim()).await?;
        if !up.is_complete() {
            return Err(AppError::Conflict(format!(
                "the upload of {} is not finished ({} of {} bytes)",
                up.file_name, up.received, up.length
            )));
        }
        let head = self.blobs.part_head(&up.id, HEAD_BYTES).await?;
        let content_type = sniff(&up.file_name, &head)?;
        let length = u64::try_from(up.length).unwrap_or(0);
        let blob = self.blobs.store_part(&up.id, length).await?;
        self.store.delete_upload(&up.id).await?;
        Ok(NewFile {
            blob,
            file_name: up.file_name,
            content_type: content_type.to_owned(),
            kind: "main".to_owned(),
        })
    }

    /// Removes uploads abandoned for a day (the server runs it hourly); how many.
    pub async fn sweep_uploads(&self) -> Result<usize, AppError> {
        let before = self.clock.now_ms() - ABANDONED_AFTER_MS;
        let stale = self.store.stale_uploads(before).await?;
        for up in &stale {
            self.remove_upload(&up.id).await?;
        }
        Ok(stale.len())
    }
}
