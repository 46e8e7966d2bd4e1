//! Checking the per-agency hash-chained journals (`signet journal verify`): every agency's, or
//! the one with a given code. The chain rule is `signet_core::journal`'s.

use signet_core::journal::Break;
use signet_store::directory::Agency;
use signet_store::Store;

use crate::{AppError, Invalid};

/// One agency's journal: the entries checked, or where the chain breaks.
#[derive(Debug)]
pub struct JournalCheck {
    pub agency: Agency,
    pub result: Result<usize, Break>,
}

/// Checks the journal of every agency (or of the one whose code is `only`). An unknown code
/// is `Invalid`, as is a database without agencies.
pub async fn verify_journals(
    store: &Store,
    only: Option<&str>,
) -> Result<Vec<JournalCheck>, AppError> {
    let mut checks = Vec::new();
    for agency in store.agencies().await? {
        if only.is_some_and(|c| agency.code.as_str() != c) {
            continue;
        }
        let entries = store.journal(&agency.id).await?;
        let head = store.journal_head(&agency.id).await?;
        let result = signet_core::journal::verify(agency.id.as_str(), &entries, head.as_ref());
        checks.push(JournalCheck { agency, result });
    }
    if checks.is_empty() {
        return Err(AppError::Invalid(only.map_or(Invalid::NoAgencies, |c| {
            Invalid::UnknownAgency {
                code: c.to_string(),
            }
        })));
    }
    Ok(checks)
}
