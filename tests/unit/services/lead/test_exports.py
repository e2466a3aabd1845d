"""Exports: CSV with BOM, a real xlsx, masking by default, atomic files, the handbook."""

from __future__ import annotations

import csv
import errno
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from desktop.core.clock import parse_iso
from desktop.core.progress import Cancelled, Progress
from desktop.services.lead.export import Column, ExportError, Sheet, write_csv, write_xlsx
from desktop.services.lead.reports import (
    CallQuery,
    StatsInputs,
    export_calls,
    export_stats,
    handbook_sheet,
    record_export,
)
from tests.helpers.file_size_limit import with_file_size_limit
from tests.helpers.lead_env import CALENDAR, PACK, AgentDb, agent_db


@pytest.fixture
def agent(tmp_path: Path) -> AgentDb:
    env = agent_db(tmp_path / "a", "1001")
    env.call("13800138000", "inquiry", talk_s=75)
    env.call("13911112222", "complaint", talk_s=3725, ticks=False)
    env.call("1234567", "order")
    yield env
    env.close()


NOW = parse_iso("2026-03-03T00:00:00Z")


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_calls_csv_has_a_bom_masked_numbers_and_local_times(agent: AgentDb, tmp_path: Path) -> None:
    out = tmp_path / "calls.csv"
    result = export_calls(agent.db, out, "csv", CallQuery(), CALENDAR, now=NOW)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(out)
    header, body = rows[0], rows[1:]
    assert result.rows == {"通话": 3} and len(body) == 3
    phones = [r[header.index("号码")] for r in body]
    assert phones == ["138****8000", "139****2222", "***4567"]
    assert b"13800138000" not in raw and b"13911112222" not in raw
    # 01:00:00Z is 09:00 in Shanghai; the call was answered 5 s after it started
    assert body[0][header.index("来电时间")] == "2026-03-02 09:00:00"
    assert body[0][header.index("接听时间")] == "2026-03-02 09:00:05"
    assert body[1][header.index("通话时长（秒）")] == "3725"
    assert body[1][header.index("类型")] == "投诉"


def test_unmasked_export_shows_numbers_and_is_audited(agent: AgentDb, tmp_path: Path) -> None:
    out = tmp_path / "calls.csv"
    result = export_calls(agent.db, out, "csv", CallQuery(), CALENDAR, now=NOW, unmask=True)
    record_export(agent.audit, result, via="ui")
    assert "13800138000" in out.read_text(encoding="utf-8-sig")
    actions = [r[0] for r in agent.db.execute("SELECT action FROM audit_log")]
    assert "export.calls" in actions and "lead.unmask" in actions


