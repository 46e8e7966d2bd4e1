//! The document page's signing part (issue 9): the signature panel of the current file, the
//! officer's mark of the leader's box (a proportional preview of the page to click on, and a
//! form with page and position presets that needs no script), and the leader's signing
//! controls, driven by `/static/signing.js` through `/api/v1`.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::web_signing::PRESETS;
use signet_app::AppError;
use signet_core::lifecycle::{OutgoingState, Step};
use signet_core::DocumentId;
use signet_store::documents::Document;

use crate::api::signing::panel_with_report;
use crate::i18n::Tr;
use crate::session::PageUser;
use crate::{AppState, WebError};

/// The document page's policy: the global one plus Signet's own scripts and the local
/// signing agent's origin (USB tokens on the leader's PC).
pub const SIGNING_CSP: &str = "default-src 'none'; script-src 'self'; \
    connect-src 'self' http://127.0.0.1:8765; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One signature line of the panel.
pub struct SigRow {
    pub who: String,
    pub field: String,
    pub when: String,
    pub level: String,
    pub verdict: String,
    pub ok: bool,
    pub changes: String,
}

/// What the page shows and offers for signing.
pub struct SigningView {
    pub file_id: Option<String>,
    pub verdict: String,
    pub rows: Vec<SigRow>,
    /// The officer may mark the leader's box (a draft of theirs).
    pub can_mark: bool,
    /// Pages as `x0 y0 x1 y1` MediaBoxes (for the preview), and their count.
    pub pages: Vec<String>,
    pub mark: String,
    pub mark_text: String,
    pub presets: Vec<(&'static str, &'static str)>,
    /// The leader may sign now.
    pub can_sign: bool,
    /// ... and may do so with the key the server holds for them (agency setting).
    pub server_key: bool,
    /// `waiting`, `failed` or empty.
    pub seal_state: String,
    pub seal_error: String,
    pub issued: bool,
}

/// What changed after a signature, never "none" beside a signature that does not verify: a
/// digest that no longer matches means the content changed; another failure says nothing.
fn changes(t: Tr, s: &signet_pades::SignatureReport) -> String {
    use signet_pades::{Integrity, Modifications, SubIndication};
    let (vi, en) = match (s.integrity, s.sub_indication, s.modifications) {
        (Integrity::Broken, Some(SubIndication::HashFailure), _) => (
            "nội dung đã bị thay đổi sau khi ký",
            "content changed after signing",
        ),
        (Integrity::Broken, _, _) => ("—", "—"),
        (_, _, Modifications::None) => ("không", "none"),
        (_, _, Modifications::Ltv) => ("dữ liệu kiểm tra dài hạn", "validation data"),
        (_, _, Modifications::FormFilling) => {
            ("điền biểu mẫu, ký thêm", "form filling, further signatures")
        }
        (_, _, Modifications::Annotations) => ("chú thích", "annotations"),
        (_, _, Modifications::Other) => ("thay đổi nội dung", "content changed"),
    };
    t.pick(vi, en).to_owned()
}

