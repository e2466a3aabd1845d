"""Progress updates every 24 h count from the committed time, so the rhythm does not drift."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.core.clock import FakeClock
from tests.helpers.reminder_env import ReminderEnv
from tests.helpers.reminder_rules import RULES


@pytest.fixture
def env(data_dir: Path, clock: FakeClock) -> Iterator[ReminderEnv]:
    e = ReminderEnv(data_dir / "callassist.sqlite3", clock, RULES)
    yield e
    e.close()


def test_a_late_progress_update_does_not_push_the_next_one_back(env: ReminderEnv) -> None:
    call = env.add_call()
    _first, progress = env.service.create_for_wrap_up(call, "complaint", "follow_up")
    env.clock.set(progress.due_at + timedelta(hours=6))  # ticked off six hours late
    env.service.fire_due()
    env.service.done(progress.id, "已告知客户进度")
    (second,) = [r for r in env.service.list_view().upcoming if r.kind == "progress"]
    assert second.due_at == progress.target_at + timedelta(hours=24)
    assert second.target_at == second.due_at
