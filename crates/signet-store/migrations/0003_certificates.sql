-- Certificates of an agency's people and of the agency itself (seal), whoever issued them:
-- the built-in CA records here what it issues; the list, the totals and the expiry
-- reminders read this table, never the CA's state file.
-- Times are Unix milliseconds; the certificate itself is kept as lower-case hex DER (TEXT is
-- the one binary-safe type both engines share under the same name).

CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    holder_id TEXT REFERENCES people(id),
    holder_name TEXT NOT NULL,
    subject_cn TEXT NOT NULL,
    serial TEXT NOT NULL,
    issuer TEXT NOT NULL,
    not_before_ms BIGINT NOT NULL,
    not_after_ms BIGINT NOT NULL,
    device_kind TEXT NOT NULL,
    device_label TEXT NOT NULL DEFAULT '',
    revoked_at_ms BIGINT,
    revocation_reason TEXT,
    der_hex TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (issuer, serial)
);
-- The administrator's list: one agency, soonest expiry first, paged by (not_after_ms, id).
CREATE INDEX certificates_expiry ON certificates (agency_id, not_after_ms, id);
-- Download and revoke by serial within an agency.
CREATE INDEX certificates_serial ON certificates (agency_id, serial);
-- The holder's reminder on every page: their own certificates by expiry.
CREATE INDEX certificates_holder ON certificates (holder_id, not_after_ms);
