//! The two leaf profiles and who a leaf certificate is for.

use serde::{Deserialize, Serialize};
use time::Duration;

/// Validity of a person's certificate.
pub const PERSON_VALIDITY: Duration = Duration::days(2 * 365);
/// Validity of an organization (seal) certificate.
pub const ORGANIZATION_VALIDITY: Duration = Duration::days(3 * 365);

/// The two leaf profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// A person (cá nhân): an official who signs.
    Person,
    /// An organization (tổ chức): the agency seal used by the clerk.
    Organization,
}

/// Who a leaf certificate is for. Fields not used by a profile are ignored.
#[derive(Clone, Debug, Default)]
pub struct Subject {
    /// Person: full name with diacritics ("Nguyễn Thị Minh Khai"). Organization: the agency name.
    pub name: String,
    /// The agency's name (O). Empty: the agency code is used.
    pub agency_name: String,
    /// The agency identifier code (mã định danh).
    pub agency_code: String,
    /// The unit (OU) of a person.
    pub unit: Option<String>,
    /// The title (chức vụ) of a person.
    pub title: Option<String>,
    /// An e-mail address (emailAddress in the subject and rfc822Name in the SAN).
    pub email: Option<String>,
}
