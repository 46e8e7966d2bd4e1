//! `signet agent`: the local signing agent for USB tokens (crate `signet-agent`), run by the
//! leader on their own PC.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use signet_agent::{Agent, AgentConfig, Host, SignSummary};
use signet_app::Clock;

#[derive(clap::Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    command: Option<AgentCommand>,
    /// Loopback address to listen on (anything else is refused).
    #[arg(long, default_value = signet_agent::DEFAULT_LISTEN)]
    listen: String,
    /// The token's PKCS#11 module; by default the usual Vietnamese token middlewares' modules
    /// (Viettel-CA, VNPT-CA, BkavCA, FPT-CA, Safe-CA, NewTel-CA, ...), then OpenSC and
    /// SoftHSM2, are looked for.
    #[arg(long)]
    module: Option<PathBuf>,
    /// A Signet page origin answered without pairing (repeatable).
    #[arg(long = "origin")]
    origins: Vec<String>,
    /// Paired origins, the pending pairing code and the agent's log
    /// (default: ~/.signet-agent, %APPDATA%\signet-agent on Windows).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum AgentCommand {
    /// Print a new one-time pairing code for the agent running on the same data directory.
    Pair,
}

/// The application's clock and random source; PINs typed on this terminal.
struct SystemHost {
    prompt: Mutex<()>,
}

impl Host for SystemHost {
    fn now(&self) -> time::OffsetDateTime {
        signet_app::SystemClock.now()
    }

    fn fill_random(&self, dest: &mut [u8]) -> Result<(), String> {
        signet_store::fill_random(dest)
    }

    fn ask_pin(&self, request: &SignSummary) -> Option<String> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        let _one = self.prompt.lock().unwrap_or_else(|e| e.into_inner());
        read_hidden(&format!(
            "PIN of the token to sign these {} digest(s) (empty: refuse): ",
            request.count
        ))
    }
}

/// Reads a line with the terminal's echo off (`stty`, Unix); `None` elsewhere, where the
/// page asks for the PIN instead.
fn read_hidden(prompt: &str) -> Option<String> {
    if !cfg!(unix) {
        return None;
    }
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !stty("-echo") {
        return None;
    }
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    stty("echo");
    println!();
    read.ok()?;
    let pin = line.trim_end_matches(['\r', '\n']).to_string();
    (!pin.is_empty()).then_some(pin)
}

fn default_data_dir() -> PathBuf {
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA")
    } else {
        std::env::var_os("HOME")
    };
    match base {
        Some(b) if cfg!(windows) => PathBuf::from(b).join("signet-agent"),
        Some(b) => PathBuf::from(b).join(".signet-agent"),
        None => PathBuf::from("signet-agent-data"),
    }
}

pub async fn run(args: AgentArgs) -> Result<ExitCode, String> {
    let data = args.data.clone().unwrap_or_else(default_data_dir);
    let host = Arc::new(SystemHost {
        prompt: Mutex::new(()),
    });
    if let Some(AgentCommand::Pair) = args.command {
        let code =
            signet_agent::new_pairing_code(&data, host.as_ref()).map_err(|e| e.to_string())?;
        print_code(&code);
        return Ok(ExitCode::SUCCESS);
    }
    // The address first: a wrong one is refused before anything is loaded.
    let listener = signet_agent::bind(&args.listen)
        .await
        .map_err(|e| e.to_string())?;
    let module = match args.module {
        Some(m) => m,
        None => signet_agent::modules::find().map_err(|tried| {
            format!(
                "no PKCS#11 module found ({} places tried, e.g. {}): install the token's \
                 driver or pass --module PATH",
                tried.len(),
                tried
                    .first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        })?,
    };
    let config = AgentConfig {
        module,
        data_dir: data.clone(),
        origins: args.origins,
    };
    let agent = Agent::open(config, host).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Signet agent listening on http://{addr}/");
    println!("PKCS#11 module: {}", agent.module_path().display());
    println!("Data and log: {}", data.display());
    for origin in agent.paired_origins() {
        println!("Paired with {origin}");
    }
    print_code(&agent.new_pairing_code().map_err(|e| e.to_string())?);
    signet_agent::serve(listener, agent, crate::shutdown())
        .await
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn print_code(code: &str) {
    println!(
        "Pairing code: {code}  (type it on the Signet page; valid {} minutes, once)",
        signet_agent::PAIRING_CODE_MINUTES
    );
}
