//! The CA: a root, an issuing CA, an OCSP responder and a TSA certificate; issuance by profile;
//! CRLs. Everything is a value: the caller saves [`CaKeys`] and [`CaRecord`] where it likes.

use std::collections::HashSet;

use der::asn1::{Ia5String, ObjectIdentifier};
use der::{Decode, Encode};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    CustomExtension, DistinguishedName, DnType, DnValue, IsCa, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevokedCertParams, SanType, SerialNumber, SignatureAlgorithm,
};
use rustls_pki_types::CertificateDer;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AccessDescription, AuthorityInfoAccessSyntax, ExtendedKeyUsage};
use x509_cert::Certificate;

use crate::error::{PkiError, Result};
use crate::oids;
use crate::revocation::{Reason, Revocation, RevocationList};

/// Version of the [`CaRecord`] layout.
pub const RECORD_VERSION: u32 = 1;

/// Validity of the root certificate.
pub const ROOT_VALIDITY: Duration = Duration::days(20 * 365);
/// Validity of the issuing CA certificate.
pub const ISSUING_VALIDITY: Duration = Duration::days(10 * 365);
/// Validity of the OCSP responder certificate (short: it carries id-pkix-ocsp-nocheck).
pub const OCSP_VALIDITY: Duration = Duration::days(365);
/// Validity of the TSA certificate.
pub const TSA_VALIDITY: Duration = Duration::days(10 * 365);
/// Validity of a person's certificate.
pub const PERSON_VALIDITY: Duration = Duration::days(2 * 365);
/// Validity of an organization (seal) certificate.
pub const ORGANIZATION_VALIDITY: Duration = Duration::days(3 * 365);
/// How long a CRL is valid (nextUpdate - thisUpdate).
pub const CRL_VALIDITY: Duration = Duration::days(7);

/// Key algorithm of the CA's own keys (root, issuing, OCSP, TSA). Holders may also get RSA
/// keys ([`HolderKey`]); the CA's keys stay ECDSA, which rcgen on `ring` both makes and uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlg {
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384,
}

impl KeyAlg {
    pub(crate) fn rcgen(self) -> &'static SignatureAlgorithm {
        match self {
            KeyAlg::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyAlg::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        }
    }

    /// The signature algorithm OID (no parameters) used with this key.
    pub(crate) fn signature_oid(self) -> ObjectIdentifier {
        match self {
            KeyAlg::EcdsaP256 => oids::ECDSA_WITH_SHA256,
            KeyAlg::EcdsaP384 => oids::ECDSA_WITH_SHA384,
        }
    }

    /// The digest that goes with the signature.
    pub(crate) fn digest(self) -> crate::Digest {
        match self {
            KeyAlg::EcdsaP256 => crate::Digest::Sha256,
            KeyAlg::EcdsaP384 => crate::Digest::Sha384,
        }
    }
}

/// The key a holder gets when the CA generates it (software keystore): ECDSA like the CA's
/// own keys, or RSA for signers and relying parties that need it (TT 15/2025 allows RSA ≥ 2048).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HolderKey {
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Rsa3072,
}

impl HolderKey {
    /// Generates the key pair. ECDSA through ring; RSA through the `rsa` crate (ring cannot
    /// generate RSA keys, but signs with them), from `rng`, which must be a CSPRNG (OsRng).
    fn generate(self, rng: &mut dyn rand_core::RngCore) -> Result<KeyPair> {
        let key_err = |e: String| PkiError::Key(e);
        let bits = match self {
            HolderKey::EcdsaP256 => {
                return KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                    .map_err(|e| key_err(e.to_string()))
            }
            HolderKey::EcdsaP384 => {
                return KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)
                    .map_err(|e| key_err(e.to_string()))
            }
            HolderKey::Rsa2048 => 2048,
            HolderKey::Rsa3072 => 3072,
        };
        use rsa::pkcs8::EncodePrivateKey;
        let private = rsa::RsaPrivateKey::new(&mut CallerRng(rng), bits)
            .map_err(|e| key_err(e.to_string()))?;
        let der = private.to_pkcs8_der().map_err(|e| key_err(e.to_string()))?;
        let der = rustls_pki_types::PrivatePkcs8KeyDer::from(der.as_bytes().to_vec());
        KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256)
            .map_err(|e| key_err(e.to_string()))
    }
}

/// The caller's RNG as the CSPRNG the `rsa` crate asks for: every caller passes the operating
/// system's generator (OsRng); tests may pass a seeded one for serials only.
struct CallerRng<'a>(&'a mut dyn rand_core::RngCore);

impl rand_core::RngCore for CallerRng<'_> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> std::result::Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl rand_core::CryptoRng for CallerRng<'_> {}

/// The two leaf profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// A person (cá nhân): an official who signs.
    Person,
    /// An organization (tổ chức): the agency seal used by the clerk.
    Organization,
}

