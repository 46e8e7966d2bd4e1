//! Document metadata after Nghị định 30/2020 Phụ lục VI: type, urgency, secrecy, direction.

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// Outgoing (văn bản đi) or incoming (văn bản đến).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Outgoing,
    Incoming,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Outgoing => "outgoing",
            Self::Incoming => "incoming",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "outgoing" => Some(Self::Outgoing),
            "incoming" => Some(Self::Incoming),
            _ => None,
        }
    }
}

/// The kind of law a type belongs to: legal-normative documents (văn bản quy phạm pháp luật)
/// are numbered in a series per type; administrative ones share the agency's series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeGroup {
    LegalNormative,
    Administrative,
}

macro_rules! document_types {
    ($( $variant:ident, $code:literal, $vi:literal, $en:literal, $abbr:expr, $group:ident; )*) => {
        /// Document types: the 29 administrative types of Nghị định 30 Điều 7 with the
        /// abbreviations of Phụ lục III, and the legal-normative types a province issues.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum DocumentType { $( $variant, )* }

        impl DocumentType {
            pub const ALL: &'static [DocumentType] = &[ $( DocumentType::$variant, )* ];

            /// Stable ASCII code used in storage and the API.
            pub fn code(self) -> &'static str {
                match self { $( Self::$variant => $code, )* }
            }

            /// The name in Vietnamese, as printed on the document.
            pub fn name_vi(self) -> &'static str {
                match self { $( Self::$variant => $vi, )* }
            }

            pub fn name_en(self) -> &'static str {
                match self { $( Self::$variant => $en, )* }
            }

            /// The abbreviation used in the notation (ký hiệu); `None` for công văn and
            /// thư công, whose notation is built from the issuer and the drafting unit.
            pub fn abbreviation(self) -> Option<&'static str> {
                match self { $( Self::$variant => $abbr, )* }
            }

            pub fn group(self) -> TypeGroup {
                match self { $( Self::$variant => TypeGroup::$group, )* }
            }
        }
    };
}

document_types! {
    NghiQuyet, "nghi-quyet", "Nghị quyết", "Resolution", Some("NQ"), Administrative;
    QuyetDinh, "quyet-dinh", "Quyết định", "Decision", Some("QĐ"), Administrative;
    ChiThi, "chi-thi", "Chỉ thị", "Directive", Some("CT"), Administrative;
    QuyChe, "quy-che", "Quy chế", "Regulation", Some("QC"), Administrative;
    QuyDinh, "quy-dinh", "Quy định", "Rules", Some("QyĐ"), Administrative;
    ThongCao, "thong-cao", "Thông cáo", "Communiqué", Some("TC"), Administrative;
    ThongBao, "thong-bao", "Thông báo", "Notice", Some("TB"), Administrative;
    HuongDan, "huong-dan", "Hướng dẫn", "Guidance", Some("HD"), Administrative;
    ChuongTrinh, "chuong-trinh", "Chương trình", "Programme", Some("CTr"), Administrative;
    KeHoach, "ke-hoach", "Kế hoạch", "Plan", Some("KH"), Administrative;
    PhuongAn, "phuong-an", "Phương án", "Scheme", Some("PA"), Administrative;
    DeAn, "de-an", "Đề án", "Proposal", Some("ĐA"), Administrative;
    DuAn, "du-an", "Dự án", "Project", Some("DA"), Administrative;
    BaoCao, "bao-cao", "Báo cáo", "Report", Some("BC"), Administrative;
    BienBan, "bien-ban", "Biên bản", "Minutes", Some("BB"), Administrative;
    ToTrinh, "to-trinh", "Tờ trình", "Submission", Some("TTr"), Administrative;
    HopDong, "hop-dong", "Hợp đồng", "Contract", Some("HĐ"), Administrative;
    CongVan, "cong-van", "Công văn", "Official letter", None, Administrative;
    CongDien, "cong-dien", "Công điện", "Official dispatch", Some("CĐ"), Administrative;
    BanGhiNho, "ban-ghi-nho", "Bản ghi nhớ", "Memorandum", Some("BGN"), Administrative;
    BanThoaThuan, "ban-thoa-thuan", "Bản thỏa thuận", "Agreement", Some("BTT"), Administrative;
    GiayUyQuyen, "giay-uy-quyen", "Giấy ủy quyền", "Power of attorney", Some("GUQ"), Administrative;
    GiayMoi, "giay-moi", "Giấy mời", "Invitation", Some("GM"), Administrative;
    GiayGioiThieu, "giay-gioi-thieu", "Giấy giới thiệu", "Letter of introduction", Some("GGT"), Administrative;
    GiayNghiPhep, "giay-nghi-phep", "Giấy nghỉ phép", "Leave permit", Some("GNP"), Administrative;
    PhieuGui, "phieu-gui", "Phiếu gửi", "Dispatch slip", Some("PG"), Administrative;
    PhieuChuyen, "phieu-chuyen", "Phiếu chuyển", "Transfer slip", Some("PC"), Administrative;
    PhieuBao, "phieu-bao", "Phiếu báo", "Notification slip", Some("PB"), Administrative;
    ThuCong, "thu-cong", "Thư công", "Public letter", None, Administrative;
    NghiQuyetQppl, "nghi-quyet-qppl", "Nghị quyết (quy phạm pháp luật)", "Resolution (legal-normative)", Some("NQ"), LegalNormative;
    QuyetDinhQppl, "quyet-dinh-qppl", "Quyết định (quy phạm pháp luật)", "Decision (legal-normative)", Some("QĐ"), LegalNormative;
}

