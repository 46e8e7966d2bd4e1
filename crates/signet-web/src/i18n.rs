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
    ("verify_title", "Kiểm tra chữ ký số", "Verify a signed document"),
    ("verify_signatures", "Kiểm tra chữ ký số", "Verify signatures"),
    (
        "verify_intro",
        "Tải lên một tệp PDF đã ký số để kiểm tra tính toàn vẹn, người ký, thời điểm ký và hiệu lực của chứng thư số.",
        "Upload a digitally signed PDF to check its integrity, who signed it, when, and whether the certificates are valid.",
    ),
    ("verify_file", "Tệp văn bản", "Document file"),
    ("verify_button", "Kiểm tra", "Verify"),
    (
        "verify_privacy",
        "Tệp chỉ được dùng để kiểm tra và không được lưu lại.",
        "The file is only used for the check and is not kept.",
    ),
    ("verify_passed", "Hợp lệ", "Valid"),
    ("verify_failed", "Không hợp lệ", "Invalid"),
    ("verify_indeterminate", "Chưa xác định", "Indeterminate"),
    ("verify_signer", "Người ký", "Signer"),
    ("verify_subject", "Chủ thể chứng thư", "Certificate subject"),
    ("verify_issuer", "Tổ chức cấp", "Issuer"),
    ("verify_time", "Thời điểm ký", "Signing time"),
    ("verify_timestamp", "Dấu thời gian", "Timestamp"),
    ("verify_integrity", "Toàn vẹn", "Integrity"),
    ("verify_coverage", "Phạm vi ký", "Coverage"),
    ("verify_modifications", "Sửa đổi sau khi ký", "Changes after signing"),
    ("verify_level", "Mức PAdES", "PAdES level"),
    ("verify_revocation", "Tình trạng thu hồi", "Revocation status"),
    ("verify_kind_signature", "Chữ ký", "Signature"),
    ("integrity_intact", "Nguyên vẹn", "Intact"),
    ("integrity_broken", "Đã bị thay đổi hoặc chữ ký sai", "Broken"),
    ("coverage_file", "Toàn bộ tệp", "The whole file"),
    ("coverage_revision", "Toàn bộ phiên bản được ký (có bổ sung sau)", "The whole signed revision (later additions exist)"),
    ("coverage_partial", "Một phần tệp", "Part of the file"),
    ("mod_none", "Không có", "None"),
    ("mod_ltv", "Chỉ bổ sung dữ liệu kiểm tra dài hạn", "Long-term validation data only"),
    ("mod_form", "Ký thêm hoặc điền biểu mẫu", "Further signatures or form filling"),
    ("mod_annotations", "Thêm chú thích", "Annotations"),
    ("mod_other", "Nội dung bị thay đổi", "Content changed"),
    ("rev_good", "Chưa bị thu hồi", "Not revoked"),
    ("rev_revoked", "Đã bị thu hồi", "Revoked"),
    ("rev_unknown", "Chưa xác định", "Unknown"),
    ("rev_not_checked", "Không kiểm tra", "Not checked"),
    ("verify_kind_timestamp", "Dấu thời gian tài liệu", "Document timestamp"),

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
    ("certificates", "Chứng thư số", "Certificates"),
    ("cert_valid", "Còn hiệu lực", "Valid"),
    (
        "cert_expiring",
        "Sắp hết hạn (30 ngày)",
        "Expiring within 30 days",
    ),
    ("cert_expired", "Hết hạn", "Expired"),
    ("cert_revoked", "Đã thu hồi", "Revoked"),
    ("cert_personal", "Cá nhân", "Personal"),
    ("cert_organization", "Tổ chức", "Organizational"),
    ("device_software", "Tệp khóa (PKCS#12)", "Software keystore (PKCS#12)"),
    ("device_pkcs11", "USB token", "USB token"),
    ("device_remote", "Ký số từ xa", "Remote signing"),
    ("cert_kind", "Loại chứng thư", "Kind"),
    ("cert_holder", "Người/tổ chức sở hữu", "Holder"),
    ("cert_device", "Thiết bị lưu khóa", "Key device"),
    ("cert_device_label", "Số hiệu thiết bị", "Device serial or name"),
    ("cert_serial", "Số hiệu chứng thư", "Serial"),
    ("cert_valid_until", "Hiệu lực đến", "Valid until"),
    ("cert_none", "Chưa có chứng thư số nào.", "No certificates."),
    ("cert_revoke", "Thu hồi", "Revoke"),
    ("cert_reason", "Lý do thu hồi", "Reason"),
    ("cert_request", "Đề nghị cấp chứng thư số", "Request a certificate"),
    ("cert_issue", "Cấp chứng thư", "Issue"),
    (
        "cert_key_hint",
        "Để trống yêu cầu ký (CSR) thì hệ thống sinh khóa và trả về tệp PKCS#12 một lần duy nhất, bảo vệ bằng mật khẩu (tối thiểu 8 ký tự). Dán CSR thì khóa bí mật không rời thiết bị của người sở hữu.",
        "Leave the request (CSR) empty and the system generates the key and returns a PKCS#12 file once, protected by the password (8 characters or more). Paste a CSR and the private key never leaves the holder's device.",
    ),
    ("cert_p12_password", "Mật khẩu tệp PKCS#12", "PKCS#12 password"),
    ("cert_csr", "Yêu cầu ký chứng thư (PKCS#10, PEM)", "Certificate request (PKCS#10, PEM)"),
    (
        "cert_no_ca",
        "Hệ thống chưa cấu hình CA nội bộ nên không cấp được chứng thư số; danh sách vẫn xem được.",
        "No built-in CA is configured, so certificates cannot be issued here; the list still works.",
    ),
    ("reason_unspecified", "Không nêu lý do", "Unspecified"),
    ("reason_keyCompromise", "Lộ khóa bí mật", "Key compromise"),
    (
        "reason_affiliationChanged",
        "Thay đổi cơ quan, đơn vị",
        "Affiliation changed",
    ),
    ("reason_superseded", "Đã cấp chứng thư thay thế", "Superseded"),
    ("reason_cessationOfOperation", "Ngừng sử dụng", "Cessation of operation"),
    ("reason_privilegeWithdrawn", "Rút quyền sử dụng", "Privilege withdrawn"),
    (
        "cert_expiring_admin",
        "chứng thư số sắp hết hạn trong 30 ngày",
        "certificate(s) expiring within 30 days",
    ),
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
