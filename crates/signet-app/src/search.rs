//! Search across incoming and outgoing documents (issue 10 §6): the form as typed, checked
//! and turned into the store's filter. The agency and the secrecy rule come from the viewer,
//! never from the form.

use signet_core::document::Direction;
use signet_core::ids::{PersonId, UnitId};
use signet_core::lifecycle::{IncomingState, OutgoingState};
use signet_core::person::Viewer;
use signet_store::documents::{Cursor, Page, SearchFilter};

use crate::clock::{parse_date, VIETNAM};
use crate::{App, AppError, Invalid};

/// Longer searches are refused: nothing a clerk types is longer, and the query stays small.
const MAX_QUERY_CHARS: usize = 200;

/// The search as it comes from the page or the API: text fields, empty when not given.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    pub q: String,
    /// `incoming`, `outgoing` or empty for both.
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub state: String,
    /// `YYYY-MM-DD`, Vietnam time, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub handler: String,
    #[serde(default)]
    pub after: String,
}

fn given(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// An id as the store writes them: 1 to 64 ASCII letters and digits.
fn id_field(field: &'static str, s: &str) -> Result<Option<String>, AppError> {
    let Some(s) = given(s) else { return Ok(None) };
    if s.len() > 64 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::Invalid(Invalid::OneOf {
            field,
            allowed: "an id from this agency".into(),
        }));
    }
    Ok(Some(s.to_owned()))
}

/// The first millisecond of a Vietnam day, `days` days after `s`.
fn day_start_ms(field: &'static str, s: &str, days: i64) -> Result<i64, AppError> {
    let date = parse_date(s).ok_or_else(|| {
        AppError::Invalid(Invalid::Date {
            field,
            value: s.to_owned(),
        })
    })?;
    let start = date.midnight().assume_offset(VIETNAM) + time::Duration::days(days);
    Ok((start.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn state_code(s: &str) -> Result<String, AppError> {
    let known = OutgoingState::ALL.iter().any(|o| o.code() == s)
        || IncomingState::ALL.iter().any(|i| i.code() == s);
    if !known {
        let all: Vec<&str> = OutgoingState::ALL
            .iter()
            .map(|o| o.code())
            .chain(IncomingState::ALL.iter().map(|i| i.code()))
            .collect();
        return Err(AppError::Invalid(Invalid::OneOf {
            field: "state",
            allowed: all.join(", "),
        }));
    }
    Ok(s.to_owned())
}

impl SearchForm {
    /// The store's filter; a value that cannot be understood is refused, never ignored.
    pub fn filter(&self, limit: u32) -> Result<SearchFilter, AppError> {
        if self.q.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::Invalid(Invalid::FieldTooLong));
        }
        if self.q.contains('\0') {
            return Err(AppError::Invalid(Invalid::NulCharacter));
        }
        let direction = match given(&self.direction) {
            None => None,
            Some(d) => Some(Direction::parse(d).ok_or_else(|| {
                AppError::Invalid(Invalid::OneOf {
                    field: "direction",
                    allowed: "incoming, outgoing".into(),
                })
            })?),
        };
        let from_ms = given(&self.from)
            .map(|d| day_start_ms("from", d, 0))
            .transpose()?;
        let to_ms = given(&self.to)
            .map(|d| day_start_ms("to", d, 1))
            .transpose()?;
        if let (Some(from), Some(to)) = (from_ms, to_ms) {
            if to <= from {
                return Err(AppError::Invalid(Invalid::Date {
                    field: "to",
                    value: format!("{} is before {}", self.to.trim(), self.from.trim()),
                }));
            }
        }
        Ok(SearchFilter {
            text: self.q.clone(),
            direction,
            state: given(&self.state).map(state_code).transpose()?,
            from_ms,
            to_ms,
            unit: id_field("unit", &self.unit)?.map(UnitId::new),
            handler: id_field("handler", &self.handler)?.map(PersonId::new),
            after: given(&self.after)
                .map(|c| Cursor::decode(c).ok_or(AppError::Invalid(Invalid::Cursor)))
                .transpose()?,
            limit,
        })
    }
}

impl App {
    /// Documents of the viewer's agency matching the search, newest first, a page at a time.
    pub async fn search(
        &self,
        viewer: &Viewer,
        form: &SearchForm,
        limit: u32,
    ) -> Result<Page, AppError> {
        let filter = form.filter(limit)?;
        Ok(self.store.search(viewer, &filter).await?)
    }
}

/// What the search form offers to filter by: the agency's units and people, by name.
pub struct SearchChoices {
    pub units: Vec<(UnitId, String)>,
    pub people: Vec<(PersonId, String)>,
}

impl App {
    /// The viewer's own agency's units and active people, for the search form's filters.
    pub async fn search_choices(&self, viewer: &Viewer) -> Result<SearchChoices, AppError> {
        let units = self.store.units(&viewer.agency_id).await?;
        let people = self.store.people(&viewer.agency_id).await?;
        Ok(SearchChoices {
            units: units.into_iter().map(|u| (u.id, u.name)).collect(),
            people: people
                .into_iter()
                .filter(|p| p.active)
                .map(|p| (p.id, p.full_name))
                .collect(),
        })
    }
}
