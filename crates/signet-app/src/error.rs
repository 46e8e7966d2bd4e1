//! The one error type of the use-case layer; the web edge maps it to HTTP once.

use signet_core::CoreError;
use signet_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign-in required")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {retry_after_s} s")]
    TooManyAttempts { retry_after_s: u64 },
    /// A public service asked too often from one address.
    #[error("too many requests; try again in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    /// Input refused: a stable code with parameters, worded by the edge in the person's
    /// language ([`Invalid`]); the English `Display` is for logs and the command line.
    #[error(transparent)]
    Invalid(Invalid),
    #[error(transparent)]
    Rule(CoreError),
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("file larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("internal error")]
    Internal(#[source] StoreError),
    /// Issuance needs the built-in CA and this deployment has none.
    #[error("no built-in CA is configured: certificates cannot be issued or revoked here")]
    NoCa,
    /// The built-in CA failed (its directory, its keys): the operator's problem, logged.
    #[error("{0}")]
    Ca(String),
    /// The mail relay could not be reached or refused a message (reminders by e-mail).
    #[error("mail: {0}")]
    Mail(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::TooLarge { limit } => Self::TooLarge { limit },
            StoreError::Empty => Self::Invalid(Invalid::EmptyFile),
            StoreError::Domain(e) => Self::Rule(e),
            other => Self::Internal(other),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        Self::Rule(e)
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        Self::Invalid(e)
    }
}

/// Why an input was refused. Each variant has a stable [`code`](Invalid::code) and named
/// [`params`](Invalid::params); the web edge words it from its message table by that code, so
/// no English text reaches a Vietnamese page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// A body, form or upload that could not be read; `detail` is the parser's (English) words.
    #[error("malformed request: {detail}")]
    Body { detail: String },
    #[error("the request contains a NUL character")]
    NulCharacter,
    #[error("a form field is too long")]
    FieldTooLong,
    /// A body whose media type the route does not take: `accepted` lists the ones it does.
    #[error("content type {got:?} is not accepted here; send {accepted}")]
    ContentType { got: String, accepted: &'static str },
    #[error("a form field is not valid UTF-8")]
    NotUtf8,
    #[error("at most {max} files per document")]
    TooManyFiles { max: usize },
    #[error("the file is empty")]
    EmptyFile,
    #[error("choose the file")]
    FileRequired,
    #[error("the file has no name")]
    FileNameMissing,
    #[error("the file name {name:?} does not match its content ({content_type})")]
    FileTypeMismatch {
        name: String,
        content_type: &'static str,
    },
    /// A copy's pages: not a page number or range of the original (`count` pages).
    #[error("{value:?} is not a page or a range of pages of the original (1 to {count})")]
    CopyPages { value: String, count: String },
    /// A copy's recipients (nơi nhận): at least one.
    #[error("give at least one recipient of the copy")]
    CopyRecipients,
    /// The original cannot be copied yet: an outgoing document before it is issued, an
    /// incoming one that was returned.
    #[error("only an issued outgoing or a registered incoming document can be copied")]
    CopyOriginal,
    /// A copy from the electronic file of a document that has none (a paper original): a
    /// scan must come with the request.
    #[error("this document has no electronic file: attach a scan of the paper original")]
    CopyNeedsScan,
    /// A reviewer on a draft's route who is not an active person of the agency.
    #[error("reviewers: choose active people of this agency")]
    RouteReviewer,
    /// A signer chosen for a draft who is not an active leader of the agency.
    #[error("signer: choose a leader of this agency")]
    RouteSigner,
    /// A route of the wrong shape (signet_core::review::RouteProblem).
    #[error("a route has at most 5 levels of at most 5 people, each person once, and the signer is not a reviewer")]
    RouteShape,
    /// A return without its reason, or with one too long.
    #[error("give the reason the draft is returned (at most {max} characters)")]
    ReturnReason { max: usize },
    /// A review forwarded to someone who cannot take it.
    #[error("forward to an active person of this agency who is not on the draft's route")]
    ForwardTo,
    /// A scan page with no image.
    #[error("page {page} of the scan holds no scanned image")]
    ScanNoImage { page: usize },
    /// A scan page below 200 dpi (Nghị định 30 Phụ lục I).
    #[error("page {page} of the scan is {dpi} dpi; at least {min} dpi is required")]
    ScanResolution { page: usize, dpi: u32, min: u32 },
    /// A scan page in grey or black and white.
    #[error("page {page} of the scan is not in colour; scan in colour")]
    ScanColour { page: usize },
    #[error("{name:?} is not an accepted file type: PDF, Word, Excel, OpenDocument, PNG or JPEG")]
    FileTypeRefused { name: String },
    /// A value outside a fixed list: `allowed` is the list, comma-separated.
    #[error("{field}: one of {allowed}")]
    OneOf {
        field: &'static str,
        allowed: String,
    },
    #[error("year: {value:?} is not a year")]
    Year { value: String },
    #[error("{field}: expected a date YYYY-MM-DD, got {value:?}")]
    Date { field: &'static str, value: String },
    /// A date outside the window a register can hold (`from` and `to` inclusive, ISO).
    #[error("{field}: {value} is not between {from} and {to}")]
    DateOutOfRange {
        field: &'static str,
        value: String,
        from: String,
        to: String,
    },
    #[error("pages: expected a whole number from 1, got {value:?}")]
    Pages { value: String },
    #[error("bad page cursor")]
    Cursor,
    #[error("unknown unit")]
    UnknownUnit,
    #[error("username: 3 to 64 characters of a-z, 0-9, '.', '_' or '-'")]
    Username,
    #[error("the password needs at least {min} characters")]
    PasswordTooShort { min: usize },
    #[error("choose at least one role")]
    RoleRequired,
    #[error("you cannot disable your own account")]
    OwnAccount,
    /// An administrator cannot take the administrator role from themselves (nobody would
    /// be left to give it back) nor reset their own password (they change it themselves).
    #[error("you cannot remove your own administrator role or reset your own password")]
    OwnAdministration,
    #[error("phone: digits, spaces and + - . ( ) only, at most 20 characters")]
    Phone,
    #[error("the current password is not right")]
    CurrentPassword,
    #[error("the two new passwords differ")]
    PasswordMismatch,
    #[error("the new password must differ from the current one")]
    PasswordUnchanged,
    #[error("a unit cannot be placed under itself or a unit below it")]
    UnitCycle,
    /// An agency name already used beside it (a sibling) or above it (an ancestor).
    #[error("name: {name:?} is already the name of another agency here")]
    AgencyNameTaken { name: String },
    #[error("this deployment already has agencies; add more from the administration page")]
    AlreadyBootstrapped,
    #[error("holder: this account is disabled; enable it before issuing")]
    HolderDisabled,
    #[error("holder: choose a person of this agency")]
    HolderUnknown,
    #[error("the certificate request is larger than {max} bytes")]
    CsrTooLarge { max: usize },
    /// A certificate request or certificate the PKI layer refused.
    #[error("{detail}")]
    Certificate { detail: String },
    /// A file the signature verifier could not read.
    #[error("{detail}")]
    NotVerifiable { detail: String },
    /// An encrypted PDF with a user password, verified without one.
    #[error("the PDF is encrypted: give its password to verify it")]
    PdfPasswordRequired,
    /// An encrypted PDF that the password given does not open.
    #[error("the password given does not open this encrypted PDF")]
    PdfWrongPassword,
    /// An encrypted PDF to sign: refused (signing would write into a file whose owner
    /// protected it; docs/VERIFY-REPORT.md, "Encrypted PDFs").
    #[error("the PDF is encrypted: Signet verifies encrypted PDFs but does not sign them; sign an unencrypted copy")]
    PdfEncrypted,
    #[error("the server is shutting down")]
    ShuttingDown,
    /// The password could not be hashed (random source, parameters).
    #[error("password hashing: {detail}")]
    Hashing { detail: String },
    #[error("no agency with code {code} in the database")]
    UnknownAgency { code: String },
    #[error("no agencies")]
    NoAgencies,
    /// A certificate serial the built-in CA does not know, or cannot read.
    #[error("{detail}")]
    Serial { detail: String },
    #[error("the key label is empty")]
    KeyLabelEmpty,
    #[error(
        "the token already holds a certificate labelled {label:?}; choose another --key-label"
    )]
    KeyLabelTaken { label: String },
    #[error("refusing an empty password for the PKCS#12 file")]
    EmptyPassword,
    /// A signing request the signing use case refused (placement, level, key, input file).
    #[error("{detail}")]
    Signing { detail: String },
    /// Trust anchor files that could not be read.
    #[error("{detail}")]
    TrustAnchors { detail: String },
    /// A device's signature refused: duplicated, late, for a changed document, or not
    /// matching the digest and certificate.
    #[error("the signature is refused: {detail}")]
    SignatureRefused { detail: String },
    /// The officer's mark of the signature box.
    #[error("signature box: {detail}")]
    Mark { detail: String },
    /// A handwritten-signature image of a kind not drawn (not PNG or JPEG, CMYK, 16-bit).
    #[error("signature image: {detail}")]
    ImageKind { detail: String },
    /// A handwritten-signature image whose file is damaged or cut short.
    #[error("signature image: {detail}")]
    ImageDamaged { detail: String },
    /// A handwritten-signature image too large a file, or with sides out of range.
    #[error("signature image: {detail}")]
    ImageSize { detail: String },
    /// The agency's seal cannot be applied (no key configured, the key cannot be used).
    #[error("the agency's seal: {detail}")]
    Seal { detail: String },
    /// Secret documents (độ mật) never travel through the exchange.
    #[error("a secret document (độ mật) cannot be sent through the document exchange")]
    ExchangeSecret,
    /// A recipient code that is not an agency of the directory.
    #[error("no agency with the identifier code {code} in the directory")]
    ExchangeRecipient { code: String },
    /// Exchange input refused: a packet, a state, an address.
    #[error("document exchange: {detail}")]
    Exchange { detail: String },
    /// The sender recalled the document: its processing stops.
    #[error("the sender recalled this document ({reason}); it is no longer processed")]
    ExchangeRecalled { reason: String },
    #[error("remote signing is not configured on this server (no HSM)")]
    NoRemoteSigning,
    #[error("between 1 and {max} hashes per signing request")]
    RemoteHashCount { max: usize },
    #[error("the same hash is listed twice")]
    RemoteHashRepeated,
    #[error("this signing credential is locked after too many wrong PINs; ask an administrator to unlock it")]
    RemoteLocked,
    #[error("wrong PIN; {left} attempts left before the credential locks")]
    RemotePin { left: u32 },
    #[error("this signing request was answered already or has expired")]
    RequestAnswered,
    #[error("the signature activation data (SAD) is not valid for this credential")]
    SadInvalid,
    #[error("the signature activation data (SAD) has expired; authorize again")]
    SadExpired,
    #[error("a hash was already signed with this signature activation data (SAD)")]
    SadUsed,
    #[error("a hash is not one the signature activation data (SAD) was issued for")]
    HashNotAuthorized,
    /// A handler who is not a person or unit of this agency.
    #[error("{holder}: not a person or unit of this agency")]
    ForeignHandler { holder: String },
    #[error("at most {max} handlers of each kind")]
    TooManyHandlers { max: usize },
    #[error("working days: a whole number from 1 to {max}, got {value:?}")]
    WorkingDays { value: String, max: u32 },
    #[error("give a deadline: the document has no due date")]
    DeadlineRequired,
    #[error("the deadline {value} is in the past (today is {today})")]
    DeadlineInPast { value: String, today: String },
    #[error("re-assignment stays within the unit")]
    OutsideUnit,
    #[error("the reply must be an outgoing document of this agency")]
    ReplyUnknown,
    #[error("the new deadline {value} is not later than the current one, {deadline}")]
    ExtensionNotLater { value: String, deadline: String },
    #[error("the period ends ({to}) before it begins ({from})")]
    Period { from: String, to: String },
    /// A webhook subscriber's address: `http://host[:port]/path` (TLS by an egress proxy).
    #[error("the webhook address {url:?} is not an http:// URL")]
    WebhookUrl { url: String },
    /// A webhook subscriber wants no event, or one that does not exist.
    #[error("choose one or more webhook events among: {known}")]
    WebhookEvents { known: String },
    /// The sealing API takes PDF files only.
    #[error("{name:?} is not a PDF file")]
    NotPdf { name: String },
    /// The other system's reference of a seal request.
    #[error("give the request's reference (1 to {max} characters)")]
    SealReference { max: usize },
    /// An opinion asked of someone who is not an active leader of the agency.
    #[error("ask a leader of this agency")]
    LeaderUnknown,
    #[error("{field}: expected a time YYYY-MM-DDTHH:MM, got {value:?}")]
    DateTime { field: &'static str, value: String },
    #[error("the meeting starts {value}, which has passed (now {now})")]
    MeetingInPast { value: String, now: String },
    #[error("the meeting ends ({ends}) before it starts ({starts})")]
    MeetingEnds { starts: String, ends: String },
    #[error("invite at least one participant")]
    ParticipantRequired,
    /// A participant (or chair) who is not a person or unit of this agency.
    #[error("{holder}: not a person or unit of this agency")]
    ForeignParticipant { holder: String },
    #[error("the meeting has started: attendance can no longer be answered")]
    MeetingStarted,
}

impl Invalid {
    /// The stable code of the problem (`snake_case`; part of the API's error body).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Body { .. } => "body",
            Self::NulCharacter => "nul_character",
            Self::FieldTooLong => "field_too_long",
            Self::ContentType { .. } => "content_type",
            Self::DateOutOfRange { .. } => "date_out_of_range",
            Self::NotUtf8 => "not_utf8",
            Self::TooManyFiles { .. } => "too_many_files",
            Self::EmptyFile => "empty_file",
            Self::FileRequired => "file_required",
            Self::FileNameMissing => "file_name_missing",
            Self::FileTypeMismatch { .. } => "file_type_mismatch",
            Self::FileTypeRefused { .. } => "file_type_refused",
            Self::OneOf { .. } => "one_of",
            Self::Year { .. } => "year",
            Self::Date { .. } => "date",
            Self::Pages { .. } => "pages",
            Self::Cursor => "cursor",
            Self::UnknownUnit => "unknown_unit",
            Self::Username => "username",
            Self::PasswordTooShort { .. } => "password_too_short",
            Self::RoleRequired => "role_required",
            Self::OwnAccount => "own_account",
            Self::OwnAdministration => "own_administration",
            Self::Phone => "phone",
            Self::CurrentPassword => "current_password",
            Self::PasswordMismatch => "password_mismatch",
            Self::PasswordUnchanged => "password_unchanged",
            Self::UnitCycle => "unit_cycle",
            Self::AgencyNameTaken { .. } => "agency_name_taken",
            Self::AlreadyBootstrapped => "already_bootstrapped",
            Self::HolderDisabled => "holder_disabled",
            Self::HolderUnknown => "holder_unknown",
            Self::CsrTooLarge { .. } => "csr_too_large",
            Self::Certificate { .. } => "certificate",
            Self::NotVerifiable { .. } => "not_verifiable",
            Self::PdfPasswordRequired => "pdf_password_required",
            Self::PdfWrongPassword => "pdf_wrong_password",
            Self::PdfEncrypted => "pdf_encrypted",
            Self::ShuttingDown => "shutting_down",
            Self::Hashing { .. } => "hashing",
            Self::UnknownAgency { .. } => "unknown_agency",
            Self::NoAgencies => "no_agencies",
            Self::Serial { .. } => "serial",
            Self::KeyLabelEmpty => "key_label_empty",
            Self::KeyLabelTaken { .. } => "key_label_taken",
            Self::EmptyPassword => "empty_password",
            Self::Signing { .. } => "signing",
            Self::TrustAnchors { .. } => "trust_anchors",
            Self::SignatureRefused { .. } => "signature_refused",
            Self::Mark { .. } => "mark",
            Self::ImageKind { .. } => "image_kind",
            Self::ImageDamaged { .. } => "image_damaged",
            Self::ImageSize { .. } => "image_size",
            Self::Seal { .. } => "seal",
            Self::ExchangeSecret => "exchange_secret",
            Self::ExchangeRecipient { .. } => "exchange_recipient",
            Self::Exchange { .. } => "exchange",
            Self::ExchangeRecalled { .. } => "exchange_recalled",
            Self::NoRemoteSigning => "no_remote_signing",
            Self::RemoteHashCount { .. } => "remote_hash_count",
            Self::RemoteHashRepeated => "remote_hash_repeated",
            Self::RemoteLocked => "remote_locked",
            Self::RemotePin { .. } => "remote_pin",
            Self::RequestAnswered => "request_answered",
            Self::SadInvalid => "sad_invalid",
            Self::SadExpired => "sad_expired",
            Self::SadUsed => "sad_used",
            Self::HashNotAuthorized => "hash_not_authorized",
            Self::ForeignHandler { .. } => "foreign_handler",
            Self::TooManyHandlers { .. } => "too_many_handlers",
            Self::WorkingDays { .. } => "working_days",
            Self::DeadlineRequired => "deadline_required",
            Self::DeadlineInPast { .. } => "deadline_in_past",
            Self::OutsideUnit => "outside_unit",
            Self::ReplyUnknown => "reply_unknown",
            Self::Period { .. } => "period",
            Self::ExtensionNotLater { .. } => "extension_not_later",
            Self::WebhookUrl { .. } => "webhook_url",
            Self::WebhookEvents { .. } => "webhook_events",
            Self::NotPdf { .. } => "not_pdf",
            Self::CopyPages { .. } => "copy_pages",
            Self::CopyRecipients => "copy_recipients",
            Self::CopyOriginal => "copy_original",
            Self::CopyNeedsScan => "copy_needs_scan",
            Self::RouteReviewer => "route_reviewer",
            Self::RouteSigner => "route_signer",
            Self::RouteShape => "route_shape",
            Self::ReturnReason { .. } => "return_reason",
            Self::ForwardTo => "forward_to",
            Self::ScanNoImage { .. } => "scan_no_image",
            Self::ScanResolution { .. } => "scan_resolution",
            Self::ScanColour { .. } => "scan_colour",
            Self::SealReference { .. } => "seal_reference",
            Self::LeaderUnknown => "leader_unknown",
            Self::DateTime { .. } => "date_time",
            Self::MeetingInPast { .. } => "meeting_in_past",
            Self::MeetingEnds { .. } => "meeting_ends",
            Self::ParticipantRequired => "participant_required",
            Self::ForeignParticipant { .. } => "foreign_participant",
            Self::MeetingStarted => "meeting_started",
        }
    }

    /// The named values a message may show.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Body { detail }
            | Self::Certificate { detail }
            | Self::NotVerifiable { detail }
            | Self::Hashing { detail }
            | Self::Serial { detail }
            | Self::Signing { detail }
            | Self::TrustAnchors { detail }
            | Self::SignatureRefused { detail }
            | Self::Mark { detail }
            | Self::ImageKind { detail }
            | Self::ImageDamaged { detail }
            | Self::ImageSize { detail }
            | Self::Seal { detail }
            | Self::Exchange { detail } => vec![("detail", detail.clone())],
            Self::ExchangeRecipient { code } => vec![("code", code.clone())],
            Self::ExchangeRecalled { reason } => vec![("reason", reason.clone())],
            Self::WebhookUrl { url } => vec![("url", url.clone())],
            Self::WebhookEvents { known } => vec![("known", known.clone())],
            Self::NotPdf { name } => vec![("name", name.clone())],
            Self::CopyPages { value, count } => {
                vec![("value", value.clone()), ("count", count.clone())]
            }
            Self::ScanNoImage { page } | Self::ScanColour { page } => {
                vec![("page", page.to_string())]
            }
            Self::ScanResolution { page, dpi, min } => vec![
                ("page", page.to_string()),
                ("dpi", dpi.to_string()),
                ("min", min.to_string()),
            ],
            Self::SealReference { max } => vec![("max", max.to_string())],
            Self::UnknownAgency { code } => vec![("code", code.clone())],
            Self::ForeignHandler { holder } | Self::ForeignParticipant { holder } => {
                vec![("holder", holder.clone())]
            }
            Self::DateTime { field, value } => {
                vec![("field", (*field).to_owned()), ("value", value.clone())]
            }
            Self::MeetingInPast { value, now } => {
                vec![("value", value.clone()), ("now", now.clone())]
            }
            Self::MeetingEnds { starts, ends } => {
                vec![("starts", starts.clone()), ("ends", ends.clone())]
            }
            Self::TooManyHandlers { max } => vec![("max", max.to_string())],
            Self::WorkingDays { value, max } => {
                vec![("value", value.clone()), ("max", max.to_string())]
            }
            Self::DeadlineInPast { value, today } => {
                vec![("value", value.clone()), ("today", today.clone())]
            }
            Self::Period { from, to } => vec![("from", from.clone()), ("to", to.clone())],
            Self::ExtensionNotLater { value, deadline } => {
                vec![("value", value.clone()), ("deadline", deadline.clone())]
            }
            Self::ContentType { got, accepted } => {
                vec![("got", got.clone()), ("accepted", (*accepted).to_owned())]
            }
            Self::DateOutOfRange {
                field,
                value,
                from,
                to,
            } => vec![
                ("field", (*field).to_owned()),
                ("value", value.clone()),
                ("from", from.clone()),
                ("to", to.clone()),
            ],
            Self::KeyLabelTaken { label } => vec![("label", label.clone())],
            Self::TooManyFiles { max }
            | Self::CsrTooLarge { max }
            | Self::RemoteHashCount { max }
            | Self::ReturnReason { max } => {
                vec![("max", max.to_string())]
            }
            Self::PasswordTooShort { min } => vec![("min", min.to_string())],
            Self::RemotePin { left } => vec![("left", left.to_string())],
            Self::FileTypeMismatch { name, content_type } => vec![
                ("name", name.clone()),
                ("content_type", (*content_type).to_owned()),
            ],
            Self::FileTypeRefused { name } | Self::AgencyNameTaken { name } => {
                vec![("name", name.clone())]
            }
            Self::OneOf { field, allowed } => {
                vec![("field", (*field).to_owned()), ("allowed", allowed.clone())]
            }
            Self::Year { value } | Self::Pages { value } => vec![("value", value.clone())],
            Self::Date { field, value } => {
                vec![("field", (*field).to_owned()), ("value", value.clone())]
            }
            Self::NulCharacter
            | Self::FieldTooLong
            | Self::NotUtf8
            | Self::EmptyFile
            | Self::FileRequired
            | Self::FileNameMissing
            | Self::Cursor
            | Self::UnknownUnit
            | Self::Username
            | Self::RoleRequired
            | Self::OwnAccount
            | Self::OwnAdministration
            | Self::Phone
            | Self::CurrentPassword
            | Self::PasswordMismatch
            | Self::PasswordUnchanged
            | Self::UnitCycle
            | Self::AlreadyBootstrapped
            | Self::HolderDisabled
            | Self::HolderUnknown
            | Self::ShuttingDown
            | Self::PdfPasswordRequired
            | Self::PdfWrongPassword
            | Self::PdfEncrypted
            | Self::NoAgencies
            | Self::KeyLabelEmpty
            | Self::EmptyPassword
            | Self::NoRemoteSigning
            | Self::ExchangeSecret
            | Self::RemoteHashRepeated
            | Self::RemoteLocked
            | Self::RequestAnswered
            | Self::SadInvalid
            | Self::SadExpired
            | Self::SadUsed
            | Self::HashNotAuthorized
            | Self::DeadlineRequired
            | Self::OutsideUnit
            | Self::ReplyUnknown
            | Self::LeaderUnknown
            | Self::ParticipantRequired
            | Self::MeetingStarted
            | Self::CopyRecipients
            | Self::CopyOriginal
            | Self::CopyNeedsScan
            | Self::RouteReviewer
            | Self::RouteSigner
            | Self::RouteShape
            | Self::ForwardTo => Vec::new(),
        }
    }
}
