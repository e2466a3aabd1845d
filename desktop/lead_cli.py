"""The lead's command line: `lead reset-pin`, `report calls|stats`, `logs export|import`,
`retention purge`. No Qt. Reports from the command line always write masked numbers."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # the parser is built at every start: the services load only when run
    from desktop.core.clock import Clock

FORMATS = ("csv", "xlsx")
COMMANDS = ("lead", "report", "logs", "retention")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def add_parsers(sub: argparse._SubParsersAction, report_sub: argparse._SubParsersAction) -> None:
    """Add the lead's subcommands to the main `callassist` parser (`report calls` joins the
    review's `report stats`, whose csv/xlsx formats come here through report_stats_file)."""

    def data_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", dest="cmd_data_dir", help="data directory of the database")

    lead = sub.add_parser("lead", help="lead mode tools")
    lead_sub = lead.add_subparsers(dest="lead_command", required=True)
    reset = lead_sub.add_parser("reset-pin", help="forget the lead PIN (the next use sets one)")
    data_dir(reset)

    p = report_sub.add_parser("calls", help="the calls of a period (masked numbers)")
    p.add_argument("--from", dest="date_from", type=_day, required=True)
    p.add_argument("--to", dest="date_to", type=_day, required=True)
    p.add_argument("--agent", help="only this agent id")
    p.add_argument("--intent", help="only this call type (inquiry, complaint, …)")
    p.add_argument("--status", help="only this status (completed, missed, …)")
    p.add_argument("--outcome", help="only this outcome (resolved, follow_up, …)")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--out", type=Path, required=True)
    data_dir(p)

    logs = sub.add_parser("logs", help="log bundles: export this agent's log, import bundles")
    logs_sub = logs.add_subparsers(dest="logs_command", required=True)
    export = logs_sub.add_parser("export", help="write this agent's log bundle")
    export.add_argument("--out", type=Path, required=True)
    export.add_argument("--since", type=_day, help="only calls from this local date on")
    data_dir(export)
    imp = logs_sub.add_parser(
        "import", help="merge bundles into this database, or --into a center database"
    )
    imp.add_argument(
        "--into",
        metavar="postgresql://USER@HOST[:PORT]/DB",
        help="load into the center's PostgreSQL database instead (password from PGPASSWORD, "
        ".pgpass or a service file, never on the command line)",
    )
    imp.add_argument("files", nargs="+", type=Path)
    data_dir(imp)

    retention = sub.add_parser("retention", help="remove notes and calls older than kept")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True)
    pur = retention_sub.add_parser("purge", help="apply the retention settings now")
    pur.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    data_dir(pur)


def run_command(
    options: argparse.Namespace, out: TextIO = sys.stdout, clock: Clock | None = None
) -> int:
    from db import StorageError, open_db
    from desktop import paths
    from desktop.core.calendar import calendar_from_settings
    from desktop.core.clock import SystemClock
    from desktop.services.audit import AuditLog
    from desktop.services.lead.bundle import export_bundle
    from desktop.services.lead.export import ExportError
    from desktop.services.lead.pin import LeadPin
    from desktop.services.lead.reports import CallQuery, export_calls, record_export
    from desktop.services.lead.retention import purge
    from desktop.services.settings import SettingsStore

    if options.command == "logs" and options.logs_command == "import" and options.into:
        from desktop.center_cli import import_into

        return import_into(options.into, [Path(f) for f in options.files], sys.stdout, sys.stderr)
    clock = clock or SystemClock()
    data_dir = paths.DataDir(paths.user_data_dir(options.cmd_data_dir or options.data_dir))
    if options.command == "logs" and options.logs_command == "export" and not data_dir.db.exists():
        print(f"找不到数据库：{data_dir.db}", file=sys.stderr)
        return 2
    try:
        db = open_db(data_dir.db)
    except StorageError as exc:
        print(f"坐席助手：无法打开数据库\n{exc.user_text()}", file=sys.stderr)
        return 3
    try:
        settings = SettingsStore(db).current
        audit = AuditLog(db, clock, actor=settings.agent_id)
        calendar = calendar_from_settings(settings)
        if options.command == "lead":
            had = LeadPin(db, clock, audit).reset(via="cli")
            print(
                "组长 PIN 已清除，下次进入组长模式时设置新 PIN。" if had else "尚未设置组长 PIN。",
                file=out,
            )
            return 0
        if options.command == "report":
            query = CallQuery(
                options.date_from,
                options.date_to,
                options.agent,
                options.intent,
                options.status,
                options.outcome,
            )
            try:
                result = export_calls(
                    db, options.out, options.format, query, calendar,
                    now=clock.now(), pack=_pack(data_dir.db),
                )  # fmt: skip
            except (ExportError, ValueError) as exc:
                print(f"报表未生成：{exc}", file=sys.stderr)
                return 1
            record_export(audit, result, via="cli")
            rows = sum(result.rows.values())
            print(f"已写入 {options.out}（{rows} 行，号码已脱敏）", file=out)
            return 0
        if options.command == "logs" and options.logs_command == "export":
            try:
                summary = export_bundle(
                    data_dir.db, options.out, clock, calendar, since=options.since
                )
            except ExportError as exc:
                print(f"数据包未生成：{exc}", file=sys.stderr)
                return 1
            audit.record(
                "bundle.export",
                "bundle",
                options.out.name,
                rows=summary.rows,
                since=options.since.isoformat() if options.since else "",
            )
            counts = "，".join(f"{t} {n}" for t, n in summary.rows.items())
            print(f"已写入数据包 {options.out}：{counts}", file=out)
            if summary.other_agents:
                left = "，".join(f"工号 {a}：{n} 条" for a, n in summary.other_agents.items())
                print(
                    f"注意：本数据库中另有其他工号的通话未导出（{left}）；本机工号为 "
                    f"{summary.agent_id}，如工号曾修改，请在设置中核对。",
                    file=sys.stderr,
                )
            return 0
        if options.command == "logs":
            return _import(db, data_dir, audit, options.files, out)
        purged = purge(db, clock, audit, dry_run=options.dry_run, via="cli")
        print(purged.message, file=out)
        return 0
    finally:
        db.close()


