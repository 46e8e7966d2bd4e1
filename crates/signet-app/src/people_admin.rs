//! An administrator at work on the people of their agency: the list (search, paging), a
//! person's particulars, roles and unit, a temporary password, their sessions; and a
//! person changing their own password. Everything is within the administrator's agency: a
//! person of another agency is "not found".

use signet_core::person::Viewer;
use signet_core::register::Abbreviation;
use signet_core::{PersonId, Role, UnitId};
use signet_store::administration::{PersonEdit, Sessions, UnitEdit, UnitSaved};
use signet_store::directory::{Person, Unit};
use signet_store::sessions::SessionInfo;

use crate::admin::require_admin;
use crate::auth::{check_password_policy, hash_password, verify_password, SignedIn};
use crate::{App, AppError, Invalid};

/// People per page of the administrator's list.
pub const PEOPLE_PER_PAGE: usize = 50;

/// A person's particulars as the edit form sends them.
#[derive(Debug, Clone, Default)]
pub struct PersonEditForm {
    pub full_name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub unit_id: String,
    pub roles: Vec<String>,
}

/// One page of the people list.
#[derive(Debug, Clone)]
pub struct PeoplePage {
    pub people: Vec<Person>,
    /// How many match the search in all.
    pub total: usize,
    /// The page shown, from 1.
    pub page: usize,
    pub pages: usize,
}

/// What a password reset gives the administrator to hand over: shown once, never stored.
#[derive(Debug, Clone)]
pub struct TemporaryPassword {
    pub password: String,
    pub sessions_ended: u64,
}

/// Letters and digits that cannot be misread for one another when read out or copied from
/// paper (no 0/O, 1/l/I).
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn temporary_password() -> Result<String, AppError> {
    let mut bytes = [0u8; 14];
    crate::random::fill(&mut bytes).map_err(|detail| Invalid::Hashing { detail })?;
    // 256 is not a multiple of the alphabet's 56 letters: the bias is below 2^-2 per
    // letter of a 14-letter one-time password that must be changed at first use.
    let letters: String = bytes
        .iter()
        .map(|b| {
            let i = usize::from(*b) % PASSWORD_ALPHABET.len();
            char::from(PASSWORD_ALPHABET.get(i).copied().unwrap_or(b'x'))
        })
        .collect();
    Ok(format!("{}-{}", &letters[..7], &letters[7..]))
}

fn check_phone(phone: &str) -> Result<(), AppError> {
    let ok = phone.chars().count() <= 20
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Invalid::Phone.into())
    }
}

/// Whether `p` matches every word of `folded` (the query folded: no case, no marks).
fn matches(p: &Person, unit: Option<&Unit>, folded: &str) -> bool {
    let hay = signet_core::text::fold(&format!(
        "{} {} {} {} {} {}",
        p.full_name,
        p.username,
        p.title,
        p.email,
        p.phone,
        unit.map_or("", |u| u.name.as_str())
    ));
    folded.split_whitespace().all(|w| hay.contains(w))
}

