"""The breather: background steps wait while it is held, never longer than max_wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from desktop.core.breather import Breather


def _waits_for_release(breather: Breather, step: Callable[[], None], held_for: float) -> None:
    """`step` on a worker thread waits while `breather` is held (still after `held_for`
    seconds) and goes on once it is released."""
    passed = threading.Event()

    def worker() -> None:
        step()
        passed.set()

    thread = threading.Thread(target=worker)
    thread.start()
    assert not passed.wait(held_for)  # held: the worker waits
    breather.release()
    assert passed.wait(5)
    thread.join()


def test_steps_pass_every_item_through_in_order() -> None:
    assert list(Breather().steps(range(7), every=3)) == list(range(7))


def test_a_held_breather_stops_the_worker_until_released() -> None:
    breather = Breather(max_wait=30)
    breather.hold()
    _waits_for_release(breather, breather.breathe, 0.2)
    assert not breather.held


def test_a_held_breather_lets_work_go_on_after_max_wait() -> None:
    breather = Breather(max_wait=0.05)
    breather.hold()
    started = time.monotonic()
    assert list(breather.steps(range(3))) == [0, 1, 2]  # not stuck: each step waited at most
    assert time.monotonic() - started >= 0.05
    assert breather.held


def test_pace_breathes_only_once_the_budget_of_cpu_time_is_spent() -> None:
    breather = Breather(max_wait=30)
    breather.breathe()  # the thread's last breath: now
    breather.hold()
    started = time.monotonic()
    breather.pace(budget=10.0)  # no CPU spent since: it does not wait for the release
    assert time.monotonic() - started < 5
    # a fresh thread has no last breath: its first pace breathes (and waits, held)
    _waits_for_release(breather, lambda: breather.pace(budget=10.0), 0.2)


def test_a_heavy_step_waits_longer_than_max_wait() -> None:
    breather = Breather(max_wait=0.01, heavy_wait=30)
    breather.hold()
    _waits_for_release(breather, breather.before_heavy, 0.3)  # far beyond max_wait


def test_import_modules_imports_the_names_and_skips_missing_ones() -> None:
    import sys

    breather = Breather()
    for name in ("colorsys", "this_module_does_not_exist_here"):
        sys.modules.pop(name, None)
    breather.import_modules(["this_module_does_not_exist_here", "colorsys"], heavy={"colorsys"})
    assert "colorsys" in sys.modules
    assert "this_module_does_not_exist_here" not in sys.modules


def test_paced_passes_every_item_through_in_order() -> None:
    assert list(Breather().paced(range(7))) == list(range(7))
    assert list(Breather().paced(iter("abc"), budget=0.0)) == ["a", "b", "c"]
