//! `signet ca issue`: the arguments, the files written (PREFIX.pem, PREFIX.p12) and what is
//! printed. The issuance itself is `signet_app`'s, shared with the web's certificate page;
//! given a deployment (`--config`, `--data`) the certificate is recorded in its inventory too.

use std::path::{Path, PathBuf};

use clap::Args;
use signet_app::ca_dir;
use signet_app::ca_inventory::CA_ACTOR;
use signet_app::issuance::{HolderToken, Issuance, NewKey, Order};
use signet_app::AppError;
use signet_pki::{pem, Subject};
use signet_store::certificates::{CertificateKind, DeviceKind};

use super::{message, open};
use crate::config::Config;

#[derive(Args)]
pub struct IssueArgs {
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
    /// Also record the certificate in this deployment's database (its configuration file).
    #[arg(long, conflicts_with = "data")]
    config: Option<PathBuf>,
    /// Also record the certificate in this demo data directory's database.
    #[arg(long)]
    data: Option<PathBuf>,
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

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The deployment whose inventory records the certificate, when one is named.
fn deployment(args: &IssueArgs) -> Result<Option<Config>, String> {
    match (&args.config, &args.data) {
        (Some(c), _) => Config::load(c).map(Some),
        (None, Some(d)) => Ok(Some(Config::for_data_dir(d, "127.0.0.1:0"))),
        (None, None) => Ok(None),
    }
}

/// Where the holder's key comes from, with the secrets taken from the environment when the
/// arguments do not give them.
fn new_key(args: &IssueArgs) -> Result<NewKey, String> {
    let key = args.key_type.key();
    if let (Some(module), Some(token)) = (&args.pkcs11_module, &args.token) {
        let pin = match &args.pin {
            Some(p) => p.clone(),
            None => std::env::var("SIGNET_PKCS11_PIN").unwrap_or_default(),
        };
        if pin.is_empty() {
            return Err("give the token's user PIN in SIGNET_PKCS11_PIN (or --pin)".into());
        }
        let label = match &args.key_label {
            Some(l) => l.clone(),
            None => args
                .out
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_owned)
                .ok_or("cannot derive a key label from --out; give --key-label")?,
        };
        let token = HolderToken {
            module: module.clone(),
            token: token.clone(),
            pin,
            label,
        };
        return Ok(NewKey::Token {
            token,
            key,
            device: DeviceKind::Pkcs11,
        });
    }
    if let Some(csr) = &args.csr {
        return Ok(NewKey::Request {
            csr: ca_dir::read(csr).map_err(message)?,
            device: DeviceKind::Software,
            label: "PKCS#10".into(),
        });
    }
    let password = match &args.password {
        Some(p) => p.clone(),
        None => std::env::var("SIGNET_KEY_PASSWORD").map_err(|_| {
            "give --csr FILE, or a password for the generated key: --password or SIGNET_KEY_PASSWORD"
                .to_owned()
        })?,
    };
    Ok(NewKey::Generated {
        key: Some(key),
        password,
    })
}

pub async fn run(args: IssueArgs) -> Result<(), String> {
    let key = new_key(&args)?;
    let subject = Subject {
        name: args.name.clone(),
        agency_name: args.agency_name.clone().unwrap_or_default(),
        agency_code: args.agency.clone(),
        unit: args.unit.clone(),
        title: args.title.clone(),
        email: args.email.clone(),
    };
    let kind = match args.kind {
        KindArg::Person => CertificateKind::Personal,
        KindArg::Organization => CertificateKind::Organization,
    };
    let order = Order {
        kind,
        holder_id: None,
        subject,
        key,
    };
    // The deployment first: an agency it does not know is refused before anything is issued.
    let recorder = match deployment(&args)? {
        Some(config) => {
            let app = crate::open(&config).await?.with_ca(open(&args.dir)?);
            let agency_id = app.agency_id_by_code(&args.agency).await.map_err(message)?;
            Some((app, agency_id))
        }
        None => None,
    };
    let ca = match &recorder {
        Some((app, _)) => app.ca.clone().ok_or("the CA is not open")?,
        None => std::sync::Arc::new(open(&args.dir)?),
    };
    let csr = args.csr.as_deref();
    let issuance = ca.issue(order).await.map_err(|e| match csr {
        Some(csr) if matches!(e, AppError::Invalid(_)) => format!("{}: {e}", csr.display()),
        _ => message(e),
    })?;
    if let Err(e) = write_files(&issuance, &args.out) {
        // Nobody has the certificate (or its key): it must not stay valid.
        ca.withdraw(&issuance.issued.serial).await;
        return Err(e);
    }
    if let Some((app, agency_id)) = &recorder {
        app.record_issuance(agency_id, &issuance.record, CA_ACTOR)
            .await
            .map_err(message)?;
    }
    match &issuance.stored_on_token {
        None => println!("issued serial {}", issuance.issued.serial),
        Some(Ok(())) => println!(
            "issued serial {}; key pair and certificate on token {:?} labelled {:?}",
            issuance.issued.serial,
            args.token.as_deref().unwrap_or_default(),
            issuance.record.device_label
        ),
        Some(Err(e)) => {
            return Err(format!(
            "issued serial {} and wrote {}, but could not store the certificate on the token: {e}",
            issuance.issued.serial,
            with_suffix(&args.out, ".pem").display()
        ))
        }
    }
    Ok(())
}

/// PREFIX.p12 (a generated key) first — a certificate without its key is useless — then
/// PREFIX.pem: the certificate followed by the issuing CA.
fn write_files(issuance: &Issuance, out: &Path) -> Result<(), String> {
    if let Some(p12) = &issuance.pkcs12 {
        ca_dir::write_file(&with_suffix(out, ".p12"), p12, 0o600).map_err(message)?;
    }
    let issuing = issuance.chain.first().map(|c| pem("CERTIFICATE", c));
    ca_dir::write_file(
        &with_suffix(out, ".pem"),
        format!("{}{}", issuance.issued.pem(), issuing.unwrap_or_default()).as_bytes(),
        0o644,
    )
    .map_err(message)
}
