-- When the consultation of a request is cancelled, the request goes back to
-- the front desk's work and says so: when, and by whom ('client' through a
-- manage link or the API, 'staff' on the client's behalf). Booking again
-- clears both.
ALTER TABLE intakes ADD COLUMN consult_cancelled_at {{time}};
ALTER TABLE intakes ADD COLUMN consult_cancelled_by TEXT NOT NULL DEFAULT '';
CREATE INDEX intakes_queue_order ON intakes (created_at, id);
