//! Signing from the web (issue 9): the leader's signature in two steps with the device's
//! answer arriving after a restart (a new application on the same database and files), a
//! duplicated, late and mismatched answer refused, the officer's mark checked, and the
//! clerk's issuance writing the number on the file and sealing it in the same revision —
//! Signet's verifier and pdfsig (and pyHanko when installed) accept both signatures.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::testing::support::{
    app_with_tsa, device_sign, init_ca, leader_signs, route_unit_of, submitted_draft, viewer,
    TestClock,
};
use std::sync::{Arc, Mutex};

use signet_app::testing::chairman_key;
use signet_app::{App, AppError, Clock, Invalid};
use signet_pki::RawSigner;
use signet_store::testing::{databases, TestDb};
use time::OffsetDateTime;

/// A fresh application on `db` (a "server"), with the CA of `db.dir/ca`.
async fn app_on(db: &TestDb, clock: Arc<TestClock>) -> App {
    app_with_tsa(db, clock, None).await
}

fn refusal(e: AppError) -> String {
    match e {
        AppError::Invalid(Invalid::SignatureRefused { detail }) => detail,
        other => panic!("expected a refused signature, got {other:?}"),
    }
}

#[tokio::test]
async fn without_the_tsa_the_document_waits_for_the_seal_and_a_final_failure_keeps_its_number() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        init_ca(&db.dir, OffsetDateTime::now_utc());
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_on(&db, clock.clone()).await;
        assert!(app.seed_demo().await.unwrap());
        let officer = viewer(&app, "chuyenvien.vp").await;
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let (key, chain) = chairman_key(&app, Some("Chủ tịch")).await.unwrap();
        let doc = submitted_draft(&app, &officer, "Công văn chờ đóng dấu").await;
        leader_signs(&app, &leader, &doc, &key, &chain).await;
        let lost = submitted_draft(&app, &officer, "Công văn đóng dấu lỗi").await;
        leader_signs(&app, &leader, &lost, &key, &chain).await;

        // The TSA cannot be reached: numbered in the seal job only, the document waits.
        let offline = app_with_tsa(&db, clock.clone(), Some("http://127.0.0.1:9/tsa")).await;
        let d = offline.issue_step(&clerk, &doc).await.unwrap();
        assert_eq!(d.state.code(), "signed");
        assert_eq!(d.number, None, "never numbered without the seal");
        let job = offline
            .store
            .seal_job_of(&clerk.agency_id, &doc)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.state, "waiting");
        assert!(
            job.last_error
                .as_deref()
                .unwrap_or("")
                .contains("time-stamping"),
            "{job:?}"
        );
        let e = offline.issue_step(&clerk, &doc).await.unwrap_err();
        assert!(
            matches!(e, AppError::Conflict(_)),
            "not numbered twice: {e:?}"
        );

        // The TSA is back (another server instance): the retry seals it with its number.
        let online = app_on(&db, clock.clone()).await;
        assert_eq!(
            online.retry_due_seals().await.unwrap(),
            0,
            "not before its time"
        );
        clock.advance(time::Duration::seconds(31));
        // Another node on the same database claims it first: this one leaves it alone...
        let now = online.clock.now_ms();
        assert!(online
            .store
            .claim_seal_job(&job.id, now, 60_000)
            .await
            .unwrap());
        assert!(!online
            .store
            .claim_seal_job(&job.id, now, 60_000)
            .await
            .unwrap());
        assert_eq!(
            online.retry_due_seals().await.unwrap(),
            0,
            "claimed elsewhere"
        );
        // ... until that node's lease ends without a result (it died mid-attempt).
        clock.advance(time::Duration::seconds(61));
        assert_eq!(online.retry_due_seals().await.unwrap(), 1);
        let d = online.store.document(&clerk.agency_id, &doc).await.unwrap();
        assert_eq!(d.state.code(), "issued");
        assert_eq!(d.notation.as_deref(), Some(job.notation.as_str()));
        assert_eq!(
            online.retry_due_seals().await.unwrap(),
            0,
            "never sealed twice"
        );

        // A seal that keeps failing: its number stays taken, in the register, with the reason.
        offline.issue_step(&clerk, &lost).await.unwrap();
        for _ in 1..signet_app::web_signing::issue::MAX_ATTEMPTS {
            clock.advance(time::Duration::hours(2));
            assert_eq!(offline.retry_due_seals().await.unwrap(), 1);
        }
        let failed = offline
            .store
            .failed_seal_jobs(&clerk.agency_id, i64::from(clock.now().year()))
            .await
            .unwrap();
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert!(failed[0].last_error.is_some());
        let d = offline
            .store
            .document(&clerk.agency_id, &lost)
            .await
            .unwrap();
        assert_eq!((d.state.code(), d.number), ("signed", None));
        // Issued again later: a new number, the failed one still listed.
        let d = online.issue_step(&clerk, &lost).await.unwrap();
        assert_eq!(d.state.code(), "issued");
        assert_ne!(d.number, Some(failed[0].number));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn leader_signs_across_a_restart_and_the_clerk_issues_with_the_seal() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        init_ca(&db.dir, OffsetDateTime::now_utc());
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_on(&db, clock.clone()).await;
        assert!(app.seed_demo().await.unwrap());
        let officer = viewer(&app, "chuyenvien.vp").await;
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let (key, chain) = chairman_key(&app, Some("Chủ tịch")).await.unwrap();

        // The officer marks the box; a box outside the page is refused.
        let doc = {
            let pdf = signet_app::demo::sample_pdf("Ve viec ky so");
            let mut w = app.blobs.writer().await.unwrap();
            w.write(&pdf).await.unwrap();
            drop(w);
            submitted_draft(&app, &officer, "Về việc ký số tại trang văn bản").await
        };
        let e = app
            .mark_signature_box(&officer, &doc, 0, [300.0, 100.0, 700.0, 200.0])
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Invalid(Invalid::Mark { .. }) | AppError::Rule(_)
            ),
            "{e:?}"
        );

        // Prepared on one server, completed on another (a restart in between).
        let prepared = app
            .prepare_signature(&leader, &doc, "agent", chain.clone())
            .await
            .unwrap();
        assert_eq!(prepared.digest.len(), 32);
        let signature = device_sign(&app, &leader, &prepared.pending_id, &key).await;
        drop(app);
        let app = app_on(&db, clock.clone()).await;
        let signed = app
            .complete_signature(&leader, &prepared.pending_id, &signature, &chain)
            .await
            .unwrap();
        assert_eq!(signed.state.code(), "signed");
        // Twice: refused, nothing changes.
        let again = app
            .complete_signature(&leader, &prepared.pending_id, &signature, &chain)
            .await
            .unwrap_err();
        assert!(refusal(again).contains("duplicate"));

        // The leader's revision: one signature, the seal field waiting beside it.
        let panel = app.signature_panel(&leader, &doc).await.unwrap().unwrap();
        let report = panel.report.unwrap();
        assert_eq!(report.signatures.len(), 1, "{report:?}");
        assert_eq!(report.signatures[0].field, "ChuKyLanhDao");
        // B-T: its timestamp is there (the revocation data comes with the seal, at B-LT).
        let s = &report.signatures[0];
        assert!(s.timestamp.is_some(), "{s:?}");
        assert_eq!(format!("{:?}", s.integrity), "Intact", "{s:?}");

        // Issue: numbered, the number written, sealed in the same revision.
        let issued = app.issue_step(&clerk, &doc).await.unwrap();
        assert_eq!(
            issued.state.code(),
            "issued",
            "{:?}",
            app.store.seal_job_of(&clerk.agency_id, &doc).await
        );
        let notation = issued.notation.clone().unwrap();
        let file = app
            .store
            .current_file(&clerk.agency_id, &doc)
            .await
            .unwrap()
            .unwrap();
        let pdf = {
            let (_, mut h) = app.document_file(&clerk, &doc, &file.id).await.unwrap();
            let mut v = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut h, &mut v)
                .await
                .unwrap();
            v
        };
        let parsed = signet_pdf::Document::parse(&pdf).unwrap();
        assert_eq!(parsed.revisions().len(), 4, "draft, fields, leader, seal");
        let report = app
            .signature_panel(&clerk, &doc)
            .await
            .unwrap()
            .unwrap()
            .report
            .unwrap();
        assert_eq!(report.signatures.len(), 2, "{report:?}");
        assert_eq!(report.exit_code(), 0, "{report:?}");
        assert_eq!(
            format!("{:?}", report.signatures[0].modifications),
            "FormFilling",
            "the number and the seal are form filling for the leader's signature"
        );
        assert_eq!(report.signatures[1].level.as_deref(), Some("B-LT"));
        let verdicts = app
            .store
            .signature_verdicts(&clerk.agency_id, &doc)
            .await
            .unwrap()
            .unwrap();
        assert!(
            verdicts.leader_signature_valid && verdicts.seal_valid,
            "{verdicts:?}"
        );
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains(&format!("({notation})")),
            "the notation is the field's value"
        );
        referees(&db, &pdf);

        // Late, mismatched, and for a document that changed meanwhile.
        let late = submitted_draft(&app, &officer, "Báo cáo ký muộn").await;
        let p = app
            .prepare_signature(&leader, &late, "phone", chain.clone())
            .await
            .unwrap();
        let sig = device_sign(&app, &leader, &p.pending_id, &key).await;
        clock.advance(time::Duration::minutes(11));
        let e = app
            .complete_signature(&leader, &p.pending_id, &sig, &chain)
            .await
            .unwrap_err();
        assert!(refusal(e).contains("late"));
        let p = app
            .prepare_signature(&leader, &late, "agent", chain.clone())
            .await
            .unwrap();
        let other = app
            .prepare_signature(&leader, &late, "agent", chain.clone())
            .await
            .unwrap();
        let wrong = key.sign(b"something else").unwrap();
        let e = app
            .complete_signature(&leader, &p.pending_id, &wrong, &chain)
            .await
            .unwrap_err();
        let why = refusal(e);
        assert!(why.contains("does not match"), "{why}");
        let sig = device_sign(&app, &leader, &other.pending_id, &key).await;
        app.complete_signature(&leader, &other.pending_id, &sig, &chain)
            .await
            .unwrap();
        let p2 = app
            .prepare_signature(&leader, &late, "agent", chain.clone())
            .await;
        assert!(p2.is_err(), "signed documents are not signed again");
        let changed = submitted_draft(&app, &officer, "Văn bản đổi tệp").await;
        let first = app
            .prepare_signature(&leader, &changed, "agent", chain.clone())
            .await
            .unwrap();
        let second = app
            .prepare_signature(&leader, &changed, "agent", chain.clone())
            .await
            .unwrap();
        let sig = device_sign(&app, &leader, &second.pending_id, &key).await;
        app.complete_signature(&leader, &second.pending_id, &sig, &chain)
            .await
            .unwrap();
        let sig = device_sign(&app, &leader, &first.pending_id, &key).await;
        let e = app
            .complete_signature(&leader, &first.pending_id, &sig, &chain)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Rule(_)) || refusal(e).contains("changed"));
        db.cleanup().await;
    }
}

