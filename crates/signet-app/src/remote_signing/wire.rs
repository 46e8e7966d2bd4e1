//! The JSON of the Cloud Signature Consortium API, as Signet's server reads and writes it and
//! its client sends and reads it. Requests take both versions' field names (v1, as pyHanko
//! sends them: `hash`, `hashAlgo`; v2: `hashes`, `hashAlgorithmOID`) and ignore fields they
//! do not use (`clientData`, `lang`, ...).

use serde::{Deserialize, Serialize};

/// SHA-256, the one hash algorithm the credentials sign.
pub const SHA256_OID: &str = "2.16.840.1.101.3.4.2.1";
/// rsaEncryption and sha256WithRSAEncryption: PKCS#1 v1.5 signatures.
pub const RSA_OIDS: [&str; 2] = ["1.2.840.113549.1.1.11", "1.2.840.113549.1.1.1"];
/// ecdsa-with-SHA256 and id-ecPublicKey.
pub const ECDSA_OIDS: [&str; 2] = ["1.2.840.10045.4.3.2", "1.2.840.10045.2.1"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InfoResponse {
    pub specs: String,
    pub name: String,
    pub logo: String,
    pub region: String,
    pub lang: String,
    pub description: String,
    #[serde(rename = "authType")]
    pub auth_type: Vec<String>,
    pub methods: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    pub access_token: String,
    pub expires_in: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ListRequest {
    #[serde(
        rename = "maxResults",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_results: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListResponse {
    #[serde(rename = "credentialIDs")]
    pub credential_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CredentialRequest {
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// `none`, `single` or `chain` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyInfo {
    pub status: String,
    pub algo: Vec<String>,
    pub len: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertInfo {
    pub status: String,
    /// Base64 DER, the signer's first.
    pub certificates: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PinInfo {
    pub presence: String,
    pub format: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CredentialInfo {
    pub description: String,
    pub key: KeyInfo,
    pub cert: CertInfo,
    #[serde(rename = "authMode")]
    pub auth_mode: String,
    #[serde(rename = "PIN")]
    pub pin: PinInfo,
    #[serde(rename = "SCAL")]
    pub scal: String,
    pub multisign: u32,
    pub lang: String,
}

/// v2 carries the PIN as `authData: [{"id": "PIN", "value": "…"}]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthData {
    pub id: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    #[serde(rename = "numSignatures")]
    pub num_signatures: u32,
    #[serde(rename = "hashes", alias = "hash", default)]
    pub hashes: Vec<String>,
    #[serde(
        rename = "hashAlgorithmOID",
        alias = "hashAlgo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub hash_algorithm_oid: Option<String>,
    #[serde(rename = "PIN", default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    #[serde(rename = "authData", default, skip_serializing_if = "Vec::is_empty")]
    pub auth_data: Vec<AuthData>,
}

impl AuthorizeRequest {
    /// The PIN, from `PIN` (v1) or `authData` (v2).
    pub fn pin(&self) -> Option<&str> {
        self.pin.as_deref().or_else(|| {
            self.auth_data
                .iter()
                .find(|a| a.id.eq_ignore_ascii_case("PIN"))
                .map(|a| a.value.as_str())
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizeResponse {
    #[serde(rename = "SAD")]
    pub sad: String,
    #[serde(rename = "expiresIn")]
    pub expires_in: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExtendRequest {
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    #[serde(rename = "SAD")]
    pub sad: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignHashRequest {
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    #[serde(rename = "SAD")]
    pub sad: String,
    #[serde(rename = "hashes", alias = "hash")]
    pub hashes: Vec<String>,
    #[serde(rename = "hashAlgorithmOID", alias = "hashAlgo", default)]
    pub hash_algorithm_oid: Option<String>,
    #[serde(rename = "signAlgo")]
    pub sign_algo: String,
    #[serde(
        rename = "signAlgoParams",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sign_algo_params: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignHashResponse {
    pub signatures: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: String,
    pub error_description: String,
}

/// What is wrong with a request body, for `invalid_request` (HTTP 400).
pub type Malformed = String;

/// A JSON body of the expected shape.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Malformed> {
    serde_json::from_slice(body).map_err(|e| format!("malformed JSON body: {e}"))
}

/// Base64 SHA-256 digests (1 to [`super::MAX_HASHES`]) and the hash algorithm (absent or
/// SHA-256).
pub fn digests(hashes: &[String], algorithm: Option<&str>) -> Result<Vec<[u8; 32]>, Malformed> {
    use base64::Engine;
    if algorithm.is_some_and(|a| a != SHA256_OID) {
        return Err(format!("hashAlgo: only SHA-256 ({SHA256_OID})"));
    }
    let max = super::MAX_HASHES;
    if hashes.is_empty() || hashes.len() > max {
        return Err(format!("between 1 and {max} hashes"));
    }
    hashes
        .iter()
        .map(|h| {
            base64::engine::general_purpose::STANDARD
                .decode(h.trim())
                .ok()
                .and_then(|d| <[u8; 32]>::try_from(d).ok())
                .ok_or_else(|| "hash: not a base64 SHA-256 digest".to_owned())
        })
        .collect()
}

/// `credentials/authorize`: the request and its digests; `numSignatures` must be their
/// count (SCAL2 binds the hashes now).
pub fn parse_authorize(body: &[u8]) -> Result<(AuthorizeRequest, Vec<[u8; 32]>), Malformed> {
    let req: AuthorizeRequest = parse_json(body)?;
    let hashes = digests(&req.hashes, req.hash_algorithm_oid.as_deref())?;
    if req.num_signatures as usize != hashes.len() {
        return Err("numSignatures must equal the number of hashes".into());
    }
    Ok((req, hashes))
}

/// `signatures/signHash`: the request and its digests; parameters are not supported.
pub fn parse_sign_hash(body: &[u8]) -> Result<(SignHashRequest, Vec<[u8; 32]>), Malformed> {
    let req: SignHashRequest = parse_json(body)?;
    let hashes = digests(&req.hashes, req.hash_algorithm_oid.as_deref())?;
    if req.sign_algo_params.is_some() {
        return Err("signAlgoParams: not supported".into());
    }
    Ok((req, hashes))
}
