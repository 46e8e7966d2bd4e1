//! Dates: PDF date strings (`D:20261123140509+07'00'`) and RFC 3339.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// RFC 3339 of a time, keeping its offset.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// A PDF date as RFC 3339 when it parses; otherwise the text as written.
pub fn to_rfc3339(raw: &[u8]) -> String {
    parse(raw).map_or_else(|| String::from_utf8_lossy(raw).into_owned(), rfc3339)
}

/// Parses `D:YYYYMMDDHHmmSSOHH'mm'` (every part after the year optional, as PDF allows).
pub fn parse(raw: &[u8]) -> Option<OffsetDateTime> {
    let s = std::str::from_utf8(raw).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits = |from: usize, len: usize, default: u32| -> Option<u32> {
        match s.get(from..from + len) {
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = i32::try_from(digits(0, 4, 0)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(4, 2, 1)?).ok()?).ok()?;
    let day = u8::try_from(digits(6, 2, 1)?).ok()?;
    let hour = u8::try_from(digits(8, 2, 0)?).ok()?;
    let minute = u8::try_from(digits(10, 2, 0)?).ok()?;
    let second = u8::try_from(digits(12, 2, 0)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    let offset = offset(s.get(14..).unwrap_or(""))?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

fn offset(rest: &str) -> Option<UtcOffset> {
    let sign = match rest.as_bytes().first() {
        None | Some(b'Z') => return Some(UtcOffset::UTC),
        Some(b'+') => 1,
        Some(b'-') => -1,
        Some(_) => return None,
    };
    let nums: Vec<i8> = rest[1..]
        .split('\'')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let h = *nums.first().unwrap_or(&0);
    let m = *nums.get(1).unwrap_or(&0);
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

/// The PDF date string of a time, e.g. `D:20261123140509+07'00'`.
pub fn pdf_date(t: OffsetDateTime) -> String {
    let (h, m, _) = t.offset().as_hms();
    let sign = if h < 0 || m < 0 { '-' } else { '+' };
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{sign}{:02}'{:02}'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        h.unsigned_abs(),
        m.unsigned_abs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_vietnam_time() {
        let t = parse(b"D:20261123140509+07'00'").unwrap();
        assert_eq!(rfc3339(t), "2026-11-23T14:05:09+07:00");
        assert_eq!(pdf_date(t), "D:20261123140509+07'00'");
    }

    #[test]
    fn partial_and_odd_dates() {
        assert_eq!(rfc3339(parse(b"D:2026").unwrap()), "2026-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(parse(b"D:20261123140509Z").unwrap()),
            "2026-11-23T14:05:09Z"
        );
        assert_eq!(
            rfc3339(parse(b"D:20261123140509-05'30").unwrap()),
            "2026-11-23T14:05:09-05:30"
        );
        assert!(parse(b"D:2026x1").is_none());
        assert!(parse(b"yesterday").is_none());
        assert_eq!(to_rfc3339(b"junk"), "junk");
    }
}
