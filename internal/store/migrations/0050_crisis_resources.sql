-- The practice's crisis resources as a list (JSON: label, phone, sms,
-- sms_body, url, note, audience, banner), shown in the banner, the crisis
-- and support pages, emails and error pages. '' until an admin saves the
-- settings: the US defaults apply then, unless the practice wrote its own
-- crisis_text, which alone stays in force (see practice.decodeCrisis).
ALTER TABLE practice_settings ADD COLUMN crisis_resources TEXT NOT NULL DEFAULT '';
