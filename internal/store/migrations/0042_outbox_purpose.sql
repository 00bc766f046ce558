-- What an email is, as a stable code its sender chooses ("new.client",
-- "cancel.clinician"), so that staff read "Invitation to the client" in the
-- email log rather than guessing from the subject. Empty for emails queued
-- before this column and for senders that set none (their subject is shown).
ALTER TABLE outbox_messages ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