/// Who a leaf certificate is for. Fields not used by a profile are ignored.
#[derive(Clone, Debug, Default)]
pub struct Subject {
    /// Person: full name with diacritics ("Nguyễn Thị Minh Khai"). Organization: the agency name.
    pub name: String,
    /// The agency's name (O). Empty: the agency code is used.
    pub agency_name: String,
    /// The agency identifier code (mã định danh).
    pub agency_code: String,
    /// The unit (OU) of a person.
    pub unit: Option<String>,
    /// The title (chức vụ) of a person.
    pub title: Option<String>,
    /// An e-mail address (emailAddress in the subject and rfc822Name in the SAN).
    pub email: Option<String>,
}

/// PKCS#8 PEM of the four CA keys. Secret: save them readable by the CA operator only.
#[derive(Clone, Serialize, Deserialize)]
pub struct CaKeys {
    /// Root CA key.
    pub root: String,
    /// Issuing CA key.
    pub issuing: String,
    /// OCSP responder key.
    pub ocsp: String,
    /// TSA key.
    pub tsa: String,
}

impl std::fmt::Debug for CaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaKeys(..)")
    }
}

/// One certificate issued by the issuing CA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedEntry {
    /// Serial, lower-case hex without leading zero bytes.
    pub serial: String,
    /// Which profile.
    pub profile: Profile,
    /// The subject common name.
    pub name: String,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
}

/// Everything public about the CA plus its counters: safe to store as plain JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaRecord {
    /// Layout version, [`RECORD_VERSION`].
    pub version: u32,
    /// The CA's display name.
    pub name: String,
    /// Base URL of the published CRLs, OCSP and certificates, without a trailing slash.
    pub base_url: String,
    /// Key algorithm.
    pub key_alg: KeyAlg,
    /// Root certificate (PEM).
    pub root_cert: String,
    /// Issuing CA certificate (PEM).
    pub issuing_cert: String,
    /// OCSP responder certificate (PEM).
    pub ocsp_cert: String,
    /// TSA certificate (PEM).
    pub tsa_cert: String,
    /// Every leaf issued, in order.
    pub issued: Vec<IssuedEntry>,
    /// Revoked leaves.
    pub revoked: RevocationList,
    /// The last cRLNumber used for the issuing CA's CRL (0: none yet).
    pub crl_number: u64,
    /// The last cRLNumber used for the root's CRL.
    pub root_crl_number: u64,
    /// The last TSA serial used.
    pub tsa_serial: u64,
}

/// A certificate as DER together with its serial.
#[derive(Clone, Debug)]
pub struct Issued {
    /// DER of the certificate.
    pub der: Vec<u8>,
    /// Serial, lower-case hex.
    pub serial: String,
}

impl Issued {
    /// PEM of the certificate.
    pub fn pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
    }
}

/// A key the CA generated for a subject, as PKCS#8 DER.
pub struct GeneratedKey {
    /// PKCS#8 (RFC 5958) DER of the private key.
    pub pkcs8_der: Vec<u8>,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GeneratedKey(..)")
    }
}

/// A CA private key. Software keys are rcgen `KeyPair`s (signing with `ring`); a key held by a
/// token or an HSM implements the same trait in an adapter crate and is handed to
/// [`Ca::load_with_keys`].
pub type CaKey = Box<DynKey>;

/// The key trait object behind [`CaKey`].
pub type DynKey = dyn rcgen::SigningKey + Send + Sync;

/// The four CA keys, however they are held.
pub struct CaSigningKeys {
    /// Root CA key.
    pub root: CaKey,
    /// Issuing CA key.
    pub issuing: CaKey,
    /// OCSP responder key.
    pub ocsp: CaKey,
    /// TSA key.
    pub tsa: CaKey,
}

impl std::fmt::Debug for CaSigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaSigningKeys(..)")
    }
}

/// A signer (a key and its certificate), parsed once.
pub(crate) struct Signer {
    pub(crate) key: CaKey,
    pub(crate) cert_der: Vec<u8>,
    pub(crate) cert: Certificate,
}

fn software_key(key_pem: &str, what: &'static str) -> Result<CaKey> {
    let key = KeyPair::try_from(pem_decode(key_pem.as_bytes(), "PRIVATE KEY")?)
        .map_err(|e| PkiError::State(format!("{what} key: {e}")))?;
    Ok(Box::new(key))
}

impl Signer {
    fn new(key: CaKey, cert_pem: &str, alg: KeyAlg, what: &'static str) -> Result<Self> {
        if key.algorithm() != alg.rcgen() {
            return Err(PkiError::State(format!(
                "the {what} key is not a {alg:?} key"
            )));
        }
        let cert_der = pem_decode(cert_pem.as_bytes(), "CERTIFICATE")?;
        let cert = Certificate::from_der(&cert_der).map_err(|e| PkiError::MalformedDer {
            what: "certificate",
            detail: e.to_string(),
        })?;
        let spki = cert.tbs_certificate.subject_public_key_info.to_der()?;
        if spki != key.subject_public_key_info() {
            return Err(PkiError::State(format!(
                "the {what} key does not match its certificate"
            )));
        }
        Ok(Signer {
            key,
            cert_der,
            cert,
        })
    }

    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        Ok(self.key.sign(msg)?)
    }
}

