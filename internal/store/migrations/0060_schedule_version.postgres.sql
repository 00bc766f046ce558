-- One counter that every change to what a slot listing reads (clinicians,
-- their availability, bookings) raises in the same transaction. A listing
-- reads it first and reuses what it loaded while it is unchanged; a change
-- made through any instance is seen by the next listing. Writers of these
-- tables hold the counter's row until they commit; bookings of a practice
-- are few enough for that.
CREATE TABLE schedule_version (
    id      SMALLINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO schedule_version (id, version) VALUES (1, 0);

CREATE FUNCTION schedule_version_raise() RETURNS trigger AS $$
BEGIN
    UPDATE schedule_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER schedule_version_bookings AFTER INSERT OR UPDATE OR DELETE ON bookings
    FOR EACH STATEMENT EXECUTE FUNCTION schedule_version_raise();
CREATE TRIGGER schedule_version_availabilities AFTER INSERT OR UPDATE OR DELETE ON availabilities
    FOR EACH STATEMENT EXECUTE FUNCTION schedule_version_raise();
CREATE TRIGGER schedule_version_clinicians AFTER INSERT OR UPDATE OR DELETE ON clinicians
    FOR EACH STATEMENT EXECUTE FUNCTION schedule_version_raise();
