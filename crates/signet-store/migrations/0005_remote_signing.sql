-- Remote signing (CSC): credentials whose keys live in the server's HSM, the signing
-- requests a holder approves on their phone, and the signature activation data (SAD) that
-- authorizes exactly a set of hashes. Keys are never stored here: only the HSM label.
-- Times are Unix milliseconds; binary values lower-case hex; lists comma-separated.

CREATE TABLE remote_credentials (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    holder_id TEXT NOT NULL REFERENCES people(id),
    label TEXT NOT NULL,
    chain_hex TEXT NOT NULL,
    key_label TEXT NOT NULL UNIQUE,
    key_algo TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    failed_pin_count BIGINT NOT NULL DEFAULT 0,
    locked_at_ms BIGINT,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX remote_credentials_holder ON remote_credentials (holder_id);
CREATE INDEX remote_credentials_agency ON remote_credentials (agency_id);

CREATE TABLE remote_sign_requests (
    id TEXT PRIMARY KEY,
    credential_id TEXT NOT NULL REFERENCES remote_credentials(id),
    requester_id TEXT NOT NULL REFERENCES people(id),
    label TEXT NOT NULL,
    application TEXT NOT NULL,
    hashes_hex TEXT NOT NULL,
    state TEXT NOT NULL,
    signatures_hex TEXT,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    answered_at_ms BIGINT
);
-- The holder's phone page: their pending requests, newest first.
CREATE INDEX remote_sign_requests_credential ON remote_sign_requests (credential_id, state, created_at_ms);

CREATE TABLE remote_sads (
    token_hash TEXT PRIMARY KEY,
    credential_id TEXT NOT NULL REFERENCES remote_credentials(id),
    hashes_hex TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
-- The used set of a SAD: one row per hash signed, so "once each" is the primary key.
CREATE TABLE remote_sad_uses (
    token_hash TEXT NOT NULL REFERENCES remote_sads(token_hash),
    hash_hex TEXT NOT NULL,
    used_at_ms BIGINT NOT NULL,
    PRIMARY KEY (token_hash, hash_hex)
);
