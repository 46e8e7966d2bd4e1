-- "My drafts" (Việc của tôi, issue 13 §1) lists a person's own documents in a state: found by
-- author, not by walking every document of the agency (a leader or clerk with no draft among
-- a million documents read them all: 250 ms per page, measured at 1M documents).
CREATE INDEX documents_by_author ON documents (created_by, direction, state, created_at_ms);
