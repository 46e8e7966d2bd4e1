-- Signing from the web (issue 9): signatures prepared for a device, the officer's mark of
-- where the leader signs, issuance waiting for the agency's seal, and the verdicts on the
-- issued file. Times are Unix milliseconds; binary data is lower-case hex TEXT.

-- A signature prepared for a device (USB token through the agent, phone, server key) and
-- waiting for its answer. The prepared PDF (with its placeholder) is in the content-addressed
-- store; `state_json` is the rest of what completing needs (signed attributes, certificate
-- chain, level), so a restart between the two steps loses nothing.
CREATE TABLE pending_signatures (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    role TEXT NOT NULL,
    device TEXT NOT NULL,
    prepared_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    state_json TEXT NOT NULL,
    digest_hex TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES people(id),
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL,
    finished_at_ms BIGINT,
    refusal TEXT
);
CREATE INDEX pending_signatures_document ON pending_signatures (document_id, created_at_ms);

-- Where the leader's signature goes, marked by the officer on the draft: zero-based page and
-- rectangle in points ("x0 y0 x1 y1").
CREATE TABLE signature_marks (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    page BIGINT NOT NULL,
    rect TEXT NOT NULL,
    marked_by TEXT NOT NULL REFERENCES people(id),
    marked_at_ms BIGINT NOT NULL
);

-- An issuance: the number taken from the register, then the seal. `waiting` until the seal
-- is stored with the number on the file (then `done`), retried while the TSA or OCSP cannot
-- be reached; `failed` keeps the number taken and why, for the register.
CREATE TABLE seal_jobs (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    series TEXT NOT NULL,
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    notation TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    requested_by TEXT NOT NULL REFERENCES people(id),
    created_at_ms BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    finished_at_ms BIGINT,
    UNIQUE (agency_id, series, year, number)
);
CREATE INDEX seal_jobs_document ON seal_jobs (document_id, created_at_ms);
CREATE INDEX seal_jobs_waiting ON seal_jobs (state, next_attempt_ms);

-- What Signet's verifier said of the issued file right after sealing (1 valid, 0 not):
-- the statistics of documents issued with a valid leader's signature and a valid seal.
CREATE TABLE signature_verdicts (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    file_sha256 TEXT NOT NULL,
    leader_signature_valid BIGINT NOT NULL,
    seal_valid BIGINT NOT NULL,
    verified_at_ms BIGINT NOT NULL
);
CREATE INDEX signature_verdicts_agency ON signature_verdicts (agency_id, verified_at_ms);
