from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from db import connect, open_db
from db.migrations import MIGRATIONS, migrate
from desktop.core.clock import FakeClock
from desktop.core.reminders import (
    ReminderError,
    ReminderNotFound,
    ReminderStateError,
    ReminderTimeError,
)
from desktop.services.reminders import ReminderService
from tests.helpers.reminder_env import ReminderEnv
from tests.helpers.reminder_rules import RULES


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Env(ReminderEnv):
    def __init__(self, path: Path, clock: FakeClock) -> None:
        super().__init__(path, clock, RULES)

    def actions(self, reminder_id: str) -> list[str]:
        return [row["action"] for row in self.audit.for_entity("reminder", reminder_id)]


@pytest.fixture
def env(data_dir: Path, clock: FakeClock) -> Iterator[Env]:
    e = Env(data_dir / "callassist.sqlite3", clock)
    yield e
    e.close()


# ---- rules at wrap-up -----------------------------------------------------------------


def test_unresolved_complaint_creates_first_response_and_progress(env: Env) -> None:
    call = env.add_call(notes="快递三天未到，客户很生气")
    created = env.service.create_for_wrap_up(call, "complaint", "follow_up")
    assert [(r.kind, r.due_at) for r in created] == [
        ("first_response", utc("2026-03-02T01:15:00")),
        ("progress", utc("2026-03-03T01:00:00")),
    ]
    first = created[0]
    assert (first.phone, first.customer_name, first.call_id, first.case_id) == (
        "13800138000",
        "张三",
        call,
        call,
    )
    assert first.status == "pending" and first.target_at == first.due_at
    assert first.call_notes.startswith("快递三天未到")
    assert env.actions(first.id) == ["reminder.created"]
    detail = json.loads(env.audit.for_entity("reminder", first.id)[0]["detail"])
    assert detail["source"] == "rule" and detail["rule"] == "complaint_first"


def test_resolved_complaint_gets_revisit_after_three_days(env: Env) -> None:
    (revisit,) = env.service.create_for_wrap_up(env.add_call(), "complaint", "resolved")
    assert revisit.kind == "revisit"
    assert revisit.due_at == utc("2026-03-05T01:00:00")


def test_promised_callback_is_kept_as_promised_outside_office_hours(env: Env) -> None:
    promised = utc("2026-03-02T13:00:00")  # 21:00 Shanghai, office closed
    (callback,) = env.service.create_for_wrap_up(
        env.add_call(intent="inquiry"), "inquiry", "follow_up", promised
    )
    assert (callback.kind, callback.due_at) == ("callback", promised)


def test_promised_time_in_the_past_still_makes_a_due_reminder(env: Env) -> None:
    promised = env.clock.now() - timedelta(minutes=10)
    (callback,) = env.service.create_for_wrap_up(env.add_call(), "inquiry", "follow_up", promised)
    assert env.service.fire_due() == [callback.id]


def test_rule_made_reminder_at_1755_moves_to_next_morning(env: Env) -> None:
    env.clock.set("2026-03-02T09:55:00Z")  # Monday 17:55 Shanghai
    first, _ = env.service.create_for_wrap_up(env.add_call(), "complaint", "follow_up")
    assert first.due_at == utc("2026-03-03T01:00:00")


def test_weekend_days_come_from_settings(env: Env) -> None:
    env.settings.update(office_days="1,2,3,4,5")
    env.clock.set("2026-03-06T09:55:00Z")  # Friday 17:55
    first, progress = env.service.create_for_wrap_up(env.add_call(), "complaint", "follow_up")
    monday_0900 = utc("2026-03-09T01:00:00")
    assert first.due_at == monday_0900
    assert progress.due_at == monday_0900  # Saturday 17:55 is closed as well


def test_office_hours_in_a_dst_timezone(env: Env) -> None:
    env.settings.update(timezone="America/New_York", office_days="1,2,3,4,5", office_end="17:00")
    env.clock.set("2026-03-06T22:00:00Z")  # Friday 17:00 EST; DST begins on Sunday
    first, _ = env.service.create_for_wrap_up(env.add_call(), "complaint", "follow_up")
    assert first.due_at == utc("2026-03-09T13:00:00")  # Monday 09:00 EDT


