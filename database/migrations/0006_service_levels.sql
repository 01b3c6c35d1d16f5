-- Service levels: how soon something must happen, as data an administrator edits in Settings.
-- ACKNOWLEDGE: a case should be acknowledged within this many minutes (the dashboard shows how
-- many were). TEAM_ACCEPT: the multidisciplinary team should accept a forwarded case within this
-- many minutes (the hand-off reads it).
CREATE TABLE service_levels (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]*$'),
    minutes    integer NOT NULL CHECK (minutes BETWEEN 1 AND 43200), -- up to 30 days
    label_th   text NOT NULL,
    label_en   text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER service_levels_updated_at BEFORE UPDATE ON service_levels
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO service_levels (code, minutes, label_th, label_en) VALUES
    ('ACKNOWLEDGE', 3, 'รับทราบเหตุภายใน', 'Case acknowledged within'),
    ('TEAM_ACCEPT', 1440, 'ทีมสหวิชาชีพรับเรื่องภายใน', 'Multidisciplinary team accepts within');
