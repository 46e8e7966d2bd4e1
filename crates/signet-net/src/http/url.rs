//! `http://` URLs: parsing and redirect targets.

use crate::error::{NetError, Result};

/// `http://host[:port]/path?query`, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) host: String,
    pub(crate) port: u16,
    /// Path and query, starting with `/`.
    pub(crate) target: String,
}

pub(crate) fn parse_url(url: &str) -> Result<Url> {
    let bad = |reason| NetError::InvalidUrl {
        url: url.to_string(),
        reason,
    };
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        url.get(7..).unwrap_or_default()
    } else if lower.contains("://") {
        return Err(NetError::UnsupportedScheme(url.to_string()));
    } else {
        return Err(bad("not an absolute http:// URL"));
    };
    if !url.is_ascii() || url.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return Err(bad("non-ASCII, space or control character"));
    }
    let rest = rest.split('#').next().unwrap_or_default();
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            rest.get(i..).unwrap_or("/"),
        ),
        None => (rest, "/"),
    };
    let target = if target.starts_with('?') {
        format!("/{target}")
    } else {
        target.to_string()
    };
    if authority.contains('@') {
        return Err(bad("user information is not supported"));
    }
    let (host, port) = split_host_port(authority).ok_or_else(|| bad("bad host or port"))?;
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok(Url { host, port, target })
}

fn split_host_port(authority: &str) -> Option<(String, u16)> {
    if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 80,
            None => return None,
        };
        return Some((h.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h.to_string(), p.parse().ok()?)),
        None => Some((authority.to_string(), 80)),
    }
}

/// A redirect target relative to the current URL: absolute `http://` or an absolute path.
pub(crate) fn resolve(current: &str, location: &str) -> Result<String> {
    if location.starts_with('/') && !location.starts_with("//") {
        let u = parse_url(current)?;
        let host = if u.host.contains(':') {
            format!("[{}]", u.host)
        } else {
            u.host
        };
        return Ok(format!("http://{host}:{}{location}", u.port));
    }
    parse_url(location)?;
    Ok(location.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("http://127.0.0.1:8080/crl/issuing.crl").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("127.0.0.1", 8080, "/crl/issuing.crl")
        );
        let u = parse_url("HTTP://ca.example.vn?x=1#frag").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.target.as_str()),
            ("ca.example.vn", 80, "/?x=1")
        );
        let u = parse_url("http://[::1]:81/a").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 81));
        assert!(matches!(
            parse_url("https://x/"),
            Err(NetError::UnsupportedScheme(_))
        ));
        assert!(matches!(
            parse_url("ldap://x/"),
            Err(NetError::UnsupportedScheme(_))
        ));
        for bad in [
            "x/y",
            "http://",
            "http://a:b/",
            "http://u@h/",
            "http://h/a b",
            "http://h:99999/",
        ] {
            assert!(
                matches!(parse_url(bad), Err(NetError::InvalidUrl { .. })),
                "{bad}"
            );
        }
        assert_eq!(resolve("http://h:81/a/b", "/c").unwrap(), "http://h:81/c");
        assert!(resolve("http://h/a", "https://x/").is_err());
    }
}
