//! Remote signing at start-up: the HSM of `[remote_signing]` opened for the server, and for
//! `signet demo` a SoftHSM2 token of its own under the data directory when SoftHSM2 is
//! installed, or else (demo only, said at start) a software keystore there.

use std::path::{Path, PathBuf};
use std::process::Command;

use signet_app::remote_signing::RemoteSigning;
use signet_app::server_keys::{HsmConfig, ServerKeys};
use signet_app::App;

use crate::config::Config;

/// Where Debian's softhsm2 puts the module; `SIGNET_PKCS11_MODULE` overrides it.
const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const DEMO_TOKEN: &str = "signet-demo";

/// Where the demo keeps its credentials' keys.
#[derive(Debug)]
pub enum DemoKeys {
    /// Its own SoftHSM2 token.
    Hsm(HsmConfig),
    /// DEMO ONLY: a software keystore in this directory (SoftHSM2 is not installed).
    Software(PathBuf),
}

/// The application with the configuration's HSM (when set; else the demo's keys, for
/// `signet demo`) and CSC providers.
pub fn with_remote_signing(
    app: App,
    config: &Config,
    demo: Option<DemoKeys>,
) -> Result<App, String> {
    let var = |k: &str| std::env::var(k).ok();
    let open_hsm = |h: HsmConfig| {
        let token = h.token.clone();
        ServerKeys::open(h).map_err(|e| format!("remote-signing HSM {token}: {e}"))
    };
    let keys = match (config.remote_signing.hsm(var)?, demo) {
        (Some(h), _) | (None, Some(DemoKeys::Hsm(h))) => Some(open_hsm(h)?),
        (None, Some(DemoKeys::Software(dir))) => Some(
            ServerKeys::demo_software_keystore(&dir)
                .map_err(|e| format!("demo software keystore {}: {e}", dir.display()))?,
        ),
        (None, None) => None,
    };
    let providers = config.remote_signing.providers(var)?;
    if keys.is_some() {
        tracing::info!("remote signing (CSC) is on: /csc/v1, /csc/v2, /sign-requests");
    }
    Ok(app.with_remote_signing(RemoteSigning::new(keys, providers)))
}

/// The demo's keys: its SoftHSM2 token (see [`demo_hsm`]) when SoftHSM2 is installed
/// (`SIGNET_PKCS11_MODULE` names the module), else a software keystore under
/// `data/keystore-demo`, said at start as demo only. A demo that started once without
/// SoftHSM2 keeps its software keystore: its credentials' keys are there.
pub fn demo_keys(data: &Path) -> Result<DemoKeys, String> {
    let module: PathBuf = std::env::var("SIGNET_PKCS11_MODULE")
        .unwrap_or_else(|_| SOFTHSM_MODULE.into())
        .into();
    demo_keys_with(data, &module)
}

fn demo_keys_with(data: &Path, module: &Path) -> Result<DemoKeys, String> {
    let software = data.join("keystore-demo");
    if software.exists() {
        println!("{}", software_notice(&software));
        return Ok(DemoKeys::Software(software));
    }
    match demo_hsm(data, module)? {
        Some(h) => Ok(DemoKeys::Hsm(h)),
        None => {
            println!(
                "SoftHSM2 is not installed ({}). {}",
                module.display(),
                software_notice(&software)
            );
            Ok(DemoKeys::Software(software))
        }
    }
}

fn software_notice(dir: &Path) -> String {
    format!(
        "Remote signing keys are in a DEMO-ONLY software keystore ({}): \
         kho khóa phần mềm chỉ dùng cho demo.",
        dir.display()
    )
}

/// The demo's own SoftHSM2 token under `data/softhsm`, made on first start (its PIN kept in
/// `data/softhsm/pin`, readable by the owner only). `None` when SoftHSM2 is not installed
/// (no `module`).
fn demo_hsm(data: &Path, module: &Path) -> Result<Option<HsmConfig>, String> {
    if !module.exists() {
        return Ok(None);
    }
    let dir = data.join("softhsm");
    let conf = dir.join("softhsm2.conf");
    let pin_file = dir.join("pin");
    if !pin_file.exists() {
        let tokens = dir.join("tokens");
        std::fs::create_dir_all(&tokens).map_err(|e| format!("{}: {e}", tokens.display()))?;
        let text = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        );
        std::fs::write(&conf, text).map_err(|e| format!("{}: {e}", conf.display()))?;
        let pin = signet_store::random_hex::<8>();
        let so_pin = signet_store::random_hex::<8>();
        let out = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &conf)
            .args(["--init-token", "--free", "--label", DEMO_TOKEN])
            .args(["--so-pin", &so_pin, "--pin", &pin])
            .output()
            .map_err(|e| format!("softhsm2-util: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "softhsm2-util --init-token: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        signet_app::ca_dir::write_file(&pin_file, pin.as_bytes(), 0o600)
            .map_err(|e| e.to_string())?;
    }
    let pin =
        std::fs::read_to_string(&pin_file).map_err(|e| format!("{}: {e}", pin_file.display()))?;
    // SoftHSM2 reads its configuration once, when the module loads (below, in this
    // process): the demo's token directory is the one it must see.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    Ok(Some(HsmConfig {
        module: module.to_owned(),
        token: DEMO_TOKEN.into(),
        pin: pin.trim().to_owned(),
    }))
}
