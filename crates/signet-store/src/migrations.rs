//! Schema migrations: numbered SQL files compiled into the binary, applied in order, each in
//! its own transaction, recorded in `schema_migrations`.

use sqlx::AnyPool;

use crate::StoreError;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_foundation.sql")),
    (2, include_str!("../migrations/0002_document_terms.sql")),
    (3, include_str!("../migrations/0003_certificates.sql")),
    (4, include_str!("../migrations/0004_signing.sql")),
    (5, include_str!("../migrations/0005_remote_signing.sql")),
    (
        6,
        include_str!("../migrations/0006_incoming_processing.sql"),
    ),
    (7, include_str!("../migrations/0007_sign_in_attempts.sql")),
    (8, include_str!("../migrations/0008_exchange.sql")),
    (9, include_str!("../migrations/0009_search_dossiers.sql")),
    (
        11,
        include_str!("../migrations/0011_server_keys_and_signature_images.sql"),
    ),
    (12, include_str!("../migrations/0012_trust_lists.sql")),
    (14, include_str!("../migrations/0014_uploads.sql")),
    (15, include_str!("../migrations/0015_exchange_recall.sql")),
    (
        16,
        include_str!("../migrations/0016_webhooks_seal_requests.sql"),
    ),
    (17, include_str!("../migrations/0017_opinions_meetings.sql")),
    (18, include_str!("../migrations/0018_people_admin.sql")),
    (19, include_str!("../migrations/0019_document_copies.sql")),
    (20, include_str!("../migrations/0020_drafting_cycle.sql")),
    (21, include_str!("../migrations/0021_recount_by_month.sql")),
    (22, include_str!("../migrations/0022_archive_report.sql")),
    (
        23,
        include_str!("../migrations/0023_documents_by_author.sql"),
    ),
    (24, include_str!("../migrations/0024_copy_retries.sql")),
    (25, include_str!("../migrations/0025_sad_hashes.sql")),
];

/// Data steps that SQL alone cannot do, run in the same transaction as their migration.
async fn after(version: i64, tx: &mut crate::Tx) -> Result<(), StoreError> {
    if version == 2 {
        crate::documents::terms::backfill_terms(tx).await?;
    }
    if version == 9 {
        crate::documents::terms::reindex_for_prefixes(tx).await?;
    }
    Ok(())
}

pub(crate) async fn apply(pool: &AnyPool) -> Result<Vec<i64>, StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (version BIGINT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)",
    )
    .execute(pool)
    .await?;
    let mut applied = Vec::new();
    for &(version, sql) in MIGRATIONS {
        let mut tx = pool.begin().await?;
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            continue;
        }
        for statement in statements(sql) {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
        after(version, &mut tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at_ms) VALUES ($1, $2)")
            .bind(version)
            .bind(crate::sql::now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version, "applied migration");
        applied.push(version);
    }
    Ok(applied)
}

/// Splits a migration into statements, dropping `--` comments. Our migrations keep one
/// statement per `;`-terminated block and no semicolons inside literals.
fn statements(sql: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_statements() {
        let s = super::statements(
            "-- c\nCREATE TABLE a (x BIGINT); -- tail\n\nCREATE INDEX i ON a (x);\n",
        );
        assert_eq!(s, ["CREATE TABLE a (x BIGINT)", "CREATE INDEX i ON a (x)"]);
    }
}
