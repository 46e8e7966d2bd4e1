//! For tests and benchmarks only (the `testing` feature): a person's key and certificate from
//! the application's built-in CA, as a signing device would hold them.

use signet_pki::{HolderKey, Profile, Subject};
use signet_signers::SoftwareKey;

use crate::ca_dir::{chain, pki_error, OsRng};
use crate::{App, AppError};

/// A P-256 key and a person certificate for the province's Chairman (`title` on the
/// certificate when given), issued by `app`'s built-in CA: the key, and the chain signer first.
pub async fn chairman_key(
    app: &App,
    title: Option<&str>,
) -> Result<(SoftwareKey, Vec<Vec<u8>>), AppError> {
    let ca = app.ca.clone().ok_or(AppError::NoCa)?;
    let mut loaded = ca.lock().await?;
    let subject = Subject {
        name: "Nguyễn Văn Hùng".into(),
        agency_name: "Ủy ban nhân dân tỉnh Lạc Hồng".into(),
        agency_code: "000.00.00.H99".into(),
        unit: None,
        title: title.map(str::to_owned),
        email: None,
    };
    let (issued, key) = loaded
        .ca
        .issue_with_new_key_of(
            Profile::Person,
            &subject,
            HolderKey::EcdsaP256,
            ca.now(),
            &mut OsRng,
        )
        .map_err(pki_error)?;
    loaded.save(ca.dir())?;
    let mut certificates = vec![issued.der.clone()];
    certificates.extend(chain(&loaded.ca));
    let key = SoftwareKey::from_pkcs8_der(&key.pkcs8_der)
        .map_err(|e| AppError::Ca(format!("the new key: {e}")))?;
    Ok((key, certificates))
}

/// `spec` and `files` (PDFs) as a packet signed with the seal key of the agency `code`, as
/// that agency's node would send it: for tests of packets a node must refuse although
/// they are genuinely signed.
pub async fn sealed_packet(
    app: &App,
    code: &str,
    spec: signet_edxml::Spec,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<u8>, AppError> {
    let code = signet_core::AgencyCode::parse(code)
        .map_err(|e| AppError::Ca(format!("agency code: {e}")))?;
    let agency = app.store.agency_by_code(&code).await?;
    Ok(app.seal_packet(&agency.id, spec, files).await?.packet)
}
