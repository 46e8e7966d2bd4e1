//! The administrator's certificate page: list with filters and totals, issuance form,
//! revocation, downloads.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use signet_app::certificates::CertificateForm;
use signet_app::{AppError, Invalid};
use signet_store::certificates::{
    CertCursor, CertFilter, CertStatus, CertTotals, Certificate, CertificateKind, DeviceKind,
    StatusAt,
};

use super::documents::url_encode;
use super::{form, render, Choice, Layout};
use crate::api::types::IssueRequest;
use crate::i18n::{Lang, Tr};
use crate::session::PageUser;
use crate::{AppState, WebError};

/// Rows per page.
const PAGE_SIZE: u32 = 50;

/// `5700` as `5.700` (Vietnamese) or `5,700` (English).
pub fn group_thousands(n: i64, lang: Lang) -> String {
    crate::format::integer(lang, n)
}

/// "Đã cấp 5.700: 4.028 cá nhân, 1.676 tổ chức" / "Issued 5,700: 4,028 personal, 1,676
/// organizational".
pub fn totals_line(t: &CertTotals, lang: Lang) -> String {
    let n = |v| group_thousands(v, lang);
    match lang {
        Lang::Vi => format!(
            "Đã cấp {}: {} cá nhân, {} tổ chức",
            n(t.total),
            n(t.personal),
            n(t.organization)
        ),
        Lang::En => format!(
            "Issued {}: {} personal, {} organizational",
            n(t.total),
            n(t.personal),
            n(t.organization)
        ),
    }
}

pub fn status_label(s: CertStatus, t: Tr) -> &'static str {
    match s {
        CertStatus::Valid => t.s("cert_valid"),
        CertStatus::Expiring => t.s("cert_expiring"),
        CertStatus::Expired => t.s("cert_expired"),
        CertStatus::Revoked => t.s("cert_revoked"),
    }
}

pub fn kind_label(k: CertificateKind, t: Tr) -> &'static str {
    match k {
        CertificateKind::Personal => t.s("cert_personal"),
        CertificateKind::Organization => t.s("cert_organization"),
    }
}

pub fn device_label(d: DeviceKind, t: Tr) -> &'static str {
    match d {
        DeviceKind::Software => t.s("device_software"),
        DeviceKind::Pkcs11 => t.s("device_pkcs11"),
        DeviceKind::Remote => t.s("device_remote"),
    }
}

/// A revocation reason in the person's language (RFC 5280 name when unknown).
pub fn reason_label(name: &str, t: Tr) -> String {
    t.get(&format!("reason_{name}"))
        .map_or_else(|| name.to_owned(), str::to_owned)
}

pub struct CertRow {
    pub serial: String,
    pub holder: String,
    pub kind: &'static str,
    pub device: String,
    pub valid_until: String,
    pub status: String,
    pub status_class: &'static str,
    pub revocable: bool,
}

fn row(c: &Certificate, at: StatusAt, t: Tr) -> CertRow {
    let status = c.status(at);
    let device = if c.device_label.is_empty() {
        device_label(c.device_kind, t).to_owned()
    } else {
        format!("{} · {}", device_label(c.device_kind, t), c.device_label)
    };
    CertRow {
        serial: c.serial.clone(),
        holder: c.holder_name.clone(),
        kind: kind_label(c.kind, t),
        device,
        valid_until: crate::format::date_ms(t.0, c.not_after_ms),
        status: match &c.revocation_reason {
            Some(r) => format!("{} · {}", status_label(status, t), reason_label(r, t)),
            None => status_label(status, t).to_owned(),
        },
        status_class: status.as_str(),
        revocable: status != CertStatus::Revoked,
    }
}

/// The list's query string.
#[derive(Debug, Default, Deserialize)]
pub struct CertQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub after: String,
}

impl CertQuery {
    /// The store filter; unknown values are refused rather than ignored.
    pub fn filter(&self, limit: u32) -> Result<CertFilter, AppError> {
        let status = match self.status.as_str() {
            "" => None,
            s => Some(CertStatus::parse(s).ok_or_else(|| {
                AppError::Invalid(Invalid::OneOf {
                    field: "status",
                    allowed: "valid, expiring, expired, revoked".into(),
                })
            })?),
        };
        let kind = match self.kind.as_str() {
            "" => None,
            k => Some(CertificateKind::parse(k).ok_or_else(|| {
                AppError::Invalid(Invalid::OneOf {
                    field: "kind",
                    allowed: "personal, organization".into(),
                })
            })?),
        };
        let after = match self.after.as_str() {
            "" => None,
            a => Some(CertCursor::decode(a).ok_or_else(|| AppError::Invalid(Invalid::Cursor))?),
        };
        Ok(CertFilter {
            status,
            kind,
            after,
            limit,
        })
    }

