//! The built-in CA on a directory: load, save, create, PKCS#12 output. One implementation for
//! the `signet ca …` commands and for the web application.
//!
//! Layout of the directory:
//! - `root.pem`, `issuing.pem`, `ocsp.pem`, `tsa.pem` — the certificates (PEM);
//! - `keys/{root,issuing,ocsp,tsa}.key` — their PKCS#8 keys (mode 0600, directory 0700);
//! - `state.json` — the issued certificates, revocations and counters (mode 0600);
//! - or, instead of `keys/`, `pkcs11.json` — the module, token and key labels when the keys
//!   were generated on a PKCS#11 token (PIN from SIGNET_PKCS11_PIN);
//! - `issuing.crl` — the last CRL made after a revocation from the web application (DER).
//!
//! Writes are atomic (temporary file, fsync, rename), so a reader never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use signet_pki::{pem, Ca, CaKeys, CaRecord, CaSigningKeys, KeyAlg, PkiError};
use time::OffsetDateTime;

pub use crate::random::OsRng;
use crate::AppError;

/// The names of the four CA keys and certificates.
pub const KEY_NAMES: [&str; 4] = ["root", "issuing", "ocsp", "tsa"];

fn ca_err(e: impl std::fmt::Display) -> AppError {
    AppError::Ca(e.to_string())
}

/// Writes a file atomically (temporary file, fsync, rename) with the given mode.
pub fn write_file(path: &Path, data: &[u8], mode: u32) -> Result<(), AppError> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let err = |e: std::io::Error| AppError::Ca(format!("cannot write {}: {e}", path.display()));
    let mut f = opts.open(&tmp).map_err(err)?;
    f.write_all(data).map_err(err)?;
    f.sync_all().map_err(err)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(err)
}

pub fn read(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|e| AppError::Ca(format!("cannot read {}: {e}", path.display())))
}

/// Where the CA keys live when they are on a PKCS#11 token (`DIR/pkcs11.json`).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Pkcs11Config {
    pub module: PathBuf,
    pub token_label: String,
    pub key_label_prefix: String,
}

impl Pkcs11Config {
    pub fn label(&self, key: &str) -> String {
        format!("{}-{key}", self.key_label_prefix)
    }
}

/// The token, opened once per process: a PKCS#11 module is initialised once per process, and
/// finalising it would invalidate every session.
fn token(config: &Pkcs11Config) -> Result<&'static signet_signers::Token, AppError> {
    static TOKEN: Mutex<Option<&'static signet_signers::Token>> = Mutex::new(None);
    let mut guard = TOKEN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = *guard {
        return Ok(t);
    }
    let pin = std::env::var("SIGNET_PKCS11_PIN")
        .ok()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ca_err("set SIGNET_PKCS11_PIN to the token's user PIN"))?;
    let t =
        signet_signers::Token::open(&config.module, &config.token_label, &pin).map_err(ca_err)?;
    let t: &'static signet_signers::Token = Box::leak(Box::new(t));
    *guard = Some(t);
    Ok(t)
}

fn load_on_token(dir: &Path, hsm: &Path, record: CaRecord) -> Result<Ca, AppError> {
    let config: Pkcs11Config = serde_json::from_slice(&read(hsm)?)
        .map_err(|e| ca_err(format!("{}: {e}", hsm.display())))?;
    let token = token(&config)?;
    let key = |n: &str| -> Result<signet_pki::CaKey, AppError> {
        let k = token.key(&config.label(n)).map_err(ca_err)?;
        Ok(Box::new(k))
    };
    let keys = CaSigningKeys {
        root: key("root")?,
        issuing: key("issuing")?,
        ocsp: key("ocsp")?,
        tsa: key("tsa")?,
    };
    Ca::load_with_keys(keys, record).map_err(|e| ca_err(format!("{}: {e}", dir.display())))
}

/// Loads the CA of a directory (software keys, or keys on the token `pkcs11.json` names).
pub fn load(dir: &Path) -> Result<Ca, AppError> {
    let state = dir.join("state.json");
    let record: CaRecord = serde_json::from_slice(&read(&state)?)
        .map_err(|e| ca_err(format!("{}: {e}", state.display())))?;
    let hsm = dir.join("pkcs11.json");
    if hsm.exists() {
        return load_on_token(dir, &hsm, record);
    }
    let key = |n: &str| -> Result<String, AppError> {
        let p = dir.join("keys").join(format!("{n}.key"));
        String::from_utf8(read(&p)?).map_err(|_| ca_err(format!("{} is not PEM", p.display())))
    };
    let keys = CaKeys {
        root: key("root")?,
        issuing: key("issuing")?,
        ocsp: key("ocsp")?,
        tsa: key("tsa")?,
    };
    Ca::load(keys, record).map_err(|e| ca_err(format!("{}: {e}", dir.display())))
}

