"""Which scripts to show for a call type and step, in which order, precomputed per pack.

The script panel redraws on every intent click and step change, so ordering is computed
once per pack and each lookup is a dict access (the 16 ms budget holds with 500 scripts).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.content.model import PURPOSES, ContentPack, Script

PURPOSE_LABELS: dict[str, str] = {
    "greeting": "问候",
    "empathy": "共情",
    "apology": "致歉",
    "clarify": "澄清",
    "confirm": "确认",
    "solution": "解决方案",
    "progress": "进度",
    "refuse": "委婉拒绝",
    "transfer": "转接",
    "closing": "结束语",
}


@dataclass(frozen=True, slots=True)
class ScriptGroup:
    title: str  # shown as a header: "当前步骤：平息怒气", "收藏", or a purpose label
    scripts: tuple[Script, ...]


class ScriptCatalog:
    def __init__(self, pack: ContentPack) -> None:
        self._pack = pack
        self._by_type: dict[str, tuple[Script, ...]] = {}
        for call_type in pack.call_types:
            own = [s for s in pack.scripts if s.call_type == call_type.key]
            shared = [
                s for s in pack.scripts if s.call_type == "any" and call_type.key not in s.not_for
            ]
            self._by_type[call_type.key] = tuple(own + shared)
        self._cache: dict[tuple[str, str, tuple[str, ...]], tuple[ScriptGroup, ...]] = {}

    def groups(
        self, call_type: str | None, step: str | None, favourites: tuple[str, ...] = ()
    ) -> tuple[ScriptGroup, ...]:
        """Favourites, then the current step's scripts, then the type's others by purpose."""
        key = (call_type or "", step or "", favourites)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._build(call_type, step, favourites)
        return cached

    def _build(
        self, call_type: str | None, step: str | None, favourites: tuple[str, ...]
    ) -> tuple[ScriptGroup, ...]:
        pack = self._pack
        scripts = self._by_type.get(call_type or "", ())
        if not call_type:
            scripts = tuple(s for s in pack.scripts if s.call_type == "any")
        groups: list[ScriptGroup] = []
        fav = tuple(s for s in (pack.script(i) for i in favourites) if s is not None)
        if fav:
            groups.append(ScriptGroup("★ 收藏", fav))
        shown = {s.id for s in fav}
        if step:
            step_obj = next((s for s in pack.steps(call_type or "") if s.key == step), None)
            listed = [
                s
                for s in (pack.script(i) for i in (step_obj.scripts if step_obj else ()))
                if s is not None and (call_type or "") not in s.not_for
            ]
            tagged = [s for s in scripts if s.step == step]
            current = [s for s in [*listed, *tagged] if s is not None and s.id not in shown]
            current = list(dict.fromkeys(current))
            if current:
                label = step_obj.label if step_obj else step
                groups.append(ScriptGroup(f"当前步骤：{label}", tuple(current)))
                shown.update(s.id for s in current)
        for purpose in PURPOSES:
            rest = tuple(s for s in scripts if s.purpose == purpose and s.id not in shown)
            if rest:
                groups.append(ScriptGroup(PURPOSE_LABELS[purpose], rest))
        return tuple(groups)
