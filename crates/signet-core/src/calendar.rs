//! Working days (ngày làm việc): Monday to Friday, less the public holidays the
//! administrator lists. Processing deadlines are counted in them.

use std::collections::BTreeSet;

use time::{Date, Duration, Weekday};

/// The days off besides weekends, as the holiday table holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays(BTreeSet<Date>);

impl Holidays {
    pub fn new(days: impl IntoIterator<Item = Date>) -> Self {
        Self(days.into_iter().collect())
    }

    pub fn is_working_day(&self, day: Date) -> bool {
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.0.contains(&day)
    }

    /// The day `n` working days after `from` (the day a document arrives does not count);
    /// with `n = 0`, `from` itself if it is a working day, else the next one.
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut day = from;
        let mut left = n;
        if n == 0 {
            while !self.is_working_day(day) {
                day = next(day);
            }
            return day;
        }
        while left > 0 {
            day = next(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); 0 when `to` is not later.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut day = from;
        let mut n = 0;
        while day < to {
            day = next(day);
            if self.is_working_day(day) {
                n += 1;
            }
        }
        n
    }
}

fn next(day: Date) -> Date {
    day.checked_add(Duration::days(1)).unwrap_or(day)
}

/// `YYYY-MM` of a date: the month whose counters an event belongs to.
pub fn month_key(day: Date) -> String {
    format!("{:04}-{:02}", day.year(), u8::from(day.month()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn holidays() -> Holidays {
        Holidays::new([date!(2026 - 04 - 30), date!(2026 - 05 - 01)])
    }

    #[test]
    fn weekends_are_skipped() {
        let h = Holidays::default();
        // Friday + 1 working day = Monday.
        assert_eq!(
            h.add_working_days(date!(2026 - 12 - 04), 1),
            date!(2026 - 12 - 07)
        );
        assert_eq!(
            h.add_working_days(date!(2026 - 12 - 04), 5),
            date!(2026 - 12 - 11)
        );
        // A Saturday with 0 days moves to Monday.
        assert_eq!(
            h.add_working_days(date!(2026 - 12 - 05), 0),
            date!(2026 - 12 - 07)
        );
    }

    #[test]
    fn holidays_and_weekends_together() {
        // Wednesday 29 April 2026 + 2 working days: Thu 30/4 and Fri 1/5 are holidays,
        // then the weekend: Monday 4 and Tuesday 5 May.
        let h = holidays();
        assert_eq!(
            h.add_working_days(date!(2026 - 04 - 29), 1),
            date!(2026 - 05 - 04)
        );
        assert_eq!(
            h.add_working_days(date!(2026 - 04 - 29), 2),
            date!(2026 - 05 - 05)
        );
        assert!(!h.is_working_day(date!(2026 - 04 - 30)));
        assert_eq!(
            h.working_days_between(date!(2026 - 04 - 29), date!(2026 - 05 - 05)),
            2
        );
        assert_eq!(
            h.working_days_between(date!(2026 - 05 - 05), date!(2026 - 04 - 29)),
            0
        );
    }

    #[test]
    fn month_keys() {
        assert_eq!(month_key(date!(2026 - 01 - 09)), "2026-01");
    }
}
