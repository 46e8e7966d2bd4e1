//! Reminders of deadlines (issue 10 §3) on every database the machine offers: an overdue
//! assignment gives a reminder once, shown in the app and e-mailed once to a real SMTP
//! listener started here (a few lines of the protocol over a TCP socket), with a secret
//! document's subject left out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::sync::{Arc, Mutex};

use base64::Engine;
use signet_app::clock::FixedClock;
use signet_app::documents::{ArrivalForm, DocumentForm};
use signet_app::mail::MailConfig;
use signet_app::processing::AssignForm;
use signet_app::App;
use signet_core::ids::{AgencyId, DocumentId};
use signet_core::lifecycle::Step;
use signet_core::person::Viewer;
use signet_core::{AgencyCode, Role};
use signet_store::directory::{NewAgency, NewPerson};
use signet_store::testing::databases;
use signet_store::{BlobStore, Store};
use time::macros::datetime;
use time::OffsetDateTime;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Wednesday 29 April 2026 (30/4 and 1/5 are holidays).
const NOW: OffsetDateTime = datetime!(2026-04-29 02:00 UTC);

/// A minimal SMTP server: accepts connections, answers every command, keeps each message
/// (recipient, raw data).
async fn smtp_server() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut rcpt = String::new();
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap() == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_owned();
                    if cmd.starts_with("EHLO") {
                        w.write_all(b"250-test\r\n250 8BITMIME\r\n").await.unwrap();
                    } else if let Some(to) = cmd.strip_prefix("RCPT TO:") {
                        rcpt = to.trim_matches(['<', '>']).to_owned();
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    } else if cmd == "DATA" {
                        w.write_all(b"354 go\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            r.read_line(&mut l).await.unwrap();
                            if l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        store.lock().unwrap().push((rcpt.clone(), data));
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else if cmd == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    (port, got)
}

fn body_of(data: &str) -> String {
    let (_, b64) = data.split_once("\r\n\r\n").unwrap();
    let joined: String = b64.split_whitespace().collect();
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap(),
    )
    .unwrap()
}

async fn person(
    store: &Store,
    agency: &AgencyId,
    name: &str,
    email: &str,
    roles: &[Role],
) -> Viewer {
    let p = NewPerson {
        agency_id: agency.clone(),
        unit_id: None,
        username: name.into(),
        full_name: format!("Người {name}"),
        title: String::new(),
        email: email.into(),
        roles: roles.to_vec(),
        password_hash: "x".into(),
    };
    let p = store.insert_person(&p, "system", 0).await.unwrap();
    Viewer {
        person_id: p.id,
        agency_id: agency.clone(),
        roles: roles.to_vec(),
    }
}

async fn assigned(
    app: &App,
    clerk: &Viewer,
    leader: &Viewer,
    to: &Viewer,
    subject: &str,
    secrecy: &str,
) -> DocumentId {
    let form = DocumentForm {
        doc_type: "cong-van".into(),
        subject: subject.into(),
        secrecy: secrecy.into(),
        ..DocumentForm::default()
    };
    let arrival = ArrivalForm {
        author_name: "Bộ Nội vụ".into(),
        notation: "12/BNV-VP".into(),
        ..ArrivalForm::default()
    };
    let id = app
        .register_incoming(clerk, &form, &arrival, Vec::new())
        .await
        .unwrap()
        .id;
    app.take_step(clerk, &id, Step::Present).await.unwrap();
    let direction = AssignForm {
        instruction: "Giao xử lý.".into(),
        lead: format!("person:{}", to.person_id),
        co: Vec::new(),
        info: Vec::new(),
        deadline: String::new(),
        working_days: "3".into(),
    };
    app.assign(leader, &id, &direction).await.unwrap();
    id
}

