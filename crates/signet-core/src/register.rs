//! Registers and numbering (Nghị định 30 Điều 15 and 22).
//!
//! Outgoing documents are numbered per agency, per calendar year, per series, from 1 on
//! 1 January. Secret documents have their own series (Điều 15.2) and each legal-normative
//! type has its own (Điều 15.1). Incoming documents get a số đến in order of receipt within
//! the year (Điều 22.2). The counter itself lives in storage, which must hand out numbers
//! gap-free under concurrency; this module decides which counter and how to write the result.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::document::{DocumentType, Secrecy, TypeGroup};
use crate::CoreError;

/// A numbering series within an agency's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Series {
    /// Administrative documents (the agency's common series).
    Administrative,
    /// One series per legal-normative type.
    LegalNormative(DocumentType),
    /// Secret documents (mật, tối mật, tuyệt mật), outgoing.
    Secret,
    /// Incoming register (sổ văn bản đến).
    Incoming,
    /// Incoming secret documents, registered apart.
    IncomingSecret,
    /// The copies register (sổ đăng ký bản sao): one series for every copy the agency makes,
    /// whatever its form (Nghị định 30 Phụ lục I: numbered in the order copies are registered).
    Copies,
}

impl Series {
    /// The series an outgoing document is numbered in.
    pub fn for_outgoing(doc_type: DocumentType, secrecy: Secrecy) -> Self {
        if secrecy.is_secret() {
            Self::Secret
        } else if doc_type.group() == TypeGroup::LegalNormative {
            Self::LegalNormative(doc_type)
        } else {
            Self::Administrative
        }
    }

    pub fn for_incoming(secrecy: Secrecy) -> Self {
        if secrecy.is_secret() {
            Self::IncomingSecret
        } else {
            Self::Incoming
        }
    }

    /// Stable key of the counter, used in storage.
    pub fn key(self) -> String {
        match self {
            Self::Administrative => "di".to_owned(),
            Self::LegalNormative(t) => format!("di:{}", t.code()),
            Self::Secret => "di:mat".to_owned(),
            Self::Incoming => "den".to_owned(),
            Self::IncomingSecret => "den:mat".to_owned(),
            Self::Copies => "sao".to_owned(),
        }
    }
}

/// The forms of a copy (Nghị định 30 Điều 25): a full copy of the original (sao y), a copy
/// of a copy made from the original (sao lục) and a copy of part of it (trích sao).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    SaoY,
    SaoLuc,
    TrichSao,
}

impl CopyKind {
    pub const ALL: [CopyKind; 3] = [Self::SaoY, Self::SaoLuc, Self::TrichSao];

    /// Stable code, stored and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::SaoY => "sao_y",
            Self::SaoLuc => "sao_luc",
            Self::TrichSao => "trich_sao",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The abbreviation in the copy's notation (Phụ lục III): `SY`, `SL`, `TS`.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Self::SaoY => "SY",
            Self::SaoLuc => "SL",
            Self::TrichSao => "TS",
        }
    }

    /// The words of the copy form, as printed (Phụ lục I): `SAO Y`, `SAO LỤC`, `TRÍCH SAO`.
    pub fn form(self) -> &'static str {
        match self {
            Self::SaoY => "SAO Y",
            Self::SaoLuc => "SAO LỤC",
            Self::TrichSao => "TRÍCH SAO",
        }
    }

    /// Whether this form copies part of the original only.
    pub fn is_extract(self) -> bool {
        self == Self::TrichSao
    }
}

/// An abbreviation of an agency or a unit in a notation, e.g. `UBND`, `VP`, `STTTT`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Abbreviation(String);

impl Abbreviation {
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        let n = s.chars().count();
        if (1..=20).contains(&n) && s.chars().all(char::is_alphanumeric) {
            Ok(Self(s.to_owned()))
        } else {
            Err(CoreError::InvalidAbbreviation(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Abbreviation {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, CoreError> {
        Self::parse(&s)
    }
}

impl From<Abbreviation> for String {
    fn from(a: Abbreviation) -> String {
        a.0
    }
}

/// Number and notation (số, ký hiệu), e.g. `12/QĐ-UBND` or `15/UBND-VP`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Notation {
    /// The number (edXML `CodeNumber`).
    pub number: u32,
    /// The part after the slash (edXML `CodeNotation`), e.g. `QĐ-UBND`.
    pub code: String,
}

impl Notation {
    /// Builds the notation the Nghị định 30 way: `{số}/{type}-{issuer}` for a typed document,
    /// `{số}/{issuer}-{drafting unit}` for công văn and thư công (issuer alone if no unit).
    pub fn build(
        number: u32,
        doc_type: DocumentType,
        issuer: &Abbreviation,
        drafting_unit: Option<&Abbreviation>,
    ) -> Result<Self, CoreError> {
        if number == 0 {
            return Err(CoreError::InvalidNumber);
        }
        let code = match (doc_type.abbreviation(), drafting_unit) {
            (Some(abbr), _) => format!("{abbr}-{}", issuer.as_str()),
            (None, Some(unit)) => format!("{}-{}", issuer.as_str(), unit.as_str()),
            (None, None) => issuer.as_str().to_owned(),
        };
        Ok(Self { number, code })
    }
}

impl Notation {
    /// A copy's number and notation: `{số}/{SY|SL|TS}-{copying agency}`, e.g. `5/SY-UBND`.
    pub fn for_copy(number: u32, kind: CopyKind, issuer: &Abbreviation) -> Result<Self, CoreError> {
        if number == 0 {
            return Err(CoreError::InvalidNumber);
        }
        Ok(Self {
            number,
            code: format!("{}-{}", kind.abbreviation(), issuer.as_str()),
        })
    }
}

impl fmt::Display for Notation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number, self.code)
    }
}