def test_xlsx_opens_with_openpyxl_and_holds_the_right_rows(agent: AgentDb, tmp_path: Path) -> None:
    out = tmp_path / "calls.xlsx"
    agent.db.execute("UPDATE calls SET agent = '1002' WHERE phone = '1234567'")  # a colleague's
    query = CallQuery(intent="complaint")
    result = export_calls(agent.db, out, "xlsx", query, CALENDAR, now=NOW, pack=PACK)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["通话", "统计", "按坐席", "流程遵循", "投诉处理手册"]
    calls = book["通话"]
    header = [c.value for c in calls[1]]
    rows = list(calls.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and result.rows["通话"] == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["号码"] == "139****2222"
    assert row["来电时间"] == datetime(2026, 3, 2, 9, 2, 40)  # an Excel date, Shanghai time
    assert calls.cell(2, header.index("来电时间") + 1).number_format == "yyyy-mm-dd hh:mm:ss"
    talk = calls.cell(2, header.index("通话时长") + 1)
    assert talk.number_format == "[h]:mm:ss" and round(talk.value.total_seconds()) == 3725
    assert calls.freeze_panes == "A2"
    assert calls.column_dimensions["A"].width > 15
    agents = book["按坐席"]  # the statistics cover the period (all three calls), not the type
    rows = [[c.value for c in r][:4] for r in agents.iter_rows(min_row=3)]  # after scope, header
    assert rows == [["1001", 2, 2, 0], ["1002", 1, 1, 0]]
    adherence = {
        (r[0], r[1]): r[2:] for r in book["流程遵循"].iter_rows(min_row=5, values_only=True)
    }  # scope, callbacks and complaints lines, then the header
    assert adherence[("全部", "投诉")] == (1, 0, 0, "问候")  # no step ticked: the first skipped
    assert adherence[("1001", "咨询")] == (1, 1, 1, None)
    assert adherence[("1002", "订购")][:3] == (1, 1, 1)
    assert len(adherence) == 6  # three types, for all and per agent
    handbook = [r for r in book["投诉处理手册"].iter_rows(min_row=2, values_only=True)]
    assert handbook[0][1] == "问候" and any(r[6] for r in handbook)


def test_stats_report_csv_and_xlsx(agent: AgentDb, tmp_path: Path) -> None:
    query = CallQuery(date(2026, 3, 2), date(2026, 3, 2))
    csv_out, xlsx_out = tmp_path / "s.csv", tmp_path / "s.xlsx"
    inputs = StatsInputs.of(PACK, NOW)
    export_stats(agent.db, csv_out, "csv", query, CALENDAR, inputs=inputs)
    rows = _csv_rows(csv_out)
    assert rows[0][0].startswith("范围：2026-03-02 至 2026-03-02")
    sections = {r[0] for r in rows[2:]}
    assert sections == {"统计", "按坐席", "流程遵循"}
    export_stats(agent.db, xlsx_out, "xlsx", query, CALENDAR, inputs=inputs)
    book = openpyxl.load_workbook(xlsx_out)
    by_type = {r[0]: r[1] for r in book["统计"].iter_rows(min_row=3, values_only=True)}
    assert by_type == {"咨询": 1, "投诉": 1, "订购": 1, "合计": 3}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_cancelled_export_leaves_nothing(tmp_path: Path, fmt: str) -> None:
    progress = Progress()

    def cancelling():
        for i in range(10_000):
            if i == 5000:
                progress.cancel()  # the user presses 取消 half way
            yield {"a": str(i)}

    sheet = Sheet("s", [Column("a", "A")], cancelling(), 10_000)
    target = tmp_path / f"x.{fmt}"
    with pytest.raises(Cancelled):
        if fmt == "csv":
            write_csv(target, sheet, zone=CALENDAR.zone, progress=progress)
        else:
            write_xlsx(target, [sheet], zone=CALENDAR.zone, progress=progress)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old", encoding="utf-8")

    def broken():
        yield {"a": "1"}
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ExportError, match="磁盘空间不足"):
        write_csv(target, Sheet("s", [Column("a", "A")], broken()), zone=CALENDAR.zone)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_export_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="文件夹不存在"):
        write_csv(
            tmp_path / "nope" / "x.csv", Sheet("s", [Column("a", "A")], []), zone=CALENDAR.zone
        )


def test_handbook_follows_the_complaint_steps() -> None:
    sheet = handbook_sheet(PACK)
    steps = [r["step"] for r in sheet.rows if r["step"]]
    assert steps == [s.label for s in PACK.steps("complaint")]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Asia/Kolkata", "UTC"])
def test_fast_local_times_agree_with_zoneinfo(zone: str) -> None:
    from datetime import UTC, timedelta
    from zoneinfo import ZoneInfo

    from desktop.core.clock import to_iso
    from desktop.services.lead.export import EXCEL_EPOCH, LocalTimes

    times = LocalTimes(ZoneInfo(zone))
    moment = datetime(2026, 3, 7, 23, 59, 58, 250_000, tzinfo=UTC)  # across New York's DST
    for step in range(0, 60 * 60 * 36, 1793):
        at = moment + timedelta(seconds=step)
        local = at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        iso = to_iso(at)
        assert times.text(iso) == local.strftime("%Y-%m-%d %H:%M:%S"), iso
        serial = (local - EXCEL_EPOCH).total_seconds() / 86400
        assert abs(times.serial(iso) - serial) < 1e-8, iso
    assert times.text(None) == "" and times.serial("") is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "bundle"])
def test_a_full_disk_during_an_export_leaves_nothing_half_written(tmp_path: Path, fmt: str) -> None:
    env = agent_db(tmp_path / "a", "1001")
    for n in range(300):
        env.call(f"1380000{n:04d}", notes="客户反映快递延误，要求尽快处理。" * 5)
    env.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    env.close()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / f"通话记录.{fmt}"
    target.write_text("上次导出的文件", encoding="utf-8")  # a previous export under that name
    error = with_file_size_limit(10_000, fmt, env.path, target)
    assert error is not None and "磁盘空间不足" in error and "未留下不完整的文件" in error
    assert target.read_text(encoding="utf-8") == "上次导出的文件"
    assert [p.name for p in out_dir.iterdir()] == [target.name]  # no .part left behind
    fresh = out_dir / f"new.{fmt}"
    assert with_file_size_limit(50_000_000, fmt, env.path, fresh) is None  # room: it works
    assert fresh.stat().st_size > 10_000


