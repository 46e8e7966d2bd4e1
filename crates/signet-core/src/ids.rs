//! The identifiers of stored things, one type each, so a person's id cannot be passed where a
//! document's is expected.
//!
//! An id is opaque text (the store makes 32 hex digits; older or imported rows may differ), so
//! the types check nothing about its shape: they only keep ids of different things apart. The
//! storage layer reads and binds them as text (`as_str`, `From<String>`); this crate does not
//! depend on the database.

use std::fmt;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    )*};
}

ids! {
    /// A document (văn bản), outgoing or incoming.
    DocumentId;
    /// An agency (cơ quan, tổ chức): the scope of every read and of the journal.
    AgencyId;
    /// A person with an account in an agency.
    PersonId;
    /// A unit (đơn vị) inside an agency, e.g. the drafting unit of a document.
    UnitId;
    /// A file attached to a document.
    FileId;
    /// A certificate in the agency's certificate register.
    CertificateId;
    /// A work dossier (hồ sơ công việc).
    DossierId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_plain_text() {
        let id = DocumentId::new("abc");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"abc\"");
        let back: DocumentId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(back, id);
        assert_eq!(id.to_string(), "abc");
        assert_eq!(id, "abc");
    }
}
