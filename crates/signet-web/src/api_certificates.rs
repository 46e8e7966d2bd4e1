//! `/api/v1/certificates`: the certificate page's operations for other systems.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use signet_app::certificates::CertificateForm;
use signet_app::AppError;
use signet_store::certificates::{CertTotals, Certificate, StatusAt};

use crate::pages::certificates::{attachment, file_serial, CertQuery};
use crate::session::ApiUser;
use crate::{AppState, WebError};

type ApiResult = Result<Response, WebError>;

fn api(e: AppError) -> WebError {
    WebError::api(e)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/certificates", get(list).post(issue))
        .route("/api/v1/certificates/{serial}", get(download))
        .route("/api/v1/certificates/{serial}/revoke", post(revoke))
}

pub fn certificate_json(c: &Certificate, at: StatusAt) -> Value {
    json!({
        "id": c.id,
        "serial": c.serial,
        "kind": c.kind.as_str(),
        "holder_id": c.holder_id,
        "holder_name": c.holder_name,
        "subject_cn": c.subject_cn,
        "issuer": c.issuer,
        "not_before_ms": c.not_before_ms,
        "not_after_ms": c.not_after_ms,
        "device": { "kind": c.device_kind.as_str(), "label": c.device_label },
        "status": c.status(at).as_str(),
        "revoked_at_ms": c.revoked_at_ms,
        "revocation_reason": c.revocation_reason,
        "created_at_ms": c.created_at_ms,
    })
}

fn totals_json(t: &CertTotals) -> Value {
    json!({
        "total": t.total, "personal": t.personal, "organization": t.organization,
        "valid": t.valid, "expiring": t.expiring, "expired": t.expired, "revoked": t.revoked,
    })
}

#[derive(Deserialize)]
struct ListParams {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(flatten)]
    query: CertQuery,
}

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
    let certs: Vec<Value> = l
        .page
        .certificates
        .iter()
        .map(|c| certificate_json(c, l.at))
        .collect();
    Ok(Json(json!({
        "certificates": certs,
        "next": l.page.next.map(|c| c.encode()),
        "totals": totals_json(&l.totals),
        "at_ms": l.at.now_ms,
        "can_issue": l.can_issue,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct IssueBody {
    kind: String,
    #[serde(default)]
    holder_id: String,
    #[serde(default)]
    csr: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    device_kind: String,
    #[serde(default)]
    device_label: String,
}

async fn issue(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    req: Result<Json<IssueBody>, JsonRejection>,
) -> ApiResult {
    let b = req.map(|Json(b)| b).map_err(|e| {
        api(AppError::Invalid(format!(
            "request body: {}",
            e.body_text()
        )))
    })?;
    let form = CertificateForm {
        kind: b.kind,
        holder_id: b.holder_id,
        csr: b.csr,
        password: b.password,
        device_kind: b.device_kind,
        device_label: b.device_label,
    };
    let issued = state
        .app
        .request_certificate(&u.viewer, &form)
        .await
        .map_err(api)?;
    let at = state.app.certificate_status_at();
    let mut body = json!({ "certificate": certificate_json(&issued.certificate, at) });
    if let Some(p12) = &issued.pkcs12 {
        body["pkcs12"] = Value::String(base64::engine::general_purpose::STANDARD.encode(p12));
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
struct RevokeBody {
    #[serde(default)]
    reason: String,
}

async fn revoke(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(serial): Path<String>,
    req: Result<Json<RevokeBody>, JsonRejection>,
) -> ApiResult {
    let b = req.map(|Json(b)| b).map_err(|e| {
        api(AppError::Invalid(format!(
            "request body: {}",
            e.body_text()
        )))
    })?;
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
    Ok(Json(certificate_json(&c, at)).into_response())
}

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
