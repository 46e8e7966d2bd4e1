//! Who is asking: the session cookie for pages, a bearer token for the API, and the CSRF
//! token every form must carry.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use signet_app::auth::SignedIn;
use signet_app::AppError;

use crate::i18n::Lang;
use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "signet_session";
pub const LANG_COOKIE: &str = "signet_lang";
/// The header the page's script sends its session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

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
    /// The session's token (from the cookie): changing one's password keeps this session.
    pub token: String,
    /// The name of the person's agency, shown in the menu.
    pub agency: String,
}

/// Where a person whose password an administrator set may go before choosing their own.
pub const PASSWORD_PAGE: &str = "/password";
const OPEN_TO_TEMPORARY_PASSWORDS: &[&str] = &[PASSWORD_PAGE, "/logout"];

impl<S> FromRequestParts<S> for PageUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let state = AppState::from_ref(state);
        let lang = Lang::from_cookie(cookie(parts, LANG_COOKIE));
        let token = cookie(parts, SESSION_COOKIE)
            .ok_or_else(|| WebError::page(AppError::Unauthenticated, lang).into_response())?
            .to_owned();
        let user = state
            .app
            .signed_in(&token)
            .await
            .map_err(|e| WebError::page(e, lang).into_response())?;
        if user.person.must_change_password
            && !OPEN_TO_TEMPORARY_PASSWORDS.contains(&parts.uri.path())
        {
            return Err(Redirect::to(PASSWORD_PAGE).into_response());
        }
        // A name that cannot be read must not take the page down: the menu shows none.
        let agency = state
            .app
            .store
            .agency(&user.viewer.agency_id)
            .await
            .map(|a| a.name)
            .unwrap_or_default();
        Ok(Self {
            user,
            lang,
            token,
            agency,
        })
    }
}

impl PageUser {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        if constant_time_eq(token.as_bytes(), self.user.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(self.fail(AppError::Forbidden("form expired or forged (CSRF)")))
        }
    }

    /// The error as a page that keeps the person's menu.
    pub fn fail(&self, e: AppError) -> WebError {
        WebError::page(e, self.lang).with_menu(crate::pages::Menu::of(self))
    }
}

/// A signed-in API client: `Authorization: Bearer <session token>`, or the page's own script
/// with the session cookie and the session's CSRF token in `X-CSRF-Token` (a cookie alone
/// is refused, so another site cannot call the API in the person's name).
pub struct ApiUser(pub SignedIn);

impl<S> FromRequestParts<S> for ApiUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let state = AppState::from_ref(state);
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(token) = bearer {
            let user = state
                .app
                .signed_in(token.trim())
                .await
                .map_err(WebError::api)?;
            return temporary_password_refused(user);
        }
        // The page's own script (signing): the session cookie, with the session's CSRF
        // token in a header no other site can set.
        let token =
            cookie(parts, SESSION_COOKIE).ok_or(WebError::api(AppError::Unauthenticated))?;
        let csrf = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or(WebError::api(AppError::Unauthenticated))?;
        let user = state.app.signed_in(token).await.map_err(WebError::api)?;
        if !constant_time_eq(csrf.as_bytes(), user.csrf_token.as_bytes()) {
            return Err(WebError::api(AppError::Forbidden(
                "form expired or forged (CSRF)",
            )));
        }
        temporary_password_refused(user)
    }
}

/// A password an administrator set opens the password page only: the API waits until the
/// person has chosen their own.
fn temporary_password_refused(user: SignedIn) -> Result<ApiUser, WebError> {
    if user.person.must_change_password {
        Err(WebError::api(AppError::Forbidden(
            "choose a new password first (the current one was set by an administrator)",
        )))
    } else {
        Ok(ApiUser(user))
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
