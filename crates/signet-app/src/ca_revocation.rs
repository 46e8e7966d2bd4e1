//! Revocation at the built-in CA and its CRLs: one use case for `signet ca revoke`/`crl` and
//! the web's certificate page.

use signet_pki::{PkiError, Reason};

use crate::ca_dir::{self, pki_error};
use crate::ca_service::BuiltInCa;
use crate::{AppError, Invalid};

/// A new issuing-CA CRL, as `signet ca crl` reports it.
#[derive(Debug, Clone)]
pub struct NewCrl {
    pub der: Vec<u8>,
    pub number: u64,
    pub revoked: usize,
}

/// A serial the CA does not know is the caller's mistake here (a typo on the command line),
/// not a missing page.
fn revocation_error(e: PkiError) -> AppError {
    match e {
        PkiError::UnknownSerial(_) => AppError::Invalid(Invalid::Serial {
            detail: e.to_string(),
        }),
        other => pki_error(other),
    }
}

impl BuiltInCa {
    /// Revokes `serial` (any spelling `signet_pki::parse_serial` reads) and saves. Returns
    /// the serial as the CA writes it.
    pub async fn revoke(&self, serial: &str, reason: Reason) -> Result<String, AppError> {
        let serial = signet_pki::parse_serial(serial).map_err(|e| {
            AppError::Invalid(Invalid::Serial {
                detail: e.to_string(),
            })
        })?;
        let now = self.now();
        let mut loaded = self.lock().await?;
        if let Err(e) = loaded.ca.revoke(&serial, reason, now) {
            loaded.discard_changes();
            return Err(revocation_error(e));
        }
        loaded.save(self.dir())?;
        Ok(serial)
    }

    /// Revokes (unless already done here), saves, and writes the new CRL to `issuing.crl` in
    /// the CA directory — the web's revocation, which must succeed when the CA already
    /// revoked it (the database is then brought in line).
    pub async fn revoke_and_publish(&self, serial: &str, reason: Reason) -> Result<(), AppError> {
        let now = self.now();
        let mut loaded = self.lock().await?;
        let done = loaded.ca.revocations().get(serial).is_some();
        let crl = (|| {
            if !done {
                loaded.ca.revoke(serial, reason, now).map_err(pki_error)?;
            }
            loaded.ca.next_issuing_crl(now).map_err(pki_error)
        })();
        let crl = match crl {
            Ok(c) => c,
            Err(e) => {
                loaded.discard_changes();
                return Err(e);
            }
        };
        loaded.save(self.dir())?;
        ca_dir::write_file(&self.dir().join("issuing.crl"), &crl, 0o644)
    }

    /// Whether this CA issued `serial` (lower-case hex).
    pub async fn has_issued(&self, serial: &str) -> Result<bool, AppError> {
        Ok(self.lock().await?.ca.has_issued(serial))
    }

    /// A certificate issued and saved whose holder never received it (its key or its record
    /// could not be written): revoked (cessationOfOperation) rather than left valid. Best
    /// effort: the caller is already failing.
    pub async fn withdraw(&self, serial: &str) {
        if let Err(e) = self
            .revoke_and_publish(serial, Reason::CessationOfOperation)
            .await
        {
            tracing::error!(serial, error = %e, "could not withdraw a certificate nobody received");
        }
    }

    /// The issuing CA's next CRL (its number saved in `state.json`).
    pub async fn next_crl(&self) -> Result<NewCrl, AppError> {
        let now = self.now();
        let mut loaded = self.lock().await?;
        let der = match loaded.ca.next_issuing_crl(now) {
            Ok(d) => d,
            Err(e) => {
                loaded.discard_changes();
                return Err(pki_error(e));
            }
        };
        loaded.save(self.dir())?;
        Ok(NewCrl {
            der,
            number: loaded.ca.record().crl_number,
            revoked: loaded.ca.revocations().entries.len(),
        })
    }
}
