"""A task runner for service tests without Qt: on_done runs on the worker thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any


@contextmanager
def thread_runner() -> Iterator[Callable[[Callable[[], Any], Callable[[Future], None]], Future]]:
    pool = ThreadPoolExecutor(max_workers=1)

    def run(fn: Callable[[], Any], on_done: Callable[[Future], None]) -> Future:
        future = pool.submit(fn)
        future.add_done_callback(on_done)
        return future

    try:
        yield run
    finally:
        pool.shutdown(wait=True)
