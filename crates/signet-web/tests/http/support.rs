//! The harness of the HTTP suite: a seeded application per backend, requests sent in-process
//! with `oneshot`, and checks every response must pass whatever the test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use signet_app::ca_service::BuiltInCa;
use signet_app::demo::DEMO_PASSWORD;
use signet_app::{App, Clock, SystemClock};
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use signet_web::WebConfig;
use std::sync::Mutex;
use time::OffsetDateTime;
use tower::ServiceExt;

/// The upload limit of the suite: small, so the oversized upload is cheap.
pub const MAX_FILE: u64 = 1024 * 1024;

/// What no response may ever show a client.
const LEAKS: &[&str] = &["sqlx", "SQL", "panicked", "stack"];

/// A seeded application on one backend.
pub struct Env {
    pub db: TestDb,
    pub app: App,
    pub router: Router,
    pub blob_dir: PathBuf,
}

/// Runs `test` on a fresh, seeded application on every backend, then cleans up.
pub async fn each_env<F, Fut>(test: F)
where
    F: Fn(Env) -> Fut,
    Fut: std::future::Future<Output = Env>,
{
    for db in databases().await.expect("test databases") {
        eprintln!("-- on {}", db.label);
        let env = Env::new(db).await;
        let env = test(env).await;
        env.db.cleanup().await;
    }
}

/// A clock the test moves (certificate expiry). Starts at the real time, so certificates
/// issued at the start are valid for `openssl verify` too.
pub struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(OffsetDateTime::now_utc())))
    }

    pub fn set(&self, t: OffsetDateTime) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// Like [`each_env`], with a built-in CA in the database's scratch directory (so the demo
/// seeds certificates) and the app reading `clock`.
pub async fn each_env_with_ca<F, Fut>(clock: Arc<TestClock>, test: F)
where
    F: Fn(Env) -> Fut,
    Fut: std::future::Future<Output = Env>,
{
    for db in databases().await.expect("test databases") {
        eprintln!("-- on {} with a CA", db.label);
        let ca_dir = db.dir.join("ca");
        signet_app::ca_dir::init(
            &ca_dir,
            "CA thử nghiệm",
            "http://127.0.0.1:8081",
            signet_pki::KeyAlg::EcdsaP256,
            None,
            OffsetDateTime::now_utc(),
        )
        .expect("CA");
        let ca = signet_app::ca_service::BuiltInCa::open(&ca_dir).expect("open CA");
        let env = Env::build(db, clock.clone(), Some(ca)).await;
        let env = test(env).await;
        env.db.cleanup().await;
    }
}

impl Env {
    async fn new(db: TestDb) -> Self {
        Self::build(db, Arc::new(SystemClock), None).await
    }

    async fn build(db: TestDb, clock: Arc<dyn Clock>, ca: Option<BuiltInCa>) -> Self {
        let blob_dir = db.dir.join("blobs");
        let blobs = BlobStore::open(&blob_dir, MAX_FILE)
            .await
            .expect("blob store");
        let mut app = App::new(db.store.clone(), blobs, clock);
        if let Some(ca) = ca {
            app = app.with_ca(ca);
        }
        assert!(
            app.seed_demo().await.expect("seed"),
            "seeded a fresh database"
        );
        let router = signet_web::router(app.clone(), WebConfig::default());
        Self {
            db,
            app,
            router,
            blob_dir,
        }
    }

    /// Sends a request through the whole router and checks what every response must satisfy.
    pub async fn send(&self, call: Call) -> Resp {
        let what = format!("{} {}", call.method, call.path);
        let mut req = Request::builder()
            .method(call.method)
            .uri(&call.path)
            .body(Body::from(call.body))
            .expect("request");
        for (k, v) in call.headers {
            req.headers_mut()
                .append(k, HeaderValue::from_str(&v).expect("header value"));
        }
        if let Some(addr) = call.peer {
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        let resp = Resp {
            what,
            status,
            headers,
            body,
        };
        resp.check_invariants();
        resp
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Call::get(path)).await
    }

