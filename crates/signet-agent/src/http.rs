//! The HTTP side: the origin gate and CORS, and the four endpoints.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::de::DeserializeOwned;
use serde_json::json;
use signet_pki::SignatureAlgorithm;
use signet_signers::Module;

use crate::certificates::{offered, Offered};
use crate::journal::{describe, printable};
use crate::origin::normalize_origin;
use crate::{pairing, Agent, AgentError, DocumentSummary, SignSummary, B64};

/// Most digests in one batch.
const MAX_DIGESTS: usize = 1000;

pub(crate) fn router(agent: Agent) -> Router {
    Router::new()
        .route("/v1/info", get(info))
        .route("/v1/certificates", get(certificates))
        .route("/v1/sign", post(sign))
        .route("/v1/pair", post(pair))
        .fallback(|| async { AgentError::NotFound })
        .layer(middleware::from_fn_with_state(agent.clone(), gate))
        .with_state(agent)
}

/// Is the `Host` header (when there is one) a loopback name? Pages of other names that
/// resolve to 127.0.0.1 (DNS rebinding) are refused before anything else.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return true;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => name,
        _ => host,
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "[::1]"
    )
}

/// Every request: a loopback `Host`, an `Origin` that is paired (any http(s) origin for
/// pairing itself), CORS preflights answered for those only, CORS headers on the answers.
async fn gate(State(agent): State<Agent>, req: Request, next: Next) -> Response {
    if !loopback_host(req.headers()) {
        return AgentError::BadRequest("the Host header must name this PC (127.0.0.1)".into())
            .into_response();
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let pairing = req.uri().path() == "/v1/pair";
    let Some(origin) = origin else {
        return AgentError::UnpairedOrigin(String::new()).into_response();
    };
    let well_formed = normalize_origin(&origin).is_some();
    if !(agent.inner.origins.contains(&origin) || pairing && well_formed) {
        let mut res = AgentError::UnpairedOrigin(origin.clone()).into_response();
        // The page may read why (and offer pairing) — nothing else.
        if well_formed && req.method() != Method::OPTIONS {
            allow_origin(res.headers_mut(), &origin);
        }
        return res;
    }
    if req.method() == Method::OPTIONS {
        return preflight(req.headers(), &origin);
    }
    let mut res = next.run(req).await;
    allow_origin(res.headers_mut(), &origin);
    res
}

fn allow_origin(h: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
}

fn preflight(request: &HeaderMap, origin: &str) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    allow_origin(h, origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    // Chrome's Private Network Access: a page of a public or private address asking the
    // loopback agent.
    let pna = request
        .get("access-control-request-private-network")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
    if pna {
        h.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    res
}

fn origin_of(headers: &HeaderMap) -> String {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(normalize_origin)
        .unwrap_or_default()
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, AgentError> {
    serde_json::from_slice(body).map_err(|e| AgentError::BadRequest(format!("bad JSON body: {e}")))
}

/// Runs `f` on the module in a blocking thread, one token operation at a time.
async fn with_module<T: Send + 'static>(
    agent: &Agent,
    f: impl FnOnce(&Module) -> T + Send + 'static,
) -> Result<T, AgentError> {
    let agent = agent.clone();
    tokio::task::spawn_blocking(move || {
        let _one = agent
            .inner
            .token_lock
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        f(&agent.inner.module)
    })
    .await
    .map_err(|e| AgentError::Token(e.to_string()))
}

async fn info(State(agent): State<Agent>) -> Result<Json<serde_json::Value>, AgentError> {
    let tokens = with_module(&agent, |m| m.tokens())
        .await?
        .map_err(|e| AgentError::Token(e.to_string()))?;
    let tokens: Vec<_> = tokens
        .iter()
        .map(|t| json!({"label": t.label, "serial": t.serial}))
        .collect();
    Ok(Json(json!({
        "agent": "signet-agent",
        "version": env!("CARGO_PKG_VERSION"),
        "module": agent.module_path().display().to_string(),
        "tokens": tokens,
    })))
}

async fn certificates(State(agent): State<Agent>) -> Result<Json<serde_json::Value>, AgentError> {
    let list = with_module(&agent, offered)
        .await?
        .map_err(|e| AgentError::Token(e.to_string()))?;
    Ok(Json(json!({ "certificates": list })))
}

#[derive(serde::Deserialize)]
struct PairRequest {
    code: String,
}

async fn pair(
    State(agent): State<Agent>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AgentError> {
    let origin = origin_of(&headers);
    let request: PairRequest = parse(&body)?;
    let inner = &agent.inner;
    let redeemed = {
        let _one = inner.pairing_lock.lock().await;
        pairing::redeem(&inner.data_dir, inner.host.as_ref(), &request.code)
            .and_then(|()| inner.origins.add(&origin))
    };
    let now = inner.host.now();
    match redeemed {
        Ok(()) => {
            println!("Paired with {}", printable(&origin, 200));
            inner
                .journal
                .record(now, "pair", json!({"origin": origin, "result": "ok"}));
            Ok(Json(json!({"paired": true, "origin": origin})))
        }
        Err(e) => {
            println!("Refused a pairing attempt from {}", printable(&origin, 200));
            inner
                .journal
                .record(now, "pair", json!({"origin": origin, "result": e.code()}));
            Err(e)
        }
    }
}

#[derive(serde::Deserialize)]
struct SignRequest {
    certificate_id: String,
    #[serde(default)]
    pin: Option<String>,
    #[serde(default = "sha256")]
    digest_algorithm: String,
    digests: Vec<String>,
    #[serde(default)]
    context: SignContext,
}

fn sha256() -> String {
    "sha256".into()
}

#[derive(serde::Deserialize, Default)]
struct SignContext {
    #[serde(default)]
    origin_label: Option<String>,
    #[serde(default)]
    documents: Vec<DocumentSummary>,
}

/// The protocol's names of the algorithms, and the digest each signs.
fn algorithm_names(a: SignatureAlgorithm) -> Option<(&'static str, &'static str, usize)> {
    match a {
        SignatureAlgorithm::RsaPkcs1Sha256 => Some(("rsa-pkcs1v15-sha256", "sha256", 32)),
        SignatureAlgorithm::EcdsaP256Sha256 => Some(("ecdsa-p256-sha256", "sha256", 32)),
        SignatureAlgorithm::EcdsaP384Sha384 => Some(("ecdsa-p384-sha384", "sha384", 48)),
        _ => None,
    }
}

fn decode_digests(request: &SignRequest, len: usize) -> Result<Vec<Vec<u8>>, AgentError> {
    if request.digests.is_empty() || request.digests.len() > MAX_DIGESTS {
        return Err(AgentError::BadRequest(format!(
            "digests: 1 to {MAX_DIGESTS} expected, got {}",
            request.digests.len()
        )));
    }
    request
        .digests
        .iter()
        .enumerate()
        .map(|(i, d)| match B64.decode(d) {
            Ok(bytes) if bytes.len() == len => Ok(bytes),
            _ => Err(AgentError::BadRequest(format!(
                "digests[{i}]: base64 of {len} bytes expected"
            ))),
        })
        .collect()
}

async fn sign(
    State(agent): State<Agent>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AgentError> {
    let request: SignRequest = parse(&body)?;
    if request.context.documents.len() > MAX_DIGESTS {
        return Err(AgentError::BadRequest("too many documents".into()));
    }
    let id = request.certificate_id.clone();
    let certificate = with_module(&agent, offered)
        .await?
        .map_err(|e| AgentError::Token(e.to_string()))?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| AgentError::UnknownCertificate(id.clone()))?;
    let algorithm = signet_signers::certificate_signature_algorithm(&certificate.der_bytes)
        .ok()
        .and_then(algorithm_names)
        .ok_or_else(|| AgentError::Token("the certificate's key cannot sign here".into()))?;
    let (name, digest_name, digest_len) = algorithm;
    if !request.digest_algorithm.eq_ignore_ascii_case(digest_name) {
        return Err(AgentError::BadRequest(format!(
            "digest_algorithm: this certificate signs {digest_name} digests, not {:?}",
            request.digest_algorithm
        )));
    }
    let digests = decode_digests(&request, digest_len)?;
    let summary = SignSummary {
        origin: origin_of(&headers),
        origin_label: request.context.origin_label.clone(),
        certificate_id: id.clone(),
        subject: certificate.subject.clone(),
        count: digests.len(),
        documents: request.context.documents.clone(),
    };
    println!("{}", describe(&summary));
    let result = sign_batch(&agent, certificate, request.pin, &summary, digests).await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    };
    println!("  → {outcome}");
    let mut entry = serde_json::to_value(&summary).unwrap_or_default();
    if let Some(o) = entry.as_object_mut() {
        o.insert("result".into(), outcome.into());
    }
    agent
        .inner
        .journal
        .record(agent.inner.host.now(), "sign", entry);
    let signatures = result?;
    Ok(Json(json!({
        "signatures": signatures.iter().map(|s| B64.encode(s)).collect::<Vec<_>>(),
        "algorithm": name,
    })))
}

/// The PIN (from the page, or typed on the agent's terminal), then one login for the batch.
async fn sign_batch(
    agent: &Agent,
    certificate: Offered,
    pin: Option<String>,
    summary: &SignSummary,
    digests: Vec<Vec<u8>>,
) -> Result<Vec<Vec<u8>>, AgentError> {
    let pin = match pin.filter(|p| !p.is_empty()) {
        Some(p) => p,
        None => {
            let (host, summary) = (agent.inner.host.clone(), summary.clone());
            tokio::task::spawn_blocking(move || host.ask_pin(&summary))
                .await
                .map_err(|e| AgentError::Token(e.to_string()))?
                .filter(|p| !p.is_empty())
                .ok_or(AgentError::PinRequired)?
        }
    };
    let id = certificate.id.clone();
    with_module(agent, move |m| {
        m.sign_digests(
            &certificate.token_serial,
            &certificate.key_id,
            &certificate.der_bytes,
            &pin,
            &digests,
        )
    })
    .await?
    .map_err(|e| AgentError::of_signer(e, &id))
}
