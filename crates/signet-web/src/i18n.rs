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
    ("verify_password", "Mật khẩu mở tệp (nếu tệp được mã hoá)", "Password to open the file (if it is encrypted)"),
    (
        "verify_password_hint",
        "Chỉ cần khi tệp PDF được mã hoá bằng mật khẩu người dùng; tệp chỉ đặt mật khẩu chủ sở hữu (hạn chế in, sửa) được kiểm tra không cần mật khẩu.",
        "Only needed when the PDF is encrypted with a user password; files with only an owner password (restricting printing or editing) are verified without one.",
    ),
    (
        "verify_download_etsi",
        "Tải báo cáo kiểm tra (XML theo ETSI TS 119 102-2)",
        "Download the validation report (ETSI TS 119 102-2 XML)",
    ),
    (
        "verify_download_slip",
        "Tải phiếu kiểm tra chữ ký số (PDF)",
        "Download the verification slip (PDF, Vietnamese)",
    ),
    (
        "verify_download_hint",
        "Để tải báo cáo, chọn tệp rồi bấm nút tải: tệp được kiểm tra lại, máy chủ không lưu tệp hay kết quả.",
        "To download a report, choose the file and press a download button: the file is verified again; the server keeps neither the file nor the result.",
    ),
    ("verify_signer_title", "Chức vụ", "Title"),
    ("trust_lists", "Danh sách tin cậy", "Trust lists"),
    (
        "trust_lists_hint",
        "Chứng thư gốc dùng để kiểm tra chữ ký số trên văn bản đến (có sẵn trong phần mềm). Chỉ quản trị viên của cơ quan cấp trên cùng được bật, tắt; thay đổi áp dụng cho mọi cơ quan.",
        "Root certificates used to verify signatures on incoming documents (built in). Only administrators of the top agency turn them on or off; the change applies to every agency.",
    ),
    ("trust_lists_certs", "Chứng thư gốc + trung gian · phiên bản", "Roots + intermediates · version"),
    ("trust_list_on", "Đang dùng", "In use"),
    ("trust_list_off", "Đã tắt", "Off"),
    ("trust_list_turn_on", "Bật", "Turn on"),
    ("trust_list_turn_off", "Tắt", "Turn off"),
    ("verify_signer_id", "Mã định danh", "Identifier"),
    ("verify_trust_list", "Danh sách tin cậy", "Trust list"),
    (
        "verify_privacy",
        "Tệp chỉ được dùng để kiểm tra và không được lưu lại.",
        "The file is only used for the check and is not kept.",
    ),
    ("verify_passed", "Hợp lệ", "Valid"),
    ("verify_failed", "Không hợp lệ", "Invalid"),
    ("verify_indeterminate", "Chưa đủ cơ sở kết luận", "Indeterminate"),
    ("verify_detail", "Chi tiết kỹ thuật", "Technical detail"),
    ("verify_reason", "Lý do", "Reason"),
    ("sub_format_failure", "tệp hoặc chữ ký sai định dạng", "format failure"),
    ("sub_hash_failure", "nội dung đã bị thay đổi sau khi ký", "hash failure: the content was changed"),
    ("sub_sig_crypto_failure", "chữ ký không khớp với khóa của chứng thư", "the signature does not match the certificate's key"),
    ("sub_revoked", "chứng thư đã bị thu hồi", "certificate revoked"),
    ("sub_no_certificate_chain_found", "không lần được đến tổ chức chứng thực tin cậy", "no chain to a trusted root"),
    ("sub_revoked_no_poe", "chứng thư đã bị thu hồi, không có bằng chứng ký trước đó", "revoked, no proof of existence before"),
    ("sub_out_of_bounds_no_poe", "chứng thư hết hạn, không có bằng chứng ký trước đó", "expired, no proof of existence before"),
    ("sub_not_yet_valid", "chứng thư chưa có hiệu lực", "certificate not yet valid"),
    ("sub_try_later", "chưa có dữ liệu thu hồi, kiểm tra lại sau", "no revocation data yet, try later"),
    ("sub_chain_constraints_failure", "chuỗi chứng thư không đáp ứng ràng buộc", "chain constraints failure"),
    ("sub_crypto_constraints_failure_no_poe", "thuật toán mật mã không còn đủ an toàn", "cryptographic constraints failure"),
    ("sub_sig_constraints_failure", "chữ ký không đáp ứng chính sách kiểm tra", "signature constraints failure"),
    ("sub_no_signer_certificate_found", "không tìm thấy chứng thư của người ký", "no signer certificate found"),
    ("mod_content_changed", "Nội dung đã bị thay đổi sau khi ký", "The content was changed after signing"),
    ("rev_source_crl", "theo danh sách thu hồi CRL", "from a CRL"),
    ("rev_source_ocsp", "theo dịch vụ OCSP", "from OCSP"),
    ("rev_source_none", "không có dữ liệu thu hồi", "no revocation data"),
    ("rev_source_no_check", "chứng thư được miễn kiểm tra thu hồi", "certificate exempt from revocation checks"),
    ("verify_signer", "Người ký", "Signer"),
    ("verify_subject", "Chủ thể chứng thư", "Certificate subject"),
    ("verify_issuer", "Tổ chức cấp", "Issuer"),
    ("verify_time", "Thời điểm ký", "Signing time"),
    ("verify_timestamp", "Dấu thời gian", "Timestamp"),
    (
        "verify_proof_of_existence",
        "Được chứng minh đã tồn tại lúc",
        "Proven to exist at",
    ),
    (
        "verify_validated_at",
        "Chứng thư số được kiểm tra tại thời điểm",
        "Certificates checked as at",
    ),
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
    ("present", "Trình lãnh đạo", "Present to the leader"),
    ("statistics", "Thống kê", "Statistics"),
    ("queue", "Việc cần xử lý", "My work"),
    ("sign_requests", "Yêu cầu ký số", "Signing requests"),
    ("holidays", "Ngày nghỉ lễ", "Public holidays"),
    (
        "holidays_hint",
        "Hạn xử lý tính theo ngày làm việc, bỏ qua thứ Bảy, Chủ nhật và các ngày dưới đây (áp dụng cho mọi cơ quan; chỉ quản trị cơ quan cấp cao nhất được sửa).",
        "Deadlines count working days, skipping Saturdays, Sundays and the days below (for every agency; only the top agency's administrators change them).",
    ),
    ("day", "Ngày", "Day"),
    ("remove", "Bỏ", "Remove"),
    ("stat_from", "Từ ngày", "From"),
    ("export_xlsx", "Xuất Excel (XLSX)", "Export XLSX"),
    ("stat_to", "Đến ngày", "To"),
    ("stat_unit_name", "Cơ quan, đơn vị", "Agency"),
    ("stat_issued", "VB đi ban hành", "Issued"),
    ("stat_leader_signed_valid", "Chữ ký lãnh đạo hợp lệ", "Valid leader's signature"),
    ("stat_sealed_valid", "Chữ ký cơ quan hợp lệ", "Valid seal"),
    ("stat_sent_electronically", "Gửi điện tử", "Sent electronically"),
    ("stat_incoming", "VB đến", "Incoming"),
    ("stat_done_on_time", "Xử lý đúng hạn", "Done on time"),
    ("stat_overdue", "Xử lý quá hạn", "Done late"),
    ("stat_in_progress", "Đang xử lý", "In progress"),
    ("stat_leader_signature_rate", "Tỷ lệ ký số cá nhân", "Personal-signature rate"),
    ("stat_on_time_rate", "Tỷ lệ đúng hạn", "On-time rate"),
    ("stat_rank", "Xếp hạng", "Rank"),
    ("stat_chart", "Tỷ lệ văn bản có chữ ký số lãnh đạo hợp lệ", "Documents with a valid leader's signature"),
    ("stat_trend", "Diễn biến theo tháng", "Month by month"),
    (
        "stat_note",
        "Số liệu theo tháng; văn bản đến tính theo tháng đến. Gửi điện tử: chưa có trục liên thông, luôn là 0.",
        "Counted by month; incoming documents in their month of arrival. Sent electronically: 0 until the document exchange exists.",
    ),
    ("instruction", "Ý kiến chỉ đạo", "Direction"),
    ("deadline", "Hạn xử lý", "Deadline"),
    ("working_days", "hoặc số ngày làm việc", "or working days"),
    ("lead", "Chủ trì", "Lead"),
    ("co_handlers", "Phối hợp", "Co-handlers"),
    ("to_know", "Để biết", "To know"),
    ("assign", "Phân công xử lý", "Assign"),
    ("reassign", "Giao lại trong đơn vị", "Re-assign within the unit"),
    ("processing", "Xử lý văn bản", "Processing"),
    ("notes", "Ý kiến xử lý", "Processing notes"),
    ("add_note", "Ghi ý kiến", "Add a note"),
    ("complete", "Hoàn thành xử lý", "Complete"),
    ("outcome_filed", "Lưu hồ sơ, không cần trả lời", "Filed, no reply needed"),
    ("outcome_replied", "Đã trả lời bằng văn bản đi", "Replied with an outgoing document"),
    ("reply_document", "Mã văn bản trả lời", "Reply document id"),
    ("assigned_by", "Người phân công", "Assigned by"),
    ("result", "Kết quả", "Result"),
    ("overdue", "Quá hạn", "Overdue"),
    ("reason", "Lý do", "Reason"),
    ("extension", "Xin gia hạn", "Ask for an extension"),
    ("extensions", "Gia hạn", "Extensions"),
    ("approve", "Đồng ý gia hạn", "Approve"),
    ("refuse", "Không đồng ý", "Refuse"),
    ("role", "Vai trò", "Role"),
    ("queue_empty", "Không có việc cần xử lý.", "Nothing to do."),
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
    ("reason_cACompromise", "Tổ chức chứng thực bị lộ khóa", "CA compromise"),
    ("reason_certificateHold", "Tạm dừng hiệu lực", "Certificate hold"),
    ("reason_aACompromise", "Tổ chức cấp thuộc tính bị lộ khóa", "AA compromise"),
    (
        "cert_expiring_admin",
        "chứng thư số sắp hết hạn trong 30 ngày",
        "certificate(s) expiring within 30 days",
    ),
    // Errors, by the codes of `crate::error::wording`; `{name}` is a parameter.
    ("err_unauthenticated", "Vui lòng đăng nhập.", "Sign-in required."),
    ("err_bad_credentials", "Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    (
        "err_too_many_attempts",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
        "Too many failed sign-ins. Please try again in {minutes} min.",
    ),
    (
        "err_rate_limited",
        "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {minutes} phút.",
        "Too many requests. Please try again in {minutes} min.",
    ),
    (
        "err_forbidden",
        "Bạn không có quyền thực hiện thao tác này.",
        "You are not allowed to do this.",
    ),
    ("err_not_found", "Không tìm thấy nội dung yêu cầu.", "Not found."),
    ("err_conflict", "Dữ liệu đã tồn tại (trùng lặp).", "Already exists (duplicate)."),
    (
        "err_too_large",
        "Tệp vượt quá dung lượng cho phép ({megabytes} MB).",
        "The file is larger than the limit ({megabytes} MB).",
    ),
    (
        "err_internal",
        "Đã có lỗi hệ thống. Vui lòng thử lại sau.",
        "Internal error. Please try again later.",
    ),
    (
        "err_no_ca",
        "Hệ thống chưa cấu hình CA nội bộ nên không cấp, thu hồi được chứng thư số.",
        "No built-in CA is configured: certificates cannot be issued or revoked here.",
    ),
    (
        "err_rule_agency_code",
        "Mã định danh “{value}” không hợp lệ.",
        "Invalid agency identifier code “{value}”: 1 to 35 characters of 0-9, A-Z and '.'.",
    ),
    (
        "err_rule_legacy_agency_code",
        "“{value}” không phải mã định danh 4 cấp dạng NNN.NN.NN.XNN.",
        "“{value}” is not a 13-character four-level code NNN.NN.NN.XNN.",
    ),
    ("err_rule_document_type", "Loại văn bản “{value}” không hợp lệ.", "Unknown document type “{value}”."),
    ("err_rule_urgency", "Độ khẩn “{value}” không hợp lệ.", "Unknown urgency “{value}”."),
    ("err_rule_secrecy", "Độ mật “{value}” không hợp lệ.", "Unknown secrecy level “{value}”."),
    ("err_rule_role", "Vai trò “{value}” không hợp lệ.", "Unknown role “{value}”."),
    ("err_rule_state", "Trạng thái “{value}” không hợp lệ.", "Unknown document state “{value}”."),
    ("err_rule_required", "Chưa nhập trường bắt buộc: {field}.", "{field} is required."),
    (
        "err_rule_nul_character",
        "Trường “{field}” chứa ký tự không hợp lệ (NUL).",
        "{field} contains a NUL character.",
    ),
    (
        "err_rule_too_long",
        "Trường “{field}” quá dài: {len} ký tự, tối đa {max}.",
        "{field} is too long: {len} characters, at most {max}.",
    ),
    (
        "err_rule_abbreviation",
        "Tên viết tắt “{value}” không hợp lệ: cần 1 đến 20 chữ cái.",
        "Invalid abbreviation “{value}”: 1 to 20 letters.",
    ),
    (
        "err_rule_wrong_state",
        "Văn bản đang ở trạng thái “{actual}”, thao tác này cần trạng thái “{expected}”.",
        "The document is {actual}, but this step needs it {expected}.",
    ),
    ("err_rule_number", "Số văn bản phải từ 1 trở lên.", "The register number must be at least 1."),
    (
        "err_invalid_body",
        "Nội dung yêu cầu không đúng định dạng.",
        "Malformed request: {detail}",
    ),
    (
        "err_invalid_nul_character",
        "Dữ liệu gửi lên chứa ký tự không hợp lệ (NUL).",
        "The request contains a NUL character.",
    ),
    (
        "err_invalid_content_type",
        "Nội dung gửi lên có kiểu “{got}”, nơi này không nhận; hãy gửi {accepted}.",
        "Content type “{got}” is not accepted here; send {accepted}.",
    ),
    (
        "err_invalid_date_out_of_range",
        "Trường “{field}”: ngày {value} phải nằm trong khoảng {from} đến {to}.",
        "{field}: {value} must be between {from} and {to}.",
    ),
    (
        "err_invalid_foreign_handler",
        "“{holder}” không phải người hoặc đơn vị của cơ quan này: không thể phân công.",
        "“{holder}” is not a person or unit of this agency: it cannot be assigned.",
    ),
    (
        "err_invalid_too_many_handlers",
        "Mỗi loại phân công có tối đa {max} người/đơn vị.",
        "At most {max} handlers of each kind.",
    ),
    (
        "err_invalid_working_days",
        "Số ngày làm việc phải là số nguyên từ 1 đến {max}, không phải “{value}”.",
        "Working days: a whole number from 1 to {max}, not “{value}”.",
    ),
    (
        "err_invalid_deadline_required",
        "Văn bản không có hạn xử lý: hãy nhập hạn.",
        "The document has no due date: give a deadline.",
    ),
    (
        "err_invalid_leader_unknown",
        "Hãy chọn một lãnh đạo của cơ quan này để xin ý kiến.",
        "Choose a leader of this agency to ask.",
    ),
    (
        "err_invalid_date_time",
        "Trường “{field}” cần thời gian dạng YYYY-MM-DDTHH:MM, nhận được “{value}”.",
        "{field}: expected a time YYYY-MM-DDTHH:MM, got “{value}”.",
    ),
    (
        "err_invalid_meeting_in_past",
        "Cuộc họp bắt đầu lúc {value} đã qua (bây giờ là {now}).",
        "The meeting starts at {value}, which has passed (it is now {now}).",
    ),
    (
        "err_invalid_meeting_ends",
        "Cuộc họp kết thúc ({ends}) trước khi bắt đầu ({starts}).",
        "The meeting ends ({ends}) before it starts ({starts}).",
    ),
    (
        "err_invalid_participant_required",
        "Hãy mời ít nhất một người hoặc một đơn vị tham dự.",
        "Invite at least one person or unit.",
    ),
    (
        "err_invalid_foreign_participant",
        "“{holder}” không phải người hoặc đơn vị của cơ quan này: không thể mời họp.",
        "“{holder}” is not a person or unit of this agency: it cannot be invited.",
    ),
    (
        "err_invalid_meeting_started",
        "Cuộc họp đã bắt đầu: không thể xác nhận tham dự nữa.",
        "The meeting has started: attendance can no longer be answered.",
    ),
    ("starts_at", "Thời gian bắt đầu", "Starts at"),
    ("ends_at", "Thời gian kết thúc", "Ends at"),
    ("place", "Địa điểm", "Place"),
    ("question", "Nội dung xin ý kiến", "Question"),
    ("answer", "Ý kiến của lãnh đạo", "Leader's answer"),
    (
        "err_invalid_deadline_in_past",
        "Hạn xử lý {value} đã qua (hôm nay là {today}).",
        "The deadline {value} is in the past (today is {today}).",
    ),
    (
        "err_invalid_outside_unit",
        "Chỉ được giao lại cho người trong cùng đơn vị.",
        "Re-assignment stays within the unit.",
    ),
    (
        "err_invalid_reply_unknown",
        "Văn bản trả lời phải là văn bản đi của cơ quan này.",
        "The reply must be an outgoing document of this agency.",
    ),
    (
        "err_invalid_extension_not_later",
        "Hạn mới {value} phải sau hạn hiện tại {deadline}.",
        "The new deadline {value} must be later than the current one, {deadline}.",
    ),
    (
        "err_invalid_period",
        "Khoảng thời gian kết thúc ({to}) trước khi bắt đầu ({from}).",
        "The period ends ({to}) before it begins ({from}).",
    ),
    ("err_invalid_field_too_long", "Một trường của biểu mẫu quá dài.", "A form field is too long."),
    (
        "err_invalid_not_utf8",
        "Một trường của biểu mẫu không phải văn bản UTF-8.",
        "A form field is not valid UTF-8.",
    ),
    (
        "err_invalid_too_many_files",
        "Mỗi văn bản có tối đa {max} tệp.",
        "At most {max} files per document.",
    ),
    ("err_invalid_empty_file", "Tệp không có nội dung.", "The file is empty."),
    ("err_invalid_file_required", "Vui lòng chọn tệp.", "Choose the file."),
    ("err_invalid_file_name_missing", "Tệp không có tên.", "The file has no name."),
    (
        "err_invalid_file_type_mismatch",
        "Tên tệp “{name}” không khớp với nội dung ({content_type}).",
        "The file name “{name}” does not match its content ({content_type}).",
    ),
    (
        "err_invalid_file_type_refused",
        "Tệp “{name}” không thuộc loại được chấp nhận: PDF, Word, Excel, OpenDocument, PNG hoặc JPEG.",
        "“{name}” is not an accepted file type: PDF, Word, Excel, OpenDocument, PNG or JPEG.",
    ),
    (
        "err_invalid_one_of",
        "Giá trị của trường “{field}” không hợp lệ; chọn một trong: {allowed}.",
        "{field}: one of {allowed}.",
    ),
    ("err_invalid_year", "“{value}” không phải là năm.", "“{value}” is not a year."),
    (
        "err_invalid_date",
        "Trường “{field}” cần ngày dạng YYYY-MM-DD, nhận được “{value}”.",
        "{field}: expected a date YYYY-MM-DD, got “{value}”.",
    ),
    (
        "err_invalid_pages",
        "Số trang phải là số nguyên từ 1, nhận được “{value}”.",
        "Pages: expected a whole number from 1, got “{value}”.",
    ),
    ("err_invalid_cursor", "Liên kết phân trang không hợp lệ.", "Bad page cursor."),
    ("err_invalid_unknown_unit", "Đơn vị không tồn tại.", "Unknown unit."),
    (
        "err_invalid_username",
        "Tên đăng nhập gồm 3 đến 64 ký tự a-z, 0-9, '.', '_' hoặc '-'.",
        "Username: 3 to 64 characters of a-z, 0-9, '.', '_' or '-'.",
    ),
    (
        "err_invalid_password_too_short",
        "Mật khẩu cần ít nhất {min} ký tự.",
        "The password needs at least {min} characters.",
    ),
    ("err_invalid_role_required", "Chọn ít nhất một vai trò.", "Choose at least one role."),
    (
        "err_invalid_own_administration",
        "Bạn không thể tự bỏ vai trò quản trị của mình hay tự đặt lại mật khẩu của mình (hãy đổi mật khẩu ở trang Mật khẩu).",
        "You cannot remove your own administrator role or reset your own password (change it on the Password page).",
    ),
    (
        "err_invalid_phone",
        "Số điện thoại chỉ gồm chữ số, dấu cách và + - . ( ), tối đa 20 ký tự.",
        "Phone: digits, spaces and + - . ( ) only, at most 20 characters.",
    ),
    ("err_invalid_current_password", "Mật khẩu hiện tại không đúng.", "The current password is not right."),
    ("err_invalid_password_mismatch", "Hai lần nhập mật khẩu mới không khớp nhau.", "The two new passwords differ."),
    (
        "err_invalid_password_unchanged",
        "Mật khẩu mới phải khác mật khẩu hiện tại.",
        "The new password must differ from the current one.",
    ),
    (
        "err_invalid_unit_cycle",
        "Không thể đặt một đơn vị vào dưới chính nó hoặc dưới một đơn vị cấp dưới của nó.",
        "A unit cannot be placed under itself or under a unit below it.",
    ),
    (
        "err_invalid_own_account",
        "Bạn không thể tự khóa tài khoản của mình.",
        "You cannot disable your own account.",
    ),
    (
        "err_invalid_agency_name_taken",
        "Tên “{name}” đã là tên của một cơ quan cùng cấp hoặc cấp trên.",
        "“{name}” is already the name of an agency beside or above this one.",
    ),
    (
        "err_invalid_already_bootstrapped",
        "Hệ thống đã có cơ quan; hãy thêm cơ quan khác ở trang quản trị.",
        "This deployment already has agencies; add more from the administration page.",
    ),
    (
        "err_invalid_holder_disabled",
        "Tài khoản người sở hữu đang bị khóa; hãy mở khóa trước khi cấp chứng thư.",
        "The holder's account is disabled; enable it before issuing.",
    ),
    (
        "err_invalid_holder_unknown",
        "Hãy chọn một người của cơ quan.",
        "Choose a person of this agency.",
    ),
    (
        "err_invalid_csr_too_large",
        "Yêu cầu ký chứng thư lớn hơn {max} byte.",
        "The certificate request is larger than {max} bytes.",
    ),
    (
        "err_invalid_certificate",
        "Yêu cầu ký chứng thư (CSR) hoặc chứng thư không hợp lệ.",
        "Invalid certificate request or certificate: {detail}",
    ),
    (
        "err_invalid_not_verifiable",
        "Không đọc được tệp để kiểm tra chữ ký: tệp không phải PDF hợp lệ.",
        "The file cannot be verified: {detail}",
    ),
    (
        "err_invalid_pdf_password_required",
        "Tệp PDF được mã hoá bằng mật khẩu: hãy nhập mật khẩu mở tệp để kiểm tra chữ ký.",
        "The PDF is encrypted with a password: enter the password that opens it to verify its signatures.",
    ),
    (
        "err_invalid_pdf_wrong_password",
        "Mật khẩu đã nhập không mở được tệp PDF được mã hoá này.",
        "The password given does not open this encrypted PDF.",
    ),
    (
        "err_invalid_pdf_encrypted",
        "Tệp PDF được mã hoá: Signet kiểm tra được nhưng không ký vào tệp được mã hoá. Hãy ký bản không mã hoá của văn bản.",
        "The PDF is encrypted: Signet verifies encrypted PDFs but does not sign them. Sign an unencrypted copy of the document.",
    ),
    (
        "err_invalid_shutting_down",
        "Hệ thống đang dừng. Vui lòng thử lại sau.",
        "The server is shutting down. Please try again later.",
    ),
    (
        "err_invalid_hashing",
        "Không lưu được mật khẩu. Vui lòng thử lại sau.",
        "The password could not be stored. Please try again later.",
    ),
    (
        "err_invalid_unknown_agency",
        "Không có cơ quan mã {code} trong cơ sở dữ liệu.",
        "No agency with code {code} in the database.",
    ),
    ("err_invalid_no_agencies", "Chưa có cơ quan nào.", "There are no agencies."),
    (
        "err_invalid_serial",
        "Số hiệu chứng thư không đúng hoặc CA không cấp chứng thư này.",
        "Certificate serial: {detail}",
    ),
    (
        "err_invalid_key_label_empty",
        "Hãy đặt nhãn cho khóa.",
        "The key label is empty.",
    ),
    (
        "err_invalid_key_label_taken",
        "Thiết bị đã có chứng thư với nhãn {label}; hãy chọn nhãn khác.",
        "The token already holds a certificate labelled {label}; choose another label.",
    ),
    (
        "err_invalid_empty_password",
        "Hãy đặt mật khẩu cho tệp PKCS#12.",
        "Set a password for the PKCS#12 file.",
    ),
    (
        "err_invalid_signing",
        "Không ký được tài liệu với các thông số đã cho.",
        "The document cannot be signed as asked: {detail}",
    ),
    (
        "err_invalid_trust_anchors",
        "Không đọc được chứng thư gốc tin cậy.",
        "The trust anchors cannot be read: {detail}",
    ),
    (
        "err_invalid_signature_refused",
        "Chữ ký không được chấp nhận (gửi trùng, quá hạn, văn bản đã thay đổi hoặc chữ ký không khớp); hãy ký lại.",
        "The signature is refused: {detail}",
    ),
    (
        "err_invalid_mark",
        "Ô chữ ký không hợp lệ: nằm ngoài trang, quá nhỏ hoặc trang không có.",
        "Signature box: {detail}",
    ),
    (
        "err_invalid_image_kind",
        "Ảnh chữ ký phải là tệp PNG hoặc JPEG, màu RGB hoặc thang xám 8 bit (ảnh JPEG hệ màu CMYK không dùng được: hãy lưu lại ở hệ màu RGB).",
        "Signature image: {detail}",
    ),
    (
        "err_invalid_image_damaged",
        "Tệp ảnh chữ ký bị hỏng hoặc không đầy đủ; hãy lưu lại ảnh và tải lên lần nữa.",
        "Signature image: {detail}",
    ),
    (
        "err_invalid_image_size",
        "Ảnh chữ ký quá lớn hoặc quá nhỏ: tệp tối đa 512 KiB, mỗi cạnh từ 32 đến 2000 điểm ảnh.",
        "Signature image: {detail}",
    ),
    (
        "err_invalid_seal",
        "Không đóng dấu được bằng khóa của cơ quan (chưa cấu hình hoặc không dùng được).",
        "The agency's seal: {detail}",
    ),
    (
        "err_invalid_exchange_secret",
        "Văn bản mật không được gửi qua trục liên thông văn bản.",
        "A secret document (độ mật) cannot be sent through the document exchange.",
    ),
    (
        "err_invalid_exchange_recipient",
        "Không có cơ quan mang mã định danh {code} trong danh bạ.",
        "No agency with the identifier code {code} in the directory.",
    ),
    (
        "err_invalid_exchange",
        "Không thực hiện được việc liên thông văn bản (gói tin, trạng thái hoặc nơi nhận không hợp lệ).",
        "Document exchange: {detail}",
    ),
    (
        "err_invalid_exchange_recalled",
        "Bên gửi đã thu hồi văn bản này ({reason}); văn bản không được xử lý tiếp.",
        "The sender recalled this document ({reason}); it is no longer processed.",
    ),
    (
        "err_invalid_webhook_url",
        "Địa chỉ nhận sự kiện {url} không phải một URL http:// hợp lệ.",
        "The webhook address {url} is not an http:// URL.",
    ),
    (
        "err_invalid_webhook_events",
        "Chọn một hoặc nhiều sự kiện trong số: {known}.",
        "Choose one or more webhook events among: {known}.",
    ),
    (
        "err_invalid_not_pdf",
        "Tệp {name} không phải tệp PDF.",
        "{name} is not a PDF file.",
    ),
    (
        "err_invalid_copy_pages",
        "\"{value}\" không phải số trang hoặc khoảng trang của văn bản gốc (từ 1 đến {count}), ví dụ 2 hoặc 2-3.",
        "\"{value}\" is not a page or a range of pages of the original (1 to {count}), e.g. 2 or 2-3.",
    ),
    (
        "err_invalid_copy_recipients",
        "Nhập ít nhất một nơi nhận bản sao (mỗi nơi nhận một dòng).",
        "Give at least one recipient of the copy (one per line).",
    ),
    (
        "err_invalid_route_reviewer",
        "Người duyệt phải là cán bộ đang làm việc của cơ quan này.",
        "Reviewers: choose active people of this agency.",
    ),
    (
        "err_invalid_route_signer",
        "Người ký phải là một lãnh đạo của cơ quan này.",
        "The signer: choose a leader of this agency.",
    ),
    (
        "err_invalid_route_shape",
        "Quy trình duyệt có tối đa 5 cấp, mỗi cấp tối đa 5 người; mỗi người chỉ xuất hiện một lần và người ký không đồng thời là người duyệt.",
        "A route has at most 5 levels of at most 5 people; each person appears once, and the signer is not also a reviewer.",
    ),
    (
        "err_invalid_return_reason",
        "Hãy ghi lý do trả lại dự thảo (tối đa {max} ký tự).",
        "Give the reason the draft is returned (at most {max} characters).",
    ),
    (
        "err_invalid_forward_to",
        "Chỉ chuyển tiếp cho một cán bộ đang làm việc của cơ quan, chưa có trong quy trình duyệt của dự thảo.",
        "Forward to an active person of this agency who is not on the draft's route.",
    ),
    (
        "err_invalid_copy_original",
        "Chỉ sao được văn bản đi đã ban hành hoặc văn bản đến đã đăng ký.",
        "Only an issued outgoing or a registered incoming document can be copied.",
    ),
    (
        "err_invalid_copy_needs_scan",
        "Văn bản này không có tệp điện tử: hãy đính kèm bản quét văn bản giấy (PDF màu, tối thiểu 200 dpi).",
        "This document has no electronic file: attach a scan of the paper original (colour PDF, at least 200 dpi).",
    ),
    (
        "err_invalid_scan_no_image",
        "Trang {page} của tệp quét không có hình ảnh quét: tệp phải là bản quét (mỗi trang một ảnh).",
        "Page {page} of the scan holds no scanned image: the file must be a scan (one image per page).",
    ),
    (
        "err_invalid_scan_resolution",
        "Trang {page} của tệp quét có độ phân giải {dpi} dpi; Nghị định 30 yêu cầu tối thiểu {min} dpi. Hãy quét lại.",
        "Page {page} of the scan is {dpi} dpi; Decree 30 requires at least {min} dpi. Scan it again.",
    ),
    (
        "err_invalid_scan_colour",
        "Trang {page} của tệp quét không phải ảnh màu (đen trắng hoặc thang xám); Nghị định 30 yêu cầu quét màu.",
        "Page {page} of the scan is not in colour (black and white or greyscale); Decree 30 requires a colour scan.",
    ),
    (
        "err_invalid_seal_reference",
        "Nhập số tham chiếu của yêu cầu (từ 1 đến {max} ký tự).",
        "Give the request's reference (1 to {max} characters).",
    ),
    (
        "err_invalid_no_remote_signing",
        "Máy chủ này chưa cấu hình ký số từ xa (chưa có HSM).",
        "Remote signing is not configured on this server (no HSM).",
    ),
    (
        "err_invalid_remote_hash_count",
        "Mỗi yêu cầu ký có từ 1 đến {max} giá trị băm.",
        "Between 1 and {max} hashes per signing request.",
    ),
    (
        "err_invalid_remote_hash_repeated",
        "Một giá trị băm xuất hiện hai lần.",
        "The same hash is listed twice.",
    ),
    (
        "err_invalid_remote_locked",
        "Chứng thư ký số từ xa đã bị khóa do nhập sai PIN quá nhiều lần; hãy liên hệ quản trị viên để mở khóa.",
        "This signing credential is locked after too many wrong PINs; ask an administrator to unlock it.",
    ),
    (
        "err_invalid_remote_pin",
        "Mã PIN không đúng; còn {left} lần thử trước khi bị khóa.",
        "Wrong PIN; {left} attempts left before the credential locks.",
    ),
    (
        "err_invalid_request_answered",
        "Yêu cầu ký này đã được trả lời hoặc đã hết hạn.",
        "This signing request was answered already or has expired.",
    ),
    (
        "err_invalid_sad_invalid",
        "Dữ liệu kích hoạt chữ ký (SAD) không hợp lệ cho chứng thư này.",
        "The signature activation data (SAD) is not valid for this credential.",
    ),
    (
        "err_invalid_sad_expired",
        "Dữ liệu kích hoạt chữ ký (SAD) đã hết hạn; hãy xác thực lại.",
        "The signature activation data (SAD) has expired; authorize again.",
    ),
    (
        "err_invalid_sad_used",
        "Giá trị băm này đã được ký với dữ liệu kích hoạt (SAD) này.",
        "A hash was already signed with this signature activation data (SAD).",
    ),
    (
        "err_invalid_hash_not_authorized",
        "Giá trị băm không thuộc danh sách đã được xác thực (SAD).",
        "A hash is not one the signature activation data (SAD) was issued for.",
    ),
    // Search across incoming and outgoing (issue 10 §6).
    ("search_documents", "Tìm kiếm văn bản", "Search documents"),
    (
        "search_everywhere_hint",
        "Tìm văn bản đến, đi: trích yếu, số ký hiệu, cơ quan ban hành (gõ không dấu được)",
        "Incoming and outgoing: subject, notation, issuing organ (diacritics optional)",
    ),
    ("in_or_out", "Văn bản đến/đi", "Incoming or outgoing"),
    ("from_date", "Từ ngày", "From"),
    ("to_date", "Đến ngày", "To"),
    ("handler", "Người xử lý", "Handler"),
    (
        "search_type_words",
        "Gõ từ cần tìm, ví dụ «quyet dinh 12».",
        "Type words to find, e.g. «quyet dinh 12».",
    ),
    // Work dossiers (issue 10 §2).
    ("dossiers", "Hồ sơ công việc", "Work dossiers"),
    ("dossier", "Hồ sơ", "Dossier"),
    ("dossier_code", "Mã hồ sơ", "Dossier code"),
    ("dossier_title", "Tiêu đề hồ sơ", "Dossier title"),
    ("retention", "Thời hạn bảo quản", "Retention"),
    ("permanent", "Vĩnh viễn", "Permanent"),
    ("years_suffix", "năm", "years"),
    ("keeper", "Người lập hồ sơ", "Kept by"),
    ("owner_unit", "Đơn vị lập", "Owner unit"),
    ("open_dossier", "Mở hồ sơ", "Open a dossier"),
    ("close_dossier", "Kết thúc hồ sơ", "Close the dossier"),
    ("archive_dossier", "Nộp lưu cơ quan", "Hand to the archive"),
    (
        "archive_year",
        "Nộp lưu mọi hồ sơ đã kết thúc của năm",
        "Hand every closed dossier of the year to the archive",
    ),
    ("file_into", "Đưa vào hồ sơ", "File into a dossier"),
    ("filed_in", "Thuộc hồ sơ", "Filed in"),
    ("no_dossier", "Không đưa vào hồ sơ", "No dossier"),
    ("documents_in_dossier", "Văn bản trong hồ sơ", "Documents in the dossier"),
    // Deadline reminders (issue 10 §3).
    ("reminders", "Nhắc việc", "Reminders"),
    ("mark_read", "Đánh dấu đã đọc", "Mark as read"),
    ("due_soon", "Sắp đến hạn", "Due soon"),
    // Administration that can administer, forms that keep what was typed (issue 13 §3, §6).
    ("phone", "Điện thoại", "Phone"),
    ("current_password", "Mật khẩu hiện tại", "Current password"),
    ("new_password", "Mật khẩu mới", "New password"),
    ("repeat_password", "Nhập lại mật khẩu mới", "New password again"),
    ("change_password", "Đổi mật khẩu", "Change password"),
    (
        "must_change_password",
        "Mật khẩu bạn vừa dùng do quản trị viên đặt tạm thời. Hãy chọn mật khẩu của riêng bạn trước khi tiếp tục.",
        "The password you signed in with was set by an administrator. Choose your own before going on.",
    ),
    ("password_changed", "Đã đổi mật khẩu.", "Password changed."),
    ("edit", "Sửa", "Edit"),
    ("edit_person", "Sửa thông tin người dùng", "Edit a person"),
    ("edit_unit", "Sửa đơn vị", "Edit a unit"),
    ("saved", "Đã lưu.", "Saved."),
    ("sessions", "Phiên đăng nhập", "Sessions"),
    ("no_sessions", "Không có phiên đăng nhập nào đang mở.", "No open session."),
    ("started", "Bắt đầu", "Started"),
    ("ends", "Hết hạn", "Ends"),
    ("client_address", "Địa chỉ máy", "Client address"),
    ("end_session", "Kết thúc phiên", "End session"),
    ("end_all_sessions", "Kết thúc mọi phiên", "End every session"),
    ("reset_password", "Đặt lại mật khẩu", "Reset password"),
    (
        "reset_password_hint",
        "Tạo một mật khẩu tạm thời: mật khẩu cũ hết hiệu lực, mọi phiên đăng nhập của người này kết thúc, và người này phải đổi mật khẩu khi đăng nhập lần sau.",
        "Make a temporary password: the old password stops working, every session of this person ends, and they must change it at their next sign-in.",
    ),
    ("temporary_password", "Mật khẩu tạm thời", "Temporary password"),
    (
        "temporary_password_hint",
        "Trao mật khẩu này cho người dùng qua kênh an toàn; nó chỉ hiện một lần. Số phiên đã kết thúc:",
        "Hand this password to the person over a safe channel; it is shown once only. Sessions ended:",
    ),
    ("search_people", "Tìm người dùng", "Find people"),
    ("page_of", "Trang", "Page"),
    ("previous", "Trang trước", "Previous"),
    ("next", "Trang sau", "Next"),
    ("people_found", "người", "people"),
    ("top_level", "(cấp cao nhất)", "(top level)"),
    ("fix_the_form", "Vui lòng sửa mục được đánh dấu bên dưới.", "Please correct the field marked below."),
    ("choose_file_again", "Vui lòng chọn lại tệp.", "Please choose the file again."),
];

