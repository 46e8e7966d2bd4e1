//! Public verification of signed PDFs (`/verify`, `POST /api/v1/verify`): anyone may ask, so
//! every request is size-limited, rate-limited per client address, and verifications run at
//! most [`MAX_CONCURRENT`] at a time on blocking threads. The file is never stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use signet_pades::{Options, Report};
use signet_pki::validation::{RevocationPolicy, TrustAnchors};
use tokio::sync::Semaphore;

use crate::{App, AppError, Invalid};

/// Largest file accepted for public verification.
pub const MAX_BYTES: usize = 50 << 20;
/// Verifications per client address per window.
pub const PER_CLIENT: u32 = 30;
const WINDOW_MS: i64 = 10 * 60 * 1000;
/// Verifications running at once (each uses one core while it runs).
pub const MAX_CONCURRENT: usize = 2;

/// The trust anchors of this deployment and the means to fetch revocation data.
pub struct Verifier {
    anchors: TrustAnchors,
    /// `None`: only data inside the file is used (no network).
    fetcher: Option<signet_net::Fetcher>,
    running: Semaphore,
    counts: Mutex<HashMap<String, (u32, i64)>>,
}

impl Verifier {
    pub fn new(anchors: TrustAnchors, online: bool) -> Verifier {
        Verifier {
            anchors,
            fetcher: online.then(|| signet_net::Fetcher::new(signet_net::HttpClient::default())),
            running: Semaphore::new(MAX_CONCURRENT),
            counts: Mutex::new(HashMap::new()),
        }
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
    /// online. Used by the web (through [`App::verify_pdf`]) and by `signet verify`.
    pub fn verify(
        &self,
        bytes: &[u8],
        at: time::OffsetDateTime,
    ) -> Result<Report, signet_pades::Unreadable> {
        let mut opts = Options::new(self.anchors.clone(), at);
        opts.revocation = RevocationPolicy::Require;
        let first = signet_pades::verify(bytes, &opts)?;
        let Some(fetcher) = &self.fetcher else {
            return Ok(first.report);
        };
        if first.needs.is_empty() {
            return Ok(first.report);
        }
        let fetched = fetcher.fetch_revocation(&first.needs, at);
        for e in &fetched.errors {
            tracing::info!("revocation data not fetched: {e}");
        }
        opts.fetched.crls = fetched.crls;
        opts.fetched.ocsps = fetched.ocsp_responses;
        Ok(signet_pades::verify(bytes, &opts)?.report)
    }
}

/// The trust anchors of a deployment: the files or directories it names, plus the built-in
/// CA's root when `ca_dir` holds a CA.
pub fn deployment_anchors(
    paths: &[std::path::PathBuf],
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
    if let Some(root) = ca_dir.map(|d| d.join("root.pem")).filter(|r| r.exists()) {
        let pem = crate::ca_dir::read(&root)?;
        anchors
            .add_pem_or_der(&pem)
            .map_err(|e| AppError::Ca(format!("{}: {e}", root.display())))?;
    }
    Ok(anchors)
}

impl App {
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
        let report = self
            .verify_pdf(&format!("person:{}", viewer.person_id), bytes)
            .await?;
        Ok((file, report))
    }

    /// The same application verifying with `verifier` (trust anchors, network or not).
    pub fn with_verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = Arc::new(verifier);
        self
    }

    /// Verifies a signed PDF for anyone (`client` is the caller's address, for the limit).
    pub async fn verify_pdf(&self, client: &str, bytes: Vec<u8>) -> Result<Report, AppError> {
        if bytes.len() > MAX_BYTES {
            return Err(AppError::TooLarge {
                limit: MAX_BYTES as u64,
            });
        }
        if bytes.is_empty() {
            return Err(AppError::Invalid(crate::Invalid::EmptyFile));
        }
        let now = self.clock.now();
        let now_ms = self.clock.now_ms();
        self.verifier
            .admit(client, now_ms)
            .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })?;
        let _permit = self
            .verifier
            .running
            .acquire()
            .await
            .map_err(|_| AppError::Invalid(crate::Invalid::ShuttingDown))?;
        let verifier = Arc::clone(&self.verifier);
        tokio::task::spawn_blocking(move || verifier.verify(&bytes, now))
            .await
            .map_err(|e| AppError::Ca(format!("verification task: {e}")))?
            .map_err(|e| {
                AppError::Invalid(crate::Invalid::NotVerifiable {
                    detail: e.to_string(),
                })
            })
    }
}
