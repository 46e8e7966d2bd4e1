//! The server-held personal key (issue 9 §1): off until the agency's administrator allows
//! it; then a leader signs one document or a batch from the page with one PIN, the key in
//! the server's HSM (SoftHSM2). A wrong PIN counts toward the lockout; a batch interrupted
//! between its documents (a "crash": a new application on the same database) leaves each
//! document signed or untouched, and signing the rest finishes it. The credential shows in
//! the inventory as a remote device. pdfsig (and pyHanko when installed) accept the files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::testing::support::{submitted_draft, viewer};
use std::sync::Arc;

use signet_app::ca_service::BuiltInCa;
use signet_app::demo::DEMO_PASSWORD;
use signet_app::remote_signing::RemoteSigning;
use signet_app::server_keys::{HsmConfig, ServerKeys};
use signet_app::verification::Verifier;
use signet_app::{App, AppError, Invalid, SystemClock};
use signet_core::person::Viewer;
use signet_core::DocumentId;
use signet_pki::validation::TrustAnchors;
use signet_store::certificates::{CertFilter, DeviceKind};
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use signet_testkit::softhsm::SoftHsm;
use time::OffsetDateTime;

/// An application on `db` sharing the HSM session `remote` (one PKCS#11 context per process:
/// a second one, dropped, would finalize the module under the first).
async fn app_on(db: &TestDb, remote: &Arc<RemoteSigning>) -> App {
    let blobs = BlobStore::open(db.dir.join("blobs"), 64 << 20)
        .await
        .unwrap();
    let root = std::fs::read(db.dir.join("ca/root.pem")).unwrap();
    let mut anchors = TrustAnchors::new();
    anchors.add_pem_or_der(&root).unwrap();
    let mut app = App::new(db.store.clone(), blobs, Arc::new(SystemClock))
        .with_ca(BuiltInCa::open(&db.dir.join("ca")).unwrap())
        .with_verifier(Verifier::new(anchors, false));
    app.remote = Arc::clone(remote);
    app
}

fn refusal(e: AppError) -> String {
    match e {
        AppError::Invalid(Invalid::SignatureRefused { detail }) => detail,
        other => panic!("expected a refused signature, got {other:?}"),
    }
}

async fn current_bytes(app: &App, v: &Viewer, doc: &DocumentId) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let panel = app.signature_panel(v, doc).await.unwrap().unwrap();
    let mut f = app.blobs.open_blob(&panel.file.sha256).await.unwrap();
    let mut b = Vec::new();
    f.read_to_end(&mut b).await.unwrap();
    b
}

