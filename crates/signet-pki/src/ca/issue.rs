//! Issuing leaf certificates by profile: from a CSR, for a bare public key, or with a key the
//! CA generates.

use rcgen::{
    CertificateParams, CrlDistributionPoint, DnType, DnValue, IsCa, KeyUsagePurpose, SanType,
};
use time::OffsetDateTime;

use super::checks::{check_email, check_public_key, check_text};
use super::extensions::{aia_ext, arcs_dn, base_params, eku_ext, vn_dn};
use super::keys::{GeneratedKey, HolderKey, KeyAlg};
use super::loaded::Ca;
use super::profile::{Profile, Subject, ORGANIZATION_VALIDITY, PERSON_VALIDITY};
use super::record::{Issued, IssuedEntry};
use super::rng::random_serial;
use crate::error::{PkiError, Result};
use crate::oids;
use crate::serial::serial_hex;

impl Ca {
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
        let mut dn = vn_dn();
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
            not_before: p.not_before.unix_timestamp(),
            not_after: p.not_after.unix_timestamp(),
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
        let now = now.replace_nanosecond(0).unwrap_or(now); // 0 is always a valid nanosecond
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
        let now = now.replace_nanosecond(0).unwrap_or(now); // 0 is always a valid nanosecond
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
}
