-- Firststep schema. Placeholders: {{pk}} an auto-increment primary key,
-- {{time}} a timestamp (always written in UTC by the application).

CREATE TABLE practice_settings (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    video_link  TEXT NOT NULL DEFAULT '',
    crisis_text TEXT NOT NULL DEFAULT '',
    sender_name TEXT NOT NULL DEFAULT '',
    updated_at  {{time}} NOT NULL
);

CREATE TABLE clinicians (
    id                {{pk}},
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    timezone          TEXT NOT NULL,
    offers_individual BOOLEAN NOT NULL DEFAULT FALSE,
    offers_couple     BOOLEAN NOT NULL DEFAULT FALSE,
    video_link        TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    feed_token_hash   TEXT NOT NULL DEFAULT '',
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    created_at        {{time}} NOT NULL,
    updated_at        {{time}} NOT NULL
);

-- The availability rules of a clinician, read and written as one document
-- (the JSON body of PUT /api/v1/clinicians/{id}/availability).
CREATE TABLE availabilities (
    clinician_id BIGINT PRIMARY KEY REFERENCES clinicians(id) ON DELETE CASCADE,
    rules        TEXT NOT NULL,
    updated_at   {{time}} NOT NULL
);

CREATE TABLE staff_accounts (
    id                   {{pk}},
    email                TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'frontdesk')),
    clinician_id         BIGINT REFERENCES clinicians(id),
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           {{time}} NOT NULL,
    updated_at           {{time}} NOT NULL
);

CREATE TABLE api_tokens (
    id           {{pk}},
    account_id   BIGINT NOT NULL REFERENCES staff_accounts(id),
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL DEFAULT '',
    created_at   {{time}} NOT NULL,
    last_used_at {{time}},
    revoked_at   {{time}}
);

CREATE TABLE sessions (
    id           {{pk}},
    token_hash   TEXT NOT NULL UNIQUE,
    account_id   BIGINT NOT NULL REFERENCES staff_accounts(id),
    ip           TEXT NOT NULL DEFAULT '',
    created_at   {{time}} NOT NULL,
    last_seen_at {{time}} NOT NULL,
    expires_at   {{time}} NOT NULL,
    ended_at     {{time}}
);

CREATE TABLE intakes (
    id                    {{pk}},
    token_hash            TEXT NOT NULL UNIQUE,
    kind                  TEXT NOT NULL CHECK (kind IN ('individual', 'couple')),
    name                  TEXT NOT NULL,
    email                 TEXT NOT NULL,
    phone                 TEXT NOT NULL DEFAULT '',
    pronouns              TEXT NOT NULL DEFAULT '',
    contact_preference    TEXT NOT NULL DEFAULT 'email',
    voicemail_ok          BOOLEAN NOT NULL DEFAULT FALSE,
    partner_name          TEXT NOT NULL DEFAULT '',
    partner_email         TEXT NOT NULL DEFAULT '',
    partner_pronouns      TEXT NOT NULL DEFAULT '',
    partner_aware         TEXT NOT NULL DEFAULT '',
    partner_token_hash    TEXT,
    concerns              TEXT NOT NULL DEFAULT '',
    concerns_other        TEXT NOT NULL DEFAULT '',
    message               TEXT NOT NULL DEFAULT '',
    approaches            TEXT NOT NULL DEFAULT '',
    session_format        TEXT NOT NULL DEFAULT '',
    referral_source       TEXT NOT NULL DEFAULT '',
    time_zone             TEXT NOT NULL DEFAULT '',
    safety_concern        BOOLEAN NOT NULL DEFAULT FALSE,
    urgent                BOOLEAN NOT NULL DEFAULT FALSE,
    consent               BOOLEAN NOT NULL DEFAULT FALSE,
    status                TEXT NOT NULL DEFAULT 'new',
    assigned_clinician_id BIGINT REFERENCES clinicians(id),
    created_at            {{time}} NOT NULL,
    updated_at            {{time}} NOT NULL
);
CREATE INDEX intakes_queue ON intakes (status, urgent, created_at);

CREATE TABLE intake_notes (
    id         {{pk}},
    intake_id  BIGINT NOT NULL REFERENCES intakes(id),
    author_id  BIGINT NOT NULL REFERENCES staff_accounts(id),
    body       TEXT NOT NULL,
    created_at {{time}} NOT NULL
);
CREATE INDEX intake_notes_intake ON intake_notes (intake_id, created_at);

-- block_end is end_at plus the clinician's buffer at the time of booking:
-- two active bookings of one clinician may not have overlapping
-- [start_at, block_end) ranges (enforced by 0003).
CREATE TABLE bookings (
    id              {{pk}},
    intake_id       BIGINT NOT NULL REFERENCES intakes(id),
    clinician_id    BIGINT NOT NULL REFERENCES clinicians(id),
    start_at        {{time}} NOT NULL,
    end_at          {{time}} NOT NULL,
    block_end       {{time}} NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    uid             TEXT NOT NULL UNIQUE,
    sequence        INTEGER NOT NULL DEFAULT 0,
    client_timezone TEXT NOT NULL DEFAULT '',
    created_at      {{time}} NOT NULL,
    updated_at      {{time}} NOT NULL,
    cancelled_at    {{time}},
    CHECK (start_at < end_at AND end_at <= block_end)
);
CREATE INDEX bookings_clinician_start ON bookings (clinician_id, start_at);
CREATE INDEX bookings_intake ON bookings (intake_id);

-- One manage link per client (both partners of a couple get their own).
CREATE TABLE booking_links (
    id         {{pk}},
    booking_id BIGINT NOT NULL REFERENCES bookings(id),
    token_hash TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    created_at {{time}} NOT NULL
);

CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   {{time}} NOT NULL
);

-- The transactional outbox: a row per email, written in the same transaction
-- as the change that causes it, delivered at least once by the worker.
CREATE TABLE outbox_messages (
    id              {{pk}},
    message_id      TEXT NOT NULL UNIQUE,
    sender          TEXT NOT NULL,
    recipients      TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    raw             TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{time}} NOT NULL,
    locked_until    {{time}},
    last_error      TEXT NOT NULL DEFAULT '',
    booking_id      BIGINT REFERENCES bookings(id),
    intake_id       BIGINT REFERENCES intakes(id),
    created_at      {{time}} NOT NULL,
    updated_at      {{time}} NOT NULL,
    sent_at         {{time}}
);
CREATE INDEX outbox_due ON outbox_messages (status, next_attempt_at);

-- Append-only (enforced by 0002): who did what to which record, from where.
-- Never holds intake content.
CREATE TABLE audit_log (
    id          {{pk}},
    at          {{time}} NOT NULL,
    actor_id    BIGINT,
    actor_email TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL DEFAULT '',
    record_id   TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
