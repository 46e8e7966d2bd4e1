-- Issue 9, the review's remainder: an agency's signing settings (whether its leaders may
-- sign with the personal key the server's HSM holds for them — off unless an administrator
-- turns it on), and each person's handwritten-signature image for the visible signature
-- (the bytes in the content-addressed store, only their SHA-256 here).

CREATE TABLE agency_signing_settings (
    agency_id TEXT PRIMARY KEY REFERENCES agencies(id),
    server_personal_keys BIGINT NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE signature_images (
    person_id TEXT PRIMARY KEY REFERENCES people(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    content_type TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at_ms BIGINT NOT NULL
);
