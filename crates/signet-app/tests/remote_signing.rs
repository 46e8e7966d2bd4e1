//! Remote signing on SoftHSM2 and both databases: the in-process API the web signing flow
//! calls (request → phone approval with the PIN → signatures), and the CSC use cases' sole
//! control (a SAD for exactly its hashes, once each, five minutes; PIN lockout; another
//! person's credential). Signatures are checked with ring against the credential's
//! certificate.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::sync::{Arc, Mutex};

use signet_app::ca_service::BuiltInCa;
use signet_app::demo::DEMO_PASSWORD;
use signet_app::remote_signing::{RemoteOutcome, RemoteRequest, MAX_WRONG_PINS, TTL_MS};
use signet_app::server_keys::{HsmConfig, ServerKeys};
use signet_app::{App, AppError, Clock, Invalid};
use signet_core::person::Viewer;
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use signet_testkit::softhsm::SoftHsm;
use time::OffsetDateTime;
use x509_cert::der::Decode;

/// A clock the test moves forward.
struct TestClock(Mutex<OffsetDateTime>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    fn advance_ms(&self, ms: i64) {
        *self.0.lock().unwrap() += time::Duration::milliseconds(ms);
    }
}

struct Setup {
    app: App,
    clock: Arc<TestClock>,
}

async fn setup(db: &TestDb) -> Option<Setup> {
    let token = SoftHsm::in_process_token("csc", "98765432")?;
    let keys = ServerKeys::open(HsmConfig {
        module: token.module,
        token: token.label,
        pin: token.pin,
    })
    .unwrap();
    let dir = db.dir.join("ca");
    signet_app::ca_dir::init(
        &dir,
        "CA kiểm thử",
        "http://127.0.0.1:8081",
        signet_pki::KeyAlg::EcdsaP256,
        None,
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    let blobs = BlobStore::open(&db.dir.join("blobs"), 1 << 20)
        .await
        .unwrap();
    let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
    let app = App::new(db.store.clone(), blobs, clock.clone())
        .with_ca(BuiltInCa::open(&dir).unwrap())
        .with_server_keys(keys);
    assert!(app.seed_demo().await.unwrap());
    Some(Setup { app, clock })
}

async fn viewer(app: &App, username: &str) -> Viewer {
    let p = app.store.person_by_username(username).await.unwrap();
    Viewer {
        person_id: p.id,
        agency_id: p.agency_id,
        roles: p.roles,
    }
}

fn digest(msg: &[u8]) -> [u8; 32] {
    ring::digest::digest(&ring::digest::SHA256, msg)
        .as_ref()
        .try_into()
        .unwrap()
}

/// Checks an ECDSA P-256 SHA-256 signature (DER) of `msg` against the certificate's key.
fn verifies(cert_der: &[u8], msg: &[u8], signature: &[u8]) -> bool {
    let cert = x509_cert::Certificate::from_der(cert_der).unwrap();
    let spki = cert.tbs_certificate.subject_public_key_info;
    let key = spki.subject_public_key.raw_bytes().to_vec();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, key)
        .verify(msg, signature)
        .is_ok()
}

