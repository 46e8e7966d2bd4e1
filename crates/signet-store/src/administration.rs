//! What an administrator changes after a person or a unit exists: particulars, roles, unit,
//! password, sessions; a unit's name and place in the agency. Every change is journaled in
//! the agency's chain, in the transaction that makes it.

use std::collections::HashMap;

use signet_core::ids::{AgencyId, PersonId, UnitId};
use signet_core::Role;

use crate::directory::{person_from_row, roles_to_text, Person, PERSON_COLUMNS};
use crate::journal::details::{
    entry, PasswordChanged, PasswordReset, PersonUpdated, SessionsEnded, UnitUpdated,
};
use crate::journal::{append_and_commit, claim_head};
use crate::sessions::token_hash;
use crate::sql::RowExt;
use crate::{Store, StoreError, Tx};

/// A person's particulars as an administrator sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEdit {
    pub full_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub unit_id: Option<UnitId>,
    pub roles: Vec<Role>,
}

/// A unit's name, abbreviation and parent as an administrator sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitEdit {
    pub name: String,
    pub abbreviation: String,
    pub parent_id: Option<UnitId>,
}

/// What became of a unit change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitSaved {
    Saved,
    /// The new parent is the unit itself or lies below it: refused, nothing written.
    WouldCycle,
}

/// Which of a person's sessions to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sessions<'a> {
    All,
    /// One session, by the hash of its token (the id an administrator's page shows).
    One(&'a str),
}

/// The codes of the fields `edit` changes in `p`.
fn changed_fields(p: &Person, edit: &PersonEdit) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (code, changed) in [
        ("full_name", p.full_name != edit.full_name),
        ("title", p.title != edit.title),
        ("email", p.email != edit.email),
        ("phone", p.phone != edit.phone),
        ("unit", p.unit_id != edit.unit_id),
        ("roles", p.roles != edit.roles),
    ] {
        if changed {
            out.push(code);
        }
    }
    out
}

async fn person_in(tx: &mut Tx, agency_id: &AgencyId, id: &PersonId) -> Result<Person, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE id = $1 AND agency_id = $2"
    ))
    .bind(id.as_str())
    .bind(agency_id.as_str())
    .fetch_one(&mut **tx)
    .await?;
    person_from_row(&row)
}

async fn delete_sessions(
    tx: &mut Tx,
    id: &PersonId,
    which: Sessions<'_>,
) -> Result<u64, StoreError> {
    let done = match which {
        Sessions::All => {
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?
        }
        Sessions::One(hash) => {
            sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash = $2")
                .bind(id.as_str())
                .bind(hash)
                .execute(&mut **tx)
                .await?
        }
    };
    Ok(done.rows_affected())
}

/// Every unit of the agency with its parent, read in the transaction.
async fn unit_parents(
    tx: &mut Tx,
    agency_id: &AgencyId,
) -> Result<HashMap<UnitId, Option<UnitId>>, StoreError> {
    let rows = sqlx::query("SELECT id, parent_id FROM units WHERE agency_id = $1")
        .bind(agency_id.as_str())
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| Ok((r.id("id")?, r.opt_id("parent_id")?)))
        .collect()
}

/// Whether putting `unit` under `parent` would make a unit its own ancestor.
pub fn would_cycle(
    parents: &HashMap<UnitId, Option<UnitId>>,
    unit: &UnitId,
    parent: Option<&UnitId>,
) -> bool {
    let mut next = parent.cloned();
    let mut steps = 0;
    while let Some(p) = next {
        if &p == unit || steps > parents.len() {
            return true;
        }
        steps += 1;
        next = parents.get(&p).cloned().flatten();
    }
    false
}

impl Store {
    /// Sets a person's particulars, roles and unit. Nothing changed: nothing journaled.
    pub async fn update_person(
        &self,
        agency_id: &AgencyId,
        id: &PersonId,
        edit: &PersonEdit,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<Person, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let before = person_in(&mut tx, agency_id, id).await?;
        let changed = changed_fields(&before, edit);
        if changed.is_empty() {
            return Ok(before);
        }
        let roles = roles_to_text(&edit.roles);
        sqlx::query(
            "UPDATE people SET full_name = $1, title = $2, email = $3, phone = $4, unit_id = $5, \
             roles = $6 WHERE id = $7 AND agency_id = $8",
        )
        .bind(&edit.full_name)
        .bind(&edit.title)
        .bind(&edit.email)
        .bind(&edit.phone)
        .bind(edit.unit_id.as_ref().map(UnitId::as_str))
        .bind(&roles)
        .bind(id.as_str())
        .bind(agency_id.as_str())
        .execute(&mut *tx)
        .await?;
        let action = PersonUpdated {
            changed: &changed.join(","),
            roles: &roles,
            unit: edit.unit_id.as_ref().map_or("", UnitId::as_str),
        };
        let entry = entry(at_ms, actor.as_ref(), id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, entry).await?;
        Ok(Person {
            full_name: edit.full_name.clone(),
            title: edit.title.clone(),
            email: edit.email.clone(),
            phone: edit.phone.clone(),
            unit_id: edit.unit_id.clone(),
            roles: edit.roles.clone(),
            ..before
        })
    }