/// The signing part of the page of `d` for `u`.
pub async fn view(state: &AppState, u: &PageUser, d: &Document) -> SigningView {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let (panel, report) = match panel_with_report(state, v, &d.id).await {
        Ok((p, r)) => (Some(p), r),
        Err(_) => (None, None),
    };
    let steps = state.app.allowed_steps(v, d);
    let state_of = d.state.outgoing();
    let mark_text = panel
        .as_ref()
        .and_then(|p| p.mark.as_ref())
        .map(|m| {
            format!(
                "{} {}: [{:.0} {:.0} {:.0} {:.0}]",
                t.pick("Trang", "Page"),
                m.page,
                m.rect[0],
                m.rect[1],
                m.rect[2],
                m.rect[3]
            )
        })
        .unwrap_or_else(|| {
            t.pick(
                "Chưa đánh dấu: chữ ký đặt ở cuối trang cuối, bên phải.",
                "Not marked: the signature goes at the bottom right of the last page.",
            )
            .to_owned()
        });
    let Some(p) = panel else {
        return SigningView {
            file_id: None,
            verdict: String::new(),
            rows: Vec::new(),
            can_mark: false,
            pages: Vec::new(),
            mark: String::new(),
            mark_text,
            presets: Vec::new(),
            can_sign: false,
            server_key: false,
            seal_state: String::new(),
            seal_error: String::new(),
            issued: false,
        };
    };
    let waiting = p.seal_state.as_deref() == Some("waiting");
    let can_sign = steps.contains(&Step::Sign);
    let server_key = can_sign && state.app.server_keys_enabled(v).await.unwrap_or(false);
    SigningView {
        file_id: p.file_id.clone(),
        verdict: report
            .as_ref()
            .map(|r| super::verify::verdict_text(t, r.verdict))
            .unwrap_or_default(),
        rows: report
            .iter()
            .flat_map(|r| r.signatures.iter())
            .map(|s| SigRow {
                who: s
                    .signer
                    .as_ref()
                    .and_then(|x| x.common_name.clone())
                    .unwrap_or_default(),
                field: s.field.clone(),
                when: s
                    .timestamp
                    .as_deref()
                    .or(s.signing_time.as_deref())
                    .map(|x| crate::format::rfc3339_zoned(t.0, x))
                    .unwrap_or_default(),
                level: s.level.clone().unwrap_or_default(),
                verdict: super::verify::verdict_text(t, s.indication),
                ok: s.indication == signet_pades::Indication::TotalPassed,
                changes: changes(t, s),
            })
            .collect(),
        can_mark: state_of == Some(OutgoingState::Draft) && steps.contains(&Step::Submit),
        pages: p
            .pages
            .iter()
            .map(|b| format!("{} {} {} {}", b[0], b[1], b[2], b[3]))
            .collect(),
        mark: p
            .mark
            .as_ref()
            .map(|m| {
                format!(
                    "{} {} {} {} {}",
                    m.page, m.rect[0], m.rect[1], m.rect[2], m.rect[3]
                )
            })
            .unwrap_or_default(),
        mark_text,
        presets: PRESETS
            .iter()
            .map(|(v, vi, en)| (*v, t.pick(vi, en)))
            .collect(),
        can_sign,
        server_key,
        seal_state: if waiting || p.seal_state.as_deref() == Some("failed") {
            p.seal_state.clone().unwrap_or_default()
        } else {
            String::new()
        },
        seal_error: p.seal_error.clone().unwrap_or_default(),
        issued: matches!(
            state_of,
            Some(OutgoingState::Issued) | Some(OutgoingState::Sent)
        ),
    }
}

/// The page's policy header (scripts from Signet, the agent reachable).
pub fn with_signing_csp(mut res: Response) -> Response {
    res.headers_mut().insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SIGNING_CSP),
    );
    res
}

#[derive(Debug, Deserialize)]
pub struct MarkForm {
    pub csrf: String,
    /// From 1.
    pub page: String,
    #[serde(default)]
    pub preset: String,
}

/// The keyboard fallback: page and position preset.
pub async fn mark_box(
    State(state): State<AppState>,
    u: PageUser,
    Path(id): Path<DocumentId>,
    Form(f): Form<MarkForm>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let preset = if f.preset.is_empty() {
        "bottom-right"
    } else {
        f.preset.as_str()
    };
    let marked = match f
        .page
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|p| p.checked_sub(1))
    {
        Some(page) => {
            let app = &state.app;
            app.mark_signature_preset(&u.user.viewer, &id, page, preset)
                .await
        }
        None => Err(AppError::Invalid(signet_app::Invalid::Mark {
            detail: format!("page {:?}", f.page),
        })),
    };
    match marked {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(e) => {
            let typed = vec![
                ("page".to_owned(), f.page.clone()),
                ("preset".to_owned(), f.preset.clone()),
            ];
            super::documents::refused_on_page(state.clone(), u, &id, "mark-form", typed, e).await
        }
    }
}

/// The page's signing script.
pub async fn script() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../static/signing.js"),
    )
        .into_response()
}