    fn href(&self, after: Option<&str>) -> String {
        let mut parts = Vec::new();
        for (k, v) in [("status", &self.status), ("kind", &self.kind)] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", url_encode(v)));
            }
        }
        if let Some(a) = after {
            parts.push(format!("after={}", url_encode(a)));
        }
        format!("/admin/certificates?{}", parts.join("&"))
    }
}

#[derive(Template)]
#[template(path = "certificates.html")]
struct CertificatesPage {
    l: Layout,
    totals: String,
    counts: Vec<(String, &'static str, String)>,
    rows: Vec<CertRow>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    people: Vec<(String, String)>,
    devices: Vec<(&'static str, &'static str)>,
    reasons: Vec<(&'static str, String)>,
    can_issue: bool,
    has_cursor: bool,
    first_href: String,
    next_href: Option<String>,
    /// A certificate issued by this very request, shown at the top with its key file.
    issued: Option<Issued>,
    /// The request form refused: shown again as typed (the password never), the problem
    /// beside its field.
    refused: form::Refused,
}

/// A certificate just issued with a generated key: the page names it at once and offers
/// its PKCS#12 file (the only copy of the key) as a link carrying the file itself, so
/// nothing of the key stays on the server.
pub struct Issued {
    pub serial: String,
    pub holder: String,
    pub file_name: String,
    pub data_url: String,
}

pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<CertQuery>,
) -> Result<Response, WebError> {
    list_page(&state, &u, &q, None, form::Refused::none()).await
}

async fn list_page(
    state: &AppState,
    u: &PageUser,
    q: &CertQuery,
    issued: Option<Issued>,
    refused: form::Refused,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let v = &u.user.viewer;
    let filter = q.filter(PAGE_SIZE).map_err(|e| u.fail(e))?;
    let list = state
        .app
        .certificates(v, &filter)
        .await
        .map_err(|e| u.fail(e))?;
    let people = state.app.people(v).await.map_err(|e| u.fail(e))?;
    let tt = &list.totals;
    let n = |x| group_thousands(x, u.lang);
    let counts = [
        (CertStatus::Valid, tt.valid),
        (CertStatus::Expiring, tt.expiring),
        (CertStatus::Expired, tt.expired),
        (CertStatus::Revoked, tt.revoked),
    ]
    .into_iter()
    .map(|(s, c)| (s.as_str().to_owned(), status_label(s, t), n(c)))
    .collect();
    let page = CertificatesPage {
        totals: totals_line(tt, u.lang),
        counts,
        rows: list
            .page
            .certificates
            .iter()
            .map(|c| row(c, list.at, t))
            .collect(),
        statuses: CertStatus::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), status_label(*s, t), &q.status))
            .collect(),
        kinds: [CertificateKind::Personal, CertificateKind::Organization]
            .iter()
            .map(|k| Choice::new(k.as_str(), kind_label(*k, t), &q.kind))
            .collect(),
        people: people
            .iter()
            .filter(|p| p.active)
            .map(|p| {
                (
                    p.id.to_string(),
                    format!("{} ({})", p.full_name, p.username),
                )
            })
            .collect(),
        devices: [DeviceKind::Pkcs11, DeviceKind::Remote, DeviceKind::Software]
            .iter()
            .map(|d| (d.as_str(), device_label(*d, t)))
            .collect(),
        reasons: signet_app::certificates::revocation_reasons()
            .into_iter()
            .map(|r| (r, reason_label(r, t)))
            .collect(),
        can_issue: list.can_issue,
        has_cursor: !q.after.is_empty(),
        first_href: q.href(None),
        next_href: list.page.next.as_ref().map(|c| q.href(Some(&c.encode()))),
        l: Layout::of(state, u, "admin").await,
        issued,
        refused,
    };
    Ok((page.refused.status(), render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct IssueFormData {
    #[serde(default)]
    csrf: String,
    /// The same fields as the API's body.
    #[serde(flatten)]
    request: IssueRequest,
}

/// A file to download, with an ASCII name.
pub fn attachment(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// What a refused request form is shown again with: everything but the password.
fn typed(f: &CertificateForm) -> form::Fields {
    [
        ("kind", &f.kind),
        ("holder_id", &f.holder_id),
        ("csr", &f.csr),
        ("device_kind", &f.device_kind),
        ("device_label", &f.device_label),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect()
}

/// Issues; with a generated key the answer is the PKCS#12 file itself (the only copy).
pub async fn issue(
    State(state): State<AppState>,
    u: PageUser,
    headers: axum::http::HeaderMap,
    Form(f): Form<IssueFormData>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    let form = CertificateForm::from(f.request);
    let issued = match state.app.request_certificate(&u.user.viewer, &form).await {
        Ok(issued) => issued,
        Err(e) if form::is_about_input(&e) => {
            let problem = form::problem(&e, u.lang, &[]);
            let refused = form::Refused::new("issue-form", typed(&form), problem);
            return list_page(&state, &u, &CertQuery::default(), None, refused).await;
        }
        Err(e) => return Err(u.fail(e)),
    };
    // A browser gets the list, new certificate included, with its key file to save; a
    // client that asks for no page gets the file itself.
    let wants_page = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    match issued.pkcs12 {
        Some(p12) if wants_page => {
            use base64::Engine;
            let shown = Issued {
                serial: issued.certificate.serial.clone(),
                holder: issued.certificate.holder_name.clone(),
                file_name: p12_name(&issued.certificate),
                data_url: format!(
                    "data:application/x-pkcs12;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(&p12)
                ),
            };
            list_page(
                &state,
                &u,
                &CertQuery::default(),
                Some(shown),
                form::Refused::none(),
            )
            .await
        }
        Some(p12) => Ok(attachment(
            "application/x-pkcs12",
            &p12_name(&issued.certificate),
            p12,
        )),
        None => Ok(Redirect::to("/admin/certificates").into_response()),
    }
}

#[derive(Deserialize)]
pub struct RevokeFormData {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn revoke(
    State(state): State<AppState>,
    u: PageUser,
    Path(serial): Path<String>,
    Form(f): Form<RevokeFormData>,
) -> Result<Response, WebError> {
    u.check_csrf(&f.csrf)?;
    state
        .app
        .revoke_certificate(&u.user.viewer, &serial, &f.reason)
        .await
        .map_err(|e| u.fail(e))?;
    Ok(Redirect::to("/admin/certificates").into_response())
}

/// The certificate and its chain as PEM.
pub async fn download(
    State(state): State<AppState>,
    u: PageUser,
    Path(serial): Path<String>,
) -> Result<Response, WebError> {
    let pem = state
        .app
        .certificate_pem(&u.user.viewer, &serial)
        .await
        .map_err(|e| u.fail(e))?;
    let serial = file_serial(&serial);
    Ok(attachment(
        "application/x-pem-file",
        &format!("{serial}.pem"),
        pem.into_bytes(),
    ))
}

/// The holder's name as the PKCS#12 file name ("Nguyen-Van-Hung.p12"), so the person who
/// receives it knows whose key it is; the serial when the name has no usable letters.
pub fn p12_name(c: &signet_store::certificates::Certificate) -> String {
    let serial = file_serial(&c.serial);
    format!(
        "{}.p12",
        signet_core::text::file_stem(&c.holder_name, &serial)
    )
}

/// A serial safe for a file name (the app already checked it names a certificate).
pub fn file_serial(s: &str) -> String {
    s.chars().filter(char::is_ascii_hexdigit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_revocation_reason_is_translated() {
        for r in signet_app::certificates::revocation_reasons() {
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(reason_label(r, Tr(lang)), r, "{r} in {lang:?}");
            }
        }
        assert_eq!(
            reason_label("holdInstruction", Tr(Lang::Vi)),
            "holdInstruction"
        );
    }

    #[test]
    fn numbers_and_totals_in_both_languages() {
        assert_eq!(group_thousands(0, Lang::Vi), "0");
        assert_eq!(group_thousands(999, Lang::Vi), "999");
        assert_eq!(group_thousands(5700, Lang::Vi), "5.700");
        assert_eq!(group_thousands(1_234_567, Lang::En), "1,234,567");
        assert_eq!(group_thousands(100_000, Lang::Vi), "100.000");
        assert_eq!(group_thousands(-4028, Lang::Vi), "-4.028");
        let t = CertTotals {
            total: 5700,
            personal: 4028,
            organization: 1676,
            ..Default::default()
        };
        assert_eq!(
            totals_line(&t, Lang::Vi),
            "Đã cấp 5.700: 4.028 cá nhân, 1.676 tổ chức"
        );
        assert_eq!(
            totals_line(&t, Lang::En),
            "Issued 5,700: 4,028 personal, 1,676 organizational"
        );
    }
}
