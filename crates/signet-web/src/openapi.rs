//! The OpenAPI 3.1 description of `/api/v1`, written by hand next to the routes it
//! describes; a test checks that every API route appears here and nothing else does.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

fn error_responses() -> Value {
    json!({
        "400": { "$ref": "#/components/responses/Error" },
        "401": { "$ref": "#/components/responses/Error" },
        "403": { "$ref": "#/components/responses/Error" },
        "404": { "$ref": "#/components/responses/Error" },
        "422": { "$ref": "#/components/responses/Error" }
    })
}

fn with_errors(ok: Value) -> Value {
    let mut r = error_responses();
    if let (Some(map), Some(ok)) = (r.as_object_mut(), ok.as_object()) {
        map.extend(ok.clone());
    }
    r
}

fn document_form_schema(incoming: bool) -> Value {
    let mut props = json!({
        "doc_type": { "type": "string", "description": "Type code, e.g. cong-van, quyet-dinh (see DocumentType)" },
        "subject": { "type": "string", "maxLength": 500, "description": "Trích yếu" },
        "urgency": { "type": "string", "enum": ["thuong", "khan", "thuong-khan", "hoa-toc", "hoa-toc-hen-gio"] },
        "secrecy": { "type": "string", "enum": ["khong", "mat", "toi-mat", "tuyet-mat"] },
        "signer_name": { "type": "string" }, "signer_position": { "type": "string" },
        "pages": { "type": "integer", "minimum": 1 }, "recipients": { "type": "string" },
        "due_on": { "type": "string", "format": "date" }, "drafting_unit_id": { "type": "string" },
        "file": { "type": "string", "format": "binary", "description": "PDF, Word, Excel, OpenDocument, PNG or JPEG; sent last" }
    });
    let mut required = vec!["doc_type", "subject"];
    if incoming {
        if let Some(p) = props.as_object_mut() {
            p.insert("author_name".into(), json!({ "type": "string" }));
            p.insert(
                "author_code".into(),
                json!({ "type": "string", "pattern": "^[0-9A-Z.]{1,35}$" }),
            );
            p.insert(
                "notation".into(),
                json!({ "type": "string", "description": "The sender's số/ký hiệu" }),
            );
            p.insert(
                "issued_on".into(),
                json!({ "type": "string", "format": "date" }),
            );
            p.insert(
                "arrived_on".into(),
                json!({ "type": "string", "format": "date" }),
            );
        }
        required.extend(["author_name", "notation"]);
    } else {
        required.push("file");
    }
    json!({ "multipart/form-data": { "schema": { "type": "object", "required": required, "properties": props } } })
}

fn ok_json(schema: &str) -> Value {
    json!({ "description": "OK", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn id_param(name: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } })
}

