//! `[exchange]` of `signet serve` and the `signet hub` command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use serde::Deserialize;
use signet_app::exchange::{HttpCourier, Setup};
use signet_app::hub::Hub;
use signet_app::SystemClock;
use signet_store::{BlobStore, Store};

/// One route: agency codes starting with `prefix` go to `url` (a node or a hub; an empty
/// prefix is the default route).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    #[serde(default)]
    pub prefix: String,
    pub url: String,
}

/// `[exchange]` of a node, and the same keys at the top of a hub's configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSection {
    /// Where packets go, by recipient agency code (longest prefix first).
    #[serde(default)]
    pub route: Vec<Route>,
    /// Certificates (PEM or DER files) packet signers must chain to; a node adds its
    /// deployment's anchors and the built-in CA's root.
    #[serde(default)]
    pub trust: Vec<PathBuf>,
    /// Intermediate CA certificates completing the signers' chains.
    #[serde(default)]
    pub intermediates: Vec<PathBuf>,
    #[serde(default)]
    pub max_attempts: Option<i64>,
    #[serde(default)]
    pub retry_base_ms: Option<i64>,
    #[serde(default)]
    pub max_retry_ms: Option<i64>,
}

fn read_certs(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for p in paths {
        let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        out.extend(
            signet_pki::validation::certificates_from_pem_or_der(&bytes)
                .map_err(|e| format!("{}: {e}", p.display()))?,
        );
    }
    Ok(out)
}

impl ExchangeSection {
    /// The exchange settings, trusting also `extra_anchors` and `extra_intermediates`.
    pub fn setup(
        &self,
        extra_anchors: &[Vec<u8>],
        extra_intermediates: &[Vec<u8>],
    ) -> Result<Setup, String> {
        let mut s = Setup::default();
        for r in &self.route {
            s.routes.add(&r.prefix, &r.url);
        }
        for der in read_certs(&self.trust)?.iter().chain(extra_anchors) {
            s.trust.anchors.add(der).map_err(|e| e.to_string())?;
        }
        s.trust.intermediates = read_certs(&self.intermediates)?;
        s.trust
            .intermediates
            .extend(extra_intermediates.iter().cloned());
        if let Some(n) = self.max_attempts {
            s.max_attempts = n.max(1);
        }
        if let Some(n) = self.retry_base_ms {
            s.retry_base_ms = n.max(1);
        }
        if let Some(n) = self.max_retry_ms {
            s.max_retry_ms = n.max(1);
        }
        Ok(s)
    }
}

/// A hub's configuration file (`signet hub --config hub.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    pub listen: String,
    /// `sqlite://PATH` (default store) or `postgres://…` (several hubs on one database).
    pub database: String,
    /// Where packets are kept until forwarded.
    pub files: PathBuf,
    #[serde(default = "default_max_packet")]
    pub max_packet_mib: u64,
    #[serde(flatten)]
    pub exchange: ExchangeSection,
}

fn default_max_packet() -> u64 {
    512
}

pub const HUB_SAMPLE: &str = r#"# signet hub: store and forward between Signet nodes and other hubs.
listen = "127.0.0.1:8900"
database = "sqlite://hub-data/hub.db"
files = "hub-data/packets"
max_packet_mib = 512
# Packets are accepted only when signed by their sending agency with a certificate chaining to:
trust = ["ca/root.pem"]
intermediates = ["ca/issuing.pem"]
max_attempts = 10
retry_base_ms = 2000
# Routes by recipient agency code, longest prefix first; "" is the default (e.g. the national hub).
[[route]]
prefix = "000.00."
url = "http://127.0.0.1:8080"
[[route]]
prefix = ""
url = "http://127.0.0.1:8901"
"#;

/// `signet hub`: runs until interrupted.
pub async fn run_hub(path: &Path) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let config: HubConfig =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let setup = config.exchange.setup(&[], &[])?;
    if setup.routes.is_empty() {
        return Err(format!("{}: no [[route]]", path.display()));
    }
    // An embedded database's directory is made, as `signet demo` makes its data directory.
    if let Some(dir) = config
        .database
        .strip_prefix("sqlite://")
        .and_then(|p| Path::new(p).parent())
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let store = Store::open(&config.database, 16)
        .await
        .map_err(|e| format!("hub database: {e}"))?;
    let blobs = BlobStore::open(&config.files, config.max_packet_mib * 1024 * 1024)
        .await
        .map_err(|e| format!("hub files {}: {e}", config.files.display()))?;
    blobs
        .sweep_temporary(crate::abandoned_before())
        .await
        .map_err(|e| e.to_string())?;
    let hub = Hub::new(store, blobs, Arc::new(SystemClock), Arc::new(setup));
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "Signet hub at http://{addr}/ (database: {})",
        hub.store.backend().name()
    );
    let forwarding = tokio::spawn(hub.clone().forward_loop(
        Arc::new(HttpCourier::default()),
        std::time::Duration::from_millis(200),
        crate::shutdown(),
    ));
    signet_web::serve_router(
        listener,
        signet_web::exchange::hub_router(hub.clone()),
        crate::shutdown(),
    )
    .await
    .map_err(|e| e.to_string())?;
    forwarding.abort();
    hub.store.close().await;
    Ok(ExitCode::SUCCESS)
}