def test_unknown_outcome_and_missing_call_are_refused(env: Env) -> None:
    with pytest.raises(ReminderError, match="处理结果"):
        env.service.create_for_wrap_up(env.add_call(), "complaint", "maybe")
    with pytest.raises(ReminderError, match="找不到该通话"):
        env.service.create_for_wrap_up("no-such-call", "complaint", "follow_up")
    with pytest.raises(ReminderTimeError):
        env.service.create_for_wrap_up(
            env.add_call(), "inquiry", "follow_up", datetime(2026, 3, 3, 10)
        )


def test_wrapping_up_the_same_call_twice_does_not_duplicate(env: Env) -> None:
    call = env.add_call()
    promised = utc("2026-03-02T06:00:00")
    assert len(env.service.create_for_wrap_up(call, "complaint", "follow_up", promised)) == 3
    assert env.service.create_for_wrap_up(call, "complaint", "follow_up", promised) == []
    assert env.db["reminders"].count == 3


# ---- the case: progress repeats until resolved, then the revisit ---------------------------


def test_progress_repeats_every_24h_until_the_case_is_closed(env: Env) -> None:
    call = env.add_call()
    first, progress = env.service.create_for_wrap_up(call, "complaint", "follow_up")
    env.clock.set(progress.due_at)
    assert env.service.fire_due() == [first.id, progress.id]
    env.service.done(progress.id, "已告知客户换货已发出")
    (second,) = [r for r in env.service.list_view().upcoming if r.kind == "progress"]
    assert second.due_at == progress.due_at + timedelta(hours=24)
    assert second.case_id == call and second.rule_key == "complaint_progress"
    assert "reminder.created" in env.actions(second.id)

    env.clock.advance(hours=2)
    (revisit,) = env.service.close_case(call)
    assert revisit.kind == "revisit"
    assert revisit.due_at == env.clock.now() + timedelta(days=3)
    assert env.service.get(second.id).status == "cancelled"
    assert env.service.get(second.id).result == "案件已解决"
    assert env.service.get(first.id).status == "cancelled"
    kinds = [r.kind for r in env.service.list_view().upcoming]
    assert kinds == ["revisit"]
    assert env.service.close_case(call) == []  # closing twice adds no second revisit


def test_calling_back_for_a_reminder_completes_it_at_wrap_up(env: Env) -> None:
    origin = env.add_call()
    first, progress = env.service.create_for_wrap_up(origin, "complaint", "follow_up")
    env.clock.advance(minutes=15)
    assert env.service.fire_due() == [first.id]

    callback = env.add_call(intent="")  # the lead's CallService: start_call(reminder_id=...)
    linked = env.service.link_callback(first.id, callback)
    assert linked.callback_call_id == callback and linked.callback_at == env.clock.now()
    assert env.service.create_for_wrap_up(callback, "", "follow_up") == []  # no duplicates
    done = env.service.get(first.id)
    assert (done.status, done.result) == ("done", "需跟进")
    assert "reminder.call_back" in env.actions(first.id)

    env.clock.set(progress.due_at)
    env.service.fire_due()
    progress_call = env.add_call()
    env.service.link_callback(progress.id, progress_call)
    (revisit,) = env.service.create_for_wrap_up(progress_call, "complaint", "resolved")
    assert revisit.case_id == origin
    assert env.service.get(progress.id).status == "done"
    assert [r.kind for r in env.service.list_view().upcoming] == ["revisit"]  # no next progress


def test_unanswered_callback_leaves_the_reminder_open(env: Env) -> None:
    origin = env.add_call()
    first, _ = env.service.create_for_wrap_up(origin, "complaint", "follow_up")
    callback = env.add_call()
    env.service.link_callback(first.id, callback)
    env.service.create_for_wrap_up(callback, "complaint", "abandoned")
    assert env.service.get(first.id).status == "pending"


