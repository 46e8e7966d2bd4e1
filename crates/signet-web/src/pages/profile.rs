//! A person's page (issue 9 §1): who they are and their handwritten-signature image — the
//! picture drawn in their signature box (Nghị định 30 layout) — with a preview, an upload
//! form (PNG or JPEG) and removal. `/profile` is one's own; an administrator of the person's
//! agency finds the same section on `/admin/people/{id}` ([`Section`]). Plain forms: no
//! script needed.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use signet_app::signature_images::{MAX_BYTES, SIDES};
use signet_app::{AppError, Invalid};
use signet_core::PersonId;

use super::admin::form_pairs;
use super::form::{self, Problem};
use super::{render, Layout};
use crate::format;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

/// The upload form's body limit: the image and the form's few other bytes.
pub const FORM_LIMIT: usize = MAX_BYTES + 16 * 1024;

/// The current image, as the page shows it.
pub struct ImageView {
    /// The preview's address (changes with the image, so a browser never shows a stale one).
    pub url: String,
    pub kind: &'static str,
    pub width: u32,
    pub height: u32,
    pub uploaded: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    l: Layout,
    id: String,
    own: bool,
    name: String,
    username: String,
    title: String,
    roles: String,
    image: Option<ImageView>,
    /// After an action: `saved` or `removed`.
    image_done: String,
    /// An image refused: why, shown beside the file input.
    image_problem: Option<Problem>,
    max_kib: usize,
    sides: (u32, u32),
}

/// What the section says after an action: done (`saved`, `removed`), or the image refused.
#[derive(Debug, Default)]
pub struct ImageNote {
    pub done: Option<String>,
    pub problem: Option<Problem>,
}

impl ImageNote {
    pub fn done(done: Option<String>) -> Self {
        Self {
            done,
            problem: None,
        }
    }
}

/// What the signature-image section of a person's page shows (`signature_image_section.html`).
pub struct Section {
    pub image: Option<ImageView>,
    /// After an action: `saved` or `removed`.
    pub image_done: String,
    pub image_problem: Option<Problem>,
    pub max_kib: usize,
    pub sides: (u32, u32),
}

/// The section for `person` as `u` sees it (refused unless `u` may hold their image).
pub(crate) async fn section(
    state: &AppState,
    u: &PageUser,
    person: &PersonId,
    note: ImageNote,
) -> Result<Section, WebError> {
    let image = state
        .app
        .store
        .signature_image(person)
        .await
        .map_err(|e| u.fail(e.into()))?
        .map(|img| ImageView {
            url: format!(
                "/people/{person}/signature-image?v={}",
                img.sha256.get(..16).unwrap_or_default()
            ),
            kind: if img.content_type == "image/jpeg" {
                "JPEG"
            } else {
                "PNG"
            },
            width: img.width,
            height: img.height,
            uploaded: format::datetime_ms(u.lang, img.uploaded_at_ms),
        });
    Ok(Section {
        image,
        image_done: note
            .done
            .filter(|d| d == "saved" || d == "removed")
            .unwrap_or_default(),
        image_problem: note.problem,
        max_kib: MAX_BYTES / 1024,
        sides: SIDES,
    })
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
}

async fn page(
    state: &AppState,
    u: &PageUser,
    person: &PersonId,
    note: ImageNote,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let app = &state.app;
    let p = app
        .signature_image_holder(v, person)
        .await
        .map_err(|e| u.fail(e))?;
    let section = section(state, u, person, note).await?;
    let own = &v.person_id == person;
    let page = ProfilePage {
        l: Layout::of(state, u, if own { "profile" } else { "admin" }).await,
        id: person.to_string(),
        own,
        name: p.full_name,
        username: p.username,
        title: p.title,
        roles: p
            .roles
            .iter()
            .map(|r| t.pick(r.label_vi(), r.label_en()))
            .collect::<Vec<_>>()
            .join(", "),
        image: section.image,
        image_done: section.image_done,
        max_kib: section.max_kib,
        sides: section.sides,
        image_problem: section.image_problem,
    };
    let status = page
        .image_problem
        .as_ref()
        .map_or(StatusCode::OK, Problem::status);
    Ok((status, render(&page)).into_response())
}

