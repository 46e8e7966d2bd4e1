//! Reading a PDF on the page (issue 13 §5): pdf.js, served by Signet itself under its CSP,
//! renders the pages; the signature boxes are drawn over them with their verdicts. Without
//! scripts the page still offers the file to download.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use signet_core::ids::{DocumentId, FileId};

use super::{render, Layout};
use crate::session::PageUser;
use crate::{AppState, WebError};

/// The vendored pdf.js release (npm `pdfjs-dist`, legacy build for older phones); the path
/// carries it so browsers may cache the files for good.
pub const PDFJS_VERSION: &str = "5.4.394";

/// One signature box's verdict, as the script reads it: field name, verdict, signer.
pub struct BoxVerdict {
    pub field: String,
    pub verdict: String,
    pub signer: String,
}

#[derive(Template)]
#[template(path = "viewer.html")]
struct ViewerPage {
    l: Layout,
    doc_id: String,
    doc_title: String,
    file_id: String,
    file_name: String,
    /// Verdicts are known for the document's current file only (the panel's report).
    verdicts: Vec<BoxVerdict>,
    pdfjs: &'static str,
}

/// `GET /documents/{id}/files/{file_id}/view`: the viewer page of one PDF of a document.
pub async fn page(
    State(state): State<AppState>,
    u: PageUser,
    Path((id, file_id)): Path<(DocumentId, FileId)>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .document_view(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    let file = view
        .files
        .iter()
        .find(|f| f.id == file_id && f.content_type == "application/pdf")
        .ok_or_else(|| u.fail(signet_app::AppError::NotFound))?;
    let panel = crate::api::signing::panel_body(&state, &u.user.viewer, &id)
        .await
        .ok();
    let verdicts = panel
        .filter(|p| p.file_id.as_deref() == Some(file_id.as_str()))
        .map(|p| {
            p.signatures
                .into_iter()
                .map(|s| BoxVerdict {
                    field: s.field,
                    verdict: s.indication,
                    signer: s.signer.unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let page = ViewerPage {
        doc_id: id.to_string(),
        doc_title: view.document.subject.clone(),
        file_id: file_id.to_string(),
        file_name: file.file_name.clone(),
        verdicts,
        pdfjs: PDFJS_VERSION,
        l: Layout::of(&state, &u, section(&view.document)).await,
    };
    Ok(render(&page))
}

fn section(d: &signet_store::documents::Document) -> &'static str {
    if d.direction == signet_core::document::Direction::Incoming {
        "incoming"
    } else {
        "outgoing"
    }
}

const PDF_MJS: &str = include_str!("../../static/pdfjs/pdf.min.mjs");
const WORKER_MJS: &str = include_str!("../../static/pdfjs/pdf.worker.min.mjs");

/// `GET /static/pdfjs-{version}/{file}`: the two pdf.js modules, cached for a year (a new
/// release changes the path).
pub async fn pdfjs(Path((version, file)): Path<(String, String)>) -> Response {
    let body = match (version.as_str(), file.as_str()) {
        (PDFJS_VERSION, "pdf.min.mjs") => PDF_MJS,
        (PDFJS_VERSION, "pdf.worker.min.mjs") => WORKER_MJS,
        _ => return axum::http::StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

/// `GET /static/viewer.js`: the page's script.
pub async fn script() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../static/viewer.js"),
    )
        .into_response()
}
