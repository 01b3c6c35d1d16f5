"""Search attributes operators filter on in the Temporal UI. Never personal data here:
their values are stored unencrypted."""

from temporalio.common import SearchAttributeKey

CASE_NO = SearchAttributeKey.for_keyword("EssCaseNo")
STATUS = SearchAttributeKey.for_keyword("EssStatus")
INCIDENT_TYPE = SearchAttributeKey.for_keyword("EssIncidentType")
PROVINCE = SearchAttributeKey.for_keyword("EssProvince")
ESCALATION_LEVEL = SearchAttributeKey.for_int("EssEscalationLevel")
# A hand-off's own status (AWAITING, IN_CARE, REJECTED, CLOSED); it shares the others with its case.
HANDOFF_STATUS = SearchAttributeKey.for_keyword("EssHandoffStatus")

ALL = (CASE_NO, STATUS, INCIDENT_TYPE, PROVINCE, ESCALATION_LEVEL, HANDOFF_STATUS)


def as_cli_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL:
        type_name = key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_").title()
        flags += ["--search-attribute", f"{key.name}={type_name}"]
    return flags