/// `GET /profile`: one's own page.
pub async fn own(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let me = u.user.viewer.person_id.clone();
    page(&state, &u, &me, ImageNote::done(q.done)).await
}

/// Where the person's page is, for `viewer`.
fn back(u: &PageUser, person: &PersonId, done: &str) -> Response {
    let to = if &u.user.viewer.person_id == person {
        format!("/profile?done={done}")
    } else {
        format!("/admin/people/{person}?done={done}")
    };
    Redirect::to(&to).into_response()
}

/// `GET /people/{id}/signature-image`: the image itself, for the preview.
pub async fn image(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let found = state
        .app
        .signature_image_of(&u.user.viewer, &PersonId::from(id))
        .await
        .map_err(|e| u.fail(e))?;
    let Some((img, bytes)) = found else {
        return Err(u.fail(AppError::NotFound));
    };
    let content_type = if img.content_type == "image/jpeg" {
        "image/jpeg"
    } else {
        "image/png"
    };
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "private, max-age=3600"),
        ],
        bytes,
    )
        .into_response())
}

fn unreadable(detail: &str) -> AppError {
    AppError::Invalid(Invalid::Body {
        detail: detail.to_owned(),
    })
}

fn no_image() -> AppError {
    AppError::Invalid(Invalid::ImageKind {
        detail: "choose a PNG or JPEG file".into(),
    })
}

/// The form's CSRF token and image file.
async fn read_form(mut mp: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let (mut csrf, mut image) = (String::new(), None);
    loop {
        let field = mp
            .next_field()
            .await
            .map_err(|_| unreadable("the form could not be read"))?;
        let Some(field) = field else { break };
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|_| unreadable("the form could not be read"))?;
            }
            Some("image") => {
                let bytes = field.bytes().await.map_err(|_| {
                    AppError::Invalid(Invalid::ImageSize {
                        detail: format!("the file could not be read (at most {MAX_BYTES} bytes)"),
                    })
                })?;
                image = Some(bytes.to_vec());
            }
            _ => {}
        }
    }
    match image {
        Some(b) if !b.is_empty() => Ok((csrf, b)),
        _ => Err(no_image()),
    }
}

/// `POST /people/{id}/signature-image` (multipart: `csrf`, `image`): sets the image.
pub async fn upload(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let person = PersonId::from(id);
    let mp = mp.map_err(|_| u.fail(unreadable("expected a file upload form")))?;
    let (csrf, bytes) = match read_form(mp).await {
        Ok(read) => read,
        // The token was not read: the page shown again changes nothing, so it needs none.
        Err(e) => return refused_image(&state, &u, &person, e).await,
    };
    u.check_csrf(&csrf)?;
    let saved = state
        .app
        .set_signature_image(&u.user.viewer, &person, Some(&bytes))
        .await;
    match saved {
        Ok(_) => Ok(back(&u, &person, "saved")),
        Err(e) => refused_image(&state, &u, &person, e).await,
    }
}

/// An image refused: the person's page again (their own, or the administrator's page of
/// them) with the problem beside the file input — or an error page when the refusal is not
/// about the file (who asks).
async fn refused_image(
    state: &AppState,
    u: &PageUser,
    person: &PersonId,
    e: AppError,
) -> Result<Response, WebError> {
    let Some(problem) = form::input_problem(&e, u.lang, &[]) else {
        return Err(u.fail(e));
    };
    let note = ImageNote {
        done: None,
        problem: Some(problem),
    };
    if &u.user.viewer.person_id == person {
        page(state, u, person, note).await
    } else {
        super::admin_people::person_page_noting(state, u, person, note).await
    }
}

/// `POST /people/{id}/signature-image/delete`: removes the image.
pub async fn remove(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, WebError> {
    let person = PersonId::from(id);
    let pairs = form_pairs(&body);
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    u.check_csrf(csrf)?;
    state
        .app
        .set_signature_image(&u.user.viewer, &person, None)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(back(&u, &person, "removed"))
}