def test_a_problem_back_at_the_revisit_starts_a_new_case(env: Env) -> None:
    (revisit,) = env.service.create_for_wrap_up(env.add_call(), "complaint", "resolved")
    again = env.add_call()
    env.service.link_callback(revisit.id, again)
    created = env.service.create_for_wrap_up(again, "complaint", "follow_up")
    assert [r.kind for r in created] == ["first_response", "progress"]
    assert {r.case_id for r in created} == {again}
    assert env.service.get(revisit.id).status == "done"


def test_link_callback_needs_an_open_reminder_and_a_real_call(env: Env) -> None:
    call = env.add_call()
    first, _ = env.service.create_for_wrap_up(call, "complaint", "follow_up")
    with pytest.raises(ReminderError, match="通话记录"):
        env.service.link_callback(first.id, "no-such-call")
    env.service.cancel(first.id, "客户已撤诉")
    with pytest.raises(ReminderStateError):
        env.service.link_callback(first.id, call)


# ---- manual reminders and bad input ----------------------------------------------------


def test_manual_reminder_bound_to_a_call(env: Env) -> None:
    call = env.add_call(phone="13900139000", name="李四")
    due = env.service.quick_pick_due("tomorrow")
    reminder = env.service.create_manual(call, "callback", due, "明早告知退款进度")
    assert (reminder.phone, reminder.customer_name, reminder.due_at) == (
        "13900139000",
        "李四",
        utc("2026-03-03T01:00:00"),
    )
    assert reminder.case_id == call
    assert env.actions(reminder.id) == ["reminder.created"]


def test_manual_reminder_without_a_call_needs_a_contact(env: Env) -> None:
    due = env.clock.now() + timedelta(hours=2)
    reminder = env.service.create_manual(None, "callback", due, phone="+86 138-0013-8000")
    assert reminder.phone == "13800138000" and reminder.call_id is None
    with pytest.raises(ReminderError, match="电话或姓名"):
        env.service.create_manual(None, "callback", due)
    with pytest.raises(ReminderError, match="类型"):
        env.service.create_manual(None, "birthday", due, phone="1")


def test_manual_reminder_for_a_deleted_call_keeps_the_reminder(env: Env) -> None:
    due = env.clock.now() + timedelta(minutes=15)
    reminder = env.service.create_manual("deleted-call", "callback", due, phone="13800138000")
    assert reminder.call_id is None
    detail = json.loads(env.audit.for_entity("reminder", reminder.id)[0]["detail"])
    assert detail["missing_call"] == "deleted-call"


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (timedelta(minutes=-5), "已经过去"),
        (timedelta(days=11 * 366), "太远"),
    ],
)
def test_bad_due_times_are_refused(env: Env, due: timedelta, message: str) -> None:
    with pytest.raises(ReminderTimeError, match=message):
        env.service.create_manual(None, "callback", env.clock.now() + due, phone="1")


def test_a_due_time_five_years_ahead_is_stored_and_next(env: Env) -> None:
    far = env.clock.now() + timedelta(days=5 * 365)
    reminder = env.service.create_manual(None, "revisit", far, phone="13800138000")
    assert env.service.next_due_at() == far
    assert env.service.list_view().upcoming == (reminder,)
    env.clock.set(far - timedelta(seconds=1))
    assert env.service.fire_due() == []
    env.clock.set(far)
    assert env.service.fire_due() == [reminder.id]


def test_deleting_a_call_keeps_its_reminders_working(env: Env) -> None:
    call = env.add_call(phone="13800138000", name="张三", notes="旧通话")
    first, progress = env.service.create_for_wrap_up(call, "complaint", "follow_up")
    env.db.execute("DELETE FROM calls WHERE id = ?", [call])
    orphan = env.service.get(first.id)
    assert (orphan.call_id, orphan.phone, orphan.customer_name, orphan.call_notes) == (
        None,
        "13800138000",
        "张三",
        "",
    )
    env.clock.set(progress.due_at)
    assert set(env.service.fire_due()) == {first.id, progress.id}
    env.service.done(progress.id, "已通报")
    (next_progress,) = [r for r in env.service.list_view().upcoming if r.kind == "progress"]
    assert next_progress.call_id is None and next_progress.phone == "13800138000"
    (revisit,) = env.service.close_case(call)
    assert revisit.call_id is None and revisit.customer_name == "张三"


