//! Forms that respect the person (issue 13 §3): a refused form comes back as the form
//! itself, with everything typed in it kept and the problem worded beside the field it is
//! about, in the person's language only.

use std::collections::HashMap;

use axum::http::StatusCode;
use signet_app::{AppError, Invalid};
use signet_core::CoreError;

use crate::i18n::Lang;

/// What the person typed, by field name (the first value of each).
#[derive(Debug, Clone, Default)]
pub struct Values(HashMap<String, String>);

impl Values {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut map = HashMap::new();
        for (k, v) in pairs {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Self(map)
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }

    /// The value typed in `name`, or nothing.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

/// A refused form's problem: the message, and the field it is about when there is one.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    pub message: String,
    pub field: Option<&'static str>,
    pub status: u16,
}

impl Problem {
    /// The message for `field`, if the problem is about it.
    pub fn at(&self, field: &str) -> Option<&str> {
        (self.field == Some(field)).then_some(self.message.as_str())
    }

    /// Whether the problem is about no field of the form (shown above the form).
    pub fn general(&self) -> Option<&str> {
        self.field.is_none().then_some(self.message.as_str())
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
    }
}

/// The problem's message beside `field`, as HTML (escaped here; the template marks it
/// safe), or nothing when the problem is not about that field.
pub fn beside(problem: &Option<Problem>, field: &str) -> String {
    match problem.as_ref().and_then(|p| p.at(field)) {
        Some(m) => format!(
            "<p class=\"field-error\" id=\"{field}-problem\" role=\"alert\">{}</p>",
            escape(m)
        ),
        None => String::new(),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a refusal is about what was typed (the form comes back) rather than about who
/// asks or the state of things (an error page).
pub fn is_about_input(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid(_) | AppError::Rule(_) | AppError::TooLarge { .. }
    ) && !matches!(e, AppError::Rule(CoreError::WrongState { .. }))
}

/// The problem to show on the form when a refusal is about what was typed
/// ([`is_about_input`]); `None` when it is about who asks or the state of things, which an
/// error page shows.
pub fn input_problem(
    e: &AppError,
    lang: Lang,
    aliases: &[(&'static str, &'static str)],
) -> Option<Problem> {
    is_about_input(e).then(|| problem(e, lang, aliases))
}

/// The form field an error is about, as the forms name their inputs. `aliases` renames the
/// codes a use case gives to a form's own names (`unit_id` on one form, `drafting_unit_id`
/// on another).
pub fn field_of(e: &AppError, aliases: &[(&'static str, &'static str)]) -> Option<&'static str> {
    let code = match e {
        AppError::Rule(
            CoreError::Required { field }
            | CoreError::TooLong { field, .. }
            | CoreError::NulCharacter { field },
        ) => Some(*field),
        AppError::Rule(CoreError::UnknownDocumentType(_)) => Some("doc_type"),
        AppError::Rule(CoreError::UnknownUrgency(_)) => Some("urgency"),
        AppError::Rule(CoreError::UnknownSecrecy(_)) => Some("secrecy"),
        AppError::Rule(CoreError::UnknownRole(_)) => Some("roles"),
        AppError::Rule(CoreError::InvalidAgencyCode(_)) => Some("code"),
        AppError::Rule(CoreError::InvalidAbbreviation(_)) => Some("abbreviation"),
        AppError::Invalid(i) => invalid_field(i),
        AppError::TooLarge { .. } => Some("file"),
        _ => None,
    }?;
    Some(
        aliases
            .iter()
            .find(|(from, _)| *from == code)
            .map_or(code, |(_, to)| *to),
    )
}

fn invalid_field(i: &Invalid) -> Option<&'static str> {
    Some(match i {
        Invalid::Date { field, .. }
        | Invalid::DateTime { field, .. }
        | Invalid::DateOutOfRange { field, .. }
        | Invalid::OneOf { field, .. } => field,
        Invalid::Pages { .. } => "pages",
        Invalid::UnknownUnit => "unit_id",
        Invalid::Username => "username",
        Invalid::PasswordTooShort { .. } => "password",
        Invalid::RoleRequired | Invalid::OwnAdministration => "roles",
        Invalid::Phone => "phone",
        Invalid::CurrentPassword => "current",
        Invalid::PasswordMismatch | Invalid::PasswordUnchanged => "repeat",
        Invalid::UnitCycle => "parent_id",
        Invalid::CopyPages { .. } => "pages",
        Invalid::CopyRecipients | Invalid::ExchangeRecipient { .. } => "recipients",
        Invalid::CopyNeedsScan
        | Invalid::ScanNoImage { .. }
        | Invalid::ScanResolution { .. }
        | Invalid::ScanColour { .. } => "scan",
        Invalid::RouteSigner => "signer_id",
        Invalid::ReturnReason { .. } => "reason",
        Invalid::ForwardTo => "forward_to",
        Invalid::TooManyHandlers { .. } => "co",
        Invalid::WorkingDays { .. } => "working_days",
        Invalid::DeadlineRequired
        | Invalid::DeadlineInPast { .. }
        | Invalid::ExtensionNotLater { .. } => "deadline",
        Invalid::OutsideUnit => "person_id",
        Invalid::ReplyUnknown => "reply_document_id",
        Invalid::LeaderUnknown => "leader",
        Invalid::RemotePin { .. } | Invalid::RemoteLocked => "pin",
        Invalid::AgencyNameTaken { .. } => "name",
        Invalid::MeetingInPast { .. } => "starts_at",
        Invalid::MeetingEnds { .. } => "ends_at",
        Invalid::ParticipantRequired | Invalid::ForeignParticipant { .. } => "participants",
        Invalid::Year { .. } => "year",
        Invalid::HolderUnknown | Invalid::HolderDisabled => "holder_id",
        Invalid::CsrTooLarge { .. } => "csr",
        Invalid::WebhookUrl { .. } => "url",
        Invalid::WebhookEvents { .. } => "events",
        Invalid::EmptyFile
        | Invalid::FileRequired
        | Invalid::FileNameMissing
        | Invalid::FileTypeMismatch { .. }
        | Invalid::FileTypeRefused { .. }
        | Invalid::TooManyFiles { .. } => "file",
        _ => return None,
    })
}

