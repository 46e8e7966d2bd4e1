//! Oversight statistics (issue 10 §5): per agency of the tree, the counters of a period,
//! the personal-signature rate and the rank among siblings; the monthly trend.
//!
//! Who sees what: a leader or administrator sees their agency and every agency below it —
//! so the province's (the top agency's) administrator sees the whole province — and nobody
//! sees an agency outside that subtree (another province, a sibling department). `sent_electronically` stays 0 until the document
//! exchange (trục liên thông) records sending: there is no source for it yet.

use std::collections::{HashMap, HashSet};

use signet_core::ids::{AgencyId, DocumentId};
use signet_core::person::Viewer;
use signet_core::Role;
use signet_store::directory::Agency;
use signet_store::statistics::{Counters, Difference};

use crate::clock::{iso_date, parse_date};
use crate::{App, AppError, Invalid};

/// One agency's line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitStatistics {
    pub unit_id: AgencyId,
    pub unit_name: String,
    pub parent_id: Option<AgencyId>,
    pub counters: Counters,
    /// Always 0 for now (see the module's note).
    pub sent_electronically: i64,
    /// Valid leader's signatures over issued documents; 0 when none were issued.
    pub leader_signature_rate: f64,
    /// 1 for the best rate among the agencies of the same parent (ties share a rank).
    pub rank: u32,
}

/// The statistics of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `YYYY-MM-DD`, as asked.
    pub from: String,
    pub to: String,
    pub units: Vec<UnitStatistics>,
    /// The visible agencies' counters summed per month, in month order (the trend line).
    pub months: Vec<(String, Counters)>,
}

/// The longest period one request covers.
pub const MAX_MONTHS: usize = 120;

fn rate(c: &Counters) -> f64 {
    if c.issued == 0 {
        0.0
    } else {
        c.leader_signed_valid as f64 / c.issued as f64
    }
}

/// The agencies of `root`'s subtree (itself included).
fn subtree(agencies: &[Agency], root: &AgencyId) -> HashSet<AgencyId> {
    let mut children: HashMap<&AgencyId, Vec<&AgencyId>> = HashMap::new();
    for a in agencies {
        if let Some(p) = &a.parent_id {
            children.entry(p).or_default().push(&a.id);
        }
    }
    let mut out = HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if out.insert(id.clone()) {
            stack.extend(children.get(id).into_iter().flatten().copied());
        }
    }
    out
}

/// Ranks among siblings by rate, best first; equal rates share a rank (1, 2, 2, 4).
fn rank(units: &mut [UnitStatistics]) {
    let mut by_parent: HashMap<Option<AgencyId>, Vec<f64>> = HashMap::new();
    for u in units.iter() {
        by_parent
            .entry(u.parent_id.clone())
            .or_default()
            .push(u.leader_signature_rate);
    }
    for u in units.iter_mut() {
        let better = by_parent.get(&u.parent_id).map_or(0, |rates| {
            rates
                .iter()
                .filter(|r| **r > u.leader_signature_rate)
                .count()
        });
        u.rank = u32::try_from(better).unwrap_or(u32::MAX).saturating_add(1);
    }
}

fn date(field: &'static str, s: &str) -> Result<time::Date, AppError> {
    parse_date(s).ok_or_else(|| {
        AppError::Invalid(Invalid::Date {
            field,
            value: s.trim().to_owned(),
        })
    })
}

impl App {
    /// The agencies the viewer may see the statistics of, or a refusal.
    async fn visible_agencies(&self, viewer: &Viewer) -> Result<Vec<Agency>, AppError> {
        if !viewer.has(Role::Leader) && !viewer.has(Role::Administrator) {
            return Err(AppError::Forbidden(
                "statistics: leaders and administrators",
            ));
        }
        let all = self.store.agencies().await?;
        let mine = subtree(&all, &viewer.agency_id);
        Ok(all.into_iter().filter(|a| mine.contains(&a.id)).collect())
    }

    /// The statistics of `from..=to` (dates; counted by whole months) for the agencies the
    /// viewer may see, or `unit`'s subtree of them.
    pub async fn statistics(
        &self,
        viewer: &Viewer,
        from: &str,
        to: &str,
        unit: Option<&AgencyId>,
    ) -> Result<Report, AppError> {
        let (from_d, to_d) = (date("from", from)?, date("to", to)?);
        if to_d < from_d {
            return Err(AppError::Invalid(Invalid::Period {
                from: iso_date(from_d),
                to: iso_date(to_d),
            }));
        }
        let months = (to_d.year() - from_d.year()) * 12 + i32::from(u8::from(to_d.month()))
            - i32::from(u8::from(from_d.month()));
        if months >= MAX_MONTHS as i32 {
            return Err(AppError::Invalid(Invalid::DateOutOfRange {
                field: "to",
                value: iso_date(to_d),
                from: iso_date(from_d),
                to: format!("+{MAX_MONTHS} months"),
            }));
        }
        let mut agencies = self.visible_agencies(viewer).await?;
        if let Some(root) = unit {
            if !agencies.iter().any(|a| a.id == *root) {
                return Err(AppError::NotFound);
            }
            let sub = subtree(&agencies, root);
            agencies.retain(|a| sub.contains(&a.id));
        }
        let (from_m, to_m) = (
            signet_core::calendar::month_key(from_d),
            signet_core::calendar::month_key(to_d),
        );
        // Summed by the database; the whole set needs no list of ids.
        let all = agencies.len() == self.store.agency_count().await?;
        let ids: Vec<AgencyId> = agencies.iter().map(|a| a.id.clone()).collect();
        let only = (!all).then_some(ids.as_slice());
        let per_unit: HashMap<AgencyId, Counters> = self
            .store
            .summed_counters(&from_m, &to_m, false, only)
            .await?
            .into_iter()
            .map(|(id, c)| (AgencyId::new(id), c))
            .collect();
        let per_month = self
            .store
            .summed_counters(&from_m, &to_m, true, only)
            .await?;
        let mut units: Vec<UnitStatistics> = agencies
            .iter()
            .map(|a| {
                let counters = per_unit.get(&a.id).copied().unwrap_or_default();
                UnitStatistics {
                    unit_id: a.id.clone(),
                    unit_name: a.name.clone(),
                    parent_id: a.parent_id.clone(),
                    leader_signature_rate: rate(&counters),
                    counters,
                    sent_electronically: 0,
                    rank: 0,
                }
            })
            .collect();
        rank(&mut units);
        Ok(Report {
            from: iso_date(from_d),
            to: iso_date(to_d),
            units,
            months: per_month,
        })
    }

