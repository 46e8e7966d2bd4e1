//! Each person's handwritten-signature image (issue 9 §1, Nghị định 30's visible
//! signature): uploaded by the person or their agency's administrator, checked (type, size,
//! dimensions, a full decode), kept in the content-addressed store, and drawn in the
//! leader's signature appearance. Without one the appearance is the text-only layout.

use signet_appearance::AppearanceError;
use signet_core::person::Viewer;
use signet_core::{PersonId, Role};
use signet_store::directory::Person;
use signet_store::signing_settings::{NewSignatureImage, SignatureImage};

use crate::{App, AppError, Invalid};

/// Largest image file accepted, in bytes (a signature is a small picture).
pub const MAX_BYTES: usize = 512 * 1024;
/// Smallest and largest width or height, in pixels.
pub const SIDES: (u32, u32) = (32, 2000);

fn kind(detail: impl std::fmt::Display) -> AppError {
    AppError::Invalid(Invalid::ImageKind {
        detail: detail.to_string(),
    })
}

fn size(detail: impl std::fmt::Display) -> AppError {
    AppError::Invalid(Invalid::ImageSize {
        detail: detail.to_string(),
    })
}

/// The appearance's refusal as the person's problem: the kind, the size, or a damaged file.
fn refused(e: AppearanceError) -> AppError {
    match e {
        AppearanceError::UnsupportedJpeg(_) => kind(e),
        AppearanceError::PngTooLarge(_) | AppearanceError::JpegTooLarge(_) => size(e),
        e => AppError::Invalid(Invalid::ImageDamaged {
            detail: e.to_string(),
        }),
    }
}

/// Checks an uploaded image: PNG or JPEG, at most [`MAX_BYTES`], sides within [`SIDES`],
/// decodable to its last pixel. Returns its media type and dimensions.
pub fn check_image(bytes: &[u8]) -> Result<(&'static str, u32, u32), AppError> {
    if bytes.len() > MAX_BYTES {
        return Err(size(format!("{} bytes, at most {MAX_BYTES}", bytes.len())));
    }
    let content_type = if signet_appearance::is_jpeg(bytes) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else {
        return Err(kind("not a PNG or JPEG image"));
    };
    let (w, h) = signet_appearance::image_dimensions(bytes).map_err(refused)?;
    let ok = |s: u32| (SIDES.0..=SIDES.1).contains(&s);
    if !ok(w) || !ok(h) {
        return Err(size(format!(
            "{w} x {h} pixels; each side between {} and {}",
            SIDES.0, SIDES.1
        )));
    }
    Ok((content_type, w, h))
}

impl App {
    /// The person whose image `viewer` may see and change: themselves, or someone of their
    /// agency when `viewer` is its administrator (another agency's person: not found).
    pub async fn signature_image_holder(
        &self,
        viewer: &Viewer,
        person: &PersonId,
    ) -> Result<Person, AppError> {
        let p = self.store.person(person).await.map_err(|e| match e {
            signet_store::StoreError::NotFound => AppError::NotFound,
            e => e.into(),
        })?;
        if &viewer.person_id == person {
            return Ok(p);
        }
        if p.agency_id != viewer.agency_id {
            return Err(AppError::NotFound);
        }
        if !viewer.has(Role::Administrator) {
            return Err(AppError::Forbidden("another person's signature image"));
        }
        Ok(p)
    }

    /// `person`'s signature image (its record and bytes), as `viewer` may see it.
    pub async fn signature_image_of(
        &self,
        viewer: &Viewer,
        person: &PersonId,
    ) -> Result<Option<(SignatureImage, Vec<u8>)>, AppError> {
        self.signature_image_holder(viewer, person).await?;
        match self.store.signature_image(person).await? {
            Some(img) => {
                let bytes = self.read_blob(&img.sha256).await?;
                Ok(Some((img, bytes)))
            }
            None => Ok(None),
        }
    }

    /// Sets `person`'s signature image after checking it; `None` removes it (journaled).
    pub async fn set_signature_image(
        &self,
        viewer: &Viewer,
        person: &PersonId,
        image: Option<&[u8]>,
    ) -> Result<(), AppError> {
        self.signature_image_holder(viewer, person).await?;
        let now = self.clock.now_ms();
        let Some(bytes) = image else {
            return Ok(self
                .store
                .set_signature_image(&viewer.agency_id, person, None, &viewer.person_id, now)
                .await?);
        };
        let (content_type, width, height) = check_image(bytes)?;
        let blob = self.write_blob(bytes).await?;
        let new = NewSignatureImage {
            blob: &blob,
            content_type,
            width,
            height,
        };
        Ok(self
            .store
            .set_signature_image(&viewer.agency_id, person, Some(new), &viewer.person_id, now)
            .await?)
    }

    /// The image (PNG or JPEG) the person's signatures show, if they uploaded one.
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
