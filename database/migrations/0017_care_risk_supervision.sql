-- Care as case management: the risk assessment's questions (kept by administrators), each care's
-- current risk level, the risk review as a step of the care plan, and what waits for a supervisor.

-- The questions the case worker answers yes / no / unknown; a yes calls for at least `raises_to`.
-- Retired questions stay (assessments already made name them) but are no longer asked.
CREATE TABLE risk_questions (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
    position    integer NOT NULL DEFAULT 0,
    text_th     text NOT NULL CHECK (length(text_th) BETWEEN 1 AND 300),
    text_en     text NOT NULL CHECK (length(text_en) BETWEEN 1 AND 300),
    raises_to   text NOT NULL CHECK (raises_to IN ('LOW', 'MEDIUM', 'HIGH')),
    active      boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER risk_questions_updated_at BEFORE UPDATE ON risk_questions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A starting set, after the questions of common domestic-violence and child-protection screenings.
INSERT INTO risk_questions (code, position, text_th, text_en, raises_to) VALUES
    ('THREAT_TO_KILL', 10, 'ผู้กระทำเคยขู่จะฆ่าหรือทำร้ายร้ายแรงหรือไม่',
     'Has the person who harms threatened to kill or seriously hurt them?', 'HIGH'),
    ('WEAPON', 20, 'ผู้กระทำมีหรือเคยใช้อาวุธหรือไม่', 'Does the person who harms have or use a weapon?', 'HIGH'),
    ('STRANGLED', 30, 'เคยถูกบีบคอหรือทำให้หายใจไม่ออกหรือไม่', 'Have they ever been strangled or choked?', 'HIGH'),
    ('CHILD_AT_RISK', 40, 'มีเด็กในครัวเรือนที่ตกอยู่ในอันตรายหรือไม่', 'Is a child in the household in danger?', 'HIGH'),
    ('SELF_HARM', 50, 'ผู้ได้รับความช่วยเหลือมีความคิดทำร้ายตนเองหรือไม่',
     'Does the person helped think of harming themselves?', 'HIGH'),
    ('GETTING_WORSE', 60, 'ความรุนแรงเกิดบ่อยขึ้นหรือรุนแรงขึ้นหรือไม่', 'Is the violence more frequent or worse?',
     'MEDIUM'),
    ('LIVES_WITH_HARMER', 70, 'ยังอาศัยอยู่กับผู้กระทำหรือไม่', 'Do they still live with the person who harms?',
     'MEDIUM'),
    ('AFRAID', 80, 'ผู้ได้รับความช่วยเหลือกลัวว่าจะถูกทำร้ายอีกหรือไม่', 'Are they afraid of being hurt again?',
     'MEDIUM');

-- The latest assessment's level; the police case page shows it (never the answers).
ALTER TABLE handoffs
    ADD COLUMN risk_level text CHECK (risk_level IN ('LOW', 'MEDIUM', 'HIGH')),
    ADD COLUMN risk_assessed_at timestamptz;

-- The risk review is a step of the care plan, planned by the hand-off itself.
ALTER TABLE follow_ups DROP CONSTRAINT follow_ups_kind_check;
ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_kind_check
    CHECK (kind IN ('HOME_VISIT', 'CALL', 'SHELTER_PLACEMENT', 'REFERRAL', 'RISK_REVIEW'));

-- What waited, or waits, for a supervisor: one row per request, answered once.
CREATE TABLE care_approvals (
    event_key     text PRIMARY KEY, -- the request's timeline entry
    handoff_id    text NOT NULL REFERENCES handoffs (handoff_id) ON DELETE CASCADE,
    subject       text NOT NULL CHECK (subject IN ('CLOSURE', 'HIGH_RISK_PLAN')),
    requested_by  integer REFERENCES team_members (id),
    requested_at  timestamptz NOT NULL,
    answer        text CHECK (answer IN ('APPROVED', 'SENT_BACK')),
    answered_by   integer REFERENCES team_members (id),
    answered_at   timestamptz,
    reason        text
);
CREATE INDEX care_approvals_waiting ON care_approvals (handoff_id) WHERE answer IS NULL;
