//! The one error type of the agent, and its HTTP form.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use signet_signers::SignerError;

/// What went wrong, at start-up or with a request.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The listening address is not a loopback address.
    #[error("refusing to listen on {0}: the agent listens on loopback only (127.0.0.1, [::1], localhost)")]
    NotLoopback(String),
    /// The PKCS#11 module could not be loaded.
    #[error("{0}")]
    Module(SignerError),
    /// The data directory or one of its files.
    #[error("{0}")]
    Data(String),
    /// The request's body or parameters are not what the protocol says.
    #[error("{0}")]
    BadRequest(String),
    /// The request comes from an origin that was never paired (or without an `Origin`).
    #[error("origin {0:?} is not paired with this agent: pair it with the code the agent shows")]
    UnpairedOrigin(String),
    /// A pairing code that is wrong, used, expired, or tried too often.
    #[error("the pairing code is wrong, used or expired: ask the agent for a new one (`signet agent pair`)")]
    PairingRefused,
    /// No certificate with this id on the tokens present (or no private key for it).
    #[error("no certificate {0:?} with a private key on the tokens present")]
    UnknownCertificate(String),
    /// No PIN in the request and none typed on the agent's terminal.
    #[error("the token's PIN is required (type it on the page, or on the agent's terminal)")]
    PinRequired,
    /// The token refused the PIN.
    #[error("the token refused the PIN")]
    PinIncorrect,
    /// The token's PIN is locked.
    #[error("the token's PIN is locked: unlock it with the token's own tool")]
    PinLocked,
    /// The token failed otherwise.
    #[error("token: {0}")]
    Token(String),
    /// A URL or path that does not exist.
    #[error("not found")]
    NotFound,
}

impl AgentError {
    /// The machine-readable code of the JSON error.
    pub fn code(&self) -> &'static str {
        match self {
            AgentError::NotLoopback(_) => "not_loopback",
            AgentError::Module(_) => "module",
            AgentError::Data(_) => "data",
            AgentError::BadRequest(_) => "bad_request",
            AgentError::UnpairedOrigin(_) => "unpaired_origin",
            AgentError::PairingRefused => "pairing_refused",
            AgentError::UnknownCertificate(_) => "unknown_certificate",
            AgentError::PinRequired => "pin_required",
            AgentError::PinIncorrect => "pin_incorrect",
            AgentError::PinLocked => "pin_locked",
            AgentError::Token(_) => "token_error",
            AgentError::NotFound => "not_found",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AgentError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AgentError::UnpairedOrigin(_) | AgentError::PairingRefused => StatusCode::FORBIDDEN,
            AgentError::UnknownCertificate(_) | AgentError::NotFound => StatusCode::NOT_FOUND,
            AgentError::PinRequired | AgentError::PinIncorrect | AgentError::PinLocked => {
                StatusCode::UNAUTHORIZED
            }
            AgentError::NotLoopback(_)
            | AgentError::Module(_)
            | AgentError::Data(_)
            | AgentError::Token(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A signing failure of the token, as the page should see it.
    pub(crate) fn of_signer(e: SignerError, certificate_id: &str) -> AgentError {
        match e {
            SignerError::Login(_) => AgentError::PinIncorrect,
            SignerError::PinLocked(_) => AgentError::PinLocked,
            SignerError::NoToken(_) | SignerError::Key { found: 0, .. } => {
                AgentError::UnknownCertificate(certificate_id.to_string())
            }
            other => AgentError::Token(other.to_string()),
        }
    }
}

impl IntoResponse for AgentError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.code(), "message": self.to_string()});
        (self.status(), axum::Json(body)).into_response()
    }
}
