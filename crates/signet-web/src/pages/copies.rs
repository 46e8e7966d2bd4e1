//! Electronic copies (issue 13 §7): the "Sao văn bản" form on an issued or registered
//! document's page (sao y, sao lục, trích sao; from the electronic file, or from a scan of the
//! paper original), a copy's page linking its original, its sealed file, and the copies
//! register.

use askama::Template;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::copies::{check_order, may_copy};
use signet_app::AppError;
use signet_core::register::CopyKind;
use signet_core::DocumentId;
use signet_store::copies::Copy;
use signet_store::documents::Document;

use super::{render, Layout};
use crate::format;
use crate::i18n::{Lang, Tr};
use crate::session::PageUser;
use crate::upload;
use crate::{AppState, WebError};

/// One copy in a list.
pub struct CopyRow {
    pub id: String,
    pub notation: String,
    pub form: &'static str,
    pub date: String,
    pub state: &'static str,
    pub done: bool,
    pub recipients: String,
    /// The original: id and label (the register shows it).
    pub original: (String, String),
}

/// The copies section of a document's page.
pub struct Section {
    pub rows: Vec<CopyRow>,
    pub can_copy: bool,
    /// The copy forms: code, label.
    pub kinds: Vec<(&'static str, &'static str)>,
}

fn state_label(t: Tr, state: &str) -> &'static str {
    match state {
        "done" => t.pick("Đã ký số", "Sealed"),
        "failed" => t.pick("Không ký được", "Seal failed"),
        _ => t.pick("Đang ký số", "Being sealed"),
    }
}

fn copy_row(t: Tr, lang: Lang, c: &Copy, original: String) -> CopyRow {
    CopyRow {
        id: c.id.clone(),
        notation: c.notation.clone(),
        form: c.kind.form(),
        date: format::iso_date(lang, &c.copied_on),
        state: state_label(t, &c.state),
        done: c.state == "done",
        recipients: c.recipient_list().join("; "),
        original: (c.original_id.to_string(), original),
    }
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    CopyKind::ALL.iter().map(|k| (k.code(), k.form())).collect()
}

pub async fn section(state: &AppState, u: &PageUser, d: &Document) -> Section {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let copies = state.app.copies_of(v, &d.id).await.unwrap_or_default();
    let label = d.notation.clone().unwrap_or_else(|| d.subject.clone());
    Section {
        rows: copies
            .iter()
            .map(|c| copy_row(t, u.lang, c, label.clone()))
            .collect(),
        can_copy: may_copy(v, d),
        kinds: kinds(),
    }
}

/// "Sao văn bản": the copy of the electronic file, or of the scan sent with the form.
pub async fn create(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let v = &u.user.viewer;
    let check = |f: &upload::Form| {
        u.check_csrf(&f.get("csrf"))
            .map_err(|_| AppError::Forbidden("form expired or forged (CSRF)"))?;
        check_order(&f.get("kind"), &f.get("pages"), &f.get("recipients")).map(|_| ())
    };
    let (form, mut files) = match upload::read_keeping(app, v, mp, check).await {
        Ok(read) => read,
        Err((e, typed)) => return refused(state.clone(), u, &id, typed, e).await,
    };
    let order = match check_order(
        &form.get("kind"),
        &form.get("pages"),
        &form.get("recipients"),
    ) {
        Ok(order) => order,
        Err(e) => return refused(state.clone(), u, &id, form, e).await,
    };
    let copy = match files.pop() {
        Some(scan) => app.make_copy_from_scan(v, &id, &order, scan).await,
        None => app.make_copy(v, &id, &order).await,
    };
    match copy {
        Ok(copy) => Ok(Redirect::to(&format!("/copies/{}", copy.id)).into_response()),
        Err(e) => refused(state.clone(), u, &id, form, e).await,
    }
}

/// The copy form refused: the document page again, the form filled, the problem beside
/// the field (a scan that is not colour or not 200 dpi: beside the scan's input).
async fn refused(
    state: AppState,
    u: PageUser,
    id: &DocumentId,
    typed: upload::Form,
    e: AppError,
) -> Result<Response, WebError> {
    let aliases = [("file", "scan")];
    super::documents::refused_with_aliases(state, u, id, "copy-form", typed.pairs(), e, &aliases)
        .await
}

