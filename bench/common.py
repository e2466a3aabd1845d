"""What every benchmark shares: its result type, the failure guard, child processes, stats.

Kept free of Qt, jieba and the app so that importing it (in the parent, and in a child whose
start-up is being timed) costs next to nothing.
"""

from __future__ import annotations

import functools
import json
import math
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# git-ignored: generated databases, jieba's cache; CALLASSIST_BENCH_DATA moves it (one folder
# shared by several checkouts, so a 1,000,000-call database is generated once)
DATA_DIR = Path(os.environ.get("CALLASSIST_BENCH_DATA") or REPO / "bench" / ".data")
RESULT_MARKER = "BENCH-RESULT "


class Figures(dict[str, float | None]):
    """One benchmark's figures by key; None means missing, and `reasons` says why.

    `notes` are short lines on how a figure was measured, printed below the table.
    """

    def __init__(self, keys: Iterable[str] = (), **values: float | None) -> None:
        super().__init__(dict.fromkeys(keys))
        self.update(values)
        self.reasons: dict[str, str] = {}
        self.notes: list[str] = []

    def miss(self, reason: str, keys: Iterable[str] | None = None) -> Figures:
        """Mark `keys` (default: every figure still None) missing for `reason`."""
        for key in list(self if keys is None else keys):
            if self.get(key) is None:
                self[key] = None
                self.reasons.setdefault(key, reason)
        return self

    def merge(self, other: Figures) -> Figures:
        self.update(other)
        self.reasons.update(other.reasons)
        self.notes.extend(other.notes)
        return self

    def to_json(self) -> dict:
        return {"figures": dict(self), "reasons": self.reasons, "notes": self.notes}

    @classmethod
    def from_json(cls, data: dict) -> Figures:
        out = cls(**data.get("figures", {}))
        out.reasons.update(data.get("reasons", {}))
        out.notes.extend(data.get("notes", []))
        return out


Benchmark = Callable[[bool], Figures]


def benchmark(*keys: str) -> Callable[[Callable[[bool], Figures]], Benchmark]:
    """Make `run(quick)` total: any exception, or a figure it did not produce, becomes a
    missing figure with a reason, never a zero."""

    def wrap(measure: Callable[[bool], Figures]) -> Benchmark:
        @functools.wraps(measure)
        def run(quick: bool) -> Figures:
            out = Figures(keys)
            try:
                result = measure(quick)
            except Exception as exc:
                return out.miss(_describe(exc))
            out.merge(result)
            for key, value in list(out.items()):
                if value is not None and not (
                    isinstance(value, int | float) and math.isfinite(value)
                ):
                    out[key] = None
                    out.reasons[key] = f"not a finite number: {value!r}"
            return out.miss("not measured")

        run.keys = keys  # type: ignore[attr-defined]
        return run

    return wrap


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if isinstance(exc, ChildFailed) else f"{type(exc).__name__}: {text}"


# ---- child processes ---------------------------------------------------------------------
class ChildFailed(RuntimeError):
    """A benchmark child exited without a result; the message carries its last words."""


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a benchmark child: offscreen Qt, no user data dir, unbuffered, and
    compiled bytecode kept (in bench/.data) as an installed app keeps it, even where the
    shell says PYTHONDONTWRITEBYTECODE: otherwise every child recompiles the app's sources."""
    env = dict(os.environ)
    env.pop("CALLASSIST_DATA_DIR", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(DATA_DIR / "pycache")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def child_command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"bench.{module}", "--child", *args]


def run_child(module: str, *args: str, timeout: float) -> Figures:
    """Run `python -m bench.<module> --child ARGS` and return the Figures it printed."""
    try:
        proc = subprocess.run(
            child_command(module, *args),
            cwd=REPO,
            env=child_env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise ChildFailed(f"bench.{module} child timed out after {timeout:.0f} s") from exc
    return parse_child_output(proc.stdout, proc.stderr, proc.returncode, module)


def parse_child_output(stdout: str, stderr: str, returncode: int | None, module: str) -> Figures:
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return Figures.from_json(json.loads(line[len(RESULT_MARKER) :]))
    raise ChildFailed(f"bench.{module} child failed (exit {returncode}): {last_words(stderr)}")


def last_words(stderr: str) -> str:
    """The most telling line of a child's stderr: its exception, else its last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if not line.startswith(("File ", "^", "~")) and ("Error" in line or "Exception" in line):
            return line[:300]
    return lines[-1][:300] if lines else "no output"


def emit(figures: Figures) -> None:
    """How a child hands its figures to the parent: one marked JSON line on stdout."""
    sys.stdout.write(RESULT_MARKER + json.dumps(figures.to_json(), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def child_main(child: Callable[[list[str]], Figures], argv: Sequence[str] | None = None) -> None:
    """Entry of `python -m bench.<module> --child …`: run `child(args)` and emit its figures."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "--child":
        sys.exit(
            f"usage: python -m {child.__module__} --child … (run the suite with python -m bench)"
        )
    try:
        figures = child(args[1:])
    except Exception:
        traceback.print_exc()
        sys.exit(1)
    emit(figures)


# ---- numbers -----------------------------------------------------------------------------
def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def rss_mb() -> float | None:
    """This process's resident set (VmRSS) in MB; None where /proc is not available."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
