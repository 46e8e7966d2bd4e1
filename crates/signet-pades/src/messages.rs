//! Human-readable messages of the report, Vietnamese first.

use signet_pki::validation::CertStatus;

use crate::diff::Change;
use crate::report::{Message, Modifications, SubIndication};

pub fn recovered() -> Message {
    Message::new(
        "Cấu trúc tệp PDF bị hỏng và phải dựng lại; không thể xác nhận chữ ký là hợp lệ.",
        "The PDF's cross-reference structure was broken and had to be rebuilt; no signature can be confirmed valid.",
    )
}

pub fn encrypted(e: &signet_pdf::Encryption) -> Message {
    let (how_vi, how_en) = match e.opened {
        signet_pdf::Opened::WithoutPassword => {
            ("mở không cần mật khẩu", "opened without a password")
        }
        signet_pdf::Opened::UserPassword => (
            "mở bằng mật khẩu người dùng",
            "opened with the user password",
        ),
        signet_pdf::Opened::OwnerPassword => (
            "mở bằng mật khẩu chủ sở hữu",
            "opened with the owner password",
        ),
    };
    Message::new(
        format!(
            "Tệp được mã hoá ({}, bản {}), {how_vi}; chữ ký được kiểm tra trên các byte đã mã hoá như khi ký, nội dung được giải mã để so sánh các phiên bản.",
            e.cipher, e.revision
        ),
        format!(
            "The file is encrypted ({}, revision {}), {how_en}; signatures are checked on the encrypted bytes as signed, the content is decrypted to compare revisions.",
            e.cipher, e.revision
        ),
    )
}

pub fn trailing_bytes(n: usize) -> Message {
    Message::new(
        format!("Có {n} byte ở cuối tệp không thuộc phiên bản nào của tài liệu và không được chữ ký nào bảo vệ."),
        format!("{n} bytes at the end of the file are not part of any revision and no signature covers them."),
    )
}

pub fn no_signature() -> Message {
    Message::new(
        "Tệp không có chữ ký số nào.",
        "The file has no digital signature.",
    )
}

pub fn bad_byte_range() -> Message {
    Message::new(
        "Vùng dữ liệu được ký (/ByteRange) không hợp lệ.",
        "The signed byte range (/ByteRange) is invalid.",
    )
}

pub fn no_contents() -> Message {
    Message::new(
        "Chữ ký không có dữ liệu (/Contents).",
        "The signature has no /Contents.",
    )
}

pub fn partial_coverage() -> Message {
    Message::new(
        "Chữ ký không bao phủ trọn một phiên bản của tài liệu.",
        "The signature does not cover a whole revision of the document.",
    )
}

pub fn modification(c: &Change) -> Message {
    Message::new(
        format!(
            "Sau khi ký, tài liệu đã được sửa đổi ({}, đối tượng {} {}, phiên bản {}).",
            level_vi(c.level),
            c.object.num,
            c.object.gen,
            c.revision
        ),
        format!(
            "The document was changed after signing ({}: {}, object {} {}, revision {}).",
            level_en(c.level),
            c.why,
            c.object.num,
            c.object.gen,
            c.revision
        ),
    )
}

pub fn modifications_not_allowed(level: Modifications) -> Message {
    Message::new(
        format!("Thay đổi sau khi ký không được phép: {}.", level_vi(level)),
        format!(
            "Changes after signing are not permitted: {}.",
            level_en(level)
        ),
    )
}

fn level_vi(l: Modifications) -> &'static str {
    match l {
        Modifications::None => "không có",
        Modifications::Ltv => "bổ sung dữ liệu kiểm tra dài hạn",
        Modifications::FormFilling => "điền biểu mẫu hoặc ký thêm",
        Modifications::Annotations => "thêm chú thích",
        Modifications::Other => "thay đổi nội dung hoặc cấu trúc",
    }
}

fn level_en(l: Modifications) -> &'static str {
    match l {
        Modifications::None => "none",
        Modifications::Ltv => "long-term validation data",
        Modifications::FormFilling => "form filling or further signatures",
        Modifications::Annotations => "annotations",
        Modifications::Other => "content or structure changed",
    }
}

pub fn bad_cms(detail: &str) -> Message {
    Message::new(
        format!("Không đọc được dữ liệu chữ ký (CMS): {detail}"),
        format!("The signature data (CMS) cannot be read: {detail}"),
    )
    .with_detail(detail)
}

pub fn integrity(sub: SubIndication, detail: Option<&str>) -> Message {
    let detail = detail.unwrap_or("");
    match sub {
        SubIndication::HashFailure => Message::new(
            format!("Nội dung đã bị thay đổi sau khi ký (mã băm không khớp). {detail}"),
            format!("The content was changed after signing (digest mismatch). {detail}"),
        ),
        _ => Message::new(
            format!("Chữ ký số không đúng với khóa của chứng thư. {detail}"),
            format!("The signature does not verify with the certificate's key. {detail}"),
        ),
    }
    .with_detail(detail)
}

pub fn no_signer_certificate() -> Message {
    Message::new(
        "Không tìm thấy chứng thư số của người ký.",
        "The signer's certificate was not found.",
    )
}

pub fn bad_certificate(detail: &str) -> Message {
    Message::new(
        format!("Chứng thư số không đọc được: {detail}"),
        format!("The certificate cannot be read: {detail}"),
    )
    .with_detail(detail)
}

pub fn bad_timestamp(detail: &str) -> Message {
    Message::new(
        format!("Dấu thời gian không hợp lệ: {detail}"),
        format!("The timestamp is invalid: {detail}"),
    )
    .with_detail(detail)
}