/// pdfsig: both signatures valid, the seal covering the whole file; pyHanko: both valid,
/// the leader's modifications form filling.
fn referees(db: &TestDb, pdf: &[u8]) {
    referees_count(db, pdf, 2);
}

/// [`referees`] for a file with `count` signatures, the last the seal.
fn referees_count(db: &TestDb, pdf: &[u8], count: usize) {
    let path = db.dir.join("issued.pdf");
    std::fs::write(&path, pdf).unwrap();
    if let Some(pdfsig) = signet_testkit::tool("pdfsig") {
        let out = signet_testkit::run(&db.dir, pdfsig, &["-nocert", path.to_str().unwrap()]);
        let text = signet_testkit::text(&out);
        assert_eq!(text.matches("Signature is Valid").count(), count, "{text}");
        assert!(text.contains("Total document signed"), "{text}");
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
        assert_eq!(
            text.matches("judged VALID").count(),
            count,
            "pyHanko:\n{text}"
        );
        assert!(
            text.contains("All modifications relate to signing and form filling operations"),
            "pyHanko:\n{text}"
        );
    }
}

/// Archives (issue 11 §4): an issued B-LT file is not due while its signature timestamp's TSA
/// certificate outlives the horizon; past it, the renewal adds a document timestamp as a new
/// revision (B-LTA), journaled, that Signet, pdfsig and pyHanko accept; renewing again with the
/// same TSA certificate would prove nothing longer and is refused, the file untouched.
#[tokio::test]
async fn an_issued_file_is_renewed_before_its_timestamp_expires() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        init_ca(&db.dir, OffsetDateTime::now_utc());
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_on(&db, clock.clone()).await;
        assert!(app.seed_demo().await.unwrap());
        let officer = viewer(&app, "chuyenvien.vp").await;
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let (key, chain) = chairman_key(&app, Some("Chủ tịch")).await.unwrap();
        let doc = submitted_draft(&app, &officer, "Về việc lưu trữ lâu dài").await;
        leader_signs(&app, &leader, &doc, &key, &chain).await;
        let issued = app.issue_step(&clerk, &doc).await.unwrap();
        assert_eq!(issued.state.code(), "issued");
        let current = |app: &App| {
            let (app, agency, doc) = (app.clone(), clerk.agency_id.clone(), doc.clone());
            async move {
                app.store
                    .current_file(&agency, &doc)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        let before = current(&app).await;
        let ours = |run: &signet_app::archive::RenewalRun| {
            (
                run.renewed
                    .iter()
                    .find(|r| r.document_id == doc)
                    .map(|r| r.kind),
                run.failed
                    .iter()
                    .find(|f| f.document_id == doc)
                    .map(|f| f.reason.clone()),
            )
        };

        let now = clock.now();
        let run = app.renew_archives(now, true).await.unwrap();
        assert_eq!(
            ours(&run),
            (None, None),
            "not due while the TSA certificate is valid"
        );
        assert!(run.not_due >= 1);
        let later = now + time::Duration::days(365 * 40);
        let run = app.renew_archives(later, true).await.unwrap();
        let signature = signet_pades::archive::TimestampKind::Signature;
        assert_eq!(ours(&run), (Some(signature), None));
        assert_eq!(
            current(&app).await.sha256,
            before.sha256,
            "a dry run changes nothing"
        );

        // No TSA reachable: the file stays due and the failure is kept for the agency's
        // administrators (only theirs) until a run succeeds.
        let offline = app_with_tsa(&db, clock.clone(), Some("http://127.0.0.1:9/tsa")).await;
        let run = offline.renew_archives(later, false).await.unwrap();
        assert!(ours(&run).1.is_some(), "{run:?}");
        assert_eq!(current(&app).await.sha256, before.sha256);
        let admin = viewer(&app, "quantri.ubnd").await;
        let report = app.archive_report(&admin).await.unwrap();
        let kept = report
            .failures
            .iter()
            .find(|f| f.document_id == doc)
            .unwrap();
        assert_eq!(kept.attempts, 1);
        assert_eq!(report.runs.len(), 1, "dry runs are not recorded");
        assert_eq!(report.runs[0].failed, 1);
        assert!(matches!(
            app.archive_report(&clerk).await,
            Err(AppError::Forbidden(_))
        ));

        let run = app.renew_archives(later, false).await.unwrap();
        assert_eq!(ours(&run), (Some(signature), None), "{:?}", run.failed);
        let report = app.archive_report(&admin).await.unwrap();
        assert!(
            report.failures.is_empty(),
            "cleared by the renewal: {report:?}"
        );
        assert_eq!(report.runs[0].renewed, 1);
        let after = current(&app).await;
        assert_ne!(after.sha256, before.sha256);
        let pdf = blob(&app, &after.sha256).await;
        assert!(
            pdf.starts_with(&blob(&app, &before.sha256).await),
            "an incremental update"
        );
        let report = app.verifier.verify(&pdf, clock.now()).unwrap();
        let kinds: Vec<String> = report
            .signatures
            .iter()
            .map(|s| format!("{:?}", s.kind))
            .collect();
        assert_eq!(
            kinds,
            ["Signature", "Signature", "DocumentTimestamp"],
            "{report:#?}"
        );
        assert!(
            report
                .signatures
                .iter()
                .all(|s| format!("{:?}", s.integrity) == "Intact"),
            "{report:#?}"
        );
        let journal = app
            .store
            .journal_of(&clerk.agency_id, doc.as_str())
            .await
            .unwrap();
        assert_eq!(journal.last().unwrap().action, "archive.renewed");
        archive_referees(&db, &pdf);

        // The same TSA certificate again: nothing gained, refused, nothing changed.
        let run = app.renew_archives(later, false).await.unwrap();
        let (kind, reason) = ours(&run);
        assert_eq!(kind, None);
        assert!(reason.unwrap().contains("TSA's certificate"));
        assert_eq!(current(&app).await.sha256, after.sha256);
        let report = app.archive_report(&admin).await.unwrap();
        assert!(report.failures[0].reason.contains("TSA's certificate"));
    }
}

