//! How the pages write dates, times and numbers: the one place that knows the conventions.
//!
//! Vietnamese: `04/12/2026`, `14:05 04/12/2026`, `1.234.567`, `66,38 %`. English keeps
//! ISO 8601: `2026-12-04`, `2026-12-04 14:05`, `1,234,567`, `66.38%`. Every time is shown in
//! Vietnam time (UTC+7) whatever offset it was stored or written with; where the zone matters
//! (signing times) it is said. The JSON API does not come here: it keeps RFC 3339 / ISO 8601.
//! Pure: the language and the value are arguments, no clock is read.

use signet_app::clock::VIETNAM;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::i18n::{Lang, Tr};

/// A calendar date: `04/12/2026` (vi), `2026-12-04` (en).
pub fn date(lang: Lang, d: Date) -> String {
    let (y, m, day) = (d.year(), u8::from(d.month()), d.day());
    match lang {
        Lang::Vi => format!("{day:02}/{m:02}/{y:04}"),
        Lang::En => format!("{y:04}-{m:02}-{day:02}"),
    }
}

/// A stored ISO date (`YYYY-MM-DD`) as [`date`] writes it; anything else (empty, free text)
/// is shown as it is.
pub fn iso_date(lang: Lang, s: &str) -> String {
    match signet_app::clock::parse_date(s) {
        Some(d) => date(lang, d),
        None => s.to_owned(),
    }
}

/// A moment in Vietnam time: `14:05 04/12/2026` (vi), `2026-12-04 14:05` (en).
pub fn datetime(lang: Lang, t: OffsetDateTime) -> String {
    let t = t.to_offset(VIETNAM);
    let hm = format!("{:02}:{:02}", t.hour(), t.minute());
    match lang {
        Lang::Vi => format!("{hm} {}", date(lang, t.date())),
        Lang::En => format!("{} {hm}", date(lang, t.date())),
    }
}

/// An ISO date (`2026-12-04`) or a Vietnam time as the use cases word it in their messages
/// (`2026-12-04 14:05`), as the pages write them; `None` for any other text.
pub fn iso_moment(lang: Lang, s: &str) -> Option<String> {
    let day = signet_app::clock::parse_date(s.get(..10)?)?;
    match s.get(10..) {
        Some("") => Some(date(lang, day)),
        Some(rest) => {
            let (h, m) = rest.strip_prefix(' ')?.split_once(':')?;
            let ok = |x: &str, max: u8| x.len() == 2 && x.parse::<u8>().is_ok_and(|n| n <= max);
            if !(ok(h, 23) && ok(m, 59)) {
                return None;
            }
            Some(match lang {
                Lang::Vi => format!("{h}:{m} {}", date(lang, day)),
                Lang::En => format!("{} {h}:{m}", date(lang, day)),
            })
        }
        None => None,
    }
}

/// A Unix-millisecond time as [`datetime`] writes it (empty when out of range).
pub fn datetime_ms(lang: Lang, ms: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => datetime(lang, t),
        Err(_) => String::new(),
    }
}

/// The date part only of a Unix-millisecond time, in Vietnam.
pub fn date_ms(lang: Lang, ms: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => date(lang, t.to_offset(VIETNAM).date()),
        Err(_) => String::new(),
    }
}

/// [`datetime`] with the zone said: `14:05 04/12/2026 (giờ Việt Nam, UTC+7)`.
pub fn datetime_zoned(lang: Lang, t: OffsetDateTime) -> String {
    let zone = match lang {
        Lang::Vi => "giờ Việt Nam, UTC+7",
        Lang::En => "Vietnam time, UTC+7",
    };
    format!("{} ({zone})", datetime(lang, t))
}

/// An RFC 3339 time (as the verification report carries them) as [`datetime_zoned`]; text
/// that is not RFC 3339 is shown as written.
pub fn rfc3339_zoned(lang: Lang, s: &str) -> String {
    match OffsetDateTime::parse(s.trim(), &Rfc3339) {
        Ok(t) => datetime_zoned(lang, t),
        Err(_) => s.to_owned(),
    }
}