impl DocumentType {
    pub fn parse(code: &str) -> Result<Self, CoreError> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.code() == code)
            .ok_or_else(|| CoreError::UnknownDocumentType(code.to_owned()))
    }

    /// The 29 administrative types of Nghị định 30 Điều 7.
    pub fn administrative() -> impl Iterator<Item = DocumentType> {
        Self::ALL
            .iter()
            .copied()
            .filter(|t| t.group() == TypeGroup::Administrative)
    }
}

impl TryFrom<String> for DocumentType {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, CoreError> {
        Self::parse(&s)
    }
}

impl From<DocumentType> for &'static str {
    fn from(t: DocumentType) -> &'static str {
        t.code()
    }
}

macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident, $err:ident, [$( $variant:ident, $code:literal, $vi:literal, $en:literal; )*]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name { #[default] $( $variant, )* }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];

            pub fn code(self) -> &'static str {
                match self { $( Self::$variant => $code, )* }
            }

            pub fn label_vi(self) -> &'static str {
                match self { $( Self::$variant => $vi, )* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $( Self::$variant => $en, )* }
            }

            pub fn parse(s: &str) -> Result<Self, CoreError> {
                Self::ALL.iter().copied().find(|v| v.code() == s)
                    .ok_or_else(|| CoreError::$err(s.to_owned()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = CoreError;
            fn try_from(s: String) -> Result<Self, CoreError> { Self::parse(&s) }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str { v.code() }
        }
    };
}

labelled_enum!(
    /// Urgency (độ khẩn). The order is the edXML `Priority` value 0..4.
    Urgency, UnknownUrgency, [
    Normal, "thuong", "Thường", "Normal";
    Urgent, "khan", "Khẩn", "Urgent";
    VeryUrgent, "thuong-khan", "Thượng khẩn", "Very urgent";
    Flash, "hoa-toc", "Hỏa tốc", "Flash";
    FlashScheduled, "hoa-toc-hen-gio", "Hỏa tốc hẹn giờ", "Flash, scheduled";
]);

