-- Administration that can administer (issue 13 §6): a person's phone number; a password set
-- by an administrator that its holder must change at the next sign-in; units nested in
-- units (a division under a department); and where a session was opened from, so an
-- administrator can tell a person's sessions apart before ending one.
ALTER TABLE people ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN parent_id TEXT REFERENCES units(id);
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_by_person ON sessions (person_id);
