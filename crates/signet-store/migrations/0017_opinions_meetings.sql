-- The rest of processing an incoming document (issue 10 §1) and paperless meetings (§4).

-- A handler asks a leader for an opinion (xin ý kiến lãnh đạo); the leader answers on the
-- document. is_open rows are the leader's queue, read by opinion_requests_leader.
CREATE TABLE opinion_requests (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    asked_by TEXT NOT NULL REFERENCES people(id),
    leader_id TEXT NOT NULL REFERENCES people(id),
    question TEXT NOT NULL,
    answer TEXT,
    is_open BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    answered_at_ms BIGINT
);
CREATE INDEX opinion_requests_document ON opinion_requests (document_id, at_ms);
CREATE INDEX opinion_requests_leader ON opinion_requests (leader_id, is_open, at_ms);

-- Files attached to a processing note, kept in the blob store like a document's files.
CREATE TABLE note_files (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    note_id TEXT NOT NULL REFERENCES processing_notes(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX note_files_document ON note_files (document_id, created_at_ms);

-- An outgoing draft written to answer an incoming document (văn bản trả lời), linked both
-- ways: the incoming page lists its replies, the reply names what it answers.
CREATE TABLE document_replies (
    reply_id TEXT PRIMARY KEY REFERENCES documents(id),
    incoming_id TEXT NOT NULL REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX document_replies_incoming ON document_replies (incoming_id, created_at_ms);

-- A meeting: its invitation (giấy mời) is an outgoing document; times are Unix ms.
CREATE TABLE meetings (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    starts_at_ms BIGINT NOT NULL,
    ends_at_ms BIGINT NOT NULL,
    place TEXT NOT NULL,
    chair_id TEXT REFERENCES people(id),
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX meetings_agency_time ON meetings (agency_id, starts_at_ms);

-- Who is invited: a person, or a unit (answered by its head). answer is NULL until the
-- invitation is answered, then 'yes' or 'no' (with the reason).
CREATE TABLE meeting_participants (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    holder TEXT NOT NULL,
    holder_kind TEXT NOT NULL,
    answer TEXT,
    reason TEXT NOT NULL,
    answered_by TEXT REFERENCES people(id),
    answered_at_ms BIGINT
);
CREATE INDEX meeting_participants_document ON meeting_participants (document_id, id);
CREATE INDEX meeting_participants_holder ON meeting_participants (holder, document_id);

-- The meeting's materials (tài liệu họp): shown to its participants only, so they are not
-- the invitation's own files (which every reader of the document sees and the exchange
-- sends).
CREATE TABLE meeting_materials (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX meeting_materials_document ON meeting_materials (document_id, created_at_ms);
