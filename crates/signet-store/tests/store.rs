//! The storage suite. Every test runs against every backend `testing::databases` offers:
//! SQLite always, PostgreSQL when SIGNET_TEST_DATABASE_URL is set.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_core::document::{DocumentType, Secrecy, Urgency};
use signet_core::ids::{AgencyId, DocumentId, PersonId};
use signet_core::journal;
use signet_core::lifecycle::{Incoming, IncomingState, Outgoing, OutgoingState, Signed};
use signet_core::person::Viewer;
use signet_core::register::{Abbreviation, Notation};
use signet_core::{AgencyCode, Direction, Role};
use signet_store::directory::{NewAgency, NewPerson};
use signet_store::documents::{Arrival, Issue, ListFilter, NewDocument};
use signet_store::testing::{databases, TestDb};
use signet_store::{BlobStore, Store, StoreError};

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

struct Fixture {
    agency: AgencyId,
    other_agency: AgencyId,
    officer: Viewer,
    leader: Viewer,
    outsider: Viewer,
}

async fn fixture(store: &Store) -> Fixture {
    let agency = store
        .insert_agency(
            &NewAgency {
                code: AgencyCode::parse("000.00.00.H99").unwrap(),
                name: "Ủy ban nhân dân tỉnh Hòa Bình Xanh".into(),
                abbreviation: "UBND".into(),
                parent_id: None,
                address: String::new(),
            },
            "system",
            T0,
        )
        .await
        .unwrap();
    let other = store
        .insert_agency(
            &NewAgency {
                code: AgencyCode::parse("000.00.14.H99").unwrap(),
                name: "Sở Thông tin và Truyền thông".into(),
                abbreviation: "STTTT".into(),
                parent_id: Some(agency.id.clone()),
                address: String::new(),
            },
            "system",
            T0,
        )
        .await
        .unwrap();
    let person = |agency_id: &AgencyId, username: &str, roles: Vec<Role>| NewPerson {
        agency_id: agency_id.clone(),
        unit_id: None,
        username: username.to_owned(),
        full_name: format!("Nguyễn Văn {username}"),
        title: String::new(),
        email: String::new(),
        roles,
        password_hash: "x".into(),
    };
    let officer = store
        .insert_person(&person(&agency.id, "cv", vec![Role::Officer]), "system", T0)
        .await
        .unwrap();
    let leader = store
        .insert_person(&person(&agency.id, "ld", vec![Role::Leader]), "system", T0)
        .await
        .unwrap();
    let outsider = store
        .insert_person(
            &person(&other.id, "ngoai", vec![Role::Leader, Role::Clerk]),
            "system",
            T0,
        )
        .await
        .unwrap();
    let viewer = |p: &signet_store::directory::Person| Viewer {
        person_id: p.id.clone(),
        agency_id: p.agency_id.clone(),
        roles: p.roles.clone(),
    };
    Fixture {
        agency: agency.id,
        other_agency: other.id,
        officer: viewer(&officer),
        leader: viewer(&leader),
        outsider: viewer(&outsider),
    }
}

fn draft(f: &Fixture, subject: &str, secrecy: Secrecy) -> NewDocument {
    NewDocument {
        agency_id: f.agency.clone(),
        doc_type: DocumentType::CongVan,
        subject: subject.to_owned(),
        urgency: Urgency::Normal,
        secrecy,
        signer_name: String::new(),
        signer_position: String::new(),
        pages: Some(1),
        recipients: String::new(),
        due_on: None,
        drafting_unit_id: None,
        created_by: f.officer.person_id.clone(),
        files: vec![],
    }
}

fn notation(
    n: u32,
    d: &signet_store::documents::Document,
) -> Result<Notation, signet_core::CoreError> {
    Notation::build(
        n,
        d.doc_type,
        &Abbreviation::parse("UBND")?,
        Some(&Abbreviation::parse("VP")?),
    )
}