    /// Signs in through the page form; returns the cookie and the session's CSRF token.
    pub async fn page(&self, username: &str) -> PageSession {
        let r = self
            .send(Call::post("/login").form(&[("username", username), ("password", DEMO_PASSWORD)]))
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{username} signs in: {}",
            r.text()
        );
        let set = r.header("set-cookie");
        let token = set
            .strip_prefix("signet_session=")
            .and_then(|s| s.split(';').next())
            .unwrap_or_else(|| panic!("session cookie in {set:?}"))
            .to_owned();
        assert_eq!(token.len(), 64, "a 256-bit token");
        let mut s = PageSession {
            cookie: format!("signet_session={token}"),
            csrf: String::new(),
        };
        let page = self.send(Call::get("/outgoing").page(&s)).await;
        assert_eq!(page.status, StatusCode::OK);
        s.csrf = page.csrf();
        s
    }

    /// Signs in through the API; returns the bearer token.
    pub async fn api(&self, username: &str) -> String {
        let r = self
            .send(
                Call::post("/api/v1/session")
                    .json(&serde_json::json!({ "username": username, "password": DEMO_PASSWORD })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{username}: {}", r.text());
        r.json()["token"].as_str().expect("token").to_owned()
    }

    /// Every document of a direction the bearer can list (follows the cursor).
    pub async fn all_docs(&self, token: &str, direction: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after = String::new();
        loop {
            let mut path = format!("/api/v1/documents?direction={direction}&limit=200");
            if !after.is_empty() {
                path.push_str(&format!("&after={after}"));
            }
            let r = self.send(Call::get(&path).bearer(token)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let v = r.json();
            out.extend(
                v["documents"]
                    .as_array()
                    .expect("documents")
                    .iter()
                    .cloned(),
            );
            match v["next"].as_str() {
                Some(n) => after = n.to_owned(),
                None => return out,
            }
        }
    }

    /// How many documents the agency has in both directions, as its clerk lists them.
    pub async fn count_docs(&self, clerk_token: &str) -> usize {
        self.all_docs(clerk_token, "outgoing").await.len()
            + self.all_docs(clerk_token, "incoming").await.len()
    }

    /// The document (as the bearer lists it) whose subject starts with `prefix`.
    pub async fn doc(&self, token: &str, direction: &str, prefix: &str) -> Value {
        self.all_docs(token, direction)
            .await
            .into_iter()
            .find(|d| d["subject"].as_str().unwrap_or("").starts_with(prefix))
            .unwrap_or_else(|| panic!("a document {prefix:?}"))
    }

    /// The full API view of a document (with files and history).
    pub async fn doc_view(&self, token: &str, id: &str) -> Value {
        let r = self
            .send(Call::get(&format!("/api/v1/documents/{id}")).bearer(token))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }

    /// Files under the blob directory: (stored blobs, temporary files).
    pub fn blob_files(&self) -> (usize, usize) {
        fn count(dir: &Path) -> usize {
            std::fs::read_dir(dir)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| {
                            let p = e.path();
                            if p.is_dir() {
                                count(&p)
                            } else {
                                1
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        let tmp = count(&self.blob_dir.join("tmp"));
        (count(&self.blob_dir) - tmp, tmp)
    }
}

/// A browser session: the cookie it sends and the CSRF token its pages carry.
#[derive(Debug, Clone)]
pub struct PageSession {
    pub cookie: String,
    pub csrf: String,
}

/// A request to send.
pub struct Call {
    method: Method,
    path: String,
    headers: Vec<(HeaderName, String)>,
    body: Vec<u8>,
    peer: Option<SocketAddr>,
}

impl Call {
    pub fn new(method: Method, path: &str) -> Self {
        Self {
            method,
            path: path.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            peer: None,
        }
    }

    pub fn get(path: &str) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: &str) -> Self {
        Self::new(Method::POST, path)
    }

    pub fn header(mut self, name: HeaderName, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn page(self, s: &PageSession) -> Self {
        self.header(header::COOKIE, &s.cookie)
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header(header::AUTHORIZATION, &format!("Bearer {token}"))
    }

    pub fn peer(mut self, addr: &str) -> Self {
        self.peer = Some(addr.parse().expect("socket address"));
        self
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.header(header::CONTENT_TYPE, content_type)
    }

    pub fn form(self, pairs: &[(&str, &str)]) -> Self {
        let body: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.raw("application/x-www-form-urlencoded", body.join("&"))
    }

    pub fn json(self, v: &Value) -> Self {
        self.raw("application/json", v.to_string())
    }

    pub fn multipart(self, m: &Multipart) -> Self {
        let (ct, body) = m.encode();
        self.raw(&ct, body)
    }
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A multipart/form-data body, fields in the order added.
#[derive(Default, Clone)]
pub struct Multipart {
    parts: Vec<(String, Option<String>, Vec<u8>)>,
}

const BOUNDARY: &str = "----signet-test-boundary-5f2c9a";

impl Multipart {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.parts
            .push((name.to_owned(), None, value.as_bytes().to_vec()));
        self
    }

    pub fn file(mut self, name: &str, file_name: &str, bytes: &[u8]) -> Self {
        self.parts
            .push((name.to_owned(), Some(file_name.to_owned()), bytes.to_vec()));
        self
    }

    /// This form followed by the fields of `other`.
    pub fn append(mut self, other: &Multipart) -> Self {
        self.parts.extend(other.parts.iter().cloned());
        self
    }

    pub fn encode(&self) -> (String, Vec<u8>) {
        let mut body = Vec::new();
        for (name, file_name, bytes) in &self.parts {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            match file_name {
                Some(f) => body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={BOUNDARY}"), body)
    }
}

/// A small PDF whose bytes differ by `tag`.
pub fn pdf(tag: &str) -> Vec<u8> {
    signet_app::demo::sample_pdf(tag)
}

/// A response, read to the end.
pub struct Resp {
    pub what: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    /// What holds of every response: security headers, no server error, nothing internal
    /// shown.
    fn check_invariants(&self) {
        assert_ne!(
            self.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}: a server error: {}",
            self.what,
            self.text()
        );
        for (name, value) in [
            ("x-frame-options", "DENY"),
            ("x-content-type-options", "nosniff"),
        ] {
            assert_eq!(self.header(name), value, "{}: {name}", self.what);
        }
        assert!(
            self.header("content-security-policy")
                .contains("frame-ancestors 'none'"),
            "{}: CSP",
            self.what
        );
        let ct = self.header("content-type");
        // Scripts are static files of ours (pdf.js speaks of "stack" and "panic" itself).
        let texty = (ct.is_empty()
            || ct.starts_with("text/")
            || ct.contains("json")
            || ct.contains("html"))
            && !ct.starts_with("text/javascript");
        if texty && self.header("content-disposition").is_empty() {
            let body = self.text_without_binary();
            for leak in LEAKS {
                assert!(
                    !body.contains(leak),
                    "{}: the body shows {leak:?}: {body}",
                    self.what
                );
            }
        }
    }

    /// The body with the one binary payload the API returns inline removed: the base64 of
    /// a PKCS#12 file is random text, and random text contains "SQL" now and then.
    fn text_without_binary(&self) -> String {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(mut v) if v.get("pkcs12").is_some() => {
                v["pkcs12"] = Value::Null;
                v.to_string()
            }
            _ => self.text(),
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", self.what, self.text()))
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }

    pub fn location(&self) -> String {
        self.header("location")
    }

    /// The `code` of a JSON error body; fails when the body is not one.
    pub fn error_code(&self) -> String {
        assert!(
            self.header("content-type").starts_with("application/json"),
            "{}: a JSON error, got {:?}: {}",
            self.what,
            self.header("content-type"),
            self.text()
        );
        let v = self.json();
        let e = &v["error"];
        assert!(
            e["message"].is_string() && e["message_vi"].is_string(),
            "{}: error messages in {v}",
            self.what
        );
        e["code"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: error.code in {v}", self.what))
            .to_owned()
    }

    /// Asserts a status and a JSON error code.
    pub fn expect_api_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}: {}", self.what, self.text());
        assert_eq!(self.error_code(), code, "{}", self.what);
    }

    /// Asserts an HTML error page with a status.
    pub fn expect_page_error(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}: {}", self.what, self.text());
        assert!(
            self.header("content-type").starts_with("text/html"),
            "{}: an HTML page",
            self.what
        );
        assert!(
            self.text().contains(&format!("{}", status.as_u16())),
            "{}: the page names the status",
            self.what
        );
    }

    /// A refused form shown again (issue 13 §3): the status, and an HTML page holding the
    /// form with its problem stated.
    pub fn expect_form_error(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}: {}", self.what, self.text());
        assert!(
            self.header("content-type").starts_with("text/html"),
            "{}: an HTML page",
            self.what
        );
        assert!(
            self.text().contains("id=\"form-problem\""),
            "{}: the form with its problem",
            self.what
        );
    }

    /// The CSRF token a page's forms carry.
    pub fn csrf(&self) -> String {
        let body = self.text();
        let marker = "name=\"csrf\" value=\"";
        let start = body
            .find(marker)
            .unwrap_or_else(|| panic!("{}: no CSRF field", self.what))
            + marker.len();
        let token = &body[start..];
        let token = &token[..token.find('"').expect("end of value")];
        assert_eq!(token.len(), 64, "{}: a CSRF token", self.what);
        token.to_owned()
    }
}
