//! `signet agent`: the small program a leader runs on their own PC so that the Signet web
//! page can sign with the USB token plugged into it.
//!
//! It listens on loopback only and speaks PKCS#11 to the token (through
//! [`signet_signers::Module`]). The page's script (`/static/agent.js` of Signet) asks it for the
//! certificates on the token and for signatures of digests — never the document, never the
//! PIN to the server. Only the Signet origins the user paired with, by typing a one-time code
//! the agent printed, are answered; every signature request is shown on the agent's terminal
//! and journaled in `DATA/agent.log`.
//!
//! The protocol (JSON over HTTP, every request with the page's `Origin`):
//!
//! - `POST /v1/pair` `{"code"}` → the requesting origin is paired (`DATA/paired.json`).
//! - `GET /v1/info` → agent, version, module, tokens.
//! - `GET /v1/certificates` → the certificates that have a private key on a token.
//! - `POST /v1/sign` → signatures of a batch of digests, one PIN login for the batch.
//!
//! Errors are `{"error": code, "message": text}` with a 4xx/5xx status (see [`AgentError`]).
//!
//! Time and randomness come from the [`Host`] (the binary passes the application's clock and
//! random source); the agent reads neither itself.

mod certificates;
mod error;
mod http;
mod journal;
pub mod modules;
mod origin;
mod pairing;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use signet_signers::Module;
use time::OffsetDateTime;

pub use error::AgentError;
pub use origin::normalize_origin;
pub use pairing::CODE_LIFETIME_MINUTES as PAIRING_CODE_MINUTES;

/// Base64 as the protocol writes binary values (standard alphabet, padded).
pub(crate) const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The default listening address; the page's script uses the same.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8765";

/// How a sign request is shown to the user (terminal line, PIN prompt, journal).
#[derive(Clone, Debug, serde::Serialize)]
pub struct SignSummary {
    /// The requesting page's origin.
    pub origin: String,
    /// What the page calls itself (`context.origin_label`), if it said.
    pub origin_label: Option<String>,
    /// The certificate asked for.
    pub certificate_id: String,
    /// The certificate's subject.
    pub subject: String,
    /// How many digests.
    pub count: usize,
    /// The documents the page says the digests are of.
    pub documents: Vec<DocumentSummary>,
}

/// One document of a batch, as the page describes it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DocumentSummary {
    /// Số, ký hiệu (notation), e.g. "12/UBND-VP".
    #[serde(default)]
    pub notation: String,
    /// Trích yếu (subject).
    #[serde(default)]
    pub subject: String,
}

/// What the agent takes from the program that runs it: the time, random bytes, and a PIN
/// typed by the user on the agent's own terminal.
pub trait Host: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> OffsetDateTime;
    /// Fills `dest` with random bytes from the operating system.
    fn fill_random(&self, dest: &mut [u8]) -> Result<(), String>;
    /// Asks the user for the token's PIN for `request` on the agent's terminal. `None` when
    /// there is no terminal (the page must send the PIN) or the user declined.
    fn ask_pin(&self, request: &SignSummary) -> Option<String> {
        let _ = request;
        None
    }
}

/// How the agent is set up.
#[derive(Clone, Debug)]
pub struct AgentConfig {
    /// The PKCS#11 module to load.
    pub module: PathBuf,
    /// Where `paired.json`, `pairing.json` and `agent.log` are kept.
    pub data_dir: PathBuf,
    /// Origins paired from the command line (not written to `paired.json`).
    pub origins: Vec<String>,
}

/// The agent: the loaded module, its data directory, the paired origins.
#[derive(Clone)]
pub struct Agent {
    inner: Arc<Inner>,
}

struct Inner {
    module: Module,
    data_dir: PathBuf,
    host: Arc<dyn Host>,
    origins: origin::PairedOrigins,
    /// One token operation at a time: a batch's login and logout must not interleave with
    /// another request's.
    token_lock: Mutex<()>,
    /// One pairing attempt at a time (they read and write `pairing.json`).
    pairing_lock: tokio::sync::Mutex<()>,
    journal: journal::Journal,
}

impl Agent {
    /// Loads the module, creates the data directory and reads the paired origins.
    pub fn open(config: AgentConfig, host: Arc<dyn Host>) -> Result<Agent, AgentError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            AgentError::Data(format!("cannot create {}: {e}", config.data_dir.display()))
        })?;
        let module = Module::load(&config.module).map_err(AgentError::Module)?;
        let origins = origin::PairedOrigins::load(&config.data_dir, &config.origins)?;
        let journal = journal::Journal::new(&config.data_dir);
        Ok(Agent {
            inner: Arc::new(Inner {
                module,
                data_dir: config.data_dir,
                host,
                origins,
                token_lock: Mutex::new(()),
                pairing_lock: tokio::sync::Mutex::new(()),
                journal,
            }),
        })
    }

    /// The loaded module's path.
    pub fn module_path(&self) -> &std::path::Path {
        self.inner.module.path()
    }

    /// A new one-time pairing code (valid [`PAIRING_CODE_MINUTES`] minutes, a few
    /// tries), replacing any earlier one. Shown to the user, never stored in the clear.
    pub fn new_pairing_code(&self) -> Result<String, AgentError> {
        pairing::new_code(&self.inner.data_dir, self.inner.host.as_ref())
    }

    /// The origins answered now.
    pub fn paired_origins(&self) -> Vec<String> {
        self.inner.origins.list()
    }

    /// The HTTP application.
    pub fn router(&self) -> axum::Router {
        http::router(self.clone())
    }
}

/// A new pairing code written to `data_dir` for the agent running on it (`signet agent
/// pair`): the running agent reads the pending code from the same file.
pub fn new_pairing_code(data_dir: &std::path::Path, host: &dyn Host) -> Result<String, AgentError> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| AgentError::Data(format!("cannot create {}: {e}", data_dir.display())))?;
    pairing::new_code(data_dir, host)
}

/// Parses a listening address and refuses anything but loopback: the agent answers only
/// pages on this PC. `localhost` means 127.0.0.1.
pub fn loopback_address(listen: &str) -> Result<SocketAddr, AgentError> {
    let addr: SocketAddr = match listen.strip_prefix("localhost:") {
        Some(port) => port
            .parse::<u16>()
            .map(|p| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), p))
            .map_err(|_| AgentError::NotLoopback(listen.to_string()))?,
        None => listen
            .parse()
            .map_err(|_| AgentError::NotLoopback(listen.to_string()))?,
    };
    if !addr.ip().is_loopback() {
        return Err(AgentError::NotLoopback(listen.to_string()));
    }
    Ok(addr)
}

/// Binds `listen` (loopback only, see [`loopback_address`]).
pub async fn bind(listen: &str) -> Result<tokio::net::TcpListener, AgentError> {
    let addr = loopback_address(listen)?;
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AgentError::Data(format!("cannot listen on {addr}: {e}")))
}

/// Serves the agent on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    agent: Agent,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), AgentError> {
    axum::serve(listener, agent.router())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| AgentError::Data(format!("server: {e}")))
}
