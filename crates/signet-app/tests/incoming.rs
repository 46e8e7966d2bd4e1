//! Processing incoming documents and the oversight statistics, through the use cases, on
//! every database the machine offers (SQLite; PostgreSQL when SIGNET_TEST_DATABASE_URL is set).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::sync::Arc;

use signet_app::clock::FixedClock;
use signet_app::documents::{ArrivalForm, DocumentForm};
use signet_app::processing::{AssignForm, CompleteForm};
use signet_app::{App, AppError, Invalid};
use signet_core::ids::{AgencyId, DocumentId, UnitId};
use signet_core::lifecycle::{IncomingState, Step};
use signet_core::person::Viewer;
use signet_core::{AgencyCode, CoreError, Role};
use signet_store::directory::{NewAgency, NewPerson};
use signet_store::testing::databases;
use signet_store::{BlobStore, Store};
use time::macros::datetime;
use time::OffsetDateTime;

/// Wednesday 29 April 2026, 09:00 in Vietnam: Thursday 30/4 and Friday 1/5 are holidays.
const NOW: OffsetDateTime = datetime!(2026-04-29 02:00 UTC);

async fn agency(store: &Store, code: &str, name: &str, parent: Option<&AgencyId>) -> AgencyId {
    let a = NewAgency {
        code: AgencyCode::parse(code).unwrap(),
        name: name.into(),
        abbreviation: "UBND".into(),
        parent_id: parent.cloned(),
        address: String::new(),
    };
    store.insert_agency(&a, "system", 0).await.unwrap().id
}

async fn person(
    store: &Store,
    agency_id: &AgencyId,
    unit: Option<&UnitId>,
    username: &str,
    roles: &[Role],
) -> Viewer {
    let p = NewPerson {
        agency_id: agency_id.clone(),
        unit_id: unit.cloned(),
        username: username.into(),
        full_name: format!("Người {username}"),
        title: String::new(),
        email: String::new(),
        roles: roles.to_vec(),
        password_hash: "x".into(),
    };
    let p = store.insert_person(&p, "system", 0).await.unwrap();
    Viewer {
        person_id: p.id,
        agency_id: agency_id.clone(),
        roles: roles.to_vec(),
    }
}

fn at(app: &App, now: OffsetDateTime) -> App {
    App {
        clock: Arc::new(FixedClock(now)),
        ..app.clone()
    }
}

struct World {
    app: App,
    province: AgencyId,
    department: AgencyId,
    unit: UnitId,
    clerk: Viewer,
    leader: Viewer,
    head: Viewer,
    officer: Viewer,
    colleague: Viewer,
    elsewhere: Viewer,
    outsider_leader: Viewer,
    outsider: Viewer,
}

async fn world(store: Store) -> World {
    let blobs = BlobStore::open(signet_store::testing::scratch_dir("blobs"), 1 << 20)
        .await
        .unwrap();
    let app = App::new(store.clone(), blobs, Arc::new(FixedClock(NOW)));
    let province = agency(&store, "000.00.00.H98", "UBND tỉnh Thử", None).await;
    let department = agency(&store, "000.00.01.H98", "Sở Nội vụ", Some(&province)).await;
    let other = agency(&store, "000.00.00.H97", "UBND tỉnh Khác", None).await;
    let unit = store
        .insert_unit(&province, "Phòng Tổng hợp", "TH", "system", 0)
        .await
        .unwrap()
        .id;
    let unit2 = store
        .insert_unit(&province, "Phòng Kinh tế", "KT", "system", 0)
        .await
        .unwrap()
        .id;
    World {
        clerk: person(&store, &province, None, "vt", &[Role::Clerk]).await,
        leader: person(&store, &province, None, "ld", &[Role::Leader]).await,
        head: person(&store, &province, Some(&unit), "tp", &[Role::Leader]).await,
        officer: person(&store, &province, Some(&unit), "cv1", &[Role::Officer]).await,
        colleague: person(&store, &province, Some(&unit), "cv2", &[Role::Officer]).await,
        elsewhere: person(&store, &province, Some(&unit2), "cv3", &[Role::Officer]).await,
        outsider_leader: person(&store, &other, None, "ldk", &[Role::Leader]).await,
        outsider: person(&store, &other, None, "cvk", &[Role::Officer]).await,
        app,
        province,
        department,
        unit,
    }
}

