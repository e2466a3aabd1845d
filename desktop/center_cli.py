"""`callassist center init URL`, `callassist center import --into URL FILE…` (the same as
`callassist logs import --into URL FILE…` once the lead CLI routes `--into` here) and
`callassist center team URL AGENT TEAM [NAME]`.

URL is `postgresql://USER@HOST[:PORT]/DB` with no password: libpq reads it from PGPASSWORD,
~/.pgpass (PGPASSFILE) or a service file. Exit codes: 0 done, 1 some bundles refused,
2 bad arguments (e.g. a password in the URL), 3 the center failed (down, login, newer schema,
lost connection): nothing was written by the failing step.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

REFUSED, BAD_ARGUMENTS, CENTER_FAILED = 1, 2, 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    center = sub.add_parser("center", help="the call center's PostgreSQL database")
    center_sub = center.add_subparsers(dest="center_command", required=True)
    init = center_sub.add_parser("init", help="create or migrate the center schema")
    init.add_argument("url", metavar="postgresql://USER@HOST[:PORT]/DB")
    imp = center_sub.add_parser("import", help="load log bundles into the center database")
    imp.add_argument("--into", required=True, metavar="postgresql://USER@HOST[:PORT]/DB")
    imp.add_argument("files", nargs="+", metavar="FILE")
    team = center_sub.add_parser("team", help="put an agent in a team")
    team.add_argument("url")
    team.add_argument("agent")
    team.add_argument("team")
    team.add_argument("name", nargs="?", default="")


def run_center(options: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from desktop.services.center.connection import CenterError, check_url

    url = options.url if options.center_command != "import" else options.into
    try:
        check_url(url)
    except CenterError as exc:
        print(f"callassist center: {exc.message}", file=stderr)
        return BAD_ARGUMENTS
    try:
        if options.center_command == "init":
            return _init(url, stdout)
        if options.center_command == "team":
            return _team(url, options, stdout)
        return import_into(url, [Path(f) for f in options.files], stdout, stderr)
    except CenterError as exc:
        print(f"callassist center: {exc.message}", file=stderr)
        return CENTER_FAILED


def _init(url: str, stdout: TextIO) -> int:
    from desktop.services.center.connection import connect, safe_url
    from desktop.services.center.schema import migrate

    with connect(url) as conn:
        old, new = migrate(conn)
    if old == new:
        print(f"中心数据库已是最新版本 {new}：{safe_url(url)}", file=stdout)
    else:
        print(f"中心数据库结构已从版本 {old} 升级到 {new}：{safe_url(url)}", file=stdout)
    return 0


def _team(url: str, options: argparse.Namespace, stdout: TextIO) -> int:
    from desktop.services.center.connection import connect
    from desktop.services.center.schema import check_version
    from desktop.services.center.teams import assign_team

    with connect(url) as conn:
        check_version(conn)
        assign_team(conn, options.agent, options.team, options.name)
    print(f"坐席 {options.agent} 已归入班组 {options.team}", file=stdout)
    return 0


def import_into(url: str, files: list[Path], stdout: TextIO, stderr: TextIO) -> int:
    """`logs import --into URL FILE…` (and `center import`): each bundle in its own
    transaction; a bad URL or an unreachable center is one line on stderr, no traceback."""
    from desktop.services.center.connection import CenterError, check_url
    from desktop.services.center.importer import import_files

    try:
        check_url(url)
    except CenterError as bad:
        print(f"callassist logs import: {bad.message}", file=stderr)
        return BAD_ARGUMENTS
    try:
        _reports, refused = import_files(url, files, lambda line: print(line, file=stdout))
    except CenterError as failed:
        print(f"callassist logs import: {failed.message}", file=stderr)
        return CENTER_FAILED
    for reason in refused:
        print(f"callassist logs import: {reason}", file=stderr)
    return REFUSED if refused else 0