/// Every RFC 3339 time inside a sentence (`…thu hồi lúc 2026-12-04T07:00:00Z (…)`) rewritten
/// as [`datetime_zoned`]; the rest of the text is kept.
pub fn times_in(lang: Lang, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, len, t)) = next_rfc3339(rest) {
        out.push_str(&rest[..at]);
        out.push_str(&datetime_zoned(lang, t));
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// The first RFC 3339 time in `s`: where it starts, its length and its value.
fn next_rfc3339(s: &str) -> Option<(usize, usize, OffsetDateTime)> {
    let b = s.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut from = 0;
    while let Some(p) = s[from..].find('T') {
        let t = from + p;
        from = t + 1;
        // YYYY-MM-DD before the T, HH:MM:SS after it.
        if t < 10 || !(0..4).all(|i| digit(t - 10 + i)) || b[t - 6] != b'-' || b[t - 3] != b'-' {
            continue;
        }
        let start = t - 10;
        // The longest candidate: seconds, fraction, then `Z` or `+HH:MM`.
        let mut end = t + 9;
        if end > b.len() {
            continue;
        }
        if b.get(end) == Some(&b'.') {
            end += 1;
            while digit(end) {
                end += 1;
            }
        }
        match b.get(end) {
            Some(b'Z' | b'z') => end += 1,
            Some(b'+' | b'-') => end += 6,
            _ => continue,
        }
        let Some(candidate) = s.get(start..end.min(s.len())) else {
            continue;
        };
        if let Ok(v) = OffsetDateTime::parse(candidate, &Rfc3339) {
            return Some((start, candidate.len(), v));
        }
    }
    None
}

/// A whole number with thousands separators: `1.234.567` (vi), `1,234,567` (en).
pub fn integer(lang: Lang, n: i64) -> String {
    let sep = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A decimal number with `places` decimals: `1.234,5` (vi), `1,234.5` (en).
pub fn decimal(lang: Lang, x: f64, places: usize) -> String {
    let fixed = format!("{:.*}", places, x.abs());
    let (whole, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let whole: i64 = whole.parse().unwrap_or(0);
    let negative = x < 0.0 && fixed.bytes().any(|c| c.is_ascii_digit() && c != b'0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&integer(lang, whole));
    if !frac.is_empty() {
        out.push(match lang {
            Lang::Vi => ',',
            Lang::En => '.',
        });
        out.push_str(frac);
    }
    out
}

/// A percentage (`66.38` is 66.38 %) with `places` decimals: `66,38 %` (vi), `66.38%` (en).
pub fn percent(lang: Lang, value: f64, places: usize) -> String {
    let n = decimal(lang, value, places);
    match lang {
        Lang::Vi => format!("{n}\u{a0}%"),
        Lang::En => format!("{n}%"),
    }
}

/// The same functions from a template, through the layout's `l.t`: `{{ l.t.date(d.issued_on) }}`.
impl Tr {
    /// A stored ISO date, see [`iso_date`].
    pub fn date(&self, iso: &str) -> String {
        iso_date(self.0, iso)
    }

    /// A Unix-millisecond time, see [`datetime_ms`].
    pub fn when(&self, ms: &i64) -> String {
        datetime_ms(self.0, *ms)
    }

    /// A count, see [`integer`].
    pub fn num(&self, n: &i64) -> String {
        integer(self.0, *n)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn dates_are_day_month_year_in_vietnamese_and_iso_in_english() {
        let d = date!(2026 - 12 - 04);
        assert_eq!(date(Lang::Vi, d), "04/12/2026");
        assert_eq!(date(Lang::En, d), "2026-12-04");
        assert_eq!(iso_date(Lang::Vi, "2026-03-05"), "05/03/2026");
        assert_eq!(iso_date(Lang::En, "2026-03-05"), "2026-03-05");
        assert_eq!(iso_date(Lang::Vi, ""), "");
        assert_eq!(iso_date(Lang::Vi, "sắp tới"), "sắp tới");
    }

    #[test]
    fn dates_in_messages_read_as_the_pages_write_them() {
        assert_eq!(
            iso_moment(Lang::Vi, "2026-12-04").as_deref(),
            Some("04/12/2026")
        );
        assert_eq!(
            iso_moment(Lang::Vi, "2026-12-04 14:05").as_deref(),
            Some("14:05 04/12/2026")
        );
        assert_eq!(
            iso_moment(Lang::En, "2026-12-04 14:05").as_deref(),
            Some("2026-12-04 14:05")
        );
        for other in [
            "12/QĐ-UBND",
            "2026-12-04T14:05",
            "2026-12-04 25:00",
            "",
            "2026",
        ] {
            assert_eq!(iso_moment(Lang::Vi, other), None, "{other}");
        }
        let t = Tr(Lang::Vi).format(
            "err_invalid_deadline_in_past",
            &[
                ("value", "2026-12-01".to_owned()),
                ("today", "2026-12-04".to_owned()),
            ],
        );
        assert!(t.contains("01/12/2026") && t.contains("04/12/2026"), "{t}");
    }

    #[test]
    fn times_are_vietnam_time() {
        // Midnight UTC is seven in the morning the same day in Vietnam.
        let t = datetime!(2026-12-04 00:00 UTC);
        assert_eq!(datetime(Lang::Vi, t), "07:00 04/12/2026");
        assert_eq!(datetime(Lang::En, t), "2026-12-04 07:00");
        // 17:30 UTC is half past midnight the next day.
        let t = datetime!(2026-12-04 17:30 UTC);
        assert_eq!(datetime(Lang::Vi, t), "00:30 05/12/2026");
        assert_eq!(datetime(Lang::En, t), "2026-12-05 00:30");
        // The last day of the year rolls over the year too.
        assert_eq!(datetime_ms(Lang::Vi, 1_767_204_000_000), "01:00 01/01/2026");
        assert_eq!(date_ms(Lang::Vi, 1_767_204_000_000), "01/01/2026");
        // A time written with +07:00 already is not moved.
        let t = datetime!(2026-12-04 14:05 +7);
        assert_eq!(
            datetime_zoned(Lang::Vi, t),
            "14:05 04/12/2026 (giờ Việt Nam, UTC+7)"
        );
        assert_eq!(
            rfc3339_zoned(Lang::Vi, "2026-12-04T07:05:09Z"),
            "14:05 04/12/2026 (giờ Việt Nam, UTC+7)"
        );
        assert_eq!(
            rfc3339_zoned(Lang::En, "2026-12-04T23:31:16Z"),
            "2026-12-05 06:31 (Vietnam time, UTC+7)"
        );
        assert_eq!(rfc3339_zoned(Lang::Vi, "D:2026"), "D:2026");
    }

    #[test]
    fn times_inside_sentences_are_rewritten() {
        assert_eq!(
            times_in(
                Lang::Vi,
                "Chứng thư đã bị thu hồi lúc 2026-12-04T17:30:00Z (lý do: lộ khóa)."
            ),
            "Chứng thư đã bị thu hồi lúc 00:30 05/12/2026 (giờ Việt Nam, UTC+7) (lý do: lộ khóa)."
        );
        assert_eq!(
            times_in(Lang::En, "at 2026-12-04T10:00:00.123+07:00, then 2026-01-01T00:00:00Z"),
            "at 2026-12-04 10:00 (Vietnam time, UTC+7), then 2026-01-01 07:00 (Vietnam time, UTC+7)"
        );
        let plain = "Tên T, mã 2026-12-04 không phải thời điểm; TSA";
        assert_eq!(times_in(Lang::Vi, plain), plain);
    }

    #[test]
    fn numbers_have_vietnamese_separators() {
        assert_eq!(integer(Lang::Vi, 1_234_567), "1.234.567");
        assert_eq!(integer(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(integer(Lang::Vi, 999), "999");
        assert_eq!(integer(Lang::Vi, 1000), "1.000");
        assert_eq!(integer(Lang::Vi, 0), "0");
        assert_eq!(integer(Lang::Vi, -40_000), "-40.000");
        assert_eq!(decimal(Lang::Vi, 1234.5, 1), "1.234,5");
        assert_eq!(decimal(Lang::En, 1234.5, 1), "1,234.5");
        assert_eq!(decimal(Lang::Vi, -0.001, 2), "0,00");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(Lang::Vi, 66.3812, 2), "66,38\u{a0}%");
        assert_eq!(percent(Lang::En, 66.3812, 2), "66.38%");
        assert_eq!(percent(Lang::Vi, 100.0, 0), "100\u{a0}%");
        assert_eq!(percent(Lang::Vi, 12.5, 1), "12,5\u{a0}%");
    }
}
