//! Registers (sổ đăng ký), on screen and as CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use signet_app::registers::RegisterEntry;
use signet_app::registers::{to_csv, Book};
use signet_app::AppError;

use super::{render, Layout};
use crate::format;
use crate::i18n::{Lang, Tr};
use crate::session::PageUser;
use crate::{AppState, WebError};

#[derive(Debug, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    book: String,
    #[serde(default)]
    year: Option<String>,
}

impl RegisterQuery {
    fn parse(&self, this_year: i32) -> Result<(Book, i64), AppError> {
        let book = if self.book.is_empty() {
            Some(Book::Outgoing)
        } else {
            Book::parse(&self.book)
        };
        let book = book.ok_or_else(|| {
            AppError::Invalid(signet_app::Invalid::OneOf {
                field: "book",
                allowed: "di, den".into(),
            })
        })?;
        let year = match self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|y| !y.is_empty())
        {
            None => i64::from(this_year),
            Some(y) => y
                .parse()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| {
                    AppError::Invalid(signet_app::Invalid::Year {
                        value: y.to_owned(),
                    })
                })?,
        };
        Ok((book, year))
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    l: Layout,
    heading: &'static str,
    book: &'static str,
    year: i64,
    columns: [&'static str; 10],
    rows: Vec<[String; 10]>,
    /// Numbers taken by issuances whose seal finally failed: (notation, issue date, why).
    failed: Vec<(String, String, String)>,
}

/// The book and year asked for, and its entries.
async fn entries(
    state: &AppState,
    u: &PageUser,
    q: &RegisterQuery,
) -> Result<(Book, i64, Vec<RegisterEntry>), WebError> {
    let (book, year) = q
        .parse(state.app.clock.today().year())
        .map_err(|e| u.fail(e))?;
    let docs = state
        .app
        .register(&u.user.viewer, book, year)
        .await
        .map_err(|e| u.fail(e))?;
    Ok((book, year, docs))
}

/// A register as a CSV download (the page's export and the API's `?format=csv`).
pub fn csv_response(book: Book, year: i64, docs: &[RegisterEntry]) -> Response {
    let name = format!("so-van-ban-{}-{year}.csv", book.code());
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        to_csv(book, docs),
    )
        .into_response()
}

pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let (book, year, docs) = entries(&state, &u, &q).await?;
    let page = RegisterPage {
        heading: if book == Book::Outgoing {
            t.s("book_di")
        } else {
            t.s("book_den")
        },
        book: book.code(),
        year,
        columns: book.columns(),
        rows: docs
            .iter()
            .map(|d| dated(book, book.row(d), u.lang))
            .collect(),
        failed: if book == Book::Outgoing {
            state
                .app
                .store
                .failed_seal_jobs(&u.user.viewer.agency_id, year)
                .await
                .map_err(|e| u.fail(e.into()))?
                .into_iter()
                .map(|j| {
                    let on = format::iso_date(u.lang, &j.issued_on);
                    (j.notation, on, j.last_error.unwrap_or_default())
                })
                .collect()
        } else {
            Vec::new()
        },
        l: Layout::of(&state, &u, "registers").await,
    };
    Ok(render(&page))
}

/// A register row for the page: its date columns as the page's language writes dates (the CSV
/// keeps ISO dates for spreadsheets).
fn dated(book: Book, mut row: [String; 10], lang: Lang) -> [String; 10] {
    let columns: &[usize] = match book {
        Book::Outgoing => &[1, 7],
        Book::Incoming => &[0, 4, 7],
    };
    for &i in columns {
        row[i] = format::iso_date(lang, &row[i]);
    }
    row
}

pub async fn export(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let (book, year, docs) = entries(&state, &u, &q).await?;
    Ok(csv_response(book, year, &docs))
}
