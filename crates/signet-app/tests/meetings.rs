//! The rest of processing an incoming document (asking a leader's opinion, files on notes,
//! the reply drafted and linked, the processing slip as a PDF) and paperless meetings
//! (invitation, attendance, materials for participants only, the week's calendar), through
//! the use cases, on every database the machine offers (SQLite; PostgreSQL when
//! SIGNET_TEST_DATABASE_URL is set).
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
use signet_app::meetings::MeetingForm;
use signet_app::processing::{AssignForm, CompleteForm};
use signet_app::{App, AppError, Invalid};
use signet_core::ids::{AgencyId, DocumentId, UnitId};
use signet_core::lifecycle::{IncomingState, Step};
use signet_core::person::Viewer;
use signet_core::{AgencyCode, CoreError, Direction, Role};
use signet_store::directory::{NewAgency, NewPerson};
use signet_store::documents::NewFile;
use signet_store::testing::databases;
use signet_store::{BlobStore, Store};
use time::macros::datetime;
use time::OffsetDateTime;

/// Wednesday 29 April 2026, 09:00 in Vietnam.
const NOW: OffsetDateTime = datetime!(2026-04-29 02:00 UTC);

async fn agency(store: &Store, code: &str, name: &str) -> AgencyId {
    let a = NewAgency {
        code: AgencyCode::parse(code).unwrap(),
        name: name.into(),
        abbreviation: "UBND".into(),
        parent_id: None,
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

struct World {
    app: App,
    unit: UnitId,
    clerk: Viewer,
    leader: Viewer,
    head: Viewer,
    officer: Viewer,
    colleague: Viewer,
    elsewhere: Viewer,
    outsider: Viewer,
    outsider_unit: UnitId,
}

async fn world(store: Store) -> World {
    let blobs = BlobStore::open(signet_store::testing::scratch_dir("blobs"), 1 << 20)
        .await
        .unwrap();
    let app = App::new(store.clone(), blobs, Arc::new(FixedClock(NOW)));
    let province = agency(&store, "000.00.00.H98", "UBND tỉnh Thử").await;
    let other = agency(&store, "000.00.00.H97", "UBND tỉnh Khác").await;
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
    let outsider_unit = store
        .insert_unit(&other, "Phòng Khác", "PK", "system", 0)
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
        outsider: person(&store, &other, None, "cvk", &[Role::Officer]).await,
        outsider_unit,
        app,
        unit,
    }
}

fn person_ref(v: &Viewer) -> String {
    format!("person:{}", v.person_id)
}

async fn file(app: &App, name: &str, bytes: &[u8], kind: &str) -> NewFile {
    let mut w = app.blobs.writer().await.unwrap();
    w.write(bytes).await.unwrap();
    NewFile {
        blob: w.finish().await.unwrap(),
        file_name: name.into(),
        content_type: "application/pdf".into(),
        kind: kind.into(),
    }
}

/// A registered, presented document directed to the officer (lead) and the colleague (co).
async fn directed(w: &World) -> DocumentId {
    let app = &w.app;
    let form = DocumentForm {
        doc_type: "cong-van".into(),
        subject: "Về việc báo cáo chuyển đổi số".into(),
        ..DocumentForm::default()
    };
    let arrival = ArrivalForm {
        author_name: "Bộ Nội vụ".into(),
        notation: "12/BNV-VP".into(),
        issued_on: "2026-04-20".into(),
        ..ArrivalForm::default()
    };
    let id = app
        .register_incoming(&w.clerk, &form, &arrival, Vec::new())
        .await
        .unwrap()
        .id;
    app.take_step(&w.clerk, &id, Step::Present).await.unwrap();
    let direction = AssignForm {
        instruction: "Giao chuyên viên tham mưu trả lời.".into(),
        lead: person_ref(&w.officer),
        co: vec![person_ref(&w.colleague)],
        info: Vec::new(),
        deadline: String::new(),
        working_days: "5".into(),
    };
    app.assign(&w.leader, &id, &direction).await.unwrap();
    id
}

/// The text (pdftotext) and page count (pdfinfo) of a PDF, as poppler reads it.
fn poppler(pdf: &[u8]) -> (String, usize) {
    let dir = signet_store::testing::scratch_dir("slip");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("slip.pdf");
    std::fs::write(&path, pdf).unwrap();
    let run = |tool: &str, args: &[&str]| {
        let out = std::process::Command::new(tool)
            .args(args)
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run("pdftotext", &["-enc", "UTF-8"]);
    let pages = text.matches('\u{c}').count();
    (text, pages)
}

/// Every agency's journal verifies and agrees with the document rows.
async fn journals_hold(store: &Store) {
    for c in signet_app::journal::verify_journals(store, None, None)
        .await
        .unwrap()
    {
        assert!(c.result.is_ok(), "{:?}", c.result);
        assert!(c.rows.is_empty(), "{:?}", c.rows);
    }
}

fn actions(history: &[signet_core::journal::Entry]) -> Vec<&str> {
    history.iter().map(|e| e.action.as_str()).collect()
}

#[tokio::test]
async fn a_handler_asks_the_leader_who_answers_on_the_document() {
    for db in databases().await.unwrap() {
        let w = world(db.store.clone()).await;
        let app = &w.app;
        let id = directed(&w).await;

        // Only handlers ask, only leaders of the agency are asked, and a question is needed.
        let e = app
            .ask_opinion(&w.elsewhere, &id, "", "Xin ý kiến")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let e = app
            .ask_opinion(
                &w.officer,
                &id,
                w.colleague.person_id.as_str(),
                "Xin ý kiến",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::LeaderUnknown)),
            "{e:?}"
        );
        let e = app
            .ask_opinion(&w.officer, &id, w.outsider.person_id.as_str(), "Xin ý kiến")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::LeaderUnknown)),
            "{e:?}"
        );
        let e = app.ask_opinion(&w.officer, &id, "", " ").await.unwrap_err();
        assert!(
            matches!(e, AppError::Rule(CoreError::Required { field: "question" })),
            "{e:?}"
        );

        // Empty leader: the one who assigned. The request waits in their "Việc của tôi".
        app.ask_opinion(
            &w.colleague,
            &id,
            "",
            "Có cần lấy ý kiến Sở Tài chính không?",
        )
        .await
        .unwrap();
        let mine = app.my_work(&w.leader).await.unwrap();
        assert_eq!(mine.opinions.len(), 1);
        assert_eq!(mine.opinions[0].1.id, id);
        assert!(app.my_work(&w.head).await.unwrap().opinions.is_empty());
        let request = mine.opinions[0].0.id.clone();

        // Only the leader asked answers, once.
        let e = app
            .answer_opinion(&w.head, &id, &request, "Có")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        app.answer_opinion(&w.leader, &id, &request, "Cần lấy ý kiến bằng văn bản.")
            .await
            .unwrap();
        let e = app
            .answer_opinion(&w.leader, &id, &request, "Lần hai")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        let asked = app.opinion_requests(&w.officer, &id).await.unwrap();
        assert_eq!(
            asked[0].answer.as_deref(),
            Some("Cần lấy ý kiến bằng văn bản.")
        );
        assert!(app.my_work(&w.leader).await.unwrap().opinions.is_empty());
        // Another agency learns nothing of it.
        let e = app.opinion_requests(&w.outsider, &id).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");

        let history = app.document_view(&w.leader, &id).await.unwrap().history;
        let a = actions(&history);
        assert!(a.contains(&"document.opinion_asked"), "{a:?}");
        assert!(a.contains(&"document.opinion_given"), "{a:?}");
        journals_hold(&db.store).await;
    }
}

