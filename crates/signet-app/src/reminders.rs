//! Reminders of deadlines (issue 10 §3): made once a run from the open assignments, shown
//! in the app (the bell), and e-mailed in one message per person per run — never twice
//! (the store records what was sent), never with a secret document's subject.

use std::collections::BTreeMap;

use signet_core::person::Viewer;
use signet_store::reminders::{Reminder, ReminderKind};

use crate::clock::iso_date;
use crate::mail::{send_all, MailConfig, Message};
use crate::{App, AppError};

/// "Due soon" is within this many working days.
pub const DUE_SOON_WORKING_DAYS: u32 = 2;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    pub made: u64,
    pub emails: usize,
}

fn line(r: &Reminder) -> String {
    let subject = if r.secrecy.is_secret() {
        "(văn bản mật / secret document)".to_owned()
    } else {
        r.subject.clone()
    };
    let what = match r.kind {
        ReminderKind::Overdue => "Quá hạn / Overdue",
        ReminderKind::DueSoon => "Sắp đến hạn / Due soon",
    };
    format!("- {what} ({}): {subject}", r.deadline)
}

impl App {
    /// Makes today's reminders and, with `[mail]`, e-mails the ones not yet sent.
    pub async fn run_reminders(&self, mail: Option<&MailConfig>) -> Result<RunReport, AppError> {
        let today = self.clock.today();
        let soon = self
            .holiday_calendar()
            .await?
            .add_working_days(today, DUE_SOON_WORKING_DAYS);
        let made = self
            .store
            .make_reminders(&iso_date(today), &iso_date(soon), self.clock.now_ms())
            .await?;
        let Some(mail) = mail else {
            return Ok(RunReport { made, emails: 0 });
        };
        let pending = self.store.reminders_to_email().await?;
        let mut by_person: BTreeMap<(String, String), Vec<&Reminder>> = BTreeMap::new();
        for r in &pending {
            by_person
                .entry((r.person_id.to_string(), r.email.trim().to_owned()))
                .or_default()
                .push(r);
        }
        let mut messages = Vec::new();
        let mut sent_ids = Vec::new();
        let mut nowhere = Vec::new();
        for ((_, email), items) in &by_person {
            let ids = items.iter().map(|r| r.id.clone());
            if email.is_empty() {
                nowhere.extend(ids);
                continue;
            }
            sent_ids.extend(ids);
            let body: Vec<String> = items.iter().map(|r| line(r)).collect();
            messages.push(Message {
                to: email.clone(),
                subject: format!("Signet: {} việc cần chú ý / to attend to", items.len()),
                body: format!("{}\r\n", body.join("\r\n")),
            });
        }
        self.store.mark_emailed(&nowhere, 0).await?;
        if !messages.is_empty() {
            send_all(mail, &messages).await?;
            self.store
                .mark_emailed(&sent_ids, self.clock.now_ms())
                .await?;
        }
        Ok(RunReport {
            made,
            emails: messages.len(),
        })
    }

    /// The viewer's reminders, newest first.
    pub async fn reminders(&self, viewer: &Viewer) -> Result<Vec<Reminder>, AppError> {
        Ok(self.store.reminders_of(&viewer.person_id).await?)
    }

    /// The bell's number.
    pub async fn unread_reminders(&self, viewer: &Viewer) -> Result<i64, AppError> {
        Ok(self.store.unread_reminders(&viewer.person_id).await?)
    }

    pub async fn read_reminders(&self, viewer: &Viewer) -> Result<(), AppError> {
        Ok(self
            .store
            .read_reminders(&viewer.person_id, self.clock.now_ms())
            .await?)
    }
}
