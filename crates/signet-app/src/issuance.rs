//! Issuing a certificate from the built-in CA: one use case for `signet ca issue` and the
//! web's certificate page. The CA signs, saves `state.json` and keeps `issued/SERIAL.json`
//! (what the database's inventory needs, see [`crate::ca_inventory`]); recording in the
//! database is the caller's next step ([`crate::App::issue_and_record`]) when it has one.

use std::path::PathBuf;

use signet_pki::{HolderKey, Issued, Profile, Subject};
use signet_store::certificates::{CertificateKind, DeviceKind};

use crate::ca_dir::{self, pki_error, IssuedFile, OsRng};
use crate::ca_service::{BuiltInCa, LoadedCa};
use crate::{AppError, Invalid};

/// The holder's PKCS#11 token, where a new key pair is generated and the certificate stored.
#[derive(Debug, Clone)]
pub struct HolderToken {
    pub module: PathBuf,
    /// The token's label.
    pub token: String,
    pub pin: String,
    /// Label and CKA_ID of the key pair and the certificate.
    pub label: String,
}

/// Where the holder's key comes from.
pub enum NewKey {
    /// A PKCS#10 request (PEM or DER); no key leaves the holder. Its subject and extensions
    /// are ignored.
    Request {
        csr: Vec<u8>,
        device: DeviceKind,
        label: String,
    },
    /// A key generated here (`None`: the CA's own algorithm), handed over once in a PKCS#12
    /// file protected by `password`.
    Generated {
        key: Option<HolderKey>,
        password: String,
    },
    /// A key pair generated inside the holder's token (sensitive, not extractable); the
    /// certificate is stored next to it. `device` is what the inventory shows: `Pkcs11` for
    /// a holder's token, `Remote` for a key the server's HSM keeps for a remote credential.
    Token {
        token: HolderToken,
        key: HolderKey,
        device: DeviceKind,
    },
    /// The public key of a key pair a keystore of this server made and keeps (the demo's
    /// software keystore of remote credentials): no CSR, possession is by construction.
    PublicKey {
        /// DER SubjectPublicKeyInfo.
        spki: Vec<u8>,
        device: DeviceKind,
        label: String,
    },
}

/// A certificate to issue.
pub struct Order {
    pub kind: CertificateKind,
    /// The person, when the issuer knows them (recorded as the holder).
    pub holder_id: Option<String>,
    pub subject: Subject,
    pub key: NewKey,
}

/// What an issuance gives back. The PKCS#12 file exists only here: it is not stored.
pub struct Issuance {
    pub issued: Issued,
    pub pkcs12: Option<Vec<u8>>,
    /// The issuing CA's certificate, then the root's.
    pub chain: Vec<Vec<u8>>,
    /// What the CA directory keeps of it, and the database records.
    pub record: IssuedFile,
    /// For a key on a token: whether the certificate could be stored there too (the
    /// certificate is issued either way).
    pub stored_on_token: Option<Result<(), String>>,
}

impl std::fmt::Debug for Issuance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuance")
            .field("serial", &self.issued.serial)
            .field("pkcs12", &self.pkcs12.as_ref().map(|_| ".."))
            .finish_non_exhaustive()
    }
}

fn profile(kind: CertificateKind) -> Profile {
    match kind {
        CertificateKind::Personal => Profile::Person,
        CertificateKind::Organization => Profile::Organization,
    }
}

impl BuiltInCa {
    /// Issues `order`: signs, saves `state.json`, then writes `issued/SERIAL.json`. A step
    /// that fails leaves the CA as it was on disk (a key generated on a token for it is
    /// removed again).
    pub async fn issue(&self, order: Order) -> Result<Issuance, AppError> {
        let Order {
            kind,
            holder_id,
            subject,
            key,
        } = order;
        if let NewKey::Token { token, key, device } = key {
            return self
                .issue_on_token(kind, holder_id, subject, token, key, device)
                .await;
        }
        let now = self.now();
        let mut loaded = self.lock().await?;
        let signed = sign(&mut loaded, profile(kind), &subject, key, now).await;
        let (issued, pkcs12, device, label) = match signed {
            Ok(x) => x,
            Err(e) => {
                loaded.discard_changes();
                return Err(e);
            }
        };
        loaded.save(self.dir())?;
        let chain = ca_dir::chain(&loaded.ca);
        drop(loaded);
        let record = self.keep(kind, holder_id, &subject, &issued, device, label);
        Ok(Issuance {
            issued,
            pkcs12,
            chain,
            record,
            stored_on_token: None,
        })
    }

    /// `issued/SERIAL.json`. The certificate is issued and saved already: a failure here is
    /// logged, not returned (the database row, when there is one, is the inventory's record).
    fn keep(
        &self,
        kind: CertificateKind,
        holder_id: Option<String>,
        subject: &Subject,
        issued: &Issued,
        device: DeviceKind,
        label: String,
    ) -> IssuedFile {
        let file = IssuedFile {
            serial: issued.serial.clone(),
            agency_code: subject.agency_code.trim().to_owned(),
            kind: kind.as_str().to_owned(),
            holder_id,
            holder_name: subject.name.trim().to_owned(),
            device_kind: device.as_str().to_owned(),
            device_label: label,
            certificate: issued.pem(),
        };
        if let Err(e) = ca_dir::save_issued(self.dir(), &file) {
            tracing::error!(serial = %file.serial, error = %e, "issued-certificate file not written");
        }
        file
    }

