//! The HTML pages.

pub mod admin;
pub mod admin_people;
pub mod batch;
pub mod certificates;
pub mod copies;
pub mod documents;
pub mod dossiers;
pub mod drafting;
pub mod exchange;
pub mod form;
pub mod incoming;
pub mod integrations;
pub mod meetings;
pub mod my_work;
pub mod opinions;
pub mod password;
pub mod profile;
pub mod registers;
pub mod reminders;
pub mod search;
pub mod signing;
pub mod statistics;
pub mod verify;
pub mod viewer;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, REFERER, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::auth::SignedIn;
use signet_core::Role;

use crate::client::{client_key, ClientAddr};
use crate::i18n::{Lang, Tr};
use crate::session::{PageLang, PageUser, LANG_COOKIE, SESSION_COOKIE};
use crate::{AppState, WebError};

/// What every page shows around its content.
pub struct Layout {
    pub t: Tr,
    pub user: Option<UserBar>,
    pub csrf: String,
    pub nav: &'static str,
    /// The signed-in person's certificate expiry reminder, if one is due.
    pub reminder: Option<String>,
    /// Unread deadline reminders (the bell's number).
    pub bell: i64,
}

#[derive(Debug, Clone)]
pub struct UserBar {
    pub name: String,
    pub agency: String,
    pub is_admin: bool,
    pub can_see_registers: bool,
    pub can_see_statistics: bool,
    /// Leaders approve remote signatures on their phone page.
    pub signs: bool,
}

impl Layout {
    pub fn anonymous(lang: Lang) -> Self {
        Self {
            t: Tr(lang),
            user: None,
            csrf: String::new(),
            nav: "",
            reminder: None,
            bell: 0,
        }
    }

    pub async fn of(state: &AppState, u: &PageUser, nav: &'static str) -> Self {
        let mut layout = Self::with_agency(u.lang, &u.user, u.agency.clone(), nav);
        // A reminder that cannot be read must not take the page down with it.
        match state.app.my_expiring_certificates(&u.user.viewer).await {
            Ok(certs) => layout.reminder = reminder(&certs, u.lang),
            Err(e) => tracing::warn!(error = %e, "certificate reminder"),
        }
        match state.app.unread_reminders(&u.user.viewer).await {
            Ok(n) => layout.bell = n,
            Err(e) => tracing::warn!(error = %e, "deadline reminders"),
        }
        layout
    }

    fn with_agency(lang: Lang, user: &SignedIn, agency: String, nav: &'static str) -> Self {
        let v = &user.viewer;
        Self {
            t: Tr(lang),
            user: Some(UserBar {
                name: user.person.full_name.clone(),
                agency,
                is_admin: v.has(Role::Administrator),
                can_see_registers: v.has(Role::Clerk) || v.has(Role::Leader),
                can_see_statistics: v.has(Role::Leader) || v.has(Role::Administrator),
                signs: v.has(Role::Leader),
            }),
            csrf: user.csrf_token.clone(),
            nav,
            reminder: None,
            bell: 0,
        }
    }
}

/// The menu of a signed-in person, kept on the pages that say something went wrong.
#[derive(Debug, Clone)]
pub struct Menu {
    bar: UserBar,
    csrf: String,
}

impl Menu {
    pub fn of(u: &PageUser) -> Self {
        let l = Layout::with_agency(u.lang, &u.user, u.agency.clone(), "");
        Self {
            bar: l.user.unwrap_or_else(|| UserBar {
                name: String::new(),
                agency: String::new(),
                is_admin: false,
                can_see_registers: false,
                can_see_statistics: false,
                signs: false,
            }),
            csrf: l.csrf,
        }
    }
}

/// The banner of a holder whose certificate expires soon (the soonest one is named).
fn reminder(certs: &[signet_store::certificates::Certificate], lang: Lang) -> Option<String> {
    let c = certs.first()?;
    let date = crate::format::date_ms(lang, c.not_after_ms);
    Some(match lang {
        Lang::Vi => format!(
            "Chứng thư số của bạn (số hiệu {}) hết hạn ngày {date}. Vui lòng đề nghị quản trị viên cấp chứng thư mới.",
            c.serial
        ),
        Lang::En => format!(
            "Your certificate (serial {}) expires on {date}. Please ask your administrator for a new one.",
            c.serial
        ),
    })
}

