-- Where a consultation happens follows what the client asked for (the
-- intake's session_format: video, in_person or either). The booking keeps
-- the format it was booked with, so its invitations, manage page and the
-- clinician's feed all say the same place.
ALTER TABLE bookings ADD COLUMN session_format TEXT NOT NULL DEFAULT '';
UPDATE bookings SET session_format = COALESCE((SELECT i.session_format FROM intakes i WHERE i.id = bookings.intake_id), '');
