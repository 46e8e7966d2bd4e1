//! Remote signing on SoftHSM2 and both databases: the in-process API the web signing flow
//! calls (request → phone approval with the PIN → signatures), and the CSC use cases' sole
//! control (a SAD for exactly its hashes, once each, five minutes; PIN lockout; another
//! person's credential), the group commit of concurrent signatures, and the demo's software
//! keystore when there is no SoftHSM2. Signatures are checked with ring against the
//! credential's certificate.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::testing::support::{viewer, TestClock};
use std::sync::{Arc, Mutex};

use signet_app::ca_service::BuiltInCa;
use signet_app::demo::DEMO_PASSWORD;
use signet_app::remote_signing::{
    RemoteCredential, RemoteOutcome, RemoteRequest, MAX_WRONG_PINS, TTL_MS,
};
use signet_app::server_keys::{HsmConfig, ServerKeys};
use signet_app::{App, AppError, Invalid};
use signet_core::person::Viewer;
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;
use signet_testkit::softhsm::SoftHsm;
use time::OffsetDateTime;
use x509_cert::der::Decode;

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
    Some(setup_with(db, keys).await)
}

/// The demo province seeded on `db` with a built-in CA and `keys` holding the credentials'.
async fn setup_with(db: &TestDb, keys: ServerKeys) -> Setup {
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
    Setup { app, clock }
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
        assert_chains_intact(&app).await;
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
        // Once each, alone or beside a hash not yet signed.
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, &auth.sad, &[a]).await),
            Invalid::SadUsed
        );
        assert_eq!(
            invalid(app.sign_hashes(&leader, &cred.id, &auth.sad, &[b, a]).await),
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

/// Checks an RSA PKCS#1 v1.5 SHA-256 signature of `msg` against the certificate's key.
fn verifies_rsa(cert_der: &[u8], msg: &[u8], signature: &[u8]) -> bool {
    let cert = x509_cert::Certificate::from_der(cert_der).unwrap();
    let spki = cert.tbs_certificate.subject_public_key_info;
    let key = spki.subject_public_key.raw_bytes().to_vec();
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, key)
        .verify(msg, signature)
        .is_ok()
}

/// `signet demo` on a machine without SoftHSM2: the leaders' credentials have their keys in
/// the demo's software keystore (files, never the database), and sign over CSC and from
/// the phone page alike, verifiably.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_softhsm_the_demo_signs_from_its_software_keystore() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let dir = db.dir.join("keystore-demo");
        let keys = ServerKeys::demo_software_keystore(&dir).unwrap();
        assert!(keys.is_demo_software());
        let Setup { app, .. } = setup_with(&db, keys).await;
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let creds = app.remote_credentials(&leader).await.unwrap();
        assert_eq!(creds.len(), 1, "the demo gives each leader one credential");
        let cred = &creds[0];
        assert_eq!(
            cred.algorithm,
            signet_pki::SignatureAlgorithm::RsaPkcs1Sha256
        );
        assert_eq!(cred.chain.len(), 3, "signer, issuing CA, root");
        // Every leader of the province has one; each key is a file of its own, labelled.
        let leaders = journaled_everywhere(&app, "remote.credential_created").await;
        assert!(leaders >= 10, "every demo leader: {leaders}");
        let files = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "p8")
            })
            .count();
        assert_eq!(files, leaders, "one key file per leader");
        assert!(std::fs::read_to_string(dir.join("DEMO-ONLY.txt"))
            .unwrap()
            .contains("DEMO-ONLY"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the keystore is the owner's only");
        }
        // CSC: authorize two hashes, sign them, each verifies with the certificate's key.
        let messages = [b"first".as_slice(), b"second".as_slice()];
        let hashes: Vec<[u8; 32]> = messages.iter().map(|m| digest(m)).collect();
        let auth = app
            .authorize_remote(&leader, &cred.id, DEMO_PASSWORD, &hashes)
            .await
            .unwrap();
        let sigs = app
            .sign_hashes(&leader, &cred.id, &auth.sad, &hashes)
            .await
            .unwrap();
        for (m, s) in messages.iter().zip(&sigs) {
            assert!(verifies_rsa(&cred.chain[0], m, s), "signature of {m:?}");
        }
        assert!(!verifies_rsa(&cred.chain[0], messages[1], &sigs[0]));
        assert_eq!(
            invalid(
                app.sign_hashes(&leader, &cred.id, &auth.sad, &hashes[..1])
                    .await
            ),
            Invalid::SadUsed
        );
        // The phone page: approved with the PIN, signed by the keystore's key.
        let id = app
            .request_remote_signature(
                &leader,
                RemoteRequest {
                    credential_id: cred.id.clone(),
                    label: "12/UBND-VP — Demo".into(),
                    application: "Signet".into(),
                    digests: vec![digest(b"phone")],
                },
            )
            .await
            .unwrap();
        app.approve_sign_request(&leader, &id, DEMO_PASSWORD)
            .await
            .unwrap();
        let RemoteOutcome::Signed(sigs) = app.remote_signature_outcome(&leader, &id).await.unwrap()
        else {
            panic!("signed expected");
        };
        assert!(verifies_rsa(&cred.chain[0], b"phone", &sigs[0]));
        // A keystore opened again (the demo's next start) reads the key from its file.
        let again = ServerKeys::demo_software_keystore(&dir).unwrap();
        let first = app.store.remote_credential(&cred.id).await.unwrap();
        let sig = again
            .sign_digests(&first.key_label, &[digest(b"restart").to_vec()])
            .unwrap();
        assert!(verifies_rsa(&cred.chain[0], b"restart", &sig[0]));
        // Labels are the server's own: nothing outside the directory is read.
        assert!(again
            .sign_digests("../keystore-demo/x", &[digest(b"x").to_vec()])
            .is_err());
        db.cleanup().await;
    }
}

