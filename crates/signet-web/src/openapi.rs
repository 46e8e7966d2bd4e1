//! The OpenAPI 3.1 description of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! attributes and the body types of [`crate::api::types`]: the routes and the document come
//! from the same list, so they cannot disagree. A snapshot test keeps the document under
//! review (`crates/signet-web/tests/snapshots/openapi.json`).

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use utoipa::openapi::{OpenApi, RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::AppState;

/// What every operation answers on failure besides the statuses it lists.
const ERROR_RESPONSE: &str = "#/components/responses/Error";

/// The document as served: the generated one with the API-wide parts added.
pub fn document(generated: OpenApi) -> Value {
    let mut doc = serde_json::to_value(generated).unwrap_or(Value::Null);
    doc["info"] = json!({
        "title": "Signet API",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Documents in and out, registers and administration of a Signet agency. \
            Authenticate with POST /api/v1/session and send the token as \
            `Authorization: Bearer <token>`.",
    });
    doc["servers"] = json!([{ "url": "/" }]);
    doc["security"] = json!([{ "bearer": [] }]);
    doc["components"]["securitySchemes"] =
        json!({ "bearer": { "type": "http", "scheme": "bearer" } });
    doc["components"]["responses"] = json!({ "Error": {
        "description": "An error: 400, 401, 403, 404 or 422 unless listed",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
    }});
    if let Some(paths) = doc["paths"].as_object_mut() {
        for op in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
        {
            finish_operation(op);
        }
    }
    doc
}

/// Gives an operation the common error answer, and writes "no sign-in" as `security: []`
/// (utoipa writes an empty requirement, `[{}]`, which would mean "sign-in optional").
fn finish_operation(op: &mut Value) {
    if op["security"] == json!([{}]) {
        op["security"] = json!([]);
    }
    if let Some(responses) = op["responses"].as_object_mut() {
        responses.insert("default".into(), json!({ "$ref": ERROR_RESPONSE }));
    }
}

/// The served text of the document.
pub fn text(generated: OpenApi) -> String {
    serde_json::to_string_pretty(&document(generated)).unwrap_or_default()
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "api", summary = "This document",
    security(()),
    responses((status = OK, description = "The OpenAPI 3.1 document of /api/v1",
        content(("application/json")))))]
pub async fn serve(State(state): State<AppState>) -> Response {
    ([(CONTENT_TYPE, "application/json")], state.openapi.clone()).into_response()
}

/// The verification report of `POST /api/v1/verify`: made by signet-app from signet-pades's
/// report, documented in docs/VERIFY-REPORT.md; its schema is written here.
pub struct VerificationReport;

impl PartialSchema for VerificationReport {
    fn schema() -> RefOr<Schema> {
        let message = json!({ "type": "object", "properties": { "vi": { "type": "string" }, "en": { "type": "string" } } });
        let indication =
            json!({ "type": "string", "enum": ["TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE"] });
        let signature = json!({ "type": "object", "properties": {
            "field": { "type": "string" }, "kind": { "type": "string", "enum": ["signature", "document-timestamp"] },
            "subfilter": { "type": "string" },
            "integrity": { "type": "string", "enum": ["intact", "broken"] },
            "coverage": { "type": "string", "enum": ["entire-file", "entire-revision", "partial"] },
            "modifications": { "type": "string", "enum": ["none", "ltv", "form-filling", "annotations", "other"] },
            "indication": indication, "sub_indication": { "type": "string" },
            "signer": { "type": ["object", "null"], "properties": {
                "subject": { "type": "string" }, "common_name": { "type": "string" },
                "serial": { "type": "string" }, "issuer": { "type": "string" },
                "certificate_sha256": { "type": "string" },
                "details": { "type": "object", "properties": {
                    "uid": { "type": "string" }, "serial_number": { "type": "string" },
                    "title": { "type": "string" }, "organization": { "type": "string" },
                    "organizational_unit": { "type": "string" },
                    "identifiers": { "type": "array", "items": { "type": "object", "properties": {
                        "kind": { "type": "string" }, "value": { "type": "string" },
                        "label_vi": { "type": "string" }, "label_en": { "type": "string" } } } } } } } },
            "trust_list": { "type": ["object", "null"], "properties": {
                "id": { "type": "string", "enum": ["vn-gov", "vn-public"] }, "name": { "type": "string" } } },
            "trust_anchor": { "type": ["string", "null"] },
            "proof_of_existence": { "type": ["string", "null"], "format": "date-time" },
            "validated_at": { "type": ["string", "null"], "format": "date-time" },
            "signing_time": { "type": ["string", "null"] }, "timestamp": { "type": ["string", "null"] },
            "level": { "type": ["string", "null"] },
            "byte_range": { "type": "array", "items": { "type": "integer" } }, "revision": { "type": "integer" },
            "digest_algorithm": { "type": ["string", "null"] }, "revocation": { "type": ["object", "null"] },
            "messages": { "type": "array", "items": message } } });
        let report = json!({ "type": "object", "required": ["verdict", "recovered", "signatures"], "properties": {
            "verdict": indication, "recovered": { "type": "boolean" }, "revisions": { "type": "integer" },
            "messages": { "type": "array", "items": message },
            "signatures": { "type": "array", "items": signature } } });
        serde_json::from_value(report).unwrap_or_else(|_| RefOr::T(Schema::default()))
    }
}

impl ToSchema for VerificationReport {}
