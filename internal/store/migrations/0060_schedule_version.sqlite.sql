-- One counter that every change to what a slot listing reads (clinicians,
-- their availability, bookings) raises in the same transaction. A listing
-- reads it first and reuses what it loaded while it is unchanged; a change
-- made through any instance or process is seen by the next listing.
CREATE TABLE schedule_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO schedule_version (id, version) VALUES (1, 0);

CREATE TRIGGER schedule_version_bookings_insert AFTER INSERT ON bookings
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_version_bookings_update AFTER UPDATE ON bookings
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_version_bookings_delete AFTER DELETE ON bookings
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER schedule_version_availabilities_insert AFTER INSERT ON availabilities
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_version_availabilities_update AFTER UPDATE ON availabilities
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_version_availabilities_delete AFTER DELETE ON availabilities
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER schedule_version_clinicians_insert AFTER INSERT ON clinicians
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_version_clinicians_update AFTER UPDATE ON clinicians
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER schedule_version_clinicians_delete AFTER DELETE ON clinicians
BEGIN UPDATE schedule_version SET version = version + 1 WHERE id = 1; END;
