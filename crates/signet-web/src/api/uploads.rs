//! Resumable uploads over tus 1.0 (core, creation, termination): `POST /api/v1/uploads`
//! begins one, `HEAD` says how many bytes arrived, `PATCH` appends the next piece from there,
//! `DELETE` cancels. The finished upload's id goes in a document form's `upload` field in
//! place of the file. Pages' scripts use it with the session cookie and `X-CSRF-Token`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use futures_util::StreamExt;
use signet_app::{AppError, Invalid};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, types::ErrorBody};
use crate::session::ApiUser;
use crate::{AppState, WebError};

type ApiResult = Result<Response, WebError>;

/// A new upload (also in the `Location` and `Upload-Offset` headers tus clients read).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UploadCreated {
    /// The id a document form names in its `upload` field once every byte is sent.
    pub id: String,
    /// Where the pieces go (`PATCH`) and the offset is asked (`HEAD`).
    pub location: String,
    pub offset: u64,
}

const TUS_VERSION: &str = "1.0.0";
const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(options, start))
        .routes(routes!(offset, append, cancel))
}

fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn bad(detail: &str) -> WebError {
    api(Invalid::Body {
        detail: detail.to_owned(),
    })
}

/// tus asks every request to name the protocol version; a different one is refused.
fn check_version(headers: &HeaderMap) -> Result<(), WebError> {
    match header(headers, &TUS_RESUMABLE) {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(bad("Tus-Resumable: 1.0.0 is required")),
    }
}

fn number(headers: &HeaderMap, name: &HeaderName) -> Result<u64, WebError> {
    header(headers, name)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad(&format!("{name}: a number of bytes is required")))
}

/// `Upload-Metadata: filename <base64>, …` (tus): the file's name.
fn file_name(headers: &HeaderMap) -> Result<String, WebError> {
    let meta = header(headers, &HeaderName::from_static("upload-metadata")).unwrap_or_default();
    let b64 = meta
        .split(',')
        .filter_map(|pair| pair.trim().split_once(' '))
        .find(|(k, _)| *k == "filename")
        .map(|(_, v)| v.trim())
        .ok_or_else(|| bad("Upload-Metadata: filename is required"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| bad("Upload-Metadata: filename is not base64"))?;
    String::from_utf8(bytes).map_err(|_| api(Invalid::NotUtf8))
}

fn tus(status: StatusCode, extra: &[(HeaderName, String)]) -> Response {
    let mut r = status.into_response();
    let h = r.headers_mut();
    h.insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name.clone(), v);
        }
    }
    r
}

#[utoipa::path(options, path = "/api/v1/uploads", tag = "uploads",
    summary = "What the tus server offers (version, extensions, largest file)",
    security(()),
    responses((status = NO_CONTENT, description = "Tus-Version, Tus-Extension, Tus-Max-Size")))]
async fn options(State(state): State<AppState>) -> Response {
    tus(
        StatusCode::NO_CONTENT,
        &[
            (HeaderName::from_static("tus-version"), TUS_VERSION.into()),
            (
                HeaderName::from_static("tus-extension"),
                "creation,termination".into(),
            ),
            (
                HeaderName::from_static("tus-max-size"),
                state.app.blobs.max_size().to_string(),
            ),
        ],
    )
}

#[utoipa::path(post, path = "/api/v1/uploads", tag = "uploads",
    summary = "Begin a resumable upload (tus creation: Upload-Length, Upload-Metadata filename)",
    responses(
        (status = CREATED, description = "Location: the upload's address", body = UploadCreated),
        (status = UNPROCESSABLE_ENTITY, description = "No length or name, an empty file", body = ErrorBody),
        (status = PAYLOAD_TOO_LARGE, description = "Larger than files.max_upload_mib", body = ErrorBody),
    ))]
async fn start(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    headers: HeaderMap,
) -> ApiResult {
    check_version(&headers)?;
    let length = number(&headers, &UPLOAD_LENGTH)?;
    let name = file_name(&headers)?;
    let up = state
        .app
        .start_upload(&u.viewer, &name, length)
        .await
        .map_err(api)?;
    let location = format!("/api/v1/uploads/{id}", id = up.id);
    let mut r = tus(
        StatusCode::CREATED,
        &[(LOCATION, location.clone()), (UPLOAD_OFFSET, "0".into())],
    );
    let body = UploadCreated {
        id: up.id,
        location,
        offset: 0,
    };
    *r.body_mut() = axum::Json(body).into_response().into_body();
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(r)
}

#[utoipa::path(head, path = "/api/v1/uploads/{id}", tag = "uploads",
    summary = "How many bytes of the upload arrived (Upload-Offset) of how many (Upload-Length)",
    params(("id" = String, Path)),
    responses((status = OK, description = "Upload-Offset, Upload-Length"),
        (status = NOT_FOUND, description = "No such upload of yours")))]
async fn offset(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    let up = state.app.upload(&u.viewer, &id).await.map_err(api)?;
    Ok(tus(
        StatusCode::OK,
        &[
            (UPLOAD_OFFSET, up.received.to_string()),
            (UPLOAD_LENGTH, up.length.to_string()),
        ],
    ))
}

#[utoipa::path(patch, path = "/api/v1/uploads/{id}", tag = "uploads",
    summary = "Append the next piece (Content-Type application/offset+octet-stream, Upload-Offset)",
    params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses((status = NO_CONTENT, description = "Upload-Offset: the bytes received now"),
        (status = CONFLICT, description = "Upload-Offset is not the bytes received", body = ErrorBody),
        (status = UNSUPPORTED_MEDIA_TYPE, description = "Not application/offset+octet-stream", body = ErrorBody)))]
async fn append(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    check_version(&headers)?;
    if header(&headers, &CONTENT_TYPE) != Some("application/offset+octet-stream") {
        return Err(api(Invalid::Body {
            detail: "Content-Type: application/offset+octet-stream is required".into(),
        }));
    }
    let from = number(&headers, &UPLOAD_OFFSET)?;
    let app = &state.app;
    let (up, mut writer) = app.begin_piece(&u.viewer, &id, from).await.map_err(api)?;
    let room = u64::try_from(up.length - up.received).unwrap_or(0);
    let mut stream = body.into_data_stream();
    let mut broken = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) if writer.written() + bytes.len() as u64 > room => {
                broken = Some(bad("more bytes than Upload-Length"));
                break;
            }
            Ok(bytes) => writer
                .write(&bytes)
                .await
                .map_err(|e| api(AppError::from(e)))?,
            // The network dropped: what arrived is kept, the client asks HEAD and goes on.
            Err(_) => {
                broken = Some(bad("the piece was cut short; ask HEAD for the offset"));
                break;
            }
        }
    }
    let to = app.end_piece(&up, writer).await.map_err(api)?;
    if let Some(e) = broken {
        return Err(e);
    }
    Ok(tus(
        StatusCode::NO_CONTENT,
        &[(UPLOAD_OFFSET, to.to_string())],
    ))
}

#[utoipa::path(delete, path = "/api/v1/uploads/{id}", tag = "uploads",
    summary = "Cancel an upload (tus termination)",
    params(("id" = String, Path)),
    responses((status = NO_CONTENT, description = "Cancelled, its bytes removed")))]
async fn cancel(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<String>,
) -> ApiResult {
    state.app.cancel_upload(&u.viewer, &id).await.map_err(api)?;
    Ok(tus(StatusCode::NO_CONTENT, &[]))
}
