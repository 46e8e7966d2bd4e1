//! `signet ca …`: the built-in CA on a directory, and its CRL/OCSP/TSA server.
//!
//! Layout of `--dir` (read and written by `signet_app::ca_dir`):
//! - `root.pem`, `issuing.pem`, `ocsp.pem`, `tsa.pem` — the certificates (PEM);
//! - `keys/{root,issuing,ocsp,tsa}.key` — their PKCS#8 keys (mode 0600, directory 0700);
//! - `state.json` — the issued certificates, revocations and counters (mode 0600);
//! - or, instead of `keys/`, `pkcs11.json` — the module, token and key labels when the keys
//!   were generated on a PKCS#11 token (`init --pkcs11-module`; PIN from SIGNET_PKCS11_PIN).
//!
//! One operator at a time: `issue`, `revoke` and `crl` — and the web application's certificate
//! page, under its own lock — rewrite `state.json` (atomically, by rename); `serve` only reads
//! it, and reloads it when it changes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use clap::Subcommand;
use signet_app::ca_dir::{self, OsRng, Pkcs11Config};
use signet_pki::{next_crl_number, pem, Ca, KeyAlg, Profile, Reason, Subject};
use time::OffsetDateTime;

/// Request bodies larger than this are refused (an OCSP request or a time-stamp query is a
/// few hundred bytes).
const BODY_LIMIT: usize = 64 * 1024;

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
    Issue {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Person: full name ("Nguyễn Văn A"). Organization: the agency's name.
        #[arg(long)]
        name: String,
        /// The agency's identifier code (mã định danh).
        #[arg(long)]
        agency: String,
        /// The agency's name for a person's O (default: the code).
        #[arg(long)]
        agency_name: Option<String>,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// A PKCS#10 request (PEM or DER); its subject and extensions are ignored.
        #[arg(long, conflicts_with = "password")]
        csr: Option<PathBuf>,
        /// Password of the PKCS#12 file (prefer SIGNET_KEY_PASSWORD: arguments are visible
        /// to other local users).
        #[arg(long)]
        password: Option<String>,
        /// Generate the holder's key pair (--key-type; sensitive, not extractable) inside the
        /// token of this PKCS#11 module and store the certificate next to it; nothing secret is
        /// written to disk.
        #[arg(long, requires = "token", conflicts_with_all = ["csr", "password"])]
        pkcs11_module: Option<PathBuf>,
        /// The label of the holder's token.
        #[arg(long, requires = "pkcs11_module")]
        token: Option<String>,
        /// The token's user PIN (prefer SIGNET_PKCS11_PIN: arguments show in `ps`).
        #[arg(long, requires = "pkcs11_module")]
        pin: Option<String>,
        /// Label and CKA_ID of the key pair and certificate on the token (default: the file name
        /// of PREFIX).
        #[arg(long, requires = "pkcs11_module")]
        key_label: Option<String>,
        /// The holder's new key (software keystore or token): p256 (default), p384, rsa2048,
        /// rsa3072.
        #[arg(long, value_enum, default_value = "p256", conflicts_with = "csr")]
        key_type: HolderKeyArg,
        /// Writes PREFIX.pem (certificate, then the issuing CA) and, with a generated key
        /// outside a token, PREFIX.p12.
        #[arg(long)]
        out: PathBuf,
    },
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

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum HolderKeyArg {
    P256,
    P384,
    Rsa2048,
    Rsa3072,
}

