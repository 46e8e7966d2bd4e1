//! `signet ca …`: the built-in CA on a directory (`signet_app::ca_dir` describes its layout),
//! and its CRL/OCSP/TSA server. Argument parsing and output only: the CA's use cases are
//! `signet_app::ca_service` and its neighbours, the endpoints `signet_web::ca_endpoints`.
//!
//! One operator at a time: `issue`, `revoke` and `crl` — and the web application's certificate
//! page, under its own lock — rewrite `state.json` (atomically, by rename); `serve` only reads
//! it, and reloads it when it changes.

mod issue;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use signet_app::ca_dir::{self, Pkcs11Config};
use signet_app::ca_service::BuiltInCa;
use signet_app::{AppError, Clock, SystemClock};
use signet_pki::{pem, KeyAlg, Reason};

#[derive(Subcommand)]
pub enum CaCommand {
    /// Create a root CA, an issuing CA, an OCSP responder and a TSA certificate in DIR.
    Init {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value = "Signet CA")]
        name: String,
        /// Where the CRLs, the OCSP responder and the CA certificates are published.
        #[arg(long, default_value = "http://127.0.0.1:8081")]
        base_url: String,
        #[arg(long, value_enum, default_value = "p256")]
        key: KeyArg,
        /// Generate the four CA keys inside this PKCS#11 module's token (user PIN from
        /// SIGNET_PKCS11_PIN) instead of key files.
        #[arg(long, requires = "token_label")]
        pkcs11_module: Option<PathBuf>,
        /// The token's label.
        #[arg(long)]
        token_label: Option<String>,
        /// Labels of the keys on the token: PREFIX-root, PREFIX-issuing, PREFIX-ocsp, PREFIX-tsa.
        #[arg(long, default_value = "signet-ca")]
        key_label_prefix: String,
    },
    /// Issue a person's or an organization's certificate, for a CSR, with a new key written as
    /// PREFIX.p12 (protected by --password or SIGNET_KEY_PASSWORD), or with a new key generated
    /// inside the holder's PKCS#11 token (--pkcs11-module, --token; PIN from SIGNET_PKCS11_PIN).
    /// With --config or --data, the certificate is also recorded in that deployment's
    /// inventory (the agency must exist there).
    Issue(Box<issue::IssueArgs>),
    /// Revoke a certificate issued by this CA.
    Revoke {
        #[arg(long)]
        dir: PathBuf,
        /// Serial in hex (colons allowed).
        #[arg(long)]
        serial: String,
        #[arg(long, default_value = "unspecified", value_parser = parse_reason)]
        reason: Reason,
    },
    /// Write the issuing CA's CRL (PEM if FILE ends in .pem, DER otherwise).
    Crl {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve /ocsp (GET and POST), /crl/issuing.crl, /crl/root.crl, /ca/*.cer and /tsa.
    Serve {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8081")]
        listen: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum KeyArg {
    P256,
    P384,
}

fn parse_reason(s: &str) -> Result<Reason, String> {
    Reason::parse(s).ok_or_else(|| {
        let names: Vec<_> = Reason::ALL.iter().map(|(_, n)| *n).collect();
        format!("unknown reason {s:?}; one of: {}", names.join(", "))
    })
}

/// An error of the CA's use cases as the command line prints it: the sentence itself.
fn message(e: AppError) -> String {
    match e {
        AppError::Conflict(what) => what,
        other => other.to_string(),
    }
}

/// The CA of `dir`, on the system clock.
fn open(dir: &Path) -> Result<BuiltInCa, String> {
    BuiltInCa::open(dir).map_err(message)
}

pub async fn run(command: CaCommand) -> Result<ExitCode, String> {
    match command {
        CaCommand::Init {
            dir,
            name,
            base_url,
            key,
            pkcs11_module,
            token_label,
            key_label_prefix,
        } => {
            let hsm = match (pkcs11_module, token_label) {
                (Some(module), Some(token_label)) => Some(Pkcs11Config {
                    module,
                    token_label,
                    key_label_prefix,
                }),
                _ => None,
            };
            init(&dir, &name, &base_url, key, hsm)?
        }
        CaCommand::Issue(args) => issue::run(*args).await?,
        CaCommand::Revoke {
            dir,
            serial,
            reason,
        } => {
            let serial = open(&dir)?.revoke(&serial, reason).await.map_err(message)?;
            println!("revoked {serial} ({})", reason.name());
        }
        CaCommand::Crl { dir, out } => {
            let crl = open(&dir)?.next_crl().await.map_err(message)?;
            let bytes = if out.extension().is_some_and(|e| e == "pem") {
                pem("X509 CRL", &crl.der).into_bytes()
            } else {
                crl.der
            };
            ca_dir::write_file(&out, &bytes, 0o644).map_err(message)?;
            println!(
                "CRL number {} with {} revoked certificate(s) written to {}",
                crl.number,
                crl.revoked,
                out.display()
            );
        }
        CaCommand::Serve { dir, listen } => serve(&dir, &listen).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The demo's CA, made once under the data directory so `signet demo` answers OCSP, CRL and
/// TSA requests on its own port.
pub fn ensure_demo_ca(dir: &Path, listen: &str) -> Result<(), String> {
    if ca_dir::exists(dir) {
        return Ok(());
    }
    init(
        dir,
        "CA thử nghiệm tỉnh Lạc Hồng",
        &format!("http://{listen}"),
        KeyArg::P256,
        None,
    )
}

fn init(
    dir: &Path,
    name: &str,
    base_url: &str,
    key: KeyArg,
    hsm: Option<Pkcs11Config>,
) -> Result<(), String> {
    let alg = match key {
        KeyArg::P256 => KeyAlg::EcdsaP256,
        KeyArg::P384 => KeyAlg::EcdsaP384,
    };
    let (ca, where_keys) =
        ca_dir::init(dir, name, base_url, alg, hsm, SystemClock.now()).map_err(message)?;
    println!(
        "CA \"{}\" created in {}: root.pem, issuing.pem, ocsp.pem, tsa.pem; {where_keys}",
        ca.record().name,
        dir.display()
    );
    Ok(())
}

async fn serve(dir: &Path, listen: &str) -> Result<(), String> {
    let ca = Arc::new(open(dir)?);
    // Loaded now, so a CA that cannot publish says so before the port opens.
    ca.published().map_err(message)?;
    let app = signet_web::ca_endpoints::router(ca);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("CA services at http://{addr}/ (ocsp, tsa, crl/issuing.crl, crl/root.crl)");
    signet_web::serve_router(listener, app, crate::shutdown())
        .await
        .map_err(|e| e.to_string())
}
