//! Registers (sổ đăng ký văn bản đi / đến) with the columns of Nghị định 30 Phụ lục IV.

use signet_core::lifecycle::{DocumentState, IncomingState};
use signet_core::person::Viewer;
use signet_store::documents::{Document, RegisterDetails};

use crate::{App, AppError};

/// Which book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    /// Sổ đăng ký văn bản đi (the agency's administrative series).
    Outgoing,
    /// Sổ đăng ký văn bản đến.
    Incoming,
}

impl Book {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "di" | "outgoing" => Some(Self::Outgoing),
            "den" | "incoming" => Some(Self::Incoming),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Outgoing => "di",
            Self::Incoming => "den",
        }
    }

    /// The column headings of Phụ lục IV.
    pub fn columns(self) -> [&'static str; 10] {
        match self {
            Self::Outgoing => [
                "Số, ký hiệu văn bản",
                "Ngày tháng văn bản",
                "Tên loại và trích yếu nội dung",
                "Người ký",
                "Nơi nhận văn bản",
                "Đơn vị, người nhận bản lưu",
                "Số lượng bản",
                "Ngày chuyển",
                "Ký nhận",
                "Ghi chú",
            ],
            Self::Incoming => [
                "Ngày đến",
                "Số đến",
                "Tác giả",
                "Số, ký hiệu",
                "Ngày tháng",
                "Tên loại và trích yếu nội dung",
                "Đơn vị hoặc người nhận",
                "Ngày chuyển",
                "Ký nhận",
                "Ghi chú",
            ],
        }
    }

    /// One row of the book for an entry: every column from what happened.
    pub fn row(self, e: &RegisterEntry) -> [String; 10] {
        let d = &e.document;
        let x = &e.details;
        let name_and_subject = format!("{} — {}", d.doc_type.name_vi(), d.subject);
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let day = |ms: Option<i64>| ms.map(crate::clock::vietnam_date_ms).unwrap_or_default();
        match self {
            Self::Outgoing => [
                opt(&d.notation),
                opt(&d.issued_on),
                name_and_subject,
                d.signer_name.clone(),
                d.recipients.clone(),
                x.keeper.clone(),
                copies(d, x).to_string(),
                day(x.sent_at_ms),
                x.acknowledged_by.join("; "),
                String::new(),
            ],
            Self::Incoming => [
                opt(&d.arrived_on),
                d.number.map(|n| n.to_string()).unwrap_or_default(),
                d.author_name.clone(),
                opt(&d.notation),
                opt(&d.issued_on),
                name_and_subject,
                x.lead.clone().unwrap_or_default(),
                day(x.assigned_at_ms),
                taken_up(d, x),
                incoming_note(d),
            ],
        }
    }
}

/// A register's line: the document and what its other columns record.
#[derive(Debug, Clone)]
pub struct RegisterEntry {
    pub document: Document,
    pub details: RegisterDetails,
}

/// Số lượng bản: the recipients it went to (one per line of "nơi nhận", or the exchange's
/// deliveries when more), and the filed copy.
fn copies(d: &Document, x: &RegisterDetails) -> i64 {
    let listed = d
        .recipients
        .lines()
        .flat_map(|l| l.split(';'))
        .filter(|r| !r.trim().is_empty())
        .count();
    i64::try_from(listed).unwrap_or(0).max(x.sent_copies) + 1
}

/// Ký nhận of an incoming document: the lead, once they took it up (processing or done).
fn taken_up(d: &Document, x: &RegisterDetails) -> String {
    let started = matches!(
        d.state,
        DocumentState::Incoming(IncomingState::Processing | IncomingState::Done)
    );
    if started {
        x.lead.clone().unwrap_or_default()
    } else {
        String::new()
    }
}

/// Ghi chú of an incoming document: where it stands once past registration.
fn incoming_note(d: &Document) -> String {
    match d.state {
        DocumentState::Incoming(IncomingState::Registered) => String::new(),
        s => s.label_vi().to_owned(),
    }
}

impl App {
    /// The entries of a register for a year, in number order. Registers are the clerk's and
    /// the leaders' books.
    pub async fn register(
        &self,
        viewer: &Viewer,
        book: Book,
        year: i64,
    ) -> Result<Vec<RegisterEntry>, AppError> {
        if !(viewer.can_register() || viewer.can_sign()) {
            return Err(AppError::Forbidden("registers: clerks and leaders"));
        }
        let docs = self
            .store
            .register(&viewer.agency_id, book.code(), year)
            .await?;
        let details = self
            .store
            .register_details(&viewer.agency_id, book.code(), year)
            .await?;
        Ok(docs
            .into_iter()
            .map(|document| {
                let details = details
                    .iter()
                    .find(|x| x.id == document.id.as_str())
                    .cloned()
                    .unwrap_or_default();
                RegisterEntry { document, details }
            })
            .collect())
    }
}

/// The register as CSV (UTF-8 with BOM, so spreadsheet programs read the diacritics).
pub fn to_csv(book: Book, docs: &[RegisterEntry]) -> String {
    let mut out = String::from("\u{feff}");
    push_csv_line(&mut out, &book.columns().map(str::to_owned));
    for d in docs {
        push_csv_line(&mut out, &book.row(d));
    }
    out
}

pub(crate) fn push_csv_line(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// Quotes a cell when needed, and defuses cells a spreadsheet would run as a formula.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_quoting_and_formula_defusing() {
        assert_eq!(csv_cell("Ký số"), "Ký số");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