/// The problem to show on a form refused with `e`.
pub fn problem(e: &AppError, lang: Lang, aliases: &[(&'static str, &'static str)]) -> Problem {
    Problem {
        message: crate::error::page_message(e, lang),
        field: field_of(e, aliases),
        status: crate::error::status_of(e).as_u16(),
    }
}

/// A urlencoded form as its pairs, in order: repeated keys (a multiple select) kept.
pub type Fields = Vec<(String, String)>;

/// A refused form of a page that carries several (the document page): which form, by its
/// element id, what was typed in it, and the problem. The page comes back with that form
/// filled as it was sent and the problem beside the field, and a notice at the top that
/// links down to it (the page is long; the person must see at once that nothing was done).
#[derive(Debug, Clone, Default)]
pub struct Refused {
    form: &'static str,
    typed: Fields,
    problem: Option<Problem>,
}

impl Refused {
    /// No form was refused: the page as it is.
    pub fn none() -> Self {
        Self::default()
    }

    pub fn new(form: &'static str, typed: Fields, problem: Problem) -> Self {
        Self {
            form,
            typed,
            problem: Some(problem),
        }
    }

    fn of(&self, form: &str) -> Option<&Problem> {
        self.problem.as_ref().filter(|_| self.form == form)
    }

    /// What was typed in `name` of `form`, when that form was refused; "" otherwise.
    pub fn value(&self, form: &str, name: &str) -> &str {
        match self.of(form) {
            Some(_) => field(&self.typed, name),
            None => "",
        }
    }

    /// Whether `value` was chosen in `name` (a select, a radio) of the refused `form`.
    pub fn chose(&self, form: &str, name: &str, value: &str) -> bool {
        self.of(form).is_some() && self.typed.iter().any(|(k, v)| k == name && v == value)
    }

    /// [`Self::chose`] for the route form's numbered levels (`level1`, `level2`…).
    pub fn chose_at_level(&self, form: &str, level: impl std::fmt::Display, value: &str) -> bool {
        self.chose(form, &format!("level{level}"), value)
    }

    /// Whether `form` is the one refused (its inputs show what was typed, not what is stored).
    pub fn is(&self, form: &str) -> bool {
        self.of(form).is_some()
    }

    /// The problem beside `name` of `form`, as HTML (escaped here), or nothing.
    pub fn beside(&self, form: &str, name: &str) -> String {
        beside(&self.of(form).cloned(), name)
    }

    /// A problem of `form` about none of its fields, shown above the form's fields.
    pub fn general(&self, form: &str) -> String {
        match self.of(form).and_then(Problem::general) {
            Some(m) => format!("<p class=\"field-error\" role=\"alert\">{}</p>", escape(m)),
            None => String::new(),
        }
    }

    /// The notice at the top of the page: what went wrong, linking down to the form.
    pub fn notice(&self, lang: &Lang) -> String {
        let Some(p) = &self.problem else {
            return String::new();
        };
        let lead = match *lang {
            Lang::Vi => "Chưa thực hiện được",
            Lang::En => "Not done",
        };
        format!(
            "<p class=\"error\" role=\"alert\" id=\"form-problem\"><a href=\"#{}\">{lead}: {}</a></p>",
            self.form,
            escape(&p.message)
        )
    }

    pub fn status(&self) -> StatusCode {
        self.problem
            .as_ref()
            .map_or(StatusCode::OK, Problem::status)
    }
}

/// The first value of `name`, or "".
pub fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Every value of `name`, in order.
pub fn all(f: &Fields, name: &str) -> Vec<String> {
    f.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_their_fields_in_vietnamese() {
        let e = AppError::Rule(CoreError::Required { field: "subject" });
        let p = problem(&e, Lang::Vi, &[]);
        assert_eq!(p.at("subject"), Some(p.message.as_str()));
        assert!(p.message.contains("Trích yếu"), "{}", p.message);
        assert!(!p.message.contains("subject"), "{}", p.message);
        let e = AppError::Invalid(Invalid::UnknownUnit);
        assert_eq!(
            field_of(&e, &[("unit_id", "drafting_unit_id")]),
            Some("drafting_unit_id")
        );
        assert!(!is_about_input(&AppError::Forbidden("x")));
        assert!(input_problem(&AppError::Forbidden("x"), Lang::Vi, &[]).is_none());
        let p = input_problem(&e, Lang::Vi, &[("unit_id", "unit")]).expect("about the input");
        assert_eq!(p.field, Some("unit"));
    }
}
