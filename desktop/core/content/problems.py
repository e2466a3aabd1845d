"""What is wrong with a content pack, said precisely enough for a team lead to fix it by hand."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a pack file, located as `file:key` so it can be found in an editor."""

    file: str  # relative to the pack dir, forward slashes; "" for the pack dir itself
    key: str  # dotted path inside the file, ids where items have one, else [index]
    message: str  # English: `content check` and the log
    reason: str = ""  # the same in Chinese, for the team lead's panel (reasons.py)
    code: str = ""  # which reason (reasons.REASONS)

    def __str__(self) -> str:
        where = ":".join(part for part in (self.file, self.key) if part)
        return f"{where}: {self.message}" if where else self.message


class PackError(Exception):
    """A pack that cannot be used; carries every problem so none has to be found twice."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:10])
        more = len(self.problems) - 10
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"content pack has {len(self.problems)} problem(s):\n{shown}{tail}")