def test_fast_xlsx_rows_are_byte_for_byte_what_xlsxwriter_writes(
    tmp_path: Path, monkeypatch
) -> None:
    """The calls sheet's rows bypass XlsxWriter's per-cell writer (for speed); the worksheet
    XML must be exactly what XlsxWriter itself writes for the same cells."""
    import zipfile

    from desktop.services.lead import export

    columns = [
        Column("when", "时间", "datetime", 19),
        Column("text", "文字", "text", 12),
        Column("kind", "类型", "text", 8, {"complaint": "投诉"}),
        Column("n", "数", "int", 6),
        Column("secs", "时长", "duration", 10),
        Column("share", "占比", "percent", 8),
        Column("phone", "号码", "phone", 14),
    ]
    texts = ["普通", "a & b <c>", "  前后空格 ", "tab\there", "ctl\x01x", "_x0041_ 字面",
             "", None, "引号\"与'", "多\n行", "0123", "=1+1"]  # fmt: skip
    rows = [
        {
            "when": f"2026-03-0{1 + i % 9}T0{i % 10}:1{i % 6}:07.{i:03d}Z" if i % 5 else None,
            "text": texts[i % len(texts)],
            "kind": ["complaint", "inquiry", None][i % 3],
            "n": [0, 7, -3, 10**12, None][i % 5],
            "secs": [None, 0, 59.5, 3725][i % 4],
            "share": [0.5, 1 / 3, None][i % 3],
            "phone": ["13800138000", "1234567", "", None][i % 4],
        }
        for i in range(60)
    ]
    rows.append(dict.fromkeys(r for r in rows[0]))  # a row of nothing at the end

    def sheet_xml(path: Path) -> bytes:
        with zipfile.ZipFile(path) as book:
            return book.read("xl/worksheets/sheet1.xml")

    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    notes = ("范围：测试",)
    write_xlsx(fast, [Sheet("s", columns, list(rows), len(rows), notes)], zone=CALENDAR.zone)
    monkeypatch.setattr(export.RowXml, "of", classmethod(lambda cls, *a: None))
    write_xlsx(slow, [Sheet("s", columns, list(rows), len(rows), notes)], zone=CALENDAR.zone)
    assert b"<row r=" in sheet_xml(slow) and b"inlineStr" in sheet_xml(slow)
    assert sheet_xml(fast) == sheet_xml(slow)
    assert len(list(openpyxl.load_workbook(fast)["s"].iter_rows())) == 62  # notes, header, 60


def test_csv_rows_converted_by_column_equal_those_converted_one_by_one(tmp_path: Path) -> None:
    columns = [
        Column("when", "时间", "datetime"),
        Column("kind", "类型", "text", labels={"complaint": "投诉"}),
        Column("secs", "时长", "duration"),
        Column("share", "占比", "percent"),
        Column("phone", "号码", "phone"),
        Column("text", "文字"),
    ]
    rows = [
        (f"2026-03-0{1 + i % 9}T1{i % 10}:00:07.000Z" if i % 4 else None,
         ["complaint", "inquiry", None][i % 3], [None, 61, 59.5][i % 3],
         [0.25, None][i % 2], ["13800138000", "", None, "1234567"][i % 4], f"第{i}行,\"引号\"")
        for i in range(1234)
    ]  # fmt: skip
    keys = [c.key for c in columns]
    by_column, by_row = tmp_path / "a.csv", tmp_path / "b.csv"
    for unmask in (False, True):
        positional = Sheet("s", columns, iter(rows), len(rows), positional=True)
        write_csv(by_column, positional, zone=CALENDAR.zone, unmask=unmask)
        mapped = Sheet("s", columns, [dict(zip(keys, r, strict=True)) for r in rows], len(rows))
        write_csv(by_row, mapped, zone=CALENDAR.zone, unmask=unmask)
        assert by_column.read_bytes() == by_row.read_bytes()
        assert ("13800138000" in by_column.read_text(encoding="utf-8-sig")) == unmask
