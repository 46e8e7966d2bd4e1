//! Test support shared by the storage and HTTP suites: a fresh database on every backend
//! the machine offers. SQLite always; PostgreSQL when `SIGNET_TEST_DATABASE_URL` names a
//! server, in a new database of its own so tests never see each other's rows.

use std::path::PathBuf;

use crate::{random_hex, Store, StoreError};

/// A store on a fresh database, and what to remove afterwards.
pub struct TestDb {
    pub store: Store,
    pub label: &'static str,
    pub dir: PathBuf,
    cleanup: Option<(String, String)>,
}

/// The URL of the PostgreSQL server to test against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("SIGNET_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A scratch directory under the system temp dir.
pub fn scratch_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", random_hex::<8>()));
    // Test set-up: failing to create a temp dir is a broken machine.
    #[allow(clippy::expect_used)]
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Fresh, migrated databases: SQLite, then PostgreSQL when configured.
pub async fn databases() -> Result<Vec<TestDb>, StoreError> {
    let mut out = vec![sqlite().await?];
    if let Some(url) = postgres_url() {
        out.push(postgres(&url).await?);
    }
    Ok(out)
}

pub async fn sqlite() -> Result<TestDb, StoreError> {
    let dir = scratch_dir("signet-test");
    let url = format!("sqlite://{}", dir.join("signet.db").display());
    let store = Store::open(&url, 8).await?;
    Ok(TestDb {
        store,
        label: "sqlite",
        dir,
        cleanup: None,
    })
}

pub async fn postgres(admin_url: &str) -> Result<TestDb, StoreError> {
    let name = format!("signet_test_{}", random_hex::<6>());
    let admin = Store::connect(admin_url, 1).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin.pool)
        .await?;
    admin.close().await;
    let url = with_database(admin_url, &name);
    let store = Store::open(&url, 16).await?;
    Ok(TestDb {
        store,
        label: "postgres",
        dir: scratch_dir("signet-test"),
        cleanup: Some((admin_url.to_owned(), name)),
    })
}

/// `postgres://user@host:port/db?x` with the database replaced.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{db}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl TestDb {
    /// Closes the store and removes the database and scratch files.
    pub async fn cleanup(self) {
        self.store.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin_url, name)) = self.cleanup {
            if let Ok(admin) = Store::connect(&admin_url, 1).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin.pool)
                    .await;
                admin.close().await;
            }
        }
    }
}

/// Inserts `n` documents straight into the table for benchmarks: realistic metadata, spread
/// over six years, in multi-row statements. No journal entries — a bench fixture, not a use
/// case. Returns the number inserted.
pub async fn bulk_documents(
    store: &Store,
    agency_id: &signet_core::ids::AgencyId,
    created_by: &signet_core::ids::PersonId,
    n: usize,
    start_ms: i64,
) -> Result<usize, StoreError> {
    use signet_core::document::{DocumentType, Urgency};
    const ROWS: usize = 400;
    const SUBJECTS: [&str; 5] = [
        "Về việc triển khai ký số văn bản điện tử",
        "Báo cáo tình hình thực hiện nhiệm vụ tháng",
        "Kế hoạch kiểm tra công tác văn thư, lưu trữ",
        "Giấy mời họp giao ban",
        "Quyết định phê duyệt dự toán kinh phí",
    ];
    let span_ms: i64 = 6 * 365 * 24 * 3600 * 1000;
    let mut done = 0;
    while done < n {
        let batch = ROWS.min(n - done);
        let mut sql = String::from(
            "INSERT INTO documents (id, agency_id, direction, state, doc_type, subject, search_text, urgency, secrecy, \
             created_by, created_at_ms, updated_at_ms) VALUES ",
        );
        let mut rows = Vec::with_capacity(batch);
        for k in 0..batch {
            let base = k * 10;
            rows.push(format!(
                "(${}, ${}, 'outgoing', ${}, ${}, ${}, ${}, ${}, 'khong', ${}, ${}, ${})",
                base + 1,
                base + 2,
                base + 3,
                base + 4,
                base + 5,
                base + 6,
                base + 7,
                base + 8,
                base + 9,
                base + 10
            ));
        }
        sql.push_str(&rows.join(", "));
        let mut q = sqlx::query(&sql);
        for k in 0..batch {
            let i = done + k;
            let subject = format!("{} số {i}", SUBJECTS[i % SUBJECTS.len()]);
            let t = DocumentType::ALL[i % DocumentType::ALL.len()];
            let states = ["draft", "submitted", "signed", "issued", "sent"];
            let at = start_ms + (i as i64 * span_ms) / n.max(1) as i64;
            q = q
                .bind(format!("{:032x}", i as u128 + 1))
                .bind(agency_id.as_str().to_owned())
                .bind(states[i % states.len()])
                .bind(t.code())
                .bind(subject.clone())
                .bind(signet_core::text::words_line(&subject))
                .bind(Urgency::ALL[i % 7 % Urgency::ALL.len()].code())
                .bind(created_by.as_str().to_owned())
                .bind(at)
                .bind(at);
        }
        q.execute(&store.pool).await?;
        bulk_terms(
            store,
            agency_id.as_str(),
            done,
            batch,
            n,
            start_ms,
            span_ms,
            &SUBJECTS,
        )
        .await?;
        done += batch;
    }
    Ok(done)
}

/// The word-index rows of the documents `done..done + batch` of [`bulk_documents`].
#[allow(clippy::too_many_arguments)]
async fn bulk_terms(
    store: &Store,
    agency_id: &str,
    done: usize,
    batch: usize,
    n: usize,
    start_ms: i64,
    span_ms: i64,
    subjects: &[&str],
) -> Result<(), StoreError> {
    let mut rows: Vec<(String, i64, String)> = Vec::new();
    for i in done..done + batch {
        let subject = format!("{} số {i}", subjects[i % subjects.len()]);
        let at = start_ms + (i as i64 * span_ms) / n.max(1) as i64;
        for term in signet_core::text::index_keys(&subject) {
            rows.push((term, at, format!("{:032x}", i as u128 + 1)));
        }
    }
    // 4 parameters a row; 2,000 rows a statement stays under both engines' limits.
    for chunk in rows.chunks(2000) {
        let values: Vec<String> = (0..chunk.len())
            .map(|k| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    4 * k + 1,
                    4 * k + 2,
                    4 * k + 3,
                    4 * k + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO document_terms (agency_id, term, created_at_ms, document_id) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (term, at, id) in chunk {
            q = q
                .bind(agency_id.to_owned())
                .bind(term.clone())
                .bind(*at)
                .bind(id.clone());
        }
        q.execute(&store.pool).await?;
    }
    Ok(())
}

/// Refreshes the planner's statistics (both engines take `ANALYZE`).
pub async fn analyze(store: &Store) -> Result<(), StoreError> {
    sqlx::query("ANALYZE").execute(&store.pool).await?;
    Ok(())
}

/// Runs one raw statement (tests that tamper with the database on purpose).
pub async fn execute(store: &Store, sql: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query(sql).execute(&store.pool).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://h/test?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
    }
}
