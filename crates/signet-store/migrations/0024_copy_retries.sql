-- A copy whose seal failed (the TSA or OCSP unreachable) is sealed again by the server, not
-- only by a clerk, and a copy left 'sealing' by a node that died is taken up again (issue 13
-- §7): how many times sealing was tried, and when the server tries next (NULL: not by itself
-- — the copy is sealed, or the last automatic attempt failed and a clerk decides).
ALTER TABLE document_copies ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1;
ALTER TABLE document_copies ADD COLUMN retry_at_ms BIGINT;
CREATE INDEX document_copies_retry ON document_copies (retry_at_ms);
