//! The drafting cycle (issue 13 §2), on SQLite and PostgreSQL: an officer drafts with an
//! appendix and submits along a two-level route (the unit head, then two deputies in
//! parallel) to a chosen leader; the head returns it with a reason; the officer makes a new
//! version; both levels approve (the second only once both deputies have); a reviewer can
//! forward; only the chosen leader signs, and only after the reviews; the register's "người
//! ký" is the leader who signed, whatever the draft's form said. Each person's "Việc của
//! tôi" shows the draft when, and only when, it waits for them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_app::testing::support::viewer;
use std::sync::Arc;

use signet_app::documents::DocumentForm;
use signet_app::drafting::{ReviewForm, RouteForm};
use signet_app::{App, AppError, Invalid, SystemClock};
use signet_core::lifecycle::{DocumentState, OutgoingState, Step};
use signet_core::person::{Role, Viewer};
use signet_core::DocumentId;
use signet_store::directory::NewPerson;
use signet_store::documents::NewFile;
use signet_store::testing::{databases, TestDb};
use signet_store::BlobStore;

async fn app_on(db: &TestDb) -> App {
    let blobs = BlobStore::open(db.dir.join("blobs"), 64 << 20)
        .await
        .unwrap();
    App::new(db.store.clone(), blobs, Arc::new(SystemClock))
}

/// A person of `like`'s agency with `roles`.
async fn colleague(app: &App, like: &Viewer, username: &str, name: &str, roles: &[Role]) -> Viewer {
    let p = app
        .store
        .insert_person(
            &NewPerson {
                agency_id: like.agency_id.clone(),
                unit_id: None,
                username: username.into(),
                full_name: name.into(),
                title: "Phó Chánh Văn phòng".into(),
                email: String::new(),
                roles: roles.to_vec(),
                password_hash: "x".into(),
            },
            "test",
            1,
        )
        .await
        .unwrap();
    Viewer {
        person_id: p.id,
        agency_id: p.agency_id,
        roles: p.roles,
    }
}

async fn file(app: &App, bytes: &[u8], name: &str, kind: &str) -> NewFile {
    let mut w = app.blobs.writer().await.unwrap();
    w.write(bytes).await.unwrap();
    NewFile {
        blob: w.finish().await.unwrap(),
        file_name: name.into(),
        content_type: "application/pdf".into(),
        kind: kind.into(),
    }
}

fn form(subject: &str) -> DocumentForm {
    DocumentForm {
        doc_type: "cong-van".into(),
        subject: subject.into(),
        // Typed by the officer: the register must not believe it.
        signer_name: "Lê Văn Hùng".into(),
        signer_position: "Chủ tịch".into(),
        ..DocumentForm::default()
    }
}

fn decide(decision: &str, reason: &str, to: &str) -> ReviewForm {
    ReviewForm {
        decision: decision.into(),
        reason: reason.into(),
        forward_to: to.into(),
    }
}

async fn waiting_review(app: &App, v: &Viewer) -> Vec<DocumentId> {
    let work = app.my_work(v).await.unwrap();
    work.to_review.into_iter().map(|d| d.id).collect()
}