# ---- agent actions ----------------------------------------------------------------------


def _fired_callback(env: Env) -> str:
    due = env.clock.now() + timedelta(minutes=15)
    reminder = env.service.create_manual(env.add_call(), "callback", due, "约好 9:15 回电")
    env.clock.set(due)
    assert env.service.fire_due() == [reminder.id]
    return reminder.id


def test_snooze_moves_due_but_not_the_commitment_and_fires_once_more(env: Env) -> None:
    reminder_id = _fired_callback(env)
    target = env.service.get(reminder_id).target_at
    snoozed = env.service.snooze(reminder_id, 10)
    assert snoozed.status == "snoozed" and snoozed.fired_at is None
    assert snoozed.due_at == env.clock.now() + timedelta(minutes=10)
    assert snoozed.target_at == target
    assert env.service.fire_due() == []
    env.clock.advance(minutes=10)
    assert env.service.fire_due() == [reminder_id]
    assert env.service.fire_due() == []
    until = env.clock.now() + timedelta(hours=1)
    assert env.service.snooze(reminder_id, until=until).due_at == until
    assert env.actions(reminder_id) == [
        "reminder.created",
        "reminder.fired",
        "reminder.snoozed",
        "reminder.fired",
        "reminder.snoozed",
    ]


def test_snooze_refuses_bad_input(env: Env) -> None:
    reminder_id = _fired_callback(env)
    with pytest.raises(ReminderTimeError):
        env.service.snooze(reminder_id, 0)
    with pytest.raises(ReminderTimeError):
        env.service.snooze(reminder_id, until=env.clock.now() - timedelta(hours=1))
    with pytest.raises(ValueError):
        env.service.snooze(reminder_id)
    with pytest.raises(ReminderNotFound):
        env.service.snooze("nope", 10)


def test_done_records_the_result_once(env: Env) -> None:
    reminder_id = _fired_callback(env)
    done = env.service.done(reminder_id, "  已回电，客户同意换货  ")
    assert (done.status, done.result, done.done_at) == (
        "done",
        "已回电，客户同意换货",
        env.clock.now(),
    )
    with pytest.raises(ReminderStateError, match="已完成"):
        env.service.done(reminder_id, "again")
    with pytest.raises(ReminderStateError):
        env.service.snooze(reminder_id, 10)
    assert env.actions(reminder_id)[-1] == "reminder.done"
    assert env.service.list_view().count == 0


def test_reschedule_moves_the_commitment_and_rearms(env: Env) -> None:
    reminder_id = _fired_callback(env)
    new_time = env.clock.now() + timedelta(days=1)
    moved = env.service.reschedule(reminder_id, new_time)
    assert (moved.status, moved.due_at, moved.target_at, moved.fired_at) == (
        "pending",
        new_time,
        new_time,
        None,
    )
    with pytest.raises(ReminderTimeError):
        env.service.reschedule(reminder_id, env.clock.now() - timedelta(days=1))
    assert env.actions(reminder_id)[-1] == "reminder.rescheduled"


def test_cancel_needs_a_reason(env: Env) -> None:
    reminder_id = _fired_callback(env)
    with pytest.raises(ReminderError, match="原因"):
        env.service.cancel(reminder_id, "   ")
    cancelled = env.service.cancel(reminder_id, "客户已自行解决")
    assert (cancelled.status, cancelled.result) == ("cancelled", "客户已自行解决")
    detail = json.loads(env.audit.for_entity("reminder", reminder_id)[-1]["detail"])
    assert detail == {"reason": "客户已自行解决"}
    with pytest.raises(ReminderStateError, match="已取消"):
        env.service.cancel(reminder_id, "again")


