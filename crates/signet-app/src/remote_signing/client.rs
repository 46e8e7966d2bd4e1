//! A CSC v2 client for the remote-signing providers of the configuration: sign in with the
//! provider's account (HTTP Basic → bearer token), list and read credentials, authorize
//! exactly the hashes to sign with the PIN, and sign them. Blocking (signet-net's HTTP
//! client): call it from `spawn_blocking`. A provider's refusal is `Invalid::Signing` with
//! the provider's own error code and words.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use signet_net::{HttpClient, HttpSession};

use super::wire::{
    AuthData, AuthorizeRequest, AuthorizeResponse, CredentialInfo, CredentialRequest,
    ErrorResponse, ListRequest, ListResponse, LoginResponse, SignHashRequest, SignHashResponse,
    SHA256_OID,
};
use crate::{AppError, Invalid};

/// A provider as configured: `[[remote_signing.providers]]`.
#[derive(Clone)]
pub struct Provider {
    pub name: String,
    /// The part before `/csc/v2/…`.
    pub base_url: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// A signed-in session with a provider, its connection kept open between calls (a batch
/// signs hash after hash with the same provider).
pub struct CscClient {
    base: String,
    http: HttpSession,
    token: String,
}

impl std::fmt::Debug for CscClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CscClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn refused(detail: String) -> AppError {
    AppError::Invalid(Invalid::Signing { detail })
}

/// The body of a provider's answer, or its error as the provider words it.
fn answer<T: DeserializeOwned>(url: &str, r: signet_net::Response) -> Result<T, AppError> {
    if (200..300).contains(&r.status) {
        return serde_json::from_slice(&r.body)
            .map_err(|e| refused(format!("{url}: unexpected answer: {e}")));
    }
    let why = serde_json::from_slice::<ErrorResponse>(&r.body)
        .map(|e| format!("{}: {}", e.error, e.error_description))
        .unwrap_or_else(|_| String::from_utf8_lossy(&r.body).chars().take(200).collect());
    Err(refused(format!("{url}: HTTP {}: {why}", r.status)))
}

fn b64_hashes(hashes: &[[u8; 32]]) -> Vec<String> {
    hashes.iter().map(|h| B64.encode(h)).collect()
}

impl CscClient {
    /// Signs in to `provider` (`auth/login` with HTTP Basic).
    pub fn login(provider: &Provider) -> Result<Self, AppError> {
        let base = provider.base_url.trim_end_matches('/').to_owned();
        let http = HttpClient::default().session();
        let basic = B64.encode(format!("{}:{}", provider.username, provider.password));
        let url = format!("{base}/csc/v2/auth/login");
        let r = http
            .post_with_headers(
                &url,
                "application/json",
                b"{}",
                &[("Authorization", &format!("Basic {basic}"))],
            )
            .map_err(|e| refused(e.to_string()))?;
        let login: LoginResponse = answer(&url, r)?;
        Ok(Self {
            base,
            http,
            token: login.access_token,
        })
    }

    fn call<Q: Serialize, A: DeserializeOwned>(&self, path: &str, body: &Q) -> Result<A, AppError> {
        let url = format!("{}/csc/v2/{path}", self.base);
        let body = serde_json::to_vec(body).map_err(|e| refused(e.to_string()))?;
        let bearer = format!("Bearer {}", self.token);
        let r = self
            .http
            .post_with_headers(
                &url,
                "application/json",
                &body,
                &[("Authorization", &bearer)],
            )
            .map_err(|e| refused(e.to_string()))?;
        answer(&url, r)
    }

    /// The ids of the account's credentials.
    pub fn credentials(&self) -> Result<Vec<String>, AppError> {
        let list: ListResponse = self.call("credentials/list", &ListRequest::default())?;
        Ok(list.credential_ids)
    }

    /// A credential's description, with its certificate chain.
    pub fn credential_info(&self, id: &str) -> Result<CredentialInfo, AppError> {
        let req = CredentialRequest {
            credential_id: id.to_owned(),
            certificates: Some("chain".into()),
        };
        self.call("credentials/info", &req)
    }

    /// The DER certificates of `info`, the signer's first.
    pub fn chain(info: &CredentialInfo) -> Result<Vec<Vec<u8>>, AppError> {
        info.cert
            .certificates
            .iter()
            .map(|c| {
                B64.decode(c)
                    .map_err(|e| refused(format!("certificate: {e}")))
            })
            .collect()
    }

    /// A SAD for exactly `hashes` (SHA-256), by the credential's PIN.
    pub fn authorize(
        &self,
        id: &str,
        pin: &str,
        hashes: &[[u8; 32]],
    ) -> Result<AuthorizeResponse, AppError> {
        let req = AuthorizeRequest {
            credential_id: id.to_owned(),
            num_signatures: u32::try_from(hashes.len()).unwrap_or(u32::MAX),
            hashes: b64_hashes(hashes),
            hash_algorithm_oid: Some(SHA256_OID.into()),
            pin: None,
            auth_data: vec![AuthData {
                id: "PIN".into(),
                value: pin.to_owned(),
            }],
        };
        self.call("credentials/authorize", &req)
    }

    /// Signs `hashes` under `sad` with `sign_algo` (an OID the credential lists): the raw
    /// signatures, in order.
    pub fn sign_hashes(
        &self,
        id: &str,
        sad: &str,
        hashes: &[[u8; 32]],
        sign_algo: &str,
    ) -> Result<Vec<Vec<u8>>, AppError> {
        let req = SignHashRequest {
            credential_id: id.to_owned(),
            sad: sad.to_owned(),
            hashes: b64_hashes(hashes),
            hash_algorithm_oid: Some(SHA256_OID.into()),
            sign_algo: sign_algo.to_owned(),
            sign_algo_params: None,
        };
        let signed: SignHashResponse = self.call("signatures/signHash", &req)?;
        if signed.signatures.len() != hashes.len() {
            return Err(refused(format!(
                "{} signatures for {} hashes",
                signed.signatures.len(),
                hashes.len()
            )));
        }
        signed
            .signatures
            .iter()
            .map(|s| {
                B64.decode(s)
                    .map_err(|e| refused(format!("signature: {e}")))
            })
            .collect()
    }
}