async fn register(app: &App, clerk: &Viewer, subject: &str, due_on: &str) -> DocumentId {
    let form = DocumentForm {
        doc_type: "cong-van".into(),
        subject: subject.into(),
        due_on: due_on.into(),
        ..DocumentForm::default()
    };
    let arrival = ArrivalForm {
        author_name: "Bộ Nội vụ".into(),
        notation: "12/BNV-VP".into(),
        ..ArrivalForm::default()
    };
    app.register_incoming(clerk, &form, &arrival, Vec::new())
        .await
        .unwrap()
        .id
}

fn direction(lead: String, co: Vec<String>, working_days: &str) -> AssignForm {
    AssignForm {
        instruction: "Giao Phòng Tổng hợp chủ trì tham mưu trả lời.".into(),
        lead,
        co,
        info: Vec::new(),
        deadline: String::new(),
        working_days: working_days.into(),
    }
}

fn person_ref(v: &Viewer) -> String {
    format!("person:{}", v.person_id)
}

#[tokio::test]
async fn register_present_assign_process_complete() {
    for db in databases().await.unwrap() {
        let w = world(db.store.clone()).await;
        let app = &w.app;
        let id = register(app, &w.clerk, "Về việc báo cáo chuyển đổi số", "").await;
        // Only the clerk presents, and a leader cannot direct before that.
        let doc = app.document(&w.clerk, &id).await.unwrap();
        assert_eq!(app.allowed_steps(&w.clerk, &doc), [Step::Present]);
        assert!(app.allowed_steps(&w.leader, &doc).is_empty());
        let early = direction(format!("unit:{}", w.unit), vec![], "2");
        let e = app.assign(&w.leader, &id, &early).await.unwrap_err();
        assert!(
            matches!(e, AppError::Rule(CoreError::WrongState { .. })),
            "{e:?}"
        );
        app.take_step(&w.clerk, &id, Step::Present).await.unwrap();

        // Bad directions are refused, each with its reason.
        let mut empty = early.clone();
        empty.instruction = "  ".into();
        let e = app.assign(&w.leader, &id, &empty).await.unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Rule(CoreError::Required {
                    field: "instruction"
                })
            ),
            "{e:?}"
        );
        let mut past = early.clone();
        past.working_days.clear();
        past.deadline = "2026-04-28".into();
        let e = app.assign(&w.leader, &id, &past).await.unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::DeadlineInPast { .. })),
            "{e:?}"
        );
        let foreign = direction(
            format!("unit:{}", w.unit),
            vec![person_ref(&w.outsider)],
            "2",
        );
        let e = app.assign(&w.leader, &id, &foreign).await.unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ForeignHandler { .. })),
            "{e:?}"
        );
        let mut none = early.clone();
        none.working_days.clear();
        let e = app.assign(&w.leader, &id, &none).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "give a deadline: the document has no due date"
        );
        let e = app.assign(&w.officer, &id, &early).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");

        // The unit leads, a colleague co-handles; 2 working days from Wednesday 29/4 skip
        // the holidays 30/4 and 1/5 and the weekend.
        let ok = direction(
            format!("unit:{}", w.unit),
            vec![person_ref(&w.colleague)],
            "2",
        );
        let doc = app.assign(&w.leader, &id, &ok).await.unwrap();
        assert_eq!(doc.state, IncomingState::Assigned.into());
        let record = app.processing(&w.leader, &id).await.unwrap().unwrap();
        assert_eq!(record.deadline, "2026-05-05");

        // The unit's head sees it in the queue, the officer not yet; the colleague does.
        let q = app.work_queue(&w.head, None, 50).await.unwrap();
        assert_eq!(
            q.items.iter().map(|i| &i.document.id).collect::<Vec<_>>(),
            [&id]
        );
        assert!(app
            .work_queue(&w.officer, None, 50)
            .await
            .unwrap()
            .items
            .is_empty());
        assert_eq!(
            app.work_queue(&w.colleague, None, 50)
                .await
                .unwrap()
                .items
                .len(),
            1
        );

        // Re-assignment stays within the unit and is the head's.
        let e = app
            .reassign(&w.head, &id, w.elsewhere.person_id.as_str())
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::OutsideUnit)),
            "{e:?}"
        );
        let e = app
            .reassign(&w.colleague, &id, w.officer.person_id.as_str())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        app.reassign(&w.head, &id, w.officer.person_id.as_str())
            .await
            .unwrap();
        assert!(app
            .work_queue(&w.head, None, 50)
            .await
            .unwrap()
            .items
            .is_empty());
        assert_eq!(
            app.work_queue(&w.officer, None, 50)
                .await
                .unwrap()
                .items
                .len(),
            1
        );

        // The co-handler's note starts the processing; only the lead completes.
        app.add_note(&w.colleague, &id, "Đã tổng hợp số liệu quý I.")
            .await
            .unwrap();
        let doc = app.document(&w.leader, &id).await.unwrap();
        assert_eq!(doc.state, IncomingState::Processing.into());
        let filed = CompleteForm {
            outcome: "filed".into(),
            reply_document_id: String::new(),
        };
        let e = app.complete(&w.colleague, &id, &filed).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let e = app.add_note(&w.outsider, &id, "x").await.unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        // The lead asks for a later deadline; the leader who assigned it approves.
        let e = app
            .request_extension(&w.officer, &id, "2026-05-04", "Chờ số liệu")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ExtensionNotLater { .. })),
            "{e:?}"
        );
        let e = app
            .request_extension(&w.officer, &id, "2026-05-12", " ")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Rule(CoreError::Required { field: "reason" })),
            "{e:?}"
        );
        let e = app
            .request_extension(&w.colleague, &id, "2026-05-12", "Chờ số liệu")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        app.request_extension(&w.officer, &id, "2026-05-12", "Chờ số liệu của các sở")
            .await
            .unwrap();
        let e = app
            .request_extension(&w.officer, &id, "2026-05-13", "Lần nữa")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        let e = app.decide_extension(&w.head, &id, true).await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        app.decide_extension(&w.leader, &id, false).await.unwrap();
        assert_eq!(
            app.processing(&w.leader, &id)
                .await
                .unwrap()
                .unwrap()
                .deadline,
            "2026-05-05"
        );
        // Refused once; asked again and approved: the deadline and the queue move.
        app.request_extension(&w.officer, &id, "2026-05-08", "Chờ số liệu của các sở")
            .await
            .unwrap();
        app.decide_extension(&w.leader, &id, true).await.unwrap();
        assert_eq!(
            app.processing(&w.leader, &id)
                .await
                .unwrap()
                .unwrap()
                .deadline,
            "2026-05-08"
        );
        let q = app.work_queue(&w.officer, None, 50).await.unwrap();
        assert_eq!(q.items[0].deadline, "2026-05-08");
        // Completed on Monday 11 May: late even so.
        let late = at(app, datetime!(2026-05-11 03:00 UTC));
        let doc = late.complete(&w.officer, &id, &filed).await.unwrap();
        assert_eq!(doc.state, IncomingState::Done.into());
        assert!(app
            .work_queue(&w.officer, None, 50)
            .await
            .unwrap()
            .items
            .is_empty());
        let actions: Vec<String> = app
            .document_view(&w.leader, &id)
            .await
            .unwrap()
            .history
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "document.registered",
                "document.presented",
                "document.assigned",
                "document.reassigned",
                "document.processing",
                "document.note",
                "document.extension_requested",
                "document.extension_decided",
                "document.extension_requested",
                "document.extension_decided",
                "document.done"
            ]
        );

        // The statistics: counted late, in April; the leader sees the province's subtree,
        // another province's leader nothing of it.
        let report = app
            .statistics(&w.leader, "2026-04-01", "2026-04-30", None)
            .await
            .unwrap();
        let ids: Vec<&AgencyId> = report.units.iter().map(|u| &u.unit_id).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&&w.province) && ids.contains(&&w.department));
        let mine = report
            .units
            .iter()
            .find(|u| u.unit_id == w.province)
            .unwrap();
        assert_eq!(
            (
                mine.counters.incoming,
                mine.counters.overdue,
                mine.counters.done_on_time,
                mine.counters.in_progress
            ),
            (1, 1, 0, 0)
        );
        let theirs = app
            .statistics(&w.outsider_leader, "2026-04-01", "2026-04-30", None)
            .await
            .unwrap();
        assert_eq!(theirs.units.len(), 1);
        assert_eq!(theirs.units[0].counters.incoming, 0);
        let e = app
            .statistics(
                &w.outsider_leader,
                "2026-04-01",
                "2026-04-30",
                Some(&w.province),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        let e = app
            .statistics(&w.officer, "2026-04-01", "2026-04-30", None)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let e = app
            .statistics(&w.leader, "2026-05-01", "2026-04-30", None)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::Period { .. })),
            "{e:?}"
        );
        assert_eq!(app.recount(None).await.unwrap(), []);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_queue_puts_overdue_first_and_pages_by_deadline() {
    for db in databases().await.unwrap() {
        let w = world(db.store.clone()).await;
        let app = &w.app;
        let mut ids = Vec::new();
        for (k, days) in ["9", "1", "5", "3"].iter().enumerate() {
            let id = register(app, &w.clerk, &format!("Văn bản {k}"), "").await;
            app.take_step(&w.clerk, &id, Step::Present).await.unwrap();
            app.assign(
                &w.leader,
                &id,
                &direction(person_ref(&w.officer), vec![], days),
            )
            .await
            .unwrap();
            ids.push(id);
        }
        // A week later two deadlines have passed: they lead the queue, earliest first.
        let later = at(app, datetime!(2026-05-08 02:00 UTC));
        let first = later.work_queue(&w.officer, None, 2).await.unwrap();
        let deadlines: Vec<&str> = first.items.iter().map(|i| i.deadline.as_str()).collect();
        assert_eq!(deadlines, ["2026-05-04", "2026-05-06"]);
        assert!(first.items.iter().all(|i| i.deadline < first.today));
        let rest = later
            .work_queue(&w.officer, first.next.as_deref(), 2)
            .await
            .unwrap();
        let deadlines: Vec<&str> = rest.items.iter().map(|i| i.deadline.as_str()).collect();
        assert_eq!(deadlines, ["2026-05-08", "2026-05-14"]);
        let e = later
            .work_queue(&w.officer, Some("garbage"), 2)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(Invalid::Cursor)), "{e:?}");
        db.cleanup().await;
    }
}

