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
