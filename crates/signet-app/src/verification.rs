//! Public verification of signed PDFs (`/verify`, `POST /api/v1/verify`): anyone may ask, so
//! every request is size-limited, rate-limited per client address, and verifications run at
//! most [`MAX_CONCURRENT`] at a time on blocking threads. The file is never stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use signet_pades::{Options, Password, Report};
use signet_pki::validation::{RevocationPolicy, TrustAnchors};
use tokio::sync::Semaphore;

use crate::{App, AppError, Invalid};

/// Largest file accepted for public verification.
pub const MAX_BYTES: usize = 50 << 20;
/// Verifications per client address per window.
pub const PER_CLIENT: u32 = 30;
const WINDOW_MS: i64 = 10 * 60 * 1000;
/// Verifications computing at once (each uses one core while it runs). Fetching revocation
/// data does not hold a slot: a slow responder must not block verifications that do not
/// need it.
pub const MAX_CONCURRENT: usize = 2;
/// Files being received for verification at once: a request is admitted (limit, capacity)
/// before its body is read, so at most this many bodies are in memory.
pub const MAX_RECEIVING: usize = 4;
/// Requests waiting for a place to send their file; past that the server is over capacity
/// and says so at once (a waiting request holds a connection, not its body).
pub const MAX_WAITING: usize = 64;
/// The longest a request waits for a place.
const ADMISSION_WAIT: std::time::Duration = std::time::Duration::from_secs(30);
/// The most one verification waits for revocation data before reporting it unavailable.
pub const FETCH_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// The trust anchors of this deployment and the means to fetch revocation data.
pub struct Verifier {
    /// The configured anchors (files, the built-in CA) without the built-in trust lists.
    configured: TrustAnchors,
    /// `configured` plus the trust lists turned on, and their ids; swapped when an
    /// administrator turns a list on or off.
    current: std::sync::RwLock<(TrustAnchors, Vec<&'static str>)>,
    /// `None`: only data inside the file is used (no network).
    fetcher: Option<Arc<signet_net::Fetcher>>,
    /// How long fetching may take in all, per verification.
    pub fetch_deadline: std::time::Duration,
    running: Semaphore,
    receiving: Arc<Semaphore>,
    waiting: std::sync::atomic::AtomicUsize,
    counts: Mutex<HashMap<String, (u32, i64)>>,
}

/// A request admitted to verification: counted against its client and holding one of the
/// [`MAX_RECEIVING`] places, until the verification ends.
pub struct Admitted {
    _place: tokio::sync::OwnedSemaphorePermit,
}

/// A verification's first pass: the report from what the file carries, and what it lacks.
struct FirstPass {
    report: Report,
    needs: Vec<signet_pki::validation::RevocationNeed>,
}

impl Verifier {
    pub fn new(anchors: TrustAnchors, online: bool) -> Verifier {
        let fetcher = online.then(|| signet_net::Fetcher::new(signet_net::HttpClient::default()));
        Verifier {
            configured: anchors.clone(),
            current: std::sync::RwLock::new((anchors, Vec::new())),
            fetcher: fetcher.map(Arc::new),
            fetch_deadline: FETCH_DEADLINE,
            running: Semaphore::new(MAX_CONCURRENT),
            receiving: Arc::new(Semaphore::new(MAX_RECEIVING)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps fetched revocation answers at most `max_ttl` (`trust.revocation_cache_max_s`),
    /// and never those of URLs under `fresh_prefixes` (the built-in CA's own endpoints, which
    /// answer from its current state: a revocation shows in the next verification).
    pub fn with_revocation_cache(
        mut self,
        max_ttl: time::Duration,
        fresh_prefixes: Vec<String>,
    ) -> Verifier {
        // Not shared yet: the verifier is still being built.
        if let Some(f) = self.fetcher.as_mut().and_then(Arc::get_mut) {
            f.max_ttl = max_ttl;
            f.uncached_prefixes = fresh_prefixes;
        }
        self
    }

    /// Uses exactly the built-in trust `lists` on top of the configured anchors.
    pub fn set_trust_lists(
        &self,
        lists: &[&'static crate::trust_lists::TrustList],
    ) -> Result<(), AppError> {
        let mut anchors = self.configured.clone();
        for l in lists {
            l.add_to(&mut anchors)?;
        }
        let ids = lists.iter().map(|l| l.id).collect();
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = (anchors, ids);
        Ok(())
    }

    /// The anchors in use (configured, plus the trust lists turned on).
    pub fn anchors(&self) -> TrustAnchors {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// The ids of the trust lists in use.
    pub fn trust_lists(&self) -> Vec<&'static str> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    /// Counts one request of `client`; `Err(seconds)` when it is over its allowance.
    fn admit(&self, client: &str, now_ms: i64) -> Result<(), u64> {
        let mut map = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, &mut (_, start)| start + WINDOW_MS > now_ms);
        }
        let e = map.entry(client.to_owned()).or_insert((0, now_ms));
        if e.1 + WINDOW_MS <= now_ms {
            *e = (0, now_ms);
        }
        if e.0 >= PER_CLIENT {
            return Err(((e.1 + WINDOW_MS - now_ms) as u64).div_ceil(1000));
        }
        e.0 += 1;
        Ok(())
    }

    /// Verifies `bytes` as of `at`, fetching the revocation data the file lacks once when
    /// online. Used by `signet verify`; the server runs the same phases with its slots
    /// ([`App::verify_pdf`]).
    pub fn verify(
        &self,
        bytes: &[u8],
        at: time::OffsetDateTime,
    ) -> Result<Report, signet_pades::Unreadable> {
        self.verify_with_password(bytes, at, None)
    }

    /// [`Verifier::verify`] of an encrypted file with its user or owner password.
    pub fn verify_with_password(
        &self,
        bytes: &[u8],
        at: time::OffsetDateTime,
        password: Option<Password>,
    ) -> Result<Report, signet_pades::Unreadable> {
        let first = self.first_pass(bytes, at, password.clone())?;
        if first.needs.is_empty() || self.fetcher.is_none() {
            return Ok(first.report);
        }
        let fetched = self.fetch(&first.needs, at);
        self.second_pass(bytes, at, fetched, password)
    }

    fn options(&self, at: time::OffsetDateTime, password: Option<Password>) -> Options {
        let anchors = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone();
        let mut opts = Options::new(anchors, at);
        opts.revocation = RevocationPolicy::Require;
        opts.password = password;
        opts
    }

    fn first_pass(
        &self,
        bytes: &[u8],
        at: time::OffsetDateTime,
        password: Option<Password>,
    ) -> Result<FirstPass, signet_pades::Unreadable> {
        let first = signet_pades::verify(bytes, &self.options(at, password))?;
        Ok(FirstPass {
            report: first.report,
            needs: first.needs,
        })
    }

    /// The revocation data `needs` asks for, all at once, within [`Verifier::fetch_deadline`].
    fn fetch(
        &self,
        needs: &[signet_pki::validation::RevocationNeed],
        at: time::OffsetDateTime,
    ) -> signet_net::Fetched {
        let Some(fetcher) = &self.fetcher else {
            return signet_net::Fetched::default();
        };
        let fetched = fetcher.fetch_revocation_within(needs, at, self.fetch_deadline);
        for e in &fetched.errors {
            tracing::info!("revocation data not fetched: {e}");
        }
        fetched
    }

    /// The report with the fetched data; what could not be fetched stays unknown
    /// (INDETERMINATE / TRY_LATER).
    fn second_pass(
        &self,
        bytes: &[u8],
        at: time::OffsetDateTime,
        fetched: signet_net::Fetched,
        password: Option<Password>,
    ) -> Result<Report, signet_pades::Unreadable> {
        let mut opts = self.options(at, password);
        opts.fetched.crls = fetched.crls;
        opts.fetched.ocsps = fetched.ocsp_responses;
        Ok(signet_pades::verify(bytes, &opts)?.report)
    }
}

/// The SHA-256 of a verified file: the ETSI report and the slip name the file by it.
pub fn document_sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// The trust anchors of a deployment: the files or directories it names, the built-in trust
/// lists turned on (`lists`), plus the built-in CA's root when `ca_dir` holds a CA.
pub fn deployment_anchors(
    paths: &[std::path::PathBuf],
    lists: &[&crate::trust_lists::TrustList],
    ca_dir: Option<&std::path::Path>,
) -> Result<TrustAnchors, AppError> {
    let mut anchors = if paths.is_empty() {
        TrustAnchors::new()
    } else {
        signet_net::load_trust_anchors(paths).map_err(|e| {
            AppError::Invalid(Invalid::TrustAnchors {
                detail: e.to_string(),
            })
        })?
    };
    for list in lists {
        list.add_to(&mut anchors)?;
    }
    if let Some(root) = ca_dir.map(|d| d.join("root.pem")).filter(|r| r.exists()) {
        let pem = crate::ca_dir::read(&root)?;
        anchors
            .add_pem_or_der(&pem)
            .map_err(|e| AppError::Ca(format!("{}: {e}", root.display())))?;
    }
    Ok(anchors)
}

/// A built-in trust list and whether it is in use, for the administration page.
pub struct TrustListState {
    pub list: &'static crate::trust_lists::TrustList,
    pub enabled: bool,
}

impl App {
    /// The built-in trust lists and which are in use (administrators only).
    pub fn trust_list_states(
        &self,
        viewer: &signet_core::person::Viewer,
    ) -> Result<Vec<TrustListState>, AppError> {
        if !viewer.can_administer() {
            return Err(AppError::Forbidden("trust lists: administrators only"));
        }
        let on = self.verifier.trust_lists();
        Ok(crate::trust_lists::ALL
            .into_iter()
            .map(|list| TrustListState {
                list,
                enabled: on.contains(&list.id),
            })
            .collect())
    }

    /// Turns a built-in trust list on or off for the whole deployment: administrators of the
    /// top agency only (one verifier serves every agency); stored, journaled, in effect for
    /// the next verification.
    pub async fn set_trust_list(
        &self,
        viewer: &signet_core::person::Viewer,
        list_id: &str,
        enabled: bool,
    ) -> Result<(), AppError> {
        let top = self
            .store
            .agency(&viewer.agency_id)
            .await?
            .parent_id
            .is_none();
        if !viewer.can_administer() || !top {
            return Err(AppError::Forbidden(
                "trust lists: administrators of the top agency only",
            ));
        }
        let list = crate::trust_lists::parse_ids(&[list_id.to_owned()])?
            .into_iter()
            .next()
            .ok_or(AppError::Forbidden("trust lists: unknown list"))?;
        self.store
            .set_trust_list(
                &viewer.agency_id,
                list.id,
                enabled,
                &viewer.person_id,
                self.clock.now_ms(),
            )
            .await?;
        self.apply_stored_trust_lists(&self.verifier.trust_lists())
            .await
    }

    /// Applies the administrators' stored choices over `defaults` (the configuration's lists);
    /// called at start-up and after each change.
    pub async fn apply_stored_trust_lists(&self, defaults: &[&str]) -> Result<(), AppError> {
        let stored = self.store.trust_list_settings().await?;
        let lists: Vec<&'static crate::trust_lists::TrustList> = crate::trust_lists::ALL
            .into_iter()
            .filter(|l| {
                stored
                    .iter()
                    .find(|(id, _)| id == l.id)
                    .map_or(defaults.contains(&l.id), |(_, on)| *on)
            })
            .collect();
        self.verifier.set_trust_lists(&lists)
    }

    /// Verifies a PDF attached to a document the viewer may read (a clerk checking an incoming
    /// document's signatures, Nghị định 30 Điều 21.2). Counted per person, not per address.
    pub async fn verify_document_file(
        &self,
        viewer: &signet_core::person::Viewer,
        doc_id: &signet_core::DocumentId,
        file_id: &signet_core::FileId,
    ) -> Result<(signet_store::documents::DocumentFile, Report), AppError> {
        use tokio::io::AsyncReadExt;
        let (file, handle) = self.document_file(viewer, doc_id, file_id).await?;
        let admitted = self
            .admit_verification(&format!("person:{}", viewer.person_id))
            .await?;
        if file.size > MAX_BYTES as i64 {
            return Err(AppError::TooLarge {
                limit: MAX_BYTES as u64,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(file.size).unwrap_or(0));
        handle
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| AppError::Ca(format!("reading a stored file: {e}")))?;
        let report = self.verify_pdf(admitted, bytes).await?;
        Ok((file, report))
    }

    /// The same application verifying with `verifier` (trust anchors, network or not).
    pub fn with_verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = Arc::new(verifier);
        self
    }

    /// Admits a verification request of `client` (its address, or a person) before its body
    /// is read: refused when the client is over its allowance, or when the server is over
    /// capacity ([`MAX_WAITING`] requests already waiting for one of the [`MAX_RECEIVING`]
    /// places, or no place within 30 s). Refused requests cost no memory.
    pub async fn admit_verification(&self, client: &str) -> Result<Admitted, AppError> {
        use std::sync::atomic::Ordering;
        self.verifier
            .admit(client, self.clock.now_ms())
            .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
        let busy = AppError::RateLimited { retry_after_s: 10 };
        let verifier = &self.verifier;
        if verifier.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
            verifier.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy);
        }
        let place = tokio::time::timeout(
            ADMISSION_WAIT,
            Arc::clone(&verifier.receiving).acquire_owned(),
        )
        .await;
        verifier.waiting.fetch_sub(1, Ordering::SeqCst);
        match place {
            Ok(Ok(place)) => Ok(Admitted { _place: place }),
            Ok(Err(_)) => Err(AppError::Invalid(crate::Invalid::ShuttingDown)),
            Err(_) => Err(busy),
        }
    }

    /// Verifies a signed PDF for anyone, once admitted ([`App::admit_verification`]).
    pub async fn verify_pdf(&self, admitted: Admitted, bytes: Vec<u8>) -> Result<Report, AppError> {
        self.verify_pdf_with_password(admitted, bytes, None).await
    }

    /// [`App::verify_pdf`] of an encrypted file with its user or owner password (an empty
    /// one counts as none).
    pub async fn verify_pdf_with_password(
        &self,
        _admitted: Admitted,
        bytes: Vec<u8>,
        password: Option<String>,
    ) -> Result<Report, AppError> {
        let password = password.filter(|p| !p.is_empty()).map(Password);
        if bytes.len() > MAX_BYTES {
            return Err(AppError::TooLarge {
                limit: MAX_BYTES as u64,
            });
        }
        if bytes.is_empty() {
            return Err(AppError::Invalid(crate::Invalid::EmptyFile));
        }
        let now = self.clock.now();
        let bytes = Arc::new(bytes);
        let verifier = Arc::clone(&self.verifier);
        let first = {
            let _slot = self.verification_slot().await?;
            let (v, b, p) = (Arc::clone(&verifier), Arc::clone(&bytes), password.clone());
            blocking(move || v.first_pass(&b, now, p)).await?
        };
        if first.needs.is_empty() || verifier.fetcher.is_none() {
            return Ok(first.report);
        }
        let v = Arc::clone(&verifier);
        let fetched = tokio::task::spawn_blocking(move || v.fetch(&first.needs, now))
            .await
            .map_err(|e| AppError::Ca(format!("revocation fetch task: {e}")))?;
        let _slot = self.verification_slot().await?;
        blocking(move || verifier.second_pass(&bytes, now, fetched, password)).await
    }

    async fn verification_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        self.verifier
            .running
            .acquire()
            .await
            .map_err(|_| AppError::Invalid(crate::Invalid::ShuttingDown))
    }
}

/// A document made from a verification report for others to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportDocument {
    /// ETSI TS 119 102-2 XML validation report.
    EtsiXml,
    /// The printable "phiếu kiểm tra chữ ký số" (PDF, Vietnamese).
    Slip,
}

