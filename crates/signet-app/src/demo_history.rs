//! A few months of generated history for the demo province (issue 10 §5): in every agency,
//! outgoing documents drafted, signed and issued with their signature verdicts, incoming
//! documents registered, directed and completed — on time, late, or still open — through
//! the same use cases as real work, each at its own past time, so the statistics page shows
//! a real picture on first start and `signet statistics recount` agrees with it.
//!
//! Deterministic: a fixed linear congruential generator, no OS randomness.

use std::sync::Arc;

use signet_core::person::Viewer;
use signet_core::Role;
use signet_store::directory::{Agency, Person};
use time::{Date, Duration, OffsetDateTime};

use crate::clock::{FixedClock, VIETNAM};
use crate::documents::{ArrivalForm, DocumentForm};
use crate::processing::{AssignForm, CompleteForm};
use crate::{App, AppError};

/// Months of history before the current one.
pub const MONTHS: i32 = 4;

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn viewer(p: &Person) -> Viewer {
    Viewer {
        person_id: p.id.clone(),
        agency_id: p.agency_id.clone(),
        roles: p.roles.clone(),
    }
}

/// The first day of the month `back` months before `today`'s.
fn month_start(today: Date, back: i32) -> Option<Date> {
    let index = today.year() * 12 + i32::from(u8::from(today.month())) - 1 - back;
    let month = time::Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    Date::from_calendar_date(index.div_euclid(12), month, 1).ok()
}

/// 09:00 in Vietnam on `day`, plus `hours`.
fn at(day: Date, hours: i64) -> OffsetDateTime {
    day.with_hms(9, 0, 0)
        .map_or(OffsetDateTime::UNIX_EPOCH, |t| t.assume_offset(VIETNAM))
        + Duration::hours(hours)
}

impl App {
    fn at_time(&self, t: OffsetDateTime) -> App {
        App {
            clock: Arc::new(FixedClock(t)),
            ..self.clone()
        }
    }

    /// Generates the history of every seeded agency (clerk, leader and officer needed).
    pub(crate) async fn seed_history(
        &self,
        seeded: &[(Agency, Vec<Person>)],
    ) -> Result<(), AppError> {
        let today = self.clock.today();
        for (i, (_agency, people)) in seeded.iter().enumerate() {
            let find = |role: Role| people.iter().find(|p| p.roles.contains(&role)).map(viewer);
            let (Some(clerk), Some(leader), Some(officer)) =
                (find(Role::Clerk), find(Role::Leader), find(Role::Officer))
            else {
                continue;
            };
            let mut rng = Lcg(2026 + i as u64 * 7919);
            // Each agency has its own habits: how often its leader signs personally.
            let signs = 70 + rng.below(31);
            let people = (&clerk, &leader, &officer);
            for back in (1..=MONTHS).rev() {
                let Some(start) = month_start(today, back) else {
                    continue;
                };
                self.history_month(&mut rng, start, signs, people).await?;
            }
        }
        Ok(())
    }

    async fn history_month(
        &self,
        rng: &mut Lcg,
        start: Date,
        signs: u64,
        (clerk, leader, officer): (&Viewer, &Viewer, &Viewer),
    ) -> Result<(), AppError> {
        let days = i64::from(start.month().length(start.year()));
        for k in 0..3 + rng.below(5) {
            let day = start + Duration::days(rng.below(days as u64 - 1) as i64);
            let app = self.at_time(at(day, 0));
            let form = DocumentForm {
                doc_type: "cong-van".into(),
                subject: format!(
                    "Công văn về việc triển khai nhiệm vụ tháng {} (số {k})",
                    start.month() as u8
                ),
                ..DocumentForm::default()
            };
            let d = app.create_draft(officer, &form, Vec::new()).await?;
            app.submit(officer, &d.id).await?;
            app.sign(leader, &d.id).await?;
            app.issue(clerk, &d.id).await?;
            let (personal, sealed) = (rng.chance(signs), rng.chance(95));
            app.record_signature_verdicts(clerk, &d.id, personal, sealed)
                .await?;
        }
        for k in 0..4 + rng.below(6) {
            let day = start + Duration::days(rng.below(days as u64 - 1) as i64);
            let app = self.at_time(at(day, 0));
            let form = DocumentForm {
                doc_type: "cong-van".into(),
                subject: format!("Văn bản đến về việc báo cáo định kỳ (số {k})"),
                ..DocumentForm::default()
            };
            let arrival = ArrivalForm {
                author_name: "Bộ Nội vụ".into(),
                notation: format!("{}/BNV-VP", 100 + k),
                ..ArrivalForm::default()
            };
            let doc = app
                .register_incoming(clerk, &form, &arrival, Vec::new())
                .await?;
            app.present(clerk, &doc.id).await?;
            let working_days = 3 + rng.below(8);
            let direction = AssignForm {
                instruction: "Giao chuyên viên nghiên cứu, tham mưu xử lý.".into(),
                lead: format!("person:{}", officer.person_id),
                working_days: working_days.to_string(),
                ..AssignForm::default()
            };
            let app = self.at_time(at(day, 2));
            app.assign(leader, &doc.id, &direction).await?;
            // Most are settled within their time, some late, a few of the last month open.
            if rng.chance(8) {
                continue;
            }
            let took = if rng.chance(15) {
                working_days as i64 * 2 + 2
            } else {
                rng.below(working_days) as i64
            };
            let done = self.at_time(at(day, 4 + took * 24));
            if done.clock.today() >= self.clock.today() {
                continue;
            }
            let filed = CompleteForm {
                outcome: "filed".into(),
                reply_document_id: String::new(),
            };
            done.complete(officer, &doc.id, &filed).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_back_cross_the_year() {
        let d = time::macros::date!(2026 - 02 - 14);
        assert_eq!(month_start(d, 1), Some(time::macros::date!(2026 - 01 - 01)));
        assert_eq!(month_start(d, 4), Some(time::macros::date!(2025 - 10 - 01)));
    }
}
