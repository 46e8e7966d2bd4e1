//! Who is asking: the session cookie for pages, a bearer token for the API, and the CSRF
//! token every form must carry.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use signet_app::auth::SignedIn;
use signet_app::AppError;

use crate::i18n::Lang;
use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "signet_session";
pub const LANG_COOKIE: &str = "signet_lang";

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The person's language, from their cookie.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(Lang::from_cookie(cookie(parts, LANG_COOKIE))))
    }
}

/// A signed-in person on a page; anyone else is sent to the sign-in page.
pub struct PageUser {
    pub user: SignedIn,
    pub lang: Lang,
}

impl<S> FromRequestParts<S> for PageUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let state = AppState::from_ref(state);
        let lang = Lang::from_cookie(cookie(parts, LANG_COOKIE));
        let token =
            cookie(parts, SESSION_COOKIE).ok_or(WebError::page(AppError::Unauthenticated, lang))?;
        let user = state
            .app
            .signed_in(token)
            .await
            .map_err(|e| WebError::page(e, lang))?;
        Ok(Self { user, lang })
    }
}

impl PageUser {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if constant_time_eq(token.as_bytes(), self.user.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::page(
                AppError::Forbidden("form expired or forged (CSRF)"),
                self.lang,
            ))
        }
    }

    pub fn fail(&self, e: AppError) -> WebError {
        WebError::page(e, self.lang)
    }
}

/// A signed-in API client: `Authorization: Bearer <session token>`. The API takes no
/// cookies, so it needs no CSRF token.
pub struct ApiUser(pub SignedIn);

impl<S> FromRequestParts<S> for ApiUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(WebError::api(AppError::Unauthenticated))?;
        let user = state
            .app
            .signed_in(token.trim())
            .await
            .map_err(WebError::api)?;
        Ok(Self(user))
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