/// Saves the CA's record (`state.json`).
pub fn save_record(dir: &Path, ca: &Ca) -> Result<(), AppError> {
    let json = serde_json::to_vec_pretty(ca.record()).map_err(ca_err)?;
    write_file(&dir.join("state.json"), &json, 0o600)
}

/// When `state.json` last changed (`None` when it cannot be read).
pub fn state_mtime(dir: &Path) -> Option<SystemTime> {
    std::fs::metadata(dir.join("state.json"))
        .and_then(|m| m.modified())
        .ok()
}

/// Whether the directory holds a CA.
pub fn exists(dir: &Path) -> bool {
    dir.join("state.json").exists()
}

fn generate_on_token(
    config: &Pkcs11Config,
    name: &str,
    base_url: &str,
    alg: KeyAlg,
    now: OffsetDateTime,
) -> Result<Ca, AppError> {
    let token = token(config)?;
    let curve = match alg {
        KeyAlg::EcdsaP256 => signet_signers::Curve::P256,
        KeyAlg::EcdsaP384 => signet_signers::Curve::P384,
    };
    let gen = |n: &str| -> Result<signet_pki::CaKey, AppError> {
        let k = token.generate(&config.label(n), curve).map_err(ca_err)?;
        Ok(Box::new(k))
    };
    let keys = CaSigningKeys {
        root: gen("root")?,
        issuing: gen("issuing")?,
        ocsp: gen("ocsp")?,
        tsa: gen("tsa")?,
    };
    let (ca, _) = Ca::init_with_keys(name, base_url, alg, now, &mut OsRng, keys).map_err(ca_err)?;
    Ok(ca)
}

