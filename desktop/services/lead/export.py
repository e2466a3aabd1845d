"""Writers for what leaves the desk as a file: CSV (UTF-8 with BOM, so Excel in Chinese opens
it right) and real .xlsx (XlsxWriter, constant_memory). No Qt.

A writer gets `Sheet`s (a name, column specs and an iterable of row dicts), masks every phone
column unless told otherwise, converts stored UTC timestamps to the agent's zone, and reports
progress / honours cancel between slices. Output goes to a temporary name in the target folder
and is renamed only once complete, so a cancelled, failed or disk-full export leaves nothing
under the final name.
"""

from __future__ import annotations

import csv
import errno
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from desktop.core.privacy import mask_number
from desktop.core.progress import Progress

SLICE = 2000  # rows between progress reports / cancel checks
CSV_DATETIME = "%Y-%m-%d %H:%M:%S"

KINDS = ("text", "phone", "datetime", "duration", "int", "float", "percent")


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    kind: str = "text"  # one of KINDS
    width: float = 12
    labels: Mapping[str, str] | None = None  # stored value → what the sheet shows

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(slots=True)
class Sheet:
    name: str  # the xlsx sheet name (≤ 31 characters)
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any]]
    total: int = 0  # rows expected, for progress (0 = unknown)
    notes: Sequence[str] = field(default_factory=tuple)  # lines written above the header