/// The identity of one counter: agency, calendar year and series. A new year starts a new
/// counter, so numbering restarts at 1 on 1 January without any reset job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CounterKey {
    pub agency_id: String,
    pub year: i32,
    pub series: String,
}

impl CounterKey {
    pub fn new(agency_id: &str, year: i32, series: Series) -> Self {
        Self {
            agency_id: agency_id.to_owned(),
            year,
            series: series.key(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn abbr(s: &str) -> Abbreviation {
        Abbreviation::parse(s).unwrap()
    }

    #[test]
    fn notation_examples_from_the_decree() {
        let n = Notation::build(12, DocumentType::QuyetDinh, &abbr("UBND"), None).unwrap();
        assert_eq!(n.to_string(), "12/QĐ-UBND");
        let n =
            Notation::build(15, DocumentType::CongVan, &abbr("UBND"), Some(&abbr("VP"))).unwrap();
        assert_eq!(n.to_string(), "15/UBND-VP");
        assert_eq!(n.code, "UBND-VP");
        let n =
            Notation::build(7, DocumentType::ToTrinh, &abbr("STTTT"), Some(&abbr("VP"))).unwrap();
        assert_eq!(n.to_string(), "7/TTr-STTTT");
    }

    #[test]
    fn copies_have_their_own_series_and_notation() {
        let n = Notation::for_copy(5, CopyKind::SaoY, &abbr("UBND")).unwrap();
        assert_eq!(n.to_string(), "5/SY-UBND");
        let n = Notation::for_copy(6, CopyKind::TrichSao, &abbr("UBND")).unwrap();
        assert_eq!(n.to_string(), "6/TS-UBND");
        assert_eq!(CopyKind::parse("sao_luc"), Some(CopyKind::SaoLuc));
        assert_eq!(CopyKind::SaoLuc.form(), "SAO LỤC");
        assert_eq!(CopyKind::parse("SY"), None);
        assert_ne!(Series::Copies.key(), Series::Administrative.key());
        assert!(Notation::for_copy(0, CopyKind::SaoY, &abbr("UBND")).is_err());
    }

    #[test]
    fn zero_is_not_a_number() {
        assert_eq!(
            Notation::build(0, DocumentType::QuyetDinh, &abbr("UBND"), None),
            Err(CoreError::InvalidNumber)
        );
    }

    #[test]
    fn series_selection() {
        use DocumentType::*;
        assert_eq!(
            Series::for_outgoing(QuyetDinh, Secrecy::None),
            Series::Administrative
        );
        assert_eq!(
            Series::for_outgoing(CongVan, Secrecy::Secret),
            Series::Secret
        );
        assert_eq!(
            Series::for_outgoing(QuyetDinhQppl, Secrecy::None),
            Series::LegalNormative(QuyetDinhQppl)
        );
        assert_ne!(
            Series::for_outgoing(QuyetDinhQppl, Secrecy::None).key(),
            Series::for_outgoing(NghiQuyetQppl, Secrecy::None).key()
        );
        assert_eq!(Series::for_incoming(Secrecy::None), Series::Incoming);
    }

    fn any_type() -> impl Strategy<Value = DocumentType> {
        proptest::sample::select(DocumentType::ALL.to_vec())
    }

    proptest! {
        /// The notation always starts with the number and a slash, and its code part never
        /// contains a slash, so `số` and `ký hiệu` can be split back apart (edXML does).
        #[test]
        fn notation_splits_back(n in 1u32..1_000_000, t in any_type(),
                                issuer in "[A-ZĐ]{1,10}", unit in proptest::option::of("[A-ZĐ]{1,6}")) {
            let issuer = abbr(&issuer);
            let unit = unit.map(|u| abbr(&u));
            let notation = Notation::build(n, t, &issuer, unit.as_ref()).unwrap();
            let text = notation.to_string();
            let (num, code) = text.split_once('/').unwrap();
            prop_assert_eq!(num.parse::<u32>().unwrap(), n);
            prop_assert!(!code.contains('/'));
            prop_assert!(code.contains(issuer.as_str()));
            prop_assert!(code.chars().count() <= crate::document::limits::CODE_NOTATION);
        }

        /// Distinct numbers in one series always give distinct notations.
        #[test]
        fn distinct_numbers_distinct_notations(a in 1u32..100_000, b in 1u32..100_000, t in any_type()) {
            prop_assume!(a != b);
            let issuer = abbr("UBND");
            let x = Notation::build(a, t, &issuer, Some(&abbr("VP"))).unwrap();
            let y = Notation::build(b, t, &issuer, Some(&abbr("VP"))).unwrap();
            prop_assert_ne!(x.to_string(), y.to_string());
        }

        #[test]
        fn abbreviation_rejects_separators(s in "[A-Z]{0,5}[-/ ][A-Z]{0,5}") {
            prop_assert!(Abbreviation::parse(&s).is_err());
        }
    }
}