fn write_software_keys(dir: &Path, keys: &CaKeys) -> Result<(), AppError> {
    let keys_dir = dir.join("keys");
    std::fs::create_dir_all(&keys_dir)
        .map_err(|e| ca_err(format!("cannot create {}: {e}", keys_dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&keys_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| ca_err(format!("{}: {e}", keys_dir.display())))?;
    }
    for (n, k) in KEY_NAMES
        .iter()
        .zip([&keys.root, &keys.issuing, &keys.ocsp, &keys.tsa])
    {
        write_file(&keys_dir.join(format!("{n}.key")), k.as_bytes(), 0o600)?;
    }
    Ok(())
}

/// Creates a CA in `dir` (refused when one is there). Returns it and a sentence saying where
/// its keys are.
pub fn init(
    dir: &Path,
    name: &str,
    base_url: &str,
    alg: KeyAlg,
    hsm: Option<Pkcs11Config>,
    now: OffsetDateTime,
) -> Result<(Ca, String), AppError> {
    if exists(dir) {
        return Err(ca_err(format!(
            "{} already holds a CA (state.json); refusing to overwrite it",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| ca_err(format!("cannot create {}: {e}", dir.display())))?;
    let (ca, where_keys) = if let Some(config) = hsm {
        let ca = generate_on_token(&config, name, base_url, alg, now)?;
        let json = serde_json::to_vec_pretty(&config).map_err(ca_err)?;
        write_file(&dir.join("pkcs11.json"), &json, 0o644)?;
        let labels = format!(
            "keys on token {:?} as {}-{{root,issuing,ocsp,tsa}}",
            config.token_label, config.key_label_prefix
        );
        (ca, labels)
    } else {
        let (ca, keys, _) = Ca::init(name, base_url, alg, now, &mut OsRng).map_err(ca_err)?;
        write_software_keys(dir, &keys)?;
        (ca, "keys in keys/ (0600)".to_string())
    };
    for (n, der) in
        KEY_NAMES
            .iter()
            .zip([ca.root_der(), ca.issuing_der(), ca.ocsp_der(), ca.tsa_der()])
    {
        write_file(
            &dir.join(format!("{n}.pem")),
            pem("CERTIFICATE", der).as_bytes(),
            0o644,
        )?;
    }
    save_record(dir, &ca)?;
    Ok((ca, where_keys))
}

/// PKCS#12 with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and an HMAC-SHA256 MAC, holding the
/// key, its certificate and `chain` (issuing CA, then root). Slow on purpose (600,000
/// iterations): run it off the async workers.
pub fn pkcs12(
    cert: &[u8],
    key: &[u8],
    chain: &[Vec<u8>],
    alias: &str,
    password: &str,
) -> Result<Vec<u8>, AppError> {
    use p12_keystore::{
        Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKeyChain,
    };
    let c = |der: &[u8]| Certificate::from_der(der).map_err(ca_err);
    let mut local_key_id = [0u8; 20];
    crate::random::fill(&mut local_key_id).map_err(ca_err)?;
    let mut certs = vec![c(cert)?];
    for der in chain {
        certs.push(c(der)?);
    }
    let chain = PrivateKeyChain::new(key, local_key_id, certs);
    let mut store = KeyStore::new();
    store.add_entry(alias, KeyStoreEntry::PrivateKeyChain(chain));
    store
        .writer(password)
        .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
        .encryption_iterations(600_000)
        .mac_algorithm(MacAlgorithm::HmacSha256)
        .mac_iterations(600_000)
        .write()
        .map_err(|e| ca_err(format!("PKCS#12: {e}")))
}

/// The chain a holder needs with their certificate: the issuing CA, then the root.
pub fn chain(ca: &Ca) -> Vec<Vec<u8>> {
    vec![ca.issuing_der().to_vec(), ca.root_der().to_vec()]
}

/// How a PKI error reaches a person: a fault in what they sent is theirs to fix; anything
/// else is the CA's.
pub fn pki_error(e: PkiError) -> AppError {
    match e {
        PkiError::WrongPem { .. }
        | PkiError::MalformedDer { .. }
        | PkiError::CsrBadSignature
        | PkiError::CsrUnsupportedAlgorithm(_)
        | PkiError::UnsupportedPublicKey(_)
        | PkiError::InvalidField { .. } => AppError::Invalid(crate::Invalid::Certificate {
            detail: e.to_string(),
        }),
        PkiError::UnknownSerial(_) => AppError::NotFound,
        PkiError::AlreadyRevoked(s) => {
            AppError::Conflict(format!("certificate {s} is already revoked"))
        }
        other => AppError::Ca(other.to_string()),
    }
}

/// What the CA directory keeps of each certificate it issued (`issued/SERIAL.json`), so the
/// database's inventory can be completed with certificates issued while it was not there
/// (`signet ca issue` without `--config`/`--data`, or a failed database write).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IssuedFile {
    /// Lower-case hex.
    pub serial: String,
    /// The holder's agency (identifier code), the inventory it belongs to.
    pub agency_code: String,
    /// `personal` or `organization`.
    pub kind: String,
    /// The person, when the issuer knew them (the web's certificate page).
    #[serde(default)]
    pub holder_id: Option<String>,
    pub holder_name: String,
    /// `software`, `pkcs11` or `remote`.
    pub device_kind: String,
    pub device_label: String,
    /// The certificate (PEM).
    pub certificate: String,
}

fn issued_dir(dir: &Path) -> PathBuf {
    dir.join("issued")
}

/// Writes `issued/SERIAL.json`.
pub fn save_issued(dir: &Path, file: &IssuedFile) -> Result<(), AppError> {
    let d = issued_dir(dir);
    std::fs::create_dir_all(&d)
        .map_err(|e| ca_err(format!("cannot create {}: {e}", d.display())))?;
    let json = serde_json::to_vec_pretty(file).map_err(ca_err)?;
    write_file(&d.join(format!("{}.json", file.serial)), &json, 0o644)
}

/// Every `issued/*.json` of the directory (none before the first issuance). A file that
/// cannot be read is logged and skipped: one bad file must not hide the others.
pub fn issued_files(dir: &Path) -> Result<Vec<IssuedFile>, AppError> {
    let d = issued_dir(dir);
    let entries = match std::fs::read_dir(&d) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ca_err(format!("cannot read {}: {e}", d.display()))),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(ca_err)?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        match read(&path).and_then(|b| serde_json::from_slice(&b).map_err(ca_err)) {
            Ok(f) => out.push(f),
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "unreadable issued-certificate file")
            }
        }
    }
    out.sort_by(|a: &IssuedFile, b| a.serial.cmp(&b.serial));
    Ok(out)
}
