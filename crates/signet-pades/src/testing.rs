//! A real PKI in the process, for tests and benchmarks: our CA (signet-pki) with its OCSP
//! responder, CRLs and TSA answering [`Services`] calls directly, and software keys on `ring`.
//! Nothing is mocked: the same code that serves these protocols over HTTP answers here.

use std::sync::Mutex;

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use signet_pki::validation::{RevocationNeed, TrustAnchors};
use signet_pki::{Ca, KeyAlg, Profile, RawSigner, SignatureAlgorithm, Subject};
use time::OffsetDateTime;

use crate::dss::Dss;
use crate::sign::Services;

/// Serial numbers for the CA (any distinct values do: tests need no secrecy).
struct Counter(u64);

impl rand_core::RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_be_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// A CA and its services, at a fixed "now".
pub struct LocalPki {
    ca: Mutex<Ca>,
    rng: Mutex<Counter>,
    pub now: OffsetDateTime,
}

/// A software ECDSA P-256 key and its certificate chain (holder first).
pub struct LocalKey {
    key: EcdsaKeyPair,
    rng: SystemRandom,
    pub chain: Vec<Vec<u8>>,
}

impl RawSigner for LocalKey {
    type Error = std::io::Error;
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaP256Sha256
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, std::io::Error> {
        self.key
            .sign(&self.rng, message)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| std::io::Error::other("ECDSA signing failed"))
    }
}

impl LocalPki {
    /// A fresh two-level CA (ECDSA P-256) made at `now`.
    pub fn new(now: OffsetDateTime) -> Result<LocalPki, signet_pki::PkiError> {
        let mut rng = Counter(now.unix_timestamp() as u64);
        let (ca, _, _) = Ca::init(
            "Local Test CA",
            "http://127.0.0.1:9",
            KeyAlg::EcdsaP256,
            now,
            &mut rng,
        )?;
        Ok(LocalPki {
            ca: Mutex::new(ca),
            rng: Mutex::new(rng),
            now,
        })
    }

    fn ca(&self) -> std::sync::MutexGuard<'_, Ca> {
        self.ca.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn root(&self) -> Vec<u8> {
        self.ca().root_der().to_vec()
    }

    pub fn anchors(&self) -> TrustAnchors {
        let mut a = TrustAnchors::new();
        let _ = a.add(&self.root());
        a
    }

    /// Issues a person's (or the agency's) certificate with a new key.
    pub fn issue(&self, name: &str, organization: bool) -> Result<LocalKey, signet_pki::PkiError> {
        let subject = Subject {
            name: name.to_owned(),
            agency_name: "Ủy ban nhân dân tỉnh Lạc Hồng".into(),
            agency_code: "000.00.00.H99".into(),
            unit: None,
            title: None,
            email: None,
        };
        let profile = if organization {
            Profile::Organization
        } else {
            Profile::Person
        };
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let mut ca = self.ca();
        let (issued, key) = ca.issue_with_new_key(profile, &subject, self.now, &mut *rng)?;
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &key.pkcs8_der, &rng)
            .map_err(|e| signet_pki::PkiError::Key(e.to_string()))?;
        Ok(LocalKey {
            key,
            rng,
            chain: vec![issued.der, ca.issuing_der().to_vec()],
        })
    }

    /// Revokes a certificate (keyCompromise) at `now`.
    pub fn revoke(&self, serial_hex: &str) -> Result<(), signet_pki::PkiError> {
        self.revoke_at(serial_hex, self.now)
    }

    /// Revokes a certificate (keyCompromise) with the revocation time `at`.
    pub fn revoke_at(
        &self,
        serial_hex: &str,
        at: OffsetDateTime,
    ) -> Result<(), signet_pki::PkiError> {
        self.ca()
            .revoke(serial_hex, signet_pki::Reason::KeyCompromise, at)
    }

    /// The issuing CA's CRL (every revocation recorded so far) and the root's CRL, both
    /// produced at `at`: what a verifier fetches, or an archive kept, at that time.
    pub fn crls(&self, at: OffsetDateTime) -> Result<Vec<Vec<u8>>, signet_pki::PkiError> {
        let ca = self.ca();
        Ok(vec![
            ca.issuing_crl(ca.revocations(), 1, at)?,
            ca.root_crl(1, at)?,
        ])
    }
}

impl Services for LocalPki {
    fn timestamp(&self, request: &[u8]) -> Result<Vec<u8>, String> {
        let mut ca = self.ca();
        let serial = ca.next_tsa_serial();
        Ok(ca.timestamp(request, serial, self.now))
    }

    fn revocation(&self, needs: &[RevocationNeed], _at: OffsetDateTime) -> Dss {
        let ca = self.ca();
        let mut out = Dss::default();
        for need in needs {
            if !need.ocsp_urls.is_empty() {
                out.ocsps
                    .push(ca.respond(&need.ocsp_request_der, ca.revocations(), self.now));
            } else if let Ok(crl) = ca.root_crl(1, self.now) {
                if !out.crls.contains(&crl) {
                    out.crls.push(crl);
                }
            }
        }
        out
    }
}
