//! Vietnamese first; English when the person chooses it (a cookie set by `/lang/en`).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Self {
        match v {
            Some("en") => Self::En,
            _ => Self::Vi,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }
}

/// Translations of the interface text, looked up by key from the templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

const TEXTS: &[(&str, &str, &str)] = &[
    (
        "app",
        "Signet — Quản lý văn bản và điều hành",
        "Signet — Document management",
    ),
    ("login", "Đăng nhập", "Sign in"),
    ("logout", "Đăng xuất", "Sign out"),
    ("username", "Tên đăng nhập", "Username"),
    ("password", "Mật khẩu", "Password"),
    ("incoming", "Văn bản đến", "Incoming"),
    ("outgoing", "Văn bản đi", "Outgoing"),
    ("registers", "Sổ đăng ký", "Registers"),
    ("admin", "Quản trị", "Administration"),
    ("new_draft", "Tạo dự thảo", "New draft"),
    ("new_incoming", "Vào sổ văn bản đến", "Register incoming"),
    ("type", "Loại văn bản", "Type"),
    ("subject", "Trích yếu", "Subject"),
    ("urgency", "Độ khẩn", "Urgency"),
    ("secrecy", "Độ mật", "Secrecy"),
    ("state", "Trạng thái", "State"),
    ("notation", "Số, ký hiệu", "Number and notation"),
    ("issued_on", "Ngày ban hành", "Issue date"),
    ("arrival_number", "Số đến", "Arrival number"),
    ("arrived_on", "Ngày đến", "Arrival date"),
    ("author", "Cơ quan ban hành", "Issuing agency"),
    (
        "author_code",
        "Mã định danh cơ quan ban hành",
        "Issuer's identifier code",
    ),
    ("signer", "Người ký", "Signer"),
    ("signer_position", "Chức vụ người ký", "Signer's position"),
    ("pages", "Số trang", "Pages"),
    ("recipients", "Nơi nhận", "Recipients"),
    ("due_on", "Hạn xử lý", "Due date"),
    ("drafting_unit", "Đơn vị soạn thảo", "Drafting unit"),
    ("file", "Tệp văn bản", "File"),
    ("files", "Tệp đính kèm", "Files"),
    ("history", "Lịch sử xử lý", "History"),
    ("save", "Lưu", "Save"),
    ("search", "Tìm kiếm", "Search"),
    (
        "search_hint",
        "Trích yếu, số ký hiệu (gõ không dấu được)",
        "Subject, notation (diacritics optional)",
    ),
    ("all", "Tất cả", "All"),
    ("year", "Năm", "Year"),
    ("filter", "Lọc", "Filter"),
    ("next_page", "Trang sau", "Next page"),
    ("first_page", "Trang đầu", "First page"),
    ("empty", "Không có văn bản nào.", "No documents."),
    ("created", "Ngày tạo", "Created"),
    ("submit", "Trình ký", "Submit for signing"),
    ("sign", "Ký duyệt", "Approve and sign"),
    ("return", "Trả lại", "Return to author"),
    ("issue", "Cấp số và ban hành", "Number and issue"),
    ("download", "Tải về", "Download"),
    ("export_csv", "Xuất CSV", "Export CSV"),
    ("book_di", "Sổ đăng ký văn bản đi", "Outgoing register"),
    ("book_den", "Sổ đăng ký văn bản đến", "Incoming register"),
    ("agencies", "Cơ quan", "Agencies"),
    ("units", "Đơn vị (phòng ban)", "Units"),
    ("people", "Người dùng", "People"),
    ("code", "Mã định danh", "Identifier code"),
    ("name", "Tên", "Name"),
    ("abbreviation", "Viết tắt", "Abbreviation"),
    ("full_name", "Họ và tên", "Full name"),
    ("title", "Chức danh", "Title"),
    ("email", "Thư điện tử", "E-mail"),
    ("roles", "Vai trò", "Roles"),
    ("unit", "Đơn vị", "Unit"),
    ("active", "Hoạt động", "Active"),
    ("disabled", "Đã khóa", "Disabled"),
    ("disable", "Khóa", "Disable"),
    ("enable", "Mở khóa", "Enable"),
    ("add", "Thêm", "Add"),
    ("address", "Địa chỉ", "Address"),
    ("parent", "Cơ quan cấp trên", "Parent agency"),
    ("none", "—", "—"),
    ("back", "Quay lại", "Back"),
    ("when", "Thời gian", "When"),
    ("who", "Người thực hiện", "Who"),
    ("action", "Thao tác", "Action"),
    ("size", "Dung lượng", "Size"),
    ("error", "Lỗi", "Error"),
    ("switch_lang", "English", "Tiếng Việt"),
    ("detail", "Chi tiết văn bản", "Document"),
];

impl Tr {
    pub fn s(&self, key: &str) -> &'static str {
        match TEXTS.iter().find(|(k, _, _)| *k == key) {
            Some((_, vi, en)) => {
                if self.0 == Lang::En {
                    en
                } else {
                    vi
                }
            }
            None => "?",
        }
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }

    /// The language the switch leads to.
    pub fn other(&self) -> &'static str {
        if self.0 == Lang::En {
            "vi"
        } else {
            "en"
        }
    }

    pub fn pick<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        if self.0 == Lang::En {
            en
        } else {
            vi
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = super::TEXTS.iter().map(|t| t.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len());
    }
}