pub fn spec() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Signet API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Documents in and out, registers and administration of a Signet agency. Authenticate with POST /api/v1/session and send the token as `Authorization: Bearer <token>`." },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/v1/session": {
                "post": { "summary": "Sign in", "security": [], "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } } } } },
                          "responses": with_errors(json!({ "201": { "description": "Signed in", "content": { "application/json": { "schema": { "type": "object", "properties": { "token": { "type": "string" }, "expires_in": { "type": "integer" } } } } } }, "429": { "$ref": "#/components/responses/Error" } })) },
                "delete": { "summary": "Sign out", "responses": with_errors(json!({ "204": { "description": "Signed out" } })) }
            },
            "/api/v1/me": { "get": { "summary": "The signed-in person and their agency", "responses": with_errors(json!({ "200": { "description": "OK" } })) } },
            "/api/v1/documents": {
                "get": { "summary": "List documents (newest first, keyset paging)", "parameters": [
                    { "name": "direction", "in": "query", "schema": { "type": "string", "enum": ["outgoing", "incoming"] } },
                    { "name": "q", "in": "query", "description": "Text; diacritics optional (\"ky so\" finds \"ký số\")", "schema": { "type": "string" } },
                    { "name": "type", "in": "query", "schema": { "type": "string" } },
                    { "name": "state", "in": "query", "schema": { "type": "string" } },
                    { "name": "urgency", "in": "query", "schema": { "type": "string" } },
                    { "name": "year", "in": "query", "schema": { "type": "integer" } },
                    { "name": "after", "in": "query", "description": "The `next` cursor of the previous page", "schema": { "type": "string" } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200 } }
                ], "responses": with_errors(json!({ "200": ok_json("DocumentPage") })) },
                "post": { "summary": "Upload a new outgoing draft", "requestBody": { "required": true, "content": document_form_schema(false) },
                          "responses": with_errors(json!({ "201": ok_json("Document"), "413": { "$ref": "#/components/responses/Error" } })) }
            },
            "/api/v1/incoming": {
                "post": { "summary": "Register an incoming document (clerk); it takes the next arrival number", "requestBody": { "required": true, "content": document_form_schema(true) },
                          "responses": with_errors(json!({ "201": ok_json("Document"), "413": { "$ref": "#/components/responses/Error" } })) }
            },
            "/api/v1/documents/{id}": { "get": { "summary": "A document with its files and history", "parameters": [id_param("id")], "responses": with_errors(json!({ "200": ok_json("Document") })) } },
            "/api/v1/documents/{id}/{step}": { "post": { "summary": "A lifecycle step: submit (trình ký), sign, return, issue (number and issue)",
                "parameters": [id_param("id"), { "name": "step", "in": "path", "required": true, "schema": { "type": "string", "enum": ["submit", "sign", "return", "issue"] } }],
                "responses": with_errors(json!({ "200": ok_json("Document"), "409": { "$ref": "#/components/responses/Error" } })) } },
            "/api/v1/documents/{id}/files/{file_id}": { "get": { "summary": "Download a file (streamed)", "parameters": [id_param("id"), id_param("file_id")],
                "responses": with_errors(json!({ "200": { "description": "The file", "content": { "application/octet-stream": {} } } })) } },
            "/api/v1/registers/{book}/{year}": { "get": { "summary": "A register (sổ đăng ký) with the columns of Nghị định 30 Phụ lục IV",
                "parameters": [{ "name": "book", "in": "path", "required": true, "schema": { "type": "string", "enum": ["di", "den"] } }, { "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } },
                               { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["json", "csv"] } }],
                "responses": with_errors(json!({ "200": { "description": "The register", "content": { "application/json": {}, "text/csv": {} } } })) } },
            "/api/v1/agencies": { "get": { "summary": "Agencies (administrators)", "responses": with_errors(json!({ "200": { "description": "OK" } })) } },
            "/api/v1/units": {
                "get": { "summary": "Units of the agency", "responses": with_errors(json!({ "200": { "description": "OK" } })) },
                "post": { "summary": "Add a unit (administrators)", "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["name", "abbreviation"], "properties": { "name": { "type": "string" }, "abbreviation": { "type": "string" } } } } } },
                          "responses": with_errors(json!({ "201": { "description": "Created" } })) }
            },
            "/api/v1/people": {
                "get": { "summary": "People of the agency (administrators)", "responses": with_errors(json!({ "200": { "description": "OK" } })) },
                "post": { "summary": "Add a person (administrators)", "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["username", "full_name", "roles", "password"],
                          "properties": { "username": { "type": "string" }, "full_name": { "type": "string" }, "title": { "type": "string" }, "email": { "type": "string" }, "unit_id": { "type": "string" },
                                          "roles": { "type": "array", "items": { "type": "string", "enum": ["admin", "clerk", "leader", "officer"] } }, "password": { "type": "string", "minLength": 10 } } } } } },
                          "responses": with_errors(json!({ "201": { "description": "Created" } })) }
            },
            "/api/v1/certificates": {
                "get": { "summary": "The agency's certificates, soonest expiry first, with totals per kind and status (administrators)", "parameters": [
                    { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["valid", "expiring", "expired", "revoked"] }, "description": "expiring: valid for 30 days or less" },
                    { "name": "kind", "in": "query", "schema": { "type": "string", "enum": ["personal", "organization"] } },
                    { "name": "after", "in": "query", "description": "The `next` cursor of the previous page", "schema": { "type": "string" } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200 } }
                ], "responses": with_errors(json!({ "200": ok_json("CertificatePage") })) },
                "post": { "summary": "Issue a certificate from the built-in CA (administrators): with `csr` for the holder's PKCS#10 request, otherwise with a generated key returned once as a PKCS#12 file (base64) protected by `password`",
                          "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["kind"], "properties": {
                              "kind": { "type": "string", "enum": ["personal", "organization"] }, "holder_id": { "type": "string", "description": "The person (personal certificates)" },
                              "csr": { "type": "string", "description": "PKCS#10 request, PEM" }, "password": { "type": "string", "minLength": 8 },
                              "device_kind": { "type": "string", "enum": ["software", "pkcs11", "remote"] }, "device_label": { "type": "string" } } } } } },
                          "responses": with_errors(json!({ "201": { "description": "Issued", "content": { "application/json": { "schema": { "type": "object", "properties": {
                              "certificate": { "$ref": "#/components/schemas/Certificate" }, "pkcs12": { "type": "string", "contentEncoding": "base64" } } } } } },
                              "503": { "$ref": "#/components/responses/Error" } })) }
            },
            "/api/v1/certificates/{serial}": { "get": { "summary": "A certificate and its CA chain, PEM (administrators)", "parameters": [id_param("serial")],
                "responses": with_errors(json!({ "200": { "description": "PEM", "content": { "application/x-pem-file": {} } } })) } },
            "/api/v1/certificates/{serial}/revoke": { "post": { "summary": "Revoke a certificate: the CA records it and publishes a new CRL (administrators)", "parameters": [id_param("serial")],
                "requestBody": { "content": { "application/json": { "schema": { "type": "object", "properties": { "reason": { "type": "string", "enum": ["unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation", "privilegeWithdrawn"] } } } } } },
                "responses": with_errors(json!({ "200": ok_json("Certificate"), "409": { "$ref": "#/components/responses/Error" } })) } },
            "/api/v1/verify": { "post": { "summary": "Verify every signature of a signed PDF (anyone, no sign-in; at most 50 MB; 30 requests per 10 minutes per address; the file is not kept). The report is described in docs/VERIFY-REPORT.md",
                "security": [],
                "requestBody": { "required": true, "content": {
                    "application/pdf": { "schema": { "type": "string", "format": "binary" } },
                    "multipart/form-data": { "schema": { "type": "object", "required": ["file"], "properties": { "file": { "type": "string", "format": "binary" } } } } } },
                "responses": {
                    "200": { "description": "The report", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/VerificationReport" } } } },
                    "413": { "$ref": "#/components/responses/Error" }, "422": { "$ref": "#/components/responses/Error" }, "429": { "$ref": "#/components/responses/Error" } } } },
            "/api/v1/openapi.json": { "get": { "summary": "This document", "security": [], "responses": { "200": { "description": "OK" } } } }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "responses": { "Error": { "description": "An error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } } },
            "schemas": {
                "VerificationReport": { "type": "object", "required": ["verdict", "recovered", "signatures"], "properties": {
                    "verdict": { "type": "string", "enum": ["TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE"] },
                    "recovered": { "type": "boolean" }, "revisions": { "type": "integer" },
                    "messages": { "type": "array", "items": { "$ref": "#/components/schemas/Message" } },
                    "signatures": { "type": "array", "items": { "type": "object", "properties": {
                        "field": { "type": "string" }, "kind": { "type": "string", "enum": ["signature", "document-timestamp"] }, "subfilter": { "type": "string" },
                        "integrity": { "type": "string", "enum": ["intact", "broken"] },
                        "coverage": { "type": "string", "enum": ["entire-file", "entire-revision", "partial"] },
                        "modifications": { "type": "string", "enum": ["none", "ltv", "form-filling", "annotations", "other"] },
                        "indication": { "type": "string", "enum": ["TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE"] }, "sub_indication": { "type": "string" },
                        "signer": { "type": ["object", "null"], "properties": { "subject": { "type": "string" }, "common_name": { "type": "string" }, "serial": { "type": "string" }, "issuer": { "type": "string" } } },
                        "signing_time": { "type": ["string", "null"] }, "timestamp": { "type": ["string", "null"] }, "level": { "type": ["string", "null"] },
                        "byte_range": { "type": "array", "items": { "type": "integer" } }, "revision": { "type": "integer" }, "digest_algorithm": { "type": ["string", "null"] },
                        "revocation": { "type": ["object", "null"] },
                        "messages": { "type": "array", "items": { "$ref": "#/components/schemas/Message" } } } } } } },
                "Message": { "type": "object", "properties": { "vi": { "type": "string" }, "en": { "type": "string" } } },
                "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": { "code": { "type": "string" }, "message": { "type": "string" }, "message_vi": { "type": "string" } } } } },
                "Document": { "type": "object", "properties": {
                    "id": { "type": "string" }, "direction": { "type": "string" }, "state": { "type": "string" }, "type": { "type": "string" }, "type_name": { "type": "string" },
                    "subject": { "type": "string" }, "urgency": { "type": "string" }, "secrecy": { "type": "string" }, "number": { "type": ["integer", "null"] },
                    "notation": { "type": ["string", "null"] }, "issued_on": { "type": ["string", "null"] }, "files": { "type": "array" }, "history": { "type": "array" } } },
                "Certificate": { "type": "object", "properties": {
                    "id": { "type": "string" }, "serial": { "type": "string" }, "kind": { "type": "string" }, "holder_id": { "type": ["string", "null"] }, "holder_name": { "type": "string" },
                    "subject_cn": { "type": "string" }, "issuer": { "type": "string" }, "not_before_ms": { "type": "integer" }, "not_after_ms": { "type": "integer" },
                    "device": { "type": "object", "properties": { "kind": { "type": "string" }, "label": { "type": "string" } } },
                    "status": { "type": "string", "enum": ["valid", "expiring", "expired", "revoked"] }, "revoked_at_ms": { "type": ["integer", "null"] }, "revocation_reason": { "type": ["string", "null"] } } },
                "CertificatePage": { "type": "object", "properties": { "certificates": { "type": "array", "items": { "$ref": "#/components/schemas/Certificate" } }, "next": { "type": ["string", "null"] },
                    "totals": { "type": "object", "properties": { "total": { "type": "integer" }, "personal": { "type": "integer" }, "organization": { "type": "integer" }, "valid": { "type": "integer" }, "expiring": { "type": "integer" }, "expired": { "type": "integer" }, "revoked": { "type": "integer" } } },
                    "at_ms": { "type": "integer" }, "can_issue": { "type": "boolean" } } },
                "DocumentPage": { "type": "object", "properties": { "documents": { "type": "array", "items": { "$ref": "#/components/schemas/Document" } }, "next": { "type": ["string", "null"] } } }
            }
        }
    })
}

pub async fn document() -> Response {
    Json(spec()).into_response()
}

#[cfg(test)]
mod tests {
    /// Every operation has a summary and responses, so the document is usable as a reference.
    #[test]
    fn every_operation_is_described() {
        let spec = super::spec();
        let paths = spec["paths"].as_object().unwrap();
        assert!(paths.len() >= 10);
        for (path, ops) in paths {
            for (method, op) in ops.as_object().unwrap() {
                assert!(op["summary"].is_string(), "{method} {path}: summary");
                assert!(op["responses"].is_object(), "{method} {path}: responses");
            }
        }
    }
}
