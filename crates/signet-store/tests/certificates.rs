//! Certificates in storage, on every backend `testing::databases` offers: insert, the list
//! with its filters and keyset paging, totals per kind and status at a given time, revocation,
//! the holder's reminder, agency isolation and the journal.
// Test code: a failed step panics with its message, and the clock and random source are
// the real ones (the workspace lints keep both out of library code).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use signet_core::ids::{AgencyId, PersonId};
use signet_core::{AgencyCode, Role};
use signet_store::certificates::{
    CertFilter, CertStatus, CertTotals, CertificateKind, DeviceKind, NewCertificate, StatusAt,
};
use signet_store::directory::{NewAgency, NewPerson};
use signet_store::testing::{databases, TestDb};
use signet_store::{Store, StoreError};

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const DAY: i64 = 86_400_000;

/// The status window the app uses: expiring = within 30 days.
fn at(now_ms: i64) -> StatusAt {
    StatusAt {
        now_ms,
        soon_ms: now_ms + 30 * DAY,
    }
}

struct Fixture {
    agency: AgencyId,
    other: AgencyId,
    holder: PersonId,
    other_holder: PersonId,
}

async fn fixture(store: &Store) -> Fixture {
    let agency = |code: &str, name: &str| NewAgency {
        code: AgencyCode::parse(code).unwrap(),
        name: name.into(),
        abbreviation: "UBND".into(),
        parent_id: None,
        address: String::new(),
    };
    let a = store
        .insert_agency(&agency("000.00.00.H99", "UBND tỉnh"), "system", T0)
        .await
        .unwrap();
    let b = store
        .insert_agency(&agency("000.00.14.H99", "Sở KH&CN"), "system", T0)
        .await
        .unwrap();
    let person = |agency_id: &AgencyId, username: &str| NewPerson {
        agency_id: agency_id.clone(),
        unit_id: None,
        username: username.to_owned(),
        full_name: format!("Nguyễn Văn {username}"),
        title: String::new(),
        email: String::new(),
        roles: vec![Role::Leader],
        password_hash: "x".into(),
    };
    let h = store
        .insert_person(&person(&a.id, "ld"), "system", T0)
        .await
        .unwrap();
    let o = store
        .insert_person(&person(&b.id, "ngoai"), "system", T0)
        .await
        .unwrap();
    Fixture {
        agency: a.id,
        other: b.id,
        holder: h.id,
        other_holder: o.id,
    }
}

fn cert(
    agency: &AgencyId,
    holder: Option<&PersonId>,
    serial: &str,
    not_after_ms: i64,
) -> NewCertificate {
    NewCertificate {
        agency_id: agency.clone(),
        kind: if holder.is_some() {
            CertificateKind::Personal
        } else {
            CertificateKind::Organization
        },
        holder_id: holder.cloned(),
        holder_name: "Nguyễn Văn \"ld\"".into(),
        subject_cn: "Nguyễn Văn ld".into(),
        serial: serial.to_owned(),
        issuer: "CN=Signet Issuing CA".into(),
        not_before_ms: T0 - 400 * DAY,
        not_after_ms,
        device_kind: DeviceKind::Pkcs11,
        device_label: "token 0A1B2C".into(),
        der: vec![0x30, 0x82, 0x01, 0x00, 0xff],
    }
}

