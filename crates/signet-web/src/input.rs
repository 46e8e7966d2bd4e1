//! Bodies of a kind a route does not take are refused first, naming the kinds it does: a
//! handler that reads its body as text would otherwise see a form sent as `text/plain`, which
//! the NUL check below does not read, and a PDF sent with curl's default form type would be
//! judged as a form (NUL character, 2 MB) instead of being told its content type is wrong.
//!
//! Input no database column can hold: PostgreSQL refuses text with a NUL character (SQLite
//! keeps it), and no subject, name or search has a use for one. A request carrying one in its
//! address, or in a form or JSON body, is refused here, before any handler — the same answer
//! on both databases instead of a server error on one. Multipart fields are checked as they
//! are read ([`crate::upload`]).

use axum::body::{to_bytes, Body, HttpBody};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use signet_app::AppError;

use crate::i18n::Lang;
use crate::session::{cookie, LANG_COOKIE};
use crate::WebError;

/// The most a form or JSON body may be (axum's default for its extractors).
const BODY_LIMIT: usize = 2 << 20;

/// `%00`, in any case of hex digits.
fn has_encoded_nul(s: &[u8]) -> bool {
    s.windows(3).any(|w| w == b"%00") || s.contains(&0)
}

/// A `\u0000` escape in JSON text (not an escaped backslash followed by `u0000`).
fn has_json_nul(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if b == 0 {
            return true;
        }
        if b == b'\\' {
            if s.get(i + 1) == Some(&b'u') && s.get(i + 2..i + 6) == Some(b"0000".as_slice()) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The public verification API takes a PDF, raw or in a form; every other route takes forms or
/// JSON.
const PDF_ROUTE: &str = "/api/v1/verify";
const PDF_TYPES: &[&str] = &[
    "application/pdf",
    "application/octet-stream",
    "multipart/form-data",
];
const PDF_ACCEPTED: &str = "application/pdf, multipart/form-data";
/// Resumable uploads' pieces (tus) are raw bytes.
const UPLOADS_ROUTE: &str = "/api/v1/uploads";
const PIECE_TYPE: &str = "application/offset+octet-stream";
const FORM_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/json",
];
const FORM_ACCEPTED: &str =
    "application/x-www-form-urlencoded, multipart/form-data, application/json";

/// The media type without parameters, lower-cased (`text/plain; charset=utf-8` → `text/plain`).
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `Some(accepted)` when a body of `media` is not one `path` takes.
fn refused_type(path: &str, media: &str) -> Option<&'static str> {
    if path
        .strip_prefix(UPLOADS_ROUTE)
        .is_some_and(|id| id.starts_with('/'))
    {
        return (media != PIECE_TYPE).then_some(PIECE_TYPE);
    }
    if path == signet_app::exchange::PACKETS_PATH {
        // edXML packets (XML, checked by the packet reader itself).
        let xml = matches!(media, "application/xml" | "text/xml");
        return (!xml).then_some("application/xml");
    }
    let (types, accepted) = if path == PDF_ROUTE {
        (PDF_TYPES, PDF_ACCEPTED)
    } else {
        (FORM_TYPES, FORM_ACCEPTED)
    };
    let json = path != PDF_ROUTE && media.starts_with("application/") && media.ends_with("+json");
    let taken = types.contains(&media) || json;
    (!taken).then_some(accepted)
}

fn refuse(parts: &Parts, error: AppError) -> Response {
    if parts.uri.path().starts_with("/api/") {
        WebError::api(error)
    } else {
        WebError::page(error, Lang::from_cookie(cookie(parts, LANG_COOKIE)))
    }
    .into_response()
}

pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let nul = || AppError::Invalid(signet_app::Invalid::NulCharacter);
    let in_uri = has_encoded_nul(parts.uri.path().as_bytes())
        || parts
            .uri
            .query()
            .is_some_and(|q| has_encoded_nul(q.as_bytes()));
    if in_uri {
        return refuse(&parts, nul());
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase())
        .unwrap_or_default();
    let empty = body.size_hint().exact() == Some(0);
    if !empty {
        let media = media_type(&content_type);
        if let Some(accepted) = refused_type(parts.uri.path(), &media) {
            let got = signet_app::Invalid::ContentType {
                got: media,
                accepted,
            };
            return refuse(&parts, AppError::Invalid(got));
        }
    }
    let form = content_type.starts_with("application/x-www-form-urlencoded")
        && parts.uri.path() != PDF_ROUTE;
    let json = content_type.starts_with("application/json") || content_type.contains("+json");
    let body = if form || json {
        let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
            return refuse(
                &parts,
                AppError::TooLarge {
                    limit: BODY_LIMIT as u64,
                },
            );
        };
        if (form && has_encoded_nul(&bytes)) || (json && has_json_nul(&bytes)) {
            return refuse(&parts, nul());
        }
        Body::from(bytes)
    } else {
        body
    };
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nul_characters() {
        assert!(has_encoded_nul(b"q=a%00b"));
        assert!(has_encoded_nul(b"a\0b"));
        assert!(!has_encoded_nul(b"q=100%25&x=%0A"));
        assert!(has_json_nul(br#"{"a":"x\u0000"}"#));
        assert!(has_json_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!has_json_nul(br#"{"a":"\\u0000"}"#), "an escaped backslash");
        assert!(!has_json_nul(br#"{"a":"\u00e0 \n"}"#));
    }

    #[test]
    fn each_route_takes_its_kinds_of_body() {
        assert_eq!(media_type("Text/Plain; charset=UTF-8"), "text/plain");
        assert!(refused_type("/admin/people", "text/plain").is_some());
        assert!(
            refused_type("/admin/people", "").is_some(),
            "a body with no type"
        );
        assert!(refused_type("/admin/people", "application/x-www-form-urlencoded").is_none());
        assert!(refused_type("/api/v1/units", "application/merge-patch+json").is_none());
        assert!(refused_type("/api/v1/units", "application/pdf").is_some());
        assert!(refused_type(PDF_ROUTE, "application/pdf").is_none());
        assert!(refused_type(PDF_ROUTE, "multipart/form-data").is_none());
        assert!(refused_type(&format!("{UPLOADS_ROUTE}/ab12"), PIECE_TYPE).is_none());
        assert!(refused_type(&format!("{UPLOADS_ROUTE}/ab12"), "application/json").is_some());
        assert!(refused_type("/api/v1/documents", PIECE_TYPE).is_some());
        assert!(refused_type(PDF_ROUTE, "application/x-www-form-urlencoded").is_some());
        assert!(refused_type(PDF_ROUTE, "application/json").is_some());
    }
}

/// Whether the browser says a request comes from another site: `Sec-Fetch-Site: cross-site`,
/// or an `Origin` whose host is not the `Host` the request was sent to. Requests without
/// either header (command-line clients, old browsers) are not judged here.
pub fn cross_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site") == Some("cross-site") {
        return true;
    }
    let Some(origin) = text("origin") else {
        return false;
    };
    // `Origin: null` comes from sandboxed frames and redirects across sites.
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    let host = text("x-forwarded-host").or_else(|| text("host"));
    match (origin_host, host) {
        (Some(o), Some(h)) => !o.eq_ignore_ascii_case(h.trim()),
        _ => true,
    }
}

#[cfg(test)]
mod cross_site_tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::cross_site;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_another_site_is_refused() {
        assert!(!cross_site(&headers(&[])), "curl");
        assert!(!cross_site(&headers(&[
            ("host", "vanban.example"),
            ("origin", "https://vanban.example")
        ])));
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(cross_site(&headers(&[
            ("host", "vanban.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(cross_site(&headers(&[
            ("host", "vanban.example"),
            ("origin", "null")
        ])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[
            ("host", "vanban.example:8443"),
            ("origin", "https://vanban.example")
        ])));
    }
}
