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

pub struct WebError {
    pub error: AppError,
    pub surface: Surface,
    /// The signed-in person's menu, kept on an error page.
    pub menu: Option<Box<crate::pages::Menu>>,
}

impl std::fmt::Debug for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebError")
            .field("error", &self.error)
            .field("surface", &self.surface)
            .finish_non_exhaustive()
    }
}

impl WebError {
    pub fn page(error: AppError, lang: Lang) -> Self {
        Self {
            error,
            surface: Surface::Page(lang),
            menu: None,
        }
    }

    pub fn api(error: AppError) -> Self {
        Self {
            error,
            surface: Surface::Api,
            menu: None,
        }
    }

    /// The error page shows the person's menu.
    pub fn with_menu(mut self, menu: crate::pages::Menu) -> Self {
        self.menu = Some(Box::new(menu));
        self
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
        AppError::Invalid(signet_app::Invalid::ContentType { .. }) => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid")
        }
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::Rule(CoreError::WrongState { .. }) => (StatusCode::CONFLICT, "wrong_state"),
        AppError::Rule(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        AppError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        AppError::Internal(_) | AppError::Ca(_) | AppError::Mail(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        }
        AppError::NoCa => (StatusCode::SERVICE_UNAVAILABLE, "no_ca"),
    }
}

