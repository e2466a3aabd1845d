"""`callassist` / `python -m desktop`: parse arguments, then run the app or a subcommand.

The softphone hook (`callassist event …`) is dispatched before anything heavy is imported,
so it returns within the softphone's patience.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "event" in args[:3] and _subcommand(args) == "event":
        from desktop.hook import main as hook_main

        return hook_main(args)
    options = _plain_start(args) or _parser().parse_args(args)
    if options.command == "content":
        from pathlib import Path

        if options.content_command == "try":
            from desktop.paths import user_data_dir
            from desktop.services.content_try import run_try

            return run_try(
                options.texts,
                Path(options.pack) if options.pack else None,
                options.json,
                user_data_dir(options.data_dir) / "cache",
                sys.stdout,
                sys.stdout,
            )
        from desktop.core.content.check import run_check

        return run_check(Path(options.dir) if options.dir else None, sys.stdout)
    if options.command == "center":
        from desktop.center_cli import run_center

        return run_center(options, sys.stdout, sys.stderr)
    if options.command == "report" and options.report_command == "stats":
        from desktop.report import run_report

        return run_report(options, sys.stdout, sys.stderr)
    if options.command in ("lead", "report", "logs", "retention"):
        from desktop.lead_cli import run_command

        return run_command(options)
    if options.selftest:
        from desktop.selftest import run_selftest

        return run_selftest()
    from desktop.run import run

    return run(options)


def _plain_start(args: list[str]) -> argparse.Namespace | None:
    """The options of a plain start (`callassist [--data-dir DIR] [--demo] [--baresip
    HOST:PORT] [--selftest]`, how the app is started every morning), read without building
    the whole parser with every subcommand (~8 ms of each start, issue 16); None for
    anything else, which the full parser reads (and explains, for a mistake)."""
    values: dict[str, object] = {
        "data_dir": None,
        "demo": False,
        "baresip": None,
        "selftest": False,
        "command": None,
    }
    words = iter(args)
    for word in words:
        name, eq, value = word.partition("=")
        if name in ("--data-dir", "--baresip"):
            if not eq:
                value = next(words, "")
            if not value or value.startswith("-"):
                return None  # the full parser says what is missing
            values[name[2:].replace("-", "_")] = value
        elif word in ("--demo", "--selftest"):
            values[word[2:]] = True
        else:
            return None
    return argparse.Namespace(**values)


def _subcommand(args: list[str]) -> str | None:
    """The first word that is not an option or an option's value."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("--data-dir", "--baresip"):
            skip = True
            continue
        if not arg.startswith("-"):
            return arg
    return None


def _event_help() -> str:
    from desktop.core.call_events import EVENT_KIND_HELP

    lines = [f"  {kind:<9} {text}" for kind, text in EVENT_KIND_HELP.items()]
    return (
        "softphone hook events:\n"
        "  callassist event KIND [--name NAME] [--call-id ID] NUMBER\n"
        "event kinds:\n" + "\n".join(lines)
    )


def _parser() -> argparse.ArgumentParser:
    from desktop.core.call_events import EVENT_KINDS

    parser = argparse.ArgumentParser(
        prog="callassist",
        description="坐席助手 (Call Assistant): an offline guide beside the softphone",
        epilog=_event_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir", help="data directory (default: CALLASSIST_DATA_DIR or the user's data dir)"
    )
    parser.add_argument("--demo", action="store_true", help="run on the bundled demo data")
    parser.add_argument(
        "--baresip", metavar="HOST:PORT", help="connect to baresip's ctrl_tcp (default port 4444)"
    )
    parser.add_argument("--selftest", action="store_true", help="check the installation and exit")
    sub = parser.add_subparsers(dest="command")
    content = sub.add_parser("content", help="content pack tools")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="validate a content pack and list every problem")
    check.add_argument("dir", nargs="?", help="pack directory (default: the bundled zh_CN pack)")
    try_ = content_sub.add_parser(
        "try", help="show the intent suggestions, complaint signals and phrase hits for texts"
    )
    try_.add_argument("--pack", metavar="DIR", help="pack directory (default: the bundled one)")
    try_.add_argument("--json", action="store_true", help="one JSON object per text")
    try_.add_argument("texts", nargs="+", metavar="TEXT", help="what the caller or agent says")
    sub.add_parser(
        "event",
        help=f"softphone hook: callassist event {'|'.join(EVENT_KINDS)} NUMBER",
        description=_event_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from desktop.report import add_parser as add_report_parser

    report_sub = add_report_parser(sub)
    from desktop.lead_cli import add_parsers

    add_parsers(sub, report_sub)
    from desktop.center_cli import add_parser as add_center_parser

    add_center_parser(sub)
    review = sub.add_parser(
        "review",
        help="open the lead's review window (组长复盘) on a database",
        description="Start the assistant and open the review window on DB: the center's "
        "PostgreSQL database (postgresql://USER@HOST[:PORT]/DB, no password: libpq reads it "
        "from PGPASSWORD, .pgpass or a service file) or a SQLite file (a lead's merged copy). "
        "Without --db: the saved center, else this data dir's own database.",
    )
    review.add_argument("--db", metavar="postgresql://…|FILE", default="")
    return parser


if __name__ == "__main__":
    sys.exit(main())
