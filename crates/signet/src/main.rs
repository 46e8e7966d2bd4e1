//! The `signet` command: run the server (with or without the demo province), migrate the
//! database, verify the journal.

mod agent;
mod ca;
mod config;
mod edxml;
mod exchange;
mod remote;
mod sign;
mod verify;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use signet_app::journal_anchor::Tsa;
use signet_app::{App, SystemClock};
use signet_store::{BlobStore, Store};

use crate::config::Config;

#[derive(Parser)]
#[command(
    name = "signet",
    version,
    about = "Signet: documents, signatures and exchange for state agencies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run Signet on embedded SQLite with a demo province (created on first start).
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[arg(long, default_value = "signet-data")]
        data: PathBuf,
    },
    /// Run a real deployment from a configuration file (no demo data).
    Serve {
        #[arg(long)]
        config: PathBuf,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        target: Target,
    },
    /// The per-agency hash-chained journal.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Long-term archives: `renew` re-timestamps issued files before their timestamps'
    /// TSA certificates expire (B-LTA). `signet serve` does it daily by itself.
    Archive {
        #[command(subcommand)]
        command: ArchiveCommand,
    },
    /// Oversight statistics: `recount` checks the counters against the documents.
    Statistics {
        #[command(subcommand)]
        command: StatisticsCommand,
    },
    /// Create the first agency of a new deployment and its first administrator, who then
    /// adds everything else from the web interface. The password is read from
    /// SIGNET_ADMIN_PASSWORD (at least 10 characters).
    Bootstrap {
        #[command(flatten)]
        target: Target,
        /// The agency's identifier code (mã định danh), e.g. 000.00.00.H99.
        #[arg(long)]
        agency_code: String,
        /// The agency's full name, e.g. "Ủy ban nhân dân tỉnh ...".
        #[arg(long)]
        agency_name: String,
        /// The abbreviation used in notations, e.g. UBND.
        #[arg(long)]
        abbreviation: String,
        #[arg(long)]
        admin_username: String,
        #[arg(long)]
        admin_name: String,
    },
    /// Print a commented sample configuration.
    DefaultConfig,
    /// Sign a PDF (PAdES B-B to B-LTA) with a software keystore or a PKCS#11 token; several
    /// PDFs into a directory (--out-dir) with one key unlock.
    Sign(Box<sign::SignArgs>),
    /// Verify every signature of a PDF. Exit status: 0 all TOTAL-PASSED, 1 any TOTAL-FAILED,
    /// 2 otherwise (INDETERMINATE), 3 the file could not be read as a PDF.
    Verify(verify::VerifyArgs),
    /// The built-in CA: init, issue, revoke, crl, serve (OCSP, CRLs, TSA).
    Ca {
        #[command(subcommand)]
        command: ca::CaCommand,
    },
    /// edXML (QCVN 102) packets: inspect, build.
    Edxml {
        #[command(subcommand)]
        command: edxml::EdxmlCommand,
    },
    /// A store-and-forward hub of the document exchange (the role of the provincial
    /// platform or the national axis): `signet hub --config hub.toml` (`--sample` prints one).
    Hub {
        #[arg(long, required_unless_present = "sample")]
        config: Option<PathBuf>,
        #[arg(long)]
        sample: bool,
    },
    /// The local signing agent for USB tokens: run on the signer's PC, it lets the Signet
    /// page sign with the token (loopback only, paired origins only).
    Agent(agent::AgentArgs),
}

