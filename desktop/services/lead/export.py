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
import itertools
import os
import re
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
    in_xlsx: bool = True  # False: CSV only (machine keys a workbook reader does not need)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(slots=True)
class Sheet:
    name: str  # the xlsx sheet name (≤ 31 characters)
    columns: Sequence[Column]
    rows: Iterable[Any]  # mappings by column key, or sequences in column order if positional
    total: int = 0  # rows expected, for progress (0 = unknown)
    notes: Sequence[str] = field(default_factory=tuple)  # lines written above the header
    positional: bool = False  # rows are sequences in column order (fast), not mappings


class ExportError(Exception):
    """An export that could not be written; `str()` is the user's message (Chinese)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}：{reason}")
        self.path = path
        self.reason = reason


EXCEL_EPOCH = datetime(1899, 12, 30)


class LocalTimes:
    """Stored ISO UTC text → the agent's local time, fast: the zone's offset is looked up once
    per UTC hour (offsets change on hour boundaries), and for whole-hour offsets the text and
    Excel forms are built from the cached hour plus the minutes and seconds of the text."""

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self._offsets: dict[str, timedelta] = {}
        self._text_hours: dict[str, str | None] = {}
        self._serial_hours: dict[str, float | None] = {}

    def _offset(self, hour: str, naive: datetime) -> timedelta:
        offset = self._offsets.get(hour)
        if offset is None:
            offset = naive.replace(tzinfo=UTC).astimezone(self._zone).utcoffset() or timedelta()
            self._offsets[hour] = offset
        return offset

    def __call__(self, iso: str | None) -> datetime | None:
        if not iso:
            return None
        try:
            naive = datetime.fromisoformat(iso[:23])
        except ValueError:
            return None
        return naive + self._offset(iso[:13], naive)

    def text(self, iso: str | None) -> str:
        """`YYYY-MM-DD HH:MM:SS` in the agent's zone; "" for none."""
        if not iso:
            return ""
        hour = iso[:13]
        prefix = self._text_hours.get(hour, "")
        if prefix == "":
            local = self(hour + ":00:00")
            whole = local is not None and self._offsets[hour].seconds % 3600 == 0
            prefix = local.strftime("%Y-%m-%d %H") if whole and local else None
            self._text_hours[hour] = prefix
        if prefix is not None and len(iso) >= 19:
            return prefix + iso[13:19]
        local = self(iso)
        return local.strftime(CSV_DATETIME) if local else ""

    def serial(self, iso: str | None) -> float | None:
        """The Excel date number (days since 1899-12-30) of the local time; None for none."""
        if not iso:
            return None
        hour = iso[:13]
        base = self._serial_hours.get(hour, -1.0)
        if base == -1.0:
            local = self(hour + ":00:00")
            whole = local is not None and self._offsets[hour].seconds % 3600 == 0
            base = (local - EXCEL_EPOCH).total_seconds() / 86400.0 if whole and local else None
            self._serial_hours[hour] = base
        if base is not None and len(iso) >= 19:
            try:
                return base + (int(iso[14:16]) * 60 + float(iso[17:23].rstrip("Z"))) / 86400.0
            except ValueError:
                return None
        local = self(iso)
        return (local - EXCEL_EPOCH).total_seconds() / 86400.0 if local else None


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


DISK_FULL = "磁盘空间不足（或文件超出允许的大小），导出未完成（未留下不完整的文件）"


def _os_reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return DISK_FULL
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "没有写入权限（文件可能正在 Excel 中打开，或文件夹只读）"
    return f"写入失败：{exc.strerror or exc}"


def _mask(value: Any) -> str:
    return mask_number(value) if value else ""


def _cell_converter(
    column: Column, times: LocalTimes, unmask: bool, for_csv: bool
) -> Callable[[Any], Any] | None:
    """How one column's stored value becomes a cell; None = as it is (text, numbers)."""
    kind = column.kind
    if column.labels is not None:
        labels = column.labels
        return lambda v: labels.get(v, v) if v is not None else None
    if kind == "phone":
        return None if unmask else _mask
    if kind == "datetime":
        return times.text if for_csv else times.serial
    if kind == "duration":
        if for_csv:
            return lambda v: None if v is None else round(v)
        return lambda v: None if v is None else v / 86400.0  # Excel time: days
    if kind == "percent" and for_csv:
        return lambda v: None if v is None else round(float(v) * 100, 1)
    return None


