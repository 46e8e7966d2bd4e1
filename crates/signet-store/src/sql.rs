//! Small helpers for building SQL that both engines accept.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

/// When a migration was applied: bookkeeping of the schema, not of the documents, whose
/// times always come from the caller's clock.
#[allow(clippy::disallowed_methods)]
pub(crate) fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

/// A bound value of a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// A query assembled piece by piece, numbering its `$n` placeholders as it goes
/// (SQLite reads `$n` as the n-th parameter too).
#[derive(Debug, Default)]
pub(crate) struct Builder {
    sql: String,
    args: Vec<Arg>,
}

impl Builder {
    pub fn new(sql: &str) -> Self {
        Self {
            sql: sql.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends the placeholder for `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }

    pub fn text(&mut self, s: &str) -> &mut Self {
        self.bind(Arg::Text(s.to_owned()))
    }

    pub fn int(&mut self, i: i64) -> &mut Self {
        self.bind(Arg::Int(i))
    }

    /// Appends `rows` as the body of a `VALUES` list, `(…), (…)`: `row` writes the inside
    /// of each.
    pub fn rows<T>(&mut self, rows: &[T], mut row: impl FnMut(&mut Self, &T)) -> &mut Self {
        for (i, r) in rows.iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            row(self, r);
            self.push(")");
        }
        self
    }

    /// Appends `items` bound as text and comma-separated: the inside of an `IN (…)`.
    pub fn texts<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) -> &mut Self {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.text(item);
        }
        self
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// Reading domain ids out of rows. `signet-core` does not depend on sqlx, and the orphan rule
/// keeps this crate from implementing sqlx's `Decode`/`Encode` for core's types, so ids are
/// read as text through this trait and bound as text with `as_str()`: the same columns, the
/// same stored values, one place that turns them into types.
pub(crate) trait RowExt {
    fn id<T: From<String>>(&self, column: &str) -> Result<T, sqlx::Error>;
    fn opt_id<T: From<String>>(&self, column: &str) -> Result<Option<T>, sqlx::Error>;
}

impl RowExt for sqlx::any::AnyRow {
    fn id<T: From<String>>(&self, column: &str) -> Result<T, sqlx::Error> {
        use sqlx::Row;
        self.try_get::<String, _>(column).map(T::from)
    }

    fn opt_id<T: From<String>>(&self, column: &str) -> Result<Option<T>, sqlx::Error> {
        use sqlx::Row;
        Ok(self.try_get::<Option<String>, _>(column)?.map(T::from))
    }
}
