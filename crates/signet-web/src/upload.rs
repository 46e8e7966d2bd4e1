//! Multipart forms with files, streamed: each file goes chunk by chunk through the blob
//! writer (hashed and written as it arrives), so a 2 GB upload costs a few chunks of memory.

use std::collections::HashMap;

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use axum::http::StatusCode;
use signet_app::files::{clean_file_name, sniff};
use signet_app::{App, AppError};
use signet_store::documents::NewFile;

/// The most a text field may hold, and how many files one form may carry.
const MAX_FIELD: usize = 64 * 1024;
const MAX_FILES: usize = 20;

#[derive(Debug, Default)]
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
}

fn multipart_error(e: MultipartError, limit: u64) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge { limit }
    } else {
        AppError::Invalid(format!("malformed form upload: {}", e.body_text()))
    }
}

async fn read_text(mut field: Field<'_>, limit: u64) -> Result<String, AppError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(e, limit))? {
        if buf.len() + chunk.len() > MAX_FIELD {
            return Err(AppError::Invalid("a form field is too long".into()));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|_| AppError::Invalid("a form field is not valid UTF-8".into()))
}

async fn read_file(
    app: &App,
    mut field: Field<'_>,
    name: String,
) -> Result<Option<NewFile>, AppError> {
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
        return Err(AppError::Invalid(format!("the file {name:?} is empty")));
    };
    let blob = writer.finish().await?;
    Ok(Some(NewFile {
        blob,
        file_name: name,
        content_type: content_type.to_owned(),
        kind: "main".to_owned(),
    }))
}

/// Reads a form. `check` runs on the text fields seen so far just before the first file
/// is read (forms put the file last), so a bad form is refused before its upload is stored.
pub async fn read(
    app: &App,
    mut multipart: Multipart,
    check: impl Fn(&Form) -> Result<(), AppError>,
) -> Result<(Form, Vec<NewFile>), AppError> {
    let limit = app.blobs.max_size();
    let mut form = Form::default();
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
                    check(&form)?;
                    checked = true;
                }
                if files.len() >= MAX_FILES {
                    return Err(AppError::Invalid(format!(
                        "at most {MAX_FILES} files per document"
                    )));
                }
                let file_name = clean_file_name(&file_name)?;
                if let Some(f) = read_file(app, field, file_name).await? {
                    files.push(f);
                }
            }
            None => {
                let value = read_text(field, limit).await?;
                form.fields.entry(name).or_default().push(value);
            }
        }
    }
    if !checked {
        check(&form)?;
    }
    Ok((form, files))
}
