-- The practice's time-driven policy: when reminders go out before a
-- consultation (Go durations, JSON list, longest first), how long before
-- one a client may no longer change it themselves, how long a waitlist
-- offer holds a time, and how long requests are kept (NULL: forever).
ALTER TABLE practice_settings ADD COLUMN reminder_leads TEXT NOT NULL DEFAULT '["24h","2h"]';
ALTER TABLE practice_settings ADD COLUMN change_cutoff_hours INTEGER NOT NULL DEFAULT 24;
ALTER TABLE practice_settings ADD COLUMN waitlist_hold_minutes INTEGER NOT NULL DEFAULT 60;
ALTER TABLE practice_settings ADD COLUMN retention_days INTEGER;
