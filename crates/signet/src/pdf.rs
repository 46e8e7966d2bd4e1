//! `signet sign` and `signet verify`: PAdES signing and verification from the command line.
//! The work is in `signet-pades` (pure); this module reads files, keys and the clock, and
//! talks to the TSA, OCSP responders and CRL distribution points through `signet-net`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use signet_app::clock::VIETNAM;
use signet_appearance::{Appearance, AttachmentText, Layout};
use signet_net::{Fetcher, HttpClient};
use signet_pades::dss::Dss;
use signet_pades::sign::{self, NewField, Request};
use signet_pades::{Level, Report, Services};
use signet_pki::validation::{RevocationNeed, TrustAnchors};
use signet_pki::RawSigner;
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Role {
    /// The competent person's signature (a leader): the handwritten image.
    Personal,
    /// The agency's electronic seal, after the leader's signature.
    Organization,
    /// An attachment or electronic copy signed by the agency: text at the top right.
    Attachment,
}

#[derive(Args)]
pub struct SignArgs {
    /// The PDF to sign.
    input: PathBuf,
    #[arg(long)]
    out: PathBuf,
    /// The signer's certificate followed by its chain (PEM). Optional with --p12 when the
    /// PKCS#12 file holds the chain.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// Software keystore (PKCS#12).
    #[arg(long, conflicts_with = "pkcs11_module")]
    p12: Option<PathBuf>,
    /// The keystore's password (or SIGNET_KEY_PASSWORD).
    #[arg(long)]
    password: Option<String>,
    /// A PKCS#11 module (USB token, HSM), e.g. /usr/lib/softhsm/libsofthsm2.so.
    #[arg(long, requires = "token")]
    pkcs11_module: Option<PathBuf>,
    #[arg(long)]
    token: Option<String>,
    #[arg(long)]
    pin: Option<String>,
    /// The key's label on the token (default: the only key, or "signet").
    #[arg(long)]
    key_label: Option<String>,
    #[arg(long, value_enum, default_value = "personal")]
    role: Role,
    /// The signature field (created when missing).
    #[arg(long)]
    field: Option<String>,
    /// Page of a new field, from 1.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Rectangle of a new field, in points: X1,Y1,X2,Y2.
    #[arg(long, value_parser = parse_rect)]
    rect: Option<[f64; 4]>,
    /// The image: the leader's handwritten signature (blue PNG) or the agency's seal (red PNG).
    #[arg(long)]
    image: Option<PathBuf>,
    /// With --role personal: also create the agency's seal field (this name) in the same
    /// revision as the leader's, placed over the left third of the leader's signature.
    #[arg(long)]
    seal_field: Option<String>,
    /// The seal image used to size --seal-field (default: a 36 mm demo seal).
    #[arg(long)]
    seal_image: Option<PathBuf>,
    /// The agency's name (organization and attachment roles; default: the certificate's name).
    #[arg(long)]
    agency: Option<String>,
    /// Number and notation of the main document (attachment role), e.g. 12/QĐ-UBND.
    #[arg(long)]
    notation: Option<String>,
    #[arg(long)]
    reason: Option<String>,
    #[arg(long, value_parser = parse_level, default_value = "B-B")]
    level: Level,
    /// The time-stamping authority (RFC 3161), for B-T and above.
    #[arg(long)]
    tsa: Option<String>,
    /// Trust anchors used to gather B-LT validation data (default: the chain's root).
    #[arg(long)]
    trust: Vec<PathBuf>,
}

#[derive(Args)]
pub struct VerifyArgs {
    file: PathBuf,
    /// Trust anchors: PEM/DER files or directories.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Validate as of this time (RFC 3339) instead of now.
    #[arg(long)]
    at: Option<String>,
    /// Print the report as JSON (schema: docs/VERIFY-REPORT.md).
    #[arg(long)]
    json: bool,
    /// Use only data in the file (no OCSP/CRL fetching).
    #[arg(long)]
    offline: bool,
}

fn parse_rect(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("not a number: {p}"))
        })
        .collect::<Result<_, _>>()?;
    let r: [f64; 4] = v
        .try_into()
        .map_err(|_| "expected X1,Y1,X2,Y2".to_owned())?;
    if r.iter().all(|x| x.is_finite()) {
        Ok(r)
    } else {
        Err("coordinates must be finite".into())
    }
}

