-- A couple's partner who does not know about the request yet
-- (partner_aware = 'not_yet') is not contacted — no email, no invitation,
-- no manage link — until the client, or staff after talking to the client,
-- says they may be. This records when that was said and by whom ('client',
-- or the staff account's email).
ALTER TABLE intakes ADD COLUMN partner_contact_allowed_at {{time}};
ALTER TABLE intakes ADD COLUMN partner_contact_allowed_by TEXT NOT NULL DEFAULT '';
