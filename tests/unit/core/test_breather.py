"""The breather: background steps wait while it is held, never longer than max_wait."""

from __future__ import annotations

import threading
import time

from desktop.core.breather import Breather


def test_steps_pass_every_item_through_in_order() -> None:
    assert list(Breather().steps(range(7), every=3)) == list(range(7))


def test_a_held_breather_stops_the_worker_until_released() -> None:
    breather = Breather(max_wait=30)
    breather.hold()
    passed = threading.Event()

    def worker() -> None:
        breather.breathe()
        passed.set()

    thread = threading.Thread(target=worker)
    thread.start()
    assert not passed.wait(0.2)  # held: the worker waits
    breather.release()
    assert passed.wait(5)
    thread.join()
    assert not breather.held


def test_a_held_breather_lets_work_go_on_after_max_wait() -> None:
    breather = Breather(max_wait=0.05)
    breather.hold()
    started = time.monotonic()
    assert list(breather.steps(range(3))) == [0, 1, 2]  # not stuck: each step waited at most
    assert time.monotonic() - started >= 0.05
    assert breather.held
