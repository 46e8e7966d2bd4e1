//! Reminders of deadlines (issue 10 §3): made from the open assignments of people, once per
//! person, document, kind and deadline (a unique index), read in the app and sent by e-mail.

use signet_core::document::Secrecy;
use signet_core::ids::{AgencyId, DocumentId, PersonId};
use sqlx::Row;

use crate::{new_id, Store, StoreError};

/// Why a person is reminded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// The deadline is within the next working days.
    DueSoon,
    /// The deadline has passed.
    Overdue,
}

impl ReminderKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::DueSoon => "due_soon",
            Self::Overdue => "overdue",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::DueSoon, Self::Overdue]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// A reminder with what a message about it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub id: String,
    pub agency_id: AgencyId,
    pub person_id: PersonId,
    pub document_id: DocumentId,
    pub kind: ReminderKind,
    pub deadline: String,
    pub created_at_ms: i64,
    pub read: bool,
    /// The document's subject and secrecy: a secret subject is never put in an e-mail.
    pub subject: String,
    pub secrecy: Secrecy,
    /// The person's e-mail address, empty when none.
    pub email: String,
}

const SELECT: &str = "SELECT r.id, r.agency_id, r.person_id, r.document_id, r.kind, r.deadline, \
    r.created_at_ms, r.read_at_ms, d.subject, d.secrecy, p.email FROM reminders r \
    JOIN documents d ON d.id = r.document_id JOIN people p ON p.id = r.person_id";

fn reminder_from_row(r: &sqlx::any::AnyRow) -> Result<Reminder, StoreError> {
    let kind: String = r.try_get("kind")?;
    let secrecy: String = r.try_get("secrecy")?;
    Ok(Reminder {
        id: r.try_get("id")?,
        agency_id: AgencyId::new(r.try_get::<String, _>("agency_id")?),
        person_id: PersonId::new(r.try_get::<String, _>("person_id")?),
        document_id: DocumentId::new(r.try_get::<String, _>("document_id")?),
        kind: ReminderKind::parse(&kind)
            .ok_or_else(|| crate::error::corrupt("reminder kind", &kind))?,
        deadline: r.try_get("deadline")?,
        created_at_ms: r.try_get("created_at_ms")?,
        read: r.try_get::<Option<i64>, _>("read_at_ms")?.is_some(),
        subject: r.try_get("subject")?,
        secrecy: Secrecy::parse(&secrecy).map_err(|e| crate::error::corrupt("secrecy", e))?,
        email: r.try_get("email")?,
    })
}

impl Store {
    /// Makes the reminders due on `today` (ISO date): for every open lead or co-handling
    /// assignment held by a person whose deadline is before `today` (overdue) or not after
    /// `soon` (due soon). Existing ones are kept; returns how many are new.
    pub async fn make_reminders(
        &self,
        today: &str,
        soon: &str,
        at_ms: i64,
    ) -> Result<u64, StoreError> {
        let rows = sqlx::query(
            "SELECT agency_id, holder, document_id, deadline FROM assignments \
             WHERE is_open = 1 AND holder_kind = 'person' AND role IN ('lead', 'co') \
             AND deadline <= $1",
        )
        .bind(soon)
        .fetch_all(&self.pool)
        .await?;
        let mut made = 0;
        for r in &rows {
            let deadline: String = r.try_get("deadline")?;
            let kind = if deadline.as_str() < today {
                ReminderKind::Overdue
            } else {
                ReminderKind::DueSoon
            };
            let done = sqlx::query(
                "INSERT INTO reminders (id, agency_id, person_id, document_id, kind, deadline, \
                 created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (person_id, document_id, kind, deadline) DO NOTHING",
            )
            .bind(new_id())
            .bind(r.try_get::<String, _>("agency_id")?)
            .bind(r.try_get::<String, _>("holder")?)
            .bind(r.try_get::<String, _>("document_id")?)
            .bind(kind.code())
            .bind(&deadline)
            .bind(at_ms)
            .execute(&self.pool)
            .await?;
            made += done.rows_affected();
        }
        Ok(made)
    }

    /// A person's reminders, newest first (at most 100).
    pub async fn reminders_of(&self, person: &PersonId) -> Result<Vec<Reminder>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE r.person_id = $1 ORDER BY r.created_at_ms DESC, r.id LIMIT 100"
        ))
        .bind(person.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(reminder_from_row).collect()
    }

    /// How many of a person's reminders are unread (the bell's number).
    pub async fn unread_reminders(&self, person: &PersonId) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reminders WHERE person_id = $1 AND read_at_ms IS NULL",
        )
        .bind(person.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// Marks all of a person's reminders read.
    pub async fn read_reminders(&self, person: &PersonId, at_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE reminders SET read_at_ms = $1 WHERE person_id = $2 AND read_at_ms IS NULL",
        )
        .bind(at_ms)
        .bind(person.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Reminders not yet e-mailed, by person (at most 1,000 a run).
    pub async fn reminders_to_email(&self) -> Result<Vec<Reminder>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE r.emailed_at_ms IS NULL ORDER BY r.person_id, r.created_at_ms LIMIT 1000"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(reminder_from_row).collect()
    }

    /// Records reminders as e-mailed (or as having nowhere to go, with 0), so none is sent
    /// twice.
    pub async fn mark_emailed(&self, ids: &[String], at_ms: i64) -> Result<(), StoreError> {
        for id in ids {
            sqlx::query("UPDATE reminders SET emailed_at_ms = $1 WHERE id = $2")
                .bind(at_ms)
                .bind(id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}