/// A loaded CA.
pub struct Ca {
    record: CaRecord,
    keys: Option<CaKeys>,
    pub(crate) root: Signer,
    pub(crate) issuing: Signer,
    pub(crate) ocsp: Signer,
    pub(crate) tsa: Signer,
    issued_serials: HashSet<String>,
    pub(crate) issuer_hashes: crate::ocsp::IssuerHashes,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("name", &self.record.name)
            .finish_non_exhaustive()
    }
}

/// 16 random bytes from the caller's RNG, as a positive serial of 121-127 bits.
pub(crate) fn random_serial(rng: &mut dyn rand_core::RngCore) -> Result<Vec<u8>> {
    let mut b = [0u8; 16];
    rng.try_fill_bytes(&mut b)
        .map_err(|e| PkiError::Random(e.to_string()))?;
    b[0] &= 0x7f;
    b[0] |= 0x40;
    Ok(b.to_vec())
}

/// Normalises a serial (bytes of a DER INTEGER) to lower-case hex without leading zero bytes.
pub fn serial_hex(bytes: &[u8]) -> String {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    if start == bytes.len() {
        return "00".into();
    }
    hex::encode(&bytes[start..])
}

/// Parses a serial typed by a person (`4a:0b..`, `4A0B..`, `0x4a0b`) to its normal form.
pub fn parse_serial(text: &str) -> Result<String> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let mut digits: String = t.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(PkiError::UnknownSerial(text.to_string()));
    }
    if digits.len() % 2 == 1 {
        digits.insert(0, '0');
    }
    let bytes = hex::decode(&digits).map_err(|_| PkiError::UnknownSerial(text.to_string()))?;
    Ok(serial_hex(&bytes))
}

pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der)
        .expect("PEM encoding of bytes into a String cannot fail")
}

/// Decodes one PEM block with the expected label.
pub(crate) fn pem_decode(input: &[u8], expected: &'static str) -> Result<Vec<u8>> {
    let found = || {
        String::from_utf8_lossy(&input[..input.len().min(40)])
            .trim()
            .to_string()
    };
    let (label, der) = der::pem::decode_vec(input).map_err(|_| PkiError::WrongPem {
        expected,
        found: found(),
    })?;
    if label != expected {
        return Err(PkiError::WrongPem {
            expected,
            found: format!("-----BEGIN {label}-----"),
        });
    }
    Ok(der)
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<()> {
    let v = value.trim();
    if v.is_empty() {
        return Err(PkiError::InvalidField {
            field,
            reason: "empty".into(),
        });
    }
    if v.chars().count() > max {
        return Err(PkiError::InvalidField {
            field,
            reason: format!("longer than {max} characters"),
        });
    }
    if v.chars().any(char::is_control) {
        return Err(PkiError::InvalidField {
            field,
            reason: "contains a control character".into(),
        });
    }
    Ok(())
}

fn ia5(field: &'static str, v: &str) -> Result<Ia5String> {
    Ia5String::new(v).map_err(|_| PkiError::InvalidField {
        field,
        reason: "not ASCII".into(),
    })
}

fn check_email(email: &str) -> Result<()> {
    check_text("email", email, 128)?;
    let ok = email.is_ascii()
        && !email.contains(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
    if !ok {
        return Err(PkiError::InvalidField {
            field: "email",
            reason: "not an ASCII address of the form name@domain.tld".into(),
        });
    }
    Ok(())
}

fn custom_ext(oid: ObjectIdentifier, critical: bool, content: Vec<u8>) -> CustomExtension {
    let arcs: Vec<u64> = oid.arcs().map(u64::from).collect();
    let mut ext = CustomExtension::from_oid_content(&arcs, content);
    ext.set_criticality(critical);
    ext
}

fn eku_ext(purposes: &[ObjectIdentifier], critical: bool) -> Result<CustomExtension> {
    let der = ExtendedKeyUsage(purposes.to_vec()).to_der()?;
    Ok(custom_ext(oids::EXT_KEY_USAGE, critical, der))
}

fn uri(field: &'static str, url: &str) -> Result<GeneralName> {
    Ok(GeneralName::UniformResourceIdentifier(ia5(field, url)?))
}

fn aia_ext(base: &str) -> Result<CustomExtension> {
    let aia = AuthorityInfoAccessSyntax(vec![
        AccessDescription {
            access_method: oids::AD_OCSP,
            access_location: uri("base url", &format!("{base}/ocsp"))?,
        },
        AccessDescription {
            access_method: oids::AD_CA_ISSUERS,
            access_location: uri("base url", &format!("{base}/ca/issuing.cer"))?,
        },
    ]);
    Ok(custom_ext(
        oids::AUTHORITY_INFO_ACCESS,
        false,
        aia.to_der()?,
    ))
}

fn ca_dn(name: &str, cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CountryName,
        DnValue::PrintableString("VN".try_into().expect("ASCII")),
    );
    dn.push(DnType::OrganizationName, name);
    dn.push(DnType::CommonName, cn);
    dn
}

fn base_params(
    dn: DistinguishedName,
    serial: Vec<u8>,
    now: OffsetDateTime,
    validity: Duration,
) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    // Backdate a minute so that a relying party with a slightly slow clock accepts it.
    p.not_before = now - Duration::minutes(1);
    p.not_after = now + validity;
    p.use_authority_key_identifier_extension = true;
    p.key_identifier_method = KeyIdMethod::Sha256;
    p
}