/// A small deterministic generator (no OS randomness in tests of counts).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn counters_equal_a_recount_after_a_seeded_mix_of_events() {
    for db in databases().await.unwrap() {
        let w = world(db.store.clone()).await;
        let mut rng = Lcg(20_261_204);
        let mut open: Vec<(DocumentId, u8)> = Vec::new();
        let mut issued: Vec<DocumentId> = Vec::new();
        let events = 1200;
        for n in 0..events {
            // Time moves on a working hour at a time across three months.
            let now = NOW + time::Duration::hours(n as i64 * 3 / 2);
            let app = at(&w.app, now);
            match rng.below(5) {
                0 | 1 => {
                    let id = register(&app, &w.clerk, &format!("Đến {n}"), "").await;
                    open.push((id, 0));
                }
                2 => {
                    let draft = DocumentForm {
                        doc_type: "cong-van".into(),
                        subject: format!("Đi {n}"),
                        ..DocumentForm::default()
                    };
                    let d = app
                        .create_draft(&w.clerk, &draft, Vec::new())
                        .await
                        .unwrap();
                    app.submit(&w.clerk, &d.id).await.unwrap();
                    app.sign(&w.leader, &d.id).await.unwrap();
                    app.issue(&w.clerk, &d.id).await.unwrap();
                    issued.push(d.id);
                }
                3 if !issued.is_empty() => {
                    let k = rng.below(issued.len() as u64) as usize;
                    let (l, s) = (rng.below(10) < 9, rng.below(10) < 8);
                    app.record_signature_verdicts(&w.clerk, &issued[k], l, s)
                        .await
                        .unwrap();
                }
                _ if !open.is_empty() => {
                    let k = rng.below(open.len() as u64) as usize;
                    let (id, stage) = open[k].clone();
                    match stage {
                        0 => {
                            app.take_step(&w.clerk, &id, Step::Present).await.unwrap();
                        }
                        1 => {
                            let days = (1 + rng.below(4)).to_string();
                            let f = direction(person_ref(&w.officer), vec![], &days);
                            app.assign(&w.leader, &id, &f).await.unwrap();
                        }
                        _ => {
                            let filed = CompleteForm {
                                outcome: "filed".into(),
                                reply_document_id: String::new(),
                            };
                            app.complete(&w.officer, &id, &filed).await.unwrap();
                        }
                    }
                    if stage == 2 {
                        open.swap_remove(k);
                    } else {
                        open[k].1 += 1;
                    }
                }
                _ => {}
            }
        }
        assert_eq!(w.app.recount(None).await.unwrap(), [], "{}", db.label);
        let report = w
            .app
            .statistics(&w.leader, "2026-04-01", "2026-07-31", None)
            .await
            .unwrap();
        let p = report
            .units
            .iter()
            .find(|u| u.unit_id == w.province)
            .unwrap();
        assert_eq!(p.counters.issued as usize, issued.len());
        assert!(p.counters.done_on_time + p.counters.overdue > 0);
        assert!(p.leader_signature_rate > 0.0 && p.leader_signature_rate <= 1.0);
        // Tampering with a counter is what the recount reports.
        signet_store::testing::execute(
            &db.store,
            "UPDATE unit_month_stats SET issued = issued + 1 WHERE month = '2026-05'",
        )
        .await
        .unwrap();
        let diff = w.app.recount(Some("2026-05")).await.unwrap();
        assert_eq!(diff.len(), 1, "{diff:?}");
        assert_eq!(diff[0].field, "issued");
        assert_eq!(diff[0].stored, diff[0].counted + 1);
        assert_eq!(w.app.recount(Some("2026-06")).await.unwrap(), []);
        // A month's recount reads that month's rows only (by index) and finds what the
        // whole recount finds in that month.
        signet_store::testing::execute(
            &db.store,
            "UPDATE unit_month_stats SET incoming = incoming + 2 WHERE month = '2026-06'",
        )
        .await
        .unwrap();
        let all = w.app.recount(None).await.unwrap();
        assert!(all.len() >= 2, "{all:?}");
        for m in ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07"] {
            let one = w.app.recount(Some(m)).await.unwrap();
            let expected: Vec<_> = all.iter().filter(|d| d.month == m).cloned().collect();
            assert_eq!(one, expected, "{m}");
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_demo_history_gives_every_agency_figures_that_a_recount_confirms() {
    let db = signet_store::testing::sqlite().await.unwrap();
    let blobs = BlobStore::open(signet_store::testing::scratch_dir("blobs"), 1 << 20)
        .await
        .unwrap();
    let app = App::new(
        db.store.clone(),
        blobs,
        Arc::new(FixedClock(datetime!(2026-12-04 03:00 UTC))),
    );
    assert!(app.seed_demo_with(true).await.unwrap());
    assert_eq!(app.recount(None).await.unwrap(), []);
    let admin = db.store.person_by_username("quantri.ubnd").await.unwrap();
    let admin = Viewer {
        person_id: admin.id,
        agency_id: admin.agency_id,
        roles: admin.roles,
    };
    let report = app
        .statistics(&admin, "2026-08-01", "2026-11-30", None)
        .await
        .unwrap();
    assert_eq!(report.units.len(), 10);
    assert_eq!(report.months.len(), 4);
    for u in &report.units {
        assert!(u.counters.issued >= 12, "{u:?}");
        assert!(u.counters.sealed_valid <= u.counters.issued, "{u:?}");
        assert!(
            u.leader_signature_rate > 0.5 && u.leader_signature_rate <= 1.0,
            "{u:?}"
        );
        assert!(u.counters.done_on_time > 0, "{u:?}");
    }
    assert!(report.units.iter().any(|u| u.counters.overdue > 0));
    db.cleanup().await;
}
