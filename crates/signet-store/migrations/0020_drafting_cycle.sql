-- The drafting cycle as agencies run it (issue 13 §2): a draft is revised in versions, goes
-- through a route of reviewers level by level (several people on one level review in
-- parallel) to the leader chosen to sign, and every decision is kept with its reason.

-- The draft's version (1 at drafting, +1 at each revision); its files carry the version
-- they were added in, so every earlier version stays readable.
ALTER TABLE documents ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE document_files ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
-- The leader chosen to sign (NULL: any leader of the agency).
ALTER TABLE documents ADD COLUMN signer_id TEXT REFERENCES people(id);
-- Each submission opens a new review round; approvals count within their round only.
ALTER TABLE documents ADD COLUMN review_round BIGINT NOT NULL DEFAULT 0;
-- The level reviewing now (1, 2, …); 0 when no review is pending (the signer's turn).
ALTER TABLE documents ADD COLUMN review_level BIGINT NOT NULL DEFAULT 0;

-- The route of the current round: who reviews at which level.
CREATE TABLE draft_reviewers (
    document_id TEXT NOT NULL REFERENCES documents(id),
    level BIGINT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (document_id, level, person_id)
);
CREATE INDEX draft_reviewers_person ON draft_reviewers (person_id, document_id);

-- Every decision: approved, returned (with its reason), forwarded (to another person, who
-- takes the reviewer's place on the level). Level 0 is the signer's own decision.
CREATE TABLE draft_reviews (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    round BIGINT NOT NULL,
    version BIGINT NOT NULL,
    level BIGINT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    forwarded_to TEXT REFERENCES people(id),
    at_ms BIGINT NOT NULL
);
CREATE INDEX draft_reviews_document ON draft_reviews (document_id, at_ms);

-- A unit's default route: what a draft of the unit takes when its officer chooses none.
CREATE TABLE unit_routes (
    unit_id TEXT NOT NULL REFERENCES units(id),
    level BIGINT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (unit_id, level, person_id)
);
ALTER TABLE units ADD COLUMN default_signer_id TEXT REFERENCES people(id);
