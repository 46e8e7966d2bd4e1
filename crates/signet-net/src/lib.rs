//! Signet's network layer for the PKI: fetching CRLs, OCSP responses, issuer certificates
//! (AIA) and RFC 3161 time stamps over HTTP, with time and size limits and a cache; and
//! loading trust anchors from files. The validation itself is pure and lives in
//! `signet_pki::validation`; [`validate_online`] runs the fetch-and-validate loop.
//!
//! The HTTP client is `ureq` with its default features off: no TLS, no proxy, no cookies.
//! CRL distribution points, OCSP responders, AIA and TSA URLs are plain `http://` by design
//! (what they carry is signed). `https://` is refused with [`NetError::UnsupportedScheme`];
//! adding it would mean ureq's `rustls` feature (which can run on `ring`) plus a certificate
//! verifier. The total time limit covers name resolution, the connection, redirects and the
//! body.

mod anchors;
mod error;
mod fetcher;
mod http;
mod online;

pub use anchors::load_trust_anchors;
pub use error::{NetError, Result};
pub use fetcher::{Fetched, Fetcher};
pub use http::{HttpClient, HttpSession, Response};
pub use online::validate_online;
