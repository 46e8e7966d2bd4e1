//! A loaded CA: its four signers, its record and what it answers about them.

use std::collections::HashSet;

use rcgen::KeyPair;
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;

use super::hierarchy::build_record;
use super::keys::{software_key, CaKeys, CaSigningKeys, DynKey, KeyAlg, Signer};
use super::record::{CaRecord, RECORD_VERSION};
use crate::certid::IssuerHashes;
use crate::error::{PkiError, Result};
use crate::pem::pem_encode;
use crate::revocation::RevocationList;
use crate::serial::serial_hex;

/// A loaded CA.
pub struct Ca {
    pub(super) record: CaRecord,
    keys: Option<CaKeys>,
    pub(crate) root: Signer,
    pub(crate) issuing: Signer,
    pub(crate) ocsp: Signer,
    pub(crate) tsa: Signer,
    pub(super) issued_serials: HashSet<String>,
    pub(crate) issuer_hashes: IssuerHashes,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("name", &self.record.name)
            .finish_non_exhaustive()
    }
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
        let (root, issuing, ocsp, tsa) = (gen()?, gen()?, gen()?, gen()?);
        let pem = |k: &KeyPair| pem_encode("PRIVATE KEY", &k.serialize_der());
        let keys = CaKeys {
            root: pem(&root),
            issuing: pem(&issuing),
            ocsp: pem(&ocsp),
            tsa: pem(&tsa),
        };
        let signing = CaSigningKeys {
            root: Box::new(root),
            issuing: Box::new(issuing),
            ocsp: Box::new(ocsp),
            tsa: Box::new(tsa),
        };
        let (mut ca, record) = Ca::init_with_keys(name, base_url, key_alg, now, rng, signing)?;
        ca.keys = Some(keys.clone());
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
        let issuer_hashes = IssuerHashes::of(&issuing.cert)?;
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

    pub(super) fn issuing_issuer(&self) -> Result<rcgen::Issuer<'static, &DynKey>> {
        Ok(rcgen::Issuer::from_ca_cert_der(
            &CertificateDer::from(self.issuing.cert_der.clone()),
            &*self.issuing.key,
        )?)
    }

    /// The next TSA serial number; bumps the counter.
    pub fn next_tsa_serial(&mut self) -> u64 {
        self.record.tsa_serial += 1;
        self.record.tsa_serial
    }
}