/// Checks that a SubjectPublicKeyInfo is one the CA issues for: ECDSA P-256/P-384 with an
/// uncompressed point, or RSA of at least 2048 bits.
fn check_public_key(spki_der: &[u8]) -> Result<()> {
    let bad = |m: String| PkiError::UnsupportedPublicKey(m);
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(spki_der)
        .map_err(|e| bad(format!("malformed SubjectPublicKeyInfo: {e}")))?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| bad("the key is not a whole number of bytes".into()))?;
    let oid = spki.algorithm.oid;
    if oid == oids::EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let len = match curve {
            Some(c) if c == oids::SECP256R1 => 65,
            Some(c) if c == oids::SECP384R1 => 97,
            other => {
                return Err(bad(format!(
                    "EC key on {} (accepted: P-256, P-384)",
                    other.map_or("no named curve".into(), |c| c.to_string())
                )))
            }
        };
        if key.len() != len || key[0] != 0x04 {
            return Err(bad(format!(
                "EC point of {} bytes, expected an uncompressed {len}-byte point",
                key.len()
            )));
        }
        return Ok(());
    }
    if oid == oids::RSA_ENCRYPTION {
        let modulus = der::SliceReader::new(key)
            .and_then(|mut r| {
                use der::Reader;
                r.sequence(|r| {
                    let n = der::asn1::UintRef::decode(r)?;
                    let _e = der::asn1::UintRef::decode(r)?;
                    Ok(n.as_bytes().to_vec())
                })
            })
            .map_err(|e| bad(format!("malformed RSA key: {e}")))?;
        let bits = modulus.len() * 8 - modulus.first().map_or(8, |b| b.leading_zeros() as usize);
        if bits < 2048 {
            return Err(bad(format!("RSA key of {bits} bits (at least 2048)")));
        }
        return Ok(());
    }
    Err(bad(format!(
        "key algorithm {oid} (accepted: ECDSA P-256/P-384, RSA >= 2048)"
    )))
}

fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

impl Ca {
    /// Creates a new two-level hierarchy: root, issuing CA (pathLen 0), OCSP responder, TSA,
    /// with software keys.
    ///
    /// Serials come from `rng`. Key generation uses `ring`, which draws from the operating
    /// system's random source itself (its RNG trait is sealed and cannot be injected).
    pub fn init(
        name: &str,
        base_url: &str,
        key_alg: KeyAlg,
        now: OffsetDateTime,
        rng: &mut dyn rand_core::RngCore,
    ) -> Result<(Ca, CaKeys, CaRecord)> {
        let gen =
            || KeyPair::generate_for(key_alg.rcgen()).map_err(|e| PkiError::Key(e.to_string()));
        let (root_key, issuing_key, ocsp_key, tsa_key) = (gen()?, gen()?, gen()?, gen()?);
        let record = build_record(
            name,
            base_url,
            key_alg,
            now,
            rng,
            [&root_key, &issuing_key, &ocsp_key, &tsa_key],
        )?;
        let keys = CaKeys {
            root: pem_encode("PRIVATE KEY", &root_key.serialize_der()),
            issuing: pem_encode("PRIVATE KEY", &issuing_key.serialize_der()),
            ocsp: pem_encode("PRIVATE KEY", &ocsp_key.serialize_der()),
            tsa: pem_encode("PRIVATE KEY", &tsa_key.serialize_der()),
        };
        let ca = Ca::load(keys.clone(), record.clone())?;
        Ok((ca, keys, record))
    }

    /// Creates the same hierarchy over keys held elsewhere (a token, an HSM), all of
    /// algorithm `key_alg`.
    pub fn init_with_keys(
        name: &str,
        base_url: &str,
        key_alg: KeyAlg,
        now: OffsetDateTime,
        rng: &mut dyn rand_core::RngCore,
        keys: CaSigningKeys,
    ) -> Result<(Ca, CaRecord)> {
        for k in [&keys.root, &keys.issuing, &keys.ocsp, &keys.tsa] {
            if k.algorithm() != key_alg.rcgen() {
                return Err(PkiError::Key(format!("a CA key is not a {key_alg:?} key")));
            }
        }
        let record = build_record(
            name,
            base_url,
            key_alg,
            now,
            rng,
            [&*keys.root, &*keys.issuing, &*keys.ocsp, &*keys.tsa],
        )?;
        let ca = Ca::load_with_keys(keys, record.clone())?;
        Ok((ca, record))
    }

