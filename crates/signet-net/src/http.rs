//! The blocking HTTP client of the crate: `ureq` without TLS, behind the limits the PKI
//! needs. One request per call, a connect and a total time limit, a size limit on the body,
//! redirects followed by hand (GET only, `http://` only) so that the total limit covers them and
//! no redirect can lead to another scheme.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::error::{NetError, Result};

/// Limits of the client.
#[derive(Clone, Debug)]
pub struct HttpClient {
    /// Time to establish the TCP connection (within the total).
    pub connect_timeout: Duration,
    /// Time for the whole exchange, name resolution and redirects included.
    pub total_timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_body: usize,
    /// Redirects followed for GET requests (0 to follow none).
    pub max_redirects: u8,
}

impl Default for HttpClient {
    fn default() -> Self {
        HttpClient {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            max_body: 64 << 20,
            max_redirects: 3,
        }
    }
}

/// An HTTP answer.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The Content-Type header, if any.
    pub content_type: Option<String>,
    /// The body (chunked encoding removed).
    pub body: Vec<u8>,
}

/// An answer and where it redirects to.
struct Raw {
    location: Option<String>,
    response: Response,
}

/// An [`HttpClient`] whose connections stay open between requests ([`HttpClient::session`]).
#[derive(Clone, Debug)]
pub struct HttpSession {
    limits: HttpClient,
    agent: ureq::Agent,
}

