//! `/statistics`: the oversight table (sortable by any column through links, no script),
//! a server-rendered SVG bar chart of the personal-signature rate per agency, the monthly
//! trend line, and the CSV export.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use signet_app::clock::iso_date;
use signet_app::statistics::{Report, UnitStatistics};
use signet_core::AgencyId;

use super::{render, Layout};
use crate::format;
use crate::i18n::{Lang, Tr};
use crate::session::PageUser;
use crate::{AppState, WebError};

#[derive(Debug, Deserialize, Default)]
pub struct StatisticsQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    asc: String,
}

/// The sortable columns: query key, i18n key.
const COLUMNS: [&str; 11] = [
    "unit_name",
    "issued",
    "leader_signed_valid",
    "sealed_valid",
    "sent_electronically",
    "incoming",
    "done_on_time",
    "overdue",
    "in_progress",
    "leader_signature_rate",
    "rank",
];

/// Bars in the chart: the first rows of the table as sorted.
const CHART_BARS: usize = 30;

fn sort_key(u: &UnitStatistics, column: &str) -> f64 {
    let c = &u.counters;
    match column {
        "issued" => c.issued as f64,
        "leader_signed_valid" => c.leader_signed_valid as f64,
        "sealed_valid" => c.sealed_valid as f64,
        "sent_electronically" => u.sent_electronically as f64,
        "incoming" => c.incoming as f64,
        "done_on_time" => c.done_on_time as f64,
        "overdue" => c.overdue as f64,
        "in_progress" => c.in_progress as f64,
        "rank" => f64::from(u.rank),
        _ => u.leader_signature_rate,
    }
}

/// Sorts the table by `column`, ascending when `asc`, else descending.
fn sort(units: &mut [UnitStatistics], column: &str, asc: bool) {
    if column == "unit_name" {
        units.sort_by(|a, b| a.unit_name.cmp(&b.unit_name));
    } else {
        units.sort_by(|a, b| {
            sort_key(a, column)
                .total_cmp(&sort_key(b, column))
                .then_with(|| b.unit_name.cmp(&a.unit_name))
        });
    }
    if !asc {
        units.reverse();
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A rate (0.6638) as the page writes percentages: `66,4 %` (vi), `66.4%` (en).
fn percent(lang: Lang, rate: f64) -> String {
    format::percent(lang, rate * 100.0, 1)
}

/// Horizontal bars, the name above each bar: 360 units wide, so a 390-pixel phone shows it
/// at full size and a wide screen scales it up.
pub fn bar_chart(units: &[UnitStatistics], title: &str, lang: Lang) -> String {
    const W: f64 = 360.0;
    const ROW: f64 = 34.0;
    let n = units.len().min(CHART_BARS);
    let height = 28.0 + ROW * n as f64;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {W} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{}</title><text x=\"0\" y=\"16\" class=\"chart-title\">{}</text>",
        xml(title),
        xml(title)
    );
    for (i, u) in units.iter().take(n).enumerate() {
        let y = 28.0 + ROW * i as f64;
        let width = (W - 60.0) * u.leader_signature_rate.clamp(0.0, 1.0);
        let name: String = u.unit_name.chars().take(48).collect();
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{:.0}\" class=\"bar-label\">{}</text>\
             <rect x=\"0\" y=\"{:.0}\" width=\"{width:.1}\" height=\"12\" class=\"bar\"/>\
             <text x=\"{:.1}\" y=\"{:.0}\" class=\"bar-value\">{}</text>",
            y + 10.0,
            xml(&name),
            y + 14.0,
            width + 4.0,
            y + 25.0,
            percent(lang, u.leader_signature_rate)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The monthly rates as lines: the personal-signature rate and the on-time rate.
pub fn trend_chart(report: &Report, title: &str, lang: Lang) -> String {
    const W: f64 = 360.0;
    const H: f64 = 160.0;
    let (left, top, bottom) = (30.0, 24.0, 24.0);
    let months = &report.months;
    let step = if months.len() > 1 {
        (W - left - 10.0) / (months.len() - 1) as f64
    } else {
        0.0
    };
    let y_of = |r: f64| top + (H - top - bottom) * (1.0 - r.clamp(0.0, 1.0));
    let mut signed = Vec::new();
    let mut on_time = Vec::new();
    let mut labels = String::new();
    for (i, (month, c)) in months.iter().enumerate() {
        let x = left + step * i as f64;
        // A month with nothing to measure has no point (not a fall to 0%).
        let point = |line: &mut Vec<String>, a: i64, b: i64| {
            if b > 0 {
                line.push(format!("{x:.1},{:.1}", y_of(a as f64 / b as f64)));
            }
        };
        point(&mut signed, c.leader_signed_valid, c.issued);
        point(&mut on_time, c.done_on_time, c.done_on_time + c.overdue);
        labels.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{:.0}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
            H - 6.0,
            xml(month.get(5..).unwrap_or(month))
        ));
    }
    format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {W} {H}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{t}</title><text x=\"0\" y=\"14\" class=\"chart-title\">{t}</text>\
         <text x=\"0\" y=\"{y100:.0}\" class=\"axis\">{p100}</text><text x=\"0\" y=\"{y0:.0}\" class=\"axis\">{p0}</text>\
         <line x1=\"{left}\" y1=\"{y0:.0}\" x2=\"{W}\" y2=\"{y0:.0}\" class=\"grid\"/>\
         <polyline points=\"{}\" class=\"line-signed\"/><polyline points=\"{}\" class=\"line-ontime\"/>{labels}</svg>",
        signed.join(" "),
        on_time.join(" "),
        t = xml(title),
        p100 = format::percent(lang, 100.0, 0),
        p0 = format::percent(lang, 0.0, 0),
        y100 = y_of(1.0) + 4.0,
        y0 = y_of(0.0),
    )
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    l: Layout,
    from: String,
    to: String,
    unit: String,
    /// Label, sort link, arrow of the current sort.
    columns: Vec<(&'static str, String, &'static str)>,
    rows: Vec<Vec<String>>,
    chart: String,
    trend: String,
    csv: String,
    xlsx: String,
}