fn parse_level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| format!("unknown level {s}: B-B, B-T, B-LT or B-LTA"))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The network as signing and verification see it.
struct Net {
    fetcher: Fetcher,
    tsa: Option<String>,
}

impl Services for Net {
    fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>, String> {
        let url = self.tsa.as_deref().ok_or("B-T and above need --tsa URL")?;
        self.fetcher
            .timestamp(url, request)
            .map_err(|e| e.to_string())
    }
    fn revocation(&self, needs: &[RevocationNeed], at: OffsetDateTime) -> Dss {
        let f = self.fetcher.fetch_revocation(needs, at);
        for e in &f.errors {
            tracing::warn!("revocation data: {e}");
        }
        Dss {
            certs: Vec::new(),
            ocsps: f.ocsp_responses,
            crls: f.crls,
        }
    }
}

fn net(tsa: Option<String>) -> Net {
    Net {
        fetcher: Fetcher::new(HttpClient::default()),
        tsa,
    }
}

pub fn verify(args: VerifyArgs) -> Result<ExitCode, String> {
    let bytes = read(&args.file)?;
    // No anchor is allowed: every chain is then "not found" (INDETERMINATE), integrity still checked.
    let anchors = if args.trust.is_empty() {
        TrustAnchors::new()
    } else {
        signet_net::load_trust_anchors(&args.trust).map_err(|e| e.to_string())?
    };
    let at = match &args.at {
        Some(t) => OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("--at {t}: {e}"))?,
        None => OffsetDateTime::now_utc(),
    };
    let verifier = signet_app::verification::Verifier::new(anchors, !args.offline);
    let report = match verifier.verify(&bytes, at) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signet verify: {}: {e}", args.file.display());
            return Ok(ExitCode::from(3));
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", text_report(&report));
    }
    Ok(ExitCode::from(report.exit_code()))
}

fn text_report(r: &Report) -> String {
    let mut out = format!(
        "Kết luận / Verdict: {}{}\n",
        r.verdict.as_str(),
        if r.recovered {
            " (cấu trúc tệp đã phải dựng lại / structure recovered)"
        } else {
            ""
        }
    );
    for m in &r.messages {
        out.push_str(&format!("  {}\n  {}\n", m.vi, m.en));
    }
    for (i, s) in r.signatures.iter().enumerate() {
        let signer = s
            .signer
            .as_ref()
            .and_then(|x| x.common_name.clone())
            .unwrap_or_default();
        out.push_str(&format!(
            "\nChữ ký / Signature #{} [{}] {}{}\n  người ký / signer: {signer}\n  thời điểm ký / signing time: {}\n  dấu thời gian / timestamp: {}\n  toàn vẹn / integrity: {:?}, phạm vi / coverage: {:?}, sửa đổi sau khi ký / modifications: {:?}, mức / level: {}\n",
            i + 1,
            s.field,
            s.indication.as_str(),
            s.sub_indication.map(|x| format!(" / {x:?}")).unwrap_or_default(),
            s.signing_time.as_deref().unwrap_or("-"),
            s.timestamp.as_deref().unwrap_or("-"),
            s.integrity,
            s.coverage,
            s.modifications,
            s.level.as_deref().unwrap_or("-"),
        ));
        for m in &s.messages {
            out.push_str(&format!("  - {}\n    {}\n", m.vi, m.en));
        }
    }
    out
}

/// The key and certificates to sign with.
enum Key {
    Software(signet_signers::SoftwareKey),
    Token(signet_signers::Pkcs11Key),
}

