//! Agencies, units and people.

use signet_core::journal::NewEntry;
use signet_core::{AgencyCode, Role};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::corrupt;
use crate::journal::{append_and_commit, claim_head};
use crate::{new_id, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub id: String,
    pub code: AgencyCode,
    pub name: String,
    pub abbreviation: String,
    pub parent_id: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgency {
    pub code: AgencyCode,
    pub name: String,
    pub abbreviation: String,
    pub parent_id: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    pub agency_id: String,
    pub name: String,
    pub abbreviation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub agency_id: String,
    pub unit_id: Option<String>,
    pub username: String,
    pub full_name: String,
    pub title: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub agency_id: String,
    pub unit_id: Option<String>,
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
        id: r.try_get("id")?,
        code: AgencyCode::parse(&code).map_err(|e| corrupt("agency code", e))?,
        name: r.try_get("name")?,
        abbreviation: r.try_get("abbreviation")?,
        parent_id: r.try_get("parent_id")?,
        address: r.try_get("address")?,
    })
}

fn unit_from_row(r: &AnyRow) -> Result<Unit, StoreError> {
    Ok(Unit {
        id: r.try_get("id")?,
        agency_id: r.try_get("agency_id")?,
        name: r.try_get("name")?,
        abbreviation: r.try_get("abbreviation")?,
    })
}

fn roles_to_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

fn roles_from_text(s: &str) -> Result<Vec<Role>, StoreError> {
    s.split(',')
        .filter(|r| !r.is_empty())
        .map(|r| Role::parse(r).map_err(|e| corrupt("role", e)))
        .collect()
}

fn person_from_row(r: &AnyRow) -> Result<Person, StoreError> {
    let roles: String = r.try_get("roles")?;
    let active: i64 = r.try_get("active")?;
    Ok(Person {
        id: r.try_get("id")?,
        agency_id: r.try_get("agency_id")?,
        unit_id: r.try_get("unit_id")?,
        username: r.try_get("username")?,
        full_name: r.try_get("full_name")?,
        title: r.try_get("title")?,
        email: r.try_get("email")?,
        roles: roles_from_text(&roles)?,
        password_hash: r.try_get("password_hash")?,
        active: active != 0,
    })
}

const AGENCY_COLUMNS: &str = "id, code, name, abbreviation, parent_id, address";
const PERSON_COLUMNS: &str =
    "id, agency_id, unit_id, username, full_name, title, email, roles, password_hash, active";

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
        actor: &str,
        at_ms: i64,
    ) -> Result<Agency, StoreError> {
        let id = new_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO agencies (id, code, name, abbreviation, parent_id, address, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(a.code.as_str())
        .bind(&a.name)
        .bind(&a.abbreviation)
        .bind(a.parent_id.clone())
        .bind(&a.address)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let mut head = claim_head(&mut tx, &id).await?;
        let details = format!("{{\"code\":\"{}\"}}", a.code);
        append_and_commit(
            tx,
            &id,
            &mut head,
            entry(at_ms, actor, "agency.created", &id, details),
        )
        .await?;
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

    pub async fn agency(&self, id: &str) -> Result<Agency, StoreError> {
        self.one(
            &format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = $1"),
            id,
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
        agency_id: &str,
        name: &str,
        abbreviation: &str,
        actor: &str,
        at_ms: i64,
    ) -> Result<Unit, StoreError> {
        let id = new_id();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        sqlx::query(
            "INSERT INTO units (id, agency_id, name, abbreviation) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(agency_id)
        .bind(name)
        .bind(abbreviation)
        .execute(&mut *tx)
        .await?;
        let details = format!("{{\"abbreviation\":{}}}", json_str(abbreviation));
        append_and_commit(
            tx,
            agency_id,
            &mut head,
            entry(at_ms, actor, "unit.created", &id, details),
        )
        .await?;
        Ok(Unit {
            id,
            agency_id: agency_id.to_owned(),
            name: name.to_owned(),
            abbreviation: abbreviation.to_owned(),
        })
    }

    pub async fn units(&self, agency_id: &str) -> Result<Vec<Unit>, StoreError> {
        let rows = sqlx::query("SELECT id, agency_id, name, abbreviation FROM units WHERE agency_id = $1 ORDER BY name")
            .bind(agency_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(unit_from_row).collect()
    }

    pub async fn unit(&self, agency_id: &str, id: &str) -> Result<Unit, StoreError> {
        let row = sqlx::query(
            "SELECT id, agency_id, name, abbreviation FROM units WHERE agency_id = $1 AND id = $2",
        )
        .bind(agency_id)
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        unit_from_row(&row)
    }

    pub async fn insert_person(
        &self,
        p: &NewPerson,
        actor: &str,
        at_ms: i64,
    ) -> Result<Person, StoreError> {
        let id = new_id();
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, &p.agency_id).await?;
        sqlx::query(
            "INSERT INTO people (id, agency_id, unit_id, username, full_name, title, email, roles, password_hash, active, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)",
        )
        .bind(&id)
        .bind(&p.agency_id)
        .bind(p.unit_id.clone())
        .bind(&p.username)
        .bind(&p.full_name)
        .bind(&p.title)
        .bind(&p.email)
        .bind(roles_to_text(&p.roles))
        .bind(&p.password_hash)
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
        let details = format!(
            "{{\"username\":{},\"roles\":{}}}",
            json_str(&p.username),
            json_str(&roles_to_text(&p.roles))
        );
        append_and_commit(
            tx,
            &p.agency_id,
            &mut head,
            entry(at_ms, actor, "person.created", &id, details),
        )
        .await?;
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

    pub async fn person(&self, id: &str) -> Result<Person, StoreError> {
        self.one(
            &format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1"),
            id,
            person_from_row,
        )
        .await
    }

    pub async fn people(&self, agency_id: &str) -> Result<Vec<Person>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE agency_id = $1 ORDER BY full_name, username"
        ))
        .bind(agency_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person_from_row).collect()
    }

    /// Enables or disables a person's sign-in; disabling also ends their sessions.
    pub async fn set_person_active(
        &self,
        agency_id: &str,
        id: &str,
        active: bool,
        actor: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let mut head = claim_head(&mut tx, agency_id).await?;
        let done = sqlx::query("UPDATE people SET active = $1 WHERE id = $2 AND agency_id = $3")
            .bind(i64::from(active))
            .bind(id)
            .bind(agency_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if active {
            "person.enabled"
        } else {
            "person.disabled"
        };
        append_and_commit(
            tx,
            agency_id,
            &mut head,
            entry(at_ms, actor, action, id, "{}".into()),
        )
        .await?;
        Ok(())
    }
}

pub(crate) fn entry(
    at_ms: i64,
    actor: &str,
    action: &str,
    subject: &str,
    details: String,
) -> NewEntry {
    NewEntry {
        at_ms,
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        details,
    }
}

/// A JSON string literal (journal details are small, hand-built JSON objects).
pub(crate) fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
