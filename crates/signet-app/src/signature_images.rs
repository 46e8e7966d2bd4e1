//! Each person's handwritten-signature image (issue 9 §1, Nghị định 30's visible
//! signature): uploaded by the person or their agency's administrator, checked (type, size,
//! dimensions, a full decode), kept in the content-addressed store, and drawn in the
//! leader's signature appearance. Without one the appearance is the text-only layout.

use signet_core::person::Viewer;
use signet_core::{PersonId, Role};
use signet_store::signing_settings::NewSignatureImage;

use crate::{App, AppError, Invalid};

/// Largest image file accepted, in bytes (a signature is a small picture).
pub const MAX_BYTES: usize = 512 * 1024;
/// Smallest and largest width or height, in pixels.
pub const SIDES: (u32, u32) = (32, 2000);

fn bad(detail: impl std::fmt::Display) -> AppError {
    AppError::Invalid(Invalid::Body {
        detail: format!("ảnh chữ ký (signature image): {detail}"),
    })
}

/// Checks an uploaded image: PNG, at most [`MAX_BYTES`], sides within [`SIDES`], decodable.
/// Returns its dimensions.
pub fn check_image(bytes: &[u8]) -> Result<(u32, u32), AppError> {
    if bytes.len() > MAX_BYTES {
        return Err(bad(format!("{} bytes, at most {MAX_BYTES}", bytes.len())));
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(bad(
            "JPEG is not accepted yet: save the signature as PNG (a transparent background draws best)",
        ));
    }
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(bad("not a PNG image"));
    }
    let (w, h) = signet_appearance::png_dimensions(bytes).map_err(bad)?;
    let ok = |s: u32| (SIDES.0..=SIDES.1).contains(&s);
    if !ok(w) || !ok(h) {
        return Err(bad(format!(
            "{w} x {h} pixels; each side between {} and {}",
            SIDES.0, SIDES.1
        )));
    }
    Ok((w, h))
}

impl App {
    /// Whether `viewer` may change `person`'s image: themselves, or an administrator of the
    /// person's agency.
    async fn may_set_image(&self, viewer: &Viewer, person: &PersonId) -> Result<(), AppError> {
        if &viewer.person_id == person {
            return Ok(());
        }
        let p = self.store.person(person).await.map_err(|e| match e {
            signet_store::StoreError::NotFound => AppError::NotFound,
            e => e.into(),
        })?;
        if p.agency_id != viewer.agency_id {
            return Err(AppError::NotFound);
        }
        if !viewer.has(Role::Administrator) {
            return Err(AppError::Forbidden("another person's signature image"));
        }
        Ok(())
    }

    /// Sets `person`'s signature image after checking it; `None` removes it (journaled).
    pub async fn set_signature_image(
        &self,
        viewer: &Viewer,
        person: &PersonId,
        image: Option<&[u8]>,
    ) -> Result<(), AppError> {
        self.may_set_image(viewer, person).await?;
        let now = self.clock.now_ms();
        let Some(bytes) = image else {
            return Ok(self
                .store
                .set_signature_image(&viewer.agency_id, person, None, &viewer.person_id, now)
                .await?);
        };
        let (width, height) = check_image(bytes)?;
        let blob = self.write_blob(bytes).await?;
        let new = NewSignatureImage {
            blob: &blob,
            content_type: "image/png",
            width,
            height,
        };
        Ok(self
            .store
            .set_signature_image(&viewer.agency_id, person, Some(new), &viewer.person_id, now)
            .await?)
    }

    /// The PNG the person's signatures show, if they uploaded one.
    pub async fn signature_image_png(
        &self,
        person: &PersonId,
    ) -> Result<Option<Vec<u8>>, AppError> {
        match self.store.signature_image(person).await? {
            Some(img) => Ok(Some(self.read_blob(&img.sha256).await?)),
            None => Ok(None),
        }
    }
}
