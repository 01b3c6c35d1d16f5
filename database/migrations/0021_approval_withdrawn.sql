-- A high-risk plan's approval is withdrawn when a review finds the risk no longer high.
ALTER TABLE care_approvals DROP CONSTRAINT care_approvals_answer_check;
ALTER TABLE care_approvals ADD CONSTRAINT care_approvals_answer_check
    CHECK (answer IN ('APPROVED', 'SENT_BACK', 'WITHDRAWN'));
