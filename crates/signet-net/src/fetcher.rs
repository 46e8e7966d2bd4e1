//! Fetching CRLs, OCSP responses, issuer certificates and time stamps, with an in-memory cache.

use std::collections::HashMap;
use std::sync::{mpsc, Arc, Mutex};

use base64::Engine;
use der::{Decode, Encode};
use signet_pki::validation::{certificates_from_pem_or_der, RevocationNeed};
use time::{Duration, OffsetDateTime};
use x509_cert::crl::CertificateList;
use x509_ocsp::{BasicOcspResponse, OcspResponse, OcspResponseStatus};

use crate::error::{NetError, Result};
use crate::http::{HttpClient, Response};

/// Most entries kept in the cache; past that, expired entries are dropped, then everything.
const MAX_CACHE_ENTRIES: usize = 1024;
/// Most certificates taken from one caIssuers answer.
const MAX_ISSUER_CERTS: usize = 16;

/// How long a CRL without nextUpdate is kept.
const CRL_DEFAULT_TTL: Duration = Duration::hours(1);
/// How long a downloaded certificate is kept.
const CERT_TTL: Duration = Duration::days(1);
/// How long a URL that failed is not asked again.
const FAILURE_PAUSE: Duration = Duration::minutes(1);

struct Entry {
    body: Vec<u8>,
    expires: OffsetDateTime,
}

/// What [`Fetcher::fetch_revocation`] got.
#[derive(Debug, Default)]
pub struct Fetched {
    /// CRLs (DER), for [`signet_pki::validation::ValidationContext::crls`].
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER), for [`signet_pki::validation::ValidationContext::ocsp_responses`].
    pub ocsp_responses: Vec<Vec<u8>>,
    /// What failed (one entry per URL that gave nothing usable).
    pub errors: Vec<NetError>,
}

