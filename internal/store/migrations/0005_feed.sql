-- A clinician's calendar-feed address is derived from the server key and
-- this per-clinician nonce, so the staff area can show the address again
-- while only its hash (feed_token_hash) is stored for the lookup. Replacing
-- the nonce replaces the address; the old one stops working.
ALTER TABLE clinicians ADD COLUMN feed_nonce TEXT NOT NULL DEFAULT '';
CREATE INDEX clinicians_feed_token ON clinicians (feed_token_hash) WHERE feed_token_hash <> '';