/// The status a refusal is answered with.
pub fn status_of(e: &AppError) -> StatusCode {
    classify(e).0
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
        CoreError::NulCharacter { field } => {
            ("err_rule_nul_character", vec![("field", (*field).into())])
        }
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
        AppError::Internal(_) | AppError::Ca(_) | AppError::Mail(_) => ("err_internal", Vec::new()),
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
        let mut response = match self.surface {
            Surface::Page(_) if matches!(self.error, AppError::Unauthenticated) => {
                Redirect::to("/login").into_response()
            }
            Surface::Page(lang) => {
                let message = page_message(&self.error, lang);
                let menu = self.menu.as_deref();
                (
                    status,
                    crate::pages::error_page(lang, status, &message, menu),
                )
                    .into_response()
            }
            Surface::Api => (status, Json(ErrorBody::new(&self.error, code))).into_response(),
        };
        if let Some(seconds) = retry_after(&self.error) {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// When a refused client may try again (RFC 9110 `Retry-After`, in seconds).
pub(crate) fn retry_after(e: &AppError) -> Option<u64> {
    match e {
        AppError::TooManyAttempts { retry_after_s } | AppError::RateLimited { retry_after_s } => {
            Some((*retry_after_s).max(1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use signet_app::Invalid;
    use signet_store::StoreError;

    use super::*;

    /// One of every input problem. The `match` stops compiling when a variant is added, so the
    /// new one gets a sample here and thus a message check.
    fn every_invalid() -> Vec<Invalid> {
        let s = || "x".to_owned();
        let all = vec![
            Invalid::Body { detail: s() },
            Invalid::SignatureRefused { detail: s() },
            Invalid::Mark { detail: s() },
            Invalid::ImageKind { detail: s() },
            Invalid::ImageDamaged { detail: s() },
            Invalid::ImageSize { detail: s() },
            Invalid::Seal { detail: s() },
            Invalid::ExchangeSecret,
            Invalid::ExchangeRecipient { code: s() },
            Invalid::Exchange { detail: s() },
            Invalid::ExchangeRecalled { reason: s() },
            Invalid::WebhookUrl { url: s() },
            Invalid::WebhookEvents { known: s() },
            Invalid::NotPdf { name: s() },
            Invalid::SealReference { max: 200 },
            Invalid::NulCharacter,
            Invalid::FieldTooLong,
            Invalid::ContentType {
                got: s(),
                accepted: "application/pdf",
            },
            Invalid::DateOutOfRange {
                field: "arrived_on",
                value: s(),
                from: s(),
                to: s(),
            },
            Invalid::NotUtf8,
            Invalid::TooManyFiles { max: 20 },
            Invalid::EmptyFile,
            Invalid::FileRequired,
            Invalid::FileNameMissing,
            Invalid::FileTypeMismatch {
                name: s(),
                content_type: "application/pdf",
            },
            Invalid::FileTypeRefused { name: s() },
            Invalid::OneOf {
                field: "subject",
                allowed: s(),
            },
            Invalid::Year { value: s() },
            Invalid::Date {
                field: "due_on",
                value: s(),
            },
            Invalid::Pages { value: s() },
            Invalid::Cursor,
            Invalid::UnknownUnit,
            Invalid::Username,
            Invalid::PasswordTooShort { min: 10 },
            Invalid::RoleRequired,
            Invalid::OwnAccount,
            Invalid::OwnAdministration,
            Invalid::Phone,
            Invalid::CurrentPassword,
            Invalid::PasswordMismatch,
            Invalid::PasswordUnchanged,
            Invalid::UnitCycle,
            Invalid::AgencyNameTaken {
                name: "Ủy ban nhân dân tỉnh Lạc Hồng".into(),
            },
            Invalid::AlreadyBootstrapped,
            Invalid::HolderDisabled,
            Invalid::HolderUnknown,
            Invalid::CsrTooLarge { max: 1 },
            Invalid::Certificate { detail: s() },
            Invalid::NotVerifiable { detail: s() },
            Invalid::PdfPasswordRequired,
            Invalid::PdfWrongPassword,
            Invalid::PdfEncrypted,
            Invalid::ShuttingDown,
            Invalid::Hashing { detail: s() },
            Invalid::UnknownAgency { code: s() },
            Invalid::NoAgencies,
            Invalid::Serial { detail: s() },
            Invalid::KeyLabelEmpty,
            Invalid::KeyLabelTaken { label: s() },
            Invalid::EmptyPassword,
            Invalid::Signing { detail: s() },
            Invalid::TrustAnchors { detail: s() },
            Invalid::NoRemoteSigning,
            Invalid::RemoteHashCount { max: 1000 },
            Invalid::RemoteHashRepeated,
            Invalid::RemoteLocked,
            Invalid::RemotePin { left: 4 },
            Invalid::RequestAnswered,
            Invalid::SadInvalid,
            Invalid::SadExpired,
            Invalid::SadUsed,
            Invalid::HashNotAuthorized,
            Invalid::ForeignHandler { holder: s() },
            Invalid::TooManyHandlers { max: 50 },
            Invalid::WorkingDays {
                value: s(),
                max: 365,
            },
            Invalid::DeadlineRequired,
            Invalid::DeadlineInPast {
                value: s(),
                today: s(),
            },
            Invalid::OutsideUnit,
            Invalid::ReplyUnknown,
            Invalid::Period { from: s(), to: s() },
            Invalid::ExtensionNotLater {
                value: s(),
                deadline: s(),
            },
            Invalid::LeaderUnknown,
            Invalid::DateTime {
                field: "starts_at",
                value: s(),
            },
            Invalid::MeetingInPast {
                value: s(),
                now: s(),
            },
            Invalid::MeetingEnds {
                starts: s(),
                ends: s(),
            },
            Invalid::ParticipantRequired,
            Invalid::ForeignParticipant { holder: s() },
            Invalid::MeetingStarted,
            Invalid::CopyPages {
                value: s(),
                count: s(),
            },
            Invalid::CopyRecipients,
            Invalid::CopyOriginal,
            Invalid::CopyNeedsScan,
            Invalid::RouteReviewer,
            Invalid::RouteSigner,
            Invalid::RouteShape,
            Invalid::ReturnReason { max: 2000 },
            Invalid::ForwardTo,
            Invalid::ScanNoImage { page: 1 },
            Invalid::ScanResolution {
                page: 1,
                dpi: 150,
                min: 200,
            },
            Invalid::ScanColour { page: 1 },
        ];
        for i in &all {
            match i {
                Invalid::Body { .. }
                | Invalid::NulCharacter
                | Invalid::FieldTooLong
                | Invalid::ContentType { .. }
                | Invalid::DateOutOfRange { .. }
                | Invalid::NotUtf8
                | Invalid::TooManyFiles { .. }
                | Invalid::EmptyFile
                | Invalid::FileRequired
                | Invalid::FileNameMissing
                | Invalid::FileTypeMismatch { .. }
                | Invalid::FileTypeRefused { .. }
                | Invalid::OneOf { .. }
                | Invalid::Year { .. }
                | Invalid::Date { .. }
                | Invalid::Pages { .. }
                | Invalid::Cursor
                | Invalid::UnknownUnit
                | Invalid::Username
                | Invalid::PasswordTooShort { .. }
                | Invalid::RoleRequired
                | Invalid::OwnAccount
                | Invalid::OwnAdministration
                | Invalid::Phone
                | Invalid::CurrentPassword
                | Invalid::PasswordMismatch
                | Invalid::PasswordUnchanged
                | Invalid::UnitCycle
                | Invalid::AgencyNameTaken { .. }
                | Invalid::AlreadyBootstrapped
                | Invalid::HolderDisabled
                | Invalid::HolderUnknown
                | Invalid::CsrTooLarge { .. }
                | Invalid::Certificate { .. }
                | Invalid::NotVerifiable { .. }
                | Invalid::PdfPasswordRequired
                | Invalid::PdfWrongPassword
                | Invalid::PdfEncrypted
                | Invalid::ShuttingDown
                | Invalid::Hashing { .. }
                | Invalid::UnknownAgency { .. }
                | Invalid::NoAgencies
                | Invalid::Serial { .. }
                | Invalid::KeyLabelEmpty
                | Invalid::KeyLabelTaken { .. }
                | Invalid::EmptyPassword
                | Invalid::Signing { .. }
                | Invalid::TrustAnchors { .. }
                | Invalid::SignatureRefused { .. }
                | Invalid::Mark { .. }
                | Invalid::ImageKind { .. }
                | Invalid::ImageDamaged { .. }
                | Invalid::ImageSize { .. }
                | Invalid::Seal { .. }
                | Invalid::ExchangeSecret
                | Invalid::ExchangeRecipient { .. }
                | Invalid::Exchange { .. }
                | Invalid::ExchangeRecalled { .. }
                | Invalid::NoRemoteSigning
                | Invalid::RemoteHashCount { .. }
                | Invalid::RemoteHashRepeated
                | Invalid::RemoteLocked
                | Invalid::RemotePin { .. }
                | Invalid::RequestAnswered
                | Invalid::SadInvalid
                | Invalid::SadExpired
                | Invalid::SadUsed
                | Invalid::HashNotAuthorized
                | Invalid::ForeignHandler { .. }
                | Invalid::TooManyHandlers { .. }
                | Invalid::WorkingDays { .. }
                | Invalid::DeadlineRequired
                | Invalid::DeadlineInPast { .. }
                | Invalid::OutsideUnit
                | Invalid::ReplyUnknown
                | Invalid::Period { .. }
                | Invalid::ExtensionNotLater { .. }
                | Invalid::WebhookUrl { .. }
                | Invalid::WebhookEvents { .. }
                | Invalid::NotPdf { .. }
                | Invalid::SealReference { .. }
                | Invalid::LeaderUnknown
                | Invalid::DateTime { .. }
                | Invalid::MeetingInPast { .. }
                | Invalid::MeetingEnds { .. }
                | Invalid::ParticipantRequired
                | Invalid::ForeignParticipant { .. }
                | Invalid::MeetingStarted
                | Invalid::CopyPages { .. }
                | Invalid::CopyRecipients
                | Invalid::CopyOriginal
                | Invalid::CopyNeedsScan
                | Invalid::RouteReviewer
                | Invalid::RouteSigner
                | Invalid::RouteShape
                | Invalid::ReturnReason { .. }
                | Invalid::ForwardTo
                | Invalid::ScanNoImage { .. }
                | Invalid::ScanResolution { .. }
                | Invalid::ScanColour { .. } => {}
            }
        }
        all
    }

    fn every_rule() -> Vec<CoreError> {
        let s = || "x".to_owned();
        let all = vec![
            CoreError::InvalidAgencyCode(s()),
            CoreError::NotLegacyAgencyCode(s()),
            CoreError::UnknownDocumentType(s()),
            CoreError::UnknownUrgency(s()),
            CoreError::UnknownSecrecy(s()),
            CoreError::UnknownRole(s()),
            CoreError::UnknownState(s()),
            CoreError::Required { field: "subject" },
            CoreError::TooLong {
                field: "subject",
                len: 501,
                max: 500,
            },
            CoreError::NulCharacter { field: "subject" },
            CoreError::InvalidAbbreviation(s()),
            CoreError::WrongState {
                expected: "draft",
                actual: "signed",
            },
            CoreError::InvalidNumber,
        ];
        for e in &all {
            match e {
                CoreError::InvalidAgencyCode(_)
                | CoreError::NotLegacyAgencyCode(_)
                | CoreError::UnknownDocumentType(_)
                | CoreError::UnknownUrgency(_)
                | CoreError::UnknownSecrecy(_)
                | CoreError::UnknownRole(_)
                | CoreError::UnknownState(_)
                | CoreError::Required { .. }
                | CoreError::TooLong { .. }
                | CoreError::NulCharacter { .. }
                | CoreError::InvalidAbbreviation(_)
                | CoreError::WrongState { .. }
                | CoreError::InvalidNumber => {}
            }
        }
        all
    }

    /// One of every error the edge can show.
    fn every_error() -> Vec<AppError> {
        let mut all = vec![
            AppError::Unauthenticated,
            AppError::BadCredentials,
            AppError::TooManyAttempts { retry_after_s: 61 },
            AppError::RateLimited { retry_after_s: 1 },
            AppError::Forbidden("x"),
            AppError::NotFound,
            AppError::Conflict("x".into()),
            AppError::TooLarge { limit: 50 << 20 },
            AppError::Internal(StoreError::Empty),
            AppError::NoCa,
            AppError::Ca("x".into()),
            AppError::Mail("x".into()),
        ];
        for e in &all {
            match e {
                AppError::Unauthenticated
                | AppError::BadCredentials
                | AppError::TooManyAttempts { .. }
                | AppError::RateLimited { .. }
                | AppError::Forbidden(_)
                | AppError::NotFound
                | AppError::Conflict(_)
                | AppError::TooLarge { .. }
                | AppError::Internal(_)
                | AppError::NoCa
                | AppError::Ca(_)
                | AppError::Mail(_) => {}
                // Sampled below, one of each kind.
                AppError::Invalid(_) | AppError::Rule(_) => {}
            }
        }
        all.extend(every_invalid().into_iter().map(AppError::Invalid));
        all.extend(every_rule().into_iter().map(AppError::Rule));
        all
    }

    /// The `{name}` parameters a message text uses.
    fn placeholders(text: &str) -> Vec<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        for e in every_error() {
            let (key, params) = wording(&e);
            for lang in [Lang::Vi, Lang::En] {
                let Some(text) = Tr(lang).get(&key) else {
                    panic!("{e:?}: no {lang:?} text for key {key}");
                };
                for name in placeholders(text) {
                    assert!(
                        params.iter().any(|(n, _)| *n == name),
                        "{key} ({lang:?}) shows {{{name}}}, which {e:?} does not give"
                    );
                }
                let shown = page_message(&e, lang);
                assert!(!shown.contains('{') && !shown.is_empty(), "{shown}");
            }
            // `detail` is a parser's English words: never on a Vietnamese page.
            let vi = Tr(Lang::Vi).get(&key).unwrap_or_default();
            assert!(!vi.contains("{detail}"), "{key}");
        }
    }

    #[test]
    fn problem_codes_are_distinct() {
        let mut codes: Vec<_> = every_invalid().iter().map(Invalid::code).collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }

    #[test]
    fn messages_carry_their_parameters_and_field_labels() {
        let e = AppError::Invalid(Invalid::Date {
            field: "due_on",
            value: "31/02".into(),
        });
        assert_eq!(
            page_message(&e, Lang::Vi),
            "Trường “Hạn xử lý” cần ngày dạng YYYY-MM-DD, nhận được “31/02”."
        );
        assert_eq!(
            page_message(&e, Lang::En),
            "Due date: expected a date YYYY-MM-DD, got “31/02”."
        );
        let e = AppError::TooManyAttempts { retry_after_s: 61 };
        assert!(page_message(&e, Lang::Vi).contains("sau 2 phút"));
    }
}
