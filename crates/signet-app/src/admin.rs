//! Administration of an agency: its units, its people, and the agencies under it.

use std::collections::{HashMap, HashSet};

use signet_core::person::Viewer;
use signet_core::register::Abbreviation;
use signet_core::{AgencyCode, AgencyId, Role};
use signet_store::directory::{Agency, NewAgency, NewPerson, Person, Unit};

use crate::auth::{check_password_policy, hash_password};
use crate::{App, AppError, Invalid};

#[derive(Debug, Clone, Default)]
pub struct PersonForm {
    pub username: String,
    pub full_name: String,
    pub title: String,
    pub email: String,
    pub unit_id: String,
    pub roles: Vec<String>,
    pub password: String,
}

#[derive(Debug, Clone, Default)]
pub struct AgencyForm {
    pub code: String,
    pub name: String,
    pub abbreviation: String,
    pub address: String,
}

/// The first agency of a new deployment and its first administrator.
#[derive(Debug, Clone)]
pub struct FirstAgency {
    pub code: String,
    pub name: String,
    pub abbreviation: String,
    pub admin_username: String,
    pub admin_name: String,
    pub admin_password: String,
}

pub(crate) fn require_admin(viewer: &Viewer) -> Result<(), AppError> {
    if viewer.can_administer() {
        Ok(())
    } else {
        Err(AppError::Forbidden("administration: administrators only"))
    }
}

fn check_username(u: &str) -> Result<(), AppError> {
    let ok = (3..=64).contains(&u.len())
        && u.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'-'
        });
    if ok {
        Ok(())
    } else {
        Err(AppError::Invalid(crate::Invalid::Username))
    }
}

impl App {
    /// Creates the first agency and its administrator. Refused once any agency exists: after
    /// that, administrators add agencies and people themselves.
    pub async fn bootstrap(&self, first: &FirstAgency) -> Result<(Agency, Person), AppError> {
        if !self.store.agencies().await?.is_empty() {
            return Err(AppError::Invalid(crate::Invalid::AlreadyBootstrapped));
        }
        let code = AgencyCode::parse(first.code.trim())?;
        signet_core::document::check_text(
            "agency name",
            &first.name,
            signet_core::document::limits::ORGAN_NAME,
        )?;
        let abbreviation = Abbreviation::parse(first.abbreviation.trim())?;
        let username = first.admin_username.trim().to_lowercase();
        check_username(&username)?;
        signet_core::document::check_text(
            "full_name",
            &first.admin_name,
            signet_core::document::limits::SIGNER_NAME,
        )?;
        check_password_policy(&first.admin_password)?;
        let now = self.clock.now_ms();
        let new = NewAgency {
            code,
            name: first.name.trim().to_owned(),
            abbreviation: abbreviation.as_str().to_owned(),
            parent_id: None,
            address: String::new(),
        };
        let agency = self.store.insert_agency(&new, "system", now).await?;
        let admin = NewPerson {
            agency_id: agency.id.clone(),
            unit_id: None,
            username,
            full_name: first.admin_name.trim().to_owned(),
            title: String::new(),
            email: String::new(),
            roles: vec![Role::Administrator],
            password_hash: hash_password(&first.admin_password)?,
        };
        let admin = self.store.insert_person(&admin, "system", now).await?;
        Ok((agency, admin))
    }

    /// The administrator's own agency and the agencies below it: an administrator of a
    /// district sees its communes, not the province's other districts.
    pub async fn agencies(&self, viewer: &Viewer) -> Result<Vec<Agency>, AppError> {
        require_admin(viewer)?;
        Ok(subtree(self.store.agencies().await?, &viewer.agency_id))
    }

    /// Adds an agency under the administrator's own agency.
    pub async fn create_agency(
        &self,
        viewer: &Viewer,
        form: &AgencyForm,
    ) -> Result<Agency, AppError> {
        require_admin(viewer)?;
        let code = AgencyCode::parse(form.code.trim())?;
        signet_core::document::check_text(
            "name",
            &form.name,
            signet_core::document::limits::ORGAN_NAME,
        )?;
        Abbreviation::parse(form.abbreviation.trim())?;
        let all = self.store.agencies().await?;
        // A code already in use is the store's conflict to report, whatever the name.
        let code_used = all.iter().any(|a| a.code == code);
        if !code_used && name_taken(&all, &viewer.agency_id, &form.name) {
            return Err(Invalid::AgencyNameTaken {
                name: form.name.trim().to_owned(),
            }
            .into());
        }
        let new = NewAgency {
            code,
            name: form.name.trim().to_owned(),
            abbreviation: form.abbreviation.trim().to_owned(),
            parent_id: Some(viewer.agency_id.clone()),
            address: form.address.trim().to_owned(),
        };
        Ok(self
            .store
            .insert_agency(&new, &viewer.person_id, self.clock.now_ms())
            .await?)
    }

