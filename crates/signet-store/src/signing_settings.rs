//! An agency's signing settings and each person's handwritten-signature image (issue 9).
//! Every change is journaled in the agency's chain, in the same transaction.

use signet_core::ids::{AgencyId, PersonId};
use sqlx::Row;

use crate::journal::details::{entry, ServerKeysSet, SignatureImageSet};
use crate::journal::{append_and_commit, claim_head};
use crate::{Store, StoreError, StoredBlob};

/// A person's signature image as stored (the bytes are the blob `sha256`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureImage {
    pub person_id: PersonId,
    pub sha256: String,
    /// `image/png` or `image/jpeg`.
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub uploaded_at_ms: i64,
}

/// A checked image to record.
#[derive(Debug, Clone)]
pub struct NewSignatureImage<'a> {
    pub blob: &'a StoredBlob,
    pub content_type: &'a str,
    pub width: u32,
    pub height: u32,
}

impl Store {
    /// Whether the agency's leaders may sign with the personal key the server holds for
    /// them (off unless set).
    pub async fn server_keys_enabled(&self, agency_id: &AgencyId) -> Result<bool, StoreError> {
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT server_personal_keys FROM agency_signing_settings WHERE agency_id = $1",
        )
        .bind(agency_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(v.unwrap_or(0) != 0)
    }

    /// Allows or forbids signing with server-held personal keys in the agency (journaled).
    pub async fn set_server_keys(
        &self,
        agency_id: &AgencyId,
        enabled: bool,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        sqlx::query("DELETE FROM agency_signing_settings WHERE agency_id = $1")
            .bind(agency_id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO agency_signing_settings \
             (agency_id, server_personal_keys, updated_by, updated_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(agency_id.as_str())
        .bind(i64::from(enabled))
        .bind(actor.as_str())
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let e = entry(
            at_ms,
            actor.as_str(),
            agency_id.as_str(),
            &ServerKeysSet { enabled },
        )?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }

    /// The person's signature image, if they have one.
    pub async fn signature_image(
        &self,
        person_id: &PersonId,
    ) -> Result<Option<SignatureImage>, StoreError> {
        let row = sqlx::query(
            "SELECT sha256, content_type, width, height, uploaded_at_ms \
             FROM signature_images WHERE person_id = $1",
        )
        .bind(person_id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let dim = |c: &str| -> Result<u32, StoreError> {
            let v: i64 = r.try_get(c)?;
            u32::try_from(v).map_err(|_| crate::error::corrupt("signature_images", c))
        };
        Ok(Some(SignatureImage {
            person_id: person_id.clone(),
            sha256: r.try_get("sha256")?,
            content_type: r.try_get("content_type")?,
            width: dim("width")?,
            height: dim("height")?,
            uploaded_at_ms: r.try_get("uploaded_at_ms")?,
        }))
    }

    /// Sets (or with `None` removes) the person's signature image (journaled in the agency).
    pub async fn set_signature_image(
        &self,
        agency_id: &AgencyId,
        person_id: &PersonId,
        image: Option<NewSignatureImage<'_>>,
        actor: &PersonId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        sqlx::query("DELETE FROM signature_images WHERE person_id = $1")
            .bind(person_id.as_str())
            .execute(&mut *tx)
            .await?;
        if let Some(img) = &image {
            sqlx::query(
                "INSERT INTO blobs (sha256, size, created_at_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&img.blob.sha256)
            .bind(img.blob.size as i64)
            .bind(at_ms)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO signature_images (person_id, agency_id, sha256, content_type, \
                 width, height, uploaded_by, uploaded_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(person_id.as_str())
            .bind(agency_id.as_str())
            .bind(&img.blob.sha256)
            .bind(img.content_type)
            .bind(i64::from(img.width))
            .bind(i64::from(img.height))
            .bind(actor.as_str())
            .bind(at_ms)
            .execute(&mut *tx)
            .await?;
        }
        let sha256 = image.as_ref().map(|i| i.blob.sha256.as_str());
        let e = entry(
            at_ms,
            actor.as_str(),
            person_id.as_str(),
            &SignatureImageSet { sha256 },
        )?;
        append_and_commit(tx, agency_id, &mut head, e).await
    }
}
