//! The exchange endpoint (`POST /exchange/v1/packets`) of a node, and the whole HTTP face of
//! a hub ([`hub_router`]). No session: a packet is authenticated by its own signature (see
//! `signet_app::exchange::trust`). 200 means "I have it, durably" (new or a duplicate);
//! 422 a refusal for good; 5xx "try again".

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use signet_app::exchange::{CONSIGNMENT_HEADER, PACKETS_PATH, TO_HEADER};
use signet_app::hub::Hub;
use signet_store::exchange::Receipt;

use crate::error::WebError;
use crate::AppState;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim()
}

fn answer(r: Receipt) -> Response {
    let body = match r {
        Receipt::New => "accepted",
        Receipt::Duplicate => "duplicate",
    };
    (StatusCode::OK, body).into_response()
}

/// A node receiving a packet for one of its agencies.
pub(crate) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let consignment = header(&headers, CONSIGNMENT_HEADER);
    let to = header(&headers, TO_HEADER);
    state
        .app
        .receive_packet(consignment, to, &body)
        .await
        .map(answer)
        .map_err(WebError::api)
}

/// The node's route, with a body limit of the blob store's.
pub(crate) fn node_routes(limit: usize) -> Router<AppState> {
    Router::new()
        .route(PACKETS_PATH, post(receive))
        .layer(DefaultBodyLimit::max(limit))
}

async fn hub_receive(
    State(hub): State<Hub>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let consignment = header(&headers, CONSIGNMENT_HEADER);
    let to = header(&headers, TO_HEADER);
    hub.accept(consignment, to, &body)
        .await
        .map(answer)
        .map_err(WebError::api)
}

async fn hub_health(State(hub): State<Hub>) -> Response {
    match hub.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

/// A hub's HTTP application: the packets endpoint and `/healthz`.
pub fn hub_router(hub: Hub) -> Router {
    let limit = usize::try_from(hub.blobs.max_size()).unwrap_or(usize::MAX);
    Router::new()
        .route(PACKETS_PATH, post(hub_receive))
        .route("/healthz", get(hub_health))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(
            crate::listener::body_idle_timeout,
        ))
        .with_state(hub)
}