#[tokio::test]
async fn an_overdue_assignment_is_reminded_once_in_the_app_and_by_mail() {
    let (port, inbox) = smtp_server().await;
    let mail = MailConfig {
        host: "127.0.0.1".into(),
        port,
        from: "signet@ubnd.example.vn".into(),
    };
    for db in databases().await.unwrap() {
        inbox.lock().unwrap().clear();
        let store = db.store.clone();
        let blobs = BlobStore::open(signet_store::testing::scratch_dir("blobs"), 1 << 20)
            .await
            .unwrap();
        let app = App::new(store.clone(), blobs, Arc::new(FixedClock(NOW)));
        let a = NewAgency {
            code: AgencyCode::parse("000.00.00.H96").unwrap(),
            name: "UBND tỉnh Nhắc".into(),
            abbreviation: "UBND".into(),
            parent_id: None,
            address: String::new(),
        };
        let agency = store.insert_agency(&a, "system", 0).await.unwrap().id;
        let clerk = person(&store, &agency, "vt", "", &[Role::Clerk]).await;
        let leader = person(&store, &agency, "ld", "", &[Role::Leader]).await;
        let officer = person(
            &store,
            &agency,
            "cv",
            "cv@ubnd.example.vn",
            &[Role::Officer],
        )
        .await;
        let quiet = person(&store, &agency, "cv2", "", &[Role::Officer]).await;
        // 3 working days from Wednesday 29/4 skip 30/4, 1/5 and the weekend: Wednesday 6/5.
        assigned(
            &app,
            &clerk,
            &leader,
            &officer,
            "Về việc báo cáo chuyển đổi số",
            "",
        )
        .await;
        assigned(
            &app,
            &clerk,
            &leader,
            &officer,
            "Kế hoạch phòng thủ bí mật",
            "mat",
        )
        .await;
        assigned(
            &app,
            &clerk,
            &leader,
            &quiet,
            "Về việc không ai đọc thư",
            "",
        )
        .await;

        // Today nothing is near: no reminder, no mail.
        let r = app.run_reminders(Some(&mail)).await.unwrap();
        assert_eq!((r.made, r.emails), (0, 0));
        // Monday 4/5: 6/5 is within 2 working days.
        let monday = App {
            clock: Arc::new(FixedClock(datetime!(2026-05-04 02:00 UTC))),
            ..app.clone()
        };
        let r = monday.run_reminders(Some(&mail)).await.unwrap();
        assert_eq!((r.made, r.emails), (3, 1));
        // Thursday 7/5: overdue, a new reminder of another kind; then nothing twice.
        let thursday = App {
            clock: Arc::new(FixedClock(datetime!(2026-05-07 02:00 UTC))),
            ..app.clone()
        };
        let r = thursday.run_reminders(Some(&mail)).await.unwrap();
        assert_eq!((r.made, r.emails), (3, 1));
        let r = thursday.run_reminders(Some(&mail)).await.unwrap();
        assert_eq!((r.made, r.emails), (0, 0));

        let got = inbox.lock().unwrap().clone();
        assert_eq!(
            got.len(),
            2,
            "{label}: one message per person per run",
            label = db.label
        );
        assert!(got.iter().all(|(to, _)| to == "cv@ubnd.example.vn"));
        let overdue = body_of(&got[1].1);
        assert!(
            overdue.contains("Quá hạn") && overdue.contains("2026-05-06"),
            "{overdue}"
        );
        assert!(
            overdue.contains("Về việc báo cáo chuyển đổi số"),
            "{overdue}"
        );
        assert!(
            !overdue.contains("phòng thủ"),
            "a secret subject is never mailed: {overdue}"
        );
        assert!(overdue.contains("văn bản mật"));
        assert!(got[1].1.contains("Subject: =?UTF-8?B?"));

        // In the app: the bell counts the unread, reading clears it.
        assert_eq!(thursday.unread_reminders(&officer).await.unwrap(), 4);
        assert_eq!(thursday.reminders(&officer).await.unwrap().len(), 4);
        assert_eq!(thursday.unread_reminders(&quiet).await.unwrap(), 2);
        assert_eq!(thursday.unread_reminders(&leader).await.unwrap(), 0);
        thursday.read_reminders(&officer).await.unwrap();
        assert_eq!(thursday.unread_reminders(&officer).await.unwrap(), 0);

        // A relay that is not there is an error the job reports, and nothing is marked sent.
        let friday = App {
            clock: Arc::new(FixedClock(datetime!(2026-05-08 02:00 UTC))),
            ..app.clone()
        };
        let closed = MailConfig {
            port: 1,
            ..mail.clone()
        };
        store_extra_overdue(&friday, &clerk, &leader, &officer).await;
        assert!(friday.run_reminders(Some(&closed)).await.is_err());
        let r = friday.run_reminders(Some(&mail)).await.unwrap();
        assert_eq!(r.emails, 1);
        db.cleanup().await;
    }
}

/// One more assignment, already overdue on the 8th (assigned on 29/4 with 3 working days).
async fn store_extra_overdue(app: &App, clerk: &Viewer, leader: &Viewer, to: &Viewer) {
    let back = App {
        clock: Arc::new(FixedClock(NOW)),
        ..app.clone()
    };
    assigned(&back, clerk, leader, to, "Về việc thêm một việc", "").await;
}