/// The period asked for, or the last six months up to today.
fn period(state: &AppState, q: &StatisticsQuery) -> (String, String) {
    let today = state.app.clock.today();
    let to = if q.to.trim().is_empty() {
        iso_date(today)
    } else {
        q.to.trim().to_owned()
    };
    let from = if q.from.trim().is_empty() {
        let (mut y, mut m) = (today.year(), i32::from(u8::from(today.month())) - 5);
        if m < 1 {
            m += 12;
            y -= 1;
        }
        format!("{y:04}-{m:02}-01")
    } else {
        q.from.trim().to_owned()
    };
    (from, to)
}

async fn report(state: &AppState, u: &PageUser, q: &StatisticsQuery) -> Result<Report, WebError> {
    let (from, to) = period(state, q);
    let unit = Some(q.unit.trim())
        .filter(|s| !s.is_empty())
        .map(AgencyId::new);
    state
        .app
        .statistics(&u.user.viewer, &from, &to, unit.as_ref())
        .await
        .map_err(|e| u.fail(e))
}

fn link(q: &StatisticsQuery, r: &Report, sort: &str, asc: bool) -> String {
    let mut s = format!("?from={}&to={}&sort={sort}", r.from, r.to);
    if !q.unit.trim().is_empty() {
        s.push_str(&format!("&unit={}", q.unit.trim()));
    }
    if asc {
        s.push_str("&asc=1");
    }
    s
}

