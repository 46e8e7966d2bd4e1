//! `signet sign`: the arguments, the key and files they name, and what is printed. Where the
//! signature goes, what it shows and the network it needs are `signet_app::signing`'s, the use
//! case the web's signing flow shares.
//!
//! One file (`signet sign IN --out OUT`) or many (`signet sign --out-dir DIR A.pdf B.pdf …`):
//! the key is unlocked once (PBKDF2 of a PKCS#12, a token login) and each file is reported on
//! its own line; the exit status is non-zero when any file failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use signet_app::signing::{self, NetServices, SignRequest, Signer, SigningKey};
use signet_app::{Clock, SystemClock};
use signet_pades::Level;

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
    /// The PDF to sign (several with --out-dir).
    #[arg(required = true)]
    input: Vec<PathBuf>,
    /// The signed file (one input).
    #[arg(long, required_unless_present = "out_dir", conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// Sign every input into this directory, under its own file name, with one key unlock.
    #[arg(long)]
    out_dir: Option<PathBuf>,
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
    /// The signature field (created when missing; default: the role's empty field, e.g. the
    /// seal field the leader's signature created).
    #[arg(long)]
    field: Option<String>,
    /// Page of a new field, from 1 (default: the first for an attachment, the last otherwise).
    #[arg(long)]
    page: Option<usize>,
    /// Rectangle of a new field, in points: X1,Y1,X2,Y2 (default: the bottom right of the
    /// page, or the seal over the left third of the leader's signature).
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
    /// Trust anchors used to gather B-LT validation data (default: the root the chain is
    /// completed to, from the keystore, --cert or the certificates' AIA addresses).
    #[arg(long)]
    trust: Vec<PathBuf>,
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

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The key and the certificates (signer first) the arguments name.
fn load_key(args: &SignArgs) -> Result<(SigningKey, Vec<Vec<u8>>), String> {
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
        return Ok((SigningKey::Software(key), certs));
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
    Ok((SigningKey::Token(key), certs))
}

/// What the arguments ask of the signing use case.
fn request(args: &SignArgs) -> Result<SignRequest, String> {
    if args.role == Role::Attachment && args.notation.is_none() {
        return Err("--role attachment needs --notation (e.g. 12/QĐ-UBND)".into());
    }
    Ok(SignRequest {
        role: match args.role {
            Role::Personal => signing::Role::Personal,
            Role::Organization => signing::Role::Organization,
            Role::Attachment => signing::Role::Attachment,
        },
        field: args.field.clone(),
        page: args
            .page
            .map(|p| p.checked_sub(1).ok_or("--page starts at 1"))
            .transpose()?,
        rect: args.rect,
        image: args.image.as_deref().map(read).transpose()?,
        seal_field: args.seal_field.clone(),
        seal_image: args.seal_image.as_deref().map(read).transpose()?,
        agency: args.agency.clone(),
        notation: args.notation.clone(),
        reason: args.reason.clone(),
        level: args.level,
    })
}

/// One input and where its signed copy goes.
struct Job {
    input: PathBuf,
    out: PathBuf,
}

/// The inputs and their outputs; refuses an output that would overwrite an input.
fn jobs(args: &SignArgs) -> Result<Vec<Job>, String> {
    let Some(dir) = &args.out_dir else {
        let ([input], Some(out)) = (args.input.as_slice(), &args.out) else {
            return Err("--out takes one input: sign several with --out-dir DIR".into());
        };
        return Ok(vec![Job {
            input: input.clone(),
            out: out.clone(),
        }]);
    };
    if !dir.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    let mut jobs: Vec<Job> = Vec::with_capacity(args.input.len());
    for input in &args.input {
        let name = input
            .file_name()
            .ok_or_else(|| format!("{}: not a file name", input.display()))?;
        let out = dir.join(name);
        if same_file(input, &out) {
            return Err(format!(
                "{}: the output would overwrite the input; choose another --out-dir",
                input.display()
            ));
        }
        if jobs.iter().any(|j| j.out == out) {
            return Err(format!(
                "{}: two inputs have this name; they would be signed into one file",
                out.display()
            ));
        }
        jobs.push(Job {
            input: input.clone(),
            out,
        });
    }
    Ok(jobs)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub fn sign_command(args: SignArgs) -> Result<ExitCode, String> {
    let (key, certs) = load_key(&args)?;
    let request = request(&args)?;
    let jobs = jobs(&args)?;
    // Only to gather validation data; by default the root the chain is completed to.
    let anchors = if args.trust.is_empty() {
        None
    } else {
        Some(signet_net::load_trust_anchors(&args.trust).map_err(|e| e.to_string())?)
    };
    let services = NetServices::new(args.tsa.clone());
    let signer = Signer::new(
        key,
        certs,
        anchors,
        args.level,
        &services,
        SystemClock.now(),
    )
    .map_err(|e| e.to_string())?;
    if args.out_dir.is_none() {
        let job = &jobs[0];
        let size = sign_one(&signer, &request, &services, job)?;
        println!(
            "signed {} -> {} ({size} bytes)",
            job.input.display(),
            job.out.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = Vec::new();
    for job in &jobs {
        match sign_one(&signer, &request, &services, job) {
            Ok(size) => println!(
                "signed {} -> {} ({size} bytes)",
                job.input.display(),
                job.out.display()
            ),
            Err(e) => {
                eprintln!("signet: {e}");
                failed.push(job.input.display().to_string());
            }
        }
    }
    if failed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    Err(format!(
        "{} of {} files not signed: {}",
        failed.len(),
        jobs.len(),
        failed.join(", ")
    ))
}

/// Signs one file; the error names it. Nothing is written when signing fails.
fn sign_one(
    signer: &Signer,
    request: &SignRequest,
    services: &NetServices,
    job: &Job,
) -> Result<usize, String> {
    let pdf = read(&job.input)?;
    let out = signer
        .sign(pdf, request, services, SystemClock.now())
        .map_err(|e| format!("{}: {e}", job.input.display()))?;
    std::fs::write(&job.out, &out).map_err(|e| format!("{}: {e}", job.out.display()))?;
    Ok(out.len())
}
