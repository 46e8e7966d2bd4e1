-- Processing incoming documents (issue 10 §1) and the oversight counters (§5).

-- Days off besides weekends (ngày nghỉ lễ, Tết), edited by the administrator. Deadlines
-- count working days: Monday to Friday that are not in this table.
CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO holidays (day, name) VALUES
    ('2026-01-01', 'Tết Dương lịch'),
    ('2026-02-16', 'Tết Nguyên đán'),
    ('2026-02-17', 'Tết Nguyên đán'),
    ('2026-02-18', 'Tết Nguyên đán'),
    ('2026-02-19', 'Tết Nguyên đán'),
    ('2026-02-20', 'Tết Nguyên đán'),
    ('2026-04-27', 'Giỗ Tổ Hùng Vương (nghỉ bù)'),
    ('2026-04-30', 'Ngày Giải phóng miền Nam'),
    ('2026-05-01', 'Ngày Quốc tế Lao động'),
    ('2026-09-01', 'Quốc khánh'),
    ('2026-09-02', 'Quốc khánh'),
    ('2027-01-01', 'Tết Dương lịch'),
    ('2027-02-04', 'Tết Nguyên đán'),
    ('2027-02-05', 'Tết Nguyên đán'),
    ('2027-02-08', 'Tết Nguyên đán'),
    ('2027-02-09', 'Tết Nguyên đán'),
    ('2027-02-10', 'Tết Nguyên đán'),
    ('2027-04-16', 'Giỗ Tổ Hùng Vương'),
    ('2027-04-30', 'Ngày Giải phóng miền Nam'),
    ('2027-05-03', 'Ngày Quốc tế Lao động (nghỉ bù)'),
    ('2027-09-02', 'Quốc khánh'),
    ('2027-09-03', 'Quốc khánh');

-- One row per incoming document once the leader has directed it: the direction (ý kiến chỉ
-- đạo), the deadline, and how it ended. arrival_month (YYYY-MM of arrived_on) is the month
-- whose counters the document belongs to.
CREATE TABLE incoming_processing (
    document_id TEXT PRIMARY KEY REFERENCES documents(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    instruction TEXT NOT NULL,
    deadline TEXT NOT NULL,
    assigned_by TEXT NOT NULL REFERENCES people(id),
    assigned_at_ms BIGINT NOT NULL,
    outcome TEXT,
    reply_document_id TEXT REFERENCES documents(id),
    done_on TEXT,
    done_at_ms BIGINT
);

-- Who handles a directed document: the lead (chủ trì), co-handlers (phối hợp) and those who
-- only need to know (để biết). holder is the person's id, or the unit's while a unit holds
-- it; open rows of lead and co-handlers are the work queue, read in deadline order straight
-- from assignments_queue (overdue ones have the earliest deadlines, so they come first).
CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    role TEXT NOT NULL,
    holder TEXT NOT NULL,
    holder_kind TEXT NOT NULL,
    deadline TEXT NOT NULL,
    is_open BIGINT NOT NULL,
    assigned_by TEXT NOT NULL REFERENCES people(id),
    assigned_at_ms BIGINT NOT NULL
);
CREATE INDEX assignments_queue ON assignments (holder, is_open, deadline, id);
CREATE INDEX assignments_document ON assignments (document_id);

CREATE TABLE processing_notes (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    author_id TEXT NOT NULL REFERENCES people(id),
    body TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX processing_notes_document ON processing_notes (document_id, at_ms);

-- The verification verdicts of issued files (table of 0004, written when the seal is put on)
-- are counted in the month the document was issued; the recount reads them back by month.
ALTER TABLE signature_verdicts ADD COLUMN month TEXT NOT NULL DEFAULT '';

-- Oversight counters per agency and month (YYYY-MM), changed in the transaction of the event
-- that changes them (see signet-store statistics.rs for what each counts).
CREATE TABLE unit_month_stats (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    month TEXT NOT NULL,
    issued BIGINT NOT NULL,
    leader_signed_valid BIGINT NOT NULL,
    sealed_valid BIGINT NOT NULL,
    incoming BIGINT NOT NULL,
    done_on_time BIGINT NOT NULL,
    overdue BIGINT NOT NULL,
    in_progress BIGINT NOT NULL,
    PRIMARY KEY (agency_id, month)
);
-- Covering: the statistics sum a range of months straight from the index, no row lookups.
CREATE INDEX unit_month_stats_month ON unit_month_stats (month, agency_id, issued,
    leader_signed_valid, sealed_valid, incoming, done_on_time, overdue, in_progress);
-- The same, agency first: a subtree's agencies are read by their own ranges.
CREATE INDEX unit_month_stats_agency ON unit_month_stats (agency_id, month, issued,
    leader_signed_valid, sealed_valid, incoming, done_on_time, overdue, in_progress);

-- Requests to move a deadline (gia hạn), with the reason; the leader who assigned the
-- document approves or refuses. state: pending, approved, refused.
CREATE TABLE deadline_extensions (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    requested_by TEXT NOT NULL REFERENCES people(id),
    deadline TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT REFERENCES people(id),
    at_ms BIGINT NOT NULL,
    decided_at_ms BIGINT
);
CREATE INDEX deadline_extensions_document ON deadline_extensions (document_id, at_ms);