pub async fn show(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<StatisticsQuery>,
) -> Result<Response, WebError> {
    let t = Tr(u.lang);
    let mut r = report(&state, &u, &q).await?;
    let column = COLUMNS
        .iter()
        .copied()
        .find(|c| *c == q.sort)
        .unwrap_or("leader_signature_rate");
    let asc = q.asc == "1";
    sort(&mut r.units, column, asc);
    let columns = COLUMNS
        .iter()
        .map(|c| {
            let current = *c == column;
            let arrow = match (current, asc) {
                (false, _) => "",
                (true, true) => " ▲",
                (true, false) => " ▼",
            };
            (
                t.s(&format!("stat_{c}")),
                link(&q, &r, c, current && !asc),
                arrow,
            )
        })
        .collect();
    let rows = r
        .units
        .iter()
        .map(|u| {
            let c = &u.counters;
            let n = |v: i64| t.num(&v);
            vec![
                u.unit_name.clone(),
                n(c.issued),
                n(c.leader_signed_valid),
                n(c.sealed_valid),
                n(u.sent_electronically),
                n(c.incoming),
                n(c.done_on_time),
                n(c.overdue),
                n(c.in_progress),
                percent(t.0, u.leader_signature_rate),
                n(i64::from(u.rank)),
                u.unit_id.to_string(),
            ]
        })
        .collect();
    let page = StatisticsPage {
        chart: bar_chart(&r.units, t.s("stat_chart"), t.0),
        trend: trend_chart(&r, t.s("stat_trend"), t.0),
        csv: format!("/statistics/export.csv{}", link(&q, &r, column, asc)),
        xlsx: format!("/statistics/export.xlsx{}", link(&q, &r, column, asc)),
        from: r.from.clone(),
        to: r.to.clone(),
        unit: q.unit.trim().to_owned(),
        columns,
        rows,
        l: Layout::of(&state, &u, "statistics").await,
    };
    Ok(render(&page))
}

/// The report of the query, sorted as the table is.
async fn sorted_report(
    state: &AppState,
    u: &PageUser,
    q: &StatisticsQuery,
) -> Result<Report, WebError> {
    let mut r = report(state, u, q).await?;
    let column = COLUMNS
        .iter()
        .copied()
        .find(|c| *c == q.sort)
        .unwrap_or("leader_signature_rate");
    sort(&mut r.units, column, q.asc == "1");
    Ok(r)
}

fn download(content_type: &str, name: String, body: impl IntoResponse) -> Response {
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn export(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<StatisticsQuery>,
) -> Result<Response, WebError> {
    let r = sorted_report(&state, &u, &q).await?;
    let name = format!("thong-ke-{}-{}.csv", r.from, r.to);
    let csv = signet_app::statistics::to_csv(&r);
    Ok(download("text/csv; charset=utf-8", name, csv))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    u: PageUser,
    Query(q): Query<StatisticsQuery>,
) -> Result<Response, WebError> {
    let r = sorted_report(&state, &u, &q).await?;
    let name = format!("thong-ke-{}-{}.xlsx", r.from, r.to);
    let xlsx = signet_app::statistics::to_xlsx(&r).map_err(|e| u.fail(e))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
        xlsx,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_store::statistics::Counters;

    fn unit(name: &str, rate: f64) -> UnitStatistics {
        UnitStatistics {
            unit_id: name.into(),
            unit_name: name.into(),
            parent_id: None,
            counters: Counters::default(),
            sent_electronically: 0,
            leader_signature_rate: rate,
            rank: 1,
        }
    }

    #[test]
    fn sorting_and_a_chart_that_escapes_names() {
        let mut units = vec![unit("B <x>", 0.5), unit("A", 0.9), unit("C", 0.1)];
        sort(&mut units, "leader_signature_rate", false);
        assert_eq!(units[0].unit_name, "A");
        sort(&mut units, "leader_signature_rate", true);
        assert_eq!(units[0].unit_name, "C");
        sort(&mut units, "unit_name", true);
        assert_eq!(units[0].unit_name, "A");
        let svg = bar_chart(&units, "Tỷ lệ", Lang::Vi);
        assert!(svg.contains("B &lt;x&gt;") && !svg.contains("<x>"));
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("90,0\u{a0}%"), "{svg}");
        let svg = bar_chart(&units, "Rate", Lang::En);
        assert!(svg.contains("90.0%"), "{svg}");
    }
}