def report_stats_file(options: argparse.Namespace, db_file: Path, out: TextIO, err: TextIO) -> int:
    """`report stats --format csv|xlsx --out FILE` (the review's command, this issue's files)."""
    from db import StorageError, open_db
    from desktop.core.calendar import calendar_from_settings, is_known_zone
    from desktop.core.clock import SystemClock
    from desktop.services.audit import AuditLog
    from desktop.services.lead.export import ExportError
    from desktop.services.lead.reports import CallQuery, StatsInputs, export_stats, record_export
    from desktop.services.settings import SettingsStore

    clock = SystemClock()
    try:
        db = open_db(db_file)
    except StorageError as exc:
        print(f"callassist report stats: {exc.user_text()}", file=err)
        return 3
    try:
        settings = SettingsStore(db).current
        calendar = calendar_from_settings(settings)
        if getattr(options, "tz", None):  # the zone `report stats` (JSON) reports in, too
            if not is_known_zone(options.tz):
                print(f"callassist report stats: 未知的时区：{options.tz}", file=err)
                return 2
            calendar = dataclasses.replace(calendar, zone_name=options.tz)
        try:
            first, last = _day(options.date_from), _day(options.date_to)
        except argparse.ArgumentTypeError as exc:
            print(f"callassist report stats: {exc}", file=err)
            return 2
        query = CallQuery(first, last, options.agent)
        inputs = StatsInputs.of(_pack(db_file), clock.now())
        try:
            result = export_stats(
                db, Path(options.out), options.format, query, calendar, inputs=inputs
            )
        except ExportError as exc:
            print(f"报表未生成：{exc}", file=err)
            return 1
        record_export(AuditLog(db, clock, actor=settings.agent_id), result, via="cli")
    finally:
        db.close()
    print(f"已写入 {options.out}（{sum(result.rows.values())} 行）", file=out)
    return 0


def _pack(db_file: Path) -> Any:
    """The pack the agent uses (its checklists say which steps are required), as
    `report stats` reads it."""
    from desktop.report import _pack as pack_of

    return pack_of(db_file)


def _import(db: Any, data_dir: Any, audit: Any, files: list[Path], out: TextIO) -> int:
    from desktop.services.lead.bundle import BundleError, import_bundle

    refused = 0
    for path in files:
        try:
            report = import_bundle(db, path, audit, target_file=data_dir.db)
        except BundleError as exc:
            if exc.skipped:
                print(f"已跳过 {exc}", file=out)
            else:
                refused += 1
                print(f"未导入 {exc}", file=sys.stderr)
            continue
        print(f"已导入 {path.name}（坐席 {report.agent_id}）：", file=out)
        for line in report.lines():
            print(line, file=out)
    return 1 if refused else 0