    /// Loads a CA from its saved software keys and record, checking that each key fits its
    /// certificate.
    pub fn load(keys: CaKeys, record: CaRecord) -> Result<Ca> {
        let signing = CaSigningKeys {
            root: software_key(&keys.root, "root")?,
            issuing: software_key(&keys.issuing, "issuing CA")?,
            ocsp: software_key(&keys.ocsp, "OCSP responder")?,
            tsa: software_key(&keys.tsa, "TSA")?,
        };
        let mut ca = Ca::load_with_keys(signing, record)?;
        ca.keys = Some(keys);
        Ok(ca)
    }

    /// Loads a CA whose keys are held elsewhere (a token, an HSM), checking that each key fits
    /// its certificate and the record's key algorithm.
    pub fn load_with_keys(keys: CaSigningKeys, record: CaRecord) -> Result<Ca> {
        if record.version != RECORD_VERSION {
            return Err(PkiError::State(format!(
                "record version {} (this build reads {RECORD_VERSION})",
                record.version
            )));
        }
        let alg = record.key_alg;
        let root = Signer::new(keys.root, &record.root_cert, alg, "root")?;
        let issuing = Signer::new(keys.issuing, &record.issuing_cert, alg, "issuing CA")?;
        let ocsp = Signer::new(keys.ocsp, &record.ocsp_cert, alg, "OCSP responder")?;
        let tsa = Signer::new(keys.tsa, &record.tsa_cert, alg, "TSA")?;
        // The responder also answers for the CA's own service certificates (the TSA's, its
        // own), so a validator checking a timestamp gets "good", not "unknown".
        let mut issued_serials: HashSet<String> =
            record.issued.iter().map(|e| e.serial.clone()).collect();
        for service in [&tsa, &ocsp] {
            issued_serials.insert(serial_hex(
                service.cert.tbs_certificate.serial_number.as_bytes(),
            ));
        }
        let issuer_hashes = crate::ocsp::IssuerHashes::of(&issuing.cert)?;
        Ok(Ca {
            record,
            keys: None,
            root,
            issuing,
            ocsp,
            tsa,
            issued_serials,
            issuer_hashes,
        })
    }

    /// The record to save (public data and counters).
    pub fn record(&self) -> &CaRecord {
        &self.record
    }

    /// The software keys to save (secret); `None` when the keys are held elsewhere.
    pub fn keys(&self) -> Option<&CaKeys> {
        self.keys.as_ref()
    }

    /// The key algorithm.
    pub fn key_alg(&self) -> KeyAlg {
        self.record.key_alg
    }

    /// DER of the root certificate.
    pub fn root_der(&self) -> &[u8] {
        &self.root.cert_der
    }

    /// DER of the issuing CA certificate.
    pub fn issuing_der(&self) -> &[u8] {
        &self.issuing.cert_der
    }

    /// DER of the OCSP responder certificate.
    pub fn ocsp_der(&self) -> &[u8] {
        &self.ocsp.cert_der
    }

    /// DER of the TSA certificate.
    pub fn tsa_der(&self) -> &[u8] {
        &self.tsa.cert_der
    }

    /// Whether the issuing CA issued a certificate with this serial (normal form, see [`serial_hex`]).
    pub fn has_issued(&self, serial: &str) -> bool {
        self.issued_serials.contains(serial)
    }

    /// The revocations recorded so far.
    pub fn revocations(&self) -> &RevocationList {
        &self.record.revoked
    }