/// The label key of a form field whose code differs from its label's key, so a message
/// names the field as the form shows it ("Người ký", never `signer_name`).
fn field_label(code: &str) -> &str {
    match code {
        "signer_name" => "signer",
        "author_name" => "author",
        "doc_type" => "type",
        "drafting_unit_id" => "drafting_unit",
        "unit_id" => "unit",
        "parent_id" => "parent",
        "current" => "current_password",
        "repeat" => "repeat_password",
        "agency name" => "name",
        other => other,
    }
}

impl Tr {
    /// The text of `key`, or `None` when the table has no such key.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        let (_, vi, en) = TEXTS.iter().find(|(k, _, _)| *k == key)?;
        Some(if self.0 == Lang::En { en } else { vi })
    }

    /// The text of `key`. A missing key is a bug the tests catch (templates and error codes
    /// are checked against the table); in a release build the key itself is shown.
    pub fn s(&self, key: &str) -> &'static str {
        let text = self.get(key);
        debug_assert!(text.is_some(), "no text for i18n key {key:?}");
        text.unwrap_or("…")
    }

    /// The text of `key` with its `{name}` parameters filled in. A `field` parameter is a
    /// field's code (`subject`, `doc_type`…) and is shown by its label when the table has one.
    pub fn format(&self, key: &str, params: &[(&'static str, String)]) -> String {
        let mut text = self.s(key).to_owned();
        for (name, value) in params {
            // Dates and times in a message read as the pages write them (dd/mm/yyyy in
            // Vietnamese), though the use case words them in ISO for the API.
            let shown = match *name {
                "field" => self.get(field_label(value)).unwrap_or(value).to_owned(),
                _ => crate::format::iso_moment(self.0, value).unwrap_or_else(|| value.clone()),
            };
            text = text.replace(&format!("{{{name}}}"), &shown);
        }
        text
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

#[cfg(test)]
mod key_tests {
    use std::path::Path;

    use super::*;

    /// Every key looked up with a literal (`t.s(` and a quoted key) in the templates and sources.
    fn keys_used() -> Vec<(String, String)> {
        fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                for piece in text.split(".s(\"").skip(1) {
                    if let Some((key, _)) = piece.split_once('"') {
                        out.push((key.to_owned(), path.display().to_string()));
                    }
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        walk(&root.join("templates"), &mut out);
        walk(&root.join("src"), &mut out);
        out
    }

    #[test]
    fn every_key_used_has_both_texts() {
        let used = keys_used();
        assert!(used.len() > 100, "the templates were read: {}", used.len());
        for (key, file) in used {
            assert!(
                Tr(Lang::Vi).get(&key).is_some(),
                "{file}: no text for {key:?}"
            );
        }
        for (key, vi, en) in TEXTS {
            assert!(!vi.is_empty() && !en.is_empty(), "{key}");
        }
    }
}