async fn each_db<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = TestDb>,
{
    for db in databases().await.expect("test databases") {
        let label = db.label;
        eprintln!("-- on {label}");
        let db = test(db).await;
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_are_idempotent_and_ping_works() {
    each_db(|db| async move {
        assert!(
            db.store.migrate().await.unwrap().is_empty(),
            "second run applies nothing"
        );
        db.store.ping().await.unwrap();
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draft_round_trips_with_its_journal() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let d = db
            .store
            .insert_draft(
                &draft(&f, "Về việc triển khai ký số", Secrecy::None),
                T0 + 5,
            )
            .await
            .unwrap();
        assert_eq!(d.state, OutgoingState::Draft.into());
        assert_eq!(d.direction, Direction::Outgoing);
        let back = db.store.document(&f.agency, &d.id).await.unwrap();
        assert_eq!(back, d);
        let history = db.store.journal_of(&f.agency, d.id.as_str()).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, "document.drafted");
        assert!(history[0].details.contains("Về việc triển khai ký số"));
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_agency_never_sees_a_document() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let d = db
            .store
            .insert_draft(&draft(&f, "Nội bộ", Secrecy::None), T0)
            .await
            .unwrap();
        assert!(matches!(
            db.store.document(&f.other_agency, &d.id).await,
            Err(StoreError::NotFound)
        ));
        let page = db
            .store
            .list(
                &f.outsider,
                Direction::Outgoing,
                &ListFilter {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(page.documents.is_empty());
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn secret_documents_are_listed_only_to_who_may_read_them() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let mut secret = draft(&f, "Tài liệu mật", Secrecy::Secret);
        secret.created_by = f.leader.person_id.clone();
        db.store.insert_draft(&secret, T0).await.unwrap();
        db.store
            .insert_draft(&draft(&f, "Công khai", Secrecy::None), T0 + 1)
            .await
            .unwrap();
        let all = ListFilter {
            limit: 50,
            ..Default::default()
        };
        let officer_sees = db
            .store
            .list(&f.officer, Direction::Outgoing, &all)
            .await
            .unwrap();
        assert_eq!(officer_sees.documents.len(), 1);
        assert_eq!(officer_sees.documents[0].subject, "Công khai");
        let leader_sees = db
            .store
            .list(&f.leader, Direction::Outgoing, &all)
            .await
            .unwrap();
        assert_eq!(leader_sees.documents.len(), 2);
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn search_folds_diacritics_and_paging_is_complete() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        for i in 0..25 {
            let subject = if i % 5 == 0 {
                format!("Kế hoạch ký số đợt {i}")
            } else {
                format!("Báo cáo tháng {i}")
            };
            db.store
                .insert_draft(&draft(&f, &subject, Secrecy::None), T0 + i)
                .await
                .unwrap();
        }
        let found = db
            .store
            .list(
                &f.officer,
                Direction::Outgoing,
                &ListFilter {
                    text: Some("ky so".into()),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(found.documents.len(), 5);
        // A LIKE wildcard typed by a user is a literal character, not a pattern.
        let none = db
            .store
            .list(
                &f.officer,
                Direction::Outgoing,
                &ListFilter {
                    text: Some("%".into()),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(none.documents.is_empty());
        let mut seen = Vec::new();
        let mut filter = ListFilter {
            limit: 7,
            ..Default::default()
        };
        loop {
            let page = db
                .store
                .list(&f.officer, Direction::Outgoing, &filter)
                .await
                .unwrap();
            seen.extend(page.documents.iter().map(|d| d.created_at_ms));
            match page.next {
                Some(c) => filter.after = Some(c),
                None => break,
            }
        }
        let expected: Vec<i64> = (0..25).rev().map(|i| T0 + i).collect();
        assert_eq!(seen, expected, "every document once, newest first");
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issuing_needs_a_signature_and_numbers_per_series_and_year() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let s = &db.store;
        let d = s
            .insert_draft(&draft(&f, "Chưa ký", Secrecy::None), T0)
            .await
            .unwrap();
        let err = issue(s, &f.agency, &d.id, 2026, "2026-01-02")
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Domain(signet_core::CoreError::WrongState { .. })
            ),
            "{err}"
        );
        let signed = sign(s, &f, &d.id).await;
        let issued = issue(s, &f.agency, &signed, 2026, "2026-01-02")
            .await
            .unwrap();
        assert_eq!(issued.notation.as_deref(), Some("1/UBND-VP"));
        assert_eq!(issued.state, OutgoingState::Issued.into());
        // A second issue of the same document is refused: it is no longer signed.
        assert!(issue(s, &f.agency, &signed, 2026, "2026-01-02")
            .await
            .is_err());
        // Secret documents have their own series; a new year starts again at 1.
        let secret = s
            .insert_draft(&draft(&f, "Mật", Secrecy::Confidential), T0)
            .await
            .unwrap();
        let secret = sign(s, &f, &secret.id).await;
        assert_eq!(
            issue(s, &f.agency, &secret, 2026, "2026-01-02")
                .await
                .unwrap()
                .number,
            Some(1)
        );
        let next_year = s
            .insert_draft(&draft(&f, "Năm sau", Secrecy::None), T0)
            .await
            .unwrap();
        let next_year = sign(s, &f, &next_year.id).await;
        assert_eq!(
            issue(s, &f.agency, &next_year, 2027, "2027-01-01")
                .await
                .unwrap()
                .number,
            Some(1)
        );
        let register = s.register(&f.agency, "di", 2026).await.unwrap();
        assert_eq!(register.len(), 1);
        db
    })
    .await;
}

async fn sign(s: &Store, f: &Fixture, id: &DocumentId) -> DocumentId {
    let submitted = Outgoing::new(id.clone()).submit();
    s.transition(&f.agency, &submitted, &f.officer.person_id, T0)
        .await
        .unwrap();
    let signed = submitted.into_next().sign();
    s.transition(&f.agency, &signed, &f.leader.person_id, T0)
        .await
        .unwrap();
    id.clone()
}

/// Issues `id` as if it were signed: the store's guard, not this claim, decides.
async fn issue(
    s: &Store,
    agency: &AgencyId,
    id: &DocumentId,
    year: i32,
    issued_on: &str,
) -> Result<signet_store::documents::Document, StoreError> {
    let step = Outgoing::<Signed>::restore(id, OutgoingState::Signed.into())
        .unwrap()
        .issue();
    let clerk = PersonId::new("clerk");
    let req = Issue {
        agency_id: agency,
        step: &step,
        year,
        issued_on,
        actor: &clerk,
        at_ms: T0,
    };
    s.issue(&req, notation).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_transition_is_refused() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let d = db
            .store
            .insert_draft(&draft(&f, "x", Secrecy::None), T0)
            .await
            .unwrap();
        let submit = || Outgoing::new(d.id.clone()).submit();
        db.store
            .transition(&f.agency, &submit(), &f.officer.person_id, T0)
            .await
            .unwrap();
        let again = db
            .store
            .transition(&f.agency, &submit(), &f.officer.person_id, T0)
            .await;
        assert!(
            matches!(
                again,
                Err(StoreError::Domain(signet_core::CoreError::WrongState {
                    expected: "draft",
                    actual: "submitted"
                }))
            ),
            "{again:?}"
        );
        // Another agency's transition finds nothing to change.
        let other = db
            .store
            .transition(&f.other_agency, &submit(), &f.outsider.person_id, T0)
            .await;
        assert!(matches!(other, Err(StoreError::NotFound)), "{other:?}");
        db
    })
    .await;
}

/// Nghị định 30: numbers are unique within the year and follow issuance order. 1,000
/// documents issued at once must get exactly 1..=1000.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_thousand_concurrent_issuances_are_gap_free() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let mut ids = Vec::new();
        for i in 0..1000 {
            let d = db
                .store
                .insert_draft(&draft(&f, &format!("Văn bản {i}"), Secrecy::None), T0 + i)
                .await
                .unwrap();
            ids.push(sign(&db.store, &f, &d.id).await);
        }
        let tasks: Vec<_> = ids
            .into_iter()
            .map(|id| {
                let store = db.store.clone();
                let agency = f.agency.clone();
                tokio::spawn(async move {
                    issue(&store, &agency, &id, 2026, "2026-03-01")
                        .await
                        .map(|d| d.number)
                })
            })
            .collect();
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap().unwrap().unwrap());
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=1000).collect::<Vec<i64>>());
        // The journal stayed a clean chain through all of it.
        let entries = db.store.journal(&f.agency).await.unwrap();
        let head = db.store.journal_head(&f.agency).await.unwrap();
        assert!(journal::verify(f.agency.as_str(), &entries, head.as_ref()).is_ok());
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn incoming_numbers_follow_receipt_order() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        for i in 1..=3 {
            let arrival = Arrival {
                author_name: "Bộ Nội vụ".into(),
                author_code: Some(AgencyCode::parse("000.00.00.G12").unwrap()),
                notation: format!("{i}/BNV-VP"),
                issued_on: None,
                arrived_on: "2026-02-01".into(),
                year: 2026,
            };
            let d = db
                .store
                .register_incoming(
                    &draft(&f, &format!("Đến {i}"), Secrecy::None),
                    &arrival,
                    T0 + i,
                )
                .await
                .unwrap();
            assert_eq!(d.number, Some(i));
            assert_eq!(d.direction, Direction::Incoming);
        }
        let found = db
            .store
            .list(
                &f.officer,
                Direction::Incoming,
                &ListFilter {
                    text: Some("bnv".into()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            found.documents.len(),
            3,
            "incoming search matches the sender's notation"
        );
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn incoming_steps_are_stored_and_journalled() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let s = &db.store;
        let arrival = Arrival {
            author_name: "Bộ Nội vụ".into(),
            author_code: None,
            notation: "7/BNV-VP".into(),
            issued_on: None,
            arrived_on: "2026-02-01".into(),
            year: 2026,
        };
        let d = s
            .register_incoming(&draft(&f, "Đến", Secrecy::None), &arrival, T0)
            .await
            .unwrap();
        assert_eq!(d.state, IncomingState::Registered.into());
        assert_eq!(d.author_code, None);
        let presented = Incoming::registered(d.id.clone()).present();
        let back = s
            .transition(&f.agency, &presented, &f.officer.person_id, T0 + 1)
            .await
            .unwrap();
        assert_eq!(back.state, IncomingState::Presented.into());
        let assigned = presented.into_next().assign();
        let back = s
            .transition(&f.agency, &assigned, &f.leader.person_id, T0 + 2)
            .await
            .unwrap();
        assert_eq!(back.state, IncomingState::Assigned.into());
        // Returning to the sender starts from registration: the stored state refuses it.
        let stale = Incoming::registered(d.id.clone()).return_to_sender();
        assert!(s
            .transition(&f.agency, &stale, &f.officer.person_id, T0 + 3)
            .await
            .is_err());
        let history = s.journal_of(&f.agency, d.id.as_str()).await.unwrap();
        let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "document.registered",
                "document.presented",
                "document.assigned"
            ]
        );
        assert_eq!(
            history[2].details,
            r#"{"from":"presented","to":"assigned"}"#
        );
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_document_files_are_read_within_its_agency_only() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let dir = signet_store::testing::scratch_dir("files");
        let blobs = BlobStore::open(&dir, 1024).await.unwrap();
        let mut w = blobs.writer().await.unwrap();
        w.write(b"%PDF-1.7 test").await.unwrap();
        let blob = w.finish().await.unwrap();
        let mut new = draft(&f, "Có tệp", Secrecy::None);
        new.files = vec![signet_store::documents::NewFile {
            blob,
            file_name: "a.pdf".into(),
            content_type: "application/pdf".into(),
            kind: "main".into(),
        }];
        let d = db.store.insert_draft(&new, T0).await.unwrap();
        let files = db.store.document_files(&f.agency, &d.id).await.unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].document_id, d.id);
        assert!(db
            .store
            .document_files(&f.other_agency, &d.id)
            .await
            .unwrap()
            .is_empty());
        let _ = std::fs::remove_dir_all(dir);
        db
    })
    .await;
}