    fn issuing_issuer(&self) -> Result<rcgen::Issuer<'static, &DynKey>> {
        Ok(rcgen::Issuer::from_ca_cert_der(
            &CertificateDer::from(self.issuing.cert_der.clone()),
            &*self.issuing.key,
        )?)
    }

    fn leaf_params(
        &self,
        profile: Profile,
        s: &Subject,
        serial: Vec<u8>,
        now: OffsetDateTime,
    ) -> Result<CertificateParams> {
        check_text("name", &s.name, 64)?;
        check_text("agency code", &s.agency_code, 64)?;
        let agency_name = if s.agency_name.trim().is_empty() {
            s.agency_code.trim()
        } else {
            check_text("agency name", &s.agency_name, 64)?;
            s.agency_name.trim()
        };
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CountryName,
            DnValue::PrintableString("VN".try_into().expect("ASCII")),
        );
        let validity = match profile {
            Profile::Person => {
                dn.push(DnType::OrganizationName, agency_name);
                if let Some(unit) = s.unit.as_deref().filter(|u| !u.trim().is_empty()) {
                    check_text("unit", unit, 64)?;
                    dn.push(DnType::OrganizationalUnitName, unit.trim());
                }
                if let Some(title) = s.title.as_deref().filter(|u| !u.trim().is_empty()) {
                    check_text("title", title, 64)?;
                    dn.push(arcs_dn(oids::AT_TITLE), title.trim());
                }
                dn.push(DnType::CommonName, s.name.trim());
                PERSON_VALIDITY
            }
            Profile::Organization => {
                dn.push(DnType::OrganizationName, s.name.trim());
                dn.push(
                    arcs_dn(oids::AT_ORGANIZATION_IDENTIFIER),
                    s.agency_code.trim(),
                );
                dn.push(DnType::CommonName, s.name.trim());
                ORGANIZATION_VALIDITY
            }
        };
        let mut sans = Vec::new();
        if let Some(email) = s.email.as_deref().filter(|e| !e.trim().is_empty()) {
            let email = email.trim();
            check_email(email)?;
            let v =
                rcgen::string::Ia5String::try_from(email).map_err(|_| PkiError::InvalidField {
                    field: "email",
                    reason: "not ASCII".into(),
                })?;
            dn.push(arcs_dn(oids::EMAIL_ADDRESS), DnValue::Ia5String(v.clone()));
            sans.push(SanType::Rfc822Name(v));
        }
        let issuing_not_after = self
            .issuing
            .cert
            .tbs_certificate
            .validity
            .not_after
            .to_unix_duration();
        let mut p = base_params(dn, serial, now, validity);
        let cap = OffsetDateTime::from_unix_timestamp(issuing_not_after.as_secs() as i64)
            .map_err(|e| PkiError::State(e.to_string()))?;
        if p.not_after > cap {
            p.not_after = cap;
        }
        p.subject_alt_names = sans;
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        let base = &self.record.base_url;
        p.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![format!("{base}/crl/issuing.crl")],
        }];
        // emailProtection only: NSS-based readers (pdfsig) accept no EKU or one with it.
        p.custom_extensions = vec![
            eku_ext(&[oids::KP_EMAIL_PROTECTION], false)?,
            aia_ext(base)?,
        ];
        Ok(p)
    }

    fn record_issue(
        &mut self,
        profile: Profile,
        s: &Subject,
        p: &CertificateParams,
        serial: &[u8],
        der: Vec<u8>,
    ) -> Issued {
        let serial = serial_hex(serial);
        self.record.issued.push(IssuedEntry {
            serial: serial.clone(),
            profile,
            name: s.name.trim().to_string(),
            not_before: unix(p.not_before),
            not_after: unix(p.not_after),
        });
        self.issued_serials.insert(serial.clone());
        Issued { der, serial }
    }

    /// Issues a certificate for the key in a PKCS#10 request (PEM or DER). The request's
    /// self-signature must verify; the subject and extensions it asks for are ignored and the
    /// profile applied.
    pub fn issue_from_csr(
        &mut self,
        profile: Profile,
        subject: &Subject,
        csr: &[u8],
        now: OffsetDateTime,
        rng: &mut dyn rand_core::RngCore,
    ) -> Result<Issued> {
        let spki_der = crate::csr::verify(csr)?;
        let spki = rcgen::SubjectPublicKeyInfo::from_der(&spki_der)
            .map_err(|e| PkiError::CsrUnsupportedAlgorithm(e.to_string()))?;
        self.issue_for_spki(profile, subject, &spki, now, rng)
    }

    /// Issues a certificate for a bare public key (DER SubjectPublicKeyInfo), with no request
    /// and therefore **no proof-of-possession check**.
    ///
    /// Only for a key the CA operator generated itself, in a device it controls: typically a
    /// key pair made inside the holder's PKCS#11 token by `signet ca issue --pkcs11-module`,
    /// whose public half is read back from that token. Possession is then true by
    /// construction. A public key that comes from anyone else must go through
    /// [`Ca::issue_from_csr`], which checks the request's signature.
    ///
    /// Accepted keys are those a CSR may carry: ECDSA P-256 or P-384 (uncompressed point), RSA
    /// of at least 2048 bits. The profile is applied exactly as for a CSR.
    pub fn issue_for_public_key(
        &mut self,
        profile: Profile,
        subject: &Subject,
        spki_der: &[u8],
        now: OffsetDateTime,
        rng: &mut dyn rand_core::RngCore,
    ) -> Result<Issued> {
        check_public_key(spki_der)?;
        let spki = rcgen::SubjectPublicKeyInfo::from_der(spki_der)
            .map_err(|e| PkiError::UnsupportedPublicKey(e.to_string()))?;
        self.issue_for_spki(profile, subject, &spki, now, rng)
    }

    /// The profile applied to a public key whose origin the caller vouched for.
    fn issue_for_spki(
        &mut self,
        profile: Profile,
        subject: &Subject,
        spki: &rcgen::SubjectPublicKeyInfo,
        now: OffsetDateTime,
        rng: &mut dyn rand_core::RngCore,
    ) -> Result<Issued> {
        let now = now.replace_nanosecond(0).expect("0 is a valid nanosecond");
        let serial = random_serial(rng)?;
        let p = self.leaf_params(profile, subject, serial.clone(), now)?;
        let cert = p.signed_by(spki, &self.issuing_issuer()?)?;
        Ok(self.record_issue(profile, subject, &p, &serial, cert.der().to_vec()))
    }

    /// Generates a key for the subject (the CA's key algorithm) and issues its certificate.
    pub fn issue_with_new_key(
        &mut self,
        profile: Profile,
        subject: &Subject,
        now: OffsetDateTime,
        rng: &mut dyn rand_core::RngCore,
    ) -> Result<(Issued, GeneratedKey)> {
        let key = match self.record.key_alg {
            KeyAlg::EcdsaP256 => HolderKey::EcdsaP256,
            KeyAlg::EcdsaP384 => HolderKey::EcdsaP384,
        };
        self.issue_with_new_key_of(profile, subject, key, now, rng)
    }

    /// Generates a key of kind `key` for the subject and issues its certificate.
    pub fn issue_with_new_key_of(
        &mut self,
        profile: Profile,
        subject: &Subject,
        key: HolderKey,
        now: OffsetDateTime,
        rng: &mut dyn rand_core::RngCore,
    ) -> Result<(Issued, GeneratedKey)> {
        let now = now.replace_nanosecond(0).expect("0 is a valid nanosecond");
        let serial = random_serial(rng)?;
        let p = self.leaf_params(profile, subject, serial.clone(), now)?;
        let key = key.generate(rng)?;
        let cert = p.signed_by(&key, &self.issuing_issuer()?)?;
        let issued = self.record_issue(profile, subject, &p, &serial, cert.der().to_vec());
        Ok((
            issued,
            GeneratedKey {
                pkcs8_der: key.serialize_der(),
            },
        ))
    }

    /// Records the revocation of a certificate this CA issued.
    pub fn revoke(&mut self, serial: &str, reason: Reason, now: OffsetDateTime) -> Result<()> {
        let serial = parse_serial(serial)?;
        if !self.issued_serials.contains(&serial) {
            return Err(PkiError::UnknownSerial(serial));
        }
        if self.record.revoked.get(&serial).is_some() {
            return Err(PkiError::AlreadyRevoked(serial));
        }
        self.record.revoked.entries.push(Revocation {
            serial,
            time: now.unix_timestamp(),
            reason,
        });
        Ok(())
    }

    /// The issuing CA's CRL over `revocations`, numbered `crl_number`.
    pub fn issuing_crl(
        &self,
        revocations: &RevocationList,
        crl_number: u64,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>> {
        let mut revoked = Vec::with_capacity(revocations.entries.len());
        for r in &revocations.entries {
            let bytes =
                hex::decode(&r.serial).map_err(|_| PkiError::UnknownSerial(r.serial.clone()))?;
            revoked.push(RevokedCertParams {
                serial_number: SerialNumber::from_slice(&bytes),
                revocation_time: OffsetDateTime::from_unix_timestamp(r.time)
                    .map_err(|e| PkiError::State(e.to_string()))?,
                reason_code: Some(r.reason.rcgen()),
                invalidity_date: None,
            });
        }
        crl(&self.issuing_issuer()?, revoked, crl_number, now)
    }

    /// The root's CRL, numbered `crl_number`. It lists no revoked CA: there is one issuing CA.
    pub fn root_crl(&self, crl_number: u64, now: OffsetDateTime) -> Result<Vec<u8>> {
        let issuer = rcgen::Issuer::from_ca_cert_der(
            &CertificateDer::from(self.root.cert_der.clone()),
            &*self.root.key,
        )?;
        crl(&issuer, Vec::new(), crl_number, now)
    }

    /// The next issuing-CA CRL from the recorded revocations, numbered by [`next_crl_number`];
    /// records the number.
    pub fn next_issuing_crl(&mut self, now: OffsetDateTime) -> Result<Vec<u8>> {
        let n = next_crl_number(self.record.crl_number, now);
        let der = self.issuing_crl(&self.record.revoked, n, now)?;
        self.record.crl_number = n;
        Ok(der)
    }

    /// The next root CRL, numbered by [`next_crl_number`]; records the number.
    pub fn next_root_crl(&mut self, now: OffsetDateTime) -> Result<Vec<u8>> {
        let n = next_crl_number(self.record.root_crl_number, now);
        let der = self.root_crl(n, now)?;
        self.record.root_crl_number = n;
        Ok(der)
    }

    /// The next TSA serial number; bumps the counter.
    pub fn next_tsa_serial(&mut self) -> u64 {
        self.record.tsa_serial += 1;
        self.record.tsa_serial
    }
}