#[tokio::test]
async fn a_draft_goes_through_two_levels_is_returned_revised_and_signed_by_the_chosen_leader() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let app = app_on(&db).await;
        assert!(app.seed_demo().await.unwrap());
        let officer = viewer(&app, "chuyenvien.vp").await;
        let chairman = viewer(&app, "lanhdao.ubnd").await;
        let head = colleague(
            &app,
            &officer,
            "truongphong",
            "Trần Thị Hoa",
            &[Role::Officer],
        )
        .await;
        let deputy1 = colleague(&app, &officer, "pho1", "Phạm Văn An", &[Role::Leader]).await;
        let deputy2 = colleague(&app, &officer, "pho2", "Đỗ Thị Bình", &[Role::Leader]).await;
        let other = colleague(&app, &officer, "pho3", "Vũ Văn Cường", &[Role::Officer]).await;

        let files = vec![
            file(&app, b"%PDF-1.7 main v1", "du-thao.pdf", "main").await,
            file(&app, b"%PDF-1.7 appendix", "phu-luc-1.pdf", "attachment").await,
        ];
        let draft = app
            .create_draft(&officer, &form("Về việc chuyển đổi số"), files)
            .await
            .unwrap();
        assert_eq!(draft.version, 1);

        // A route's people are checked: a signer must be a leader; nobody twice.
        let id = |v: &Viewer| v.person_id.to_string();
        let bad_signer = RouteForm {
            levels: vec![vec![id(&head)]],
            signer_id: id(&other),
        };
        let e = app
            .submit_along(&officer, &draft.id, &bad_signer)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::RouteSigner)),
            "{e:?}"
        );
        let twice = RouteForm {
            levels: vec![vec![id(&head)], vec![id(&head)]],
            signer_id: String::new(),
        };
        let e = app
            .submit_along(&officer, &draft.id, &twice)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(Invalid::RouteShape)), "{e:?}");

        let route = RouteForm {
            levels: vec![vec![id(&head)], vec![id(&deputy1), id(&deputy2)]],
            signer_id: id(&chairman),
        };
        let doc = app.submit_along(&officer, &draft.id, &route).await.unwrap();
        assert_eq!(doc.state, DocumentState::Outgoing(OutgoingState::Submitted));
        assert_eq!(doc.review_level, 1);
        // Level 1 sees it; level 2 and the signer do not yet; nobody may sign yet.
        assert_eq!(
            waiting_review(&app, &head).await,
            std::slice::from_ref(&draft.id)
        );
        assert!(waiting_review(&app, &deputy1).await.is_empty());
        assert!(!app.allowed_steps(&chairman, &doc).contains(&Step::Sign));
        let to_sign = app.my_work(&chairman).await.unwrap().to_sign;
        assert!(!to_sign.iter().any(|d| d.id == draft.id));
        let e = app.sign(&chairman, &draft.id).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        // A reviewer not at the current level cannot decide.
        let e = app
            .review(&deputy1, &draft.id, &decide("approve", "", ""))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        // A return needs its reason.
        let e = app
            .review(&head, &draft.id, &decide("return", "  ", ""))
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ReturnReason { .. })),
            "{e:?}"
        );

        // The head returns it with a reason; the officer sees why.
        let back = app
            .review(
                &head,
                &draft.id,
                &decide("return", "Bổ sung căn cứ pháp lý", ""),
            )
            .await
            .unwrap();
        assert_eq!(back.state, DocumentState::Outgoing(OutgoingState::Draft));
        let mine = app.my_work(&officer).await.unwrap();
        let why = mine.returns.iter().find(|r| r.0 == draft.id).unwrap();
        assert_eq!(
            (why.1.as_str(), why.2.as_str()),
            ("Trần Thị Hoa", "Bổ sung căn cứ pháp lý")
        );
        let cycle = app.draft_cycle(&officer, &draft.id).await.unwrap();
        assert_eq!(cycle.returned.unwrap().reason, "Bổ sung căn cứ pháp lý");

        // Only the author (or a clerk) revises; the new version keeps the old files.
        let e = app
            .revise_draft(&head, &draft.id, &form("x"), Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let v2 = vec![file(&app, b"%PDF-1.7 main v2", "du-thao-v2.pdf", "main").await];
        let revised = app
            .revise_draft(
                &officer,
                &draft.id,
                &form("Về việc chuyển đổi số năm 2027"),
                v2,
            )
            .await
            .unwrap();
        assert_eq!(revised.version, 2);
        assert_eq!(revised.subject, "Về việc chuyển đổi số năm 2027");
        let cycle = app.draft_cycle(&officer, &draft.id).await.unwrap();
        let versions: Vec<(i64, usize)> =
            cycle.versions.iter().map(|(v, f)| (*v, f.len())).collect();
        assert_eq!(versions, [(2, 1), (1, 2)]);
        assert_eq!(
            cycle.changes,
            [(2, vec!["subject".to_owned(), "file".to_owned()])]
        );
        let current = app
            .store
            .current_file(&officer.agency_id, &draft.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(current.file_name, "du-thao-v2.pdf");

        // Round two: the head approves, level 2 opens; one deputy is not enough.
        app.submit_along(&officer, &draft.id, &route).await.unwrap();
        assert!(waiting_review(&app, &deputy1).await.is_empty());
        let doc = app
            .review(&head, &draft.id, &decide("approve", "", ""))
            .await
            .unwrap();
        assert_eq!(doc.review_level, 2);
        assert!(waiting_review(&app, &head).await.is_empty());
        assert_eq!(
            waiting_review(&app, &deputy1).await,
            std::slice::from_ref(&draft.id)
        );
        assert_eq!(
            waiting_review(&app, &deputy2).await,
            std::slice::from_ref(&draft.id)
        );
        let doc = app
            .review(&deputy1, &draft.id, &decide("approve", "", ""))
            .await
            .unwrap();
        assert_eq!(doc.review_level, 2, "the parallel level waits for both");
        let e = app
            .review(&deputy1, &draft.id, &decide("approve", "", ""))
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Forbidden(_)),
            "approving twice: {e:?}"
        );

        // The second deputy forwards to a colleague, who takes the place and approves.
        let e = app
            .review(&deputy2, &draft.id, &decide("forward", "", &id(&deputy1)))
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Conflict(_)),
            "already on the route: {e:?}"
        );
        app.review(&deputy2, &draft.id, &decide("forward", "", &id(&other)))
            .await
            .unwrap();
        assert!(waiting_review(&app, &deputy2).await.is_empty());
        assert_eq!(
            waiting_review(&app, &other).await,
            std::slice::from_ref(&draft.id)
        );
        let doc = app
            .review(&other, &draft.id, &decide("approve", "", ""))
            .await
            .unwrap();
        assert_eq!(doc.review_level, 0);

        // Now the chosen leader — and only they — signs.
        assert!(!app.allowed_steps(&deputy1, &doc).contains(&Step::Sign));
        assert!(app.allowed_steps(&chairman, &doc).contains(&Step::Sign));
        let to_sign = app.my_work(&chairman).await.unwrap().to_sign;
        assert!(to_sign.iter().any(|d| d.id == draft.id));
        let signed = app.sign(&chairman, &draft.id).await.unwrap();
        let leader = app.store.person(&chairman.person_id).await.unwrap();
        assert_eq!(signed.signer_name, leader.full_name);
        assert_eq!(signed.signer_position, leader.title);
        assert_ne!(signed.signer_name, "Lê Văn Hùng");

        // Issued, its register row names the real signer and fills the other columns.
        let clerk = viewer(&app, "vanthu.ubnd").await;
        let issued = app.issue(&clerk, &draft.id).await.unwrap();
        let year = issued.year.unwrap();
        let book = signet_app::registers::Book::Outgoing;
        let entries = app.register(&clerk, book, year).await.unwrap();
        let entry = entries.iter().find(|e| e.document.id == draft.id).unwrap();
        let row = book.row(entry);
        assert_eq!(row[3], leader.full_name, "người ký");
        assert_eq!(row[6], "1", "no recipient yet: the filed copy only");

        // Every decision is kept, in order.
        let cycle = app.draft_cycle(&officer, &draft.id).await.unwrap();
        let decisions: Vec<&str> = cycle.reviews.iter().map(|r| r.decision.as_str()).collect();
        assert_eq!(
            decisions,
            ["returned", "approved", "approved", "forwarded", "approved"]
        );
        let journal = app
            .store
            .journal_of(&officer.agency_id, draft.id.as_str())
            .await
            .unwrap();
        let actions: Vec<&str> = journal.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"document.revised"), "{actions:?}");
        assert_eq!(
            actions
                .iter()
                .filter(|a| **a == "document.reviewed")
                .count(),
            4
        );
        // The journal replays to the rows as they are (subject revised included).
        let checks = signet_app::journal::verify_journals(&app.store, None, None)
            .await
            .unwrap();
        for c in &checks {
            assert!(c.result.is_ok(), "{:?}", c.result);
            assert!(c.rows.is_empty(), "{:?}", c.rows);
        }
    }
}

