//! Errors at the edge: every failure becomes one response here, in the form the client
//! asked for — a page in the person's language, or a JSON body. Details go to the log,
//! never to the client: no SQL, no stack trace.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use signet_app::AppError;
use signet_core::CoreError;

use crate::i18n::Lang;

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

/// A sentence a clerk understands, in Vietnamese.
fn message_vi(e: &AppError) -> String {
    match e {
        AppError::Unauthenticated => "Vui lòng đăng nhập.".into(),
        AppError::BadCredentials => "Sai tên đăng nhập hoặc mật khẩu.".into(),
        AppError::TooManyAttempts { retry_after_s } => {
            format!(
                "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {} phút.",
                retry_after_s.div_ceil(60)
            )
        }
        AppError::RateLimited { retry_after_s } => format!(
            "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {} phút.",
            retry_after_s.div_ceil(60)
        ),
        AppError::Forbidden(_) => "Bạn không có quyền thực hiện thao tác này.".into(),
        AppError::NotFound => "Không tìm thấy nội dung yêu cầu.".into(),
        AppError::Invalid(m) => format!("Dữ liệu không hợp lệ: {m}"),
        AppError::Rule(CoreError::WrongState { expected, actual }) => {
            format!(
                "Văn bản đang ở trạng thái “{actual}”, thao tác này cần trạng thái “{expected}”."
            )
        }
        AppError::Rule(CoreError::Required { field }) => {
            format!("Chưa nhập trường bắt buộc: {field}.")
        }
        AppError::Rule(CoreError::InvalidAgencyCode(c)) => {
            format!("Mã định danh “{c}” không hợp lệ.")
        }
        AppError::Rule(r) => format!("Dữ liệu không hợp lệ: {r}"),
        AppError::Conflict(_) => "Dữ liệu đã tồn tại (trùng lặp).".into(),
        AppError::TooLarge { limit } => format!(
            "Tệp vượt quá dung lượng cho phép ({} MB).",
            limit / (1024 * 1024)
        ),
        AppError::Internal(_) | AppError::Ca(_) => {
            "Đã có lỗi hệ thống. Vui lòng thử lại sau.".into()
        }
        AppError::NoCa => {
            "Hệ thống chưa cấu hình CA nội bộ nên không cấp, thu hồi được chứng thư số.".into()
        }
    }
}

fn message_en(e: &AppError) -> String {
    match e {
        AppError::Internal(_) | AppError::Ca(_) => "Internal error. Please try again later.".into(),
        AppError::Conflict(_) => "Already exists (duplicate).".into(),
        other => {
            let mut s = other.to_string();
            if let Some(first) = s.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            s
        }
    }
}

/// The message shown on a page for an error.
pub fn page_message(e: &AppError, lang: Lang) -> String {
    if lang == Lang::En {
        message_en(e)
    } else {
        message_vi(e)
    }
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
            Surface::Api => {
                let body = serde_json::json!({
                    "error": { "code": code, "message": message_en(&self.error), "message_vi": message_vi(&self.error) }
                });
                (status, Json(body)).into_response()
            }
        }
    }
}
