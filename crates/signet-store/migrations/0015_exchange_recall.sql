-- Recall, update and replace between agencies (issue 14 §3, statuses 13, 15, 16).

-- The sender's recall of an issued document it sent (once per document): each recipient gets
-- a recall packet (a consignment of kind `recall`) written in the same transaction.
CREATE TABLE exchange_recalls (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    recalled_at_ms BIGINT NOT NULL
);

-- An outgoing document that updates (a corrected version) or replaces one the agency issued
-- and sent; chosen before issue, read when its packets are built.
CREATE TABLE exchange_supersedes (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    original_id TEXT NOT NULL REFERENCES documents(id),
    kind TEXT NOT NULL
);

-- The receiver's side: what a received packet does (`new`, `update`, `replace`), the earlier
-- received packet it supersedes (and that one's number as the sender wrote it), and on the
-- earlier packet what a later one did to it (`updated`, `replaced`) and which one did.
ALTER TABLE exchange_inbox ADD COLUMN business TEXT NOT NULL DEFAULT 'new';
ALTER TABLE exchange_inbox ADD COLUMN original_id TEXT;
ALTER TABLE exchange_inbox ADD COLUMN original_notation TEXT NOT NULL DEFAULT '';
ALTER TABLE exchange_inbox ADD COLUMN superseded TEXT NOT NULL DEFAULT '';
ALTER TABLE exchange_inbox ADD COLUMN superseded_by TEXT;
