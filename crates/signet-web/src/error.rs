//! Errors at the edge: every failure becomes one response here, in the form the client
//! asked for — a page in the person's language, or a JSON body. Details go to the log,
//! never to the client: no SQL, no stack trace.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use signet_app::AppError;
use signet_core::CoreError;

use crate::api::types::ErrorBody;
use crate::i18n::{Lang, Tr};

/// How a failure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Page(Lang),
    Api,
}

#[derive(Debug)]
pub struct WebError {
    pub error: AppError,
    pub surface: Surface,
}

impl WebError {
    pub fn page(error: AppError, lang: Lang) -> Self {
        Self {
            error,
            surface: Surface::Page(lang),
        }
    }

    pub fn api(error: AppError) -> Self {
        Self {
            error,
            surface: Surface::Api,
        }
    }
}

/// Status and a stable code for an error.
fn classify(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
        AppError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::Rule(CoreError::WrongState { .. }) => (StatusCode::CONFLICT, "wrong_state"),
        AppError::Rule(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        AppError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        AppError::Internal(_) | AppError::Ca(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        AppError::NoCa => (StatusCode::SERVICE_UNAVAILABLE, "no_ca"),
    }
}

/// A parameter list of a message.
pub type Params = Vec<(&'static str, String)>;

fn minutes(retry_after_s: u64) -> Params {
    vec![("minutes", retry_after_s.div_ceil(60).to_string())]
}

/// The message of a domain rule: its key in the message table and its parameters.
fn rule_wording(e: &CoreError) -> (&'static str, Params) {
    let value = |v: &String| vec![("value", v.clone())];
    match e {
        CoreError::InvalidAgencyCode(v) => ("err_rule_agency_code", value(v)),
        CoreError::NotLegacyAgencyCode(v) => ("err_rule_legacy_agency_code", value(v)),
        CoreError::UnknownDocumentType(v) => ("err_rule_document_type", value(v)),
        CoreError::UnknownUrgency(v) => ("err_rule_urgency", value(v)),
        CoreError::UnknownSecrecy(v) => ("err_rule_secrecy", value(v)),
        CoreError::UnknownRole(v) => ("err_rule_role", value(v)),
        CoreError::UnknownState(v) => ("err_rule_state", value(v)),
        CoreError::Required { field } => ("err_rule_required", vec![("field", (*field).into())]),
        CoreError::TooLong { field, len, max } => (
            "err_rule_too_long",
            vec![
                ("field", (*field).into()),
                ("len", len.to_string()),
                ("max", max.to_string()),
            ],
        ),
        CoreError::InvalidAbbreviation(v) => ("err_rule_abbreviation", value(v)),
        CoreError::WrongState { expected, actual } => (
            "err_rule_wrong_state",
            vec![
                ("expected", (*expected).into()),
                ("actual", (*actual).into()),
            ],
        ),
        CoreError::InvalidNumber => ("err_rule_number", Vec::new()),
    }
}

/// How an error is worded: its key in the message table ([`crate::i18n`]) and the values the
/// message shows. The one place an error becomes words, in either language.
pub fn wording(e: &AppError) -> (String, Params) {
    let (key, params) = match e {
        AppError::Unauthenticated => ("err_unauthenticated", Vec::new()),
        AppError::BadCredentials => ("err_bad_credentials", Vec::new()),
        AppError::TooManyAttempts { retry_after_s } => {
            ("err_too_many_attempts", minutes(*retry_after_s))
        }
        AppError::RateLimited { retry_after_s } => ("err_rate_limited", minutes(*retry_after_s)),
        AppError::Forbidden(_) => ("err_forbidden", Vec::new()),
        AppError::NotFound => ("err_not_found", Vec::new()),
        AppError::Invalid(i) => return (format!("err_invalid_{}", i.code()), i.params()),
        AppError::Rule(r) => rule_wording(r),
        AppError::Conflict(_) => ("err_conflict", Vec::new()),
        AppError::TooLarge { limit } => (
            "err_too_large",
            vec![("megabytes", (limit / (1024 * 1024)).to_string())],
        ),
        AppError::Internal(_) | AppError::Ca(_) => ("err_internal", Vec::new()),
        AppError::NoCa => ("err_no_ca", Vec::new()),
    };
    (key.to_owned(), params)
}

/// The message shown for an error, in `lang`.
pub fn page_message(e: &AppError, lang: Lang) -> String {
    let (key, params) = wording(e);
    Tr(lang).format(&key, &params)
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, code) = classify(&self.error);
        if let AppError::Internal(source) = &self.error {
            tracing::error!(error = %source, "internal error");
        } else if let AppError::Ca(source) = &self.error {
            tracing::error!(error = %source, "built-in CA");
        } else {
            tracing::debug!(error = %self.error, code, "request refused");
        }
        match self.surface {
            Surface::Page(_) if matches!(self.error, AppError::Unauthenticated) => {
                Redirect::to("/login").into_response()
            }
            Surface::Page(lang) => {
                let message = page_message(&self.error, lang);
                (status, crate::pages::error_page(lang, status, &message)).into_response()
            }
            Surface::Api => (status, Json(ErrorBody::new(&self.error, code))).into_response(),
        }
    }
}