/// The group commit: several signature calls marked and journaled in one transaction, each
/// all or nothing on its own — a hash used twice in the batch, a call whose second hash was
/// used, and a call asking for one hash twice are refused without marking anything of
/// theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_signatures_commits_each_call_all_or_nothing() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Setup { app, .. }) = setup(&db).await else {
            return;
        };
        let (ubnd, c1, snv, c2) = two_leaders(&app).await;
        let (a, b, c, d) = (digest(b"a"), digest(b"b"), digest(b"c"), digest(b"d"));
        let s1 = app
            .authorize_remote(&ubnd, &c1.id, DEMO_PASSWORD, &[a, b, d])
            .await
            .unwrap()
            .sad;
        let s2 = app
            .authorize_remote(&snv, &c2.id, DEMO_PASSWORD, &[c])
            .await
            .unwrap()
            .sad;
        let before_ubnd = actions(&app, &ubnd).await.len();
        let outcomes = app
            .store
            .use_sads(&[
                sad_use(&ubnd, &c1.id, &s1, &[a]),
                sad_use(&ubnd, &c1.id, &s1, &[a]),
                sad_use(&snv, &c2.id, &s2, &[c]),
                sad_use(&ubnd, &c1.id, &s1, &[b, a]),
                sad_use(&ubnd, &c1.id, &s1, &[d, a]),
                sad_use(&ubnd, &c1.id, &s1, &[d, d]),
                // D was asked only by calls refused: this one signs it.
                sad_use(&ubnd, &c1.id, &s1, &[d]),
            ])
            .await
            .unwrap();
        let ok: Vec<bool> = outcomes.iter().map(Result::is_ok).collect();
        assert_eq!(ok, [true, false, true, false, false, false, true]);
        assert!(matches!(
            outcomes[1],
            Err(signet_store::StoreError::Conflict(_))
        ));
        // B was not left marked by the refused call: it signs now, once.
        let sig = app.sign_hashes(&ubnd, &c1.id, &s1, &[b]).await.unwrap();
        assert!(verifies(&c1.chain[0], b"b", &sig[0]));
        assert_eq!(
            invalid(app.sign_hashes(&ubnd, &c1.id, &s1, &[b]).await),
            Invalid::SadUsed
        );
        assert_eq!(
            invalid(app.sign_hashes(&snv, &c2.id, &s2, &[c]).await),
            Invalid::SadUsed
        );
        let after: Vec<String> = actions(&app, &ubnd).await.split_off(before_ubnd);
        assert_eq!(after, ["remote.signed"; 3], "A and D, then B");
        assert_eq!(
            actions(&app, &snv)
                .await
                .iter()
                .filter(|x| *x == "remote.signed")
                .count(),
            1
        );

        // Concurrent calls of many leaders (many agencies): every signature returned is
        // valid and journaled once, and the journals stay chained.
        let people = [
            "lanhdao.ubnd",
            "pholanhdao.ubnd",
            "lanhdao.snv",
            "lanhdao.stc",
            "pholanhdao.stc",
            "lanhdao.binhan",
            "lanhdao.hungphu",
            "pholanhdao.anphu",
        ];
        let mut tasks = Vec::new();
        for (i, name) in people.iter().enumerate() {
            let v = viewer(&app, name).await;
            let cred = app.remote_credentials(&v).await.unwrap().remove(0);
            let messages: Vec<String> = (0..3).map(|k| format!("{i}/{k}")).collect();
            let hs: Vec<[u8; 32]> = messages.iter().map(|m| digest(m.as_bytes())).collect();
            let sad = app
                .authorize_remote(&v, &cred.id, DEMO_PASSWORD, &hs)
                .await
                .unwrap()
                .sad;
            for m in messages {
                let (app, v, cred, sad) = (app.clone(), v.clone(), cred.clone(), sad.clone());
                tasks.push(tokio::spawn(async move {
                    let h = digest(m.as_bytes());
                    let s = app.sign_hashes(&v, &cred.id, &sad, &[h]).await.unwrap();
                    (cred.chain[0].clone(), m, s.into_iter().next().unwrap())
                }));
            }
        }
        for t in tasks {
            let (cert, m, sig) = t.await.unwrap();
            assert!(verifies(&cert, m.as_bytes(), &sig), "signature of {m}");
        }
        // 4 signatures in this batch test's first part, then one per task.
        assert_eq!(
            journaled_everywhere(&app, "remote.signed").await,
            4 + people.len() * 3
        );
        assert_chains_intact(&app).await;
        db.cleanup().await;
    }
}

