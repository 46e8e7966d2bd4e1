//! `signet verify`: the arguments and the report (text or JSON). The verification loop is
//! `signet_app::verification`, shared with the web.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use signet_app::{Clock, SystemClock};
use signet_pades::Report;
use time::OffsetDateTime;

use crate::sign::read;

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
    /// Use only data in the file and the trust lists (no OCSP/CRL/certificate fetching).
    #[arg(long)]
    offline: bool,
    /// Built-in trust lists to use, comma-separated: vn-gov ("Chữ ký số chuyên dùng Chính
    /// phủ"), vn-public ("Chữ ký số công cộng"), or none. Lists version 2026.12.1.
    #[arg(long, value_delimiter = ',', default_value = "vn-gov,vn-public")]
    trust_lists: Vec<String>,
    /// Also write the ETSI TS 119 102-2 XML validation report to this file.
    #[arg(long, value_name = "FILE.xml")]
    etsi_report: Option<PathBuf>,
    /// Also write the printable "phiếu kiểm tra chữ ký số" (PDF, Vietnamese) to this file.
    #[arg(long, value_name = "FILE.pdf")]
    slip: Option<PathBuf>,
    /// The password of an encrypted PDF (user or owner). Files protected by an owner
    /// password only open without it.
    #[arg(long)]
    password: Option<String>,
}

pub fn verify(args: VerifyArgs) -> Result<ExitCode, String> {
    let bytes = read(&args.file)?;
    // No anchor is allowed: every chain is then "not found" (INDETERMINATE), integrity still checked.
    let ids: Vec<String> = args
        .trust_lists
        .iter()
        .filter(|id| id.as_str() != "none")
        .cloned()
        .collect();
    let lists = signet_app::trust_lists::parse_ids(&ids).map_err(|e| e.to_string())?;
    let anchors = signet_app::verification::deployment_anchors(&args.trust, &lists, None)
        .map_err(|e| e.to_string())?;
    let at = match &args.at {
        Some(t) => OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("--at {t}: {e}"))?,
        None => SystemClock.now(),
    };
    let verifier = signet_app::verification::Verifier::new(anchors, !args.offline);
    let password = args.password.clone().map(signet_pades::Password);
    let report = match verifier.verify_with_password(&bytes, at, password) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signet verify: {}: {e}", args.file.display());
            return Ok(ExitCode::from(3));
        }
    };
    write_documents(&args, &bytes, &report, at)?;
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
        out.push_str(&signer_details(s));
        for m in &s.messages {
            out.push_str(&format!("  - {}\n    {}\n", m.vi, m.en));
        }
    }
    out
}

/// The Vietnamese profile's subject details and the trust list, one line each where present.
fn signer_details(s: &signet_pades::SignatureReport) -> String {
    let mut out = String::new();
    if let Some(d) = s.signer.as_ref().map(|x| &x.details) {
        if let Some(t) = &d.title {
            out.push_str(&format!("  chức vụ / title: {t}\n"));
        }
        if let Some(o) = &d.organization {
            out.push_str(&format!("  cơ quan / organization: {o}\n"));
        }
        for id in &d.identifiers {
            let label = if id.label_vi.is_empty() {
                id.kind.clone()
            } else {
                format!("{} / {}", id.label_vi, id.label_en)
            };
            out.push_str(&format!("  {label}: {}:{}\n", id.kind, id.value));
        }
    }
    match (&s.trust_list, &s.trust_anchor) {
        (Some(l), Some(a)) => out.push_str(&format!(
            "  danh sách tin cậy / trust list: {} ({}), gốc / root: {a}\n",
            l.name, l.id
        )),
        (None, Some(a)) => out.push_str(&format!("  gốc tin cậy / trusted root: {a}\n")),
        _ => {}
    }
    out
}

/// The ETSI XML report and the slip, when asked for.
fn write_documents(
    args: &VerifyArgs,
    bytes: &[u8],
    report: &Report,
    at: OffsetDateTime,
) -> Result<(), String> {
    if args.etsi_report.is_none() && args.slip.is_none() {
        return Ok(());
    }
    let digest = signet_app::verification::document_sha256(bytes);
    if let Some(path) = &args.etsi_report {
        let xml = signet_pades::etsi::etsi_report(report, &digest, at);
        std::fs::write(path, xml).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &args.slip {
        let name = args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let input = signet_pades::slip::SlipInput {
            file_name: &name,
            document_sha256: &digest,
            verified_at: at,
        };
        let pdf = signet_pades::slip::slip_pdf(report, &input).map_err(|e| e.to_string())?;
        std::fs::write(path, pdf).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