    /// The key pair is generated inside the holder's token and the certificate issued for its
    /// public half (no CSR: the key was made here, on a token the operator holds, so
    /// possession is by construction). The private key never leaves the token.
    async fn issue_on_token(
        &self,
        kind: CertificateKind,
        holder_id: Option<String>,
        subject: Subject,
        holder: HolderToken,
        key: HolderKey,
        device: DeviceKind,
    ) -> Result<Issuance, AppError> {
        let token_err = |e: signet_signers::SignerError| AppError::Ca(e.to_string());
        let label = holder.label.clone();
        if label.trim().is_empty() {
            return Err(AppError::Invalid(Invalid::KeyLabelEmpty));
        }
        let token = signet_signers::Token::open(&holder.module, &holder.token, &holder.pin)
            .map_err(token_err)?;
        if token.certificate(&label).map_err(token_err)?.is_some() {
            return Err(AppError::Invalid(Invalid::KeyLabelTaken { label }));
        }
        let spki = generate(&token, &label, key)
            .map_err(token_err)?
            .public_key_info_der();
        let now = self.now();
        let mut loaded = self.lock().await?;
        let signed = loaded
            .ca
            .issue_for_public_key(profile(kind), &subject, &spki, now, &mut OsRng)
            .map_err(|e| AppError::Ca(e.to_string()));
        let issued = match signed.and_then(|i| loaded.save(self.dir()).map(|()| i)) {
            Ok(i) => i,
            Err(e) => {
                loaded.discard_changes();
                // Nothing was issued (or recorded): take the new key pair off the token again.
                return Err(AppError::Ca(match token.destroy_key_pair(&label) {
                    Ok(_) => format!("{e} (the key pair generated on the token was removed)"),
                    Err(u) => format!(
                        "{e}; the key pair {label:?} generated on the token could not be removed: {u}"
                    ),
                }));
            }
        };
        let chain = ca_dir::chain(&loaded.ca);
        drop(loaded);
        let stored = token
            .store_certificate(&label, &issued.der)
            .map_err(|e| e.to_string());
        let record = self.keep(kind, holder_id, &subject, &issued, device, label);
        Ok(Issuance {
            issued,
            pkcs12: None,
            chain,
            record,
            stored_on_token: Some(stored),
        })
    }
}

fn generate(
    token: &signet_signers::Token,
    label: &str,
    key: HolderKey,
) -> Result<signet_signers::Pkcs11Key, signet_signers::SignerError> {
    match key {
        HolderKey::EcdsaP256 => token.generate(label, signet_signers::Curve::P256),
        HolderKey::EcdsaP384 => token.generate(label, signet_signers::Curve::P384),
        HolderKey::Rsa2048 => token.generate_rsa(label, 2048),
        HolderKey::Rsa3072 => token.generate_rsa(label, 3072),
    }
}

type Signed = (Issued, Option<Vec<u8>>, DeviceKind, String);

/// Signs the certificate (and, for a generated key, builds the PKCS#12 file off the async
/// workers: 600,000 PBKDF2 iterations take a while). Changes only the in-memory CA.
async fn sign(
    loaded: &mut LoadedCa,
    profile: Profile,
    subject: &Subject,
    key: NewKey,
    now: time::OffsetDateTime,
) -> Result<Signed, AppError> {
    match key {
        NewKey::Request { csr, device, label } => {
            let issued = loaded
                .ca
                .issue_from_csr(profile, subject, &csr, now, &mut OsRng)
                .map_err(pki_error)?;
            Ok((issued, None, device, label))
        }
        NewKey::Generated { key, password } => {
            if password.is_empty() {
                return Err(AppError::Invalid(Invalid::EmptyPassword));
            }
            let (issued, key) = match key {
                Some(k) => loaded
                    .ca
                    .issue_with_new_key_of(profile, subject, k, now, &mut OsRng),
                None => loaded
                    .ca
                    .issue_with_new_key(profile, subject, now, &mut OsRng),
            }
            .map_err(pki_error)?;
            let chain = ca_dir::chain(&loaded.ca);
            let (cert, alias) = (issued.der.clone(), subject.name.clone());
            let p12 = tokio::task::spawn_blocking(move || {
                ca_dir::pkcs12(&cert, &key.pkcs8_der, &chain, &alias, &password)
            })
            .await
            .map_err(|e| AppError::Ca(format!("PKCS#12: {e}")))??;
            Ok((issued, Some(p12), DeviceKind::Software, "PKCS#12".into()))
        }
        NewKey::PublicKey {
            spki,
            device,
            label,
        } => {
            let issued = loaded
                .ca
                .issue_for_public_key(profile, subject, &spki, now, &mut OsRng)
                .map_err(pki_error)?;
            Ok((issued, None, device, label))
        }
        // A caller's mistake in this crate, not the user's input.
        NewKey::Token { .. } => Err(AppError::Ca(
            "a key on a token is issued by issue_on_token".into(),
        )),
    }
}
