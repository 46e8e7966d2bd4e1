//! The files of processing notes: read back with the note, downloaded by whoever may read
//! the document (the agency is in every query, through the document).

use signet_core::ids::{AgencyId, DocumentId, FileId};

use super::{file_from_row, DocumentFile};
use crate::{Store, StoreError};

const SELECT: &str = "SELECT f.id, f.note_id, f.document_id, f.sha256, f.file_name, \
     f.content_type, f.size, 'note' AS kind, f.created_at_ms, CAST(1 AS BIGINT) AS version FROM note_files f \
     JOIN documents d ON d.id = f.document_id WHERE d.agency_id = $1 AND f.document_id = $2";

impl Store {
    /// `(note id, file)` of every note of a document, oldest first.
    pub async fn note_files(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
    ) -> Result<Vec<(String, DocumentFile)>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY f.created_at_ms, f.id"))
            .bind(agency_id.as_str())
            .bind(document_id.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                use sqlx::Row;
                Ok((r.try_get("note_id")?, file_from_row(r)?))
            })
            .collect()
    }

    /// One file of a document's notes, or `NotFound`.
    pub async fn note_file(
        &self,
        agency_id: &AgencyId,
        document_id: &DocumentId,
        file_id: &FileId,
    ) -> Result<DocumentFile, StoreError> {
        let row = sqlx::query(&format!("{SELECT} AND f.id = $3"))
            .bind(agency_id.as_str())
            .bind(document_id.as_str())
            .bind(file_id.as_str())
            .fetch_one(&self.pool)
            .await?;
        file_from_row(&row)
    }
}
