-- Exchange between agencies (edXML, issue 14).

-- The agencies (by identifier code) a clerk addresses an outgoing document to, chosen before
-- it is issued; at issue each becomes a consignment in the same transaction.
CREATE TABLE exchange_recipients (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    recipient_code TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    PRIMARY KEY (document_id, recipient_code)
);

-- The outbox: one row per packet to deliver (a document to a recipient, or a status back to
-- a sender). The id is the consignment id, fixed when the row is written and sent with every
-- attempt, so that hubs and receivers recognise a retry.
CREATE TABLE consignments (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    document_id TEXT,
    inbox_id TEXT,
    peer_code TEXT NOT NULL,
    peer_name TEXT NOT NULL,
    status_code TEXT,
    description TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    claimed_until_ms BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    delivered_at_ms BIGINT
);
CREATE INDEX consignments_due ON consignments (state, next_attempt_ms);
CREATE INDEX consignments_document ON consignments (agency_id, document_id);
CREATE INDEX consignments_log ON consignments (agency_id, created_at_ms);

-- Document packets received for an agency of this node. One row per consignment, and one per
-- (recipient, sender, edXML document id): a duplicated or re-sent packet is one document.
CREATE TABLE exchange_inbox (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    consignment_id TEXT NOT NULL UNIQUE,
    sender_code TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    edxml_document_id TEXT NOT NULL,
    notation TEXT NOT NULL,
    subject TEXT NOT NULL,
    promulgation_date TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    packet_sha256 TEXT NOT NULL,
    packet_valid BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    document_id TEXT REFERENCES documents(id),
    received_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (agency_id, sender_code, edxml_document_id)
);
CREATE INDEX exchange_inbox_list ON exchange_inbox (agency_id, received_at_ms);

-- Status packets received for a document this node sent, per recipient: the timeline on the
-- sender's document page. `verified` is the packet signature by the recipient agency and the
-- binding to the SHA-256 of the document sent; an unverified status changes nothing else.
CREATE TABLE exchange_statuses (
    consignment_id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    recipient_code TEXT NOT NULL,
    status_code TEXT NOT NULL,
    description TEXT NOT NULL,
    status_time TEXT NOT NULL,
    verified BIGINT NOT NULL,
    reason TEXT NOT NULL,
    packet_sha256 TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL
);
CREATE INDEX exchange_statuses_document ON exchange_statuses (agency_id, document_id, received_at_ms);

-- A hub's durable queue (`signet hub`): a packet per consignment, forwarded to the next hop
-- of its recipient. The packet itself is in the hub's blob store (fsynced before the row).
CREATE TABLE hub_queue (
    consignment_id TEXT PRIMARY KEY,
    recipient_code TEXT NOT NULL,
    sender_code TEXT NOT NULL,
    packet_sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    claimed_until_ms BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    received_at_ms BIGINT NOT NULL,
    forwarded_at_ms BIGINT
);
CREATE INDEX hub_queue_due ON hub_queue (state, next_attempt_ms);
