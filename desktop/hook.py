"""``callassist event KIND [options] NUMBER``: the command a softphone runs on call events.

MicroSIP waits for the hook and appends the caller number as the last argument, so this
only spools the event durably, pokes the running app and returns: no Qt, no database, no
jieba may be imported on this path. If no app answers and none is starting, it launches
the app detached; the app drains the spool when it comes up.

    callassist [--data-dir DIR] event incoming|answered|ended|missed
               [--name NAME] [--call-id ID] [--reason R] [--data-dir DIR] NUMBER
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from desktop.core.call_events import EVENT_KINDS, CallEvent, clean_event, repair_text
from desktop.core.clock import to_iso
from desktop.core.softphone.numbers import national
from desktop.instance.ipc import IpcClient
from desktop.instance.lock import app_running
from desktop.instance.platform import CURRENT
from desktop.instance.private import set_private_umask
from desktop.paths import user_data_dir
from desktop.services.softphone.spool import EventSpool

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
USAGE = (
    "usage: callassist event incoming|answered|ended|missed "
    "[--name NAME] [--call-id ID] [--reason R] [--data-dir DIR] NUMBER"
)
_VALUE_OPTIONS = ("--name", "--call-id", "--reason", "--data-dir")

Launcher = Callable[[Path], None]


class UsageError(ValueError):
    pass


def parse_args(argv: Sequence[str]) -> tuple[str, str, dict[str, str]]:
    """(kind, raw number, options) from the hook's arguments; raises UsageError.

    The number is the last plain argument (the softphone appends it); other stray
    arguments are tolerated, since softphones re-split their command lines on spaces.
    Anything before ``event`` (the app's own options, e.g. ``--baresip``) is ignored.
    """
    options: dict[str, str] = {}
    plain: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        name, eq, value = token.partition("=")
        if name in _VALUE_OPTIONS:
            if not eq:
                try:
                    value = next(tokens)
                except StopIteration:
                    raise UsageError(f"{name} needs a value") from None
            options[name.lstrip("-").replace("-", "_")] = value
        else:
            plain.append(token)
    if "event" not in plain:
        raise UsageError("expected: event KIND [NUMBER]")
    rest = plain[plain.index("event") + 1 :]  # the app's own options may come before
    if not rest or rest[0] not in EVENT_KINDS:
        raise UsageError(f"unknown event kind {rest[0] if rest else ''!r}")
    return rest[0], rest[-1] if len(rest) > 1 else "", options


def launch_app(data_dir: Path) -> None:
    """Start the app detached from the softphone, so it outlives this hook."""
    import subprocess  # only this branch needs it; the hook's start-up time is its budget

    if getattr(sys, "frozen", False):
        command = [sys.executable, "--data-dir", str(data_dir)]
    else:
        command = [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)]
    subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        **CURRENT.detached_popen_kwargs(),
    )


def main(argv: Sequence[str], launch: Launcher = launch_app) -> int:
    """Every failure is one line on stderr and an exit code; never a traceback."""
    try:
        kind, raw_number, options = parse_args([repair_text(arg) for arg in argv])
    except UsageError as exc:
        print(f"callassist: {exc}\n{USAGE}", file=sys.stderr)
        return EXIT_USAGE
    set_private_umask()
    try:
        data_dir = user_data_dir(options.get("data_dir"))  # --data-dir, env, default
    except (OSError, RuntimeError) as exc:  # e.g. no home directory to resolve
        print(f"callassist: no data directory: {_reason(exc)}", file=sys.stderr)
        return EXIT_FAILED
    event = clean_event(
        CallEvent(
            kind=kind,  # type: ignore[arg-type]  # checked against EVENT_KINDS
            number=national(raw_number),
            name=options.get("name", ""),
            call_id=options.get("call_id", ""),
            reason=options.get("reason", ""),
            source="hook",
            at=to_iso(datetime.now(UTC)),
            event_id=os.urandom(16).hex(),
        )
    )
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        EventSpool.in_dir(data_dir).append(event)
    except OSError as exc:
        print(
            f"callassist: cannot record the call event in {data_dir}: {_reason(exc)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        if IpcClient.send(data_dir, {"op": "events"}):
            return EXIT_OK
        if not app_running(data_dir):  # a starting app drains the spool once it is up
            launch(data_dir)
    except OSError as exc:
        print(
            f"callassist: event saved, but the app did not start: {_reason(exc)}", file=sys.stderr
        )
        return EXIT_FAILED
    return EXIT_OK


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