#[tokio::test]
async fn notes_carry_files_and_the_reply_is_drafted_linked_and_completes_the_document() {
    for db in databases().await.unwrap() {
        let w = world(db.store.clone()).await;
        let app = &w.app;
        let id = directed(&w).await;

        let attached = file(app, "Dự thảo báo cáo.pdf", b"%PDF-1.7 note", "main").await;
        app.add_note_with_files(&w.colleague, &id, "Gửi dự thảo số liệu.", vec![attached])
            .await
            .unwrap();
        let record = app.processing(&w.officer, &id).await.unwrap().unwrap();
        let note = &record.notes[0];
        assert_eq!(note.files.len(), 1);
        assert_eq!(note.files[0].file_name, "Dự thảo báo cáo.pdf");
        let file_id = note.files[0].id.clone();
        // Whoever may read the document downloads it; another agency does not.
        let (f, _) = app.note_file(&w.elsewhere, &id, &file_id).await.unwrap();
        assert_eq!(f.size, 13);
        let e = app.note_file(&w.outsider, &id, &file_id).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");

        // The co-handler cannot draft the reply; the lead can.
        let e = app
            .draft_reply(&w.colleague, &id, Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let reply_pdf = file(app, "Trả lời.pdf", b"%PDF-1.7 reply", "main").await;
        let reply = app
            .draft_reply(&w.officer, &id, vec![reply_pdf])
            .await
            .unwrap();
        let reply_files = app
            .document_view(&w.officer, &reply.id)
            .await
            .unwrap()
            .files;
        assert_eq!(reply_files.len(), 1, "the reply's own file, to sign");
        assert_eq!(reply.direction, Direction::Outgoing);
        assert_eq!(
            reply.subject,
            "V/v trả lời văn bản số 12/BNV-VP ngày 2026-04-20 của Bộ Nội vụ"
        );
        assert_eq!(reply.recipients, "Bộ Nội vụ");
        assert_eq!(reply.drafting_unit_id.as_ref(), Some(&w.unit));
        // Linked both ways.
        let replies = app.replies(&w.leader, &id).await.unwrap();
        assert_eq!(
            replies.iter().map(|d| &d.id).collect::<Vec<_>>(),
            [&reply.id]
        );
        let answered = app.answered_document(&w.leader, &reply.id).await.unwrap();
        assert_eq!(answered.map(|d| d.id), Some(id.clone()));

        // Completing "replied" without naming it takes the drafted reply.
        let done = app
            .complete(
                &w.officer,
                &id,
                &CompleteForm {
                    outcome: "replied".into(),
                    reply_document_id: String::new(),
                },
            )
            .await
            .unwrap();
        assert_eq!(done.state, IncomingState::Done.into());
        let record = app.processing(&w.leader, &id).await.unwrap().unwrap();
        assert_eq!(record.reply_document_id.as_ref(), Some(&reply.id));
        // Done: no more replies or questions.
        let e = app
            .draft_reply(&w.officer, &id, Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");

        let history = app.document_view(&w.leader, &id).await.unwrap().history;
        assert!(actions(&history).contains(&"document.reply_drafted"));
        journals_hold(&db.store).await;
    }
}

#[tokio::test]
async fn the_processing_slip_is_a_pdf_with_the_direction_assignments_and_notes() {
    for db in databases().await.unwrap() {
        let w = world(db.store.clone()).await;
        let app = &w.app;
        let id = directed(&w).await;
        for i in 0..40 {
            app.add_note(&w.officer, &id, &format!("Ý kiến xử lý số {i}: đã nghiên cứu, đề xuất phương án trả lời cho lãnh đạo xem xét."))
                .await
                .unwrap();
        }
        let pdf = app.processing_slip(&w.leader, &id).await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        signet_pdf::Document::parse(&pdf).unwrap();
        let (text, pages) = poppler(&pdf);
        // Forty notes do not fit one page: the slip goes on, and every note is on it.
        assert!(pages >= 2, "{pages} pages");
        assert!(text.contains("PHIẾU XỬ LÝ VĂN BẢN ĐẾN"), "{text}");
        assert!(
            text.contains("Giao chuyên viên tham mưu trả lời."),
            "{text}"
        );
        assert!(text.contains("Chủ trì: Người cv1"), "{text}");
        assert!(text.contains("Phối hợp: Người cv2"), "{text}");
        assert!(text.contains("12/BNV-VP"), "{text}");
        assert!(text.contains("Ý kiến xử lý số 0:"), "{text}");
        assert!(text.contains("Ý kiến xử lý số 39:"), "{text}");
        let e = app.processing_slip(&w.outsider, &id).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
    }
}

fn meeting(w: &World, participants: Vec<String>) -> MeetingForm {
    MeetingForm {
        subject: "Họp giao ban tuần".into(),
        starts_at: "2026-04-30T14:00".into(),
        ends_at: "2026-04-30T16:00".into(),
        place: "Phòng họp số 1".into(),
        chair: w.leader.person_id.to_string(),
        participants,
        urgency: String::new(),
    }
}

#[tokio::test]
async fn a_meeting_invites_answers_and_shows_materials_to_participants_only() {
    for db in databases().await.unwrap() {
        let w = world(db.store.clone()).await;
        let app = &w.app;
        let invitees = vec![format!("unit:{}", w.unit), person_ref(&w.elsewhere)];

        // Bad input is refused, each with its reason.
        let mut past = meeting(&w, invitees.clone());
        past.starts_at = "2026-04-29T08:00".into();
        let e = app
            .create_meeting(&w.clerk, &past, Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::MeetingInPast { .. })),
            "{e:?}"
        );
        let mut backwards = meeting(&w, invitees.clone());
        backwards.ends_at = "2026-04-30T13:00".into();
        let e = app
            .create_meeting(&w.clerk, &backwards, Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::MeetingEnds { .. })),
            "{e:?}"
        );
        let mut garbled = meeting(&w, invitees.clone());
        garbled.starts_at = "30/04/2026 14h".into();
        let e = app
            .create_meeting(&w.clerk, &garbled, Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::DateTime { .. })),
            "{e:?}"
        );
        let e = app
            .create_meeting(&w.clerk, &meeting(&w, Vec::new()), Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::ParticipantRequired)),
            "{e:?}"
        );
        for foreign in [person_ref(&w.outsider), format!("unit:{}", w.outsider_unit)] {
            let e = app
                .create_meeting(&w.clerk, &meeting(&w, vec![foreign]), Vec::new())
                .await
                .unwrap_err();
            assert!(
                matches!(e, AppError::Invalid(Invalid::ForeignParticipant { .. })),
                "{e:?}"
            );
        }
        let mut no_place = meeting(&w, invitees.clone());
        no_place.place = " ".into();
        let e = app
            .create_meeting(&w.clerk, &no_place, Vec::new())
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Rule(CoreError::Required { field: "place" })),
            "{e:?}"
        );

        let files = vec![
            file(app, "Giấy mời.pdf", b"%PDF-1.7 invitation", "main").await,
            file(app, "Báo cáo tuần.pdf", b"%PDF-1.7 material", "material").await,
        ];
        let inv = app
            .create_meeting(&w.clerk, &meeting(&w, invitees.clone()), files)
            .await
            .unwrap();
        assert_eq!(inv.doc_type, signet_core::document::DocumentType::GiayMoi);
        assert_eq!(inv.direction, Direction::Outgoing);
        // The invitation's own file is the document's; the material is not.
        let own = app.document_view(&w.clerk, &inv.id).await.unwrap().files;
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].file_name, "Giấy mời.pdf");

        // Materials: the unit's members, the person invited, the chair and the organizer
        // see them; the leader of another unit reading the invitation does not.
        for v in [&w.officer, &w.elsewhere, &w.leader, &w.clerk] {
            let view = app.meeting(v, &inv.id).await.unwrap().unwrap();
            assert_eq!(view.materials.unwrap().len(), 1);
        }
        let outsider_view =
            person(&db.store, &w.clerk.agency_id, None, "ld2", &[Role::Leader]).await;
        let view = app.meeting(&outsider_view, &inv.id).await.unwrap().unwrap();
        assert!(view.materials.is_none());
        let material = app
            .meeting(&w.officer, &inv.id)
            .await
            .unwrap()
            .unwrap()
            .materials
            .unwrap()[0]
            .id
            .clone();
        let e = app
            .meeting_material(&outsider_view, &inv.id, &material)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        app.meeting_material(&w.officer, &inv.id, &material)
            .await
            .unwrap();

        // Answers: a person for themselves, the unit by its head; a refusal needs a reason.
        let m = app.meeting(&w.head, &inv.id).await.unwrap().unwrap();
        assert_eq!(m.answerable.len(), 1, "the head answers for the unit");
        let unit_row = m.answerable[0].clone();
        let person_row = app
            .meeting(&w.elsewhere, &inv.id)
            .await
            .unwrap()
            .unwrap()
            .answerable[0]
            .clone();
        let e = app
            .answer_invitation(&w.officer, &inv.id, &unit_row, "yes", "")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let e = app
            .answer_invitation(&w.elsewhere, &inv.id, &person_row, "no", " ")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Rule(CoreError::Required { field: "reason" })),
            "{e:?}"
        );
        let e = app
            .answer_invitation(&w.elsewhere, &inv.id, &person_row, "maybe", "")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::OneOf { .. })),
            "{e:?}"
        );
        assert_eq!(
            app.my_work(&w.elsewhere).await.unwrap().invitations.len(),
            1
        );
        app.answer_invitation(&w.elsewhere, &inv.id, &person_row, "no", "Đi công tác")
            .await
            .unwrap();
        app.answer_invitation(&w.head, &inv.id, &unit_row, "yes", "")
            .await
            .unwrap();
        assert!(app
            .my_work(&w.elsewhere)
            .await
            .unwrap()
            .invitations
            .is_empty());
        let m = app
            .meeting(&w.clerk, &inv.id)
            .await
            .unwrap()
            .unwrap()
            .meeting;
        let answers: Vec<_> = m
            .participants
            .iter()
            .map(|p| (p.attends, p.reason.as_str()))
            .collect();
        assert!(
            answers.contains(&(Some(false), "Đi công tác")),
            "{answers:?}"
        );
        assert!(answers.contains(&(Some(true), "")), "{answers:?}");

        // Once it has started, nobody answers any more.
        let later = App {
            clock: Arc::new(FixedClock(datetime!(2026-04-30 07:30 UTC))),
            ..app.clone()
        };
        let e = later
            .answer_invitation(&w.elsewhere, &inv.id, &person_row, "yes", "")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::MeetingStarted)),
            "{e:?}"
        );

        // The chair's week shows it on Thursday; the week after is empty; another agency
        // cannot open the calendar or the meeting.
        let cal = app
            .calendar(&w.clerk, w.leader.person_id.as_str(), "2026-05-01")
            .await
            .unwrap();
        assert_eq!(signet_app::clock::iso_date(cal.monday), "2026-04-27");
        assert_eq!(cal.days[3].1.len(), 1);
        assert_eq!(cal.days[3].1[0].1.id, inv.id);
        let officer_week = app.calendar(&w.officer, "", "").await.unwrap();
        assert_eq!(officer_week.days[3].1.len(), 1, "invited through the unit");
        let next = app
            .calendar(&w.clerk, w.leader.person_id.as_str(), "2026-05-04")
            .await
            .unwrap();
        assert!(next.days.iter().all(|(_, m)| m.is_empty()));
        let e = app
            .calendar(&w.outsider, w.leader.person_id.as_str(), "")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        let e = app.meeting(&w.outsider, &inv.id).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound), "{e:?}");
        let e = app.calendar(&w.clerk, "", "tuần 18").await.unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(Invalid::Date { .. })),
            "{e:?}"
        );

        let history = app.document_view(&w.clerk, &inv.id).await.unwrap().history;
        let a = actions(&history);
        assert_eq!(a[..2], ["document.drafted", "meeting.scheduled"]);
        assert_eq!(a.iter().filter(|x| **x == "meeting.answered").count(), 2);
        journals_hold(&db.store).await;
    }
}
