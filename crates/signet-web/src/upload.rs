//! Multipart forms with files, streamed: each file goes chunk by chunk through the blob
//! writer (hashed and written as it arrives), so a 2 GB upload costs a few chunks of memory.

use std::collections::HashMap;

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::Multipart;
use axum::http::StatusCode;
use signet_app::files::{clean_file_name, sniff};
use signet_app::{App, AppError, Invalid};
use signet_core::person::Viewer;
use signet_store::documents::NewFile;
use signet_store::BlobWriter;

/// The most a text field may hold, and how many files one form may carry.
const MAX_FIELD: usize = 64 * 1024;
const MAX_FILES: usize = 20;

#[derive(Debug, Default, Clone)]
pub struct Form {
    fields: HashMap<String, Vec<String>>,
}

impl Form {
    pub fn get(&self, name: &str) -> String {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    /// What was typed, for a form shown again.
    pub fn values(&self) -> crate::pages::form::Values {
        let mut v = crate::pages::form::Values::default();
        for (k, vals) in &self.fields {
            if let Some(first) = vals.first() {
                v.set(k, first);
            }
        }
        v
    }

    /// The text fields as pairs (a refused form shown again on a page of several forms).
    pub fn pairs(&self) -> crate::pages::form::Fields {
        self.fields
            .iter()
            .flat_map(|(k, vals)| vals.iter().map(move |v| (k.clone(), v.clone())))
            .collect()
    }

    /// Whether the field was sent at all (empty or not).
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// Every value of a repeated field (a multiple select), in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// The form field whose files are a meeting's materials (kind `material`), and the one
/// whose files are a draft's appendices (phụ lục); files of any other field are the
/// document's own (`main`).
const MATERIALS_FIELD: &str = "materials";
const APPENDICES_FIELD: &str = "appendices";

fn multipart_error(e: MultipartError, limit: u64) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge { limit }
    } else {
        AppError::Invalid(Invalid::Body {
            detail: format!("malformed form upload: {}", e.body_text()),
        })
    }
}

async fn read_text(mut field: Field<'_>, limit: u64) -> Result<String, AppError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, limit))? {
        if buf.len() + chunk.len() > MAX_FIELD {
            return Err(AppError::Invalid(Invalid::FieldTooLong));
        }
        buf.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(buf).map_err(|_| AppError::Invalid(Invalid::NotUtf8))?;
    if text.contains('\0') {
        return Err(AppError::Invalid(Invalid::NulCharacter));
    }
    Ok(text)
}

/// A file received in full but not yet moved to its place in the blob store.
struct Received {
    writer: BlobWriter,
    name: String,
    content_type: &'static str,
    kind: &'static str,
}

async fn read_file(app: &App, mut field: Field<'_>, name: String) -> Result<Received, AppError> {
    let kind = match field.name() {
        Some(MATERIALS_FIELD) => signet_app::meetings::MATERIAL,
        Some(APPENDICES_FIELD) => signet_app::files::APPENDIX,
        _ => "main",
    };
    let limit = app.blobs.max_size();
    let mut writer = app.blobs.writer().await?;
    let mut content_type = None;
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, limit))? {
        if content_type.is_none() {
            content_type = Some(sniff(&name, &chunk)?);
        }
        writer.write(&chunk).await?;
    }
    let Some(content_type) = content_type else {
        return Err(AppError::Invalid(Invalid::EmptyFile));
    };
    Ok(Received {
        writer,
        name,
        content_type,
        kind,
    })
}

/// The form field naming a finished resumable upload (`/api/v1/uploads`) to use as a file.
const UPLOAD_FIELD: &str = "upload";

/// Reads a form. `check` runs on the text fields seen so far just before the first file
/// is read (forms put the file last), so a bad form is refused before its upload is stored.
/// A finished resumable upload of the viewer's, named in an `upload` field, counts as a
/// file (the page's script sends big files that way, and the form after them).
pub async fn read(
    app: &App,
    viewer: &Viewer,
    multipart: Result<Multipart, MultipartRejection>,
    check: impl Fn(&Form) -> Result<(), AppError>,
) -> Result<(Form, Vec<NewFile>), AppError> {
    read_keeping(app, viewer, multipart, check)
        .await
        .map_err(|(e, _)| e)
}

/// [`read`], giving back on refusal the text fields read until then, so a page can show
/// the form again with what was typed.
pub async fn read_keeping(
    app: &App,
    viewer: &Viewer,
    multipart: Result<Multipart, MultipartRejection>,
    check: impl Fn(&Form) -> Result<(), AppError>,
) -> Result<(Form, Vec<NewFile>), (AppError, Form)> {
    let mut form = Form::default();
    match read_into(app, viewer, multipart, check, &mut form).await {
        Ok(files) => Ok((form, files)),
        Err(e) => Err((e, form)),
    }
}

async fn read_into(
    app: &App,
    viewer: &Viewer,
    multipart: Result<Multipart, MultipartRejection>,
    check: impl Fn(&Form) -> Result<(), AppError>,
    form: &mut Form,
) -> Result<Vec<NewFile>, AppError> {
    let mut multipart = multipart.map_err(|e| {
        AppError::Invalid(Invalid::Body {
            detail: format!("not a multipart form upload: {}", e.body_text()),
        })
    })?;
    let limit = app.blobs.max_size();
    let mut files = Vec::new();
    let mut checked = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            // A file input left empty arrives as a file with no name and no bytes.
            Some(file_name) if file_name.is_empty() => {
                read_text(field, limit).await?;
            }
            Some(file_name) => {
                if !checked {
                    check(form)?;
                    checked = true;
                }
                if files.len() >= MAX_FILES {
                    return Err(AppError::Invalid(Invalid::TooManyFiles { max: MAX_FILES }));
                }
                let file_name = clean_file_name(&file_name)?;
                files.push(read_file(app, field, file_name).await?);
            }
            None => {
                let value = read_text(field, limit).await?;
                form.fields.entry(name).or_default().push(value);
            }
        }
    }
    if !checked {
        check(form)?;
    }
    let uploads: Vec<String> = form
        .fields
        .get(UPLOAD_FIELD)
        .map(|ids| {
            ids.iter()
                .filter(|id| !id.trim().is_empty())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if files.len() + uploads.len() > MAX_FILES {
        return Err(AppError::Invalid(Invalid::TooManyFiles { max: MAX_FILES }));
    }
    // Only a form read to the end, every file in it accepted, is stored: a bad second file
    // drops the first one's temporary file too.
    let mut stored = Vec::with_capacity(files.len() + uploads.len());
    for id in &uploads {
        stored.push(app.take_upload(viewer, id).await?);
    }
    for f in files {
        stored.push(NewFile {
            blob: f.writer.finish().await?,
            file_name: f.name,
            content_type: f.content_type.to_owned(),
            kind: f.kind.to_owned(),
        });
    }
    Ok(stored)
}