class ExportError(Exception):
    """An export that could not be written; `str()` is the user's message (Chinese)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}：{reason}")
        self.path = path
        self.reason = reason


class LocalTimes:
    """Stored ISO UTC text → naive local datetimes in the agent's zone, fast: the zone's offset
    is looked up once per UTC hour (zone offsets change on hour boundaries)."""

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self._offsets: dict[str, timedelta] = {}

    def __call__(self, iso: str | None) -> datetime | None:
        if not iso:
            return None
        try:
            naive = datetime.fromisoformat(iso[:23])
        except ValueError:
            return None
        hour = iso[:13]
        offset = self._offsets.get(hour)
        if offset is None:
            offset = naive.replace(tzinfo=UTC).astimezone(self._zone).utcoffset() or timedelta()
            self._offsets[hour] = offset
        return naive + offset


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it to `path` only if the block succeeds.
    Any failure (cancel, error, full disk) removes the temporary file; an OSError becomes an
    ExportError with a message for the user."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(path, "目标文件夹不存在")
    temp = folder / f".{path.name}.{secrets.token_hex(4)}.part"
    try:
        yield temp
        os.replace(temp, path)
    except OSError as exc:
        _remove(temp)
        raise ExportError(path, _os_reason(exc)) from exc
    except BaseException:
        _remove(temp)
        raise


def _remove(temp: Path) -> None:
    with suppress(OSError):
        temp.unlink(missing_ok=True)


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足，导出未完成（未留下不完整的文件）"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "没有写入权限（文件可能正在 Excel 中打开，或文件夹只读）"
    return f"写入失败：{exc.strerror or exc}"


def _mask(value: Any) -> str:
    return mask_number(value) if value else ""


def _cell_converter(
    column: Column, times: LocalTimes, unmask: bool, for_csv: bool
) -> Callable[[Any], Any]:
    kind = column.kind
    if column.labels is not None:
        labels = column.labels
        return lambda v: labels.get(v, v or "") if v is not None else ""
    if kind == "phone":
        return (lambda v: v or "") if unmask else _mask
    if kind == "datetime":
        if for_csv:
            return lambda v: t.strftime(CSV_DATETIME) if (t := times(v)) else ""
        return times
    if kind == "duration":
        if for_csv:
            return lambda v: "" if v is None else round(v)
        return lambda v: None if v is None else float(v) / 86400.0  # Excel time: days
    if kind == "percent" and for_csv:
        return lambda v: "" if v is None else round(float(v) * 100, 1)
    return lambda v: "" if v is None else v


def _sliced(
    rows: Iterable[Mapping[str, Any]], total: int, progress: Progress | None, text: str
) -> Iterator[Mapping[str, Any]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if progress is not None and done % SLICE == 0:
            progress.check()
            progress.report(done, total, text)
    if progress is not None:
        progress.check()
        progress.report(done, max(total, done), text)


def write_csv(
    path: Path,
    sheet: Sheet,
    *,
    zone: tzinfo,
    unmask: bool = False,
    progress: Progress | None = None,
) -> int:
    """One sheet as CSV, UTF-8 with BOM, dates as `YYYY-MM-DD HH:MM:SS` in `zone`, durations in
    seconds, percentages as numbers (45.5 = 45.5 %). Returns the rows written."""
    times = LocalTimes(zone)
    converters = [(c.key, _cell_converter(c, times, unmask, True)) for c in sheet.columns]
    count = 0
    with (
        atomic_output(path) as temp,
        open(temp, "w", encoding="utf-8-sig", newline="") as handle,
    ):
        writer = csv.writer(handle)
        for line in sheet.notes:
            writer.writerow([line])
        writer.writerow([c.title + _unit(c) for c in sheet.columns])
        for row in _sliced(sheet.rows, sheet.total, progress, sheet.name):
            writer.writerow([convert(row.get(key)) for key, convert in converters])
            count += 1
    return count


def _unit(column: Column) -> str:
    if column.kind == "duration":
        return "（秒）"
    if column.kind == "percent":
        return "（%）"
    return ""


def write_xlsx(
    path: Path,
    sheets: Sequence[Sheet],
    *,
    zone: tzinfo,
    unmask: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """A workbook with one worksheet per Sheet (constant_memory: rows stream to disk), the
    header row frozen, column widths set, dates as Excel dates in `zone`, durations as
    h:mm:ss. Returns rows written per sheet."""
    import xlsxwriter  # imported here: only exports need it

    times = LocalTimes(zone)
    counts: dict[str, int] = {}
    with atomic_output(path) as temp:
        book = xlsxwriter.Workbook(
            str(temp),
            {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False},
        )
        try:
            header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
            formats = {
                "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
                "duration": book.add_format({"num_format": "[h]:mm:ss"}),
                "percent": book.add_format({"num_format": "0.0%"}),
                "float": book.add_format({"num_format": "0.0"}),
            }
            for sheet in sheets:
                counts[sheet.name] = _write_sheet(
                    book, sheet, header, formats, times, unmask, progress
                )
        except BaseException:
            _close_quietly(book)
            raise
        book.close()
    return counts


def _close_quietly(book: Any) -> None:
    with suppress(Exception):
        book.close()


def _write_sheet(
    book: Any,
    sheet: Sheet,
    header: Any,
    formats: Mapping[str, Any],
    times: LocalTimes,
    unmask: bool,
    progress: Progress | None,
) -> int:
    ws = book.add_worksheet(sheet.name[:31])
    columns = list(sheet.columns)
    for index, column in enumerate(columns):
        ws.set_column(index, index, column.width, formats.get(column.kind))
    first = 0
    for line in sheet.notes:
        ws.write_string(first, 0, line)
        first += 1
    for index, column in enumerate(columns):
        ws.write_string(first, index, column.title, header)
    ws.freeze_panes(first + 1, 0)
    plan = []
    for index, column in enumerate(columns):
        convert = _cell_converter(column, times, unmask, False)
        fmt = formats.get(column.kind)
        numeric = column.kind in ("duration", "int", "float", "percent") and column.labels is None
        plan.append((index, column.key, convert, fmt, column.kind == "datetime", numeric))
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
    row_index = first
    count = 0
    for row in _sliced(sheet.rows, sheet.total, progress, sheet.name):
        row_index += 1
        count += 1
        for index, key, convert, fmt, is_date, numeric in plan:
            value = convert(row.get(key))
            if value is None or value == "":
                continue
            if is_date:
                write_datetime(row_index, index, value, fmt)
            elif numeric and isinstance(value, int | float):
                write_number(row_index, index, value, fmt)
            else:
                write_string(row_index, index, str(value))
    return count