async fn blob(app: &App, sha256: &str) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    let mut f = app.blobs.open_blob(sha256).await.unwrap();
    f.read_to_end(&mut bytes).await.unwrap();
    bytes
}

/// pdfsig: the signatures and the archive timestamp valid, the last covering the whole file;
/// pyHanko: every signature still valid with only signing and form filling after it.
fn archive_referees(db: &TestDb, pdf: &[u8]) {
    let path = db.dir.join("archived.pdf");
    std::fs::write(&path, pdf).unwrap();
    if let Some(pdfsig) = signet_testkit::tool("pdfsig") {
        let out = signet_testkit::run(&db.dir, pdfsig, &["-nocert", path.to_str().unwrap()]);
        let text = signet_testkit::text(&out);
        // poppler validates the two CMS signatures; it lists the document timestamp (its
        // type, ETSI.RFC3161, it cannot validate) as the one covering the whole file.
        assert_eq!(text.matches("Signature is Valid").count(), 2, "{text}");
        let archive = text
            .split("Signature #3:")
            .nth(1)
            .unwrap_or_else(|| panic!("no third signature: {text}"));
        assert!(archive.contains("Signet-ArchiveTimeStamp"), "{text}");
        assert!(archive.contains("Total document signed"), "{text}");
        assert_eq!(text.matches("Total document signed").count(), 1, "{text}");
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
        assert!(
            text.matches("judged VALID").count() >= 2,
            "pyHanko:\n{text}"
        );
        assert!(!text.contains("INVALID"), "pyHanko:\n{text}");
    }
}

