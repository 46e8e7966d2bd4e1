//! Configuration: one TOML file, then `SIGNET_*` environment overrides. Unknown keys are
//! refused, so a typo is an error rather than a silently ignored setting.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: Server,
    pub database: Database,
    pub files: Files,
    /// The built-in CA whose OCSP, CRL and TSA endpoints `serve` also answers.
    #[serde(default)]
    pub ca: Option<CaSection>,
    /// Whom signatures are checked against (the public /verify page, document checks).
    #[serde(default)]
    pub trust: Trust,
    /// Signing from the web: the time-stamping authority.
    #[serde(default)]
    pub signing: Signing,
    /// The agencies' seal keys ("Ban hành" seals with them).
    #[serde(default)]
    pub seal: Vec<Seal>,
    /// Remote signing (CSC): the HSM of this server's credentials, and the providers its
    /// client signs with.
    #[serde(default)]
    pub remote_signing: RemoteSigning,
    /// Where the journals' anchors are kept, and who time-stamps them.
    #[serde(default)]
    pub journal: JournalSection,
    /// Exchange with other agencies: routes to hubs and nodes, packet signers' trust.
    #[serde(default)]
    pub exchange: Option<crate::exchange::ExchangeSection>,
    /// The SMTP relay reminders are e-mailed through; without it, reminders stay in the app.
    #[serde(default)]
    pub mail: Option<MailSection>,
    /// Retries of webhook deliveries to the province's other systems (docs/WEBHOOKS.md).
    #[serde(default)]
    pub webhooks: WebhooksSection,
}

/// `[webhooks]`: how deliveries are retried (subscribers are set in /admin or the API).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksSection {
    #[serde(default)]
    pub max_attempts: Option<i64>,
    #[serde(default)]
    pub retry_base_ms: Option<i64>,
    #[serde(default)]
    pub max_retry_ms: Option<i64>,
}

impl WebhooksSection {
    pub fn setup(&self) -> signet_app::webhooks::Setup {
        let d = signet_app::webhooks::Setup::default();
        signet_app::webhooks::Setup {
            max_attempts: self.max_attempts.unwrap_or(d.max_attempts).max(1),
            retry_base_ms: self.retry_base_ms.unwrap_or(d.retry_base_ms).max(0),
            max_retry_ms: self.max_retry_ms.unwrap_or(d.max_retry_ms).max(0),
        }
    }
}

/// `[mail]`: the relay (plain SMTP on the agency's network) and the sender address.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSection {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    pub from: String,
    /// How often the reminder job runs (minutes); e-mails are batched per person per run.
    #[serde(default = "default_reminder_minutes")]
    pub every_minutes: u64,
}

fn default_smtp_port() -> u16 {
    25
}

fn default_reminder_minutes() -> u64 {
    60
}

