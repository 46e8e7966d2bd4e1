//! Who the client is, for rate limits and logs: the socket peer, or — when the peer is one of
//! the configured reverse proxies — the address that proxy says it forwarded for.
//!
//! Forwarding headers are only believed from `server.trusted_proxies`: anyone can send
//! `X-Forwarded-For`, so trusting it from everyone would let a guesser pick a fresh address
//! per attempt, and trusting nobody behind nginx gives every client the proxy's address
//! (thirty typos anywhere would then lock everyone out).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

/// An IP network in CIDR notation (`10.0.0.0/8`, `::1/128`, or a bare address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = s.split_once('/').map_or((s, None), |(a, p)| (a, Some(p)));
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

/// IPv4 peers on a dual-stack socket arrive as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a[..full] != b[..full] {
        return false;
    }
    rest == 0 || {
        let mask = 0xFFu8 << (8 - rest);
        (a[full] & mask) == (b[full] & mask)
    }
}

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: walking the forwarding chain from the nearest hop outwards,
    /// the first address that is not a trusted proxy. The leftmost entries were written by
    /// the client itself and are only reached when every hop after them is trusted.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain = forwarded_chain(headers);
        let mut client = peer;
        for hop in chain.iter().rev() {
            client = canonical(*hop);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// The addresses a request passed through, client first: RFC 7239 `Forwarded: for=` when
/// present, else `X-Forwarded-For`. Entries that are not addresses (`unknown`, obfuscated
/// identifiers) end the chain there, so they cannot be used to skip a hop.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<String> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.eq_ignore_ascii_case("for").then(|| v.trim().to_owned())
            })
        })
        .collect();
    let entries: Vec<String> = if forwarded.is_empty() {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_owned())
            .collect()
    } else {
        forwarded
    };
    let parsed: Vec<Option<IpAddr>> = entries.iter().map(|e| parse_node(e)).collect();
    // Keep only the trailing run of well-formed addresses.
    let start = parsed
        .iter()
        .rposition(Option::is_none)
        .map_or(0, |i| i + 1);
    parsed[start..].iter().flatten().copied().collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `[2001:db8::1]`.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sock) = s.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    s.strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

/// The resolved client address, put on every request by [`resolve`].
#[derive(Debug, Clone, Copy)]
struct ClientIp(IpAddr);

/// Middleware: works out the client's address once per request.
pub async fn resolve(
    State(proxies): State<std::sync::Arc<TrustedProxies>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let ip = proxies.client(peer, req.headers());
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// The client address when known (servers started without connect info, in tests, have none).
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ClientIp>().map(|c| c.0)))
    }
}

/// The key rate limits count a client under.
pub fn client_key(addr: Option<IpAddr>) -> String {
    addr.map_or_else(|| "unknown".to_owned(), |a| a.to_string())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(nets: &[&str]) -> TrustedProxies {
        TrustedProxies(nets.iter().map(|n| n.parse().unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn networks_parse_and_match() {
        let n: IpNet = "10.1.0.0/16".parse().unwrap();
        assert!(n.contains(ip("10.1.255.3")));
        assert!(!n.contains(ip("10.2.0.1")));
        assert!(n.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped peers");
        let n: IpNet = "10.0.0.0/9".parse().unwrap();
        assert!(n.contains(ip("10.127.0.1")) && !n.contains(ip("10.128.0.1")));
        assert!("::1".parse::<IpNet>().unwrap().contains(ip("::1")));
        assert!("0.0.0.0/0"
            .parse::<IpNet>()
            .unwrap()
            .contains(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "::/129", "nginx", "10.0.0.0/x", ""] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarding_headers_are_believed_only_from_trusted_proxies() {
        let p = proxies(&["10.0.0.5", "10.9.0.0/16"]);
        let h = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(p.client(ip("10.0.0.5"), &h), ip("203.0.113.7"));
        assert_eq!(
            p.client(ip("198.51.100.1"), &h),
            ip("198.51.100.1"),
            "a client cannot claim an address by sending the header itself"
        );
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.5"), &h),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn the_first_untrusted_hop_from_the_right_is_the_client() {
        let p = proxies(&["10.0.0.5", "10.9.0.0/16"]);
        // The client forged "1.2.3.4"; nginx appended the real address; an inner proxy its own.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.9.1.1")]);
        assert_eq!(p.client(ip("10.0.0.5"), &h), ip("203.0.113.7"));
        let h = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8::7]:4711\";proto=https",
        )]);
        assert_eq!(p.client(ip("10.0.0.5"), &h), ip("2001:db8::7"));
        let h = headers(&[("x-forwarded-for", "203.0.113.7, unknown")]);
        assert_eq!(
            p.client(ip("10.0.0.5"), &h),
            ip("10.0.0.5"),
            "an entry that is not an address ends the chain"
        );
        let h = headers(&[("x-forwarded-for", "10.9.3.3")]);
        assert_eq!(
            p.client(ip("10.0.0.5"), &h),
            ip("10.9.3.3"),
            "all trusted: the leftmost"
        );
    }
}
