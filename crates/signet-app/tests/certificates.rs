//! Certificate use cases where the web suite cannot reach: a database failure after the CA
//! signed (the certificate is withdrawn, not left valid and unlisted), concurrent issuances
//! (one CA state, every certificate recorded once), and a CA directory changed by
//! `signet ca …` beside the running application.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::testing::support::viewer;
use std::sync::Arc;

use signet_app::ca_service::BuiltInCa;
use signet_app::certificates::CertificateForm;
use signet_app::{App, AppError, SystemClock};
use signet_store::certificates::CertFilter;
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;

async fn app_with_ca(db: &TestDb) -> (App, std::path::PathBuf) {
    let dir = db.dir.join("ca");
    signet_app::ca_dir::init(
        &dir,
        "CA kiểm thử",
        "http://127.0.0.1:8081",
        signet_pki::KeyAlg::EcdsaP256,
        None,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let blobs = BlobStore::open(&db.dir.join("blobs"), 1 << 20)
        .await
        .unwrap();
    let app = App::new(db.store.clone(), blobs, Arc::new(SystemClock))
        .with_ca(BuiltInCa::open(&dir).unwrap());
    assert!(app.seed_demo().await.unwrap());
    (app, dir)
}

fn seal(password: &str) -> CertificateForm {
    CertificateForm {
        kind: "organization".into(),
        password: password.into(),
        ..Default::default()
    }
}

fn record(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("state.json")).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_the_database_did_not_record_is_withdrawn() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let (app, dir) = app_with_ca(&db).await;
        let admin = viewer(&app, "quantri.ubnd").await;
        let issued_before = record(&dir)["issued"].as_array().unwrap().len();
        signet_store::testing::execute(&db.store, "DROP TABLE certificates")
            .await
            .unwrap();
        let r = app.request_certificate(&admin, &seal("Mật khẩu-8")).await;
        assert!(matches!(r, Err(AppError::Internal(_))), "{r:?}");
        // The CA signed it, and then revoked it: nobody holds it, nothing lists it.
        let rec = record(&dir);
        let issued = rec["issued"].as_array().unwrap();
        assert_eq!(issued.len(), issued_before + 1);
        let serial = issued.last().unwrap()["serial"].as_str().unwrap();
        let revoked = rec["revoked"]["entries"].as_array().unwrap();
        let entry = revoked
            .iter()
            .find(|e| e["serial"] == serial)
            .expect("withdrawn");
        assert_eq!(entry["reason"], "cessationOfOperation");
        assert!(dir.join("issuing.crl").exists(), "a new CRL was written");
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_issuances_share_one_ca_state() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let (app, dir) = app_with_ca(&db).await;
        let admin = viewer(&app, "quantri.snv").await;
        let before = record(&dir)["issued"].as_array().unwrap().len();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (app, admin) = (app.clone(), admin.clone());
                tokio::spawn(
                    async move { app.request_certificate(&admin, &seal("12345678")).await },
                )
            })
            .collect();
        let mut serials = Vec::new();
        for t in tasks {
            let issued = t.await.unwrap().unwrap();
            assert!(issued.pkcs12.as_ref().is_some_and(|p| p.len() > 500));
            serials.push(issued.certificate.serial);
        }
        serials.sort();
        serials.dedup();
        assert_eq!(serials.len(), 4);
        // None of the four writes lost another's: the CA lists them all, and so does the
        // agency (plus the demo's seal).
        let rec = record(&dir);
        let issued: Vec<&str> = rec["issued"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["serial"].as_str().unwrap())
            .collect();
        assert_eq!(issued.len(), before + 4);
        assert!(serials.iter().all(|s| issued.contains(&s.as_str())));
        let filter = CertFilter {
            limit: 50,
            ..Default::default()
        };
        let list = app.certificates(&admin, &filter).await.unwrap();
        assert_eq!(list.totals.total, 5);
        assert_eq!(list.totals.organization, 5);
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ca_is_reloaded_when_its_directory_changes() {
    let db = signet_store::testing::sqlite().await.unwrap();
    let (app, dir) = app_with_ca(&db).await;
    let admin = viewer(&app, "quantri.ubnd").await;
    let list = app
        .certificates(
            &admin,
            &CertFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let serial = list.page.certificates[0].serial.clone();
    // `signet ca revoke` runs beside the server: it loads, revokes and saves on its own.
    let mut other = signet_app::ca_dir::load(&dir).unwrap();
    other
        .revoke(
            &serial,
            signet_pki::Reason::Superseded,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    // Make sure the file time moves even on a coarse clock.
    std::thread::sleep(std::time::Duration::from_millis(20));
    signet_app::ca_dir::save_record(&dir, &other).unwrap();
    // The application sees it: revoking again does not revoke twice at the CA, and the
    // list is brought in line.
    let c = app
        .revoke_certificate(&admin, &serial, "keyCompromise")
        .await
        .unwrap();
    assert!(c.revoked_at_ms.is_some());
    let rec = record(&dir);
    let entries: Vec<_> = rec["revoked"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["serial"] == serial.as_str())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        entries[0]["reason"], "superseded",
        "the CA's first word stands"
    );
    // A clerk may do none of this.
    let clerk = viewer(&app, "vanthu.ubnd").await;
    assert!(matches!(
        app.request_certificate(&clerk, &seal("12345678")).await,
        Err(AppError::Forbidden(_))
    ));
    db.cleanup().await;
}

/// What `signet ca issue` and `signet ca revoke` do on the CA directory alone, as the
/// application's inventory sees it afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_issued_and_revoked_at_the_ca_alone_reach_the_inventory() {
    use signet_app::issuance::{NewKey, Order};
    use signet_store::certificates::{CertificateKind, DeviceKind};
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let (app, dir) = app_with_ca(&db).await;
        let admin = viewer(&app, "quantri.ubnd").await;
        let all = CertFilter {
            limit: 50,
            ..Default::default()
        };
        let before = app.certificates(&admin, &all).await.unwrap().totals.total;
        // Another process's CA service on the same directory, with no database.
        let cli = BuiltInCa::open(&dir).unwrap();
        let order = |name: &str, agency: &str| Order {
            kind: CertificateKind::Personal,
            holder_id: None,
            subject: signet_pki::Subject {
                name: name.into(),
                agency_code: agency.into(),
                ..Default::default()
            },
            key: NewKey::Generated {
                key: None,
                password: "mật-khẩu-1".into(),
            },
        };
        let kept = cli
            .issue(order("Phan Văn Giữ", "000.00.00.H99"))
            .await
            .unwrap();
        let revoked = cli
            .issue(order("Vũ Thị Thu Hồi", "000.00.00.H99"))
            .await
            .unwrap();
        // An agency this database does not have: left out, the rest still recorded.
        cli.issue(order("Người Nơi Khác", "000.00.99.H99"))
            .await
            .unwrap();
        cli.revoke(&revoked.issued.serial, signet_pki::Reason::KeyCompromise)
            .await
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let list = app.certificates(&admin, &all).await.unwrap();
        assert_eq!(
            list.totals.total,
            before + 2,
            "{:?}",
            list.page.certificates
        );
        let find = |serial: &str| {
            list.page
                .certificates
                .iter()
                .find(|c| c.serial == serial)
                .unwrap_or_else(|| panic!("{serial} listed"))
                .clone()
        };
        let k = find(&kept.issued.serial);
        assert_eq!(k.holder_name, "Phan Văn Giữ");
        assert_eq!(k.device_kind, DeviceKind::Software);
        assert!(k.revoked_at_ms.is_none());
        let r = find(&revoked.issued.serial);
        assert_eq!(r.revocation_reason.as_deref(), Some("keyCompromise"));
        // Listed again: nothing recorded twice.
        assert_eq!(app.sync_ca_inventory().await.unwrap(), 0);
        let again = app.certificates(&admin, &all).await.unwrap();
        assert_eq!(again.totals.total, before + 2);
        db.cleanup().await;
    }
}
