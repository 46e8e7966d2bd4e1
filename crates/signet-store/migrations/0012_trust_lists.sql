-- The administrators' choice of built-in trust lists (issue 11 §3): one row per list they
-- turned on or off; a list without a row follows the configuration ([trust] vn_gov / vn_public).
CREATE TABLE trust_list_settings (
    list_id TEXT PRIMARY KEY,
    enabled BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at_ms BIGINT NOT NULL
);
