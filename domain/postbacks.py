"""The data carried by the bot's buttons: `action=type&code=DETENTION`. Stdlib only, so
workflows can read it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

# "team": a team member's button on a hand-off alert (code ACCEPT) or on an approval request (code
# APPROVE_ and what it approves); "skip_phone": a reporter's
# "no number" at the phone step; "repeat": a new report the same as the reporter's case `case`.
ACTIONS = frozenset({"report", "type", "confirm_location", "cancel", "officer", "consent", "team", "skip_phone",
                     "repeat"})

# A supervisor's approve button: this, then what it approves (domain.handoff.ApprovalSubject).
APPROVE_TAP = "APPROVE_"


@dataclass(frozen=True)
class Postback:
    action: str
    code: str | None = None  # an incident type, an officer's action on a case, a team member's on a hand-off
    case_no: str | None = None
    handoff_id: str | None = None  # the hand-off a consent answer or a team member's tap is about

    def encode(self) -> str:
        fields = {"action": self.action}
        if self.code:
            fields["code"] = self.code
        if self.case_no:
            fields["case"] = self.case_no
        if self.handoff_id:
            fields["handoff"] = self.handoff_id
        return urlencode(fields)

    @classmethod
    def decode(cls, data: str | None) -> Postback | None:
        """None for data the bot did not make (LINE caps it at 300 characters anyway)."""
        if not data or len(data) > 300:
            return None
        fields = parse_qs(data)
        action = fields.get("action", [None])[0]
        if action not in ACTIONS:
            return None
        return cls(action=action, code=fields.get("code", [None])[0], case_no=fields.get("case", [None])[0],
                   handoff_id=fields.get("handoff", [None])[0])
