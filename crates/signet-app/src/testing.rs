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

/// What most application tests share: a clock they move, a CA in the test's folder, an
/// application on a test database with that CA and its root trusted, the demo's people as
/// viewers, a draft made from the demo's template, and a device's signature. Test support:
/// a failed step panics with its message.
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub mod support {
    use std::path::Path;
    use std::sync::{Arc, Mutex};

    use signet_core::document::Secrecy;
    use signet_core::person::Viewer;
    use signet_core::DocumentId;
    use signet_pades::sign::Pending;
    use signet_pki::validation::TrustAnchors;
    use signet_pki::RawSigner;
    use signet_signers::SoftwareKey;
    use signet_store::documents::{NewDocument, NewFile};
    use signet_store::testing::TestDb;
    use signet_store::BlobStore;
    use time::OffsetDateTime;

    use crate::ca_service::BuiltInCa;
    use crate::verification::Verifier;
    use crate::{App, Clock};

    /// A clock the test sets and moves.
    pub struct TestClock(pub Mutex<OffsetDateTime>);

    impl TestClock {
        pub fn at(t: OffsetDateTime) -> Arc<Self> {
            Arc::new(Self(Mutex::new(t)))
        }

        pub fn advance(&self, by: time::Duration) {
            *self.0.lock().unwrap() += by;
        }

        pub fn advance_ms(&self, ms: i64) {
            self.advance(time::Duration::milliseconds(ms));
        }
    }

    impl Clock for TestClock {
        fn now(&self) -> OffsetDateTime {
            *self.0.lock().unwrap()
        }
    }

    /// A fresh built-in CA in `dir/ca`, valid from `now`.
    pub fn init_ca(dir: &Path, now: OffsetDateTime) {
        crate::ca_dir::init(
            &dir.join("ca"),
            "CA thử nghiệm",
            "http://127.0.0.1:9",
            signet_pki::KeyAlg::EcdsaP256,
            None,
            now,
        )
        .unwrap();
    }

    /// An application on `db` with the CA of `db.dir/ca` (its root trusted), time-stamping
    /// at `tsa` when given (else with the built-in CA).
    pub async fn app_with_tsa(db: &TestDb, clock: Arc<dyn Clock>, tsa: Option<&str>) -> App {
        let blobs = BlobStore::open(db.dir.join("blobs"), 64 << 20)
            .await
            .unwrap();
        let ca = BuiltInCa::open(&db.dir.join("ca")).unwrap();
        let root = std::fs::read(db.dir.join("ca/root.pem")).unwrap();
        let mut anchors = TrustAnchors::new();
        anchors.add_pem_or_der(&root).unwrap();
        App::new(db.store.clone(), blobs, clock)
            .with_signing(crate::web_signing::Setup {
                tsa: tsa.map(str::to_owned),
                ..Default::default()
            })
            .with_ca(ca)
            .with_verifier(Verifier::new(anchors, false))
    }

    /// A person of the database as a viewer.
    pub async fn viewer(app: &App, username: &str) -> Viewer {
        let p = app.store.person_by_username(username).await.unwrap();
        Viewer {
            person_id: p.id,
            agency_id: p.agency_id,
            roles: p.roles,
        }
    }

    /// Makes `levels` (one reviewer per level) then `signer` the default route of the
    /// officer's unit, as the agency's administrator (`quantri.ubnd`) does.
    pub async fn route_unit_of(app: &App, officer: &Viewer, levels: &[&Viewer], signer: &Viewer) {
        let admin = viewer(app, "quantri.ubnd").await;
        let unit = app
            .store
            .person(&officer.person_id)
            .await
            .unwrap()
            .unit_id
            .unwrap();
        let route = crate::drafting::RouteForm {
            levels: levels
                .iter()
                .map(|v| vec![v.person_id.to_string()])
                .collect(),
            signer_id: signer.person_id.to_string(),
        };
        app.set_unit_route(&admin, &unit, &route).await.unwrap();
    }

    /// An officer's draft made from the demo's template (with the number fields), submitted
    /// along the drafting unit's default route.
    pub async fn submitted_draft(app: &App, officer: &Viewer, subject: &str) -> DocumentId {
        draft_of(app, officer, subject, Secrecy::default()).await
    }

    /// [`submitted_draft`] of a given secrecy.
    pub async fn draft_of(
        app: &App,
        officer: &Viewer,
        subject: &str,
        secrecy: Secrecy,
    ) -> DocumentId {
        let pdf = crate::demo::sample_pdf(subject);
        let mut w = app.blobs.writer().await.unwrap();
        w.write(&pdf).await.unwrap();
        let blob = w.finish().await.unwrap();
        let new = NewDocument {
            agency_id: officer.agency_id.clone(),
            doc_type: signet_core::document::DocumentType::CongVan,
            subject: subject.into(),
            urgency: Default::default(),
            secrecy,
            signer_name: String::new(),
            signer_position: String::new(),
            pages: Some(1),
            recipients: String::new(),
            due_on: None,
            drafting_unit_id: app.store.person(&officer.person_id).await.unwrap().unit_id,
            created_by: officer.person_id.clone(),
            files: vec![NewFile {
                blob,
                file_name: "du-thao.pdf".into(),
                content_type: "application/pdf".into(),
                kind: "main".into(),
            }],
        };
        let d = app
            .store
            .insert_draft(&new, app.clock.now_ms())
            .await
            .unwrap();
        app.submit(officer, &d.id).await.unwrap();
        d.id
    }

    /// What the device signs: the prepared signed attributes (the device is given their
    /// digest; a software key signs the attributes themselves, which is the same signature).
    pub async fn device_sign(
        app: &App,
        signer: &Viewer,
        pending_id: &str,
        key: &SoftwareKey,
    ) -> Vec<u8> {
        let row = app
            .store
            .pending_signature(&signer.agency_id, pending_id)
            .await
            .unwrap();
        let pending: Pending = serde_json::from_str(&row.state_json).unwrap();
        key.sign(&pending.to_be_signed).unwrap()
    }

    /// The leader signs `doc` with a device holding `key` (certificate chain `chain`).
    pub async fn leader_signs(
        app: &App,
        leader: &Viewer,
        doc: &DocumentId,
        key: &SoftwareKey,
        chain: &[Vec<u8>],
    ) {
        let p = app
            .prepare_signature(leader, doc, "agent", chain.to_vec())
            .await
            .unwrap();
        let sig = device_sign(app, leader, &p.pending_id, key).await;
        app.complete_signature(leader, &p.pending_id, &sig, chain)
            .await
            .unwrap();
    }
}
