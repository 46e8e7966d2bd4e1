//! HTTP/1.1 on the wire: a connection with a deadline, the answer's head and body.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::Response;
use crate::error::{NetError, Result};

/// Largest status line plus headers accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Most headers accepted.
const MAX_HEADERS: usize = 100;

pub(super) struct Raw {
    pub(super) status: u16,
    pub(super) location: Option<String>,
    pub(super) response: Response,
}

/// A connection with a read buffer and a deadline for every read and write.
pub(super) struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    deadline: Instant,
    url: String,
    limit: Duration,
}

impl Conn {
    pub(super) fn new(stream: TcpStream, deadline: Instant, url: &str, limit: Duration) -> Conn {
        Conn {
            stream,
            buf: Vec::new(),
            pos: 0,
            deadline,
            url: url.to_string(),
            limit,
        }
    }

    fn left(&self) -> Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.timeout());
        }
        Ok(left)
    }

    fn timeout(&self) -> NetError {
        NetError::Timeout {
            url: self.url.clone(),
            limit_ms: self.limit.as_millis(),
        }
    }

    fn io(&self, e: std::io::Error) -> NetError {
        match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => self.timeout(),
            _ => NetError::Io {
                url: self.url.clone(),
                detail: e.to_string(),
            },
        }
    }

    pub(super) fn send(&mut self, head: &[u8], body: Option<&[u8]>) -> Result<()> {
        let left = self.left()?;
        self.stream
            .set_write_timeout(Some(left))
            .map_err(|e| self.io(e))?;
        self.stream.write_all(head).map_err(|e| self.io(e))?;
        if let Some(b) = body {
            self.stream.write_all(b).map_err(|e| self.io(e))?;
        }
        self.stream.flush().map_err(|e| self.io(e))
    }

    /// Reads more bytes into the buffer; `false` at the end of the stream.
    fn fill(&mut self) -> Result<bool> {
        let left = self.left()?;
        self.stream
            .set_read_timeout(Some(left))
            .map_err(|e| self.io(e))?;
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).map_err(|e| self.io(e))?;
        self.buf
            .extend_from_slice(chunk.get(..n).unwrap_or_default());
        Ok(n > 0)
    }

    fn available(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// One CRLF-terminated line (without the CRLF), at most `max` bytes.
    fn line(&mut self, max: usize) -> Result<String> {
        loop {
            if let Some(i) = self.available().windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(self.available().get(..i).unwrap_or_default())
                    .into_owned();
                self.pos += i + 2;
                return Ok(line);
            }
            if self.available().len() > max {
                return Err(self.protocol("line too long"));
            }
            if !self.fill()? {
                return Err(self.protocol("connection closed in the middle of the headers"));
            }
        }
    }

    fn exact(&mut self, n: usize) -> Result<Vec<u8>> {
        while self.available().len() < n {
            if !self.fill()? {
                return Err(self.protocol("connection closed before the end of the body"));
            }
        }
        let out = self.available().get(..n).unwrap_or_default().to_vec();
        self.pos += n;
        Ok(out)
    }

    fn read_to_close(&mut self, max: usize) -> Result<Vec<u8>> {
        while self.fill()? {
            if self.available().len() > max {
                return Err(self.too_large(max));
            }
        }
        let out = self.available().to_vec();
        if out.len() > max {
            return Err(self.too_large(max));
        }
        self.pos = self.buf.len();
        Ok(out)
    }

    fn protocol(&self, detail: &str) -> NetError {
        NetError::Protocol {
            url: self.url.clone(),
            detail: detail.to_string(),
        }
    }

    fn too_large(&self, limit: usize) -> NetError {
        NetError::TooLarge {
            url: self.url.clone(),
            limit,
        }
    }
}

struct Head {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_head(conn: &mut Conn) -> Result<Head> {
    loop {
        let status_line = conn.line(MAX_HEAD)?;
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .filter(|s| (100..600).contains(s))
            .ok_or_else(|| conn.protocol("bad status line"))?;
        if !version.starts_with("HTTP/1.") {
            return Err(conn.protocol("not HTTP/1.x"));
        }
        let mut headers = Vec::new();
        let mut size = status_line.len();
        loop {
            let l = conn.line(MAX_HEAD)?;
            if l.is_empty() {
                break;
            }
            size += l.len();
            if size > MAX_HEAD || headers.len() >= MAX_HEADERS {
                return Err(conn.protocol("headers too large"));
            }
            let (n, v) = l
                .split_once(':')
                .ok_or_else(|| conn.protocol("bad header line"))?;
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
        // 1xx answers (100 Continue) precede the real one.
        if status >= 200 {
            return Ok(Head { status, headers });
        }
    }
}

pub(super) fn read_response(conn: &mut Conn, max_body: usize) -> Result<Raw> {
    let head = read_head(conn)?;
    let chunked = head
        .get("transfer-encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(conn, max_body)?
    } else if let Some(len) = head.get("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| conn.protocol("bad Content-Length"))?;
        if len > max_body {
            return Err(conn.too_large(max_body));
        }
        conn.exact(len)?
    } else if head.status == 204 || head.status == 304 {
        Vec::new()
    } else {
        conn.read_to_close(max_body)?
    };
    Ok(Raw {
        status: head.status,
        location: head.get("location").map(str::to_string),
        response: Response {
            status: head.status,
            content_type: head.get("content-type").map(str::to_string),
            body,
        },
    })
}

fn read_chunked(conn: &mut Conn, max_body: usize) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = conn.line(1024)?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| conn.protocol("bad chunk size"))?;
        if size == 0 {
            // Trailers, then an empty line.
            while !conn.line(MAX_HEAD)?.is_empty() {}
            return Ok(body);
        }
        if body.len().saturating_add(size) > max_body {
            return Err(conn.too_large(max_body));
        }
        body.extend(conn.exact(size)?);
        if !conn.line(2)?.is_empty() {
            return Err(conn.protocol("chunk not followed by CRLF"));
        }
    }
}
