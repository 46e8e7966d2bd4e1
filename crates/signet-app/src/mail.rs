//! Sending e-mail over SMTP (issue 10 §3): the few commands a relay on the agency's network
//! needs (EHLO, MAIL, RCPT, DATA, QUIT), plain text in UTF-8, base64 bodies so any relay
//! takes them. No TLS here: the relay is local (a submission relay with TLS is the
//! operator's), and Signet keeps one TLS stack.

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::AppError;

/// `[mail]`: where reminders are sent from and through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    /// The sender address, e.g. `signet@ubnd.gov.vn`.
    pub from: String,
}

/// One message to one person.
#[derive(Debug, Clone)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
}

fn failed(what: &str) -> AppError {
    AppError::Mail(what.to_owned())
}

/// An address as SMTP takes it: no spaces, brackets or line breaks.
fn clean_address(a: &str) -> Result<&str, AppError> {
    let a = a.trim();
    let ok = a.contains('@')
        && !a.is_empty()
        && a.len() <= 254
        && !a
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>".contains(c));
    ok.then_some(a).ok_or_else(|| failed("bad address"))
}

fn encoded_word(s: &str) -> String {
    format!(
        "=?UTF-8?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(s)
    )
}

/// The message text: headers, a blank line, the body in base64 lines of 76.
fn render(from: &str, m: &Message) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(&m.body);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(76)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "From: {from}\r\nTo: {}\r\nSubject: {}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        m.to,
        encoded_word(&m.subject),
        lines.join("\r\n")
    )
}

struct Session {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Session {
    /// Reads one reply (all its lines) and checks its code.
    async fn expect(&mut self, code: &str) -> Result<(), AppError> {
        loop {
            let mut line = String::new();
            let n = self
                .reader
                .read_line(&mut line)
                .await
                .map_err(|e| failed(&e.to_string()))?;
            if n == 0 || line.len() < 4 || !line.starts_with(code) {
                return Err(failed(&format!(
                    "expected {code}, got {:?}",
                    line.trim_end()
                )));
            }
            // "250-…" continues, "250 …" ends the reply.
            if line.as_bytes()[3] == b' ' {
                return Ok(());
            }
        }
    }

    async fn send(&mut self, line: &str, code: &str) -> Result<(), AppError> {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .map_err(|e| failed(&e.to_string()))?;
        self.expect(code).await
    }
}

/// Sends the messages in one connection; stops at the first refusal.
pub async fn send_all(config: &MailConfig, messages: &[Message]) -> Result<(), AppError> {
    let from = clean_address(&config.from)?;
    let stream = TcpStream::connect((config.host.as_str(), config.port))
        .await
        .map_err(|e| failed(&e.to_string()))?;
    let (read, writer) = stream.into_split();
    let mut s = Session {
        reader: BufReader::new(read),
        writer,
    };
    s.expect("220").await?;
    s.send("EHLO signet", "250").await?;
    for m in messages {
        let to = clean_address(&m.to)?;
        s.send(&format!("MAIL FROM:<{from}>"), "250").await?;
        s.send(&format!("RCPT TO:<{to}>"), "250").await?;
        s.send("DATA", "354").await?;
        // Base64 and ASCII headers: no line starts with '.', so no dot-stuffing is needed.
        s.send(&format!("{}.", render(from, m)), "250").await?;
    }
    s.send("QUIT", "221").await
}
