//! What files may be uploaded: recognised by their first bytes, not by what the client says.

use crate::AppError;

/// The kinds of file a document may carry, by signature.
/// The file kind of a draft's appendices (phụ lục): beside its one main file.
pub const APPENDIX: &str = "attachment";

const KINDS: &[(&[u8], &str, &[&str])] = &[
    (b"%PDF-", "application/pdf", &["pdf"]),
    (
        b"PK\x03\x04",
        "application/zip",
        &["docx", "xlsx", "pptx", "odt", "ods", "zip"],
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "application/msword",
        &["doc", "xls", "ppt"],
    ),
    (b"\x89PNG\r\n\x1a\n", "image/png", &["png"]),
    (b"\xFF\xD8\xFF", "image/jpeg", &["jpg", "jpeg"]),
];

/// Maps the extension to the precise type for zip-based office formats.
fn office_type(ext: &str) -> &'static str {
    match ext {
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        _ => "application/zip",
    }
}

/// The content type of an upload from its name and first bytes, or a clear refusal.
pub fn sniff(file_name: &str, head: &[u8]) -> Result<&'static str, AppError> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    for (magic, content_type, exts) in KINDS {
        if head.starts_with(magic) {
            if !exts.contains(&ext.as_str()) {
                return Err(AppError::Invalid(crate::Invalid::FileTypeMismatch {
                    name: file_name.to_owned(),
                    content_type,
                }));
            }
            return Ok(if *content_type == "application/zip" {
                office_type(&ext)
            } else {
                content_type
            });
        }
    }
    Err(AppError::Invalid(crate::Invalid::FileTypeRefused {
        name: file_name.to_owned(),
    }))
}

/// A file name safe to show and to send back in Content-Disposition.
pub fn clean_file_name(name: &str) -> Result<String, AppError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if cleaned.is_empty() || cleaned.starts_with('.') {
        return Err(AppError::Invalid(crate::Invalid::FileNameMissing));
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            sniff("Tờ trình.pdf", b"%PDF-1.7\n").unwrap(),
            "application/pdf"
        );
        assert!(sniff("x.docx", b"PK\x03\x04rest")
            .unwrap()
            .contains("wordprocessingml"));
        assert!(sniff("x.pdf", b"<html>").is_err(), "HTML named .pdf");
        assert!(sniff("x.exe", b"%PDF-1.4").is_err(), "PDF named .exe");
        assert!(sniff("x.pdf", b"").is_err());
    }

    #[test]
    fn cleans_names() {
        assert_eq!(
            clean_file_name("C:\\Users\\a\\Báo cáo.pdf").unwrap(),
            "Báo cáo.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_file_name("a\"b\n.pdf").unwrap(), "ab.pdf");
        assert!(clean_file_name("   ").is_err());
        assert!(clean_file_name(".htaccess").is_err());
    }
}