    /// Records the verification verdicts of an issued document's file (the issue flow calls
    /// this once it has verified what it issued).
    pub async fn record_signature_verdicts(
        &self,
        viewer: &Viewer,
        document_id: &DocumentId,
        leader_valid: bool,
        seal_valid: bool,
    ) -> Result<(), AppError> {
        Ok(self
            .store
            .record_signature_verdicts(
                &viewer.agency_id,
                document_id,
                leader_valid,
                seal_valid,
                self.clock.now_ms(),
            )
            .await?)
    }

    /// `signet statistics recount`: the counters that differ from a recount.
    pub async fn recount(&self, month: Option<&str>) -> Result<Vec<Difference>, AppError> {
        if let Some(m) = month {
            let ok = m.len() == 7 && parse_date(&format!("{m}-01")).is_some();
            if !ok {
                return Err(AppError::Invalid(Invalid::Date {
                    field: "month",
                    value: m.to_owned(),
                }));
            }
        }
        Ok(self.store.recount(month).await?)
    }
}

/// The columns of the table and of its CSV, in order.
pub const COLUMNS: [&str; 14] = [
    "unit_id",
    "unit_name",
    "parent_id",
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
    "period",
];

/// The report as CSV (UTF-8 with BOM, like the registers), one line per agency.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from("\u{feff}");
    crate::registers::push_csv_line(&mut out, &COLUMNS.map(str::to_owned));
    let period = format!("{}..{}", report.from, report.to);
    for u in &report.units {
        let c = &u.counters;
        let cells = [
            u.unit_id.to_string(),
            u.unit_name.clone(),
            u.parent_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            c.issued.to_string(),
            c.leader_signed_valid.to_string(),
            c.sealed_valid.to_string(),
            u.sent_electronically.to_string(),
            c.incoming.to_string(),
            c.done_on_time.to_string(),
            c.overdue.to_string(),
            c.in_progress.to_string(),
            format!("{:.4}", u.leader_signature_rate),
            u.rank.to_string(),
            period.clone(),
        ];
        crate::registers::push_csv_line(&mut out, &cells);
    }
    out
}

/// The report as an XLSX workbook (one sheet, the same columns as the CSV, numbers as
/// numbers and the rate as a percentage).
pub fn to_xlsx(report: &Report) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    // Writing to memory fails only on a bug (a bad sheet name or cell): an internal error.
    let fail = |e: rust_xlsxwriter::XlsxError| {
        AppError::Internal(signet_store::StoreError::Io(std::io::Error::other(
            format!("XLSX export: {e}"),
        )))
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Thong ke").map_err(fail)?;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    for (col, name) in (0u16..).zip(COLUMNS) {
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(fail)?;
    }
    let period = format!("{}..{}", report.from, report.to);
    for (row, u) in (1u32..).zip(&report.units) {
        let c = &u.counters;
        let texts = [
            u.unit_id.to_string(),
            u.unit_name.clone(),
            u.parent_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ];
        for (col, t) in (0u16..).zip(texts) {
            sheet.write_string(row, col, t).map_err(fail)?;
        }
        let numbers = [
            c.issued,
            c.leader_signed_valid,
            c.sealed_valid,
            u.sent_electronically,
            c.incoming,
            c.done_on_time,
            c.overdue,
            c.in_progress,
        ];
        for (col, n) in (3u16..).zip(numbers) {
            sheet.write_number(row, col, n as f64).map_err(fail)?;
        }
        sheet
            .write_number_with_format(row, 11, u.leader_signature_rate, &percent)
            .map_err(fail)?;
        sheet
            .write_number(row, 12, f64::from(u.rank))
            .map_err(fail)?;
        sheet.write_string(row, 13, &period).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, parent: Option<&str>, rate: f64) -> UnitStatistics {
        UnitStatistics {
            unit_id: id.into(),
            unit_name: id.into(),
            parent_id: parent.map(AgencyId::from),
            counters: Counters::default(),
            sent_electronically: 0,
            leader_signature_rate: rate,
            rank: 0,
        }
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let report = Report {
            from: "2026-12-01".into(),
            to: "2026-12-31".into(),
            units: vec![unit("a", None, 0.5)],
            months: Vec::new(),
        };
        let bytes = to_xlsx(&report).unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        assert!(bytes.windows(16).any(|w| w == b"xl/worksheets/sh"));
    }

    #[test]
    fn ranks_among_siblings_only() {
        let mut units = vec![
            unit("p", None, 0.1),
            unit("a", Some("p"), 0.9),
            unit("b", Some("p"), 0.5),
            unit("c", Some("p"), 0.9),
            unit("x", Some("a"), 0.0),
        ];
        rank(&mut units);
        let ranks: Vec<u32> = units.iter().map(|u| u.rank).collect();
        assert_eq!(ranks, [1, 1, 3, 1, 1]);
    }
}