/// Journals written before the details were typed (hand-built JSON) keep verifying, and
/// new entries chain on after them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn journals_in_the_earlier_encoding_still_verify() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let s = &db.store;
        let old = [
            (
                "document.drafted",
                r#"{"subject":"Về "việc" \ cũ","type":"cong-van","files":[{"sha256":"ab","name":"a.pdf","size":3}]}"#,
            ),
            ("document.submitted", r#"{"from":"draft","to":"submitted"}"#),
            ("person.disabled", "{}"),
        ];
        let mut tx = s.begin().await.unwrap();
        let mut head = signet_store::journal::claim_head(&mut tx, &f.agency)
            .await
            .unwrap();
        for (i, (action, details)) in old.iter().enumerate() {
            let e = journal::NewEntry {
                at_ms: T0 + i as i64,
                actor: "p-old".into(),
                action: (*action).into(),
                subject: "d-old".into(),
                details: (*details).into(),
            };
            signet_store::journal::append(&mut tx, &f.agency, &mut head, e)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        s.insert_draft(&draft(&f, "Mới", Secrecy::None), T0 + 10)
            .await
            .unwrap();
        let entries = s.journal(&f.agency).await.unwrap();
        let head = s.journal_head(&f.agency).await.unwrap();
        assert_eq!(
            journal::verify(f.agency.as_str(), &entries, head.as_ref()),
            Ok(entries.len())
        );
        let stored_old: Vec<_> = entries
            .iter()
            .filter(|e| e.subject == "d-old")
            .map(|e| e.details.as_str())
            .collect();
        assert_eq!(stored_old, old.map(|(_, d)| d), "stored text kept as written");
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn journal_tampering_is_found() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        for i in 0..5 {
            db.store
                .insert_draft(&draft(&f, &format!("Văn bản {i}"), Secrecy::None), T0 + i)
                .await
                .unwrap();
        }
        let head = db.store.journal_head(&f.agency).await.unwrap();
        let mut entries = db.store.journal(&f.agency).await.unwrap();
        assert!(journal::verify(f.agency.as_str(), &entries, head.as_ref()).is_ok());
        entries[3].details = entries[3].details.replace("Văn bản", "Van ban");
        assert!(journal::verify(f.agency.as_str(), &entries, head.as_ref()).is_err());
        db
    })
    .await;
}

