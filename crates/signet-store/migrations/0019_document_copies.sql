-- Electronic copies (issue 13 §7; Nghị định 30 Điều 25–26): sao y, sao lục and trích sao of
-- an issued or registered document, made from its electronic file or from a scan of its
-- paper original. Each copy takes the next number of the agency's copies register (counter
-- series 'sao', per year) when it is made, keeps it whatever happens next (state 'sealing'
-- until the agency's seal is on the file, then 'done'; 'failed' with the reason), and is
-- linked to its original: the original lists its copies, the copy names its original.
CREATE TABLE document_copies (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    original_id TEXT NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    notation TEXT NOT NULL,
    copied_on TEXT NOT NULL,
    -- 'electronic' (from the original's file) or 'scan' (from an uploaded scan of the paper).
    source TEXT NOT NULL,
    -- Pages of the source copied, '' for all (e.g. '2-3' for a trích sao).
    page_range TEXT NOT NULL,
    -- Nơi nhận, one per line.
    recipients TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    sha256 TEXT REFERENCES blobs(sha256),
    size BIGINT,
    page_count BIGINT,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (agency_id, year, number)
);
CREATE INDEX document_copies_original ON document_copies (original_id, created_at_ms);
