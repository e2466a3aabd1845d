"""The parent's side of bench.apphost: start the real app in a child, wait for it, talk to it."""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from bench.apphost import READY_MARKER, REPLY_MARKER
from bench.common import REPO, ChildFailed, child_command, child_env, last_words


class AppHost:
    """One child running the app (or a bare window); `spawned_at` is the parent's wall clock
    just before the process was created."""

    def __init__(self, mode: str, *args: str) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        self.spawned_at = time.time()
        self.proc = subprocess.Popen(
            child_command("apphost", mode, *args),
            cwd=REPO,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()

    @classmethod
    def app(cls, data_dir: Path, *, demo: bool = False, exit_at_idle: bool = False) -> AppHost:
        flags = [*(["--demo"] if demo else []), *(["--exit-at-idle"] if exit_at_idle else [])]
        return cls("app", str(data_dir), *flags)

    @classmethod
    def bare(cls, *, exit_at_idle: bool = False) -> AppHost:
        return cls("bare", *(["--exit-at-idle"] if exit_at_idle else []))

    def _pump_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-200]

    def _expect(self, marker: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise ChildFailed(f"the app child sent nothing within {timeout:.0f} s") from None
            if line is None:
                self.proc.wait(5)
                time.sleep(0.05)  # let the stderr pump catch up
                raise ChildFailed(
                    f"the app child exited ({self.proc.returncode}): "
                    + last_words("".join(self._stderr))
                )
            if line.startswith(marker):
                return json.loads(line[len(marker) :])

    def wait_ready(self, timeout: float = 60.0) -> dict[str, Any]:
        ready = self._expect(READY_MARKER, timeout)
        if not ready.get("window_shown"):
            raise ChildFailed("the app reached its event loop without a visible main window")
        return ready

    def ask(self, command: str, timeout: float = 60.0) -> dict[str, Any]:
        """Send one command (see bench.apphost) and return its reply; raise if it failed."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        reply = self._expect(REPLY_MARKER, timeout)
        if "error" in reply:
            raise ChildFailed(f"the app child could not do {command!r}: {reply['error']}")
        return reply

    def close(self, timeout: float = 10.0) -> int | None:
        """Ask the app to quit (it closes itself as on a normal exit); kill it if it hangs."""
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def stderr_tail(self) -> str:
        return "".join(self._stderr[-20:])

    def __enter__(self) -> AppHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
