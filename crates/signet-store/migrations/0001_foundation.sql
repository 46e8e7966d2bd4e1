-- Portable SQL: every statement here runs unchanged on SQLite and PostgreSQL.
-- Integers are BIGINT everywhere (one Rust type, i64); times are Unix milliseconds;
-- calendar dates are ISO 'YYYY-MM-DD' text, which sorts correctly.

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    abbreviation TEXT NOT NULL,
    parent_id TEXT REFERENCES agencies(id),
    address TEXT NOT NULL DEFAULT '',
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    abbreviation TEXT NOT NULL,
    UNIQUE (agency_id, abbreviation)
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    unit_id TEXT REFERENCES units(id),
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX people_agency ON people (agency_id, full_name);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    csrf_token TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    direction TEXT NOT NULL,
    state TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    search_text TEXT NOT NULL,
    urgency TEXT NOT NULL,
    secrecy TEXT NOT NULL,
    series TEXT,
    year BIGINT,
    number BIGINT,
    notation TEXT,
    issued_on TEXT,
    author_name TEXT NOT NULL DEFAULT '',
    author_code TEXT NOT NULL DEFAULT '',
    signer_name TEXT NOT NULL DEFAULT '',
    signer_position TEXT NOT NULL DEFAULT '',
    pages BIGINT,
    recipients TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    drafting_unit_id TEXT REFERENCES units(id),
    arrived_on TEXT,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (agency_id, series, year, number)
);
CREATE INDEX documents_list ON documents (agency_id, direction, created_at_ms DESC, id DESC);
CREATE INDEX documents_register ON documents (agency_id, direction, year, number);

CREATE TABLE document_files (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    kind TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX document_files_document ON document_files (document_id, created_at_ms);

-- One row per (agency, series, year). Numbers come from an atomic upsert, so the row lock
-- (PostgreSQL) or the database write lock (SQLite) serialises concurrent issuances.
CREATE TABLE counters (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    series TEXT NOT NULL,
    year BIGINT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (agency_id, series, year)
);

CREATE TABLE journal (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (agency_id, seq)
);
CREATE INDEX journal_subject ON journal (subject, seq);

-- The last entry of each agency's journal. Claiming this row is the first statement of every
-- write transaction on an agency: it serialises writers per agency on PostgreSQL and takes the
-- write lock up front on SQLite, and it lets `journal verify` notice entries cut off the end.
CREATE TABLE journal_heads (
    agency_id TEXT PRIMARY KEY REFERENCES agencies(id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