#[tokio::test]
async fn a_unit_default_route_is_taken_when_none_is_chosen_and_the_signer_returns_with_a_reason() {
    for db in databases().await.unwrap() {
        eprintln!("-- on {}", db.label);
        let app = app_on(&db).await;
        assert!(app.seed_demo().await.unwrap());
        let officer = viewer(&app, "chuyenvien.vp").await;
        let admin = viewer(&app, "quantri.ubnd").await;

        // A secret draft is routed only to people who may read it.
        let mut secret = form("Về việc bảo vệ bí mật");
        secret.secrecy = "mat".into();
        let files = vec![file(&app, b"%PDF-1.7 s", "mat.pdf", "main").await];
        let d = app.create_draft(&officer, &secret, files).await.unwrap();
        let other = colleague(&app, &officer, "cv3", "Đặng Văn Em", &[Role::Officer]).await;
        let e = app
            .submit_along(
                &officer,
                &d.id,
                &RouteForm {
                    levels: vec![vec![other.person_id.to_string()]],
                    signer_id: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::RouteReviewer)),
            "{e:?}"
        );
        let chairman = viewer(&app, "lanhdao.ubnd").await;
        let head = colleague(
            &app,
            &officer,
            "truongphong",
            "Trần Thị Hoa",
            &[Role::Officer],
        )
        .await;
        let unit = app
            .store
            .person(&officer.person_id)
            .await
            .unwrap()
            .unit_id
            .unwrap();
        let default = RouteForm {
            levels: vec![vec![head.person_id.to_string()]],
            signer_id: chairman.person_id.to_string(),
        };
        let e = app
            .set_unit_route(&officer, &unit, &default)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        app.set_unit_route(&admin, &unit, &default).await.unwrap();
        assert_eq!(
            app.unit_route(&admin, &unit).await.unwrap().levels,
            default.levels
        );

        let mut f = form("Về việc báo cáo tháng");
        f.drafting_unit_id = unit.to_string();
        let files = vec![file(&app, b"%PDF-1.7 x", "bao-cao.pdf", "main").await];
        let draft = app.create_draft(&officer, &f, files).await.unwrap();
        // The API's bare "submit" step takes the unit's default route.
        let doc = app
            .take_step(&officer, &draft.id, Step::Submit)
            .await
            .unwrap();
        assert_eq!(doc.review_level, 1);
        assert_eq!(doc.signer_id.as_ref(), Some(&chairman.person_id));
        assert_eq!(
            waiting_review(&app, &head).await,
            std::slice::from_ref(&draft.id)
        );
        app.review(&head, &draft.id, &decide("approve", "", ""))
            .await
            .unwrap();
        let back = app
            .return_with_reason(&chairman, &draft.id, "Chưa đúng thể thức")
            .await
            .unwrap();
        assert_eq!(back.state, DocumentState::Outgoing(OutgoingState::Draft));
        let cycle = app.draft_cycle(&officer, &draft.id).await.unwrap();
        let r = cycle.returned.unwrap();
        assert_eq!((r.level, r.reason.as_str()), (0, "Chưa đúng thể thức"));
    }
}
