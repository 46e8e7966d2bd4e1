//! Dates and times as packets write them (`yyyy/MM/dd`, `yyyy/MM/dd HH:mm:ss`, Vietnam time)
//! and as the JSON shows them (ISO 8601). Reading is lenient: `yyyy-MM-dd`, `dd/MM/yyyy`
//! (legacy senders) and ISO 8601 with a zone are accepted too.

use time::macros::{format_description, offset};
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Packet times carry no zone: they are Vietnam time.
pub const VIETNAM: UtcOffset = offset!(+7);

fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let d = s.get(..10)?;
    let tail = &s[10..];
    if !tail.is_empty() && !tail.starts_with([' ', 'T']) {
        return None;
    }
    let ymd = format_description!("[year]/[month]/[day]");
    let ymd_dash = format_description!("[year]-[month]-[day]");
    let dmy = format_description!("[day]/[month]/[year]");
    Date::parse(d, ymd)
        .or_else(|_| Date::parse(d, ymd_dash))
        .or_else(|_| Date::parse(d, dmy))
        .ok()
}

/// A packet date as YYYY-MM-DD; text that is no date is kept as it is.
pub fn date_from_packet(s: &str) -> String {
    match parse_date(s) {
        Some(d) => iso_date(d),
        None => s.trim().to_owned(),
    }
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A spec date (YYYY-MM-DD) as the packet writes it.
pub fn date_to_packet(s: &str) -> Result<String, String> {
    let d = Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("date {s:?}: expected YYYY-MM-DD"))?;
    Ok(format!(
        "{:04}/{:02}/{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    ))
}

/// A packet timestamp as RFC 3339; text that is no time is kept as it is.
pub fn time_from_packet(s: &str) -> String {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return rfc3339(t);
    }
    let formats = [
        format_description!("[year]/[month]/[day] [hour]:[minute]:[second]"),
        format_description!("[day]/[month]/[year] [hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    ];
    for f in formats {
        if let Ok(t) = PrimitiveDateTime::parse(s, f) {
            return rfc3339(t.assume_offset(VIETNAM));
        }
    }
    s.to_owned()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An RFC 3339 time as the packet writes it: Vietnam time, `yyyy/MM/dd HH:mm:ss`.
pub fn time_to_packet(s: &str) -> Result<String, String> {
    let t = OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            format!("time {s:?}: expected ISO 8601 with a zone, e.g. 2024-07-15T08:30:00+07:00")
        })?;
    Ok(packet_time(t))
}

/// `t` in Vietnam time as the packet writes it.
pub fn packet_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(VIETNAM);
    format!(
        "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_dates() {
        for s in [
            "2024/07/15",
            "2024-07-15",
            "15/07/2024",
            "2024/07/15 00:00:00",
        ] {
            assert_eq!(date_from_packet(s), "2024-07-15", "{s}");
        }
        assert_eq!(date_from_packet("soon"), "soon");
        assert_eq!(date_to_packet("2024-07-15").unwrap(), "2024/07/15");
        assert!(date_to_packet("15/07/2024").is_err());
    }

    #[test]
    fn times_are_vietnam_time() {
        for s in [
            "2024/07/15 08:30:00",
            "15/07/2024 08:30:00",
            "2024-07-15T01:30:00Z",
        ] {
            let t = time_from_packet(s);
            assert_eq!(
                time_to_packet(&t).unwrap(),
                "2024/07/15 08:30:00",
                "{s} {t}"
            );
        }
        assert_eq!(
            time_from_packet("2024/07/15 08:30:00"),
            "2024-07-15T08:30:00+07:00"
        );
    }
}
