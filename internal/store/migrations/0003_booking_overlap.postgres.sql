-- No clinician has two active bookings whose [start_at, block_end) ranges
-- overlap, enforced by an exclusion constraint under any concurrency.
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
    EXCLUDE USING gist (clinician_id WITH =, tstzrange(start_at, block_end, '[)') WITH &&)
    WHERE (status = 'active');
