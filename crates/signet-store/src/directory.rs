//! Agencies, units and people.

use signet_core::ids::{AgencyId, PersonId, UnitId};
use signet_core::{AgencyCode, Role};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::corrupt;
use crate::journal::details::{entry, AgencyCreated, PersonActive, PersonCreated, UnitCreated};
use crate::journal::{append_and_commit, claim_head};
use crate::sql::RowExt;
use crate::{new_id, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub id: AgencyId,
    pub code: AgencyCode,
    pub name: String,
    pub abbreviation: String,
    pub parent_id: Option<AgencyId>,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgency {
    pub code: AgencyCode,
    pub name: String,
    pub abbreviation: String,
    pub parent_id: Option<AgencyId>,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub agency_id: AgencyId,
    pub name: String,
    pub abbreviation: String,
    /// The unit it belongs to, if any (a division of a department).
    pub parent_id: Option<UnitId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub agency_id: AgencyId,
    pub unit_id: Option<UnitId>,
    pub username: String,
    pub full_name: String,
    pub title: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub active: bool,
    pub phone: String,
    /// The password was set by an administrator: the person chooses their own before
    /// anything else.
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub agency_id: AgencyId,
    pub unit_id: Option<UnitId>,
    pub username: String,
    pub full_name: String,
    pub title: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
}

fn agency_from_row(r: &AnyRow) -> Result<Agency, StoreError> {
    let code: String = r.try_get("code")?;
    Ok(Agency {
        id: r.id("id")?,
        code: AgencyCode::parse(&code).map_err(|e| corrupt("agency code", e))?,
        name: r.try_get("name")?,
        abbreviation: r.try_get("abbreviation")?,
        parent_id: r.opt_id("parent_id")?,
        address: r.try_get("address")?,
    })
}

pub(crate) fn unit_from_row(r: &AnyRow) -> Result<Unit, StoreError> {
    Ok(Unit {
        id: r.id("id")?,
        agency_id: r.id("agency_id")?,
        name: r.try_get("name")?,
        abbreviation: r.try_get("abbreviation")?,
        parent_id: r.opt_id("parent_id")?,
    })
}

pub(crate) fn roles_to_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

fn roles_from_text(s: &str) -> Result<Vec<Role>, StoreError> {
    s.split(',')
        .filter(|r| !r.is_empty())
        .map(|r| Role::parse(r).map_err(|e| corrupt("role", e)))
        .collect()
}

pub(crate) fn person_from_row(r: &AnyRow) -> Result<Person, StoreError> {
    let roles: String = r.try_get("roles")?;
    let active: i64 = r.try_get("active")?;
    let must_change: i64 = r.try_get("must_change_password")?;
    Ok(Person {
        id: r.id("id")?,
        agency_id: r.id("agency_id")?,
        unit_id: r.opt_id("unit_id")?,
        username: r.try_get("username")?,
        full_name: r.try_get("full_name")?,
        title: r.try_get("title")?,
        email: r.try_get("email")?,
        roles: roles_from_text(&roles)?,
        password_hash: r.try_get("password_hash")?,
        active: active != 0,
        phone: r.try_get("phone")?,
        must_change_password: must_change != 0,
    })
}

const AGENCY_COLUMNS: &str = "id, code, name, abbreviation, parent_id, address";
pub(crate) const PERSON_COLUMNS: &str =
    "id, agency_id, unit_id, username, full_name, title, email, roles, \
     password_hash, active, phone, must_change_password";
pub(crate) const UNIT_COLUMNS: &str = "id, agency_id, name, abbreviation, parent_id";

impl Store {
    /// One row by one text key, decoded; `NotFound` when there is none.
    async fn one<T>(
        &self,
        sql: &str,
        key: &str,
        decode: fn(&AnyRow) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let row = sqlx::query(sql).bind(key).fetch_one(&self.pool).await?;
        decode(&row)
    }

    pub async fn insert_agency(
        &self,
        a: &NewAgency,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<Agency, StoreError> {
        let id = AgencyId::new(new_id());
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO agencies (id, code, name, abbreviation, parent_id, address, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.as_str())
        .bind(a.code.as_str())
        .bind(&a.name)
        .bind(&a.abbreviation)
        .bind(a.parent_id.as_ref().map(AgencyId::as_str))
        .bind(&a.address)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let mut head = claim_head(&mut tx, &id).await?;
        let action = AgencyCreated {
            code: a.code.as_str(),
        };
        let entry = entry(at_ms, actor.as_ref(), id.as_str(), &action)?;
        append_and_commit(tx, &id, &mut head, entry).await?;
        Ok(Agency {
            id,
            code: a.code.clone(),
            name: a.name.clone(),
            abbreviation: a.abbreviation.clone(),
            parent_id: a.parent_id.clone(),
            address: a.address.clone(),
        })
    }

    pub async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {AGENCY_COLUMNS} FROM agencies ORDER BY code"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(agency_from_row).collect()
    }

    /// How many agencies the deployment has.
    pub async fn agency_count(&self) -> Result<usize, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agencies")
            .fetch_one(&self.pool)
            .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    pub async fn agency(&self, id: &AgencyId) -> Result<Agency, StoreError> {
        self.one(
            &format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = $1"),
            id.as_str(),
            agency_from_row,
        )
        .await
    }

    pub async fn agency_by_code(&self, code: &AgencyCode) -> Result<Agency, StoreError> {
        self.one(
            &format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE code = $1"),
            code.as_str(),
            agency_from_row,
        )
        .await
    }

    pub async fn insert_unit(
        &self,
        agency_id: &AgencyId,
        name: &str,
        abbreviation: &str,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<Unit, StoreError> {
        let id = UnitId::new(new_id());
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        sqlx::query(
            "INSERT INTO units (id, agency_id, name, abbreviation) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.as_str())
        .bind(agency_id.as_str())
        .bind(name)
        .bind(abbreviation)
        .execute(&mut *tx)
        .await?;
        let entry = entry(
            at_ms,
            actor.as_ref(),
            id.as_str(),
            &UnitCreated { abbreviation },
        )?;
        append_and_commit(tx, agency_id, &mut head, entry).await?;
        Ok(Unit {
            id,
            agency_id: agency_id.clone(),
            name: name.to_owned(),
            abbreviation: abbreviation.to_owned(),
            parent_id: None,
        })
    }

    pub async fn units(&self, agency_id: &AgencyId) -> Result<Vec<Unit>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE agency_id = $1 ORDER BY name"
        ))
        .bind(agency_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit_from_row).collect()
    }

    pub async fn unit(&self, agency_id: &AgencyId, id: &UnitId) -> Result<Unit, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE agency_id = $1 AND id = $2"
        ))
        .bind(agency_id.as_str())
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await?;
        unit_from_row(&row)
    }

    pub async fn insert_person(
        &self,
        p: &NewPerson,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<Person, StoreError> {
        let id = PersonId::new(new_id());
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &p.agency_id).await?;
        sqlx::query(
            "INSERT INTO people (id, agency_id, unit_id, username, full_name, title, email, roles, password_hash, active, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)",
        )
        .bind(id.as_str())
        .bind(p.agency_id.as_str())
        .bind(p.unit_id.as_ref().map(UnitId::as_str))
        .bind(&p.username)
        .bind(&p.full_name)
        .bind(&p.title)
        .bind(&p.email)
        .bind(roles_to_text(&p.roles))
        .bind(&p.password_hash)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let roles = roles_to_text(&p.roles);
        let action = PersonCreated {
            username: &p.username,
            roles: &roles,
        };
        let entry = entry(at_ms, actor.as_ref(), id.as_str(), &action)?;
        append_and_commit(tx, &p.agency_id, &mut head, entry).await?;
        Ok(Person {
            id,
            agency_id: p.agency_id.clone(),
            unit_id: p.unit_id.clone(),
            username: p.username.clone(),
            full_name: p.full_name.clone(),
            title: p.title.clone(),
            email: p.email.clone(),
            roles: p.roles.clone(),
            password_hash: p.password_hash.clone(),
            active: true,
            phone: String::new(),
            must_change_password: false,
        })
    }

    pub async fn person_by_username(&self, username: &str) -> Result<Person, StoreError> {
        self.one(
            &format!("SELECT {PERSON_COLUMNS} FROM people WHERE username = $1"),
            username,
            person_from_row,
        )
        .await
    }

    pub async fn person(&self, id: &PersonId) -> Result<Person, StoreError> {
        self.one(
            &format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1"),
            id.as_str(),
            person_from_row,
        )
        .await
    }

    pub async fn people(&self, agency_id: &AgencyId) -> Result<Vec<Person>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE agency_id = $1 ORDER BY full_name, username"
        ))
        .bind(agency_id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person_from_row).collect()
    }

    /// The active people to offer for a draft of `unit`'s route: the agency's leaders and the
    /// unit's own people (its head among them) first, then the others, by name, `limit` at
    /// most — everyone in a small agency, the likely reviewers in one of thousands.
    pub async fn route_candidates(
        &self,
        agency_id: &AgencyId,
        unit: Option<&UnitId>,
        limit: u32,
    ) -> Result<Vec<Person>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE agency_id = $1 AND active = 1 \
             ORDER BY CASE WHEN unit_id = $2 OR roles LIKE '%leader%' THEN 0 ELSE 1 END, \
             full_name, username LIMIT $3"
        ))
        .bind(agency_id.as_str())
        .bind(unit.map_or("", UnitId::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person_from_row).collect()
    }

    /// Enables or disables a person's sign-in; disabling also ends their sessions.
    pub async fn set_person_active(
        &self,
        agency_id: &AgencyId,
        id: &PersonId,
        active: bool,
        actor: impl AsRef<str>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query("UPDATE people SET active = $1 WHERE id = $2 AND agency_id = $3")
            .bind(i64::from(active))
            .bind(id.as_str())
            .bind(agency_id.as_str())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let entry = entry(at_ms, actor.as_ref(), id.as_str(), &PersonActive { active })?;
        append_and_commit(tx, agency_id, &mut head, entry).await?;
        Ok(())
    }
}