    /// Replaces a person's password by one an administrator gives them, to be changed at
    /// the next sign-in, and ends every session they have: whoever knew the old password
    /// or held a session is out. Returns how many sessions ended.
    pub async fn reset_password(
        &self,
        agency_id: &AgencyId,
        id: &PersonId,
        password_hash: &str,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query(
            "UPDATE people SET password_hash = $1, must_change_password = 1 \
             WHERE id = $2 AND agency_id = $3",
        )
        .bind(password_hash)
        .bind(id.as_str())
        .bind(agency_id.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let sessions = delete_sessions(&mut tx, id, Sessions::All).await?;
        let action = PasswordReset {
            how: "temporary_password",
            sessions,
        };
        let entry = entry(at_ms, actor.as_ref(), id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, entry).await?;
        Ok(sessions)
    }

    /// The person's own new password; every other session of theirs ends, the one they
    /// changed it in (`current_token`) goes on.
    pub async fn change_own_password(
        &self,
        agency_id: &AgencyId,
        id: &PersonId,
        password_hash: &str,
        current_token: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query(
            "UPDATE people SET password_hash = $1, must_change_password = 0 \
             WHERE id = $2 AND agency_id = $3",
        )
        .bind(password_hash)
        .bind(id.as_str())
        .bind(agency_id.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let others = sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
            .bind(id.as_str())
            .bind(token_hash(current_token))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let action = PasswordChanged {
            by: "self",
            sessions: others,
        };
        let entry = entry(at_ms, id.as_str(), id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, entry).await
    }

    /// Ends one or all sessions of a person of the agency. Returns how many ended.
    pub async fn end_sessions(
        &self,
        agency_id: &AgencyId,
        id: &PersonId,
        which: Sessions<'_>,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        person_in(&mut tx, agency_id, id).await?;
        let sessions = delete_sessions(&mut tx, id, which).await?;
        let action = SessionsEnded {
            which: match which {
                Sessions::All => "all",
                Sessions::One(_) => "one",
            },
            sessions,
        };
        let entry = entry(at_ms, actor.as_ref(), id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, entry).await?;
        Ok(sessions)
    }

    /// Renames a unit and puts it under `parent_id` (or at the top). The cycle check reads
    /// the units inside the transaction, after the agency's journal head is claimed, so two
    /// administrators moving units at once cannot build a cycle between them.
    pub async fn update_unit(
        &self,
        agency_id: &AgencyId,
        id: &UnitId,
        edit: &UnitEdit,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<UnitSaved, StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let parents = unit_parents(&mut tx, agency_id).await?;
        if !parents.contains_key(id) {
            return Err(StoreError::NotFound);
        }
        if let Some(p) = &edit.parent_id {
            if !parents.contains_key(p) {
                return Err(StoreError::NotFound);
            }
        }
        if would_cycle(&parents, id, edit.parent_id.as_ref()) {
            return Ok(UnitSaved::WouldCycle);
        }
        sqlx::query(
            "UPDATE units SET name = $1, abbreviation = $2, parent_id = $3 \
             WHERE id = $4 AND agency_id = $5",
        )
        .bind(&edit.name)
        .bind(&edit.abbreviation)
        .bind(edit.parent_id.as_ref().map(UnitId::as_str))
        .bind(id.as_str())
        .bind(agency_id.as_str())
        .execute(&mut *tx)
        .await?;
        let action = UnitUpdated {
            name: &edit.name,
            abbreviation: &edit.abbreviation,
            parent: edit.parent_id.as_ref().map_or("", UnitId::as_str),
        };
        let entry = entry(at_ms, actor.as_ref(), id.as_str(), &action)?;
        append_and_commit(tx, agency_id, &mut head, entry).await?;
        Ok(UnitSaved::Saved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles() {
        let u = |s: &str| UnitId::from(s);
        let parents = HashMap::from([
            (u("a"), None),
            (u("b"), Some(u("a"))),
            (u("c"), Some(u("b"))),
        ]);
        assert!(
            would_cycle(&parents, &u("a"), Some(&u("c"))),
            "a under its grandchild"
        );
        assert!(
            would_cycle(&parents, &u("b"), Some(&u("b"))),
            "under itself"
        );
        assert!(!would_cycle(&parents, &u("c"), Some(&u("a"))));
        assert!(!would_cycle(&parents, &u("b"), None));
    }
}