/// The current file of `doc` passes pdfsig (one valid signature) and pyHanko.
async fn referees(app: &App, db: &TestDb, leader: &Viewer, doc: &DocumentId) {
    let panel = app.signature_panel(leader, doc).await.unwrap().unwrap();
    let report = panel.report.expect("a signature");
    assert_eq!(report.signatures.len(), 1);
    let bytes = {
        use tokio::io::AsyncReadExt;
        let mut f = app.blobs.open_blob(&panel.file.sha256).await.unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).await.unwrap();
        b
    };
    let path = db.dir.join(format!("{doc}.pdf"));
    std::fs::write(&path, &bytes).unwrap();
    if let Some(pdfsig) = signet_testkit::tool("pdfsig") {
        let out = signet_testkit::run(&db.dir, pdfsig, &["-nocert", path.to_str().unwrap()]);
        let text = signet_testkit::text(&out);
        assert_eq!(text.matches("Signature is Valid").count(), 1, "{text}");
    }
    if let Some(pyhanko) = signet_testkit::tool("pyhanko") {
        let root = db.dir.join("ca/root.pem");
        let out = signet_testkit::run(
            &db.dir,
            pyhanko,
            &[
                "sign",
                "validate",
                "--pretty-print",
                "--no-revocation-check",
                "--trust",
                root.to_str().unwrap(),
                path.to_str().unwrap(),
            ],
        );
        let text = signet_testkit::text(&out);
        assert_eq!(text.matches("judged VALID").count(), 1, "pyHanko:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_signs_a_batch_with_the_server_held_key_after_the_agency_allows_it() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(token) = SoftHsm::in_process_token("personal", "98765432") else {
            eprintln!("SoftHSM2 missing: skipped");
            return;
        };
        let hsm = HsmConfig {
            module: token.module,
            token: token.label,
            pin: token.pin,
        };
        signet_app::ca_dir::init(
            &db.dir.join("ca"),
            "CA thử nghiệm",
            "http://127.0.0.1:9",
            signet_pki::KeyAlg::EcdsaP256,
            None,
            OffsetDateTime::now_utc(),
        )
        .unwrap();
        let remote = Arc::new(RemoteSigning::new(
            Some(ServerKeys::open(hsm).unwrap()),
            Vec::new(),
        ));
        let app = app_on(&db, &remote).await;
        assert!(app.seed_demo().await.unwrap());
        let officer = viewer(&app, "chuyenvien.vp").await;
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let admin = viewer(&app, "quantri.ubnd").await;
        let mut docs = Vec::new();
        for i in 0..5 {
            docs.push(submitted_draft(&app, &officer, &format!("Văn bản lô {i}")).await);
        }

        // Off by default; only an administrator turns it on.
        assert!(!app.server_keys_enabled(&leader).await.unwrap());
        let e = app
            .sign_with_server_key(&leader, &docs[..1], DEMO_PASSWORD)
            .await
            .unwrap_err();
        assert!(refusal(e).contains("not enabled"));
        assert!(matches!(
            app.set_server_keys(&leader, true).await,
            Err(AppError::Forbidden(_))
        ));
        app.set_server_keys(&admin, true).await.unwrap();
        assert!(app.server_keys_enabled(&leader).await.unwrap());

        // A wrong PIN signs nothing and counts.
        let e = app
            .sign_with_server_key(&leader, &docs[..2], "wrong-pin")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::RemotePin { left: 4 })),
            "{e:?}"
        );
        let doc0 = app.document(&leader, &docs[0]).await.unwrap();
        assert_eq!(doc0.state.code(), "submitted");

        // One PIN, two documents, two separate signatures.
        let signed = app
            .sign_with_server_key(&leader, &docs[..2], DEMO_PASSWORD)
            .await
            .unwrap();
        assert_eq!(signed.len(), 2);
        for d in &signed {
            assert_eq!(d.state.code(), "signed");
            referees(&app, &db, &leader, &d.id).await;
        }

        // A batch cut between its documents: prepared, the first completed, then the
        // server stops. The second stays untouched; signing it again finishes the batch.
        let prepared = app
            .prepare_signatures(&leader, &docs[2..], "server", {
                let c = app.remote_credentials(&leader).await.unwrap();
                c[0].chain.clone()
            })
            .await
            .unwrap();
        let cred = app.remote_credentials(&leader).await.unwrap().remove(0);
        let keys = remote.keys().unwrap();
        let label = app
            .store
            .remote_credential(&cred.id)
            .await
            .unwrap()
            .key_label;
        let sig = keys
            .sign_digests(&label, &[prepared[0].digest.clone()])
            .unwrap()
            .remove(0);
        app.complete_signature(&leader, &prepared[0].pending_id, &sig, &[])
            .await
            .unwrap();
        drop(app);
        let app = app_on(&db, &remote).await;
        assert_eq!(
            app.document(&leader, &docs[2]).await.unwrap().state.code(),
            "signed"
        );
        assert_eq!(
            app.document(&leader, &docs[3]).await.unwrap().state.code(),
            "submitted"
        );
        // The leader's signature image: bad files refused, another agency's administrator
        // kept out; the uploaded PNG is drawn in the next signature's appearance.
        let png = signet_appearance::demo::signature_png("Nguyễn Văn Hùng");
        let bad = [
            b"not an image".to_vec(),
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16],
            png[..png.len() / 2].to_vec(),
            vec![0; signet_app::signature_images::MAX_BYTES + 1],
        ];
        for b in &bad {
            let e = app
                .set_signature_image(&leader, &leader.person_id, Some(b))
                .await
                .unwrap_err();
            assert!(
                matches!(
                    e,
                    AppError::Invalid(
                        Invalid::ImageKind { .. }
                            | Invalid::ImageDamaged { .. }
                            | Invalid::ImageSize { .. }
                    )
                ),
                "{e:?}"
            );
        }
        let outsider = viewer(&app, "vanthu.snv").await;
        assert!(app
            .set_signature_image(&outsider, &leader.person_id, Some(&png))
            .await
            .is_err());
        assert!(app
            .signature_image_png(&leader.person_id)
            .await
            .unwrap()
            .is_none());
        app.set_signature_image(&leader, &leader.person_id, Some(&png))
            .await
            .unwrap();
        let rest = app
            .sign_with_server_key(&leader, &docs[3..4], DEMO_PASSWORD)
            .await
            .unwrap();
        assert_eq!(rest[0].state.code(), "signed");
        referees(&app, &db, &leader, &docs[3]).await;
        let with_image = current_bytes(&app, &leader, &docs[3]).await;
        let without = current_bytes(&app, &leader, &docs[0]).await;
        let needle: &[u8] = b"/Subtype /Image";
        let has_image = |b: &[u8]| b.windows(needle.len()).any(|w| w == needle);
        assert!(has_image(&with_image), "the uploaded image is drawn");
        assert!(!has_image(&without), "no image: the text-only appearance");
        // A JPEG: a damaged one is refused saying so, nothing changed; a good one replaces the
        // PNG and is drawn in the next signature.
        let jpeg = signet_testkit::SIGNATURE_JPEG;
        // An upload cut short.
        let damaged = jpeg[..jpeg.len() / 2].to_vec();
        let e = app
            .set_signature_image(&leader, &leader.person_id, Some(&damaged))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::Invalid(Invalid::ImageDamaged { detail }) if detail.contains("JPEG")),
            "{e:?}"
        );
        let cmyk = signet_testkit::SIGNATURE_JPEG_CMYK;
        let e = app
            .set_signature_image(&leader, &leader.person_id, Some(cmyk))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::Invalid(Invalid::ImageKind { detail }) if detail.contains("CMYK")),
            "{e:?}"
        );
        let kept = app.store.signature_image(&leader.person_id).await.unwrap();
        assert_eq!(kept.unwrap().content_type, "image/png");
        app.set_signature_image(&leader, &leader.person_id, Some(jpeg))
            .await
            .unwrap();
        let stored = app.store.signature_image(&leader.person_id).await.unwrap();
        let stored = stored.unwrap();
        assert_eq!(
            (stored.content_type.as_str(), stored.width, stored.height),
            ("image/jpeg", 300, 120)
        );
        let last = app
            .sign_with_server_key(&leader, &docs[4..], DEMO_PASSWORD)
            .await
            .unwrap();
        assert_eq!(last[0].state.code(), "signed");
        referees(&app, &db, &leader, &docs[4]).await;
        assert!(
            has_image(&current_bytes(&app, &leader, &docs[4]).await),
            "the JPEG is drawn"
        );
        // Already signed: refused, nothing changed.
        assert!(app
            .sign_with_server_key(&leader, &docs[..1], DEMO_PASSWORD)
            .await
            .is_err());

        // The inventory shows the credential's certificate as a remote device.
        let page = app
            .certificates(
                &admin,
                &CertFilter {
                    status: None,
                    kind: None,
                    after: None,
                    limit: 200,
                },
            )
            .await
            .unwrap();
        let leader_certs: Vec<_> = page
            .page
            .certificates
            .iter()
            .filter(|c| c.holder_id.as_ref() == Some(&leader.person_id))
            .collect();
        assert!(leader_certs
            .iter()
            .any(|c| c.device_kind == DeviceKind::Remote));
        let actions: Vec<String> = app
            .store
            .journal(&leader.agency_id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.iter().any(|a| a == "signing.server_keys"));
        db.cleanup().await;
    }
}
