"""A reporter's case in the hands of the province's multidisciplinary team: where what they write
after the team accepted goes. Plain data, like domain.models."""

from __future__ import annotations

from pydantic import BaseModel


class HandedOverCase(BaseModel):
    """A reporter's latest case, accepted by the province's team (the police part is over): where
    their later messages go. `consent` is the hand-off's (domain.handoff.Consent's value)."""

    case_no: str
    handoff_id: str
    consent: str
