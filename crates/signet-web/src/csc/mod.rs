//! The Cloud Signature Consortium API (`/csc/v1/…` and `/csc/v2/…`): JSON over POST, a
//! bearer token from `auth/login` (HTTP Basic with the Signet account), errors as the
//! specification words them (`{"error": "...", "error_description": "..."}`, 4xx). The
//! handlers only translate: sole control (SCAL2), PINs and lockout are the use cases'
//! (`signet_app::remote_signing`). Both versions share the handlers; requests take either
//! version's field names (see `signet_app::remote_signing::wire`).
//!
//! The phone page (`/sign-requests`) is [`phone`].

pub mod phone;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::de::DeserializeOwned;
use signet_app::remote_signing::wire::{
    self, AuthorizeResponse, CertInfo, CredentialInfo, CredentialRequest, ErrorResponse,
    ExtendRequest, InfoResponse, KeyInfo, ListResponse, LoginResponse, PinInfo, SignHashResponse,
};
use signet_app::remote_signing::{RemoteCredential, SignatureAlgorithm, MAX_HASHES};
use signet_app::{AppError, Invalid};
use signet_core::person::Viewer;

use crate::client::{client_key, ClientAddr};
use crate::AppState;

/// The CSC endpoints under both versions' prefixes.
pub(crate) fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for v in ["v1", "v2"] {
        r = r
            .route(&format!("/csc/{v}/info"), post(info).get(info))
            .route(&format!("/csc/{v}/auth/login"), post(login))
            .route(&format!("/csc/{v}/credentials/list"), post(list))
            .route(&format!("/csc/{v}/credentials/info"), post(credential_info))
            .route(&format!("/csc/{v}/credentials/authorize"), post(authorize))
            .route(
                &format!("/csc/{v}/credentials/extendTransaction"),
                post(extend),
            )
            .route(&format!("/csc/{v}/signatures/signHash"), post(sign_hash));
    }
    r
}

/// A refusal as CSC words it.
#[derive(Debug)]
pub(crate) struct CscError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

fn bad_request(description: impl Into<String>) -> CscError {
    CscError {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_request",
        description: description.into(),
    }
}

impl From<AppError> for CscError {
    fn from(e: AppError) -> Self {
        let (status, error) = match &e {
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "invalid_token"),
            AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "authentication_error"),
            AppError::TooManyAttempts { .. } | AppError::RateLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "access_denied")
            }
            AppError::Forbidden(_) | AppError::Invalid(Invalid::RemoteLocked) => {
                (StatusCode::FORBIDDEN, "access_denied")
            }
            AppError::NotFound => {
                return bad_request("Invalid parameter credentialID");
            }
            AppError::Invalid(Invalid::RemotePin { .. }) => {
                (StatusCode::BAD_REQUEST, "invalid_pin")
            }
            AppError::Invalid(_) | AppError::Rule(_) | AppError::Conflict(_) => {
                (StatusCode::BAD_REQUEST, "invalid_request")
            }
            AppError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "invalid_request"),
            AppError::Internal(_) | AppError::Ca(_) | AppError::Mail(_) | AppError::NoCa => {
                tracing::error!(error = %e, "CSC request failed");
                return CscError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    error: "server_error",
                    description: "internal error".into(),
                };
            }
        };
        CscError {
            status,
            error,
            description: e.to_string(),
        }
    }
}

impl IntoResponse for CscError {
    fn into_response(self) -> Response {
        let body = ErrorResponse {
            error: self.error.to_owned(),
            error_description: self.description,
        };
        (self.status, Json(body)).into_response()
    }
}

type Answer<T> = Result<Json<T>, CscError>;

/// A JSON body, or `invalid_request` naming what is wrong with it.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, CscError> {
    wire::parse_json(body).map_err(bad_request)
}

/// The signed-in person of the bearer token.
async fn viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, CscError> {
    let token = bearer(headers)?;
    Ok(state.app.signed_in(token).await?.viewer)
}

/// The bearer token of the request (CSC's `auth/login` gave it).
fn bearer(headers: &HeaderMap) -> Result<&str, CscError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthenticated)?;
    Ok(token.trim())
}

async fn info() -> Json<InfoResponse> {
    let methods = [
        "auth/login",
        "credentials/list",
        "credentials/info",
        "credentials/authorize",
        "credentials/extendTransaction",
        "signatures/signHash",
    ];
    Json(InfoResponse {
        specs: "2.0.0.2".into(),
        name: "Signet".into(),
        logo: String::new(),
        region: "VN".into(),
        lang: "vi".into(),
        description: "Signet remote signing (ký số từ xa)".into(),
        auth_type: vec!["basic".into()],
        methods: methods.iter().map(|m| (*m).to_owned()).collect(),
    })
}

