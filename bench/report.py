"""The figures the issue asks for, their targets, the printed table and the JSON file."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bench.common import Figures


@dataclass(frozen=True, slots=True)
class Spec:
    key: str
    label: str
    unit: str
    target: float | None = None  # None: reported, no target
    higher_is_better: bool = False

    def status(self, value: float | None) -> str:
        if value is None:
            return "missing"
        if self.target is None:
            return "-"
        ok = value >= self.target if self.higher_is_better else value <= self.target
        return "ok" if ok else "over"

    def target_text(self) -> str:
        if self.target is None:
            return "-"
        return (
            f"{'>=' if self.higher_is_better else '<='} {_number(self.target)} {self.unit}".strip()
        )


SPECS: tuple[Spec, ...] = (
    Spec("startup_s", "start-up, app (median)", "s"),
    Spec("bare_qt_startup_s", "start-up, bare QMainWindow (median)", "s"),
    Spec("startup_ratio", "start-up ratio app / bare", "x", 2.0),
    Spec("bundle_startup_s", "start-up, packaged build (median)", "s"),
    Spec("bundle_startup_ratio", "start-up ratio packaged build / bare", "x", 2.0),
    Spec(
        "first_minute_stall_max_ms", "GUI thread stall, first frame to start-up work done", "ms", 50
    ),
    Spec("intent_switch_startup_p99_ms", "intent switch during start-up work (p99)", "ms", 16),
    Spec("suggest_startup_p99_ms", "suggest per key during start-up work (p99)", "ms", 5),
    Spec("intent_switch_p99_ms", "intent switch, 500 scripts (p99)", "ms", 16),
    Spec("suggest_p99_ms", "suggest + phrase check per key (p99)", "ms", 5),
    Spec("script_search_p99_ms", "script search per key, 10k (p99)", "ms", 10),
    Spec("reminder_fire_late_ms", "reminder fires late (max)", "ms", 1000),
    Spec("reminder_load_10k_ms", "load + schedule 10k reminders", "ms", 200),
    Spec("popup_ms", "call event to caller history", "ms", 100),
    Spec("hook_return_ms", "hook command wall time", "ms", 150),
    Spec("bare_python_ms", "python -c pass wall time (median)", "ms"),
    Spec("hook_ratio", "hook / bare python", "x", 3.0),
    Spec("softphone_batch_max_ms", "softphone burst: longest GUI batch", "ms", 16),
    Spec("softphone_stall_max_ms", "softphone burst: longest GUI stall", "ms", 16),
    Spec("notes_search_1m_ms", "notes full-text search, 1M calls", "ms", 50),
    Spec("review_stats_1m_ms", "review statistics, one month, 1M calls", "ms", 300),
    Spec("review_first_page_1m_ms", "review browser first page, 1M calls", "ms", 100),
    Spec("review_filter_1m_ms", "review filter change (p99), 1M calls", "ms", 100),
    Spec("review_jump_1m_ms", "review jump to row 500,000", "ms", 100),
    Spec("review_notes_search_1m_ms", "review notes search in a month (p99)", "ms", 50),
    Spec("review_gui_block_max_ms", "review: GUI thread blocked (max)", "ms", 50),
    Spec("rss_idle_mb", "RSS idle, jieba loaded", "MB", 200),
    Spec("export_csv_100k_s", "export 100k calls to CSV", "s", 2),
    Spec("export_xlsx_100k_s", "export 100k calls to xlsx (+ statistics sheets)", "s", 15),
    Spec("export_gui_block_max_ms", "GUI thread stall during an export (max)", "ms", 50),
    Spec("bundle_export_100k_s", "write a log bundle of 100k calls", "s"),
    Spec("import_100k_s", "import a bundle of 100k calls", "s", 10),
    Spec("reimport_100k_s", "re-import the same bundle (nothing new)", "s", 3),
    Spec("remerge_100k_s", "merge it again, its import forgotten (every row compared)", "s"),
    Spec("center_stats_10m_ms", "center stats, one month, whole center", "ms", 2000),
    Spec("center_team_stats_10m_ms", "center stats, one month, one team", "ms", 300),
    Spec("center_first_page_10m_ms", "center browser first page", "ms", 150),
    Spec("center_import_100k_s", "center import, 100k-call bundle", "s", 10),
    # Accuracy targets: the floors tests/unit/core/text/test_intent_eval.py enforces.
    Spec("suggest_top1_acc", "intent suggester top-1 accuracy", "", 0.85, higher_is_better=True),
    Spec("suggest_top2_acc", "intent suggester top-2 accuracy", "", 0.95, higher_is_better=True),
    Spec(
        "suggest_heldout_top1_acc",
        "intent suggester top-1 accuracy, held-out set",
        "",
        0.85,
        higher_is_better=True,
    ),
    Spec(
        "suggest_heldout_top2_acc",
        "intent suggester top-2 accuracy, held-out set",
        "",
        0.95,
        higher_is_better=True,
    ),
    # Phrase checker targets: tests/unit/core/text/test_phrase_eval.py enforces them.
    Spec(
        "phrase_precision",
        "phrase checker precision, labelled lines",
        "",
        0.95,
        higher_is_better=True,
    ),
    Spec("phrase_recall", "phrase checker recall, labelled lines", "", 0.90, higher_is_better=True),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


def _number(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def print_table(figures: Figures, out: TextIO, mode: str = "") -> None:
    """Every known figure beside its target, then why missing ones are missing, then notes."""
    rows = [("figure", "value", "unit", "target", "status")]
    keys = [s.key for s in SPECS if s.key in figures] + [k for k in figures if k not in SPEC_BY_KEY]
    for key in keys:
        spec = SPEC_BY_KEY.get(key, Spec(key, key, ""))
        value = figures[key]
        rows.append(
            (
                key,
                "—" if value is None else _number(value),
                spec.unit,
                spec.target_text(),
                spec.status(value),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if mode:
        out.write(f"bench ({mode})\n")
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(width) if column == 1 else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.write("  ".join(cells).rstrip() + "\n")
        if index == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")
    missing = [(k, figures.reasons.get(k, "not measured")) for k in keys if figures[k] is None]
    if missing:
        out.write("\nmissing:\n")
        for key, reason in missing:
            out.write(f"  {key}: {reason}\n")
    if figures.notes:
        out.write("\nnotes:\n")
        for note in figures.notes:
            out.write(f"  {note}\n")


def write_json(figures: Figures, path: Path, mode: str) -> None:
    """Figures at the top level (null when missing), with the reasons and notes beside them."""
    data: dict = {
        key: (value if value is None or math.isfinite(value) else None)
        for key, value in figures.items()
    }
    data["_missing"] = {
        k: figures.reasons.get(k, "not measured") for k, v in figures.items() if v is None
    }
    data["_notes"] = figures.notes
    data["_mode"] = mode
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