impl HttpSession {
    /// [`HttpClient::post_with_headers`], on a kept connection when one is open.
    pub fn post_with_headers(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> Result<Response> {
        let deadline = Instant::now() + self.limits.total_timeout;
        Ok(self
            .limits
            .exchange_with(
                &self.agent,
                url,
                Some((content_type, body)),
                headers,
                deadline,
            )?
            .response)
    }
}

/// The agent of every request: redirects by hand, statuses as answers, only what the URL
/// says (no proxy from the environment). The time limits are set per request.
fn agent() -> ureq::Agent {
    config().new_agent()
}

/// The settings of every agent ([`agent`], [`session_agent`]).
fn config() -> ureq::config::Config {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .proxy(None)
        .user_agent("signet-net")
        .build()
}

/// The agent of a session: [`agent`]'s settings, with the server's addresses kept for
/// [`KeptAddresses::TTL`]. ureq resolves the name again before every request, kept connection
/// or not, and with a time limit set it does so on a thread of its own: a thread and a DNS
/// query per signature of a remote-signing batch.
fn session_agent() -> ureq::Agent {
    ureq::Agent::with_parts(
        config(),
        ureq::unversioned::transport::DefaultConnector::new(),
        KeptAddresses::default(),
    )
}

/// A name resolver that remembers what ureq's own resolver answered, per host and port.
#[derive(Debug, Default)]
struct KeptAddresses {
    inner: ureq::unversioned::resolver::DefaultResolver,
    known: Mutex<HashMap<String, (Instant, Vec<SocketAddr>)>>,
}

impl KeptAddresses {
    /// How long an answer is used: short enough to follow a provider that moves.
    const TTL: Duration = Duration::from_secs(30);

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Vec<SocketAddr>)>> {
        // Plain data: a panic elsewhere leaves it usable.
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Resolver for KeptAddresses {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let key = uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        if let Some((at, addrs)) = self.known().get(&key) {
            if at.elapsed() < Self::TTL {
                let mut out = self.empty();
                addrs.iter().for_each(|a| out.push(*a));
                return Ok(out);
            }
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        let kept = addrs.iter().copied().collect();
        self.known().insert(key, (Instant::now(), kept));
        Ok(addrs)
    }
}

impl HttpClient {
    /// GET, following redirects to other `http://` URLs.
    pub fn get(&self, url: &str) -> Result<Response> {
        let deadline = Instant::now() + self.total_timeout;
        let mut current = url.to_string();
        for _ in 0..=self.max_redirects {
            let r = self.exchange(&current, None, &[], deadline)?;
            match (r.response.status, r.location) {
                (301 | 302 | 303 | 307 | 308, Some(loc)) => current = resolve(&current, &loc)?,
                _ => return Ok(r.response),
            }
        }
        Err(NetError::Protocol {
            url: url.to_string(),
            detail: format!("more than {} redirects", self.max_redirects),
        })
    }

    /// POST `body` with a content type; redirects are not followed.
    pub fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Response> {
        self.post_with_headers(url, content_type, body, &[])
    }

    /// [`Self::post`] with extra request headers (e.g. `Authorization` for an API).
    pub fn post_with_headers(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> Result<Response> {
        let deadline = Instant::now() + self.total_timeout;
        Ok(self
            .exchange(url, Some((content_type, body)), headers, deadline)?
            .response)
    }

    /// A session with these limits that keeps its connections open between requests: for a
    /// client that calls one server many times (a remote-signing provider), where a new TCP
    /// connection per call would cost both ends more than the call itself.
    pub fn session(&self) -> HttpSession {
        HttpSession {
            limits: self.clone(),
            agent: session_agent(),
        }
    }

    fn exchange(
        &self,
        url: &str,
        body: Option<(&str, &[u8])>,
        headers: &[(&str, &str)],
        deadline: Instant,
    ) -> Result<Raw> {
        // A new agent per request: nothing is kept between the fetches of the PKI, which go
        // to many servers once each.
        self.exchange_with(&agent(), url, body, headers, deadline)
    }

    fn exchange_with(
        &self,
        agent: &ureq::Agent,
        url: &str,
        body: Option<(&str, &[u8])>,
        headers: &[(&str, &str)],
        deadline: Instant,
    ) -> Result<Raw> {
        check_url(url)?;
        // The fragment is the client's, never sent.
        let url = url.split('#').next().unwrap_or_default();
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.timeout(url, self.total_timeout));
        }
        let connect = Some(self.connect_timeout.min(left));
        let sent = match body {
            None => agent
                .get(url)
                .config()
                .timeout_global(Some(left))
                .timeout_connect(connect)
                .build()
                .call(),
            Some((ct, b)) => {
                let mut req = agent
                    .post(url)
                    .config()
                    .timeout_global(Some(left))
                    .timeout_connect(connect)
                    .build()
                    .content_type(ct);
                for (name, value) in headers {
                    req = req.header(*name, *value);
                }
                req.send(b)
            }
        };
        let mut resp = sent.map_err(|e| self.error(url, e))?;
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (location, content_type) = (header("location"), header("content-type"));
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(u64::try_from(self.max_body).unwrap_or(u64::MAX))
            .read_to_vec()
            .map_err(|e| self.error(url, e))?;
        Ok(Raw {
            location,
            response: Response {
                status,
                content_type,
                body,
            },
        })
    }

    fn timeout(&self, url: &str, limit: Duration) -> NetError {
        NetError::Timeout {
            url: url.to_string(),
            limit_ms: limit.as_millis(),
        }
    }

    /// The crate's error for what ureq reports.
    fn error(&self, url: &str, e: ureq::Error) -> NetError {
        use std::io::ErrorKind as K;
        let detail = e.to_string();
        match e {
            ureq::Error::Timeout(ureq::Timeout::Connect) => self.timeout(url, self.connect_timeout),
            ureq::Error::Timeout(_) => self.timeout(url, self.total_timeout),
            ureq::Error::BodyExceedsLimit(_) => NetError::TooLarge {
                url: url.to_string(),
                limit: self.max_body,
            },
            ureq::Error::HostNotFound => NetError::Resolve {
                host: host_of(url),
                detail,
            },
            ureq::Error::ConnectionFailed => NetError::Connect {
                url: url.to_string(),
                detail,
            },
            ureq::Error::Io(io) => match io.kind() {
                K::TimedOut | K::WouldBlock => self.timeout(url, self.total_timeout),
                K::ConnectionRefused
                | K::HostUnreachable
                | K::NetworkUnreachable
                | K::AddrNotAvailable => NetError::Connect {
                    url: url.to_string(),
                    detail,
                },
                _ => NetError::Io {
                    url: url.to_string(),
                    detail,
                },
            },
            _ => NetError::Protocol {
                url: url.to_string(),
                detail,
            },
        }
    }
}

fn host_of(url: &str) -> String {
    url.parse::<Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_string))
        .unwrap_or_default()
}

