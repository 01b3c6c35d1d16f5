"""The conversation after the report is live both ways: what the reporter sends on an open case
reaches the officers who hold it on LINE at once, with sound (the one who acknowledged, or while
nobody has, everyone the ladder has alerted so far), and an officer's typed answer reaches the
reporter, silently."""

from __future__ import annotations

from domain.models import CaseStatus, OfficerRole
from tests.conversation import text_of
from tests.officers import fresh_district, linked_officer, station_for
from tests.scene import Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow

KNIFE = "เขายังอยู่หน้าบ้าน มีมีดด้วย"


async def test_before_anyone_acknowledges_the_reporters_words_reach_every_officer_alerted_so_far(
        live_scene: Scene) -> None:
    case_no, _ = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    await inspector.hears()  # the alert
    await live_scene.reporter.says(KNIFE)
    [relayed] = await inspector.hears()
    assert case_no in text_of(relayed) and KNIFE in text_of(relayed)
    assert not inspector.last_entries[0].notification_disabled  # heard, with sound
    assert relayed["quickReply"]["items"][0]["action"]["label"] == "ตอบกลับผู้แจ้ง"
    # The superintendent's rung has not come yet: not theirs to hear.
    await live_scene.officer_hears(live_scene.superintendent_line).hears_nothing(within=0.5)
    await inspector.hears_nothing(within=0.5)  # once


async def test_after_acknowledging_the_officer_alone_hears_words_photos_and_places_and_answers_by_typing(
        live_scene: Scene) -> None:
    case_no, handle = await live_scene.open_case()
    inspector = live_scene.officer_hears(live_scene.station_line)
    await inspector.hears()
    await inspector.taps("รับทราบ")
    await inspector.hears()  # done
    await live_scene.reporter.hears()  # an officer has taken the case
    assert await handle.query(CaseWorkflow.status) == CaseStatus.ACKNOWLEDGED

    await live_scene.reporter.says(KNIFE)
    [words] = await inspector.hears()
    assert KNIFE in text_of(words)
    await live_scene.reporter.hears()  # received
    await live_scene.reporter.sends_photo(b"\xff\xd8\xff the front door")
    photo, said = await inspector.hears(count=2)
    assert photo["type"] == "image" and "/line/attachments/" in photo["originalContentUrl"]
    assert case_no in text_of(said) and "รูปภาพ" in text_of(said)
    await live_scene.reporter.hears()  # received
    await live_scene.reporter.pins(13.7221, 100.5600, address="ซอยสุขุมวิท 22")
    place, said = await inspector.hears(count=2)
    await live_scene.reporter.hears()  # received
    assert (place["type"], place["latitude"], place["longitude"]) == ("location", 13.7221, 100.56)
    await live_scene.officer_hears(live_scene.centre_line).hears_nothing(within=0.3)  # not theirs now

    await inspector.taps("ตอบกลับผู้แจ้ง", in_message=words)  # opens the keyboard; nothing to say yet
    await inspector.hears_nothing(within=0.5)
    await inspector.says(f"ตอบ {case_no}: ตำรวจกำลังไป อยู่ในห้องที่ล็อกได้")
    [answer] = await live_scene.reporter.hears()
    assert "ตำรวจกำลังไป อยู่ในห้องที่ล็อกได้" in text_of(answer)
    assert live_scene.reporter.last_entries[0].notification_disabled  # the reporter's phone stays silent
    [done] = await inspector.hears()
    assert case_no in text_of(done)
    kinds = await eventually(lambda: live_scene.pool.fetch(
        "select kind from case_events where case_no = $1 and kind = 'OFFICER_MESSAGE_REPORTER'", case_no))
    assert len(kinds) == 1


async def test_only_an_officer_within_the_area_can_answer_a_reporter(live_scene: Scene) -> None:
    case_no, _ = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()
    commander = live_scene.officer_hears(live_scene.commander_line)  # the province's own: may
    await commander.says(f"ตอบ {case_no}: กำลังไป")
    [answer] = await live_scene.reporter.hears()
    assert "กำลังไป" in text_of(answer)

    elsewhere = await fresh_district(live_scene.pool)
    _, outsider_line = await linked_officer(live_scene.pool, live_scene.platform, OfficerRole.INSPECTOR,
                                            station_id=await station_for(live_scene.pool, elsewhere["code"]))
    outsider = live_scene.officer_hears(outsider_line)
    await outsider.says(f"ตอบ {case_no}: ส่งที่อยู่มาให้หน่อย")
    [refused] = await outsider.hears()
    assert "นอกพื้นที่" in text_of(refused)
    stranger = live_scene.new_citizen()
    await stranger.says(f"ตอบ {case_no}: ส่งที่อยู่มาให้หน่อย")
    [refused] = await stranger.hears()
    assert "ลงทะเบียน" in text_of(refused)
    await live_scene.reporter.hears_nothing(within=0.5)