def test_subscribers_hear_every_change(env: Env) -> None:
    calls: list[int] = []
    unsubscribe = env.service.bus.subscribe(lambda changes, _o: calls.append(changes.reminders))
    reminder_id = _fired_callback(env)  # create + fire
    env.service.snooze(reminder_id, 10)
    assert len(calls) == 3
    unsubscribe()
    env.service.done(reminder_id)
    assert len(calls) == 3


@pytest.mark.expect_log(logging.ERROR, "change subscriber failed")
def test_a_failing_subscriber_does_not_undo_the_change(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_changes: object, _origin: object) -> None:
        raise RuntimeError("UI gone")

    env.service.bus.subscribe(broken)
    reminder = env.service.create_manual(
        None, "callback", env.clock.now() + timedelta(hours=1), phone="1"
    )
    assert env.service.get(reminder.id).status == "pending"
    assert "change subscriber failed" in caplog.text


# ---- listing ------------------------------------------------------------------------


def test_list_view_groups_overdue_due_and_upcoming(env: Env) -> None:
    now = env.clock.now()
    svc = env.service
    env.db["customers"].insert({"id": 7, "phone": "13700137000", "name": "王五"})
    call = env.add_call(phone="13700137000", name="", notes="x" * 300)
    env.db["calls"].update(call, {"customer_id": 7})
    early = svc.create_manual(call, "callback", now, "a")
    recent = svc.create_manual(None, "callback", now + timedelta(minutes=50), phone="2")
    later = svc.create_manual(None, "revisit", now + timedelta(hours=2), phone="3")
    for i in range(5):
        svc.create_manual(None, "callback", now + timedelta(days=1, minutes=i), phone="4")
    env.clock.advance(hours=1)
    view = svc.list_view(upcoming_limit=3)
    assert [r.id for r in view.overdue] == [early.id]
    assert [r.id for r in view.due] == [recent.id]
    assert view.upcoming[0].id == later.id
    assert len(view.upcoming) == 3 and view.more_upcoming == 3
    assert view.count == 8
    assert view.overdue[0].customer_name == "王五"  # from the customer record
    assert len(view.overdue[0].call_notes) == 120
    assert [r.id for r in svc.due_now()] == [early.id, recent.id]


# ---- firing: restarts, clock jumps, duplicates ------------------------------------------------


def test_missed_while_closed_is_shown_once_at_next_start(data_dir: Path, clock: FakeClock) -> None:
    path = data_dir / "callassist.sqlite3"
    first = Env(path, clock)
    ids = [
        first.service.create_manual(
            None, "callback", clock.now() + timedelta(minutes=m), phone="1"
        ).id
        for m in (15, 30, 600)
    ]
    first.close()

    clock.advance(hours=3)  # the app was closed (or the machine slept) meanwhile
    second = Env(path, clock)
    view = second.service.list_view()
    assert [r.id for r in view.overdue] == ids[:2]
    assert [r.id for r in view.upcoming] == ids[2:]
    assert second.service.fire_due() == ids[:2]
    assert second.service.fire_due() == []
    second.close()

    third = Env(path, clock)  # another restart: nothing fires twice, nothing is dropped
    assert third.service.fire_due() == []
    assert [r.id for r in third.service.list_view().overdue] == ids[:2]
    assert all(third.actions(i).count("reminder.fired") == 1 for i in ids[:2])
    clock.advance(hours=10)
    assert third.service.fire_due() == ids[2:]
    third.close()


def test_clock_jumps(env: Env) -> None:
    now = env.clock.now()
    svc = env.service
    a = svc.create_manual(None, "callback", now + timedelta(hours=1), phone="1")
    b = svc.create_manual(None, "callback", now + timedelta(days=2), phone="1")
    env.clock.advance(days=3)  # forward jump: everything due fires, once
    assert svc.fire_due() == [a.id, b.id]
    env.clock.set(now)  # backward jump: nothing re-fires, nothing disappears
    assert svc.fire_due() == []
    assert {r.id for r in svc.list_view().upcoming} == {a.id, b.id}
    env.clock.advance(days=3)
    assert svc.fire_due() == []


