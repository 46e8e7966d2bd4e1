//! Helpers shared by the CLI end-to-end tests: running `signet`, the CA server, HTTP. Temporary
//! directories, `openssl` and SoftHSM2 come from signet-testkit.
#![allow(dead_code)] // not every helper is used by every build of the suite

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub use signet_testkit::softhsm::SoftHsm;
pub use signet_testkit::{openssl, text as out_text, TempDir};

pub const BIN: &str = env!("CARGO_BIN_EXE_signet");

/// The server, killed when dropped (also when a test fails).
pub struct ServerGuard(pub Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn signet(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("SIGNET_KEY_PASSWORD")
        .output()
        .unwrap()
}

pub fn ok(o: Output) -> String {
    let t = out_text(&o);
    assert!(o.status.success(), "{t}");
    t
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 client: (status, body).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&resp[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = resp[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

pub fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n =
            usize::from_str_radix(std::str::from_utf8(&b[..line_end]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[line_end + 2..line_end + 2 + n]);
        b = &b[line_end + 2 + n + 2..];
    }
}

pub fn start_server(dir: &Path, port: u16) -> ServerGuard {
    start_server_with(dir, port, &[])
}

pub fn start_server_with(dir: &Path, port: u16, env: &[(&str, String)]) -> ServerGuard {
    let mut cmd = Command::new(BIN);
    cmd.args(["ca", "serve", "--dir", "ca", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(dir);
    spawn_until(&mut cmd, "CA services at http://127.0.0.1:")
}

/// Starts `cmd` and returns once it prints a line containing `marker`. Its output is drained
/// on a thread while it lives: a closed pipe would fail its next line.
pub fn spawn_until(cmd: &mut Command, marker: &str) -> ServerGuard {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = ServerGuard(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = String::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(marker) {
            return guard;
        }
    }
    panic!("{cmd:?} did not print {marker:?}: {seen}");
}