/// Renders a template; a template that fails to render is a bug, logged, shown as 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Layout,
    status: u16,
    message: &'a str,
}

pub fn error_page(lang: Lang, status: StatusCode, message: &str, menu: Option<&Menu>) -> Response {
    let mut l = Layout::anonymous(lang);
    if let Some(m) = menu {
        l.user = Some(m.bar.clone());
        l.csrf = m.csrf.clone();
    }
    render(&ErrorPage {
        l,
        status: status.as_u16(),
        message,
    })
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

pub async fn style() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

/// The page-side client of the local signing agent (`signet agent`), an ES module.
pub async fn agent_js() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/agent.js"),
    )
        .into_response()
}

/// The forms' resumable upload script (tus, progress, cancel).
pub async fn upload_js() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../static/upload.js"),
    )
        .into_response()
}

pub async fn home(_u: PageUser) -> Redirect {
    Redirect::to("/my-work")
}

/// No such page: JSON for an API client; a page for a browser, with the menu when the
/// person is signed in (so a mistyped address is not a dead end).
pub async fn not_found(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    use axum::extract::FromRequestParts;
    let (mut parts, _) = request.into_parts();
    let lang = Lang::from_cookie(crate::session::cookie(&parts, LANG_COOKIE));
    let wants_json = parts
        .headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    let e = signet_app::AppError::NotFound;
    if wants_json {
        return WebError::api(e).into_response();
    }
    match PageUser::from_request_parts(&mut parts, &state).await {
        Ok(u) => u.fail(e),
        Err(_) => WebError::page(e, lang),
    }
    .into_response()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    error: Option<String>,
    username: String,
}

pub async fn login_form(PageLang(lang): PageLang) -> Response {
    render(&LoginPage {
        l: Layout::anonymous(lang),
        error: None,
        username: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn session_cookie(state: &AppState, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static(""))
}

pub async fn login(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    // No session yet, so no CSRF token: a cross-site form could sign the victim in as the
    // attacker (login CSRF). Browsers say where a POST comes from; refuse other sites.
    if crate::input::cross_site(&headers) {
        let e = signet_app::AppError::Forbidden("signing in from another site");
        return WebError::page(e, lang).into_response();
    }
    let client = client_key(addr);
    match state
        .app
        .sign_in(&form.username, &form.password, &client)
        .await
    {
        Ok(session) => {
            let ttl = signet_app::auth::SESSION_TTL_MS / 1000;
            let mut res = Redirect::to("/").into_response();
            res.headers_mut()
                .insert(SET_COOKIE, session_cookie(&state, &session.token, ttl));
            res
        }
        Err(e) => {
            let (status, _) = (StatusCode::UNAUTHORIZED, ());
            let status = if matches!(e, signet_app::AppError::TooManyAttempts { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                status
            };
            let WebError { error, .. } = WebError::page(e, lang);
            let message = crate::error::page_message(&error, lang);
            let page = LoginPage {
                l: Layout::anonymous(lang),
                error: Some(message),
                username: form.username,
            };
            let mut res = (status, render(&page)).into_response();
            if let Some(seconds) = crate::error::retry_after(&error) {
                res.headers_mut().insert(RETRY_AFTER, seconds.into());
            }
            res
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    u: PageUser,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    if let Some(token) = headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| {
            c.split(';')
                .filter_map(|kv| kv.trim().split_once('='))
                .find(|(k, _)| *k == SESSION_COOKIE)
                .map(|(_, v)| v.to_owned())
        })
    {
        state.app.sign_out(&token).await.map_err(|e| u.fail(e))?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .insert(SET_COOKIE, session_cookie(&state, "", 0));
    Ok(res)
}

/// Switches the language and goes back where the person was (same site only).
pub async fn set_language(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let lang = if lang == "en" { "en" } else { "vi" };
    let back = headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_owned()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned());
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000");
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, back)]).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(SET_COOKIE, v);
    }
    res
}

/// An `<option>` of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: &str, label: &str, current: &str) -> Self {
        Self {
            value: value.to_owned(),
            label: label.to_owned(),
            selected: value == current,
        }
    }
}
