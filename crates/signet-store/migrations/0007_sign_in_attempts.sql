-- Sign-in attempts per key (an account, a client address) in a fixed window that starts at
-- the first attempt. Kept in the database, not in a node's memory, so that several nodes
-- share one count and parallel attempts are counted atomically (one upsert each).
CREATE TABLE sign_in_attempts (
    attempt_key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    window_start_ms BIGINT NOT NULL
);
-- Pruning stale windows.
CREATE INDEX sign_in_attempts_window ON sign_in_attempts (window_start_ms);
