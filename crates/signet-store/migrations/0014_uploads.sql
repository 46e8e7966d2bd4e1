-- Resumable uploads (tus 1.0 core + creation + termination): a file sent in pieces, its
-- bytes in files.dir/uploads/<id>.part, how much has been received recorded here (the part
-- file may hold more after an interrupted piece: only `received` bytes count).
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    length BIGINT NOT NULL,
    received BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX uploads_by_age ON uploads (updated_at_ms);