def _row_reader(
    sheet: Sheet, times: LocalTimes, unmask: bool, for_csv: bool
) -> Callable[[Any], list[Any]]:
    """A function turning one input row (a sequence in column order when `sheet.positional`,
    else a mapping) into the list of cell values."""
    keys = [c.key for c in sheet.columns]
    converters = [
        (i, f)
        for i, c in enumerate(sheet.columns)
        if (f := _cell_converter(c, times, unmask, for_csv)) is not None
    ]

    def read(row: Any) -> list[Any]:
        values = list(row) if sheet.positional else [row.get(k) for k in keys]
        for index, convert in converters:
            values[index] = convert(values[index])
        return values

    return read


def _sliced(rows: Iterable[Any], total: int, progress: Progress | None, text: str) -> Iterator[Any]:
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
    read = _row_reader(sheet, times, unmask, True)
    count = 0
    with (
        atomic_output(path) as temp,
        open(temp, "w", encoding="utf-8-sig", newline="") as handle,
    ):
        writer = csv.writer(handle)
        for line in sheet.notes:
            writer.writerow([line])
        writer.writerow([c.title + _unit(c) for c in sheet.columns])
        convert = _batch_converter(sheet, times, unmask) if sheet.positional else None
        for batch in _batches(_sliced(sheet.rows, sheet.total, progress, sheet.name)):
            writer.writerows(convert(batch) if convert else map(read, batch))
            count += len(batch)
    return count


def _batch_converter(
    sheet: Sheet, times: LocalTimes, unmask: bool = False
) -> Callable[[list[Any]], Iterable[Sequence[Any]]]:
    """Positional rows converted a column at a time (`map` runs the loop in C; labels need
    no Python call at all): the CSV writer's cells, as `_row_reader` makes them."""
    plans: list[tuple[int, Callable[..., Any], bool]] = []
    for index, column in enumerate(sheet.columns):
        if column.labels is not None:
            plans.append((index, column.labels.get, True))  # get(v, v): unknown values stay
        elif (f := _cell_converter(column, times, unmask, True)) is not None:
            plans.append((index, f, False))

    def convert(batch: list[Any]) -> Iterable[Sequence[Any]]:
        columns: list[Any] = list(zip(*batch, strict=True))
        for index, f, twice in plans:
            cells = columns[index]
            columns[index] = list(map(f, cells, cells) if twice else map(f, cells))
        return zip(*columns, strict=True)

    return convert