    pub async fn units(&self, viewer: &Viewer) -> Result<Vec<Unit>, AppError> {
        Ok(self.store.units(&viewer.agency_id).await?)
    }

    pub async fn create_unit(
        &self,
        viewer: &Viewer,
        name: &str,
        abbreviation: &str,
    ) -> Result<Unit, AppError> {
        require_admin(viewer)?;
        signet_core::document::check_text("name", name, signet_core::document::limits::ORGAN_NAME)?;
        let abbr = Abbreviation::parse(abbreviation.trim())?;
        Ok(self
            .store
            .insert_unit(
                &viewer.agency_id,
                name.trim(),
                abbr.as_str(),
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }

    pub async fn people(&self, viewer: &Viewer) -> Result<Vec<Person>, AppError> {
        require_admin(viewer)?;
        Ok(self.store.people(&viewer.agency_id).await?)
    }

    pub async fn create_person(
        &self,
        viewer: &Viewer,
        form: &PersonForm,
    ) -> Result<Person, AppError> {
        require_admin(viewer)?;
        let username = form.username.trim().to_lowercase();
        check_username(&username)?;
        signet_core::document::check_text(
            "full_name",
            &form.full_name,
            signet_core::document::limits::SIGNER_NAME,
        )?;
        signet_core::document::check_optional_text(
            "title",
            form.title.trim(),
            signet_core::document::limits::PERSON_TITLE,
        )?;
        signet_core::document::check_optional_text(
            "email",
            form.email.trim(),
            signet_core::document::limits::EMAIL,
        )?;
        check_password_policy(&form.password)?;
        let roles = form
            .roles
            .iter()
            .map(|r| Role::parse(r))
            .collect::<Result<Vec<_>, _>>()?;
        if roles.is_empty() {
            return Err(AppError::Invalid(crate::Invalid::RoleRequired));
        }
        let unit_id = Some(form.unit_id.trim())
            .filter(|u| !u.is_empty())
            .map(signet_core::UnitId::from);
        if let Some(u) = &unit_id {
            self.store
                .unit(&viewer.agency_id, u)
                .await
                .map_err(|_| AppError::Invalid(crate::Invalid::UnknownUnit))?;
        }
        let new = NewPerson {
            agency_id: viewer.agency_id.clone(),
            unit_id,
            username,
            full_name: form.full_name.trim().to_owned(),
            title: form.title.trim().to_owned(),
            email: form.email.trim().to_owned(),
            roles,
            password_hash: hash_password(&form.password)?,
        };
        Ok(self
            .store
            .insert_person(&new, &viewer.person_id, self.clock.now_ms())
            .await?)
    }

    pub async fn set_person_active(
        &self,
        viewer: &Viewer,
        person_id: &signet_core::PersonId,
        active: bool,
    ) -> Result<(), AppError> {
        require_admin(viewer)?;
        if *person_id == viewer.person_id && !active {
            return Err(AppError::Invalid(crate::Invalid::OwnAccount));
        }
        Ok(self
            .store
            .set_person_active(
                &viewer.agency_id,
                person_id,
                active,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?)
    }
}

/// `root` and every agency below it, in `all`'s order.
fn subtree(all: Vec<Agency>, root: &AgencyId) -> Vec<Agency> {
    let mut inside: HashSet<AgencyId> = HashSet::from([root.clone()]);
    // Parents may come after their children in `all`: repeat until nothing is added
    // (a province's tree is a few levels deep).
    loop {
        let before = inside.len();
        for a in &all {
            if a.parent_id.as_ref().is_some_and(|p| inside.contains(p)) {
                inside.insert(a.id.clone());
            }
        }
        if inside.len() == before {
            break;
        }
    }
    all.into_iter().filter(|a| inside.contains(&a.id)).collect()
}

/// Whether a new agency under `parent` named `name` would share its name (compared without
/// case and diacritics) with a sibling or with an agency above it, so a district cannot
/// create a second "Ủy ban nhân dân tỉnh …" that people would take for the province.
fn name_taken(all: &[Agency], parent: &AgencyId, name: &str) -> bool {
    let wanted = signet_core::text::fold(name.trim());
    let by_id: HashMap<&AgencyId, &Agency> = all.iter().map(|a| (&a.id, a)).collect();
    let siblings = all.iter().filter(|a| a.parent_id.as_ref() == Some(parent));
    let mut ancestors = Vec::new();
    let mut next = by_id.get(parent).copied();
    while let Some(a) = next {
        if ancestors.len() > all.len() {
            break; // a cycle in the data: stop rather than loop
        }
        ancestors.push(a);
        next = a.parent_id.as_ref().and_then(|p| by_id.get(p).copied());
    }
    siblings
        .chain(ancestors)
        .any(|a| signet_core::text::fold(&a.name) == wanted)
}
