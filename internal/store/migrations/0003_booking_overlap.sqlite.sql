-- No clinician has two active bookings whose [start_at, block_end) ranges
-- overlap. Write transactions are serialized (BEGIN IMMEDIATE), so the check
-- inside the trigger cannot race.
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status = 'active'
BEGIN
    SELECT RAISE(ABORT, 'booking_overlap')
    WHERE EXISTS (
        SELECT 1 FROM bookings
        WHERE clinician_id = NEW.clinician_id AND status = 'active'
          AND start_at < NEW.block_end AND block_end > NEW.start_at
    );
END;

CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF start_at, block_end, status, clinician_id ON bookings
WHEN NEW.status = 'active'
BEGIN
    SELECT RAISE(ABORT, 'booking_overlap')
    WHERE EXISTS (
        SELECT 1 FROM bookings
        WHERE clinician_id = NEW.clinician_id AND status = 'active' AND id <> NEW.id
          AND start_at < NEW.block_end AND block_end > NEW.start_at
    );
END;
