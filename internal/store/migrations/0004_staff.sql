-- Indexes for the staff workspace: a session is looked up by its token on
-- every staff request (unique already) and all of an account's sessions are
-- ended when it is deactivated; a clinician's queue is the intakes assigned
-- to them; admins read the audit log by record and by person.
CREATE INDEX sessions_account ON sessions (account_id) WHERE ended_at IS NULL;
CREATE INDEX intakes_assigned ON intakes (assigned_clinician_id, created_at);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