#[derive(Template)]
#[template(path = "copy.html")]
struct CopyPage {
    l: Layout,
    c: CopyRow,
    source: &'static str,
    pages: String,
    page_count: String,
    reason: String,
    recipients: Vec<String>,
    /// A clerk may seal a failed copy again.
    can_retry: bool,
    /// A failed copy: when the server seals it again by itself, and which attempt that is;
    /// empty when it will not.
    next_try: String,
}

pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let c = state.app.copy(v, &id).await.map_err(|e| u.fail(e))?;
    let original = state
        .app
        .document(v, &c.original_id)
        .await
        .map_err(|e| u.fail(e))?;
    let label = original.notation.clone().map_or_else(
        || original.subject.clone(),
        |n| format!("{n} — {}", original.subject),
    );
    let page = CopyPage {
        source: if c.source == "scan" {
            t.pick("Bản quét văn bản giấy", "Scan of the paper original")
        } else {
            t.pick("Văn bản điện tử", "Electronic document")
        },
        pages: if c.page_range.is_empty() {
            t.pick("Toàn văn", "All pages").to_owned()
        } else {
            c.page_range.clone()
        },
        page_count: c.page_count.map(|n| n.to_string()).unwrap_or_default(),
        reason: c.reason.clone(),
        recipients: c.recipient_list().into_iter().map(str::to_owned).collect(),
        can_retry: c.state == signet_store::copies::FAILED && v.can_register(),
        next_try: match c.retry_at_ms {
            Some(at) if c.state == signet_store::copies::FAILED => format!(
                "{} {} ({} {})",
                t.pick(
                    "Hệ thống sẽ tự ký số lại lúc",
                    "The server seals it again at"
                ),
                format::datetime_ms(u.lang, at),
                t.pick("lần thử thứ", "attempt"),
                c.attempts + 1
            ),
            _ => String::new(),
        },
        c: copy_row(t, u.lang, &c, label),
        l: Layout::of(&state, &u, "registers").await,
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct RetryForm {
    #[serde(default)]
    csrf: String,
}

/// "Ký số lại": a clerk seals a failed copy again, under its number.
pub async fn retry(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    Form(f): Form<RetryForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let c = state
        .app
        .retry_copy(&u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to(&format!("/copies/{}", c.id)).into_response())
}

/// The sealed copy, named by its notation (`5-SY-UBND.pdf`).
pub async fn file(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    sealed_copy(&state, &u.user.viewer, &id)
        .await
        .map_err(|e| u.fail(e))
}

/// The sealed copy as a download (`5-SY-UBND.pdf`), streamed; the page and the API serve it.
pub async fn sealed_copy(
    state: &AppState,
    viewer: &signet_core::person::Viewer,
    id: &str,
) -> Result<Response, AppError> {
    use tokio::io::AsyncReadExt;
    let (_, name, handle) = state.app.copy_file(viewer, id).await?;
    let stream = futures_util::stream::unfold(handle, |mut h| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match h.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)), h))
            }
            Err(e) => Some((Err(e), h)),
        }
    });
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    year: Option<i64>,
}

#[derive(Template)]
#[template(path = "copies_register.html")]
struct RegisterPage {
    l: Layout,
    year: i64,
    rows: Vec<CopyRow>,
}

/// Sổ đăng ký bản sao: the year's copies by number.
pub async fn register(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let year = q
        .year
        .unwrap_or_else(|| i64::from(state.app.clock.today().year()));
    let copies = state
        .app
        .copies_register(v, year)
        .await
        .map_err(|e| u.fail(e))?;
    let mut rows = Vec::with_capacity(copies.len());
    for c in &copies {
        let label = match state.app.store.document(&v.agency_id, &c.original_id).await {
            Ok(d) => d.notation.unwrap_or(d.subject),
            Err(_) => String::new(),
        };
        rows.push(copy_row(t, u.lang, c, label));
    }
    let page = RegisterPage {
        year,
        rows,
        l: Layout::of(&state, &u, "registers").await,
    };
    Ok(render(&page))
}
