-- The partner of a couple intake may add their own answers through a
-- private link (its hash is intakes.partner_token_hash). One set of answers
-- per intake: sending the form again replaces them. Only staff read them;
-- neither the first partner's pages nor emails ever show them.
CREATE TABLE partner_answers (
    id                 {{pk}},
    intake_id          BIGINT NOT NULL UNIQUE REFERENCES intakes(id),
    name               TEXT NOT NULL,
    pronouns           TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    phone              TEXT NOT NULL DEFAULT '',
    contact_preference TEXT NOT NULL DEFAULT 'email',
    voicemail_ok       BOOLEAN NOT NULL DEFAULT FALSE,
    concerns           TEXT NOT NULL DEFAULT '',
    concerns_other     TEXT NOT NULL DEFAULT '',
    hopes              TEXT NOT NULL DEFAULT '',
    approaches         TEXT NOT NULL DEFAULT '',
    safety_concern     BOOLEAN NOT NULL DEFAULT FALSE,
    consent            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         {{time}} NOT NULL,
    updated_at         {{time}} NOT NULL
);
CREATE UNIQUE INDEX intakes_partner_token ON intakes (partner_token_hash) WHERE partner_token_hash IS NOT NULL;