#[derive(Subcommand)]
enum JournalCommand {
    /// Check every agency's journal (or one): any edited, removed or reordered entry is
    /// reported with where it is, and the journal is checked against its anchors (entries
    /// cut off the end, a head moved back, a rewritten and re-hashed suffix). Exit status 1
    /// when a journal is broken.
    Verify {
        #[command(flatten)]
        target: Target,
        /// Only this agency (identifier code).
        #[arg(long)]
        agency: Option<String>,
    },
    /// Anchor every agency's journal now: its head, time-stamped by the TSA (`journal.tsa_url`
    /// or the built-in CA's), appended to today's file in `journal.anchors_dir`. The server
    /// does this daily by itself.
    Anchor {
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Subcommand)]
enum ArchiveCommand {
    /// Add validation data and a new document timestamp to every issued file whose latest
    /// timestamp's TSA certificate expires before DATE, each as a new revision of the
    /// document, journaled. Exit status 1 when any due file could not be renewed.
    Renew {
        #[command(flatten)]
        target: Target,
        /// Renew what expires before this date (YYYY-MM-DD); default: 90 days from today.
        #[arg(long)]
        before: Option<String>,
        /// Only list what is due.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum StatisticsCommand {
    /// Recount the per-agency monthly counters from the documents and report every
    /// difference from the stored ones. Exit status 1 when any differs.
    Recount {
        #[command(flatten)]
        target: Target,
        /// Only this month (YYYY-MM).
        #[arg(long)]
        month: Option<String>,
    },
}

/// Which database a maintenance command works on.
#[derive(clap::Args)]
struct Target {
    #[arg(long, conflicts_with = "data")]
    config: Option<PathBuf>,
    /// A demo data directory.
    #[arg(long)]
    data: Option<PathBuf>,
}

impl Target {
    fn config(&self) -> Result<Config, String> {
        match (&self.config, &self.data) {
            (Some(c), _) => Config::load(c),
            (None, Some(d)) => Ok(Config::for_data_dir(d, "127.0.0.1:0")),
            (None, None) => Ok(Config::for_data_dir(
                Path::new("signet-data"),
                "127.0.0.1:0",
            )),
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SIGNET_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signet: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("signet: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Demo { listen, data } => {
            std::fs::create_dir_all(&data)
                .map_err(|e| format!("cannot create {}: {e}", data.display()))?;
            let config = Config::for_data_dir(&data, &listen);
            ca::ensure_demo_ca(&data.join("ca"), &listen)?;
            let app = with_ca(open_to_serve(&config).await?, &config)?;
            let app = remote::with_remote_signing(app, &config, Some(remote::demo_keys(&data)?))?;
            if app
                .seed_demo_with(true)
                .await
                .map_err(|e| format!("seeding the demo province: {e}"))?
            {
                tracing::info!("seeded the demo province");
            }
            serve(app, &config, true).await?;
        }
        Command::Serve { config } => {
            let config = Config::load(&config)?;
            let app = with_ca(open_to_serve(&config).await?, &config)?;
            let app = remote::with_remote_signing(app, &config, None)?;
            serve(app, &config, false).await?;
        }
        Command::Migrate { target } => {
            let config = target.config()?;
            let store = Store::connect(&config.database.url, 2)
                .await
                .map_err(|e| e.to_string())?;
            let applied = store.migrate().await.map_err(|e| e.to_string())?;
            println!(
                "{} migration(s) applied on {}",
                applied.len(),
                config.database_for_log()
            );
        }
        Command::Journal {
            command: JournalCommand::Verify { target, agency },
        } => {
            return verify_journal(&target.config()?, agency.as_deref()).await;
        }
        Command::Journal {
            command: JournalCommand::Anchor { target },
        } => {
            let config = target.config()?;
            let app = open(&config).await?;
            let tsa = anchor_tsa(&config)?.ok_or(
                "no TSA for the anchors: set journal.tsa_url or [ca] dir (the built-in CA)",
            )?;
            let dir = config.anchors_dir();
            let records = app
                .anchor_journals(&dir, &tsa)
                .await
                .map_err(|e| e.to_string())?;
            for r in &records {
                println!(
                    "anchored {}  entry {}  {}",
                    r.agency_code, r.anchor.seq, r.anchor.hash
                );
            }
            println!("{} anchor(s) written to {}", records.len(), dir.display());
        }
        Command::Archive {
            command:
                ArchiveCommand::Renew {
                    target,
                    before,
                    dry_run,
                },
        } => {
            return renew_archives(&target.config()?, before.as_deref(), dry_run).await;
        }
        Command::Statistics {
            command: StatisticsCommand::Recount { target, month },
        } => {
            return recount(&target.config()?, month.as_deref()).await;
        }
        Command::Bootstrap {
            target,
            agency_code,
            agency_name,
            abbreviation,
            admin_username,
            admin_name,
        } => {
            let config = target.config()?;
            let password = std::env::var("SIGNET_ADMIN_PASSWORD").map_err(|_| {
                "set SIGNET_ADMIN_PASSWORD to the first administrator's password".to_owned()
            })?;
            let app = open(&config).await?;
            let first = signet_app::admin::FirstAgency {
                code: agency_code,
                name: agency_name,
                abbreviation,
                admin_username,
                admin_name,
                admin_password: password,
            };
            let (agency, admin) = app.bootstrap(&first).await.map_err(|e| e.to_string())?;
            println!(
                "created agency {} ({}) and administrator {}",
                agency.code, agency.name, admin.username
            );
        }
        Command::DefaultConfig => print!("{}", config::SAMPLE),
        Command::Hub { sample: true, .. } => print!("{}", exchange::HUB_SAMPLE),
        Command::Hub { config, .. } => {
            let path = config.ok_or("--config is required")?;
            return exchange::run_hub(&path).await;
        }
        Command::Ca { command } => return ca::run(command).await,
        Command::Agent(args) => return agent::run(args).await,
        Command::Sign(args) => {
            return tokio::task::spawn_blocking(move || sign::sign_command(*args))
                .await
                .map_err(|e| e.to_string())?
        }
        Command::Verify(args) => {
            return tokio::task::spawn_blocking(move || verify::verify(args))
                .await
                .map_err(|e| e.to_string())?
        }
        Command::Edxml { command } => {
            return tokio::task::spawn_blocking(move || edxml::run(command))
                .await
                .map_err(|e| e.to_string())?
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The application on the configuration's database and file store.
async fn open(config: &Config) -> Result<App, String> {
    let store = Store::open(&config.database.url, config.database.max_connections)
        .await
        .map_err(|e| format!("database {}: {e}", config.database_for_log()))?;
    let blobs = BlobStore::open(&config.files.dir, config.files.max_upload_mib * 1024 * 1024)
        .await
        .map_err(|e| format!("file store {}: {e}", config.files.dir.display()))?;
    Ok(App::new(store, blobs, Arc::new(SystemClock)))
}

/// The application for the server: [`open`], with the uploads an earlier run left
/// unfinished removed (only the server may: a command run beside it must not take them).
async fn open_to_serve(config: &Config) -> Result<App, String> {
    let app = open(config).await?;
    let swept = app
        .blobs
        .sweep_temporary(abandoned_before())
        .await
        .map_err(|e| e.to_string())?;
    if swept > 0 {
        tracing::info!(swept, "removed unfinished uploads");
    }
    Ok(app)
}

/// Temporary files not written to for an hour are abandoned uploads; younger ones may be
/// another node's uploads in progress on a shared file store.
pub(crate) fn abandoned_before() -> std::time::SystemTime {
    use signet_app::Clock;
    std::time::SystemTime::from(SystemClock.now()) - std::time::Duration::from_secs(3600)
}

/// The verifier of this deployment: the anchors of `[trust]` plus the built-in CA's root;
/// the built-in CA's own revocation answers are never cached (`fresh_from`, its base URL).
fn with_verifier(app: App, config: &Config, fresh_from: Option<String>) -> Result<App, String> {
    let ca_dir = config.ca.as_ref().map(|c| c.dir.as_path());
    // The built-in trust lists go on top (configuration's choice here; the administrators'
    // stored choice is applied once the store is open, see `serve`).
    let anchors = signet_app::verification::deployment_anchors(&config.trust.anchors, &[], ca_dir)
        .map_err(|e| e.to_string())?;
    let max_ttl = time::Duration::seconds(i64::from(config.trust.revocation_cache_max_s));
    let verifier = signet_app::verification::Verifier::new(anchors, config.trust.fetch_revocation)
        .with_revocation_cache(max_ttl, fresh_from.into_iter().collect());
    verifier
        .set_trust_lists(&config.trust.lists())
        .map_err(|e| e.to_string())?;
    Ok(app.with_verifier(verifier))
}

/// The web's signing set-up: the TSA and the agencies' seal keys (`[signing]`, `[[seal]]`).
fn with_signing(app: App, config: &Config) -> Result<App, String> {
    let mut seals = signet_app::web_signing::SealKeys::new();
    for s in &config.seal {
        seals.insert(&s.agency, s.source()?);
    }
    Ok(app.with_signing(signet_app::web_signing::Setup {
        seals,
        tsa: config.signing.tsa.clone(),
    }))
}

/// Hands the built-in CA (when the configuration names one that exists) to the application,
/// which issues and revokes from the certificate page and answers the CA's endpoints.
fn with_ca(app: App, config: &Config) -> Result<App, String> {
    let app = with_signing(app, config)?;
    match &config.ca {
        Some(c) if signet_app::ca_dir::exists(&c.dir) => {
            let ca = signet_app::ca_service::BuiltInCa::open(&c.dir)
                .map_err(|e| format!("CA {}: {e}", c.dir.display()))?;
            let base_url = ca
                .published()
                .map_err(|e| format!("CA {}: {e}", c.dir.display()))?
                .ca
                .record()
                .base_url
                .clone();
            Ok(with_verifier(app, config, Some(base_url))?.with_ca(ca))
        }
        _ => with_verifier(app, config, None),
    }
}

async fn serve(app: App, config: &Config, demo: bool) -> Result<(), String> {
    let defaults: Vec<&str> = config.trust.lists().iter().map(|l| l.id).collect();
    app.apply_stored_trust_lists(&defaults)
        .await
        .map_err(|e| format!("trust lists: {e}"))?;
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.server.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let web = signet_web::WebConfig {
        secure_cookies: config.server.secure_cookies,
        trusted_proxies: config.server.trusted_proxies()?,
    };
    println!(
        "Signet is running at http://{addr}/  (database: {})",
        app.store.backend().name()
    );
    match (&config.ca, &app.ca) {
        (Some(c), Some(ca)) => {
            // Loaded now, so a CA that cannot publish says so before the first request.
            ca.published()
                .map_err(|e| format!("CA {}: {e}", c.dir.display()))?;
            // Certificates issued from the command line while the server was down.
            app.sync_ca_inventory()
                .await
                .map_err(|e| format!("CA {}: {e}", c.dir.display()))?;
            println!(
                "CA services at http://{addr}/ocsp, /tsa, /crl/issuing.crl ({})",
                c.dir.display()
            );
        }
        (Some(c), None) if !demo => {
            return Err(format!(
                "[ca] dir {} holds no CA: run `signet ca init` first",
                c.dir.display()
            ))
        }
        _ => {}
    }
    if demo {
        println!(
            "Demo logins (password {}):",
            signet_app::demo::DEMO_PASSWORD
        );
        for (user, role, agency) in signet_app::demo::demo_logins() {
            println!("  {user:<18} {role:<24} {agency}");
        }
    }
    let app = with_exchange(app, config, &addr)?.with_webhooks(config.webhooks.setup());
    // The webhook outbox: events posted to the province's other systems in the background.
    tokio::spawn(app.clone().webhook_loop(
        Arc::new(signet_app::webhooks::HttpPoster::default()),
        std::time::Duration::from_millis(1000),
        shutdown(),
    ));
    // The outbox: consignments to other agencies delivered in the background.
    tokio::spawn(app.clone().delivery_loop(
        Arc::new(signet_app::exchange::HttpCourier::default()),
        std::time::Duration::from_millis(500),
        shutdown(),
    ));
    // Issuances waiting for the seal (TSA or OCSP unreachable) are retried in the background.
    let retries = tokio::spawn(
        app.clone()
            .seal_retry_loop(std::time::Duration::from_secs(15), shutdown()),
    );
    tokio::spawn(sweep_uploads_hourly(app.clone()));
    // Issued files whose timestamps near expiry get a new document timestamp, daily. (With
    // several nodes, a file renewed by one is refused to the others as changed: no double.)
    tokio::spawn(
        app.clone()
            .archive_loop(std::time::Duration::from_secs(24 * 3600), shutdown()),
    );
    let tsa = config.journal.tsa_url.clone().map(Tsa::Url);
    if let Some(tsa) = tsa.or_else(|| app.ca.clone().map(Tsa::BuiltIn)) {
        tokio::spawn(anchor_daily(app.clone(), config.anchors_dir(), tsa));
    }
    let reminders = tokio::spawn(remind_regularly(app.clone(), config.mail.clone()));
    signet_web::serve(listener, app.clone(), web, shutdown())
        .await
        .map_err(|e| e.to_string())?;
    retries.abort();
    reminders.abort();
    app.store.close().await;
    Ok(())
}

/// The exchange settings of `[exchange]`: packet signers trusted up to the deployment's
/// anchors and the built-in CA; without a route, the node delivers to itself (one node
/// serving all the agencies that exchange).
fn with_exchange(app: App, config: &Config, addr: &std::net::SocketAddr) -> Result<App, String> {
    let ca_dir = config.ca.as_ref().map(|c| c.dir.as_path());
    // Real agencies sign their packets with certificates of the Vietnamese lists in use.
    let lists = config.trust.lists();
    let anchors =
        signet_app::verification::deployment_anchors(&config.trust.anchors, &lists, ca_dir)
            .map_err(|e| e.to_string())?;
    let mut anchor_ders: Vec<Vec<u8>> = anchors.summaries().into_iter().map(|s| s.der).collect();
    let mut intermediates = Vec::new();
    if let Some(ca) = &app.ca {
        if let Ok(p) = ca.published() {
            let chain = signet_app::ca_dir::chain(&p.ca);
            intermediates.extend(chain.first().cloned());
            anchor_ders.extend(chain.get(1).cloned());
        }
    }
    let section = config.exchange.clone().unwrap_or_default();
    let mut setup = section.setup(&anchor_ders, &intermediates)?;
    if setup.routes.is_empty() {
        setup.routes.add("", &format!("http://{addr}"));
    }
    Ok(app.with_exchange(setup))
}

/// The TSA the journal anchors are time-stamped by: `journal.tsa_url`, else the built-in CA
/// when the configuration names one that exists; `None` when neither.
fn anchor_tsa(config: &Config) -> Result<Option<Tsa>, String> {
    if let Some(url) = &config.journal.tsa_url {
        return Ok(Some(Tsa::Url(url.clone())));
    }
    match &config.ca {
        Some(c) if signet_app::ca_dir::exists(&c.dir) => {
            let ca = signet_app::ca_service::BuiltInCa::open(&c.dir)
                .map_err(|e| format!("CA {}: {e}", c.dir.display()))?;
            Ok(Some(Tsa::BuiltIn(std::sync::Arc::new(ca))))
        }
        _ => Ok(None),
    }
}

/// Removes resumable uploads abandoned for a day, every hour.
async fn sweep_uploads_hourly(app: App) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match app.sweep_uploads().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(uploads = n, "abandoned uploads removed"),
            Err(e) => tracing::warn!(error = %e, "sweeping abandoned uploads failed"),
        }
    }
}

/// Makes the deadline reminders when the server starts and then every `[mail]
/// every_minutes` (an hour without `[mail]`), e-mailing them when `[mail]` is set.
async fn remind_regularly(app: App, mail: Option<config::MailSection>) {
    let minutes = mail.as_ref().map_or(60, |m| m.every_minutes.max(1));
    let relay = mail.as_ref().map(config::MailSection::relay);
    let mut every = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
    loop {
        every.tick().await;
        match app.run_reminders(relay.as_ref()).await {
            Ok(r) => tracing::info!(made = r.made, emails = r.emails, "reminders"),
            Err(e) => tracing::warn!(error = %e, "reminders: retried at the next run"),
        }
    }
}

/// Anchors every journal when the server starts and then once a day.
async fn anchor_daily(app: App, dir: PathBuf, tsa: Tsa) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    loop {
        every_day.tick().await;
        match app.anchor_journals(&dir, &tsa).await {
            Ok(records) => {
                tracing::info!(anchors = records.len(), dir = %dir.display(), "journals anchored")
            }
            Err(e) => {
                tracing::warn!(error = %e, "anchoring the journals failed; retried tomorrow or with `signet journal anchor`")
            }
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

async fn verify_journal(config: &Config, only: Option<&str>) -> Result<ExitCode, String> {
    let store = Store::connect(&config.database.url, 2)
        .await
        .map_err(|e| e.to_string())?;
    let records = signet_app::journal_anchor::read_anchors(&config.anchors_dir())
        .map_err(|e| e.to_string())?;
    let ca_dir = config.ca.as_ref().map(|c| c.dir.as_path());
    let trust = signet_app::verification::deployment_anchors(
        &config.trust.anchors,
        &config.trust.lists(),
        ca_dir,
    )
    .map_err(|e| e.to_string())?;
    let set = signet_app::journal::AnchorSet {
        records: &records,
        trust: &trust,
    };
    let checks = signet_app::journal::verify_journals(&store, only, Some(&set))
        .await
        .map_err(|e| e.to_string())?;
    let mut broken = false;
    for c in &checks {
        use signet_app::journal::Anchoring;
        let (code, name) = (&c.agency.code, &c.agency.name);
        match (&c.result, &c.anchors) {
            (Err(e), _) => println!("BROKEN  {code}  {name}: {e}"),
            (Ok(_), Anchoring::Broken(e)) => println!("BROKEN  {code}  {name}: {e}"),
            (Ok(_), _) if !c.rows.is_empty() => {
                let shown: Vec<&str> = c.rows.iter().take(3).map(String::as_str).collect();
                println!(
                    "BROKEN  {code}  {name}: {} document row(s) changed without a journal entry: {}",
                    c.rows.len(),
                    shown.join("; ")
                )
            }
            (Ok(n), Anchoring::Vouched { up_to, .. }) => {
                println!("ok      {code}  {n} entries  {name}  (anchored up to entry {up_to})")
            }
            (Ok(n), Anchoring::None) => println!("ok      {code}  {n} entries  {name}"),
        }
        broken |= c.result.is_err() || c.anchors.is_broken() || !c.rows.is_empty();
    }
    Ok(if broken {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn recount(config: &Config, month: Option<&str>) -> Result<ExitCode, String> {
    let app = open(config).await?;
    let differences = app.recount(month).await.map_err(|e| e.to_string())?;
    for d in &differences {
        println!(
            "DIFFERS  {}  {}  {}: stored {}, counted {}",
            d.agency_id, d.month, d.field, d.stored, d.counted
        );
    }
    if differences.is_empty() {
        println!("ok: the counters equal the recount");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} counter(s) differ", differences.len());
        Ok(ExitCode::from(1))
    }
}

/// `signet archive renew`: one line per file renewed (or due, in a dry run) or failed, then
/// a summary.
async fn renew_archives(
    config: &Config,
    before: Option<&str>,
    dry_run: bool,
) -> Result<ExitCode, String> {
    let app = with_ca(open(config).await?, config)?;
    let horizon = match before {
        Some(d) => {
            let date =
                time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                    .map_err(|e| format!("--before {d}: expected YYYY-MM-DD ({e})"))?;
            date.midnight().assume_utc()
        }
        None => app.clock.now() + time::Duration::days(signet_app::archive::RENEW_AHEAD_DAYS),
    };
    let run = app
        .renew_archives(horizon, dry_run)
        .await
        .map_err(|e| e.to_string())?;
    let date = |t: Option<time::OffsetDateTime>| {
        t.map_or_else(|| "unknown".to_owned(), |t| t.date().to_string())
    };
    for r in &run.renewed {
        let what = if dry_run { "due" } else { "renewed" };
        println!(
            "{what:<8} {}  {}  timestamp expiring {}{}",
            r.agency_id,
            r.notation.as_deref().unwrap_or(r.document_id.as_str()),
            date(r.expiry),
            r.sha256
                .as_deref()
                .map(|s| format!("  → {s}"))
                .unwrap_or_default()
        );
    }
    for f in &run.failed {
        println!(
            "FAILED   {}  {}: {}",
            f.agency_id,
            f.notation.as_deref().unwrap_or(f.document_id.as_str()),
            f.reason
        );
    }
    println!(
        "{} issued file(s) examined: {} {}, {} not due, {} without any timestamp, {} failed",
        run.examined,
        run.renewed.len(),
        if dry_run { "due" } else { "renewed" },
        run.not_due,
        run.not_archived,
        run.failed.len()
    );
    Ok(if run.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