def test_two_instances_on_one_file_fire_each_reminder_once(
    data_dir: Path, clock: FakeClock
) -> None:
    path = data_dir / "callassist.sqlite3"
    one, two = Env(path, clock), Env(path, clock)
    ids = [
        one.service.create_manual(
            None, "callback", clock.now() + timedelta(minutes=m), phone="1"
        ).id
        for m in range(1, 6)
    ]
    clock.advance(minutes=3)
    assert [one.service.mark_fired(ids[0]), two.service.mark_fired(ids[0])] == [True, False]
    assert two.service.mark_fired(ids[0]) is False
    assert two.service.fire_due() == ids[1:3]
    assert one.service.fire_due() == []
    clock.advance(minutes=5)

    won: list[list[str]] = []
    barrier = threading.Barrier(2)

    def race(service: ReminderService) -> None:
        barrier.wait()
        won.append(service.fire_due())

    threads = [threading.Thread(target=race, args=(e.service,)) for e in (one, two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won[0] + won[1]) == sorted(ids[3:])
    one.close()
    two.close()


def test_mark_fired_is_false_for_finished_reminders(env: Env) -> None:
    reminder_id = _fired_callback(env)
    env.service.done(reminder_id, "ok")
    assert env.service.mark_fired(reminder_id) is False
    assert env.service.next_due_at() is None


# ---- kept statistics ---------------------------------------------------------------------


def test_callback_kept_stats(env: Env) -> None:
    now = env.clock.now()
    svc = env.service

    def promise(minutes: int) -> str:
        return svc.create_manual(env.add_call(), "callback", now + timedelta(minutes=minutes)).id

    kept, late, _missed, _pending, dropped = (promise(m) for m in (10, 10, 10, 120, 10))
    svc.cancel(dropped, "客户取消")
    env.clock.advance(minutes=20)  # 10 min after due: within the 15 min grace
    svc.link_callback(kept, env.add_call())
    svc.snooze(late, 30)  # snoozing does not move the promise
    env.clock.advance(minutes=30)
    svc.link_callback(late, env.add_call())
    later_call = env.add_call()
    svc.link_callback(kept, later_call)  # a second attempt keeps the first time
    assert svc.get(kept).callback_at == now + timedelta(minutes=20)
    assert svc.get(kept).callback_call_id == later_call

    stats = svc.callback_kept_stats(now, now + timedelta(days=1))
    assert (stats.kept, stats.late, stats.missed, stats.pending) == (1, 1, 1, 1)
    assert svc.callback_kept_stats(now, now + timedelta(days=1), kinds=("revisit",)).total == 0
    assert svc.callback_kept_stats(now + timedelta(hours=1), now + timedelta(days=1)).total == 1


# ---- migration ----------------------------------------------------------------------------


def test_v1_reminders_survive_migration_to_v2(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = connect(path)
    migrate(old, None, MIGRATIONS[:1])
    old["calls"].insert(
        {"id": "c1", "started_at": "2026-03-01T01:00:00.000Z", "status": "completed"}
    )
    old["reminders"].insert(
        {
            "id": "r1",
            "call_id": "c1",
            "kind": "callback",
            "due_at": "2026-03-02T02:00:00.000Z",
            "status": "pending",
            "created_at": "2026-03-01T01:00:00.000Z",
        }
    )
    old.close()
    db = open_db(path)
    row = next(sqlite_utils.Database(db.conn)["reminders"].rows)
    assert (row["case_id"], row["target_at"], row["phone"], row["repeat_minutes"]) == (
        "c1",
        "2026-03-02T02:00:00.000Z",
        "",
        0,
    )
    with pytest.raises(Exception, match=r"invalid reminders\.kind"):
        db.execute("UPDATE reminders SET kind = 'birthday'")
    with pytest.raises(Exception, match=r"invalid reminders\.status"):
        db.execute("UPDATE reminders SET status = 'lost'")
    db.close()
