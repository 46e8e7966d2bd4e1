//! Anchoring the journals outside the database (`signet journal anchor`, and daily while the
//! server runs): each agency's head (last entry and hash) is time-stamped by a TSA — the
//! built-in CA's, whose key the database administrator does not hold, or an outside one — and
//! written to a file per day. `journal verify` then checks every journal against its anchors,
//! which catches what the hash chain alone cannot: entries removed from the end together with
//! the head row, a head moved back, a row rewritten with every later hash recomputed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use signet_core::journal::Anchor;
use signet_pki::validation::{Purpose, RevocationPolicy, TrustAnchors, ValidationContext};
use signet_pki::DigestAlgorithm;

use crate::ca_service::BuiltInCa;
use crate::{App, AppError};

/// One anchor as kept in the files: the statement and the TSA's token over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorRecord {
    pub agency_code: String,
    #[serde(flatten)]
    pub anchor: Anchor,
    /// The RFC 3161 TimeStampToken (DER, base64) over SHA-256 of [`Anchor::statement`].
    pub token: String,
}

/// Who time-stamps the anchors.
pub enum Tsa {
    /// The built-in CA's TSA, in-process.
    BuiltIn(Arc<BuiltInCa>),
    /// An RFC 3161 service over HTTP.
    Url(String),
}

impl Tsa {
    async fn token(&self, statement: &[u8]) -> Result<Vec<u8>, AppError> {
        let imprint = Sha256::digest(statement);
        let mut nonce = [0u8; 8];
        crate::random::fill(&mut nonce).map_err(AppError::Ca)?;
        nonce[0] &= 0x7F; // a positive INTEGER
        let request = signet_pki::timestamp_request(&imprint, DigestAlgorithm::Sha256, &nonce);
        let reply = match self {
            Tsa::BuiltIn(ca) => ca.timestamp_reply(&request)?,
            Tsa::Url(url) => {
                let (url, req) = (url.clone(), request.clone());
                tokio::task::spawn_blocking(move || {
                    signet_net::Fetcher::new(signet_net::HttpClient::default())
                        .timestamp(&url, &req)
                })
                .await
                .map_err(|e| AppError::Ca(format!("time-stamp task: {e}")))?
                .map_err(|e| AppError::Ca(format!("time-stamping a journal anchor: {e}")))?
            }
        };
        signet_pki::timestamp_token(&reply, &request)
            .map_err(|e| AppError::Ca(format!("the TSA's answer: {e}")))
    }
}

/// The file of one day's anchors.
fn day_file(dir: &Path, at: time::OffsetDateTime) -> PathBuf {
    let d = at.date();
    dir.join(format!(
        "{:04}-{:02}-{:02}.jsonl",
        d.year(),
        u8::from(d.month()),
        d.day()
    ))
}

impl App {
    /// Time-stamps every agency's journal head and appends the anchors to today's file in
    /// `dir` (created if needed), flushed to disk before returning.
    pub async fn anchor_journals(
        &self,
        dir: &Path,
        tsa: &Tsa,
    ) -> Result<Vec<AnchorRecord>, AppError> {
        let mut records = Vec::new();
        for agency in self.store.agencies().await? {
            let Some(head) = self.store.journal_head(&agency.id).await? else {
                continue;
            };
            let anchor = Anchor {
                agency_id: agency.id.to_string(),
                seq: head.seq,
                hash: head.hash,
                at_ms: self.clock.now_ms(),
            };
            let token = tsa.token(&anchor.statement()).await?;
            records.push(AnchorRecord {
                agency_code: agency.code.to_string(),
                anchor,
                token: base64::engine::general_purpose::STANDARD.encode(token),
            });
        }
        append(&day_file(dir, self.clock.now()), &records)?;
        Ok(records)
    }
}

fn io_error(path: &Path, e: std::io::Error) -> AppError {
    AppError::Ca(format!("{}: {e}", path.display()))
}

fn append(path: &Path, records: &[AnchorRecord]) -> Result<(), AppError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }
    let mut text = String::new();
    for r in records {
        let line = serde_json::to_string(r).map_err(|e| AppError::Ca(e.to_string()))?;
        text.push_str(&line);
        text.push('\n');
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| io_error(path, e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io_error(path, e))
}

/// Every anchor in `dir` (all `*.jsonl` files; none when the directory does not exist). A
/// line that cannot be read is an error naming the file and line: anchors are evidence.
pub fn read_anchors(dir: &Path) -> Result<Vec<AnchorRecord>, AppError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir, e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let record = serde_json::from_str(line)
                .map_err(|e| AppError::Ca(format!("{} line {}: {e}", path.display(), i + 1)))?;
            out.push(record);
        }
    }
    Ok(out)
}

/// Checks that `record`'s token covers its statement and comes from a TSA trusted by
/// `anchors` (a chain to them, the time-stamping purpose, at the token's time).
pub fn check_record(record: &AnchorRecord, anchors: &TrustAnchors) -> Result<(), String> {
    let der = base64::engine::general_purpose::STANDARD
        .decode(&record.token)
        .map_err(|e| format!("token: {e}"))?;
    let token = signet_pki::parse_timestamp_token(&der).map_err(|e| format!("token: {e}"))?;
    let check = signet_pki::verify_timestamp_token(&token, &record.anchor.statement())
        .map_err(|e| format!("token: {e}"))?;
    if !check.ok() {
        return Err(check
            .problem
            .unwrap_or_else(|| "the time-stamp does not cover this anchor".into()));
    }
    let tsa = token
        .tsa_certificate
        .as_ref()
        .ok_or("the token does not carry the TSA's certificate")?;
    let mut ctx = ValidationContext::new(anchors.clone(), token.info.gen_time);
    ctx.intermediates = token.cms.certificates.clone();
    ctx.revocation = RevocationPolicy::Skip;
    signet_pki::validation::validate(&ctx, tsa, Purpose::Timestamping)
        .map_err(|e| format!("the TSA is not trusted: {e}"))
        .and_then(|path| match path.status {
            signet_pki::validation::CertStatus::Valid => Ok(()),
            other => Err(format!("the TSA's certificate: {other:?}")),
        })
}