pub fn timestamp_untrusted(status: &CertStatus) -> Message {
    let (vi, en) = certificate_words(status);
    Message::new(
        format!("Không tin cậy được dấu thời gian: chứng thư của đơn vị cấp dấu thời gian {vi}."),
        format!("The timestamp cannot be relied on: the TSA certificate {en}."),
    )
    .with_detail(invalid_why(status))
}

pub fn certificate(status: &CertStatus) -> Message {
    let (vi, en) = certificate_words(status);
    Message::new(
        format!("Chứng thư số của người ký {vi}."),
        format!("The signer's certificate {en}."),
    )
    .with_detail(invalid_why(status))
}

/// The path was no longer valid at the validation time `now` but was at `proven`, the time a
/// timestamp proves (past signature validation); `at_now` is the verdict at `now`.
pub fn validated_in_the_past(
    at_now: &signet_pki::validation::PathReport,
    now: time::OffsetDateTime,
    proven: time::OffsetDateTime,
    tsa: bool,
) -> Message {
    let utc = |t: time::OffsetDateTime| crate::pdfdate::rfc3339(t.to_offset(time::UtcOffset::UTC));
    let when = utc(proven);
    let now = utc(now);
    let culprit = at_now.per_cert.iter().find(|(_, s, _)| *s == at_now.status);
    let (who_vi, who_en) = match culprit {
        Some((c, _, _)) => (
            format!("chứng thư \"{}\"", c.subject_cn),
            format!("the certificate \"{}\"", c.subject_cn),
        ),
        None => ("chứng thư".into(), "the certificate".into()),
    };
    let (why_vi, why_en) = match (&at_now.status, culprit) {
        (CertStatus::Expired, Some((c, _, _))) => {
            let t = crate::pdfdate::rfc3339(c.not_after);
            (format!("đã hết hạn lúc {t}"), format!("expired at {t}"))
        }
        (CertStatus::Revoked { at, reason }, _) => {
            let t = crate::pdfdate::rfc3339(*at);
            (
                format!(
                    "đã bị thu hồi lúc {t} (lý do: {}), sau thời điểm đó",
                    reason.name()
                ),
                format!(
                    "was revoked at {t} (reason: {}), after that time",
                    reason.name()
                ),
            )
        }
        (CertStatus::RevocationUnknown, _) => (
            "không còn dữ liệu thu hồi hiện hành".into(),
            "has no current revocation data".into(),
        ),
        (s, _) => certificate_words(s),
    };
    let (what_vi, what_en) = if tsa {
        ("Dấu thời gian", "The timestamp")
    } else {
        ("Chữ ký", "The signature")
    };
    Message::new(
        format!(
            "{what_vi} được kiểm tra tại thời điểm {when} do dấu thời gian chứng minh: tại thời điểm kiểm tra ({now}), {who_vi} {why_vi}; tại thời điểm {when} đường dẫn chứng thư hợp lệ và chưa bị thu hồi (kiểm tra chữ ký trong quá khứ, ETSI EN 319 102-1 §5.6.2.4)."
        ),
        format!(
            "{what_en} was validated at {when}, the time a timestamp proves: at the validation time ({now}) {who_en} {why_en}; at {when} the certificate path was valid and not revoked (past signature validation, ETSI EN 319 102-1 §5.6.2.4)."
        ),
    )
}

/// The path validator's own words, when it found the certificate invalid.
fn invalid_why(status: &CertStatus) -> &str {
    match status {
        CertStatus::Invalid(why) => why,
        _ => "",
    }
}

fn certificate_words(status: &CertStatus) -> (String, String) {
    match status {
        CertStatus::Valid => ("hợp lệ".into(), "is valid".into()),
        CertStatus::Expired => (
            "đã hết hạn và không có bằng chứng chữ ký có trước đó".into(),
            "has expired and nothing proves the signature existed before".into(),
        ),
        CertStatus::NotYetValid => ("chưa có hiệu lực".into(), "is not yet valid".into()),
        CertStatus::Revoked { at, reason } => (
            format!(
                "đã bị thu hồi lúc {} (lý do: {})",
                crate::pdfdate::rfc3339(*at),
                reason.name()
            ),
            format!(
                "was revoked at {} (reason: {})",
                crate::pdfdate::rfc3339(*at),
                reason.name()
            ),
        ),
        CertStatus::UnknownIssuer => (
            "không thuộc một tổ chức cung cấp dịch vụ chứng thực được tin cậy".into(),
            "does not chain to a trusted root".into(),
        ),
        CertStatus::RevocationUnknown => (
            "chưa xác định được tình trạng thu hồi (không có CRL/OCSP)".into(),
            "has unknown revocation status (no CRL or OCSP answer)".into(),
        ),
        CertStatus::Invalid(why) => (format!("không hợp lệ: {why}"), format!("is invalid: {why}")),
    }
}

/// Intact, but the RSA DigestInfo omits the hash's NULL parameter (docs/CORPUS-AGREEMENT.md).
pub fn digest_info_without_null() -> Message {
    Message::new(
        "Chữ ký đúng, nhưng cấu trúc DigestInfo của chữ ký RSA thiếu tham số NULL (không theo đúng RFC 8017); một số phần mềm kiểm tra khác coi chữ ký này là không hợp lệ.",
        "The signature verifies, but its RSA DigestInfo omits the NULL parameter (not as RFC 8017 writes it); some other validators reject such signatures.",
    )
}
