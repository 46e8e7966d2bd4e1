//! Registers (sổ đăng ký văn bản đi / đến) with the columns of Nghị định 30 Phụ lục IV.

use signet_core::person::Viewer;
use signet_store::documents::Document;

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

    /// One row of the book for a document.
    pub fn row(self, d: &Document) -> [String; 10] {
        let name_and_subject = format!("{} — {}", d.doc_type.name_vi(), d.subject);
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        match self {
            Self::Outgoing => [
                opt(&d.notation),
                opt(&d.issued_on),
                name_and_subject,
                d.signer_name.clone(),
                d.recipients.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
            Self::Incoming => [
                opt(&d.arrived_on),
                d.number.map(|n| n.to_string()).unwrap_or_default(),
                d.author_name.clone(),
                opt(&d.notation),
                opt(&d.issued_on),
                name_and_subject,
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        }
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
    ) -> Result<Vec<Document>, AppError> {
        if !(viewer.can_register() || viewer.can_sign()) {
            return Err(AppError::Forbidden("registers: clerks and leaders"));
        }
        Ok(self
            .store
            .register(&viewer.agency_id, book.code(), year)
            .await?)
    }
}

/// The register as CSV (UTF-8 with BOM, so spreadsheet programs read the diacritics).
pub fn to_csv(book: Book, docs: &[Document]) -> String {
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