/// A group commit of more hashes than one statement carries, over two agencies, and a call
/// that meets a hash an earlier commit signed: that call is refused and leaves none of its
/// own hashes marked; every signature is journaled once and the chains stay intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_group_commit_marks_each_hash_once_and_a_late_duplicate_marks_nothing() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Setup { app, .. }) = setup(&db).await else {
            return;
        };
        let (ubnd, c1, snv, c2) = two_leaders(&app).await;
        let hs: Vec<[u8; 32]> = (0..1500)
            .map(|i| digest(format!("h{i}").as_bytes()))
            .collect();
        let (first, second) = hs.split_at(900);
        let s1 = app
            .authorize_remote(&ubnd, &c1.id, DEMO_PASSWORD, first)
            .await
            .unwrap()
            .sad;
        let s2 = app
            .authorize_remote(&snv, &c2.id, DEMO_PASSWORD, second)
            .await
            .unwrap()
            .sad;
        let before = journaled_everywhere(&app, "remote.signed").await;
        // 900 + 599 rows: two statements' worth; the last hash of `second` stays unsigned.
        let outcomes = app
            .store
            .use_sads(&[
                sad_use(&snv, &c2.id, &s2, &second[..599]),
                sad_use(&ubnd, &c1.id, &s1, first),
            ])
            .await
            .unwrap();
        assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
        // A late call with a signed hash and the unsigned one: refused, the unsigned one
        // left free; the new hash of another call in its batch is signed all the same (the
        // batch, found to hold a hash signed before, is committed again learning which).
        let fresh = digest(b"fresh");
        let s3 = app
            .authorize_remote(&ubnd, &c1.id, DEMO_PASSWORD, &[fresh])
            .await
            .unwrap()
            .sad;
        let late = app
            .store
            .use_sads(&[
                sad_use(&snv, &c2.id, &s2, &[second[599], second[0]]),
                sad_use(&ubnd, &c1.id, &s3, &[fresh]),
            ])
            .await
            .unwrap();
        assert!(matches!(
            late[0],
            Err(signet_store::StoreError::Conflict(_))
        ));
        assert!(late[1].is_ok(), "{late:?}");
        assert_eq!(
            invalid(app.sign_hashes(&ubnd, &c1.id, &s3, &[fresh]).await),
            Invalid::SadUsed
        );
        let sig = app
            .sign_hashes(&snv, &c2.id, &s2, &[second[599]])
            .await
            .unwrap();
        assert!(verifies(&c2.chain[0], b"h1499", &sig[0]));
        for (v, cred, sad, h) in [(&ubnd, &c1, &s1, first[0]), (&snv, &c2, &s2, second[598])] {
            assert_eq!(
                invalid(app.sign_hashes(v, &cred.id, sad, &[h]).await),
                Invalid::SadUsed
            );
        }
        assert_eq!(
            journaled_everywhere(&app, "remote.signed").await,
            before + 4
        );
        assert_chains_intact(&app).await;
        db.cleanup().await;
    }
}