/// Accepts `http://host[:port]/path?query` only: `https://` would need TLS, which this client
/// leaves out on purpose (what CRLs, OCSP, AIA and TSA answers carry is signed).
fn check_url(url: &str) -> Result<Uri> {
    let bad = |reason| NetError::InvalidUrl {
        url: url.to_string(),
        reason,
    };
    if !url.is_ascii() || url.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return Err(bad("non-ASCII, space or control character"));
    }
    let scheme_end = url
        .find("://")
        .ok_or_else(|| bad("not an absolute http:// URL"))?;
    if !url[..scheme_end].eq_ignore_ascii_case("http") {
        return Err(NetError::UnsupportedScheme(url.to_string()));
    }
    let without_fragment = url.split('#').next().unwrap_or_default();
    let uri: Uri = without_fragment
        .parse()
        .map_err(|_| bad("bad host or port"))?;
    let authority = uri.authority().ok_or_else(|| bad("no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad("user information is not supported"));
    }
    if authority.host().is_empty() {
        return Err(bad("no host"));
    }
    let a = authority.as_str();
    let port = match a.rfind(':') {
        Some(i) if !a[i..].contains(']') => Some(&a[i + 1..]),
        _ => None,
    };
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return Err(bad("bad host or port"));
    }
    Ok(uri)
}

/// A redirect target relative to the current URL: absolute `http://` or an absolute path.
fn resolve(current: &str, location: &str) -> Result<String> {
    if location.starts_with('/') && !location.starts_with("//") {
        let u = check_url(current)?;
        let authority = u.authority().map_or("", |a| a.as_str());
        return Ok(format!("http://{authority}{location}"));
    }
    check_url(location)?;
    Ok(location.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session asks for a server's addresses once, then answers from memory until the
    /// answer is [`KeptAddresses::TTL`] old.
    #[test]
    fn a_session_keeps_the_addresses_it_resolved() {
        use ureq::unversioned::transport::time::Duration as Limit;
        let kept = KeptAddresses::default();
        let no_limit = || NextTimeout {
            after: Limit::NotHappening,
            reason: ureq::Timeout::Resolve,
        };
        let config = ureq::config::Config::default();
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        let first = kept.resolve(&uri("http://127.0.0.1:9/a"), &config, no_limit());
        assert_eq!(first.unwrap().to_vec(), ["127.0.0.1:9".parse().unwrap()]);
        assert!(kept.known().contains_key("127.0.0.1:9"));
        // A name that cannot resolve (.invalid) answers from memory while kept.
        let there: SocketAddr = "10.1.2.3:80".parse().unwrap();
        let seeded = (Instant::now(), vec![there]);
        kept.known().insert("provider.invalid".into(), seeded);
        let again = kept.resolve(&uri("http://provider.invalid/csc"), &config, no_limit());
        assert_eq!(again.unwrap().to_vec(), [there]);
        // Once old, it is asked again (and a name of .invalid is not found).
        let old = Instant::now().checked_sub(KeptAddresses::TTL * 2).unwrap();
        kept.known()
            .insert("provider.invalid".into(), (old, vec![there]));
        assert!(kept
            .resolve(&uri("http://provider.invalid/csc"), &config, no_limit())
            .is_err());
    }

    #[test]
    fn urls() {
        for good in [
            "http://127.0.0.1:8080/crl/issuing.crl",
            "HTTP://ca.example.vn?x=1#frag",
            "http://[::1]:81/a",
            "http://ca.example.vn",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        for scheme in ["https://x/", "ldap://x/"] {
            assert!(
                matches!(check_url(scheme), Err(NetError::UnsupportedScheme(_))),
                "{scheme}"
            );
        }
        for bad in [
            "x/y",
            "http://",
            "http://a:b/",
            "http://u@h/",
            "http://h/a b",
            "http://h:99999/",
        ] {
            assert!(
                matches!(check_url(bad), Err(NetError::InvalidUrl { .. })),
                "{bad}"
            );
        }
        assert_eq!(resolve("http://h:81/a/b", "/c").unwrap(), "http://h:81/c");
        assert!(resolve("http://h/a", "https://x/").is_err());
    }
}