fn invalid(r: Result<impl std::fmt::Debug, AppError>) -> Invalid {
    match r {
        Err(AppError::Invalid(i)) => i,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn actions(app: &App, viewer: &Viewer) -> Vec<String> {
    app.store
        .journal(&viewer.agency_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_approves_and_the_web_flow_gets_the_signatures() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Setup { app, .. }) = setup(&db).await else {
            return;
        };
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let creds = app.remote_credentials(&leader).await.unwrap();
        assert_eq!(creds.len(), 1, "the demo gives each leader one credential");
        let cred = &creds[0];
        assert_eq!(cred.chain.len(), 3, "signer, issuing CA, root");
        assert_eq!(
            cred.algorithm,
            signet_pki::SignatureAlgorithm::EcdsaP256Sha256
        );
        // Every leader has one; officers have none.
        let deputy = viewer(&app, "pholanhdao.snv").await;
        assert_eq!(app.remote_credentials(&deputy).await.unwrap().len(), 1);
        let officer = viewer(&app, "chuyenvien.vp").await;
        assert!(app.remote_credentials(&officer).await.unwrap().is_empty());

        let messages = [b"first signed attributes".as_slice(), b"second".as_slice()];
        let req = RemoteRequest {
            credential_id: cred.id.clone(),
            label: "12/UBND-VP — Về việc ký số".into(),
            application: "Signet".into(),
            digests: messages.iter().map(|m| digest(m)).collect(),
        };
        let mut events = app.remote.subscribe();
        let id = app
            .request_remote_signature(&leader, req.clone())
            .await
            .unwrap();
        assert_eq!(
            events.recv().await.unwrap(),
            leader.person_id,
            "the phone is told"
        );
        assert_eq!(
            app.remote_signature_outcome(&leader, &id).await.unwrap(),
            RemoteOutcome::Pending
        );
        let pending = app.pending_sign_requests(&leader).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].hashes, 2);
        assert_eq!(pending[0].label, "12/UBND-VP — Về việc ký số");
        // Another person sees neither the request nor its outcome, and cannot answer it.
        assert!(app.pending_sign_requests(&deputy).await.unwrap().is_empty());
        assert!(matches!(
            app.remote_signature_outcome(&deputy, &id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.approve_sign_request(&deputy, &id, DEMO_PASSWORD).await,
            Err(AppError::NotFound)
        ));
        // A wrong PIN signs nothing.
        assert_eq!(
            invalid(app.approve_sign_request(&leader, &id, "000000").await),
            Invalid::RemotePin { left: 4 }
        );
        app.approve_sign_request(&leader, &id, DEMO_PASSWORD)
            .await
            .unwrap();
        let RemoteOutcome::Signed(sigs) = app.remote_signature_outcome(&leader, &id).await.unwrap()
        else {
            panic!("signed expected");
        };
        assert_eq!(sigs.len(), 2);
        for (m, s) in messages.iter().zip(&sigs) {
            assert!(verifies(&cred.chain[0], m, s), "signature of {m:?}");
        }
        assert!(
            !verifies(&cred.chain[0], messages[1], &sigs[0]),
            "digest order"
        );
        // Answered once: a second approval or a rejection is refused.
        assert_eq!(
            invalid(app.approve_sign_request(&leader, &id, DEMO_PASSWORD).await),
            Invalid::RequestAnswered
        );
        assert_eq!(
            invalid(app.reject_sign_request(&leader, &id).await),
            Invalid::RequestAnswered
        );

        // Rejected.
        let id2 = app
            .request_remote_signature(&leader, req.clone())
            .await
            .unwrap();
        app.reject_sign_request(&leader, &id2).await.unwrap();
        assert_eq!(
            app.remote_signature_outcome(&leader, &id2).await.unwrap(),
            RemoteOutcome::Rejected
        );
        // Another person's credential cannot be asked for.
        assert!(matches!(
            app.request_remote_signature(&deputy, req.clone()).await,
            Err(AppError::Forbidden(_))
        ));
        // Bad input: no digests, repeated digests.
        let mut bad = req.clone();
        bad.digests.clear();
        assert!(matches!(
            invalid(app.request_remote_signature(&leader, bad).await),
            Invalid::RemoteHashCount { .. }
        ));
        let mut bad = req.clone();
        bad.digests = vec![[7; 32], [7; 32]];
        assert_eq!(
            invalid(app.request_remote_signature(&leader, bad).await),
            Invalid::RemoteHashRepeated
        );
        let journal = actions(&app, &leader).await;
        for a in [
            "remote.credential_created",
            "remote.requested",
            "remote.signed",
            "remote.rejected",
        ] {
            assert!(journal.iter().any(|x| x == a), "{a} journaled: {journal:?}");
        }
        let checks = signet_app::journal::verify_journals(&app.store, None, None)
            .await
            .unwrap();
        assert!(checks.iter().all(|c| c.result.is_ok()), "chains intact");
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_requests_expire_after_five_minutes() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Setup { app, clock }) = setup(&db).await else {
            return;
        };
        let leader = viewer(&app, "lanhdao.stc").await;
        let cred = app.remote_credentials(&leader).await.unwrap().remove(0);
        let req = RemoteRequest {
            credential_id: cred.id.clone(),
            label: "Báo cáo".into(),
            application: "Signet".into(),
            digests: vec![[1; 32]],
        };
        let id = app.request_remote_signature(&leader, req).await.unwrap();
        clock.advance_ms(TTL_MS);
        assert_eq!(
            app.remote_signature_outcome(&leader, &id).await.unwrap(),
            RemoteOutcome::Expired
        );
        assert!(app.pending_sign_requests(&leader).await.unwrap().is_empty());
        assert_eq!(
            invalid(app.approve_sign_request(&leader, &id, DEMO_PASSWORD).await),
            Invalid::RequestAnswered
        );
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sad_signs_exactly_its_hashes_once_within_five_minutes() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Setup { app, clock }) = setup(&db).await else {
            return;
        };
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let cred = app.remote_credentials(&leader).await.unwrap().remove(0);
        let (a, b, c) = (digest(b"A"), digest(b"B"), digest(b"C"));
        let auth = app
            .authorize_remote(&leader, &cred.id, DEMO_PASSWORD, &[a, b])
            .await
            .unwrap();
        assert_eq!(auth.expires_in_s, 300);
        // A SAD for A and B does not sign C, nor A and C together.
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, &auth.sad, &[c]).await),
            Invalid::HashNotAuthorized
        );
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, &auth.sad, &[a, c]).await),
            Invalid::HashNotAuthorized
        );
        let sig = app
            .sign_hashes(&leader, &cred.id, &auth.sad, &[a])
            .await
            .unwrap();
        assert!(verifies(&cred.chain[0], b"A", &sig[0]));
        // Once each.
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, &auth.sad, &[a]).await),
            Invalid::SadUsed
        );
        // Another credential (the deputy's own) does not take this SAD, and the deputy
        // cannot use the leader's credential at all.
        let deputy = viewer(&app, "pholanhdao.ubnd").await;
        let other = app.remote_credentials(&deputy).await.unwrap().remove(0);
        assert_eq!(
            invalid(app.sign_hashes(&deputy, &other.id, &auth.sad, &[b]).await),
            Invalid::SadInvalid
        );
        assert!(matches!(
            app.sign_hashes(&deputy, &cred.id, &auth.sad, &[b]).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            app.authorize_remote(&deputy, &cred.id, DEMO_PASSWORD, &[b])
                .await,
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, "not-a-sad", &[b]).await),
            Invalid::SadInvalid
        );
        // Extension: a new SAD for what is left (B); the old one ends.
        let ext = app
            .extend_remote(&leader, &cred.id, &auth.sad)
            .await
            .unwrap();
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, &auth.sad, &[b]).await),
            Invalid::SadExpired
        );
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, &ext.sad, &[a]).await),
            Invalid::HashNotAuthorized,
            "A was signed already: the extension does not carry it"
        );
        // Five minutes later the SAD is dead.
        clock.advance_ms(TTL_MS);
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, &ext.sad, &[b]).await),
            Invalid::SadExpired
        );
        // Two concurrent uses of one hash: exactly one signature comes back.
        let auth = app
            .authorize_remote(&leader, &cred.id, DEMO_PASSWORD, &[c])
            .await
            .unwrap();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (app, leader, id, sad) = (
                    app.clone(),
                    leader.clone(),
                    cred.id.clone(),
                    auth.sad.clone(),
                );
                tokio::spawn(async move { app.sign_hashes(&leader, &id, &sad, &[c]).await })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Invalid(Invalid::SadUsed)) => {}
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(ok, 1, "one signature per hash and SAD");
        let journal = actions(&app, &leader).await;
        assert_eq!(
            journal.iter().filter(|a| *a == "remote.authorized").count(),
            3
        );
        assert_eq!(journal.iter().filter(|a| *a == "remote.signed").count(), 2);
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_pins_lock_until_an_administrator_unlocks() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Setup { app, .. }) = setup(&db).await else {
            return;
        };
        let leader = viewer(&app, "lanhdao.snv").await;
        let cred = app.remote_credentials(&leader).await.unwrap().remove(0);
        let h = [digest(b"x")];
        for left in (1..MAX_WRONG_PINS).rev() {
            assert_eq!(
                invalid(
                    app.authorize_remote(&leader, &cred.id, "wrong-pin", &h)
                        .await
                ),
                Invalid::RemotePin { left: left as u32 }
            );
        }
        assert_eq!(
            invalid(
                app.authorize_remote(&leader, &cred.id, "wrong-pin", &h)
                    .await
            ),
            Invalid::RemoteLocked
        );
        // Locked: even the right PIN is refused, and so are phone requests.
        assert_eq!(
            invalid(
                app.authorize_remote(&leader, &cred.id, DEMO_PASSWORD, &h)
                    .await
            ),
            Invalid::RemoteLocked
        );
        assert!(app.remote_credentials(&leader).await.unwrap()[0].locked);
        // Only an administrator of the agency unlocks.
        assert!(matches!(
            app.unlock_remote_credential(&leader, &cred.id).await,
            Err(AppError::Forbidden(_))
        ));
        let other_admin = viewer(&app, "quantri.ubnd").await;
        assert!(matches!(
            app.unlock_remote_credential(&other_admin, &cred.id).await,
            Err(AppError::NotFound)
        ));
        let admin = viewer(&app, "quantri.snv").await;
        let locked = app.locked_remote_credentials(&admin).await.unwrap();
        assert_eq!(locked.len(), 1);
        app.unlock_remote_credential(&admin, &cred.id)
            .await
            .unwrap();
        assert!(app
            .locked_remote_credentials(&admin)
            .await
            .unwrap()
            .is_empty());
        app.authorize_remote(&leader, &cred.id, DEMO_PASSWORD, &h)
            .await
            .unwrap();
        let journal = actions(&app, &leader).await;
        assert!(journal.iter().any(|a| a == "remote.locked"));
        assert!(journal.iter().any(|a| a == "remote.unlocked"));
        db.cleanup().await;
    }
}