/// An HTTP client for the PKI with a cache: CRLs until their nextUpdate, OCSP responses until
/// their nextUpdate (or [`Fetcher::ocsp_ttl`] without one), both for at most
/// [`Fetcher::max_ttl`]; certificates by URL for a day. A URL that failed is not asked again
/// for a minute. Safe to share between threads.
pub struct Fetcher {
    /// The HTTP client and its limits.
    pub http: HttpClient,
    /// How long an OCSP response without nextUpdate is kept.
    pub ocsp_ttl: Duration,
    /// The longest any revocation answer is kept, whatever its nextUpdate says: a CA that
    /// revokes a key today answers "revoked" at once, and a day-long nextUpdate must not hide
    /// that for a day.
    pub max_ttl: Duration,
    /// URL prefixes never cached: the deployment's own CA, whose endpoints answer from its
    /// current state (a revocation there must show in the next verification).
    pub uncached_prefixes: Vec<String>,
    cache: Mutex<HashMap<String, Entry>>,
    failures: Mutex<HashMap<String, (String, OffsetDateTime)>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

fn content(url: &str, detail: impl std::fmt::Display) -> NetError {
    NetError::Content {
        url: url.to_string(),
        detail: detail.to_string(),
    }
}

fn ok_body(url: &str, r: Response) -> Result<Vec<u8>> {
    if r.status != 200 {
        return Err(NetError::Status {
            url: url.to_string(),
            status: r.status,
        });
    }
    Ok(r.body)
}

fn odt(t: std::time::Duration) -> OffsetDateTime {
    let secs = i64::try_from(t.as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The CRL's nextUpdate, checking that the body is a CRL at all (PEM accepted, returned as DER).
fn crl_expiry(url: &str, body: &[u8], at: OffsetDateTime) -> Result<(Vec<u8>, OffsetDateTime)> {
    let der = if body.first() == Some(&0x30) {
        body.to_vec()
    } else {
        let (_, der) = der::pem::decode_vec(body).map_err(|e| content(url, e))?;
        der
    };
    let crl =
        CertificateList::from_der(&der).map_err(|e| content(url, format!("not a CRL: {e}")))?;
    let next = crl
        .tbs_cert_list
        .next_update
        .map(|t| odt(t.to_unix_duration()));
    Ok((der, next.unwrap_or(at + CRL_DEFAULT_TTL)))
}

/// The earliest nextUpdate of a successful OCSP response, or `None` without one.
fn ocsp_expiry(url: &str, body: &[u8]) -> Result<Option<OffsetDateTime>> {
    let resp = OcspResponse::from_der(body)
        .map_err(|e| content(url, format!("not an OCSP response: {e}")))?;
    if resp.response_status != OcspResponseStatus::Successful {
        return Err(content(
            url,
            format!("OCSP status {:?}", resp.response_status),
        ));
    }
    let bytes = resp
        .response_bytes
        .ok_or_else(|| content(url, "successful OCSP status without a response"))?;
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| content(url, format!("malformed BasicOCSPResponse: {e}")))?;
    Ok(basic
        .tbs_response_data
        .responses
        .iter()
        .filter_map(|r| r.next_update.map(|t| odt(t.0.to_unix_duration())))
        .min())
}

/// RFC 6960 appendix A.1: GET {url}/{url-encoding of base64 of the DER request}.
fn ocsp_get_url(url: &str, request: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(request);
    let enc = b64
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    format!("{}/{enc}", url.trim_end_matches('/'))
}

impl Fetcher {
    /// A fetcher with an empty cache; OCSP responses without nextUpdate kept 5 minutes.
    pub fn new(http: HttpClient) -> Self {
        Fetcher {
            http,
            ocsp_ttl: Duration::minutes(5),
            max_ttl: Duration::hours(1),
            uncached_prefixes: Vec::new(),
            cache: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn cacheable(&self, url: &str) -> bool {
        !self.uncached_prefixes.iter().any(|p| url.starts_with(p))
    }

    /// `Err` when `url` failed less than [`FAILURE_PAUSE`] ago.
    fn check_not_failing(&self, url: &str, at: OffsetDateTime) -> Result<()> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match failures.get(url) {
            Some((reason, until)) if *until > at => Err(NetError::RecentlyFailed {
                url: url.to_owned(),
                reason: reason.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Remembers that `url` failed (or, with `Ok`, that it answered again).
    fn note_outcome<T>(&self, url: &str, outcome: &Result<T>, at: OffsetDateTime) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(_) => {
                failures.remove(url);
            }
            Err(NetError::RecentlyFailed { .. }) => {}
            Err(e) => {
                if failures.len() >= MAX_CACHE_ENTRIES {
                    failures.retain(|_, (_, until)| *until > at);
                }
                failures.insert(url.to_owned(), (e.to_string(), at + FAILURE_PAUSE));
            }
        }
    }

    fn cached(&self, url: &str, key: &str, at: OffsetDateTime) -> Option<Vec<u8>> {
        if !self.cacheable(url) {
            return None;
        }
        let cache = self.cache.lock().ok()?;
        cache
            .get(key)
            .filter(|e| e.expires > at)
            .map(|e| e.body.clone())
    }

    fn store(&self, key: String, body: &[u8], expires: OffsetDateTime, at: OffsetDateTime) {
        let expires = expires.min(at + self.max_ttl);
        if expires <= at {
            return;
        }
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHE_ENTRIES {
                cache.retain(|_, e| e.expires > at);
            }
            if cache.len() >= MAX_CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(
                key,
                Entry {
                    body: body.to_vec(),
                    expires,
                },
            );
        }
    }

    /// How many answers are cached (expired ones included until they are replaced).
    pub fn cache_len(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// A CRL (DER) from a distribution point; `at` is the current time, for the cache.
    pub fn fetch_crl(&self, url: &str, at: OffsetDateTime) -> Result<Vec<u8>> {
        let key = format!("crl {url}");
        if let Some(b) = self.cached(url, &key, at) {
            return Ok(b);
        }
        self.check_not_failing(url, at)?;
        let got = self
            .http
            .get(url)
            .and_then(|r| ok_body(url, r))
            .and_then(|body| crl_expiry(url, &body, at));
        self.note_outcome(url, &got, at);
        let (der, expires) = got?;
        if self.cacheable(url) {
            self.store(key, &der, expires, at);
        }
        Ok(der)
    }

    /// An OCSP response for a DER request: POST (application/ocsp-request), then GET if the
    /// POST got an HTTP error or an unusable answer. Only successful responses are returned.
    pub fn fetch_ocsp(&self, url: &str, request: &[u8], at: OffsetDateTime) -> Result<Vec<u8>> {
        let digest = ring::digest::digest(&ring::digest::SHA256, request);
        let key = format!("ocsp {url} {}", hex::encode(digest));
        if let Some(b) = self.cached(url, &key, at) {
            return Ok(b);
        }
        self.check_not_failing(url, at)?;
        let got = self.ocsp_exchange(url, request);
        self.note_outcome(url, &got, at);
        let (body, next) = got?;
        if self.cacheable(url) {
            self.store(key, &body, next.unwrap_or(at + self.ocsp_ttl), at);
        }
        Ok(body)
    }

    /// POST, then GET when the POST got an HTTP error or an unusable answer.
    fn ocsp_exchange(
        &self,
        url: &str,
        request: &[u8],
    ) -> Result<(Vec<u8>, Option<OffsetDateTime>)> {
        let post = self
            .http
            .post(url, "application/ocsp-request", request)
            .and_then(|r| ok_body(url, r))
            .and_then(|b| ocsp_expiry(url, &b).map(|e| (b, e)));
        match post {
            Ok(x) => Ok(x),
            // A time limit would only pass again: no second try.
            Err(e @ NetError::Timeout { .. }) => Err(e),
            Err(_) => {
                let get_url = ocsp_get_url(url, request);
                let body = ok_body(url, self.http.get(&get_url)?)?;
                let next = ocsp_expiry(url, &body)?;
                Ok((body, next))
            }
        }
    }

    /// For each need: its OCSP responders first; if none answers usably, its CRLs. Every
    /// failure is reported in [`Fetched::errors`] and does not stop the others.
    pub fn fetch_revocation(&self, needs: &[RevocationNeed], at: OffsetDateTime) -> Fetched {
        let mut out = Fetched::default();
        for need in needs {
            out.merge(self.fetch_one(need, at));
        }
        out
    }

    /// [`Fetcher::fetch_revocation`] with every need fetched at once, on its own thread, and
    /// an overall `deadline`: what has not answered by then is reported as such (and its
    /// URLs paused like failures), so a responder that never answers costs one deadline, not
    /// one per URL, and the next verifications do not wait for it at all. Late answers still
    /// fill the cache.
    pub fn fetch_revocation_within(
        self: &Arc<Self>,
        needs: &[RevocationNeed],
        at: OffsetDateTime,
        deadline: std::time::Duration,
    ) -> Fetched {
        let (tx, rx) = mpsc::channel();
        for (i, need) in needs.iter().enumerate() {
            let (fetcher, need, tx) = (Arc::clone(self), need.clone(), tx.clone());
            std::thread::spawn(move || {
                // The receiver may be gone (deadline passed): nothing to do then.
                let _ = tx.send((i, fetcher.fetch_one(&need, at)));
            });
        }
        drop(tx);
        let end = std::time::Instant::now() + deadline;
        let mut answered = vec![false; needs.len()];
        let mut out = Fetched::default();
        while answered.iter().any(|a| !a) {
            let left = end.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok((i, fetched)) => {
                    answered[i] = true;
                    out.merge(fetched);
                }
                Err(_) => break,
            }
        }
        for (need, _) in needs.iter().zip(&answered).filter(|(_, a)| !**a) {
            for url in need.ocsp_urls.iter().chain(&need.crl_urls) {
                let late: Result<()> = Err(NetError::Deadline {
                    url: url.clone(),
                    limit_ms: deadline.as_millis(),
                });
                self.note_outcome(url, &late, at);
                out.errors.extend(late.err());
            }
        }
        out
    }

    /// One certificate's revocation data: its OCSP responders first; if none answers usably,
    /// its CRLs.
    fn fetch_one(&self, need: &RevocationNeed, at: OffsetDateTime) -> Fetched {
        let mut out = Fetched::default();
        for url in &need.ocsp_urls {
            match self.fetch_ocsp(url, &need.ocsp_request_der, at) {
                Ok(r) => {
                    out.ocsp_responses.push(r);
                    return out;
                }
                Err(e) => out.errors.push(e),
            }
        }
        for url in &need.crl_urls {
            match self.fetch_crl(url, at) {
                Ok(c) => {
                    out.crls.push(c);
                    break;
                }
                Err(e) => out.errors.push(e),
            }
        }
        out
    }

    /// The certificates at a caIssuers URL (DER, PEM, or a PKCS#7 certs-only bundle). `at` is
    /// the current time, for the cache.
    pub fn fetch_ca_issuers(&self, url: &str, at: OffsetDateTime) -> Result<Vec<Vec<u8>>> {
        let key = format!("cert {url}");
        let body = match self.cached(url, &key, at) {
            Some(b) => b,
            None => {
                let b = ok_body(url, self.http.get(url)?)?;
                self.store(key, &b, at + CERT_TTL, at);
                b
            }
        };
        let mut certs = parse_certs(url, &body)?;
        certs.truncate(MAX_ISSUER_CERTS);
        Ok(certs)
    }

    /// An RFC 3161 time stamp: POSTs the DER `TimeStampReq` and returns the DER
    /// `TimeStampResp` (not cached, not checked here: see `signet_pki::verify_timestamp_token`).
    pub fn timestamp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>> {
        let r = self
            .http
            .post(url, "application/timestamp-query", request_der)?;
        let ct = r.content_type.clone().unwrap_or_default();
        let body = ok_body(url, r)?;
        if !ct.is_empty()
            && !ct
                .to_ascii_lowercase()
                .starts_with("application/timestamp-reply")
        {
            return Err(content(
                url,
                format!("content type {ct} (expected application/timestamp-reply)"),
            ));
        }
        if body.first() != Some(&0x30) {
            return Err(content(url, "not a DER TimeStampResp"));
        }
        Ok(body)
    }
}

impl Fetched {
    fn merge(&mut self, other: Fetched) {
        for c in other.crls {
            push_new(&mut self.crls, c);
        }
        for r in other.ocsp_responses {
            push_new(&mut self.ocsp_responses, r);
        }
        self.errors.extend(other.errors);
    }
}

fn push_new(v: &mut Vec<Vec<u8>>, item: Vec<u8>) {
    if !v.contains(&item) {
        v.push(item);
    }
}

fn parse_certs(url: &str, body: &[u8]) -> Result<Vec<Vec<u8>>> {
    if let Ok(ci) = cms::content_info::ContentInfo::from_der(body) {
        let sd = ci
            .content
            .decode_as::<cms::signed_data::SignedData>()
            .map_err(|e| content(url, format!("PKCS#7 without SignedData: {e}")))?;
        let certs: Vec<Vec<u8>> = sd
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|c| match c {
                cms::cert::CertificateChoices::Certificate(c) => c.to_der().ok(),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(content(url, "PKCS#7 bundle without certificates"));
        }
        return Ok(certs);
    }
    certificates_from_pem_or_der(body).map_err(|e| content(url, e))
}
