//! A minimal blocking HTTP/1.1 client over `std::net::TcpStream`: one request per connection
//! (`Connection: close`), a connect and a total time limit, a size limit. Enough for CRLs,
//! OCSP, AIA and RFC 3161, which are small, unauthenticated, plain-HTTP exchanges by design
//! (their content is signed).

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::{NetError, Result};

mod url;
mod wire;

use url::{parse_url, resolve, Url};
use wire::{read_response, Conn, Raw};

/// Limits of the client.
#[derive(Clone, Debug)]
pub struct HttpClient {
    /// Time to establish the TCP connection (per address tried, within the total).
    pub connect_timeout: Duration,
    /// Time for the whole exchange, redirects included. Name resolution happens before and is
    /// bounded by the system resolver only.
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

impl HttpClient {
    /// GET, following redirects to other `http://` URLs.
    pub fn get(&self, url: &str) -> Result<Response> {
        let deadline = Instant::now() + self.total_timeout;
        let mut current = url.to_string();
        for _ in 0..=self.max_redirects {
            let r = self.exchange(&current, "GET", None, deadline)?;
            match (r.status, r.location) {
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
        let deadline = Instant::now() + self.total_timeout;
        Ok(self
            .exchange(url, "POST", Some((content_type, body)), deadline)?
            .response)
    }

    fn exchange(
        &self,
        url: &str,
        method: &str,
        body: Option<(&str, &[u8])>,
        deadline: Instant,
    ) -> Result<Raw> {
        let u = parse_url(url)?;
        let stream = self.connect(url, &u, deadline)?;
        let mut conn = Conn::new(stream, deadline, url, self.total_timeout);
        conn.send(&request_head(&u, method, body), body.map(|b| b.1))?;
        read_response(&mut conn, self.max_body)
    }

    fn connect(&self, url: &str, u: &Url, deadline: Instant) -> Result<TcpStream> {
        let addrs: Vec<SocketAddr> = (u.host.as_str(), u.port)
            .to_socket_addrs()
            .map_err(|e| NetError::Resolve {
                host: u.host.clone(),
                detail: e.to_string(),
            })?
            .collect();
        let mut last = String::from("no address");
        for a in addrs {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match TcpStream::connect_timeout(&a, left.min(self.connect_timeout)) {
                Ok(s) => return Ok(s),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    last = format!("{a}: timed out after {:?}", left.min(self.connect_timeout))
                }
                Err(e) => last = format!("{a}: {e}"),
            }
        }
        if Instant::now() >= deadline {
            return Err(NetError::Timeout {
                url: url.to_string(),
                limit_ms: self.total_timeout.as_millis(),
            });
        }
        Err(NetError::Connect {
            url: url.to_string(),
            detail: last,
        })
    }
}

fn request_head(u: &Url, method: &str, body: Option<(&str, &[u8])>) -> Vec<u8> {
    let host = if u.host.contains(':') {
        format!("[{}]", u.host)
    } else {
        u.host.clone()
    };
    let host = if u.port == 80 {
        host
    } else {
        format!("{host}:{}", u.port)
    };
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: signet-net\r\nAccept: */*\r\nConnection: close\r\n",
        u.target
    );
    if let Some((ct, b)) = body {
        head.push_str(&format!(
            "Content-Type: {ct}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    head.push_str("\r\n");
    head.into_bytes()
}
