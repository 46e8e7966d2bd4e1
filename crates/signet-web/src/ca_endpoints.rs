//! The built-in CA's public endpoints: `/ocsp` (POST, and GET per RFC 6960 A.1), `/tsa`
//! (RFC 3161), `/crl/{issuing,root}.crl` and `/ca/{issuing,root}.cer`. Served beside the web
//! application by `signet serve`/`demo`, and alone by `signet ca serve` — one router over the
//! application's CA service, with the security headers of every other response.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use signet_app::ca_service::BuiltInCa;
use signet_app::AppError;

/// Request bodies larger than this are refused (an OCSP request or a time-stamp query is a
/// few hundred bytes).
const BODY_LIMIT: usize = 64 * 1024;

type Ca = State<Arc<BuiltInCa>>;

/// The endpoints alone, for merging into a router that adds the security headers.
pub(crate) fn routes(ca: Arc<BuiltInCa>) -> Router {
    Router::new()
        .route("/ocsp", post(ocsp_post))
        .route("/ocsp/", post(ocsp_post))
        .route("/ocsp/{*req}", get(ocsp_get))
        .route("/tsa", post(tsa_post))
        .route("/crl/{name}", get(crl))
        .route("/ca/{name}", get(ca_cert))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(ca)
}

/// The endpoints as a whole server (`signet ca serve`).
pub fn router(ca: Arc<BuiltInCa>) -> Router {
    routes(ca).layer(axum::middleware::from_fn(crate::headers::secure_headers))
}

fn der_response(content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn unavailable(e: AppError) -> Response {
    tracing::error!(error = %e, "CA state");
    (StatusCode::INTERNAL_SERVER_ERROR, "CA state unavailable\n").into_response()
}

fn content_type_is(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

fn wrong_type(expected: &str) -> Response {
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("expected Content-Type: {expected}\n"),
    )
        .into_response()
}

fn ocsp_answer(ca: &BuiltInCa, request: &[u8]) -> Response {
    match ca.ocsp_response(request) {
        Ok(der) => der_response("application/ocsp-response", der),
        Err(e) => unavailable(e),
    }
}

async fn ocsp_post(State(ca): Ca, headers: HeaderMap, body: Bytes) -> Response {
    if !content_type_is(&headers, "application/ocsp-request") {
        return wrong_type("application/ocsp-request");
    }
    ocsp_answer(&ca, &body)
}

async fn ocsp_get(State(ca): Ca, Path(encoded): Path<String>) -> Response {
    // RFC 6960 appendix A.1: the URL-encoded base64 of the DER request. Undecodable text is
    // answered like any malformed request.
    let der = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .unwrap_or_default();
    ocsp_answer(&ca, &der)
}

async fn tsa_post(State(ca): Ca, headers: HeaderMap, body: Bytes) -> Response {
    if !content_type_is(&headers, "application/timestamp-query") {
        return wrong_type("application/timestamp-query");
    }
    match ca.timestamp_reply(&body) {
        Ok(der) => der_response("application/timestamp-reply", der),
        Err(e) => unavailable(e),
    }
}

async fn crl(State(ca): Ca, Path(name): Path<String>) -> Response {
    let p = match ca.published() {
        Ok(p) => p,
        Err(e) => return unavailable(e),
    };
    match name.as_str() {
        "issuing.crl" => der_response("application/pkix-crl", p.issuing_crl.clone()),
        "root.crl" => der_response("application/pkix-crl", p.root_crl.clone()),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn ca_cert(State(ca): Ca, Path(name): Path<String>) -> Response {
    let p = match ca.published() {
        Ok(p) => p,
        Err(e) => return unavailable(e),
    };
    match name.as_str() {
        "issuing.cer" => der_response("application/pkix-cert", p.ca.issuing_der().to_vec()),
        "root.cer" => der_response("application/pkix-cert", p.ca.root_der().to_vec()),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