def _batches(rows: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    """Rows in lists of `size`: the csv writer then loops in C."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


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


def _xlsx_columns_only(sheet: Sheet) -> Sheet:
    keep = [i for i, c in enumerate(sheet.columns) if c.in_xlsx]
    columns = [sheet.columns[i] for i in keep]
    if sheet.positional:
        rows: Iterable[Any] = ([row[i] for i in keep] for row in sheet.rows)
    else:
        rows = sheet.rows
    return Sheet(sheet.name, columns, rows, sheet.total, sheet.notes, sheet.positional)


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
    if not all(c.in_xlsx for c in sheet.columns):
        sheet = _xlsx_columns_only(sheet)
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
    read = _row_reader(sheet, times, unmask, False)
    kinds = []
    for index, column in enumerate(columns):
        numeric = column.kind in ("datetime", "duration", "int", "float", "percent")
        kinds.append((index, numeric and column.labels is None, formats.get(column.kind)))
    rows = _sliced(sheet.rows, sheet.total, progress, sheet.name)
    fast = RowXml.of(ws, kinds, first + 1)
    if fast is not None:
        return fast.write(map(read, rows))
    # the undecorated writers: the public ones re-check their arguments on each of ~1M cells
    write_string = getattr(ws, "_write_string", ws.write_string)
    write_number = getattr(ws, "_write_number", ws.write_number)
    row_index = first
    count = 0
    for row in rows:
        row_index += 1
        count += 1
        values = read(row)
        for index, numeric, fmt in kinds:
            value = values[index]
            if value is None or value == "":
                continue
            if numeric and isinstance(value, int | float):
                write_number(row_index, index, value, fmt)
            else:
                write_string(row_index, index, str(value))
    return count


# Text that XlsxWriter would change before writing it: XML specials, control characters,
# its own _xHHHH_ escapes, or whitespace at either end (kept with xml:space="preserve").
_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|^\s|\s$")


class RowXml:
    """The data rows of a constant_memory worksheet, written as the very XML XlsxWriter's own
    cell path writes (`<row r=…><c r=… s=…><v>…</v></c>…`), one string per row.

    XlsxWriter stores each cell, then renders it through generic, per-cell attribute and
    escaping code: ~25 µs a cell, 30 s for 100,000 calls, holding the GIL all along. The
    workbook, its styles, the sheet around the rows and the zip are still XlsxWriter's; a
    test holds this path to produce byte for byte what XlsxWriter's cell writer produces.
    `of()` returns None (the caller uses the cell writer) when the worksheet is not what this
    expects (another XlsxWriter)."""

    def __init__(self, ws: Any, cells: list[tuple[int, str, Any, bool]], first_row: int) -> None:
        self._ws = ws
        self._cells = cells
        self._first_row = first_row

    @classmethod
    def of(cls, ws: Any, kinds: Sequence[tuple[int, bool, Any]], first_row: int) -> RowXml | None:
        needed = ("fh", "table", "previous_row", "_write_single_row", "_check_dimensions",
                  "_escape_control_characters", "_escape_data", "constant_memory")  # fmt: skip
        if not all(hasattr(ws, name) for name in needed) or not ws.constant_memory:
            return None
        from xlsxwriter.utility import xl_col_to_name

        cells = [(index, xl_col_to_name(index), fmt, numeric) for index, numeric, fmt in kinds]
        return cls(ws, cells, first_row)

    def _text(self, text: str) -> tuple[str, str]:
        """(escaped text, the <t> attribute), as XlsxWriter's inline strings have them."""
        if not _NEEDS_CARE.search(text):
            return text, ""
        from xlsxwriter.utility import _preserve_whitespace

        text = self._ws._escape_control_characters(text)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        return self._ws._escape_data(text), preserve

    def write(self, rows: Iterable[list[Any]]) -> int:
        """Write each row (cell values in column order) below the header; returns the rows."""
        ws = self._ws
        ws._write_single_row(self._first_row)  # the header and notes above, as buffered
        write = ws.fh.write
        cells = self._cells
        # a format's number in the workbook is given on its first use, so it is asked for
        # where XlsxWriter would ask: at the column's first written cell
        styles: list[str | None] = [None] * (max((c[0] for c in cells), default=-1) + 1)
        number = self._first_row - 1
        last_row = last_col = -1
        for values in rows:
            number += 1
            r = str(number + 1)
            parts = []
            for index, letter, fmt, numeric in cells:
                value = values[index]
                if value is None or value == "":
                    continue
                last_col = max(last_col, index)
                style = styles[index]
                if style is None:
                    style = styles[index] = f' s="{fmt._get_xf_index()}"' if fmt else ""
                if numeric and isinstance(value, int | float):
                    parts.append(f'<c r="{letter}{r}"{style}><v>{value:.16G}</v></c>')
                else:
                    text, preserve = self._text(str(value))
                    parts.append(
                        f'<c r="{letter}{r}"{style} t="inlineStr"><is><t{preserve}>{text}'
                        "</t></is></c>"
                    )
            if parts:
                last_row = number
                write(f'<row r="{r}">{"".join(parts)}</row>')
        if last_row >= 0:  # the sheet's <dimension>, as the cell writer would have kept it
            ws._check_dimensions(last_row, last_col)
        ws.previous_row = number + 1  # nothing of ours is left buffered for XlsxWriter
        return number - self._first_row + 1
