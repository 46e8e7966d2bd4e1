//! `signet edxml`: inspect and build QCVN 102 edXML packets, for integrators. The contract
//! (commands, flags, exit codes, JSON fields) is published in issue 14 §2 and checked by
//! others' tools: keep it.
//!
//! - `inspect FILE [--json]`: exit 0 when the packet was read, 1 when refused, with a one-line
//!   reason on stderr. The file is streamed: attachments are hashed, never held.
//! - `build SPEC.json [--attach FILE]... [key] --out OUT.edxml`: SPEC is inspect's JSON without
//!   `attachments` and `signature` (both are ignored if present).

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use signet_app::{Clock, SystemClock};
use signet_edxml::{FileIn, Kind, Limits, Packet, Spec};
use signet_signers::{Pkcs11Key, SoftwareKey, Token};

use crate::sign::read;

#[derive(Subcommand)]
pub enum EdxmlCommand {
    /// Read a packet. Exit status 0: read; 1: refused (the reason on stderr).
    Inspect {
        file: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Write a packet from a JSON spec (inspect's shape), signed when a key is given.
    Build(Box<BuildArgs>),
}

#[derive(Args)]
pub struct BuildArgs {
    spec: PathBuf,
    /// A file to attach (repeatable), in order.
    #[arg(long)]
    attach: Vec<PathBuf>,
    /// Sign with this PKCS#12 keystore.
    #[arg(long, conflicts_with = "pkcs11_module")]
    sign_p12: Option<PathBuf>,
    /// The keystore's password (or SIGNET_KEY_PASSWORD).
    #[arg(long)]
    password: Option<String>,
    /// Sign with a key on a PKCS#11 token: the module, e.g. /usr/lib/softhsm/libsofthsm2.so.
    #[arg(long)]
    pkcs11_module: Option<PathBuf>,
    /// The token's label.
    #[arg(long)]
    pkcs11_token: Option<String>,
    /// The user PIN (or SIGNET_TOKEN_PIN, SIGNET_PKCS11_PIN).
    #[arg(long)]
    pkcs11_pin: Option<String>,
    /// The key's label (its certificate is read from the token under the same label).
    #[arg(long)]
    pkcs11_key: Option<String>,
    /// The signer's certificate (PEM or DER, first certificate), instead of the keystore's
    /// or the token's.
    #[arg(long)]
    cert: Option<PathBuf>,
    #[arg(long)]
    out: PathBuf,
}

pub fn run(command: EdxmlCommand) -> Result<ExitCode, String> {
    match command {
        EdxmlCommand::Inspect { file, json } => Ok(inspect(&file, json)),
        EdxmlCommand::Build(args) => build(&args).map(|()| ExitCode::SUCCESS),
    }
}

fn inspect(file: &Path, json: bool) -> ExitCode {
    let packet = std::fs::File::open(file)
        .map_err(|e| e.to_string())
        .and_then(|f| {
            signet_edxml::inspect(BufReader::with_capacity(1 << 16, f), &Limits::default())
                .map_err(|e| e.to_string())
        });
    let packet = match packet {
        Ok(p) => p,
        Err(e) => {
            eprintln!("signet edxml: {}: {}", file.display(), one_line(&e));
            return ExitCode::from(1);
        }
    };
    if json {
        match serde_json::to_string_pretty(&packet) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("signet edxml: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", summary(&packet));
    }
    ExitCode::SUCCESS
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The human-readable report, Vietnamese first.
fn summary(p: &Packet) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        if !value.is_empty() {
            out.push_str(&format!("{label}: {value}\n"));
        }
    };
    let kind = match (p.kind, p.legacy_soap) {
        (Kind::Document, _) => "gói tin văn bản / document packet",
        (Kind::Status, false) => "gói tin trạng thái / status packet",
        (Kind::Status, true) => {
            "gói tin trạng thái (SOAP-ENV cũ) / status packet (legacy SOAP-ENV)"
        }
    };
    line("Loại gói tin / Kind", kind);
    line("Mã văn bản / Document id", &p.document_id);
    line("Nơi gửi / From", organ(&p.from).trim());
    for to in &p.to {
        line("Nơi nhận / To", organ(to).trim());
    }
    if !p.code.number.is_empty() || !p.code.notation.is_empty() {
        line(
            "Số, ký hiệu / Code",
            &format!("{}/{}", p.code.number, p.code.notation),
        );
    }
    line(
        "Ban hành / Promulgation",
        format!("{} {}", p.promulgation.place, p.promulgation.date).trim(),
    );
    line("Loại văn bản / Type", &p.document_type.name);
    line("Trích yếu / Subject", &p.subject);
    line("Độ khẩn / Priority", &p.priority);
    line("Hạn xử lý / Due", p.due_date.as_deref().unwrap_or(""));
    line(
        "Người ký / Signed by",
        format!("{} {}", p.signer.position, p.signer.full_name).trim(),
    );
    if let Some(s) = &p.status {
        let meaning = signet_edxml::status_meaning(&s.code).unwrap_or("unknown code");
        line(
            "Trạng thái / Status",
            &format!("{} ({meaning}) {}", s.code, s.timestamp),
        );
        line("Mô tả / Description", &s.description);
        line("Trả lời cho / Response for", &s.response_for.document_id);
    }
    for a in &p.attachments {
        line(
            "Tệp đính kèm / Attachment",
            &format!(
                "{} ({}, {} bytes, sha256 {})",
                a.name, a.content_type, a.size, a.sha256
            ),
        );
    }
    let sig = &p.signature;
    let verdict = match (sig.present, sig.valid) {
        (false, _) => "không có / none".to_owned(),
        (true, Some(true)) => "hợp lệ / valid".to_owned(),
        (true, Some(false)) => "KHÔNG hợp lệ / INVALID".to_owned(),
        (true, None) => "không xác định được / cannot be judged".to_owned(),
    };
    let detail = [sig.signer.as_deref(), sig.digest.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    line(
        "Chữ ký gói tin / Packet signature",
        format!("{verdict} {detail}").trim(),
    );
    out
}

fn organ(o: &signet_edxml::Organ) -> String {
    format!("{} {}", o.organ_id, o.organ_name)
}

fn build(args: &BuildArgs) -> Result<(), String> {
    let spec: Spec = serde_json::from_slice(&read(&args.spec)?)
        .map_err(|e| format!("{}: {e}", args.spec.display()))?;
    let contents = args
        .attach
        .iter()
        .map(|p| read(p).map(|b| (p, b)))
        .collect::<Result<Vec<_>, _>>()?;
    let names = contents
        .iter()
        .map(|(p, _)| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| format!("{}: not a file name", p.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let files: Vec<FileIn<'_>> = contents
        .iter()
        .zip(&names)
        .map(|((_, bytes), name)| FileIn {
            name,
            content_type: content_type(name),
            bytes,
        })
        .collect();
    let now = SystemClock.now();
    let (bytes, signer) = match key(args)? {
        None => (signet_edxml::build(&spec, &files, now), None),
        Some((Key::Software(k), cert)) => (
            signet_edxml::build_signed(&spec, &files, now, &k, &cert),
            Some(cert),
        ),
        Some((Key::Token(k), cert)) => (
            signet_edxml::build_signed(&spec, &files, now, &k, &cert),
            Some(cert),
        ),
    };
    let bytes = bytes.map_err(|e| e.to_string())?;
    std::fs::write(&args.out, &bytes).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let by = signer
        .and_then(|c| signet_pki::validation::summarize(&c).ok())
        .map(|s| format!(", signed by {}", s.subject_cn))
        .unwrap_or_default();
    println!(
        "built {} ({} bytes, {} attachment(s){by})",
        args.out.display(),
        bytes.len(),
        files.len()
    );
    Ok(())
}

enum Key {
    Software(SoftwareKey),
    Token(Pkcs11Key),
}

/// The signing key the arguments name, with the signer's certificate (DER); none to build
/// an unsigned packet.
fn key(args: &BuildArgs) -> Result<Option<(Key, Vec<u8>)>, String> {
    let given_cert = match &args.cert {
        Some(p) => Some(
            signet_pki::validation::certificates_from_pem_or_der(&read(p)?)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .into_iter()
                .next()
                .ok_or_else(|| format!("{}: no certificate", p.display()))?,
        ),
        None => None,
    };
    if let Some(p12) = &args.sign_p12 {
        let password = args
            .password
            .clone()
            .or_else(|| std::env::var("SIGNET_KEY_PASSWORD").ok())
            .ok_or("--sign-p12 needs --password (or SIGNET_KEY_PASSWORD)")?;
        let (k, chain) = SoftwareKey::from_pkcs12(&read(p12)?, &password)
            .map_err(|e| format!("{}: {e}", p12.display()))?;
        let cert = given_cert
            .or_else(|| chain.into_iter().next())
            .ok_or_else(|| format!("{}: no certificate; give --cert", p12.display()))?;
        return Ok(Some((Key::Software(k), cert)));
    }
    let Some(module) = &args.pkcs11_module else {
        return Ok(None);
    };
    let pin = args
        .pkcs11_pin
        .clone()
        .or_else(|| std::env::var("SIGNET_TOKEN_PIN").ok())
        .or_else(|| std::env::var("SIGNET_PKCS11_PIN").ok());
    let (Some(token), Some(pin), Some(label)) = (&args.pkcs11_token, pin, &args.pkcs11_key) else {
        return Err("--pkcs11-module needs --pkcs11-token, --pkcs11-pin and --pkcs11-key".into());
    };
    let token = Token::open(module, token, &pin).map_err(|e| e.to_string())?;
    let k = token.key(label).map_err(|e| e.to_string())?;
    let cert = match given_cert {
        Some(c) => c,
        None => token
            .certificate(label)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no certificate labelled {label} on the token; give --cert"))?,
    };
    Ok(Some((Key::Token(k), cert)))
}

/// The content type of an attached file, from its extension.
fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "zip" => "application/zip",
        "xml" => "application/xml",
        "txt" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}
