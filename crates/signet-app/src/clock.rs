//! The clock, as a value, so tests and benchmarks can set the time.

use time::{OffsetDateTime, UtcOffset};

/// Vietnam time (UTC+07:00): dates, years and registers follow it.
pub const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;

    fn now_ms(&self) -> i64 {
        (self.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Today in Vietnam.
    fn today(&self) -> time::Date {
        self.now().to_offset(VIETNAM).date()
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The one place the application reads the wall clock.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock fixed at one instant (tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// `YYYY-MM-DD`.
pub fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &format).ok()
}

/// The Vietnam-time day of a Unix-millisecond time, `YYYY-MM-DD` (empty when out of range).
pub fn vietnam_date_ms(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| iso_date(t.to_offset(VIETNAM).date()))
        .unwrap_or_default()
}

/// A Unix-millisecond time as `YYYY-MM-DD HH:MM` in Vietnam time.
pub fn display_ms(ms: i64) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::new();
    };
    let t = t.to_offset(VIETNAM);
    format!("{} {:02}:{:02}", iso_date(t.date()), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = time::macros::date!(2026 - 03 - 05);
        assert_eq!(iso_date(d), "2026-03-05");
        assert_eq!(parse_date("2026-03-05"), Some(d));
        assert_eq!(parse_date("05/03/2026"), None);
        // 2025-12-31T18:00Z is already 1 January in Vietnam.
        assert_eq!(display_ms(1_767_204_000_000), "2026-01-01 01:00");
    }
}
