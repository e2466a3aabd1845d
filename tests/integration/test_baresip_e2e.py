"""Real baresip, real SIP callers (SIPp), our BaresipClient: the CallEvents an agent would see.

Loopback only, free ports (parallel runs do not collide), everything started here is killed
by PID in ``finally``. Needs ``apt-get install baresip-core sip-tester`` (scripts/dev test
installs them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.core.call_events import CallEvent
from desktop.services.softphone.baresip_client import BaresipClient
from desktop.services.softphone.spool import EventSpool

pytestmark = [
    pytest.mark.slow,
    pytest.mark.softphone,
    pytest.mark.skipif(
        not (shutil.which("baresip") and shutil.which("sipp")) and not os.environ.get("CI"),
        reason="baresip and sipp are not installed (apt-get install baresip-core sip-tester)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).parent / "softphone"
HOST = "127.0.0.1"
ANSWERED_CALLERS = [("+8613800138000", "张三"), ("+15550000001", "Alice Anders")]
CANCELLING_CALLER = ("0086-139-0013-9000", "王五 (VIP)")
CONFIG = """\
poll_method epoll
sip_listen {host}:{sip_port}
net_interface {host}
dns_server {host}:53
call_max_calls 4
audio_player aubridge,nil
audio_source aubridge,src
audio_alert aubridge,nil
audio_level no
rtp_ports {rtp_low}-{rtp_high}
module_path /usr/lib/baresip/modules
module g711.so
module aubridge.so
module_tmp uuid.so
module_tmp account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen {host}:{ctrl_port}
"""


def free_port(kind: int = socket.SOCK_STREAM, also: int | None = None) -> int:
    """A port free for ``kind`` (and for ``also``: baresip's sip_listen binds UDP and TCP)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, kind) as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        if also is None:
            return port
        with socket.socket(socket.AF_INET, also) as other:
            try:
                other.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port pair")


@dataclass
class Baresip:
    process: subprocess.Popen[bytes]
    sip_port: int
    ctrl_port: int
    log: Path


@pytest.fixture
def baresip(tmp_path: Path) -> Iterator[Baresip]:
    conf = tmp_path / "baresip"
    conf.mkdir()
    sip_port = free_port(socket.SOCK_DGRAM, also=socket.SOCK_STREAM)
    ctrl_port = free_port()
    rtp_low = 20000 + (sip_port % 200) * 100  # a per-run range, so parallel runs differ
    (conf / "config").write_text(
        CONFIG.format(
            host=HOST,
            sip_port=sip_port,
            ctrl_port=ctrl_port,
            rtp_low=rtp_low,
            rtp_high=rtp_low + 99,
        )
    )
    (conf / "accounts").write_text(f"<sip:agent@{HOST}:{sip_port}>;regint=0;answermode=manual\n")
    (conf / "contacts").write_text("")
    log = tmp_path / "baresip.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["baresip", "-f", str(conf)], stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    running = Baresip(process, sip_port, ctrl_port, log)
    try:
        wait_ready(running)
        yield running
    finally:
        stop(running.process)  # the test may have restarted it: stop the current one


def wait_ready(target: Baresip) -> None:
    deadline = time.monotonic() + 10
    while b"baresip is ready" not in target.log.read_bytes():
        text = target.log.read_text(errors="replace")
        assert target.process.poll() is None, f"baresip exited:\n{text}"
        assert time.monotonic() < deadline, f"baresip not ready:\n{text}"
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def run_sipp(
    scenario: str, callers: list[tuple[str, str]], target: Baresip, workdir: Path, pause_ms: int
) -> None:
    csv = workdir / f"{scenario}.csv"
    csv.write_text("SEQUENTIAL\n" + "".join(f"{n};{name}\n" for n, name in callers))
    command = [
        "sipp",
        *("-sf", str(SCENARIOS / f"{scenario}.xml")),
        *("-inf", str(csv)),
        f"{HOST}:{target.sip_port}",
        *("-s", "agent", "-i", HOST, "-p", str(free_port(socket.SOCK_DGRAM))),
        *("-mp", str(free_port(socket.SOCK_DGRAM))),
        *("-m", str(len(callers)), "-l", "1", "-r", "20", "-d", str(pause_ms)),
        *("-timeout", "10s", "-nostdin", "-trace_err"),
    ]
    proc = subprocess.Popen(
        command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    errors = "".join(p.read_text(errors="replace") for p in workdir.glob(f"{scenario}_*errors*"))
    assert proc.returncode == 0, f"sipp {scenario} failed:\n{output[-2000:]}\n{errors}"


class Agent:
    """Answers the callers it is told to, the moment baresip says they ring."""

    def __init__(self, answer: set[str]) -> None:
        self.answer = answer
        self.events: list[CallEvent] = []
        self.statuses: list[str] = []
        self.client: BaresipClient | None = None
        self._cond = threading.Condition()

    def on_event(self, event: CallEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()
        if event.kind == "incoming" and event.number in self.answer and self.client:
            self.client.send_command("accept")

    def on_status(self, status: str) -> None:
        with self._cond:
            self.statuses.append(status)
            self._cond.notify_all()

    def wait(self, predicate, timeout: float = 10) -> None:
        with self._cond:
            assert self._cond.wait_for(predicate, timeout), (self.statuses, self.events)


def test_real_calls_become_call_events(baresip: Baresip, tmp_path: Path) -> None:
    agent = Agent(answer={"13800138000", "+15550000001"})
    client = BaresipClient(HOST, baresip.ctrl_port, agent.on_event, agent.on_status)
    agent.client = client
    client.start()
    try:
        agent.wait(lambda: "connected" in agent.statuses)
        run_sipp("uac_cid", ANSWERED_CALLERS, baresip, tmp_path, pause_ms=200)
        agent.wait(lambda: len(agent.events) >= 6)
        run_sipp("uac_cancel", [CANCELLING_CALLER], baresip, tmp_path, pause_ms=300)
        agent.wait(lambda: len(agent.events) >= 8)
        time.sleep(0.3)  # nothing else may follow
    finally:
        client.stop()
    got = [(e.kind, e.number, e.name) for e in agent.events]
    assert got == [
        ("incoming", "13800138000", "张三"),
        ("answered", "13800138000", "张三"),
        ("ended", "13800138000", "张三"),
        ("incoming", "+15550000001", "Alice Anders"),
        ("answered", "+15550000001", "Alice Anders"),
        ("ended", "+15550000001", "Alice Anders"),
        ("incoming", "13900139000", "王五 (VIP)"),
        ("missed", "13900139000", "王五 (VIP)"),
    ]
    call_ids = [e.call_id for e in agent.events]
    assert len(set(call_ids[0:3])) == len(set(call_ids[3:6])) == len(set(call_ids[6:8])) == 1
    assert len(set(call_ids)) == 3
    assert all(e.source == "baresip" and e.event_id and e.at for e in agent.events)
    assert len({e.event_id for e in agent.events}) == 8


def test_client_reconnects_when_baresip_restarts(baresip: Baresip, tmp_path: Path) -> None:
    """baresip does not replay events: after a restart the client must be back before calls."""
    agent = Agent(answer={"13800138000"})
    client = BaresipClient(
        HOST, baresip.ctrl_port, agent.on_event, agent.on_status, first_delay=0.1
    )
    agent.client = client
    client.start()
    try:
        agent.wait(lambda: "connected" in agent.statuses)
        stop(baresip.process)
        agent.wait(lambda: "disconnected" in agent.statuses)
        with open(baresip.log, "wb") as out:
            baresip.process = subprocess.Popen(
                ["baresip", "-f", str(tmp_path / "baresip")],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )
        wait_ready(baresip)
        agent.wait(lambda: agent.statuses.count("connected") == 2)
        run_sipp("uac_cid", ANSWERED_CALLERS[:1], baresip, tmp_path, pause_ms=100)
        agent.wait(lambda: len(agent.events) >= 3)
    finally:
        client.stop()
    assert [e.kind for e in agent.events] == ["incoming", "answered", "ended"]


def test_the_app_records_real_calls_and_hook_events(
    baresip: Baresip, tmp_path: Path, data_dir: Path, qtbot
) -> None:
    """The whole app against real baresip: a call rings, the caller's history pops, the agent
    answers with Ctrl+Shift+A (sent to baresip as "accept"), the caller hangs up; a caller who
    cancels while ringing is missed; MicroSIP-style hook commands reach the same database."""
    from PySide6.QtCore import Qt

    from desktop.app import build_app
    from desktop.instance.lock import InstanceLock

    # The app holds the instance lock as `callassist` does: a hook whose 0.1 s poke is
    # missed under load must see an app running, not start a second one (left running).
    lock = InstanceLock(data_dir)
    assert lock.acquire()
    app = build_app(data_dir, baresip=f"{HOST}:{baresip.ctrl_port}")
    qtbot.addWidget(app.window)
    app.window.show()
    failures: list[BaseException] = []

    def sipp_in_background(
        scenario: str, callers: list[tuple[str, str]], pause: int
    ) -> threading.Thread:
        def target() -> None:
            try:
                run_sipp(scenario, callers, baresip, tmp_path, pause_ms=pause)
            except BaseException as exc:  # reported by the main thread
                failures.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        return thread

    def rows() -> list[dict]:
        return list(app.db["calls"].rows_where(order_by="started_at"))

    try:
        qtbot.waitUntil(lambda: "已连接" in app.window.status_softphone.text(), timeout=10_000)
        caller = sipp_in_background("uac_cid", ANSWERED_CALLERS[:1], 300)
        qtbot.waitUntil(
            lambda: app.workspace.current is not None and app.workspace.current.status == "ringing",
            timeout=10_000,
        )
        assert app.window.view.call_bar.caller.text() == "张三"
        qtbot.keyClick(
            app.window,
            Qt.Key.Key_A,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        qtbot.waitUntil(lambda: [r["status"] for r in rows()] == ["wrap_up"], timeout=15_000)
        caller.join(20)
        canceller = sipp_in_background("uac_cancel", [CANCELLING_CALLER], 300)
        qtbot.waitUntil(
            lambda: len(rows()) == 2 and rows()[1]["status"] == "missed", timeout=15_000
        )
        canceller.join(20)
        assert not failures, failures
        hook_command = [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for kind in ("incoming", "answered", "ended"):  # MicroSIP's three hooks for one call
            hook = subprocess.run(
                [*hook_command, "event", kind, "--name", "李四", "+86-137-0013-7000"],
                capture_output=True,
                text=True,
                timeout=30,
                env=env,
            )
            assert hook.returncode == 0, hook.stderr
        qtbot.waitUntil(
            lambda: len(rows()) == 3 and rows()[2]["status"] == "wrap_up", timeout=10_000
        )
        got = [(r["phone"], r["caller_name"], r["status"], r["source"]) for r in rows()]
        assert got == [
            ("13800138000", "张三", "wrap_up", "baresip"),
            ("13900139000", "王五 (VIP)", "missed", "baresip"),
            ("13700137000", "李四", "wrap_up", "hook"),
        ]
        first, missed = rows()[0], rows()[1]
        assert (
            first["softphone_call_id"]
            and first["started_at"] <= first["answered_at"] <= first["ended_at"]
        )
        assert missed["answered_at"] is None and missed["ended_at"]
        # The spool delivers at least once (a crash before the offset is saved replays):
        # the same event_id twice must change nothing.
        spool = EventSpool.in_dir(data_dir)
        for _ in range(2):
            spool.append(CallEvent("incoming", "13600136000", source="hook", event_id="again"))
            app.softphone.drain()
        assert [r["phone"] for r in rows()].count("13600136000") == 1
    finally:
        app.close()
        lock.release()