labelled_enum!(
    /// Secrecy (độ mật) under the law on state secrets.
    Secrecy, UnknownSecrecy, [
    None, "khong", "Không", "None";
    Confidential, "mat", "Mật", "Confidential";
    Secret, "toi-mat", "Tối mật", "Secret";
    TopSecret, "tuyet-mat", "Tuyệt mật", "Top secret";
]);

impl Urgency {
    /// The edXML `OtherInfo/Priority` value.
    pub fn edxml_priority(self) -> u8 {
        self as u8
    }

    /// Nghị định 30 Điều 4.2.c: urgent documents are registered and presented at once.
    pub fn is_urgent(self) -> bool {
        self != Self::Normal
    }
}

impl Secrecy {
    pub fn is_secret(self) -> bool {
        self != Self::None
    }
}

/// Checks a required free-text field and its length in characters (not bytes).
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), CoreError> {
    let len = value.trim().chars().count();
    if len == 0 {
        return Err(CoreError::Required { field });
    }
    check_optional_text(field, value, max)
}

pub fn check_optional_text(field: &'static str, value: &str, max: usize) -> Result<(), CoreError> {
    if value.contains('\0') {
        return Err(CoreError::NulCharacter { field });
    }
    let len = value.chars().count();
    if len > max {
        return Err(CoreError::TooLong { field, len, max });
    }
    Ok(())
}

/// Field limits from Phụ lục VI (lengths in characters).
pub mod limits {
    pub const SUBJECT: usize = 500;
    pub const CODE_NOTATION: usize = 30;
    pub const SIGNER_NAME: usize = 50;
    pub const SIGNER_POSITION: usize = 100;
    pub const ORGAN_NAME: usize = 200;
    pub const RECIPIENTS: usize = 1000;
    pub const DESCRIPTION: usize = 500;
    /// A person's title (chức vụ), as long as a signer's position.
    pub const PERSON_TITLE: usize = SIGNER_POSITION;
    /// An e-mail address (RFC 5321: 254 characters at most in a path).
    pub const EMAIL: usize = 254;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_holds_no_nul_character() {
        let nul =
            |r: Result<(), CoreError>| matches!(r, Err(CoreError::NulCharacter { field: "f" }));
        assert!(nul(check_text("f", "Nul\0Name", 50)));
        assert!(nul(check_optional_text("f", "\0", 50)));
        assert!(check_optional_text("f", "", 50).is_ok());
        assert!(check_text("f", "Nguyễn Văn A", 50).is_ok());
    }

    #[test]
    fn twenty_nine_administrative_types() {
        assert_eq!(DocumentType::administrative().count(), 29);
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        for t in DocumentType::ALL {
            assert_eq!(DocumentType::parse(t.code()).unwrap(), *t);
        }
        let mut codes: Vec<_> = DocumentType::ALL.iter().map(|t| t.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), DocumentType::ALL.len());
    }

    #[test]
    fn only_cong_van_and_thu_cong_lack_an_abbreviation() {
        let without: Vec<_> = DocumentType::ALL
            .iter()
            .filter(|t| t.abbreviation().is_none())
            .collect();
        assert_eq!(without, [&DocumentType::CongVan, &DocumentType::ThuCong]);
    }

    #[test]
    fn urgency_matches_edxml_priority() {
        assert_eq!(Urgency::Normal.edxml_priority(), 0);
        assert_eq!(Urgency::FlashScheduled.edxml_priority(), 4);
        assert_eq!(Urgency::parse("hoa-toc").unwrap(), Urgency::Flash);
        assert!(Urgency::parse("rat-khan").is_err());
    }

    #[test]
    fn text_limits_count_characters() {
        assert!(check_text("subject", &"ế".repeat(500), limits::SUBJECT).is_ok());
        assert!(check_text("subject", &"ế".repeat(501), limits::SUBJECT).is_err());
        assert_eq!(
            check_text("subject", "  ", 10),
            Err(CoreError::Required { field: "subject" })
        );
    }
}
