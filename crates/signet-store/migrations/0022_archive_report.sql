-- What the archive renewal could not do, kept until it succeeds (issue 11 §4: "a report of
-- what was renewed and what could not be — retried, visible"), and each run's totals.
CREATE TABLE archive_failures (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    notation TEXT,
    reason TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    first_failed_at_ms BIGINT NOT NULL,
    last_failed_at_ms BIGINT NOT NULL
);
CREATE INDEX archive_failures_agency ON archive_failures (agency_id, last_failed_at_ms);

CREATE TABLE archive_runs (
    id TEXT PRIMARY KEY,
    started_at_ms BIGINT NOT NULL,
    finished_at_ms BIGINT NOT NULL,
    examined BIGINT NOT NULL,
    renewed BIGINT NOT NULL,
    failed BIGINT NOT NULL
);
CREATE INDEX archive_runs_time ON archive_runs (started_at_ms);
