//! SoftHSM2 tokens for tests.
//!
//! SoftHSM2 finds its token directory through the configuration file named by
//! `SOFTHSM2_CONF`. Two cases, two answers:
//!
//! - **Child processes** (`softhsm2-util`, the `signet` binary, pyHanko): every test gets a
//!   [`SoftHsm`] of its own — its own configuration file and token directory — and passes
//!   `SOFTHSM2_CONF` to each [`Command`] it starts ([`SoftHsm::command`]). The process
//!   environment is never touched, so tests running in parallel threads cannot see each
//!   other's tokens.
//! - **The module loaded in this process** (signet-signers' `Token`): the library reads
//!   `SOFTHSM2_CONF` once, in `C_Initialize`, and nothing calls `C_Finalize`, so one process
//!   has one token directory for its whole life. [`SoftHsm::process`] makes that directory
//!   once per test binary, behind a `OnceLock`, and sets `SOFTHSM2_CONF` then — the only
//!   `set_var` of the suites, made before this process loads the module (tests reach the
//!   module only through a token from here). Each test still gets a token of its own, with a
//!   unique label, from [`SoftHsm::in_process_token`]. That token is initialized through the
//!   loaded module (`C_InitToken` on its free slot): SoftHSM2 scans the token directory only
//!   in `C_Initialize`, so a token made by `softhsm2-util` afterwards would stay invisible.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;

use crate::tools::missing;
use crate::{random_hex, text, TempDir};

/// Where Debian's softhsm2 package puts the module; `SIGNET_PKCS11_MODULE` overrides it.
pub const DEFAULT_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// The security officer's PIN of every test token.
pub const SO_PIN: &str = "12345678";

/// A SoftHSM2 configuration and token directory.
pub struct SoftHsm {
    dir: TempDir,
    module: PathBuf,
}

/// A token initialized in this process's module: open it with `Token::open(module, label,
/// pin)`.
#[derive(Debug, Clone)]
pub struct InProcessToken {
    pub module: PathBuf,
    pub label: String,
    pub pin: String,
}

impl SoftHsm {
    /// A configuration of this test's own, for child processes. `None` (skip) when SoftHSM2
    /// is not installed locally; under CI that fails the test.
    pub fn new() -> Option<SoftHsm> {
        let module = module()?;
        if !crate::require_tool("softhsm2-util") {
            return None;
        }
        Some(SoftHsm::create(module))
    }

    /// The configuration of this process's module (see the module comment), created and
    /// exported as `SOFTHSM2_CONF` on first use.
    pub fn process() -> Option<&'static SoftHsm> {
        static PROCESS: OnceLock<Option<SoftHsm>> = OnceLock::new();
        PROCESS
            .get_or_init(|| {
                let hsm = SoftHsm::new()?;
                // The one process-wide setting: before anything in this process loads the
                // module, which reads it once. std's environment functions take a lock, and
                // the suites' other threads read the environment only through std.
                std::env::set_var("SOFTHSM2_CONF", hsm.conf());
                Some(hsm)
            })
            .as_ref()
    }

    fn create(module: PathBuf) -> SoftHsm {
        let dir = TempDir::new("softhsm");
        let tokens = dir.path("tokens");
        std::fs::create_dir_all(&tokens).expect("token directory");
        dir.write(
            "softhsm2.conf",
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        );
        SoftHsm { dir, module }
    }

    /// The PKCS#11 module.
    pub fn module(&self) -> &Path {
        &self.module
    }

    /// The configuration file, for `SOFTHSM2_CONF`.
    pub fn conf(&self) -> PathBuf {
        self.dir.path("softhsm2.conf")
    }

    /// `program` with `SOFTHSM2_CONF` pointing at this configuration.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("SOFTHSM2_CONF", self.conf());
        c
    }

    /// A new token `label` with user PIN `pin` (SO PIN [`SO_PIN`]), by `softhsm2-util`: for
    /// child processes, or for this process's module before it is loaded.
    pub fn init_token(&self, label: &str, pin: &str) {
        let o = self
            .command("softhsm2-util")
            .args(["--init-token", "--free", "--label", label])
            .args(["--so-pin", SO_PIN, "--pin", pin])
            .output()
            .expect("softhsm2-util runs");
        assert!(
            o.status.success(),
            "softhsm2-util --init-token {label}: {}",
            text(&o)
        );
    }

    /// A token of this test's own in this process's module, labelled `<label>-<random>`.
    /// `None` (skip) when SoftHSM2 is not installed locally.
    pub fn in_process_token(label: &str, pin: &str) -> Option<InProcessToken> {
        let hsm = SoftHsm::process()?;
        let label = format!("{label}-{}", random_hex(4));
        init_in_module(&hsm.module, &label, pin);
        Some(InProcessToken {
            module: hsm.module.clone(),
            label,
            pin: pin.into(),
        })
    }
}

/// The SoftHSM2 module, or `None` (skip) when missing locally; under CI a failure.
pub fn module() -> Option<PathBuf> {
    let module = std::env::var("SIGNET_PKCS11_MODULE").unwrap_or_else(|_| DEFAULT_MODULE.into());
    if Path::new(&module).exists() {
        return Some(module.into());
    }
    missing(&format!("the PKCS#11 module {module} (softhsm2)"));
    None
}

/// `C_InitToken` on the module's free slot, then the user PIN. One at a time: two tests
/// must not take the same free slot. The context stays loaded for the process, so the
/// module is never unloaded between tests.
fn init_in_module(module: &Path, label: &str, pin: &str) {
    static CTX: Mutex<Option<Pkcs11>> = Mutex::new(None);
    let mut guard = CTX.lock().unwrap_or_else(|e| e.into_inner());
    let ctx = guard.get_or_insert_with(|| {
        let ctx = Pkcs11::new(module).expect("load the PKCS#11 module");
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => panic!("C_Initialize: {e}"),
        }
        ctx
    });
    let slot = ctx
        .get_slots_with_token()
        .expect("C_GetSlotList")
        .into_iter()
        .find(|s| ctx.get_token_info(*s).is_ok_and(|t| !t.token_initialized()))
        .expect("SoftHSM2 always offers one free slot");
    let so_pin = AuthPin::new(SO_PIN.into());
    ctx.init_token(slot, &so_pin, label)
        .unwrap_or_else(|e| panic!("C_InitToken {label}: {e}"));
    let session = ctx.open_rw_session(slot).expect("C_OpenSession");
    session
        .login(UserType::So, Some(&so_pin))
        .expect("SO login");
    session
        .init_pin(&AuthPin::new(pin.into()))
        .expect("C_InitPIN");
    // Closing the session (on drop) ends the SO login: the test logs in as the user.
    session.logout().expect("SO logout");
}