/// Ký nháy (issue 13 §2): the unit's route sends the draft to a reviewer, who approves it by
/// initialling it — a small approval signature at the foot of the last page, on a device,
/// completed like the leader's — which opens the leader's turn; initialling twice is
/// refused; the leader's signature and the clerk's seal keep it: Signet, pdfsig and pyHanko
/// find three valid signatures, the later revisions form filling and signing.
#[tokio::test]
async fn a_reviewer_initials_the_draft_and_the_signatures_after_keep_it() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        init_ca(&db.dir, OffsetDateTime::now_utc());
        let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
        let app = app_on(&db, clock.clone()).await;
        assert!(app.seed_demo().await.unwrap());
        let officer = viewer(&app, "chuyenvien.vp").await;
        let reviewer = viewer(&app, "chuyenvien2.th").await;
        let leader = viewer(&app, "lanhdao.ubnd").await;
        let clerk = viewer(&app, "vanthu.ubnd").await;
        route_unit_of(&app, &officer, &[&reviewer], &leader).await;
        let doc = submitted_draft(&app, &officer, "Về việc ký nháy dự thảo").await;
        let (key, chain) = chairman_key(&app, Some("Chuyên viên")).await.unwrap();

        // The leader may not sign yet; the reviewer initials.
        assert!(app
            .prepare_signature(&leader, &doc, "agent", chain.clone())
            .await
            .is_err());
        let p = app
            .prepare_initial(&reviewer, &doc, "agent", chain.clone())
            .await
            .unwrap();
        let sig = device_sign(&app, &reviewer, &p.pending_id, &key).await;
        let after = app
            .complete_signature(&reviewer, &p.pending_id, &sig, &chain)
            .await
            .unwrap();
        assert_eq!(after.state.code(), "submitted");
        assert_eq!(after.review_level, 0, "the only level is done");
        let e = app
            .prepare_initial(&reviewer, &doc, "agent", chain.clone())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let cycle = app.draft_cycle(&officer, &doc).await.unwrap();
        assert_eq!(cycle.reviews.len(), 1);
        assert_eq!(cycle.reviews[0].decision, "approved");

        // The leader signs on top, the clerk seals: three signatures, all kept.
        leader_signs(&app, &leader, &doc, &key, &chain).await;
        app.issue_step(&clerk, &doc).await.unwrap();
        let report = app
            .signature_panel(&clerk, &doc)
            .await
            .unwrap()
            .unwrap()
            .report
            .unwrap();
        assert_eq!(report.signatures.len(), 3, "{report:?}");
        assert!(
            report.signatures[0].field.starts_with("KyNhay_"),
            "{report:?}"
        );
        assert_eq!(report.signatures[1].field, "ChuKyLanhDao");
        assert_eq!(report.exit_code(), 0, "{report:?}");
        let file = app
            .store
            .current_file(&clerk.agency_id, &doc)
            .await
            .unwrap()
            .unwrap();
        referees_count(&db, &blob(&app, &file.sha256).await, 3);
    }
}