fn load_key(args: &SignArgs) -> Result<(Key, Vec<Vec<u8>>), String> {
    let mut certs = match &args.cert {
        Some(p) => signet_pki::validation::certificates_from_pem_or_der(&read(p)?)
            .map_err(|e| format!("{}: {e}", p.display()))?,
        None => Vec::new(),
    };
    if let Some(p12) = &args.p12 {
        let password = args
            .password
            .clone()
            .or_else(|| std::env::var("SIGNET_KEY_PASSWORD").ok())
            .filter(|p| !p.is_empty())
            .ok_or("--p12 needs --password (or SIGNET_KEY_PASSWORD)")?;
        let (key, chain) = signet_signers::SoftwareKey::from_pkcs12(&read(p12)?, &password)
            .map_err(|e| format!("{}: {e}", p12.display()))?;
        if certs.is_empty() {
            certs = chain;
        }
        return Ok((Key::Software(key), certs));
    }
    let pin = args
        .pin
        .clone()
        .or_else(|| std::env::var("SIGNET_TOKEN_PIN").ok());
    let (Some(module), Some(label), Some(pin)) = (&args.pkcs11_module, &args.token, &pin) else {
        return Err(
            "give a key: --p12 FILE --password PW, or --pkcs11-module PATH --token LABEL --pin PIN"
                .into(),
        );
    };
    let token = signet_signers::Token::open(module, label, pin).map_err(|e| e.to_string())?;
    let key = token
        .key(args.key_label.as_deref().unwrap_or("signet"))
        .map_err(|e| e.to_string())?;
    if certs.is_empty() {
        return Err("--cert CHAIN.pem is required with a token".into());
    }
    Ok((Key::Token(key), certs))
}

pub fn sign_command(args: SignArgs) -> Result<ExitCode, String> {
    let (key, certs) = load_key(&args)?;
    let (cert, chain) = certs.split_first().ok_or("no signer certificate")?;
    let mut pdf = read(&args.input)?;
    let now = OffsetDateTime::now_utc().to_offset(VIETNAM);
    let image = args.image.as_deref().map(read).transpose()?;
    let field = args
        .field
        .clone()
        .unwrap_or_else(|| default_field(args.role).to_owned());
    let doc =
        signet_pdf::Document::parse(&pdf).map_err(|e| format!("{}: {e}", args.input.display()))?;
    let existing = field_rect(&doc, &field)?;
    let page = args.page.checked_sub(1).ok_or("--page starts at 1")?;
    if existing.is_none() {
        if let (Role::Personal, Some(seal)) = (args.role, &args.seal_field) {
            let rect = args
                .rect
                .ok_or("--seal-field needs --rect for the leader's box")?;
            pdf = create_leader_and_seal(&pdf, &args, &field, seal, page, rect)?;
        }
    }
    let doc = signet_pdf::Document::parse(&pdf).map_err(|e| e.to_string())?;
    let existing = field_rect(&doc, &field)?;
    let agency = args.agency.clone().unwrap_or_else(|| organization_of(cert));
    let time_text = iso_vietnam(now);
    let seal_default;
    let seal_png: &[u8] = match &image {
        Some(i) => i,
        None => {
            seal_default = signet_appearance::demo::seal_png();
            &seal_default
        }
    };
    let signer_name = signet_pki::validation::summarize(cert)
        .map(|s| s.subject_cn)
        .unwrap_or_default();
    let (rect, create) = match (existing, args.role) {
        (Some(r), _) => (r, None),
        (None, Role::Attachment) => {
            let media = doc
                .pages()
                .ok()
                .and_then(|p| p.get(page).copied())
                .and_then(|p| doc.page_media_box(p).ok())
                .unwrap_or([0.0, 0.0, 595.0, 842.0]);
            let text = attachment_text(&args, &agency, &time_text)?;
            let r = signet_appearance::top_right_rect(media, &text).map_err(|e| e.to_string())?;
            (
                r,
                Some(NewField {
                    name: field.clone(),
                    page,
                    rect: r,
                }),
            )
        }
        (None, _) => {
            let r = args
                .rect
                .ok_or("the field does not exist: give --page and --rect to create it")?;
            (
                r,
                Some(NewField {
                    name: field.clone(),
                    page,
                    rect: r,
                }),
            )
        }
    };
    let notation_text;
    let layout = match args.role {
        Role::Personal => Layout::Personal {
            signature_png: image.as_deref(),
            name: &signer_name,
        },
        Role::Organization => Layout::Organization {
            seal_png,
            agency: &agency,
            signing_time: &time_text,
        },
        Role::Attachment => {
            notation_text = attachment_text(&args, &agency, &time_text)?;
            Layout::Attachment(notation_text)
        }
    };
    let (w, h) = ((rect[2] - rect[0]).abs(), (rect[3] - rect[1]).abs());
    let appearance = (w > 0.0 && h > 0.0).then_some(Appearance {
        width: w,
        height: h,
        layout,
    });
    let req = Request {
        field,
        create,
        appearance,
        m: signet_pades::pdfdate::pdf_date(now),
        reason: args.reason.clone(),
        location: None,
        level: args.level,
        validation_data: None,
    };
    let anchors = anchors_for(&args.trust, &certs)?;
    let services = net(args.tsa.clone());
    let out = match &key {
        Key::Software(k) => run_sign(&pdf, &req, k, cert, chain, &services, &anchors, now),
        Key::Token(k) => run_sign(&pdf, &req, k, cert, chain, &services, &anchors, now),
    }?;
    std::fs::write(&args.out, &out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!(
        "signed {} -> {} ({} bytes)",
        args.input.display(),
        args.out.display(),
        out.len()
    );
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
fn run_sign<S: RawSigner>(
    pdf: &[u8],
    req: &Request,
    key: &S,
    cert: &[u8],
    chain: &[Vec<u8>],
    services: &Net,
    anchors: &TrustAnchors,
    now: OffsetDateTime,
) -> Result<Vec<u8>, String> {
    sign::sign(pdf, req, key, cert, chain, services, anchors, now).map_err(|e| e.to_string())
}

fn attachment_text<'a>(
    args: &'a SignArgs,
    agency: &'a str,
    time: &'a str,
) -> Result<AttachmentText<'a>, String> {
    Ok(AttachmentText {
        notation: args
            .notation
            .as_deref()
            .ok_or("--role attachment needs --notation (e.g. 12/QĐ-UBND)")?,
        agency,
        signing_time: time,
    })
}

