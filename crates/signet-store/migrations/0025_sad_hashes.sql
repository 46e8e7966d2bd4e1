-- The hashes a SAD authorizes, one row each (issue 9, signHash under load): signing one hash
-- asks whether the SAD lists it, and a comma-separated list read for that grew with the batch
-- (64 KB read, copied and scanned per call for a SAD of a thousand hashes).
CREATE TABLE remote_sad_hashes (
    token_hash TEXT NOT NULL REFERENCES remote_sads(token_hash),
    hash_hex TEXT NOT NULL,
    PRIMARY KEY (token_hash, hash_hex)
);
-- The lists of the SADs already issued, split (every item is a SHA-256 digest: 64 hex digits
-- and a comma), so a SAD authorized before the upgrade still signs after it.
WITH RECURSIVE split (token_hash, list, k) AS (
    SELECT token_hash, hashes_hex, 0 FROM remote_sads WHERE length(hashes_hex) >= 64
    UNION ALL
    SELECT token_hash, list, k + 1 FROM split WHERE (k + 1) * 65 < length(list)
)
INSERT INTO remote_sad_hashes (token_hash, hash_hex)
SELECT token_hash, substr(list, k * 65 + 1, 64) FROM split;
ALTER TABLE remote_sads DROP COLUMN hashes_hex;
