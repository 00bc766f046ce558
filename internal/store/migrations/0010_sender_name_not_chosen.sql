-- "Firststep Practice" was the placeholder sender name of unsaved settings,
-- and the admin settings form offered it pre-filled, so saving any setting
-- also saved it as the sender name, hiding the operator's FIRSTSTEP_MAIL_FROM
-- name on every email. An empty sender name now means "not chosen"; a stored
-- placeholder was never a choice, so it goes back to empty.
UPDATE practice_settings SET sender_name = '' WHERE sender_name = 'Firststep Practice';
