"""`callassist report stats`: the review's statistics for scripts and schedulers (cron, Windows
Task Scheduler). Opens the database read-only; JSON to stdout unless --out; exits non-zero
with a one-line reason on bad arguments or an unreadable database.

Exit codes: 0 done, 2 bad arguments (dates, zone, agent, format), 3 database unreadable.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

BAD_ARGUMENTS = 2
BAD_DATABASE = 3

# --format -> writer(stats, stream). csv and xlsx arrive with the export issue (12): add
# their writers here; binary formats need --out.
Writer = Callable[[dict[str, Any], TextIO], None]


def _write_json(stats: dict[str, Any], out: TextIO) -> None:
    json.dump(stats, out, ensure_ascii=False, indent=2)
    out.write("\n")


WRITERS: dict[str, Writer] = {"json": _write_json}
FORMATS = ("json", "csv", "xlsx")


def add_parser(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """`report stats`; returns the `report` subcommands so `report calls` joins them."""
    report = sub.add_parser("report", help="team-lead reports (read-only)")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    stats = report_sub.add_parser(
        "stats", help="statistics for a period (docs/metrics.md), JSON by default"
    )
    stats.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    stats.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    stats.add_argument("--agent", help="only this agent's calls")
    stats.add_argument("--tz", help="report time zone (default: the file's setting)")
    stats.add_argument("--format", choices=FORMATS, default="json")
    stats.add_argument("--out", help="write here instead of stdout")
    stats.add_argument("--data-dir", dest="report_data_dir", help="the agent's data directory")
    stats.add_argument(
        "--db",
        help="a database file (e.g. a lead's merged copy) or the center's "
        "postgresql://USER@HOST[:PORT]/DB (password from PGPASSWORD / .pgpass)",
    )
    stats.add_argument("--team", help="only this team's agents (center database only)")
    return report_sub


class _Fail(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code


def run_report(options: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        return _stats(options, stdout, stderr)
    except _Fail as fail:
        print(f"callassist report stats: {fail}", file=stderr)
        return fail.code


def _database_path(options: argparse.Namespace) -> Path:
    from desktop import paths

    if options.db:
        return Path(options.db).expanduser()
    return paths.DataDir(paths.user_data_dir(options.report_data_dir or options.data_dir)).db


def _stats(options: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from desktop.services.center.connection import is_center_url

    if is_center_url(options.db):
        return _center_stats(options, stdout, stderr)
    if getattr(options, "team", None):
        raise _Fail(BAD_ARGUMENTS, "--team 只用于中心数据库 / --team needs --db postgresql://…")
    from db import StorageError, connect
    from desktop.core.clock import SystemClock
    from desktop.services.review.period import Period, PeriodError
    from desktop.services.review.stats import checklists_from_pack, compute, known_agents

    if options.format in ("csv", "xlsx"):
        from desktop.lead_cli import report_stats_file

        if not options.out:
            raise _Fail(BAD_ARGUMENTS, f"--format {options.format} 需要 --out 文件 / needs --out")
        return report_stats_file(options, _database_path(options), stdout, stderr)
    writer = WRITERS.get(options.format)
    if writer is None:
        raise _Fail(
            BAD_ARGUMENTS,
            f"格式 {options.format} 尚未提供，请用 json / format {options.format} is not "
            "available yet, use json",
        )
    try:  # the arguments first: a bad date is named even when the file is missing too
        Period.parse(options.date_from, options.date_to, options.tz or "UTC")
    except PeriodError as exc:
        raise _Fail(BAD_ARGUMENTS, f"{exc} / bad --from, --to or --tz") from exc
    path = _database_path(options)
    if not path.is_file():
        raise _Fail(BAD_DATABASE, f"找不到数据库文件 / no database file: {path}")
    try:
        db = connect(path, readonly=True)
    except StorageError as exc:
        raise _Fail(BAD_DATABASE, f"{exc.message} / cannot read the database: {path}") from exc
    try:
        conn = db.conn
        try:
            settings = dict(conn.execute("SELECT key, value FROM settings").fetchall())
            agents = known_agents(conn)
        except Exception as exc:  # sqlite3.DatabaseError: not a callassist file
            raise _Fail(
                BAD_DATABASE, f"不是坐席助手的数据库 / not a Call Assistant database: {path}"
            ) from exc
        zone = options.tz or settings.get("timezone") or "Asia/Shanghai"
        try:
            period = Period.parse(options.date_from, options.date_to, zone)
        except PeriodError as exc:
            raise _Fail(BAD_ARGUMENTS, f"{exc} / bad --from, --to or --tz") from exc
        if options.agent is not None and options.agent not in agents:
            known = ", ".join(agents[:20]) or "—"
            raise _Fail(
                BAD_ARGUMENTS,
                f"数据库中没有坐席 {options.agent}（有：{known}） / unknown agent {options.agent}",
            )
        try:
            grace = timedelta(minutes=max(0, int(settings.get("grace_minutes", 15))))
        except ValueError:
            grace = timedelta(minutes=15)
        stats = compute(
            conn,
            period,
            agent=options.agent,
            checklists=checklists_from_pack(_pack(path)),
            grace=grace,
            now=SystemClock().now(),
        )
    finally:
        db.close()
    return _write(stats, writer, options, stdout, stderr)


def _write(
    stats: dict[str, Any],
    writer: Writer,
    options: argparse.Namespace,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    if not stats["calls"]:
        print("callassist report stats: 该时段没有通话 / no calls in this period", file=stderr)
    if options.out:
        try:
            with open(options.out, "w", encoding="utf-8") as out:
                writer(stats, out)
        except OSError as exc:
            raise _Fail(BAD_ARGUMENTS, f"无法写入 {options.out}：{exc.strerror}") from exc
    else:
        try:
            writer(stats, stdout)
            stdout.flush()
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            pass
    return 0


def _pack(db_file: Path) -> Any:
    """The content pack the agent uses: their data dir's edited pack when valid, else the
    bundled one (its checklists say which steps are required)."""
    from desktop import paths
    from desktop.services.content_service import ContentService

    return ContentService(paths.content_pack_dir(), db_file.parent).pack


def _center_stats(options: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """The same statistics over the center's PostgreSQL database (read-only session)."""
    from desktop import paths
    from desktop.core.clock import SystemClock
    from desktop.services.center.connection import CenterError, connect
    from desktop.services.center.dialect import POSTGRES
    from desktop.services.center.schema import check_version
    from desktop.services.center.teams import team_agents
    from desktop.services.content_service import ContentService
    from desktop.services.review.period import Period, PeriodError
    from desktop.services.review.stats import checklists_from_pack, compute, known_agents

    writer = WRITERS.get(options.format)
    if writer is None:
        raise _Fail(BAD_ARGUMENTS, f"格式 {options.format} 尚未提供，请用 json")
    try:
        period = Period.parse(options.date_from, options.date_to, options.tz or "Asia/Shanghai")
    except PeriodError as exc:
        raise _Fail(BAD_ARGUMENTS, f"{exc} / bad --from, --to or --tz") from exc
    try:
        with connect(options.db) as conn:
            check_version(conn)
            conn.read_only = True
            agents = None
            if options.team:
                agents = team_agents(conn, options.team)
                if not agents:
                    raise _Fail(BAD_ARGUMENTS, f"中心数据库中没有班组 {options.team} 或其没有坐席")
            if options.agent is not None and options.agent not in known_agents(conn, POSTGRES):
                raise _Fail(BAD_ARGUMENTS, f"中心数据库中没有坐席 {options.agent}")
            data = paths.user_data_dir(options.report_data_dir or options.data_dir)
            pack = ContentService(paths.content_pack_dir(), data).pack
            stats = compute(
                conn,
                period,
                agent=options.agent,
                agents=agents,
                checklists=checklists_from_pack(pack),
                now=SystemClock().now(),
                dialect=POSTGRES,
            )
            stats["period"]["team"] = options.team
    except CenterError as exc:
        raise _Fail(BAD_DATABASE, exc.message) from exc
    return _write(stats, writer, options, stdout, stderr)