impl HolderKeyArg {
    fn key(self) -> signet_pki::HolderKey {
        match self {
            HolderKeyArg::P256 => signet_pki::HolderKey::EcdsaP256,
            HolderKeyArg::P384 => signet_pki::HolderKey::EcdsaP384,
            HolderKeyArg::Rsa2048 => signet_pki::HolderKey::Rsa2048,
            HolderKeyArg::Rsa3072 => signet_pki::HolderKey::Rsa3072,
        }
    }
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum KindArg {
    Person,
    Organization,
}

fn parse_reason(s: &str) -> Result<Reason, String> {
    Reason::parse(s).ok_or_else(|| {
        let names: Vec<_> = Reason::ALL.iter().map(|(_, n)| *n).collect();
        format!("unknown reason {s:?}; one of: {}", names.join(", "))
    })
}

// The CA directory itself (load, save, init, PKCS#12) is `signet_app::ca_dir`, shared with
// the web application; these wrappers give its errors the CLI's plain-text form.

fn load(dir: &Path) -> Result<Ca, String> {
    ca_dir::load(dir).map_err(|e| e.to_string())
}

fn save_record(dir: &Path, ca: &Ca) -> Result<(), String> {
    ca_dir::save_record(dir, ca).map_err(|e| e.to_string())
}

fn write_file(path: &Path, data: &[u8], mode: u32) -> Result<(), String> {
    ca_dir::write_file(path, data, mode).map_err(|e| e.to_string())
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    ca_dir::read(path).map_err(|e| e.to_string())
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
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
        CaCommand::Issue {
            dir,
            kind,
            name,
            agency,
            agency_name,
            unit,
            title,
            email,
            csr,
            password,
            pkcs11_module,
            token,
            pin,
            key_label,
            key_type,
            out,
        } => {
            let holder = match (pkcs11_module, token) {
                (Some(module), Some(token)) => Some(HolderToken {
                    module,
                    token,
                    pin,
                    key_label,
                }),
                _ => None,
            };
            let subject = Subject {
                name,
                agency_name: agency_name.unwrap_or_default(),
                agency_code: agency,
                unit,
                title,
                email,
            };
            let source = KeySource {
                csr: csr.as_deref(),
                password,
                holder,
                key: key_type.key(),
            };
            issue(&dir, kind, &subject, source, &out)?
        }
        CaCommand::Revoke {
            dir,
            serial,
            reason,
        } => {
            let mut ca = load(&dir)?;
            ca.revoke(&serial, reason, now())
                .map_err(|e| e.to_string())?;
            save_record(&dir, &ca)?;
            println!(
                "revoked {} ({})",
                signet_pki::parse_serial(&serial).map_err(|e| e.to_string())?,
                reason.name()
            );
        }
        CaCommand::Crl { dir, out } => {
            let mut ca = load(&dir)?;
            let der = ca.next_issuing_crl(now()).map_err(|e| e.to_string())?;
            let n = ca.record().crl_number;
            save_record(&dir, &ca)?;
            let bytes = if out.extension().is_some_and(|e| e == "pem") {
                pem("X509 CRL", &der).into_bytes()
            } else {
                der
            };
            write_file(&out, &bytes, 0o644)?;
            println!(
                "CRL number {n} with {} revoked certificate(s) written to {}",
                ca.revocations().entries.len(),
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
    if dir.join("state.json").exists() {
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
        ca_dir::init(dir, name, base_url, alg, hsm, now()).map_err(|e| e.to_string())?;
    println!(
        "CA \"{}\" created in {}: root.pem, issuing.pem, ocsp.pem, tsa.pem; {where_keys}",
        ca.record().name,
        dir.display()
    );
    Ok(())
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The holder's PKCS#11 token for `issue --pkcs11-module`.
struct HolderToken {
    module: PathBuf,
    token: String,
    pin: Option<String>,
    key_label: Option<String>,
}

/// Where the holder's key comes from: a CSR, a new software keystore (password), or a new key
/// on the holder's token; `key` is the kind of a new key.
struct KeySource<'a> {
    csr: Option<&'a Path>,
    password: Option<String>,
    holder: Option<HolderToken>,
    key: signet_pki::HolderKey,
}

fn issue(
    dir: &Path,
    kind: KindArg,
    subject: &Subject,
    source: KeySource<'_>,
    out: &Path,
) -> Result<(), String> {
    let KeySource {
        csr,
        password,
        holder,
        key,
    } = source;
    let profile = match kind {
        KindArg::Person => Profile::Person,
        KindArg::Organization => Profile::Organization,
    };
    let mut ca = load(dir)?;
    if let Some(holder) = holder {
        return issue_on_token(dir, &mut ca, profile, subject, holder, key, out);
    }
    let chain_pem = pem("CERTIFICATE", ca.issuing_der());
    let issued = if let Some(csr) = csr {
        let req = read(csr)?;
        let issued = ca
            .issue_from_csr(profile, subject, &req, now(), &mut OsRng)
            .map_err(|e| format!("{}: {e}", csr.display()))?;
        save_record(dir, &ca)?;
        issued
    } else {
        let password = match password {
            Some(p) => p,
            None => std::env::var("SIGNET_KEY_PASSWORD").map_err(|_| {
                "give --csr FILE, or a password for the generated key: --password or SIGNET_KEY_PASSWORD"
                    .to_owned()
            })?,
        };
        if password.is_empty() {
            return Err("refusing an empty password for the PKCS#12 file".into());
        }
        let (issued, key) = ca
            .issue_with_new_key_of(profile, subject, key, now(), &mut OsRng)
            .map_err(|e| e.to_string())?;
        let p12 = ca_dir::pkcs12(
            &issued.der,
            &key.pkcs8_der,
            &ca_dir::chain(&ca),
            &subject.name,
            &password,
        )
        .map_err(|e| e.to_string())?;
        // The key file first: a certificate without its key is useless, a record of a
        // certificate whose key was never written would be worse.
        write_file(&with_suffix(out, ".p12"), &p12, 0o600)?;
        save_record(dir, &ca)?;
        issued
    };
    write_file(
        &with_suffix(out, ".pem"),
        format!("{}{chain_pem}", issued.pem()).as_bytes(),
        0o644,
    )?;
    println!("issued serial {}", issued.serial);
    Ok(())
}

/// `issue --pkcs11-module`: the key pair is generated inside the holder's token and the
/// certificate issued for its public half with [`Ca::issue_for_public_key`] (no CSR: the key was
/// made here, on a token the operator holds, so possession is by construction). The private key
/// never leaves the token; the certificate is stored next to it (same label and CKA_ID).
fn issue_on_token(
    dir: &Path,
    ca: &mut Ca,
    profile: Profile,
    subject: &Subject,
    holder: HolderToken,
    key: signet_pki::HolderKey,
    out: &Path,
) -> Result<(), String> {
    let pin = match holder.pin {
        Some(p) => p,
        None => std::env::var("SIGNET_PKCS11_PIN").unwrap_or_default(),
    };
    if pin.is_empty() {
        return Err("give the token's user PIN in SIGNET_PKCS11_PIN (or --pin)".into());
    }
    let label = match holder.key_label {
        Some(l) => l,
        None => out
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .ok_or("cannot derive a key label from --out; give --key-label")?,
    };
    if label.trim().is_empty() {
        return Err("the key label is empty".into());
    }
    let token = signet_signers::Token::open(&holder.module, &holder.token, &pin)
        .map_err(|e| e.to_string())?;
    if token
        .certificate(&label)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!(
            "the token already holds a certificate labelled {label:?}; choose another --key-label"
        ));
    }
    let key = match key {
        signet_pki::HolderKey::EcdsaP256 => token.generate(&label, signet_signers::Curve::P256),
        signet_pki::HolderKey::EcdsaP384 => token.generate(&label, signet_signers::Curve::P384),
        signet_pki::HolderKey::Rsa2048 => token.generate_rsa(&label, 2048),
        signet_pki::HolderKey::Rsa3072 => token.generate_rsa(&label, 3072),
    }
    .map_err(|e| e.to_string())?;
    let spki = key.public_key_info_der();
    drop(key);
    let issued = ca
        .issue_for_public_key(profile, subject, &spki, now(), &mut OsRng)
        .map_err(|e| e.to_string())
        .and_then(|issued| save_record(dir, ca).map(|()| issued));
    let issued = match issued {
        Ok(i) => i,
        Err(e) => {
            // Nothing was issued (or recorded): take the new key pair off the token again.
            return Err(match token.destroy_key_pair(&label) {
                Ok(_) => format!("{e} (the key pair generated on the token was removed)"),
                Err(u) => format!(
                    "{e}; the key pair {label:?} generated on the token could not be removed: {u}"
                ),
            });
        }
    };
    let pem_path = with_suffix(out, ".pem");
    write_file(
        &pem_path,
        format!("{}{}", issued.pem(), pem("CERTIFICATE", ca.issuing_der())).as_bytes(),
        0o644,
    )?;
    token.store_certificate(&label, &issued.der).map_err(|e| {
        format!(
            "issued serial {} and wrote {}, but could not store the certificate on the token: {e}",
            issued.serial,
            pem_path.display()
        )
    })?;
    println!(
        "issued serial {}; key pair and certificate on token {:?} labelled {label:?}",
        issued.serial, holder.token
    );
    Ok(())
}

// ---------------------------------------------------------------- server

struct Loaded {
    ca: Ca,
    issuing_crl: Vec<u8>,
    root_crl: Vec<u8>,
    crl_made: OffsetDateTime,
    crl_number: u64,
    state_mtime: Option<SystemTime>,
}

struct Server {
    dir: PathBuf,
    loaded: Mutex<Arc<Loaded>>,
}

fn mtime(dir: &Path) -> Option<SystemTime> {
    ca_dir::state_mtime(dir)
}

impl Server {
    fn build(dir: &Path, last_crl_number: u64) -> Result<Loaded, String> {
        let state_mtime = mtime(dir);
        let ca = load(dir)?;
        let t = now();
        // Not saved: the server never writes state.json (see the module comment). The numbers
        // are time-based, so they still grow.
        let n = next_crl_number(last_crl_number.max(ca.record().crl_number), t);
        let issuing_crl = ca
            .issuing_crl(ca.revocations(), n, t)
            .map_err(|e| e.to_string())?;
        let root_n = next_crl_number(last_crl_number.max(ca.record().root_crl_number), t);
        let root_crl = ca.root_crl(root_n, t).map_err(|e| e.to_string())?;
        Ok(Loaded {
            ca,
            issuing_crl,
            root_crl,
            crl_made: t,
            crl_number: n,
            state_mtime,
        })
    }

    /// The current CA, reloaded when `state.json` changed and with CRLs remade when half their
    /// validity has passed.
    fn current(&self) -> Result<Arc<Loaded>, String> {
        let mut guard = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let stale = mtime(&self.dir) != guard.state_mtime
            || now() - guard.crl_made > signet_pki::CRL_VALIDITY / 2;
        if stale {
            *guard = Arc::new(Server::build(&self.dir, guard.crl_number)?);
        }
        Ok(guard.clone())
    }
}

fn der_response(content_type: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn internal(e: String) -> Response {
    tracing::error!(error = %e, "CA state");
    (StatusCode::INTERNAL_SERVER_ERROR, "CA state unavailable\n").into_response()
}

fn content_type_is(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

fn ocsp_answer(server: &Server, request: &[u8]) -> Response {
    match server.current() {
        Ok(l) => der_response(
            "application/ocsp-response",
            l.ca.respond(request, l.ca.revocations(), now()),
        ),
        Err(e) => internal(e),
    }
}

async fn ocsp_post(State(s): State<Arc<Server>>, headers: HeaderMap, body: Bytes) -> Response {
    if !content_type_is(&headers, "application/ocsp-request") {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/ocsp-request\n",
        )
            .into_response();
    }
    ocsp_answer(&s, &body)
}

async fn ocsp_get(State(s): State<Arc<Server>>, UrlPath(encoded): UrlPath<String>) -> Response {
    // RFC 6960 appendix A.1: the URL-encoded base64 of the DER request. Undecodable text is
    // answered like any malformed request.
    let der = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .unwrap_or_default();
    ocsp_answer(&s, &der)
}

async fn tsa_post(State(s): State<Arc<Server>>, headers: HeaderMap, body: Bytes) -> Response {
    if !content_type_is(&headers, "application/timestamp-query") {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/timestamp-query\n",
        )
            .into_response();
    }
    let l = match s.current() {
        Ok(l) => l,
        Err(e) => return internal(e),
    };
    // A random positive 63-bit serial: unique without a counter shared between processes.
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        return internal("random source failed".into());
    }
    let serial = u64::from_be_bytes(b) >> 1;
    der_response(
        "application/timestamp-reply",
        l.ca.timestamp(&body, serial.max(1), now()),
    )
}

async fn crl(State(s): State<Arc<Server>>, UrlPath(name): UrlPath<String>) -> Response {
    let l = match s.current() {
        Ok(l) => l,
        Err(e) => return internal(e),
    };
    match name.as_str() {
        "issuing.crl" => der_response("application/pkix-crl", l.issuing_crl.clone()),
        "root.crl" => der_response("application/pkix-crl", l.root_crl.clone()),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn ca_cert(State(s): State<Arc<Server>>, UrlPath(name): UrlPath<String>) -> Response {
    let l = match s.current() {
        Ok(l) => l,
        Err(e) => return internal(e),
    };
    match name.as_str() {
        "issuing.cer" => der_response("application/pkix-cert", l.ca.issuing_der().to_vec()),
        "root.cer" => der_response("application/pkix-cert", l.ca.root_der().to_vec()),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn router(dir: &Path) -> Result<Router, String> {
    let loaded = Server::build(dir, 0)?;
    let state = Arc::new(Server {
        dir: dir.to_path_buf(),
        loaded: Mutex::new(Arc::new(loaded)),
    });
    Ok(Router::new()
        .route("/ocsp", post(ocsp_post))
        .route("/ocsp/", post(ocsp_post))
        .route("/ocsp/{*req}", get(ocsp_get))
        .route("/tsa", post(tsa_post))
        .route("/crl/{name}", get(crl))
        .route("/ca/{name}", get(ca_cert))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state))
}

async fn serve(dir: &Path, listen: &str) -> Result<(), String> {
    let app = router(dir)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("CA services at http://{addr}/ (ocsp, tsa, crl/issuing.crl, crl/root.crl)");
    axum::serve(listener, app)
        .with_graceful_shutdown(crate::shutdown())
        .await
        .map_err(|e| e.to_string())
}