impl ReportDocument {
    /// The media type and a file name for a download of the report on `file_name`.
    pub fn content_type(self) -> &'static str {
        match self {
            ReportDocument::EtsiXml => "application/xml",
            ReportDocument::Slip => "application/pdf",
        }
    }

    /// The download's file name, from the checked file's SHA-256 (never the client's name).
    pub fn file_name(self, document_sha256: &[u8; 32]) -> String {
        let short: String = document_sha256
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect();
        match self {
            ReportDocument::EtsiXml => format!("bao-cao-kiem-tra-{short}.xml"),
            ReportDocument::Slip => format!("phieu-kiem-tra-{short}.pdf"),
        }
    }
}

impl App {
    /// The ETSI XML report or the slip of `report`, for the file whose SHA-256 is
    /// `document_sha256`, dated now. Pure rendering: nothing is kept.
    pub fn report_document(
        &self,
        kind: ReportDocument,
        report: &Report,
        document_sha256: &[u8; 32],
        file_name: &str,
    ) -> Result<Vec<u8>, AppError> {
        let now = self.clock.now();
        match kind {
            ReportDocument::EtsiXml => {
                Ok(signet_pades::etsi::etsi_report(report, document_sha256, now).into_bytes())
            }
            ReportDocument::Slip => {
                let input = signet_pades::slip::SlipInput {
                    file_name,
                    document_sha256,
                    verified_at: now,
                };
                signet_pades::slip::slip_pdf(report, &input)
                    .map_err(|e| AppError::Ca(format!("verification slip: {e}")))
            }
        }
    }
}

/// Runs a verification phase on a blocking thread; an unreadable file is the client's error.
async fn blocking<T: Send + 'static>(
    phase: impl FnOnce() -> Result<T, signet_pades::Unreadable> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(phase)
        .await
        .map_err(|e| AppError::Ca(format!("verification task: {e}")))?
        .map_err(|e| {
            AppError::Invalid(match e.1 {
                Some(signet_pades::Locked::PasswordRequired) => crate::Invalid::PdfPasswordRequired,
                Some(signet_pades::Locked::WrongPassword) => crate::Invalid::PdfWrongPassword,
                None => crate::Invalid::NotVerifiable {
                    detail: e.to_string(),
                },
            })
        })
}