impl MailSection {
    pub fn relay(&self) -> signet_app::mail::MailConfig {
        signet_app::mail::MailConfig {
            host: self.host.clone(),
            port: self.port,
            from: self.from.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signing {
    /// A time-stamping authority's URL for B-T and above; default: the built-in CA's (`[ca]`).
    #[serde(default)]
    pub tsa: Option<String>,
}

/// One agency's seal key: on a PKCS#11 token (`module`, `token`, `pin`, `key_label`, and
/// optionally `chain`, a PEM file of the certificates above the seal's), or in a PKCS#12 file
/// (`p12`, `password`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// The agency's identifier code (mã định danh), e.g. `000.00.00.H99`.
    pub agency: String,
    pub module: Option<PathBuf>,
    pub token: Option<String>,
    pub pin: Option<String>,
    pub key_label: Option<String>,
    pub chain: Option<PathBuf>,
    pub p12: Option<PathBuf>,
    pub password: Option<String>,
}

impl Seal {
    /// The key source this entry names; an entry naming neither or both is refused.
    pub fn source(&self) -> Result<signet_app::web_signing::SealSource, String> {
        use signet_app::web_signing::SealSource;
        let who = format!("[[seal]] agency {}", self.agency);
        match (&self.module, &self.p12) {
            (Some(module), None) => Ok(SealSource::Pkcs11 {
                module: module.clone(),
                token: self
                    .token
                    .clone()
                    .ok_or(format!("{who}: token is missing"))?,
                pin: self.pin.clone().ok_or(format!("{who}: pin is missing"))?,
                key_label: self
                    .key_label
                    .clone()
                    .ok_or(format!("{who}: key_label is missing"))?,
                chain: self.chain.clone(),
            }),
            (None, Some(p12)) => Ok(SealSource::Pkcs12 {
                path: p12.clone(),
                password: self
                    .password
                    .clone()
                    .ok_or(format!("{who}: password is missing"))?,
            }),
            _ => Err(format!("{who}: give either module (PKCS#11) or p12")),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalSection {
    /// A directory outside the database (ideally on other storage, or copied off-site) for
    /// the daily anchor files. Default: `journal-anchors` beside `files.dir`.
    #[serde(default)]
    pub anchors_dir: Option<PathBuf>,
    /// An RFC 3161 TSA (http://) for the anchors; default: the built-in CA's.
    #[serde(default)]
    pub tsa_url: Option<String>,
}

impl Config {
    /// The directory of the journal anchors.
    pub fn anchors_dir(&self) -> PathBuf {
        self.journal.anchors_dir.clone().unwrap_or_else(|| {
            self.files
                .dir
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("journal-anchors")
        })
    }
}

/// `[remote_signing]`. The PIN and the providers' passwords are never printed.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSigning {
    /// The PKCS#11 module of the HSM (e.g. /usr/lib/softhsm/libsofthsm2.so).
    #[serde(default)]
    pub module: Option<PathBuf>,
    /// The HSM token's label.
    #[serde(default)]
    pub token: Option<String>,
    /// The token's user PIN; better `pin_env`, the environment variable that holds it
    /// (SIGNET_HSM_PIN overrides both).
    #[serde(default)]
    pub pin: Option<String>,
    #[serde(default)]
    pub pin_env: Option<String>,
    #[serde(default)]
    pub providers: Vec<Provider>,
}

impl std::fmt::Debug for RemoteSigning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSigning")
            .field("module", &self.module)
            .field("token", &self.token)
            .field("pin_env", &self.pin_env)
            .field("providers", &self.providers)
            .finish_non_exhaustive()
    }
}

/// `[[remote_signing.providers]]`: a CSC service the client signs with.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub name: String,
    /// The part of the URL before `/csc/v2/…` (http:// only: no TLS in this client).
    pub base_url: String,
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    /// The environment variable holding the password (instead of `password`).
    #[serde(default)]
    pub password_env: Option<String>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl RemoteSigning {
    /// The HSM, when `module` and `token` are set: its PIN from `pin`, or the variable
    /// `pin_env` names, read through `var`.
    pub fn hsm(
        &self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<signet_app::server_keys::HsmConfig>, String> {
        let (Some(module), Some(token)) = (&self.module, &self.token) else {
            return Ok(None);
        };
        let pin = match (&self.pin, &self.pin_env) {
            (Some(p), _) => p.clone(),
            (None, Some(name)) => {
                var(name).ok_or_else(|| format!("remote_signing.pin_env: {name} is not set"))?
            }
            (None, None) => return Err("remote_signing: set pin or pin_env".into()),
        };
        Ok(Some(signet_app::server_keys::HsmConfig {
            module: module.clone(),
            token: token.clone(),
            pin,
        }))
    }

    /// The configured providers, their passwords resolved through `var`.
    pub fn providers(
        &self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<signet_app::remote_signing::client::Provider>, String> {
        self.providers
            .iter()
            .map(|p| {
                let password = match (&p.password, &p.password_env) {
                    (Some(pw), _) => pw.clone(),
                    (None, Some(name)) => var(name).ok_or_else(|| {
                        format!("remote_signing.providers {}: {name} is not set", p.name)
                    })?,
                    (None, None) => String::new(),
                };
                Ok(signet_app::remote_signing::client::Provider {
                    name: p.name.clone(),
                    base_url: p.base_url.clone(),
                    username: p.username.clone(),
                    password,
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trust {
    /// PEM/DER files or directories of trusted roots (e.g. the national root CA and the
    /// government's specialised CA). The built-in CA's root is added when `[ca]` is set.
    #[serde(default)]
    pub anchors: Vec<PathBuf>,
    /// Fetch CRLs and OCSP answers the document does not carry.
    #[serde(default = "default_true")]
    pub fetch_revocation: bool,
    /// The longest a fetched CRL or OCSP answer is reused, in seconds, whatever its
    /// nextUpdate (the built-in CA's answers are never reused).
    #[serde(default = "default_revocation_cache_max_s")]
    pub revocation_cache_max_s: u32,
    /// The built-in list "Chữ ký số chuyên dùng Chính phủ" (Ban Cơ yếu Chính phủ's CA).
    #[serde(default = "default_true")]
    pub vn_gov: bool,
    /// The built-in list "Chữ ký số công cộng" (Vietnam National Root CA and public CAs).
    #[serde(default = "default_true")]
    pub vn_public: bool,
}

impl Trust {
    /// The built-in trust lists turned on.
    pub fn lists(&self) -> Vec<&'static signet_app::trust_lists::TrustList> {
        use signet_app::trust_lists::{VN_GOV, VN_PUBLIC};
        [(self.vn_gov, &VN_GOV), (self.vn_public, &VN_PUBLIC)]
            .into_iter()
            .filter_map(|(on, l)| on.then_some(l))
            .collect()
    }
}

fn default_revocation_cache_max_s() -> u32 {
    3600
}

fn default_true() -> bool {
    true
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            anchors: Vec::new(),
            fetch_revocation: true,
            revocation_cache_max_s: default_revocation_cache_max_s(),
            vn_gov: true,
            vn_public: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaSection {
    /// A directory made by `signet ca init`.
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Set when Signet is served over HTTPS (marks cookies Secure).
    #[serde(default)]
    pub secure_cookies: bool,
    /// Reverse proxies (addresses or CIDR networks) whose `Forwarded` / `X-Forwarded-For`
    /// headers are believed for the client's address. Empty: the socket peer is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Server {
    /// `trusted_proxies` parsed; a bad entry is a configuration error naming it.
    pub fn trusted_proxies(&self) -> Result<signet_web::TrustedProxies, String> {
        self.trusted_proxies
            .iter()
            .map(|s| {
                s.parse::<signet_web::IpNet>()
                    .map_err(|e| format!("server.trusted_proxies: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(signet_web::TrustedProxies)
    }
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DB`.
    pub url: String,
    #[serde(default = "default_connections")]
    pub max_connections: u32,
}

fn default_connections() -> u32 {
    16
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Files {
    pub dir: PathBuf,
    /// The largest file accepted, in MiB.
    #[serde(default = "default_max_upload")]
    pub max_upload_mib: u64,
}

fn default_max_upload() -> u64 {
    2048
}

pub const SAMPLE: &str = r#"# Signet configuration. Every key can be overridden by an environment variable:
# SIGNET_LISTEN, SIGNET_DATABASE_URL, SIGNET_FILES_DIR, SIGNET_MAX_UPLOAD_MIB, SIGNET_CA_DIR,
# SIGNET_HSM_PIN.

[server]
# Address and port to listen on.
listen = "127.0.0.1:8080"
# true when served over HTTPS (cookies are then marked Secure).
secure_cookies = false
# Reverse proxies in front of Signet (addresses or CIDR networks): only their
# Forwarded / X-Forwarded-For headers are believed for the client's address.
# trusted_proxies = ["127.0.0.1", "10.0.0.0/24"]

[database]
# Embedded: sqlite:///var/lib/signet/signet.db   Scale-out: postgres://signet@db.example:5432/signet
url = "sqlite:///var/lib/signet/signet.db"
max_connections = 16

[files]
# Where uploaded files are kept, by SHA-256.
dir = "/var/lib/signet/files"
# Largest accepted file, in MiB.
max_upload_mib = 2048

# The built-in CA (made with `signet ca init --dir … --base-url <this server's public URL>`):
# when set, this server also answers its /ocsp, /crl/…, /ca/… and /tsa endpoints.
# [ca]
# dir = "/var/lib/signet/ca"

# Trust anchors for verifying signatures (files or directories of PEM/DER certificates;
# files in a directory that are not certificates, such as a README, are skipped).
# Two Vietnamese trust lists are built in (trust/vn/ in the source, version shown by
# `signet verify --help`); each is on unless turned off here:
#   vn_gov    "Chữ ký số chuyên dùng Chính phủ": Ban Cơ yếu Chính phủ's CA (VGCA roots G1, G2)
#   vn_public "Chữ ký số công cộng": Vietnam National Root CA and the public CAs under it
# Their subordinate CAs only help build chains (signed PDFs often carry none); they are not
# trusted by themselves. The report names the list a signer's chain ended in. The top
# agency's administrators can also turn each list on or off on the administration page
# (/admin#trust-lists); their stored choice overrides these two settings.
# [trust]
# anchors = ["/etc/signet/trust/extra-root.pem", "/etc/signet/trust/other/"]
# vn_gov = true
# vn_public = true
# fetch_revocation = true

# Remote signing (CSC). As a server (/csc/v1, /csc/v2, the phone page /sign-requests):
# the HSM that holds the credentials' keys. The PIN from pin_env (or SIGNET_HSM_PIN).
# [remote_signing]
# module = "/usr/lib/softhsm/libsofthsm2.so"
# token = "signet-remote"
# pin_env = "SIGNET_HSM_PIN"
# As a client: CSC providers the leaders' "phone" signatures may go through.
# [[remote_signing.providers]]
# name = "Nhà cung cấp ký số từ xa"
# base_url = "http://remote-signing.example"
# username = "signet"
# password_env = "SIGNET_CSC_PASSWORD"
# The longest a fetched CRL/OCSP answer is reused (seconds), whatever its nextUpdate.
# revocation_cache_max_s = 3600

# Signing from the web. The TSA for the leaders' signatures (B-T) and the seals (B-LT);
# default: the built-in CA's own TSA.
# [signing]
# tsa = "http://tsa.example.gov.vn/"

# The agencies' seal keys, used when the clerk issues ("Ban hành"): a PKCS#11 token/HSM ...
# [[seal]]
# agency = "000.00.00.H99"
# module = "/usr/lib/softhsm/libsofthsm2.so"
# token = "seal-ubnd"
# pin = "1234"
# key_label = "seal"
# chain = "/etc/signet/seal-chain.pem"
# ... or a PKCS#12 file.
# [[seal]]
# agency = "000.00.02.H99"
# p12 = "/etc/signet/seal-snv.p12"
# password = "…"
# The journals' anchors: each agency's journal head, time-stamped daily (and by
# `signet journal anchor`) and written to a file per day outside the database.
# [journal]
# anchors_dir = "/var/lib/signet/journal-anchors"   # default: beside files.dir
# tsa_url = "http://tsa.example.gov.vn"              # default: the built-in CA's TSA

# Exchange with other agencies (docs/EXCHANGE.md): where packets go by recipient code (longest
# prefix first; with no route the node delivers to itself), and whom they are accepted from.
# [exchange]
# trust = ["/etc/signet/other-root.pem"]
# max_attempts = 10
# [[exchange.route]]
# prefix = ""
# url = "http://hub.lachong.gov.vn:8900"
# Reminders of deadlines (due in 2 working days, overdue) are made every hour and shown in
# the app; with [mail] they are also e-mailed, one message per person per run, through a
# plain SMTP relay on the agency's network.
# [mail]
# host = "smtp.ubnd.example.gov.vn"
# port = 25
# from = "signet@ubnd.example.gov.vn"
# every_minutes = 60
# Webhooks to the province's other systems (subscribers in /admin; docs/WEBHOOKS.md):
# retries with back-off (base doubled each time, capped), then "failed" in the log.
# [webhooks]
# max_attempts = 8
# retry_base_ms = 10000
# max_retry_ms = 3600000
"#;

impl Config {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut config: Config =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        config.apply_env(|k| std::env::var(k).ok())?;
        Ok(config)
    }

    /// The configuration of `signet demo`: everything under one data directory.
    pub fn for_data_dir(dir: &Path, listen: &str) -> Self {
        Self {
            server: Server {
                listen: listen.to_owned(),
                secure_cookies: false,
                trusted_proxies: Vec::new(),
            },
            database: Database {
                url: format!("sqlite://{}", dir.join("signet.db").display()),
                max_connections: 8,
            },
            files: Files {
                dir: dir.join("files"),
                max_upload_mib: default_max_upload(),
            },
            ca: Some(CaSection {
                dir: dir.join("ca"),
            }),
            trust: Trust::default(),
            signing: Signing::default(),
            seal: Vec::new(),
            remote_signing: RemoteSigning::default(),
            journal: JournalSection::default(),
            exchange: None,
            mail: None,
            webhooks: WebhooksSection::default(),
        }
    }

    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        if let Some(v) = var("SIGNET_LISTEN") {
            self.server.listen = v;
        }
        if let Some(v) = var("SIGNET_DATABASE_URL") {
            self.database.url = v;
        }
        if let Some(v) = var("SIGNET_FILES_DIR") {
            self.files.dir = v.into();
        }
        if let Some(v) = var("SIGNET_CA_DIR") {
            self.ca = Some(CaSection { dir: v.into() });
        }
        if let Some(v) = var("SIGNET_HSM_PIN") {
            self.remote_signing.pin = Some(v);
        }
        if let Some(v) = var("SIGNET_MAX_UPLOAD_MIB") {
            self.files.max_upload_mib = v
                .parse()
                .map_err(|_| format!("SIGNET_MAX_UPLOAD_MIB: {v:?} is not a number"))?;
        }
        Ok(())
    }

    /// The database URL with any password hidden, for logs.
    pub fn database_for_log(&self) -> String {
        let url = &self.database.url;
        match (url.find("://"), url.find('@')) {
            (Some(s), Some(at)) if at > s => {
                let creds = &url[s + 3..at];
                let user = creds.split(':').next().unwrap_or("");
                format!("{}{user}:***{}", &url[..s + 3], &url[at..])
            }
            _ => url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_parses_and_unknown_keys_are_refused() {
        let c: Config = toml::from_str(SAMPLE).unwrap();
        assert_eq!(c.files.max_upload_mib, 2048);
        let typo = SAMPLE.replace("max_connections", "max_conections");
        assert!(toml::from_str::<Config>(&typo).is_err());
    }

    #[test]
    fn env_overrides_and_secrets_hidden() {
        let mut c: Config = toml::from_str(SAMPLE).unwrap();
        c.apply_env(|k| {
            (k == "SIGNET_DATABASE_URL").then(|| "postgres://signet:hunter2@db/signet".to_owned())
        })
        .unwrap();
        assert_eq!(c.database.url, "postgres://signet:hunter2@db/signet");
        assert!(!c.database_for_log().contains("hunter2"));
        assert!(c
            .apply_env(|k| (k == "SIGNET_MAX_UPLOAD_MIB").then(|| "lots".to_owned()))
            .is_err());
    }
}
