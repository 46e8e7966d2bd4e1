-- Prefix search (issue 10 §6): documents.search_text becomes a line of folded words with a
-- space around each (" so 12 qd ubnd "), and the word index also holds every word's 2- and
-- 3-character prefixes as `<prefix>*` keys. Both are rewritten for existing documents by the
-- migration runner (it needs Rust's folding); no schema change is needed for them.

-- Work dossiers (hồ sơ công việc, issue 10 §2; Nghị định 30 Chương IV): a person opens one
-- under a code of the agency's dossier list (danh mục hồ sơ) for a year, files documents into
-- it, closes it when the work is done; closed dossiers of a year are handed to the agency's
-- archive (nộp lưu: a state here, not another system). retention is the term in years, or
-- 0 for permanent (vĩnh viễn). state: open, closed, archived.
CREATE TABLE IF NOT EXISTS dossiers (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    year BIGINT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    retention_years BIGINT NOT NULL,
    unit_id TEXT REFERENCES units(id),
    keeper_id TEXT NOT NULL REFERENCES people(id),
    state TEXT NOT NULL,
    opened_at_ms BIGINT NOT NULL,
    closed_at_ms BIGINT,
    archived_at_ms BIGINT
);
-- One dossier per code and year in an agency; also the list's order (year, code).
CREATE UNIQUE INDEX IF NOT EXISTS dossiers_code ON dossiers (agency_id, year, code);
CREATE INDEX IF NOT EXISTS dossiers_keeper ON dossiers (keeper_id, state);

-- The documents filed in a dossier, in filing order.
CREATE TABLE IF NOT EXISTS dossier_documents (
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    filed_by TEXT NOT NULL REFERENCES people(id),
    filed_at_ms BIGINT NOT NULL,
    PRIMARY KEY (dossier_id, document_id)
);
CREATE INDEX IF NOT EXISTS dossier_documents_document ON dossier_documents (document_id);

-- Reminders (issue 10 §3): a handler's deadline in 2 working days (due_soon) or passed
-- (overdue). One row per person, document, kind and deadline — the unique index is what
-- makes "never twice" hold, also when two servers run the job. read_at_ms: seen in the app;
-- emailed_at_ms: sent by e-mail (0 when the person has no address).
CREATE TABLE IF NOT EXISTS reminders (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL,
    deadline TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    read_at_ms BIGINT,
    emailed_at_ms BIGINT
);
CREATE UNIQUE INDEX IF NOT EXISTS reminders_once ON reminders (person_id, document_id, kind, deadline);
CREATE INDEX IF NOT EXISTS reminders_person ON reminders (person_id, created_at_ms);
CREATE INDEX IF NOT EXISTS reminders_mail ON reminders (emailed_at_ms);
