-- Other systems of the province (issue 14 §5): webhooks and the sealing API.

-- Who is told of an agency's events: a URL, the events it wants (space-separated names) and
-- the secret deliveries are signed with (HMAC-SHA256). The secret is kept as it is because it
-- must sign; it is shown once, when the subscriber is created, and never again.
CREATE TABLE webhook_subscribers (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX webhook_subscribers_agency ON webhook_subscribers (agency_id, active);

-- The webhook outbox: one row per (event, subscriber), written in the transaction of the
-- action that causes the event. Its id is the idempotency key, the same on every attempt and
-- on a replay.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    subscriber_id TEXT NOT NULL REFERENCES webhook_subscribers(id),
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    claimed_until_ms BIGINT NOT NULL DEFAULT 0,
    last_status BIGINT,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    delivered_at_ms BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (agency_id, created_at_ms);

-- PDFs another system hands the agency to be sealed: waiting for a clerk (pending), sealed,
-- rejected (with the reason) or failed (the seal could not be made; a clerk may approve again).
CREATE TABLE seal_requests (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    requested_by TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    reference TEXT NOT NULL,
    file_name TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    sealed_sha256 TEXT,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    decided_by TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX seal_requests_list ON seal_requests (agency_id, created_at_ms);

-- The document types an agency seals without a clerk's approval (an administrator's setting).
CREATE TABLE seal_auto_types (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    doc_type TEXT NOT NULL,
    PRIMARY KEY (agency_id, doc_type)
);
