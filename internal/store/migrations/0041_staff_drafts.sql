-- What a staff member had written in a form (a note on a request) when their
-- session ended before they sent it: kept for a short while, for that
-- account only, so that signing in again brings it back into the form.
-- Only the hash of the browser's draft token is stored. A draft is deleted
-- when it is restored, and once expired.
CREATE TABLE staff_drafts (
    id         {{pk}},
    token_hash TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES staff_accounts(id),
    path       TEXT NOT NULL,
    field      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at {{time}} NOT NULL,
    expires_at {{time}} NOT NULL
);
CREATE INDEX staff_drafts_expires ON staff_drafts (expires_at);