#[tokio::test]
async fn blob_store_streams_limits_and_cleans_up() {
    let dir = signet_store::testing::scratch_dir("signet-blobs");
    let blobs = BlobStore::open(&dir, 10).await.unwrap();
    let mut w = blobs.writer().await.unwrap();
    w.write(b"hello ").await.unwrap();
    w.write(b"world").await.unwrap_err(); // 11 bytes > 10
    drop(w);
    let mut w = blobs.writer().await.unwrap();
    w.write(b"hello").await.unwrap();
    let stored = w.finish().await.unwrap();
    assert_eq!(
        stored.sha256,
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
    assert!(blobs.open_blob(&stored.sha256).await.is_ok());
    assert!(matches!(
        blobs.writer().await.unwrap().finish().await,
        Err(StoreError::Empty)
    ));
    // Abandoned uploads leave no temporary files.
    assert_eq!(std::fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
    assert!(matches!(
        blobs.open_blob("../../etc/passwd").await,
        Err(StoreError::NotFound)
    ));
    let _ = std::fs::remove_dir_all(dir);
}

/// Several nodes share one file store: a node starting sweeps the temporary files a crash
/// left, but not the upload another node is writing at that moment.
#[tokio::test]
async fn sweeping_leaves_uploads_in_progress_alone() {
    let dir = signet_store::testing::scratch_dir("signet-blobs-sweep");
    let blobs = BlobStore::open(&dir, 1 << 20).await.unwrap();
    let mut live = blobs.writer().await.unwrap();
    live.write(b"an upload in progress on another node")
        .await
        .unwrap();
    let abandoned = dir.join("tmp").join("left-by-a-crash");
    let now = std::time::SystemTime::now();
    let two_hours = std::time::Duration::from_secs(7200);
    std::fs::File::create(&abandoned)
        .unwrap()
        .set_modified(now - two_hours)
        .unwrap();

    let swept = blobs.sweep_temporary(now - two_hours / 2).await.unwrap();
    assert_eq!(swept, 1);
    assert!(!abandoned.exists());
    let stored = live.finish().await.unwrap();
    assert!(blobs.open_blob(&stored.sha256).await.is_ok());
    assert_eq!(blobs.sweep_temporary(now).await.unwrap(), 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_word_index_finds_pages_and_backfills() {
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let s = &db.store;
        for i in 0..12 {
            s.insert_draft(
                &draft(&f, &format!("Công văn về ký số lần {i}"), Secrecy::None),
                T0 + i,
            )
            .await
            .unwrap();
        }
        s.insert_draft(&draft(&f, "Báo cáo tổng kết", Secrecy::None), T0 + 100)
            .await
            .unwrap();
        let search = |text: &str, after| ListFilter {
            text: Some(text.into()),
            after,
            limit: 5,
            ..Default::default()
        };
        // Paging through a search: every match once, newest first.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = s
                .list(&f.officer, Direction::Outgoing, &search("KÝ SỐ", after))
                .await
                .unwrap();
            seen.extend(page.documents.iter().map(|d| d.created_at_ms));
            match page.next {
                Some(c) => after = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, (0..12).rev().map(|i| T0 + i).collect::<Vec<_>>());
        // All words must be there, in any order; a word alone matches whole words only.
        assert_eq!(
            s.list(
                &f.officer,
                Direction::Outgoing,
                &search("so ky lan 7", None)
            )
            .await
            .unwrap()
            .documents
            .len(),
            1
        );
        assert!(s
            .list(
                &f.officer,
                Direction::Outgoing,
                &search("ky so tong ket", None)
            )
            .await
            .unwrap()
            .documents
            .is_empty());
        // Issuing adds the notation's words.
        let d = s
            .insert_draft(
                &draft(&f, "Quyết định khen thưởng", Secrecy::None),
                T0 + 200,
            )
            .await
            .unwrap();
        let id = sign(s, &f, &d.id).await;
        issue(s, &f.agency, &id, 2026, "2026-03-01").await.unwrap();
        let found = s
            .list(&f.officer, Direction::Outgoing, &search("1/UBND-VP", None))
            .await
            .unwrap();
        assert_eq!(found.documents.len(), 1);
        // Documents stored before the index existed are found after migration 2 runs.
        signet_store::testing::execute(s, "DROP TABLE document_terms")
            .await
            .unwrap();
        signet_store::testing::execute(s, "DELETE FROM schema_migrations WHERE version = 2")
            .await
            .unwrap();
        assert_eq!(s.migrate().await.unwrap(), vec![2]);
        assert_eq!(
            s.list(&f.officer, Direction::Outgoing, &search("tong ket", None))
                .await
                .unwrap()
                .documents
                .len(),
            1
        );
        assert_eq!(
            s.list(&f.officer, Direction::Outgoing, &search("ubnd vp", None))
                .await
                .unwrap()
                .documents
                .len(),
            1
        );
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn search_finds_both_directions_by_prefix_within_the_agency() {
    use signet_store::documents::SearchFilter;
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let s = &db.store;
        let arrival = |notation: &str| Arrival {
            author_name: "Sở Tài chính".into(),
            author_code: None,
            notation: notation.into(),
            issued_on: None,
            arrived_on: "2026-02-01".into(),
            year: 2026,
        };
        s.register_incoming(
            &draft(&f, "Quyết định số 12/QĐ-UBND về ký số", Secrecy::None),
            &arrival("12/QĐ-UBND"),
            T0 + 1,
        )
        .await
        .unwrap();
        s.insert_draft(
            &draft(&f, "Quyết định 125 về đường bộ", Secrecy::None),
            T0 + 2,
        )
        .await
        .unwrap();
        let mut secret = draft(&f, "Quyết định mật số 12", Secrecy::Secret);
        secret.created_by = f.leader.person_id.clone();
        s.insert_draft(&secret, T0 + 3).await.unwrap();
        // Another agency's document with the same words.
        let mut theirs = draft(&f, "Quyết định số 12 của Sở", Secrecy::None);
        theirs.agency_id = f.other_agency.clone();
        theirs.created_by = f.outsider.person_id.clone();
        s.insert_draft(&theirs, T0 + 4).await.unwrap();

        let find = |viewer: &Viewer, text: &str| {
            let filter = SearchFilter {
                text: text.into(),
                limit: 50,
                ..Default::default()
            };
            let viewer = viewer.clone();
            async move {
                s.search(&viewer, &filter)
                    .await
                    .unwrap()
                    .documents
                    .into_iter()
                    .map(|d| d.subject)
                    .collect::<Vec<_>>()
            }
        };
        // Accents folded, đ → d, the last word a prefix, both directions, newest first; the
        // officer does not see the secret document, the leader does.
        assert_eq!(
            find(&f.officer, "quyet dinh 12").await,
            [
                "Quyết định 125 về đường bộ",
                "Quyết định số 12/QĐ-UBND về ký số"
            ]
        );
        assert_eq!(find(&f.leader, "quyet dinh 12").await.len(), 3);
        assert_eq!(
            find(&f.officer, "duong").await,
            ["Quyết định 125 về đường bộ"]
        );
        assert_eq!(find(&f.officer, "ky so").await.len(), 1);
        // A prefix longer than the indexed ones is checked on the words: "quyeu" is nothing.
        assert!(find(&f.officer, "quyeu").await.is_empty());
        assert_eq!(find(&f.officer, "quyết đị").await.len(), 2);
        // A finished word is whole: "12 " does not find 125.
        assert_eq!(find(&f.officer, "quyet dinh 12 ").await.len(), 1);
        // Number/notation and the sender are searched.
        assert_eq!(find(&f.officer, "qd-ubnd").await.len(), 1);
        assert_eq!(find(&f.officer, "so tai chinh").await.len(), 1);
        // Nobody finds another agency's documents.
        assert_eq!(
            find(&f.outsider, "quyet dinh").await,
            ["Quyết định số 12 của Sở"]
        );
        assert!(find(&f.officer, "%").await.is_empty());

        // Filters: direction, time, paging.
        let mut filter = SearchFilter {
            text: "quyet".into(),
            direction: Some(Direction::Incoming),
            limit: 50,
            ..Default::default()
        };
        let got = s.search(&f.leader, &filter).await.unwrap().documents;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].direction, Direction::Incoming);
        filter.direction = None;
        filter.from_ms = Some(T0 + 2);
        filter.to_ms = Some(T0 + 3);
        assert_eq!(
            s.search(&f.leader, &filter).await.unwrap().documents.len(),
            1
        );
        filter.from_ms = None;
        filter.to_ms = None;
        filter.limit = 2;
        let page = s.search(&f.leader, &filter).await.unwrap();
        assert_eq!(page.documents.len(), 2);
        filter.after = page.next;
        let rest = s.search(&f.leader, &filter).await.unwrap();
        assert_eq!(rest.documents.len(), 1);
        assert!(rest.next.is_none());

        // Documents indexed before migration 9 (whole words only) are found by prefix after it.
        signet_store::testing::execute(s, "DELETE FROM document_terms")
            .await
            .unwrap();
        signet_store::testing::execute(s, "DELETE FROM schema_migrations WHERE version = 9")
            .await
            .unwrap();
        assert!(find(&f.officer, "duo").await.is_empty());
        assert_eq!(s.migrate().await.unwrap(), vec![9]);
        assert_eq!(find(&f.officer, "duo").await.len(), 1);
        assert_eq!(find(&f.officer, "quyet dinh 12").await.len(), 2);
        db
    })
    .await;
}

/// The search's walk over the word index against the plain answer: read every document and
/// keep those whose words match. Numbers rise with time as a register's do, so a number typed
/// as a prefix ("12") matches one old stretch of documents and the walk must jump to it;
/// every eleventh document is secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn word_search_agrees_with_reading_every_document() {
    use signet_store::documents::SearchFilter;
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let s = &db.store;
        let mut seed: u64 = 0x5eed;
        let mut docs = Vec::new();
        for i in 0..700_i64 {
            let mut subject = format!("Văn bản số {i}");
            for word in ["alpha", "beta", "gamma", "delta"] {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if (seed >> 33).is_multiple_of(3) {
                    subject.push(' ');
                    subject.push_str(word);
                }
            }
            let secrecy = if i % 11 == 0 {
                Secrecy::Secret
            } else {
                Secrecy::None
            };
            let mut d = draft(&f, &subject, secrecy);
            if secrecy == Secrecy::Secret {
                d.created_by = f.leader.person_id.clone();
            }
            s.insert_draft(&d, T0 + i).await.unwrap();
            docs.push((T0 + i, subject, secrecy));
        }
        let queries = [
            "alpha beta",
            "van ban 12",
            "alpha 12",
            "gamma delta 6",
            "beta 1 ",
            "delta",
            "alpha beta gamma delta 3",
            "ban 69",
            "alpha zeta",
            "so 699 ",
        ];
        for viewer in [&f.officer, &f.leader] {
            for text in queries {
                let words = signet_core::text::query_words(text);
                let expected: Vec<i64> = docs
                    .iter()
                    .rev()
                    .filter(|(_, subject, secrecy)| {
                        let keys = signet_core::text::index_keys(&signet_core::text::fold(subject));
                        let line = signet_core::text::words_line(subject);
                        (*secrecy == Secrecy::None || viewer.person_id == f.leader.person_id)
                            && words.iter().all(|w| {
                                keys.contains(&w.key)
                                    && w.starts_word
                                        .as_ref()
                                        .is_none_or(|p| line.contains(&format!(" {p}")))
                            })
                    })
                    .map(|(at, _, _)| *at)
                    .collect();
                let mut filter = SearchFilter {
                    text: text.into(),
                    limit: 9,
                    ..Default::default()
                };
                let mut got = Vec::new();
                loop {
                    let page = s.search(viewer, &filter).await.unwrap();
                    got.extend(page.documents.iter().map(|d| d.created_at_ms));
                    match page.next {
                        Some(c) => filter.after = Some(c),
                        None => break,
                    }
                }
                assert_eq!(got, expected, "{text:?} for {}", viewer.person_id.as_str());
            }
        }
        // The walk keeps to a time window.
        let window = SearchFilter {
            text: "alpha".into(),
            from_ms: Some(T0 + 100),
            to_ms: Some(T0 + 200),
            limit: 200,
            ..Default::default()
        };
        let got = s.search(&f.leader, &window).await.unwrap().documents;
        let expected = docs
            .iter()
            .filter(|(at, subject, _)| {
                (T0 + 100..T0 + 200).contains(at) && subject.contains("alpha")
            })
            .count();
        assert!(expected > 0);
        assert_eq!(got.len(), expected);
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dossiers_open_file_close_and_archive_journaled_within_the_agency() {
    use signet_store::dossiers::{DossierFilter, DossierState, NewDossier};
    each_db(|db| async move {
        let f = fixture(&db.store).await;
        let s = &db.store;
        let new = NewDossier {
            agency_id: f.agency.clone(),
            year: 2026,
            code: "HS.01".into(),
            title: "Hồ sơ triển khai ký số".into(),
            retention_years: 10,
            unit_id: None,
            keeper_id: f.officer.person_id.clone(),
        };
        let dossier = s.insert_dossier(&new, T0).await.unwrap();
        assert_eq!(dossier.state, DossierState::Open);
        // One code per agency and year.
        assert!(matches!(
            s.insert_dossier(&new, T0).await,
            Err(StoreError::Conflict(_))
        ));
        let mut theirs = new.clone();
        theirs.agency_id = f.other_agency.clone();
        theirs.keeper_id = f.outsider.person_id.clone();
        let their_dossier = s.insert_dossier(&theirs, T0).await.unwrap();

        let doc = s
            .insert_draft(&draft(&f, "Công văn về ký số", Secrecy::None), T0 + 1)
            .await
            .unwrap();
        let officer = &f.officer.person_id;
        s.file_into_dossier(&f.agency, &dossier.id, &doc.id, officer, T0 + 2)
            .await
            .unwrap();
        assert!(matches!(
            s.file_into_dossier(&f.agency, &dossier.id, &doc.id, officer, T0 + 2)
                .await,
            Err(StoreError::Conflict(_))
        ));
        // Neither another agency's dossier nor its documents are reachable.
        assert!(matches!(
            s.file_into_dossier(&f.agency, &their_dossier.id, &doc.id, officer, T0 + 3)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.file_into_dossier(&f.other_agency, &their_dossier.id, &doc.id, officer, T0 + 3)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(s
            .dossier_documents(&f.other_agency, &dossier.id)
            .await
            .unwrap()
            .is_empty());
        let filed = s.dossier_documents(&f.agency, &dossier.id).await.unwrap();
        assert_eq!(filed.iter().map(|d| &d.id).collect::<Vec<_>>(), [&doc.id]);
        assert_eq!(
            s.dossiers_of_document(&f.agency, &doc.id).await.unwrap()[0].id,
            dossier.id
        );

        // Archiving needs a closed dossier; a closed one takes no documents.
        assert!(matches!(
            s.move_dossier(
                &f.agency,
                &dossier.id,
                DossierState::Closed,
                DossierState::Archived,
                officer,
                T0 + 4
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        let closed = s
            .move_dossier(
                &f.agency,
                &dossier.id,
                DossierState::Open,
                DossierState::Closed,
                officer,
                T0 + 5,
            )
            .await
            .unwrap();
        assert_eq!(
            (closed.state, closed.closed_at_ms),
            (DossierState::Closed, Some(T0 + 5))
        );
        let doc2 = s
            .insert_draft(&draft(&f, "Báo cáo", Secrecy::None), T0 + 6)
            .await
            .unwrap();
        assert!(matches!(
            s.file_into_dossier(&f.agency, &dossier.id, &doc2.id, officer, T0 + 7)
                .await,
            Err(StoreError::Conflict(_))
        ));
        s.move_dossier(
            &f.agency,
            &dossier.id,
            DossierState::Closed,
            DossierState::Archived,
            officer,
            T0 + 8,
        )
        .await
        .unwrap();
        let listed = s
            .dossiers(
                &f.agency,
                &DossierFilter {
                    year: Some(2026),
                    code: Some("HS.".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].state, DossierState::Archived);
        // Every step is in the agency's journal, and the chain holds.
        let actions: Vec<String> = s
            .journal(&f.agency)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action.starts_with("dossier."))
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "dossier.opened",
                "dossier.filed",
                "dossier.closed",
                "dossier.archived"
            ]
        );
        let entries = s.journal(&f.agency).await.unwrap();
        let head = s.journal_head(&f.agency).await.unwrap();
        assert!(journal::verify(f.agency.as_str(), &entries, head.as_ref()).is_ok());
        db
    })
    .await;
}

/// A document packet received by `f.agency` from the other agency.
fn arrived_packet(
    f: &Fixture,
    consignment: &str,
    edxml_id: &str,
    business: &str,
    original: Option<&str>,
) -> signet_store::exchange::Arrived {
    signet_store::exchange::Arrived {
        id: signet_store::new_id(),
        agency_id: f.agency.clone(),
        consignment_id: consignment.into(),
        sender_code: "000.00.14.H99".into(),
        sender_name: "Sở Thông tin và Truyền thông".into(),
        edxml_document_id: edxml_id.into(),
        notation: edxml_id.rsplit(',').next().unwrap().into(),
        subject: "Về việc thử".into(),
        promulgation_date: "2026-01-01".into(),
        document_sha256: "ab".repeat(32),
        packet_sha256: "cd".repeat(32),
        packet_valid: true,
        verdict: "PDF: 1 signature(s): TotalPassed".into(),
        state: "arrived".into(),
        reason: String::new(),
        document_id: None,
        received_at_ms: T0,
        business: business.into(),
        original_id: original.map(str::to_owned),
        original_notation: String::new(),
        superseded: String::new(),
        superseded_by: None,
    }
}

/// The statuses an agency queued back, by code.
async fn queued_codes(s: &Store, agency: &AgencyId) -> Vec<String> {
    let mut codes: Vec<String> = s
        .consignment_log(agency, None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|c| c.status_code)
        .collect();
    codes.sort();
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_recall_and_a_replacement_are_recorded_once_and_answered_13_and_16() {
    use signet_store::exchange::Receipt;
    use signet_store::exchange_recall::RecallReceived;
    each_db(|db| async move {
        let s = &db.store;
        let f = fixture(s).await;
        let first = arrived_packet(&f, "c-1", "000.00.14.H99,2026/01/01,1/STTTT", "new", None);
        let second = arrived_packet(&f, "c-2", "000.00.14.H99,2026/01/01,2/STTTT", "new", None);
        for a in [&first, &second] {
            assert_eq!(s.receive_document(a, "Đã đến").await.unwrap(), Receipt::New);
        }
        // Found by sender and edXML id only: another sender's id is not this one.
        let found = s
            .arrived_by_edxml(&f.agency, "000.00.14.H99", &first.edxml_document_id)
            .await
            .unwrap();
        assert_eq!(found.map(|a| a.id), Some(first.id.clone()));
        let other = s
            .arrived_by_edxml(&f.agency, "000.00.00.H99", &first.edxml_document_id)
            .await
            .unwrap();
        assert!(other.is_none());

        // Recalled once, whatever the number of recall packets; 13 queued once.
        for (consignment, expected) in [("r-1", Receipt::New), ("r-2", Receipt::Duplicate)] {
            let r = RecallReceived {
                agency_id: &f.agency,
                inbox_id: &first.id,
                consignment_id: consignment,
                reason: "Sai sót",
                packet_sha256: &"ef".repeat(32),
                confirmation: "Đã thu hồi: Sai sót",
                at_ms: T0 + 1,
            };
            assert_eq!(s.recall_arrived(&r).await.unwrap(), expected);
        }
        let a = s.arrived(&f.agency, &first.id).await.unwrap();
        assert_eq!(
            (a.state.as_str(), a.reason.as_str()),
            ("recalled", "Sai sót")
        );

        // A replacement of the second: linked both ways, 16 queued once.
        let third = arrived_packet(
            &f,
            "c-3",
            "000.00.14.H99,2026/01/02,3/STTTT",
            "replace",
            Some(&second.id),
        );
        assert_eq!(
            s.receive_document(&third, "Đã đến").await.unwrap(),
            Receipt::New
        );
        assert_eq!(
            s.receive_document(&third, "Đã đến").await.unwrap(),
            Receipt::Duplicate
        );
        let b = s.arrived(&f.agency, &second.id).await.unwrap();
        assert_eq!(b.superseded, "replaced");
        assert_eq!(b.superseded_by.as_deref(), Some(third.id.as_str()));
        let links = s.arrived_links(&f.agency, &second.id).await.unwrap();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].id, third.id);
        let links = s.arrived_links(&f.agency, &third.id).await.unwrap();
        assert_eq!(links[0].id, second.id);
        assert_eq!(
            queued_codes(s, &f.agency).await,
            ["01", "01", "01", "13", "16"]
        );
        // Not another agency's business.
        assert!(s
            .arrived_links(&f.other_agency, &second.id)
            .await
            .unwrap()
            .is_empty());
        let actions: Vec<String> = s
            .journal(&f.agency)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a == "exchange.recalled" || a == "exchange.superseded")
            .collect();
        assert_eq!(actions, ["exchange.recalled", "exchange.superseded"]);
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sent_document_is_recalled_once_and_a_draft_is_linked_to_it() {
    use signet_store::exchange::Recipient;
    each_db(|db| async move {
        let s = &db.store;
        let f = fixture(s).await;
        let d = s
            .insert_draft(&draft(&f, "Về việc gửi", Secrecy::None), T0)
            .await
            .unwrap();
        let id = sign(s, &f, &d.id).await;
        let issued = issue(s, &f.agency, &id, 2026, "2026-01-01").await.unwrap();
        let notation = issued.notation.clone().unwrap();
        // Not sent through the exchange: nothing to recall, nothing to link to.
        let e = s
            .recall_document(&f.agency, &id, "x", "clerk", T0)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        assert!(s
            .sent_by_notation(&f.agency, &notation)
            .await
            .unwrap()
            .is_none());
        // Sent to the other agency (the outbox row the issue would have written).
        signet_store::testing::execute(
            s,
            &format!(
                "INSERT INTO consignments (id, agency_id, kind, document_id, peer_code, peer_name, \
                 state, next_attempt_ms, created_at_ms) VALUES ('k-1', '{}', 'document', '{}', \
                 '000.00.14.H99', 'STTTT', 'delivered', {T0}, {T0})",
                f.agency.as_str(),
                id.as_str()
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            s.sent_by_notation(&f.agency, &notation).await.unwrap(),
            Some(id.clone())
        );
        // Another agency does not find it.
        assert!(s
            .sent_by_notation(&f.other_agency, &notation)
            .await
            .unwrap()
            .is_none());

        let to = s
            .recall_document(&f.agency, &id, "Sai sót", "clerk", T0 + 1)
            .await
            .unwrap();
        assert_eq!(to, ["000.00.14.H99"]);
        let e = s
            .recall_document(&f.agency, &id, "Sai sót", "clerk", T0 + 2)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        let recall = s.recall_of(&f.agency, &id).await.unwrap().unwrap();
        assert_eq!(recall.reason, "Sai sót");
        let recalls: Vec<_> = s
            .consignment_log(&f.agency, Some("pending"), 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.kind == "recall")
            .collect();
        assert_eq!(recalls.len(), 1);
        assert_eq!(recalls[0].description, "Sai sót");
        assert_eq!(recalls[0].document_id.as_ref(), Some(&id));

        // A draft linked as the replacement takes the original's recipients.
        let next = s
            .insert_draft(&draft(&f, "Về việc gửi (thay thế)", Secrecy::None), T0)
            .await
            .unwrap();
        s.set_supersedes(&f.agency, &next.id, Some((&id, "replace")), "clerk", T0)
            .await
            .unwrap();
        let link = s.supersedes(&f.agency, &next.id).await.unwrap().unwrap();
        assert_eq!(
            (link.original_id, link.kind.as_str()),
            (id.clone(), "replace")
        );
        assert_eq!(
            s.recipients(&f.agency, &next.id).await.unwrap(),
            [Recipient {
                code: "000.00.14.H99".into(),
                name: "STTTT".into()
            }]
        );
        s.set_supersedes(&f.agency, &next.id, None, "clerk", T0)
            .await
            .unwrap();
        assert!(s.supersedes(&f.agency, &next.id).await.unwrap().is_none());
        let journal = s.journal(&f.agency).await.unwrap();
        assert!(journal.iter().any(|e| e.action == "exchange.recall_queued"));
        assert_eq!(
            journal
                .iter()
                .filter(|e| e.action == "exchange.supersedes")
                .count(),
            2
        );
        db
    })
    .await;
}

/// The hub's queue (leased like the exchange's outbox and the webhook deliveries): rows
/// queued in one batch with a duplicate among them, each claimed by one taker only, taken up
/// again once the lease ends, and never once forwarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queued_packets_are_claimed_once_per_lease() {
    use signet_store::exchange::{HubPacket, Receipt};
    each_db(|db| async move {
        let store = &db.store;
        let packet = |id: &str| HubPacket {
            consignment_id: id.into(),
            recipient_code: "000.00.02.H99".into(),
            sender_code: "000.00.00.H99".into(),
            packet_sha256: "ab".repeat(32),
            size: 100,
            at_ms: T0,
        };
        let receipts = store
            .hub_accept(&[packet("b"), packet("a"), packet("b")])
            .await
            .unwrap();
        assert_eq!(
            receipts,
            [Receipt::New, Receipt::New, Receipt::Duplicate],
            "in the order given"
        );
        let lease = 60_000;
        let (first, second) = tokio::join!(
            store.hub_claim(T0, lease, 10),
            store.hub_claim(T0, lease, 10)
        );
        let (first, second) = (first.unwrap(), second.unwrap());
        let mut taken: Vec<_> = first
            .iter()
            .chain(&second)
            .map(|i| i.consignment_id.clone())
            .collect();
        taken.sort();
        assert_eq!(taken, ["a", "b"], "each row claimed once");
        assert!(store
            .hub_claim(T0 + lease - 1, lease, 10)
            .await
            .unwrap()
            .is_empty());
        store.hub_forwarded("a", T0 + 1).await.unwrap();
        let again = store.hub_claim(T0 + lease, lease, 10).await.unwrap();
        let ids: Vec<_> = again.iter().map(|i| i.consignment_id.as_str()).collect();
        assert_eq!(ids, ["b"], "the lease ended; a forwarded packet is done");

        // Claimers racing each other and other writers never fail (on SQLite a claim that
        // read before writing failed with SQLITE_BUSY_SNAPSHOT), and still take each row once.
        let later = T0 + 10 * lease;
        store.hub_forwarded("b", later).await.unwrap();
        for round in 0..20 {
            let [x, y, z] = ["x", "y", "z"].map(|k| format!("r{round}{k}"));
            store.hub_accept(&[packet(&x), packet(&y)]).await.unwrap();
            let other = [packet(&z)];
            let (one, two, written) = tokio::join!(
                store.hub_claim(later, lease, 1),
                store.hub_claim(later, lease, 1),
                store.hub_accept(&other)
            );
            written.unwrap();
            let mut taken: Vec<_> = one
                .unwrap()
                .into_iter()
                .chain(two.unwrap())
                .map(|i| i.consignment_id)
                .collect();
            taken.sort();
            taken.dedup();
            assert_eq!(taken.len(), 2, "round {round}: one row each, {taken:?}");
            for id in [x, y, z] {
                store.hub_forwarded(&id, later).await.unwrap();
            }
        }
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sad_authorizes_its_hashes_only_and_survives_migration_25() {
    use signet_store::remote_signing::{Actor, NewRemoteCredential};
    each_db(|db| async move {
        let s = &db.store;
        let f = fixture(s).await;
        let new = NewRemoteCredential {
            agency_id: f.agency.clone(),
            holder_id: f.leader.person_id.clone(),
            label: "Ký số từ xa".into(),
            chain: vec![vec![0x30, 0x03, 0x02, 0x01, 0x01]],
            key_label: "k1".into(),
            key_algo: "ecdsa-p256".into(),
            pin_hash: "x".into(),
        };
        let cred = s
            .insert_remote_credential(&new, "system", T0)
            .await
            .unwrap();
        let by = Actor {
            agency_id: &f.agency,
            person_id: &f.leader.person_id,
            at_ms: T0,
        };
        let [a, b, c] = [[1u8; 32], [2u8; 32], [3u8; 32]].map(|h| h.to_vec());
        s.insert_sad("sad-1", &cred.id, &[a.clone(), b.clone()], T0 + 1, by)
            .await
            .unwrap();
        let cid = &cred.id;
        let check = |hashes: Vec<Vec<u8>>| async move {
            let (_, sad) = s.credential_with_sad(cid, "sad-1", &hashes).await.unwrap();
            let sad = sad.expect("the SAD is the credential's");
            (sad.authorized, sad.used)
        };
        assert_eq!(check(vec![a.clone()]).await, (true, false));
        assert_eq!(check(vec![b.clone(), a.clone()]).await, (true, false));
        assert_eq!(check(vec![a.clone(), c.clone()]).await, (false, false));
        assert_eq!(check(vec![c.clone()]).await, (false, false));
        s.use_sad("sad-1", &cred.id, std::slice::from_ref(&b), by)
            .await
            .unwrap();
        assert_eq!(check(vec![b.clone()]).await, (true, true));
        assert_eq!(check(vec![a.clone()]).await, (true, false));
        let (_, other) = s
            .credential_with_sad(&cred.id, "sad-2", std::slice::from_ref(&a))
            .await
            .unwrap();
        assert!(other.is_none(), "an unknown SAD");

        // A SAD issued before migration 25 kept its hashes as one comma-separated list.
        for sql in [
            "ALTER TABLE remote_sads ADD COLUMN hashes_hex TEXT NOT NULL DEFAULT ''",
            "DELETE FROM remote_sad_uses",
            "DROP TABLE remote_sad_hashes",
            "DELETE FROM schema_migrations WHERE version = 25",
        ] {
            signet_store::testing::execute(s, sql).await.unwrap();
        }
        let list = [&a, &b].map(hex::encode).join(",");
        signet_store::testing::execute(s, &format!("UPDATE remote_sads SET hashes_hex = '{list}'"))
            .await
            .unwrap();
        assert_eq!(s.migrate().await.unwrap(), vec![25]);
        assert_eq!(check(vec![a.clone(), b.clone()]).await, (true, false));
        assert_eq!(check(vec![c.clone()]).await, (false, false));
        let sad = s.sad("sad-1").await.unwrap().unwrap();
        assert_eq!(sad.hashes, vec![a.clone(), b.clone()]);
        assert!(sad.used.is_empty());
        db
    })
    .await;
}
