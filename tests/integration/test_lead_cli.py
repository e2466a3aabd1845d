"""The lead's command line as IT schedules it: reports always masked, bundles, PIN reset."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from db import open_db
from tests.helpers.lead_env import agent_db

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env.pop("CALLASSIST_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )


@pytest.fixture
def agent_dir(tmp_path: Path) -> Path:
    env = agent_db(tmp_path / "a", "1001")
    env.call("13800138000", "inquiry", notes="客户咨询")
    env.call("13911112222", "complaint")
    env.close()
    return tmp_path / "a"


def test_report_calls_csv_and_xlsx_are_masked(agent_dir: Path, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"calls.{fmt}"
        result = _run(
            "report", "calls", "--from", "2026-03-01", "--to", "2026-03-31",
            "--agent", "1001", "--format", fmt, "--out", str(out), "--data-dir", str(agent_dir),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "号码已脱敏" in result.stdout
        if fmt == "csv":
            raw = out.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
            phones = [r[rows[0].index("号码")] for r in rows[1:]]
        else:
            sheet = openpyxl.load_workbook(out)["通话"]
            header = [c.value for c in sheet[1]]
            phones = [r[header.index("号码")] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert phones == ["138****8000", "139****2222"]
    db = open_db(agent_dir / "callassist.sqlite3")
    actions = [
        r[0] for r in db.execute("SELECT action FROM audit_log WHERE action LIKE 'report.%'")
    ]
    db.close()
    assert actions == ["report.calls", "report.calls"]


def test_report_stats_xlsx_and_csv(agent_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "stats.xlsx"
    result = _run(
        "--data-dir", str(agent_dir), "report", "stats", "--from", "2026-03-01",
        "--to", "2026-03-31", "--format", "xlsx", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(out).sheetnames == ["统计", "按坐席", "流程遵循"]
    out_csv = tmp_path / "stats.csv"
    result = _run(
        "report", "stats", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv",
        "--out", str(out_csv), "--data-dir", str(agent_dir),
    )  # fmt: skip
    assert result.returncode == 0 and out_csv.read_bytes().startswith(b"\xef\xbb\xbf")


def test_report_into_a_missing_folder_fails_clearly(agent_dir: Path, tmp_path: Path) -> None:
    result = _run(
        "report", "calls", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv",
        "--out", str(tmp_path / "nope" / "x.csv"), "--data-dir", str(agent_dir),
    )  # fmt: skip
    assert result.returncode == 1 and "文件夹不存在" in result.stderr
    assert "Traceback" not in result.stderr


def test_logs_export_then_import_twice_into_the_lead(agent_dir: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "1001.bundle"
    result = _run("logs", "export", "--out", str(bundle), "--data-dir", str(agent_dir))
    assert result.returncode == 0, result.stderr
    lead = tmp_path / "lead"
    junk = tmp_path / "junk.bundle"
    junk.write_bytes(b"")
    first = _run("logs", "import", str(bundle), str(junk), "--data-dir", str(lead))
    assert first.returncode == 1  # one refused
    assert "calls: 新增 2，更新 0，未变 0" in first.stdout
    assert "junk.bundle：文件是空的" in first.stderr
    again = _run("logs", "import", str(bundle), "--data-dir", str(lead))
    assert again.returncode == 0 and "calls: 新增 0，更新 0，未变 2" in again.stdout


def test_reset_pin_clears_it_and_writes_an_audit_row(tmp_path: Path) -> None:
    from desktop.core.clock import FakeClock
    from desktop.services.audit import AuditLog
    from desktop.services.lead.pin import LeadPin

    data = tmp_path / "d"
    db = open_db(data / "callassist.sqlite3")
    clock = FakeClock()
    LeadPin(db, clock, AuditLog(db, clock)).set_pin("123456")
    db.close()
    result = _run("lead", "reset-pin", "--data-dir", str(data))
    assert result.returncode == 0 and "已清除" in result.stdout
    db = open_db(data / "callassist.sqlite3")
    assert db.execute("SELECT count(*) FROM settings WHERE key = 'lead_pin'").fetchone()[0] == 0
    assert (
        db.execute("SELECT count(*) FROM audit_log WHERE action = 'lead.pin_reset'").fetchone()[0]
        == 1
    )
    db.close()


def test_retention_purge_dry_run(agent_dir: Path) -> None:
    db = open_db(agent_dir / "callassist.sqlite3")
    db.execute("INSERT INTO settings VALUES ('keep_notes_days', '1')")
    db.close()
    result = _run("retention", "purge", "--dry-run", "--data-dir", str(agent_dir))
    assert result.returncode == 0 and "将清除 1 条备注" in result.stdout


def test_the_workbook_and_report_stats_give_the_same_figures(tmp_path: Path) -> None:
    """The xlsx statistics come from the one statistics module: the same numbers as the JSON
    of `callassist report stats` for the same period, agent and zone."""
    import json

    from tests.helpers.review_fixture import build_review_db

    data = tmp_path / "data"
    data.mkdir()
    build_review_db(data / "callassist.sqlite3")
    period = ("--from", "2026-03-01", "--to", "2026-03-07", "--data-dir", str(data))
    result = _run("report", "stats", *period)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    out = tmp_path / "stats.xlsx"
    result = _run("report", "stats", *period, "--format", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)

    def table(name: str, skip: int) -> dict:
        rows = list(book[name].iter_rows(min_row=skip + 1, values_only=True))
        header, body = rows[0], rows[1:]
        keyed = {}
        for r in body:
            keyed[(r[0], r[1]) if name == "流程遵循" else r[0]] = dict(zip(header, r, strict=True))
        return keyed

    def seconds(value):
        return None if value is None else value.total_seconds()

    def same(cell, figure) -> bool:
        return cell == figure if figure is None else cell == pytest.approx(figure, abs=1e-6)

    from desktop.core.calls import INTENT_LABELS

    by_intent = table("统计", 1)
    assert stats["by_intent"]  # the fixture has classified calls
    for intent, figures in stats["by_intent"].items():
        row = by_intent[INTENT_LABELS[intent]]
        assert row["通话数"] == figures["calls"] and same(row["占比"], figures["share"])
        assert same(seconds(row["平均处理时长"]), figures["aht_s"])
        assert same(seconds(row["平均话后时长"]), figures["acw_s"])
        assert same(row["首次解决率"], figures["fcr"])
    assert by_intent["合计"]["通话数"] == stats["calls"]
    assert same(seconds(by_intent["合计"]["平均通话时长"]), stats["talk_s"])
    by_agent = table("按坐席", 1)
    assert set(by_agent) == set(stats["by_agent"])
    for agent, figures in stats["by_agent"].items():
        row = by_agent[agent]
        assert (row["通话数"], row["接听数"], row["未接"]) == (
            figures["calls"],
            figures["answered"],
            figures["missed"],
        )
        assert same(seconds(row["平均通话时长"]), figures["talk_s"])
        assert same(row["质检平均分"], figures["qa_avg"])
    adherence = table("流程遵循", 3)
    assert stats["adherence"]
    for intent, figures in stats["adherence"].items():
        row = adherence[("全部", INTENT_LABELS[intent])]
        assert row["完成通话"] == figures["calls"]
        assert row["必做步骤全部完成"] == figures["all_required_calls"]
        assert same(row["流程遵循率"], figures["all_required"])
    kept = stats["callbacks"]
    assert f"到期 {kept['due']}，按时 {kept['kept']}，" in book["流程遵循"]["A2"].value