impl App {
    /// The people of the administrator's agency matching `query` (words of a name,
    /// username, title, e-mail, phone or unit, without marks), a page at a time. An agency
    /// has hundreds of people, not millions: they are read and filtered here, which lets
    /// the search ignore Vietnamese marks the same way on both databases.
    pub async fn people_page(
        &self,
        viewer: &Viewer,
        query: &str,
        page: usize,
    ) -> Result<PeoplePage, AppError> {
        require_admin(viewer)?;
        let units = self.store.units(&viewer.agency_id).await?;
        let folded = signet_core::text::fold(query.trim());
        let matching: Vec<Person> = self
            .store
            .people(&viewer.agency_id)
            .await?
            .into_iter()
            .filter(|p| {
                let unit = p
                    .unit_id
                    .as_ref()
                    .and_then(|id| units.iter().find(|u| &u.id == id));
                matches(p, unit, &folded)
            })
            .collect();
        let total = matching.len();
        let pages = total.div_ceil(PEOPLE_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let people = matching
            .into_iter()
            .skip((page - 1) * PEOPLE_PER_PAGE)
            .take(PEOPLE_PER_PAGE)
            .collect();
        Ok(PeoplePage {
            people,
            total,
            page,
            pages,
        })
    }

    /// A person of the administrator's agency.
    pub async fn person_for_admin(
        &self,
        viewer: &Viewer,
        id: &PersonId,
    ) -> Result<Person, AppError> {
        require_admin(viewer)?;
        let p = self.store.person(id).await?;
        if p.agency_id != viewer.agency_id {
            return Err(AppError::NotFound);
        }
        Ok(p)
    }

    /// Sets a person's name, title, e-mail, phone, unit and roles.
    pub async fn edit_person(
        &self,
        viewer: &Viewer,
        id: &PersonId,
        form: &PersonEditForm,
    ) -> Result<Person, AppError> {
        require_admin(viewer)?;
        use signet_core::document::{check_optional_text, check_text, limits};
        check_text("full_name", &form.full_name, limits::SIGNER_NAME)?;
        check_optional_text("title", form.title.trim(), limits::PERSON_TITLE)?;
        check_optional_text("email", form.email.trim(), limits::EMAIL)?;
        check_phone(form.phone.trim())?;
        let roles = form
            .roles
            .iter()
            .map(|r| Role::parse(r))
            .collect::<Result<Vec<_>, _>>()?;
        if roles.is_empty() {
            return Err(Invalid::RoleRequired.into());
        }
        if *id == viewer.person_id && !roles.contains(&Role::Administrator) {
            return Err(Invalid::OwnAdministration.into());
        }
        let unit_id = Some(form.unit_id.trim())
            .filter(|u| !u.is_empty())
            .map(UnitId::from);
        if let Some(u) = &unit_id {
            self.store
                .unit(&viewer.agency_id, u)
                .await
                .map_err(|_| AppError::Invalid(Invalid::UnknownUnit))?;
        }
        let edit = PersonEdit {
            full_name: form.full_name.trim().to_owned(),
            title: form.title.trim().to_owned(),
            email: form.email.trim().to_owned(),
            phone: form.phone.trim().to_owned(),
            unit_id,
            roles,
        };
        Ok(self
            .store
            .update_person(
                &viewer.agency_id,
                id,
                &edit,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// Gives a person a temporary password they must change at their next sign-in; their
    /// old password stops working and every session of theirs ends, in one transaction.
    pub async fn reset_password(
        &self,
        viewer: &Viewer,
        id: &PersonId,
    ) -> Result<TemporaryPassword, AppError> {
        require_admin(viewer)?;
        if *id == viewer.person_id {
            return Err(Invalid::OwnAdministration.into());
        }
        let password = temporary_password()?;
        let sessions_ended = self
            .store
            .reset_password(
                &viewer.agency_id,
                id,
                &hash_password(&password)?,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?;
        Ok(TemporaryPassword {
            password,
            sessions_ended,
        })
    }

    /// The live sessions of a person of the administrator's agency.
    pub async fn sessions_of(
        &self,
        viewer: &Viewer,
        id: &PersonId,
    ) -> Result<Vec<SessionInfo>, AppError> {
        self.person_for_admin(viewer, id).await?;
        Ok(self
            .store
            .person_sessions(&viewer.agency_id, id, self.clock.now_ms())
            .await?)
    }

    /// Ends one session (by the id the sessions list shows) or all of a person's sessions.
    pub async fn end_sessions(
        &self,
        viewer: &Viewer,
        id: &PersonId,
        session: Option<&str>,
    ) -> Result<u64, AppError> {
        require_admin(viewer)?;
        let which = session.map_or(Sessions::All, Sessions::One);
        Ok(self
            .store
            .end_sessions(
                &viewer.agency_id,
                id,
                which,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// A person chooses their own password: the current one proves it is them; their other
    /// sessions end; a temporary password stops being one.
    pub async fn change_own_password(
        &self,
        who: &SignedIn,
        session_token: &str,
        current: &str,
        new: &str,
        repeated: &str,
    ) -> Result<(), AppError> {
        if !verify_password(current, &who.person.password_hash) {
            return Err(Invalid::CurrentPassword.into());
        }
        check_password_policy(new)?;
        if new != repeated {
            return Err(Invalid::PasswordMismatch.into());
        }
        if new == current {
            return Err(Invalid::PasswordUnchanged.into());
        }
        Ok(self
            .store
            .change_own_password(
                &who.viewer.agency_id,
                &who.viewer.person_id,
                &hash_password(new)?,
                session_token,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// Renames a unit and places it under another unit of the agency (or at the top);
    /// a unit under itself or under one of its own sub-units is refused.
    pub async fn edit_unit(
        &self,
        viewer: &Viewer,
        id: &UnitId,
        name: &str,
        abbreviation: &str,
        parent_id: &str,
    ) -> Result<(), AppError> {
        require_admin(viewer)?;
        signet_core::document::check_text("name", name, signet_core::document::limits::ORGAN_NAME)?;
        let abbr = Abbreviation::parse(abbreviation.trim())?;
        self.store.unit(&viewer.agency_id, id).await?;
        let parent_id = Some(parent_id.trim())
            .filter(|p| !p.is_empty())
            .map(UnitId::from);
        if let Some(p) = &parent_id {
            self.store
                .unit(&viewer.agency_id, p)
                .await
                .map_err(|_| AppError::Invalid(Invalid::UnknownUnit))?;
        }
        let edit = UnitEdit {
            name: name.trim().to_owned(),
            abbreviation: abbr.as_str().to_owned(),
            parent_id,
        };
        match self
            .store
            .update_unit(
                &viewer.agency_id,
                id,
                &edit,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?
        {
            UnitSaved::Saved => Ok(()),
            UnitSaved::WouldCycle => Err(Invalid::UnitCycle.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_passwords_are_long_enough_and_differ() {
        let a = super::temporary_password().unwrap();
        let b = super::temporary_password().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 15);
        assert!(crate::auth::check_password_policy(&a).is_ok());
    }

    #[test]
    fn phones() {
        assert!(super::check_phone("+84 (24) 3825.1234").is_ok());
        assert!(super::check_phone("").is_ok());
        assert!(super::check_phone("gọi tôi").is_err());
    }
}