/// Makes and signs the four CA certificates over the given keys.
fn build_record<K: rcgen::SigningKey + ?Sized>(
    name: &str,
    base_url: &str,
    key_alg: KeyAlg,
    now: OffsetDateTime,
    rng: &mut dyn rand_core::RngCore,
    keys: [&K; 4],
) -> Result<CaRecord> {
    check_text("CA name", name, 64)?;
    let base = base_url.trim().trim_end_matches('/').to_string();
    if !(base.starts_with("http://") || base.starts_with("https://")) || !base.is_ascii() {
        return Err(PkiError::InvalidField {
            field: "base url",
            reason: "must be an ASCII http:// or https:// URL".into(),
        });
    }
    let now = now.replace_nanosecond(0).expect("0 is a valid nanosecond");
    let [root_key, issuing_key, ocsp_key, tsa_key] = keys;

    // Root: self-signed, CA critical, keyCertSign + cRLSign critical.
    let mut rp = base_params(
        ca_dn(name, &format!("{name} Root CA")),
        random_serial(rng)?,
        now,
        ROOT_VALIDITY,
    );
    rp.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    rp.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    rp.use_authority_key_identifier_extension = false;
    let root_cert = rp.self_signed(&root_key)?;
    let root_issuer = rcgen::Issuer::new(rp, &root_key);

    // Issuing CA: pathLen 0, CDP of the root.
    let mut ip = base_params(
        ca_dn(name, &format!("{name} Issuing CA")),
        random_serial(rng)?,
        now,
        ISSUING_VALIDITY,
    );
    ip.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ip.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ip.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![format!("{base}/crl/root.crl")],
    }];
    let issuing_cert = ip.signed_by(&issuing_key, &root_issuer)?;
    let issuing_issuer = rcgen::Issuer::new(ip, &issuing_key);

    // OCSP responder: EKU OCSPSigning critical, id-pkix-ocsp-nocheck.
    let mut op = base_params(
        ca_dn(name, &format!("{name} OCSP Responder")),
        random_serial(rng)?,
        now,
        OCSP_VALIDITY,
    );
    op.is_ca = IsCa::ExplicitNoCa;
    op.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    op.custom_extensions = vec![
        eku_ext(&[oids::KP_OCSP_SIGNING], true)?,
        custom_ext(oids::OCSP_NOCHECK, false, vec![0x05, 0x00]),
    ];
    let ocsp_cert = op.signed_by(&ocsp_key, &issuing_issuer)?;

    // TSA: EKU timeStamping critical and alone.
    let mut tp = base_params(
        ca_dn(name, &format!("{name} Time-Stamping Authority")),
        random_serial(rng)?,
        now,
        TSA_VALIDITY.min(ISSUING_VALIDITY),
    );
    tp.is_ca = IsCa::ExplicitNoCa;
    tp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    tp.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![format!("{base}/crl/issuing.crl")],
    }];
    tp.custom_extensions = vec![eku_ext(&[oids::KP_TIME_STAMPING], true)?, aia_ext(&base)?];
    let tsa_cert = tp.signed_by(&tsa_key, &issuing_issuer)?;

    let record = CaRecord {
        version: RECORD_VERSION,
        name: name.trim().to_string(),
        base_url: base,
        key_alg,
        root_cert: pem_encode("CERTIFICATE", root_cert.der()),
        issuing_cert: pem_encode("CERTIFICATE", issuing_cert.der()),
        ocsp_cert: pem_encode("CERTIFICATE", ocsp_cert.der()),
        tsa_cert: pem_encode("CERTIFICATE", tsa_cert.der()),
        issued: Vec::new(),
        revoked: RevocationList::default(),
        crl_number: 0,
        root_crl_number: 0,
        tsa_serial: 0,
    };
    Ok(record)
}

/// The cRLNumber after `last`: the current Unix time, or `last + 1` if that is larger. It grows
/// even across processes that share no counter (a server and the command line), as long as the
/// clock does not go back.
pub fn next_crl_number(last: u64, now: OffsetDateTime) -> u64 {
    (last + 1).max(u64::try_from(now.unix_timestamp()).unwrap_or(0))
}

fn arcs_dn(oid: ObjectIdentifier) -> DnType {
    DnType::CustomDnType(oid.arcs().map(u64::from).collect())
}

fn crl(
    issuer: &rcgen::Issuer<'_, &DynKey>,
    revoked: Vec<RevokedCertParams>,
    crl_number: u64,
    now: OffsetDateTime,
) -> Result<Vec<u8>> {
    let now = now.replace_nanosecond(0).expect("0 is a valid nanosecond");
    let params = CertificateRevocationListParams {
        this_update: now,
        next_update: now + CRL_VALIDITY,
        crl_number: SerialNumber::from(crl_number),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Ok(params.signed_by(issuer)?.der().to_vec())
}