/// `auth/login`: HTTP Basic with the Signet account; the session token is the bearer token.
async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
) -> Answer<LoginResponse> {
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| B64.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| bad_request("HTTP Basic authorization required"))?;
    let (user, password) = basic
        .split_once(':')
        .ok_or_else(|| bad_request("HTTP Basic authorization required"))?;
    let session = state.app.sign_in(user, password, &client_key(addr)).await?;
    Ok(Json(LoginResponse {
        access_token: session.token,
        expires_in: signet_app::auth::SESSION_TTL_MS / 1000,
    }))
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<ListResponse> {
    let viewer = viewer(&state, &headers).await?;
    if !body.is_empty() {
        parse::<wire::ListRequest>(&body)?;
    }
    let creds = state.app.remote_credentials(&viewer).await?;
    Ok(Json(ListResponse {
        credential_ids: creds.into_iter().map(|c| c.id).collect(),
    }))
}

/// The signature algorithm OIDs a credential accepts.
fn algorithm_oids(a: SignatureAlgorithm) -> &'static [&'static str] {
    if a.is_ecdsa() {
        &wire::ECDSA_OIDS
    } else {
        &wire::RSA_OIDS
    }
}

fn describe(c: &RemoteCredential, certificates: Option<&str>) -> Result<CredentialInfo, CscError> {
    let chain: Vec<String> = match certificates.unwrap_or("chain") {
        "none" => Vec::new(),
        "single" => c.chain.iter().take(1).map(|d| B64.encode(d)).collect(),
        "chain" => c.chain.iter().map(|d| B64.encode(d)).collect(),
        other => {
            return Err(bad_request(format!(
                "certificates: {other:?} is not none, single or chain"
            )))
        }
    };
    let enabled = if c.locked { "disabled" } else { "enabled" };
    Ok(CredentialInfo {
        description: c.label.clone(),
        key: KeyInfo {
            status: enabled.into(),
            algo: algorithm_oids(c.algorithm)
                .iter()
                .map(|o| (*o).to_owned())
                .collect(),
            len: if c.algorithm.is_ecdsa() { 256 } else { 2048 },
        },
        cert: CertInfo {
            status: "valid".into(),
            certificates: chain,
        },
        auth_mode: "explicit".into(),
        pin: PinInfo {
            presence: "true".into(),
            format: "A".into(),
            label: "PIN".into(),
        },
        scal: "2".into(),
        multisign: MAX_HASHES as u32,
        lang: "vi".into(),
    })
}

async fn credential_info(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<CredentialInfo> {
    let viewer = viewer(&state, &headers).await?;
    let req: CredentialRequest = parse(&body)?;
    let c = state
        .app
        .remote_credential(&viewer, &req.credential_id)
        .await?;
    Ok(Json(describe(&c, req.certificates.as_deref())?))
}

async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<AuthorizeResponse> {
    let viewer = viewer(&state, &headers).await?;
    // SCAL2: the hashes are bound now, and their number is the number of signatures.
    let (req, hashes) = wire::parse_authorize(&body).map_err(bad_request)?;
    let pin = req.pin().ok_or_else(|| bad_request("Missing PIN"))?;
    let auth = state
        .app
        .authorize_remote(&viewer, &req.credential_id, pin, &hashes)
        .await?;
    Ok(Json(AuthorizeResponse {
        sad: auth.sad,
        expires_in: auth.expires_in_s,
    }))
}

async fn extend(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<AuthorizeResponse> {
    let viewer = viewer(&state, &headers).await?;
    let req: ExtendRequest = parse(&body)?;
    let auth = state
        .app
        .extend_remote(&viewer, &req.credential_id, &req.sad)
        .await?;
    Ok(Json(AuthorizeResponse {
        sad: auth.sad,
        expires_in: auth.expires_in_s,
    }))
}

async fn sign_hash(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<SignHashResponse> {
    let token = bearer(&headers)?;
    let (req, hashes) = wire::parse_sign_hash(&body).map_err(bad_request)?;
    let accepts = |algorithm| {
        if algorithm_oids(algorithm).contains(&req.sign_algo.as_str()) {
            return Ok(());
        }
        Err(AppError::Invalid(Invalid::Body {
            detail: format!(
                "signAlgo {} is not one this credential signs with",
                req.sign_algo
            ),
        }))
    };
    let sigs = state
        .app
        .sign_hashes_signed_in(token, &req.credential_id, &req.sad, &hashes, accepts)
        .await?;
    Ok(Json(SignHashResponse {
        signatures: sigs.iter().map(|s| B64.encode(s)).collect(),
    }))
}