async fn each_db<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = TestDb>,
{
    for db in databases().await.expect("test databases") {
        eprintln!("-- on {}", db.label);
        let db = test(db).await;
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_get_revoke_and_journal() {
    each_db(|db| async move {
        let s = &db.store;
        let f = fixture(s).await;
        let c = s
            .insert_certificate(
                &cert(&f.agency, Some(&f.holder), "4a0b", T0 + 100 * DAY),
                "admin1",
                T0,
            )
            .await
            .unwrap();
        let got = s.certificate(&f.agency, "4a0b").await.unwrap();
        assert_eq!(got, c, "read back as written (DER, quotes in names)");
        assert_eq!(got.der, vec![0x30, 0x82, 0x01, 0x00, 0xff]);
        assert_eq!(got.status(at(T0)), CertStatus::Valid);
        // Another agency does not see it.
        assert!(matches!(
            s.certificate(&f.other, "4a0b").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.revoke_certificate(&f.other, "4a0b", "keyCompromise", "x", T0)
                .await,
            Err(StoreError::NotFound)
        ));
        // Same issuer and serial twice: refused.
        let dup = s
            .insert_certificate(&cert(&f.agency, None, "4a0b", T0), "admin1", T0)
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");

        let r = s
            .revoke_certificate(&f.agency, "4a0b", "keyCompromise", "admin1", T0 + DAY)
            .await
            .unwrap();
        assert_eq!(r.revoked_at_ms, Some(T0 + DAY));
        assert_eq!(r.status(at(T0 + 2 * DAY)), CertStatus::Revoked);
        let again = s
            .revoke_certificate(&f.agency, "4a0b", "superseded", "admin1", T0 + 2 * DAY)
            .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        let stored = s.certificate(&f.agency, "4a0b").await.unwrap();
        assert_eq!(stored.revocation_reason.as_deref(), Some("keyCompromise"));

        let journal = s.journal(&f.agency).await.unwrap();
        let actions: Vec<_> = journal
            .iter()
            .filter(|e| e.subject == c.id.as_str())
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(actions, ["certificate.issued", "certificate.revoked"]);
        let head = s.journal_head(&f.agency).await.unwrap();
        signet_core::journal::verify(f.agency.as_str(), &journal, head.as_ref()).unwrap();
        db
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_filters_paging_and_reminders() {
    each_db(|db| async move {
        let s = &db.store;
        let f = fixture(s).await;
        let now = T0 + 1000 * DAY;
        // Expired (1), expiring in 1, 29 and 30 days (3), valid in 31 and 400 days (2),
        // one of them revoked; then 2 organization certificates, 1 expired.
        let personal = [
            ("01", now - 1),
            ("02", now + DAY),
            ("03", now + 29 * DAY),
            ("04", now + 30 * DAY),
            ("05", now + 31 * DAY),
            ("06", now + 400 * DAY),
        ];
        for (serial, not_after) in personal {
            s.insert_certificate(
                &cert(&f.agency, Some(&f.holder), serial, not_after),
                "a",
                T0,
            )
            .await
            .unwrap();
        }
        for (serial, not_after) in [("10", now - DAY), ("11", now + 500 * DAY)] {
            s.insert_certificate(&cert(&f.agency, None, serial, not_after), "a", T0)
                .await
                .unwrap();
        }
        // The other agency's certificates never count here.
        s.insert_certificate(
            &cert(&f.other, Some(&f.other_holder), "99", now + DAY),
            "a",
            T0,
        )
        .await
        .unwrap();
        s.revoke_certificate(&f.agency, "03", "superseded", "a", now - DAY)
            .await
            .unwrap();

        let t = s.certificate_totals(&f.agency, at(now)).await.unwrap();
        assert_eq!(
            t,
            CertTotals {
                total: 8,
                personal: 6,
                organization: 2,
                valid: 3,
                expiring: 2,
                expired: 2,
                revoked: 1,
            }
        );
        let empty = s
            .certificate_totals(&AgencyId::new("nobody"), at(now))
            .await
            .unwrap();
        assert_eq!(empty, CertTotals::default());

        let serials = |p: &signet_store::certificates::CertPage| -> Vec<String> {
            p.certificates.iter().map(|c| c.serial.clone()).collect()
        };
        for (status, want) in [
            (CertStatus::Expired, vec!["10", "01"]),
            (CertStatus::Expiring, vec!["02", "04"]),
            (CertStatus::Valid, vec!["05", "06", "11"]),
            (CertStatus::Revoked, vec!["03"]),
        ] {
            let page = s
                .certificates(
                    &f.agency,
                    &CertFilter {
                        status: Some(status),
                        limit: 50,
                        ..Default::default()
                    },
                    at(now),
                )
                .await
                .unwrap();
            assert_eq!(serials(&page), want, "{status:?}");
            for c in &page.certificates {
                assert_eq!(
                    c.status(at(now)),
                    status,
                    "SQL and Rust agree on {}",
                    c.serial
                );
            }
        }
        let orgs = s
            .certificates(
                &f.agency,
                &CertFilter {
                    kind: Some(CertificateKind::Organization),
                    limit: 50,
                    ..Default::default()
                },
                at(now),
            )
            .await
            .unwrap();
        assert_eq!(serials(&orgs), ["10", "11"]);

        // Keyset paging, 3 at a time: every certificate once, soonest expiry first.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = s
                .certificates(
                    &f.agency,
                    &CertFilter {
                        after: after.clone(),
                        limit: 3,
                        ..Default::default()
                    },
                    at(now),
                )
                .await
                .unwrap();
            assert!(page.certificates.len() <= 3);
            seen.extend(serials(&page));
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, ["10", "01", "02", "03", "04", "05", "06", "11"]);

        // The holder's reminder: expiring and not revoked.
        let mine = s.expiring_for_holder(&f.holder, at(now)).await.unwrap();
        let mine: Vec<_> = mine.iter().map(|c| c.serial.as_str()).collect();
        assert_eq!(mine, ["02", "04"]);
        assert!(s
            .expiring_for_holder(&f.holder, at(now + 600 * DAY))
            .await
            .unwrap()
            .is_empty());
        db
    })
    .await;
}

/// A measurement, not run by default (`cargo test -p signet-store --test certificates --
/// --ignored --nocapture`): 5,700 certificates in one agency (4,028 personal, 1,672
/// organizational), then the totals and the first and a deep page of the expiring filter,
/// timed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: inserts 5,700 rows"]
async fn totals_and_pages_at_agency_scale() {
    each_db(|db| async move {
        let s = &db.store;
        let f = fixture(s).await;
        let now = T0 + 1000 * DAY;
        let started = std::time::Instant::now();
        for i in 0..5700i64 {
            let holder = (i < 4028).then_some(&f.holder);
            let not_after = now - 100 * DAY + (i * 7919 % 1200) * DAY;
            s.insert_certificate(&cert(&f.agency, holder, &format!("{i:x}"), not_after), "a", T0)
                .await
                .unwrap();
        }
        eprintln!("{}: 5,700 inserts in {:?}", db.label, started.elapsed());
        signet_store::testing::analyze(s).await.unwrap();
        let t0 = std::time::Instant::now();
        let t = s.certificate_totals(&f.agency, at(now)).await.unwrap();
        let totals_time = t0.elapsed();
        assert_eq!((t.total, t.personal, t.organization), (5700, 4028, 1672));
        assert_eq!(t.valid + t.expiring + t.expired + t.revoked, t.total);
        let filter = |after| CertFilter {
            status: Some(CertStatus::Expiring),
            after,
            limit: 50,
            ..Default::default()
        };
        let t1 = std::time::Instant::now();
        let mut page = s.certificates(&f.agency, &filter(None), at(now)).await.unwrap();
        let first_time = t1.elapsed();
        let mut n = page.certificates.len();
        while let Some(next) = page.next.clone() {
            page = s.certificates(&f.agency, &filter(Some(next)), at(now)).await.unwrap();
            n += page.certificates.len();
        }
        assert_eq!(n as i64, t.expiring);
        let t2 = std::time::Instant::now();
        s.certificates(&f.agency, &CertFilter { limit: 50, ..Default::default() }, at(now))
            .await
            .unwrap();
        eprintln!(
            "{}: totals {totals_time:?}, first expiring page {first_time:?}, unfiltered page {:?}, expiring {}",
            db.label,
            t2.elapsed(),
            t.expiring
        );
        db
    })
    .await;
}
