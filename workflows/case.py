"""One case, from the moment a report becomes a case until it is closed.

The story so far: the conversation has recorded the case in the case store; the case collects what
the reporter sends afterwards (messages, photos, more locations) onto that timeline. The police
response (routing, alerts, escalation, officer actions) joins this story in the dispatch issue.
The case outlives the conversation that opened it; its search attributes carry no personal data.
"""

from __future__ import annotations

from collections import deque

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.models import AttachmentRequest, CaseEvent, CaseOpening, CaseStatus, ReporterMessage
    from workflows import options

MEDIA_MESSAGES = frozenset({"image", "video", "audio", "file"})
OPEN_STATUSES = frozenset({CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.FORWARDED})


@workflow.defn
class CaseWorkflow:
    @workflow.init
    def __init__(self, opening: CaseOpening) -> None:
        self._opening = opening
        self._status = CaseStatus.NEW
        self._reporter_messages: deque[ReporterMessage] = deque()
        self._seen_event_ids: set[str] = set()

    @workflow.signal
    def reporter_message(self, message: ReporterMessage) -> None:
        if message.event_id in self._seen_event_ids:
            return
        self._seen_event_ids.add(message.event_id)
        self._reporter_messages.append(message)

    @workflow.query
    def status(self) -> CaseStatus:
        return self._status

    @workflow.run
    async def run(self, opening: CaseOpening) -> CaseStatus:
        self._show_details()
        while self._status in OPEN_STATUSES:
            await workflow.wait_condition(
                lambda: bool(self._reporter_messages) or self._status not in OPEN_STATUSES
            )
            while self._reporter_messages:
                await self._attach(self._reporter_messages.popleft())
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._status

    async def _attach(self, message: ReporterMessage) -> None:
        case_no = self._opening.case_no
        key = f"{case_no}:reporter:{message.event_id}"
        details: dict[str, object] = {"message_type": message.message_type}
        if message.message_type in MEDIA_MESSAGES and message.message_id:
            details["attachment_id"] = await workflow.execute_activity(
                "save_attachment",
                AttachmentRequest(
                    key=key, case_no=case_no, message_id=message.message_id, received_at=message.received_at
                ),
                result_type=int,
                **options.STORE,
            )
        if message.text:
            details["text"] = message.text
        if message.location:
            details["location"] = message.location.model_dump()
        await workflow.execute_activity(
            "append_case_event",
            CaseEvent(
                key=key, case_no=case_no, kind="REPORTER_MESSAGE", at=message.received_at, actor="reporter",
                details=details,
            ),
            **options.STORE,
        )

    def _show_details(self) -> None:
        """The case at a glance in the Temporal UI: no personal data."""
        report = self._opening.report
        lines = [
            f"**{self._opening.case_no}** — {self._status.value}",
            f"ประเภท: {report.incident_type.label_th if report.incident_type else 'ไม่ระบุ'}",
            f"จังหวัด: {report.place.province_name_th or 'ไม่ทราบ'} / อำเภอ: {report.place.district_name_th or 'ไม่ทราบ'}",
            "ข้อมูลครบ" if report.complete else "ข้อมูลไม่ครบ (ผู้แจ้งเงียบไปหลังปักหมุด)",
        ]
        workflow.set_current_details("\n\n".join(lines))
