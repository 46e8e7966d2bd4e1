-- The word index of documents: every folded word of the subject, the notation and the
-- issuing agency (signet_core::text::terms), so a search seeks words instead of scanning
-- text. created_at_ms is copied in so one word's documents are read newest first, straight
-- from the primary key, and paging by (created_at_ms, id) works as it does for the lists.
-- Filled for existing documents by the migration runner (it needs Rust's folding).

CREATE TABLE document_terms (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    term TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id),
    PRIMARY KEY (agency_id, term, created_at_ms, document_id)
);