fn default_field(role: Role) -> &'static str {
    match role {
        Role::Personal => "ChuKyLanhDao",
        Role::Organization => "ChuKyCoQuan",
        Role::Attachment => "ChuKyPhuLuc",
    }
}

/// The rectangle of an existing empty signature field; an error if it is already signed.
fn field_rect(doc: &signet_pdf::Document, name: &str) -> Result<Option<[f64; 4]>, String> {
    let fields = doc.acro_form_fields().map_err(|e| e.to_string())?;
    match fields.iter().find(|f| f.name == name) {
        None => Ok(None),
        Some(f) if !f.is_empty() => Err(format!("the field {name} is already signed")),
        Some(f) => Ok(Some(
            f.widgets.first().and_then(|w| w.rect).unwrap_or([0.0; 4]),
        )),
    }
}

/// The leader's and the seal's fields in one revision, before the first signature.
fn create_leader_and_seal(
    pdf: &[u8],
    args: &SignArgs,
    leader: &str,
    seal: &str,
    page: usize,
    rect: [f64; 4],
) -> Result<Vec<u8>, String> {
    let seal_png = match &args.seal_image {
        Some(p) => read(p)?,
        None => signet_appearance::demo::seal_png(),
    };
    let size = signet_appearance::seal_size_pt(&seal_png).map_err(|e| e.to_string())?;
    let seal_rect = signet_appearance::seal_rect(rect, size, 150.0);
    sign::add_fields(
        pdf,
        &[
            NewField {
                name: leader.to_owned(),
                page,
                rect,
            },
            NewField {
                name: seal.to_owned(),
                page,
                rect: seal_rect,
            },
        ],
    )
    .map_err(|e| e.to_string())
}

fn anchors_for(trust: &[PathBuf], certs: &[Vec<u8>]) -> Result<TrustAnchors, String> {
    if !trust.is_empty() {
        return signet_net::load_trust_anchors(trust).map_err(|e| e.to_string());
    }
    // Only to gather validation data: the chain's last certificate (its root, usually).
    let mut a = TrustAnchors::new();
    if let Some(last) = certs.last() {
        a.add(last).map_err(|e| e.to_string())?;
    }
    Ok(a)
}

fn organization_of(cert: &[u8]) -> String {
    signet_pki::validation::summarize(cert)
        .map(|s| {
            s.subject
                .split(',')
                .find_map(|p| p.trim().strip_prefix("O=").map(str::to_owned))
                .unwrap_or(s.subject_cn)
        })
        .unwrap_or_default()
}

fn iso_vietnam(t: OffsetDateTime) -> String {
    let t = t.to_offset(VIETNAM);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
