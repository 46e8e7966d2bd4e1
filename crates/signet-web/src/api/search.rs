//! `GET /api/v1/search`: incoming and outgoing documents found by words (issue 10 §6).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use signet_app::search::SearchForm;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{DocumentPage, ErrorBody};
use super::{api, document_body};
use crate::session::ApiUser;
use crate::{AppState, WebError};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

#[derive(Deserialize)]
struct SearchParams {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(flatten)]
    form: SearchForm,
}

#[utoipa::path(get, path = "/api/v1/search", tag = "documents",
    summary = "Search incoming and outgoing documents (newest first, keyset paging)",
    description = "Every word must be found in the subject, the number/notation or the issuing \
        organ, in any order; diacritics are optional (\"ky so\" finds \"ký số\", \"d\" finds \
        \"đ\"); the last word is a prefix unless the text ends with a space. Only the caller's \
        agency's documents, and secret ones only for those who may read them.",
    params(
        ("q" = String, Query, description = "Words as typed (at most 200 characters)"),
        ("direction" = Option<String>, Query, description = "`incoming`, `outgoing`, or both when absent"),
        ("state" = Option<String>, Query, description = "A state code of either lifecycle"),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD (Vietnam time), inclusive"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD (Vietnam time), inclusive"),
        ("unit" = Option<String>, Query, description = "Drafted by or assigned to this unit (id)"),
        ("handler" = Option<String>, Query, description = "Assigned to this person (id)"),
        ("after" = Option<String>, Query, description = "The `next` cursor of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
    ),
    responses(
        (status = OK, description = "OK", body = DocumentPage),
        (status = UNPROCESSABLE_ENTITY, description = "A filter that cannot be understood", body = ErrorBody),
    ))]
async fn search(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, WebError> {
    let page = state
        .app
        .search(&u.viewer, &p.form, p.limit.unwrap_or(50))
        .await
        .map_err(api)?;
    let body = DocumentPage {
        documents: page
            .documents
            .iter()
            .map(|d| document_body(&state.app, &u.viewer, d))
            .collect(),
        next: page.next.map(|c| c.encode()),
    };
    Ok(Json(body).into_response())
}