/// The leaders of the province's people's committee and of the home affairs department (two
/// agencies), with their remote-signing credentials.
async fn two_leaders(app: &App) -> (Viewer, RemoteCredential, Viewer, RemoteCredential) {
    let ubnd = viewer(app, "lanhdao.ubnd").await;
    let snv = viewer(app, "lanhdao.snv").await;
    let c1 = app.remote_credentials(&ubnd).await.unwrap().remove(0);
    let c2 = app.remote_credentials(&snv).await.unwrap().remove(0);
    (ubnd, c1, snv, c2)
}

/// One signature call of `v` with credential `cred` under `sad`, as the group commit takes it.
fn sad_use(
    v: &Viewer,
    cred: &str,
    sad: &str,
    hs: &[[u8; 32]],
) -> signet_store::remote_signing::SadUse {
    signet_store::remote_signing::SadUse {
        token: sad.to_owned(),
        credential_id: cred.to_owned(),
        hashes: hs.iter().map(|h| h.to_vec()).collect(),
        agency_id: v.agency_id.clone(),
        person_id: v.person_id.clone(),
        at_ms: 1,
    }
}

async fn assert_chains_intact(app: &App) {
    let checks = signet_app::journal::verify_journals(&app.store, None, None)
        .await
        .unwrap();
    assert!(checks.iter().all(|c| c.result.is_ok()), "chains intact");
}

/// How many entries of `action` the journals of all agencies hold.
async fn journaled_everywhere(app: &App, action: &str) -> usize {
    let mut n = 0;
    for agency in app.store.agencies().await.unwrap() {
        n += app
            .store
            .journal(&agency.id)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == action)
            .count();
    }
    n
}

/// Issue 13 §2: a reviewer approves a draft by initialling it from their phone; the
/// leader then signs from theirs, and both signatures are in the file, intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_initials_from_the_phone_and_the_leader_signs_on_top() {
    use signet_app::testing::support::{route_unit_of, submitted_draft};
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let Some(Setup { app, .. }) = setup(&db).await else {
            return;
        };
        let officer = viewer(&app, "chuyenvien.vp").await;
        let deputy = viewer(&app, "pholanhdao.ubnd").await;
        let leader = viewer(&app, "lanhdao.ubnd").await;
        route_unit_of(&app, &officer, &[&deputy], &leader).await;
        let doc = submitted_draft(&app, &officer, "Về việc ký nháy từ điện thoại").await;

        // Not the officer's to initial, and not before it is the deputy's turn for the leader.
        assert!(app.request_phone_initial(&officer, &doc).await.is_err());
        assert!(app.request_phone_initial(&leader, &doc).await.is_err());
        let asked = app.request_phone_initial(&deputy, &doc).await.unwrap();
        assert_eq!(asked.pending_ids.len(), 1);
        let pending = app.pending_sign_requests(&deputy).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].hashes, 1);
        assert!(pending[0].label.contains("ký nháy từ điện thoại"));
        assert!(app
            .phone_signature_outcome(&deputy, &asked.request_id, &asked.pending_ids)
            .await
            .unwrap()
            .is_none());
        app.approve_sign_request(&deputy, &asked.request_id, DEMO_PASSWORD)
            .await
            .unwrap();
        let done = app
            .phone_signature_outcome(&deputy, &asked.request_id, &asked.pending_ids)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(done[0].state.code(), "submitted");
        let cycle = app.draft_cycle(&officer, &doc).await.unwrap();
        assert_eq!(cycle.reviews.len(), 1);
        assert_eq!(cycle.reviews[0].decision, "approved");

        // The leader's turn now: from the phone too.
        let asked = app
            .request_phone_signature(&leader, std::slice::from_ref(&doc))
            .await
            .unwrap();
        app.approve_sign_request(&leader, &asked.request_id, DEMO_PASSWORD)
            .await
            .unwrap();
        let signed = app
            .phone_signature_outcome(&leader, &asked.request_id, &asked.pending_ids)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(signed[0].state.code(), "signed");
        let report = app
            .signature_panel(&leader, &doc)
            .await
            .unwrap()
            .unwrap()
            .report
            .unwrap();
        assert_eq!(report.signatures.len(), 2, "{report:?}");
        assert!(
            report.signatures[0].field.starts_with("KyNhay_"),
            "{report:?}"
        );
        assert_eq!(report.signatures[1].field, "ChuKyLanhDao");
        for s in &report.signatures {
            assert_eq!(format!("{:?}", s.integrity), "Intact", "{report:?}");
        }
        db.cleanup().await;
    }
}
