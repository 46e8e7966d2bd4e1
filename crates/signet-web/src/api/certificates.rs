//! `/api/v1/certificates`: the certificate page's operations for other systems.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{
    CertificateBody, CertificatePage, ErrorBody, IssueRequest, Issued, RevokeRequest,
};
use super::{api, body};
use crate::pages::certificates::{attachment, file_serial, CertQuery};
use crate::session::ApiUser;
use crate::{AppState, WebError};

type ApiResult = Result<Response, WebError>;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, issue))
        .routes(routes!(download))
        .routes(routes!(revoke))
}

#[derive(Deserialize)]
struct ListParams {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(flatten)]
    query: CertQuery,
}

#[utoipa::path(get, path = "/api/v1/certificates", tag = "certificates",
    summary = "The agency's certificates, soonest expiry first, with totals per kind and status (administrators)",
    params(
        ("status" = Option<String>, Query,
            description = "`valid`, `expiring` (valid for 30 days or less), `expired` or `revoked`"),
        ("kind" = Option<String>, Query, description = "`personal` or `organization`"),
        ("after" = Option<String>, Query, description = "The `next` cursor of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200),
    ),
    responses((status = OK, description = "OK", body = CertificatePage)))]
async fn list(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult {
    let filter = p.query.filter(p.limit.unwrap_or(50)).map_err(api)?;
    let l = state
        .app
        .certificates(&u.viewer, &filter)
        .await
        .map_err(api)?;
    let body = CertificatePage {
        certificates: l
            .page
            .certificates
            .iter()
            .map(|c| CertificateBody::new(c, l.at))
            .collect(),
        next: l.page.next.map(|c| c.encode()),
        totals: (&l.totals).into(),
        at_ms: l.at.now_ms,
        can_issue: l.can_issue,
    };
    Ok(Json(body).into_response())
}

#[utoipa::path(post, path = "/api/v1/certificates", tag = "certificates",
    summary = "Issue a certificate from the built-in CA (administrators): with `csr` for the holder's PKCS#10 request, otherwise with a generated key returned once as a PKCS#12 file (base64) protected by `password`",
    request_body = IssueRequest,
    responses(
        (status = CREATED, description = "Issued", body = Issued),
        (status = SERVICE_UNAVAILABLE, description = "No built-in CA is configured", body = ErrorBody),
    ))]
async fn issue(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<IssueRequest>, JsonRejection>,
) -> ApiResult {
    let form = body(req)?.into();
    let issued = state
        .app
        .request_certificate(&u.viewer, &form)
        .await
        .map_err(api)?;
    let at = state.app.certificate_status_at();
    let body = Issued {
        certificate: CertificateBody::new(&issued.certificate, at),
        pkcs12: issued
            .pkcs12
            .map(|p12| base64::engine::general_purpose::STANDARD.encode(p12)),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(post, path = "/api/v1/certificates/{serial}/revoke", tag = "certificates",
    summary = "Revoke a certificate: the CA records it and publishes a new CRL (administrators)",
    params(("serial" = String, Path)),
    request_body = RevokeRequest,
    responses(
        (status = OK, description = "The revoked certificate", body = CertificateBody),
        (status = CONFLICT, description = "Already revoked", body = ErrorBody),
    ))]
async fn revoke(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(serial): Path<String>,
    req: Result<Json<RevokeRequest>, JsonRejection>,
) -> ApiResult {
    let b = body(req)?;
    let reason = if b.reason.is_empty() {
        "unspecified"
    } else {
        &b.reason
    };
    let c = state
        .app
        .revoke_certificate(&u.viewer, &serial, reason)
        .await
        .map_err(api)?;
    let at = state.app.certificate_status_at();
    Ok(Json(CertificateBody::new(&c, at)).into_response())
}

#[utoipa::path(get, path = "/api/v1/certificates/{serial}", tag = "certificates",
    summary = "A certificate and its CA chain, PEM (administrators)",
    params(("serial" = String, Path)),
    responses((status = OK, description = "PEM", content(("application/x-pem-file")))))]
async fn download(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(serial): Path<String>,
) -> ApiResult {
    let pem = state
        .app
        .certificate_pem(&u.viewer, &serial)
        .await
        .map_err(api)?;
    Ok(attachment(
        "application/x-pem-file",
        &format!("{}.pem", file_serial(&serial)),
        pem.into_bytes(),
    ))
}
