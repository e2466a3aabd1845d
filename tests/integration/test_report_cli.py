"""`callassist report stats` as IT schedules it: JSON keys, read-only, one-line failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.review_fixture import build_review_db

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("CALLASSIST_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop", "report", "stats", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )


def test_stats_json_to_stdout_and_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db_file = build_review_db(data / "callassist.sqlite3")
    before = db_file.read_bytes()
    result = _run("--from", "2026-03-01", "--to", "2026-03-07", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    for key in (
        "calls",
        "answered",
        "missed",
        "aht_s",
        "talk_s",
        "acw_s",
        "fcr",
        "by_hour",
        "by_intent",
        "by_agent",
        "adherence",
        "callbacks",
        "complaints",
    ):
        assert key in stats
    assert (stats["calls"], stats["missed"]) == (7, 1)
    assert stats["period"]["tz"] == "Asia/Shanghai"
    out = tmp_path / "s.json"
    result = _run(
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-07",
        "--db",
        str(db_file),
        "--agent",
        "B",
        "--tz",
        "UTC",
        "--out",
        str(out),
    )
    assert result.returncode == 0 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["by_agent"].keys() == {"B"}
    assert db_file.read_bytes() == before  # opened read-only


def test_bad_arguments_and_databases_fail_with_one_line(tmp_path: Path) -> None:
    db_file = build_review_db(tmp_path / "r.sqlite3")
    cases = [
        (("--from", "2026-03-41", "--to", "2026-03-07", "--db", str(db_file)), 2, "日期"),
        (("--from", "2026-03-07", "--to", "2026-03-01", "--db", str(db_file)), 2, "早于"),
        (
            ("--from", "2026-03-01", "--to", "2026-03-07", "--db", str(db_file), "--tz", "X/Y"),
            2,
            "时区",
        ),
        (
            ("--from", "2026-03-01", "--to", "2026-03-07", "--db", str(db_file), "--agent", "Z"),
            2,
            "坐席",
        ),
        (
            (
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-07",
                "--db",
                str(db_file),
                "--format",
                "xlsx",
            ),
            2,
            "xlsx",
        ),
        (
            ("--from", "2026-03-01", "--to", "2026-03-07", "--db", str(tmp_path / "none")),
            3,
            "找不到",
        ),
        # the arguments are checked before the file: a bad date is named first
        (("--from", "2026-13-01", "--to", "2026-03-07", "--db", str(tmp_path / "none")), 2, "日期"),
    ]
    garbage = tmp_path / "bad.sqlite3"
    garbage.write_bytes(b"garbage" * 1000)
    cases.append((("--from", "2026-03-01", "--to", "2026-03-07", "--db", str(garbage)), 3, "损坏"))
    for args, code, word in cases:
        result = _run(*args)
        assert result.returncode == code, (args, result.stderr)
        assert word in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_empty_period_says_so_and_still_reports(tmp_path: Path) -> None:
    db_file = build_review_db(tmp_path / "r.sqlite3")
    result = _run("--from", "2020-01-01", "--to", "2020-01-31", "--db", str(db_file))
    assert result.returncode == 0
    assert json.loads(result.stdout)["aht_s"] is None
    assert "没有通话" in result.stderr
