"""Read a content pack directory into a ContentPack, reporting every problem it has.

Team leads edit these TOML files by hand. The app must never crash on a bad edit, and the
lead should see every mistake in one go, so the reader collects problems instead of stopping
at the first and builds a pack only when there are none.
"""

from __future__ import annotations

import errno
import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop.core.content.fill import fill_pack_variables, template_problems
from desktop.core.content.layout import (
    CALL_TYPES_FILE,
    CHECKLISTS_FILE,
    INTENT_KEYWORDS_FILE,
    PACK_FILE,
    PHRASES_FILE,
    REMINDER_RULES_FILE,
    SCRIPTS_DIR,
    TOP_LEVEL_FILES,
)
from desktop.core.content.model import (
    ANY_CALL_TYPE,
    FIRST_STEP,
    LAST_STEP,
    METHODS,
    OUTCOMES,
    PURPOSES,
    REMINDER_KINDS,
    SCRIPT_VARIABLES,
    CallType,
    ChecklistStep,
    ContentPack,
    IntentKeyword,
    PackVariable,
    PhraseRule,
    ReminderRule,
    Script,
)
from desktop.core.content.problems import PackError, Problem
from desktop.core.content.reasons import CHOICE_NAMES, Said, say
from desktop.core.text.phrases import rule_problems
from desktop.paths import content_pack_dir

_ID = re.compile(r"[a-z][a-z0-9_]*")
_SHORTCUT = re.compile(r"F(?:[1-9]|1[0-2])|[A-Za-z0-9]")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
MAX_MINUTES = 366 * 24 * 60  # a reminder further out than a year is a typo, and overflows dates
MIN_CONTRAST_WITH_WHITE = 3.0  # WCAG AA for bold labels: call-type buttons use white text


def bundled_pack_dir() -> Path:
    """The zh_CN pack shipped with the app, found the way every resource is (frozen too)."""
    return content_pack_dir("zh_CN")


def check_pack(directory: Path) -> list[Problem]:
    """Every problem in the pack at `directory`; an empty list means it loads."""
    return _PackReader(directory).read()[1]


def load_pack(directory: Path) -> ContentPack:
    """The pack at `directory`, or PackError listing every problem found."""
    pack, problems = _PackReader(directory).read()
    if problems or pack is None:
        raise PackError(problems)
    return pack


_MISSING = object()


class _AnyName:
    """Stands for the pack's variables when pack.toml could not be read: no follow-on
    "unknown variable" for every script."""

    def __contains__(self, name: object) -> bool:
        return True


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _item_prefix(kind: str, index: int, data: dict[str, Any], id_field: str | None) -> str:
    """Items are named by their id when they have a usable one, else by position."""
    ident = data.get(id_field) if id_field else None
    if isinstance(ident, str) and _ID.fullmatch(ident):
        return f"{kind}.{ident}"
    return f"{kind}[{index}]"


def _positive_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # TOML integers have no size limit in tomllib
        return None
    return number if math.isfinite(number) and number > 0 else None


def _relative_luminance(color: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(color: str) -> float:
    """WCAG contrast ratio of white text on `color` (#RRGGBB)."""
    return 1.05 / (_relative_luminance(color) + 0.05)


# What the lead can do about an unreadable file, by errno (the OS's text is English).
_OS_REASONS_ZH = {
    errno.EACCES: "没有读取权限，请让 IT 检查文件权限",
    errno.EPERM: "没有读取权限，请让 IT 检查文件权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EIO: "磁盘读取出错",
}


def _cannot_read(error: OSError) -> Said:
    zh = _OS_REASONS_ZH.get(error.errno or 0, "系统拒绝读取")
    return say("cannot_read", detail=error.strerror or error, detail_zh=zh)


class _Table:
    """One TOML table; each getter checks its value and reports problems under its key."""

    def __init__(self, reader: _PackReader, file: str, prefix: str, data: dict[str, Any]):
        self.reader, self.file, self.prefix, self.data = reader, file, prefix, data
        self._seen: set[str] = set()

    def report(self, name: str, reason: str | Said, /, **params: object) -> None:
        self.reader.report(self.file, _join(self.prefix, name), reason, **params)

    def _get(self, name: str, required: bool) -> Any:
        self._seen.add(name)
        if name not in self.data:
            if required:
                self.report(name, "missing")
            return _MISSING
        return self.data[name]

    def text(self, name: str, *, required: bool = True, allow_empty: bool = False) -> str | None:
        """A string; optional ones default to ""; None when missing or wrong."""
        value = self._get(name, required)
        if value is _MISSING:
            return None if required else ""
        if not isinstance(value, str):
            self.report(name, "expected_string")
            return None
        if not allow_empty and not value.strip():
            self.report(name, "must_not_be_empty")
            return None
        return value

    def ident(self, name: str) -> str | None:
        """A lowercase snake_case id."""
        value = self.text(name)
        if value is not None and not _ID.fullmatch(value):
            self.report(name, "invalid_id", value=value)
            return None
        return value

    def flag(self, name: str, *, default: bool | None = None) -> bool | None:
        value = self._get(name, default is None)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.report(name, "expected_boolean")
            return None
        return value

    def minutes(self, name: str, *, default: int | None = None) -> int | None:
        """A non-negative whole number of minutes."""
        value = self._get(name, default is None)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(name, "expected_integer")
            return None
        if value < 0:
            self.report(name, "must_not_be_negative")
            return None
        if value > MAX_MINUTES:
            self.report(name, "too_many_minutes", limit=MAX_MINUTES)
            return None
        return value

    def texts(self, name: str, *, required: bool = True) -> tuple[str, ...] | None:
        """A list of non-empty strings; optional ones default to ()."""
        value = self._get(name, required)
        if value is _MISSING:
            return None if required else ()
        if not isinstance(value, list):
            self.report(name, "expected_strings")
            return None
        ok = True
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.report(f"{name}[{i}]", "expected_string")
                ok = False
            elif not item.strip():
                self.report(f"{name}[{i}]", "must_not_be_empty")
                ok = False
        return tuple(value) if ok else None

    def table(self, name: str) -> _Table | None:
        value = self._get(name, True)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.report(name, "expected_table")
            return None
        return _Table(self.reader, self.file, _join(self.prefix, name), value)

    def items(self, name: str, id_field: str | None) -> Iterator[_Table]:
        """The tables of an array of tables ([[name]]), each named by its id or index."""
        value = self._get(name, True)
        if value is _MISSING:
            return
        if not isinstance(value, list):
            self.report(name, "expected_tables")
            return
        for i, data in enumerate(value):
            if not isinstance(data, dict):
                self.report(f"{name}[{i}]", "expected_table")
                continue
            prefix = _join(self.prefix, _item_prefix(name, i, data, id_field))
            yield _Table(self.reader, self.file, prefix, data)

    def done(self) -> None:
        """Report keys no getter asked for: usually a typo of a real one."""
        for key in self.data:
            if key not in self._seen:
                self.report(key, "unknown_key")


def _choice(
    table: _Table,
    name: str,
    allowed: tuple[str, ...] | frozenset[str],
    what: str,
    *,
    required: bool = True,
) -> str | None:
    value = table.text(name, required=required, allow_empty=not required)
    if value and value not in allowed:
        table.report(
            name,
            "unknown_choice",
            what=what,
            what_zh=CHOICE_NAMES[what],
            value=value,
            allowed=", ".join(sorted(allowed)),
        )
        return None
    return value


class _PackReader:
    """Reads one pack directory once; `read()` returns the pack (when clean) and problems."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.problems: list[Problem] = []
        self.type_keys: list[str] = []  # valid call type keys, even from otherwise bad entries
        self.step_keys: dict[str, list[str]] = {}  # by call type, valid keys only
        self.script_files: dict[str, str] = {}  # script id -> file it was first defined in
        self.script_types: dict[str, str] = {}  # script id -> its call_type
        self.step_script_refs: list[tuple[str, str, str]] = []  # (key, script id, call type)
        # Files that could not be read at all: references into them are not checked, so one
        # syntax error does not bury the report under a hundred follow-on "unknown" problems.
        self.unread: set[str] = set()
        self.variables: dict[str, PackVariable] = {}  # pack.toml [variables], valid ones

    def report(self, file: str, key: str, reason: str | Said, /, **params: object) -> None:
        """One problem; `reason` is a code of reasons.REASONS (filled with `params`) or a
        reason already said in both languages."""
        said = reason if isinstance(reason, Said) else say(reason, **params)
        self.problems.append(Problem(file, key, said.en, said.zh, said.code))

    def unknown_type(self, key: str) -> bool:
        return CALL_TYPES_FILE not in self.unread and key not in self.type_keys

    def document(self, rel: str) -> dict[str, Any] | None:
        """Parse one TOML file, or report why it could not be read."""
        doc = self._parse(rel)
        if doc is None:
            self.unread.add(SCRIPTS_DIR if rel.startswith(SCRIPTS_DIR) else rel)
        return doc

    def _parse(self, rel: str) -> dict[str, Any] | None:
        try:
            raw = (self.dir / rel).read_bytes()
        except FileNotFoundError:
            self.report(rel, "", "file_not_found")
            return None
        except OSError as e:
            self.report(rel, "", _cannot_read(e))
            return None
        try:
            text = raw.decode("utf-8-sig")  # Windows editors may add a BOM; that is fine
        except UnicodeDecodeError as e:
            self.report(rel, "", "not_utf8", offset=e.start)
            return None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            message = str(e)
            position = _TOML_POSITION.search(message)
            if position is None:
                self.report(rel, "", "toml_syntax", detail=message)
            else:
                line, column = position.groups()
                message = message[: position.start()]
                self.report(
                    rel, f"line {line}", "toml_syntax_at", detail=message, line=line, column=column
                )
        except RecursionError:
            self.report(rel, "", "toml_too_deep")
        return None

    def read(self) -> tuple[ContentPack | None, list[Problem]]:
        try:
            found = self.dir.is_dir()
        except OSError:  # e.g. no permission to look
            found = False
        if not found:
            self.report("", "", "pack_dir_not_found", path=self.dir)
            return None, self.problems
        meta = self.read_meta()
        call_types = self.read_call_types()
        checklists = self.read_checklists()
        scripts = self.read_scripts()
        self.check_step_scripts()
        rules = self.read_reminder_rules()
        phrases = self.read_phrases()
        keywords, signals, escalation = self.read_intent_keywords()
        rank = {name: i for i, name in enumerate(TOP_LEVEL_FILES)}
        scripts_rank = rank[CHECKLISTS_FILE] + 0.5
        self.problems.sort(
            key=lambda p: scripts_rank if p.file.startswith(SCRIPTS_DIR) else rank.get(p.file, -1)
        )
        if self.problems or meta is None:
            return None, self.problems
        pack = ContentPack(
            locale=meta[0],
            version=meta[1],
            call_types=tuple(call_types),
            checklists={t.key: checklists[t.key] for t in call_types},
            scripts=tuple(scripts),
            reminder_rules=tuple(rules),
            phrases=tuple(phrases),
            intent_keywords=tuple(keywords),
            complaint_signals=signals,
            escalation_phrases=escalation,
            source_dir=str(self.dir),
            variables=tuple(self.variables.values()),
        )
        return pack, self.problems

    def read_meta(self) -> tuple[str, str] | None:
        doc = self.document(PACK_FILE)
        if doc is None:
            return None
        root = _Table(self, PACK_FILE, "", doc)
        meta = root.table("pack")
        if "variables" in doc:
            self.read_variables(root.table("variables"))
        root.done()
        if meta is None:
            return None
        locale, version = meta.text("locale"), meta.text("version")
        meta.done()
        return (locale, version) if locale is not None and version is not None else None

    def read_variables(self, table: _Table | None) -> None:
        """[variables]: policy values a lead sets once, used in scripts as {name}."""
        if table is None:
            return
        for name in table.data:
            item = table.table(name)
            if item is None:
                continue
            if not _ID.fullmatch(name):
                table.report(name, "invalid_variable_name", name=name)
            elif name in SCRIPT_VARIABLES:
                table.report(name, "variable_is_the_apps", name=name)
                name = ""
            label, value = item.text("label"), item.text("value")
            if value is not None and ("{" in value or "}" in value):
                item.report("value", "no_braces")
                value = None
            item.done()
            if _ID.fullmatch(name) and label is not None and value is not None:
                self.variables[name] = PackVariable(name, label, value)

    def read_call_types(self) -> list[CallType]:
        doc = self.document(CALL_TYPES_FILE)
        if doc is None:
            return []
        root = _Table(self, CALL_TYPES_FILE, "", doc)
        if not isinstance(doc.get("call_type"), list):
            self.unread.add(CALL_TYPES_FILE)
        result: list[CallType] = []
        shortcuts: dict[str, str] = {}
        for t in root.items("call_type", "key"):
            key = t.ident("key")
            if key == ANY_CALL_TYPE:
                t.report("key", "any_is_reserved", any=ANY_CALL_TYPE)
                key = None
            elif key in self.type_keys:
                t.report("key", "duplicate_key")
                key = None
            elif key is not None:
                self.type_keys.append(key)
            label, description = t.text("label"), t.text("description")
            shortcut = t.text("shortcut")
            if shortcut is not None:
                if not _SHORTCUT.fullmatch(shortcut):
                    t.report("shortcut", "invalid_shortcut", shortcut=shortcut)
                    shortcut = None
                elif shortcut.upper() in shortcuts:
                    t.report(
                        "shortcut",
                        "shortcut_taken",
                        shortcut=shortcut,
                        other=shortcuts[shortcut.upper()],
                    )
                    shortcut = None
                else:
                    shortcut = shortcut.upper()
                    shortcuts[shortcut] = key or t.prefix
            color = t.text("color")
            if color is not None:
                if not _COLOR.fullmatch(color):
                    t.report("color", "invalid_colour", color=color)
                    color = None
                elif (ratio := contrast_with_white(color)) < MIN_CONTRAST_WITH_WHITE:
                    t.report(
                        "color",
                        "colour_too_light",
                        color=color,
                        ratio=f"{ratio:.1f}",
                        need=f"{MIN_CONTRAST_WITH_WHITE:g}",
                    )
                    color = None
            t.done()
            fields = (key, label, shortcut, color, description)
            if all(f is not None for f in fields):
                result.append(CallType(*fields))  # type: ignore[arg-type]  # none is None
        root.done()
        if not self.type_keys and not any(p.file == CALL_TYPES_FILE for p in self.problems):
            self.report(CALL_TYPES_FILE, "call_type", "no_call_types")
        return result

    def read_checklists(self) -> dict[str, tuple[ChecklistStep, ...]]:
        doc = self.document(CHECKLISTS_FILE)
        if doc is None:
            return {}
        root = _Table(self, CHECKLISTS_FILE, "", doc)
        lists = root.table("checklist")
        root.done()
        if lists is None:
            self.unread.add(CHECKLISTS_FILE)
            return {}
        result: dict[str, tuple[ChecklistStep, ...]] = {}
        for type_key in lists.data:
            if self.unknown_type(type_key):
                lists.report(type_key, "unknown_call_type", type=type_key)
            steps = self.read_steps(lists, type_key)
            if steps is not None:
                result[type_key] = steps
        for type_key in self.type_keys:
            if type_key not in lists.data:
                lists.report(type_key, "no_checklist", type=type_key)
        return result

    def read_steps(self, lists: _Table, type_key: str) -> tuple[ChecklistStep, ...] | None:
        prefix = _join(lists.prefix, type_key)
        value = lists.data[type_key]
        raw = list(lists.items(type_key, None))
        if not isinstance(value, list):
            return None
        if not value:
            lists.report(type_key, "empty_checklist")
            return None
        keys: list[str] = []
        steps: list[ChecklistStep] = []
        for t in raw:
            key = t.ident("key")
            if key in keys:
                t.report("key", "duplicate_step", key=key)
                key = None
            elif key is not None:
                keys.append(key)
            label, hint = t.text("label"), t.text("hint")
            required = t.flag("required")
            scripts = t.texts("scripts", required=False)
            for i, script_id in enumerate(scripts or ()):
                self.step_script_refs.append(
                    (_join(t.prefix, f"scripts[{i}]"), script_id, type_key)
                )
            t.done()
            if (
                key is not None
                and label is not None
                and hint is not None
                and required is not None
                and scripts is not None
            ):
                steps.append(ChecklistStep(key, label, required, hint, scripts))
        if not isinstance(value[0], dict) or value[0].get("key") != FIRST_STEP:
            self.report(CHECKLISTS_FILE, prefix, "first_step", step=FIRST_STEP)
        if not isinstance(value[-1], dict) or value[-1].get("key") != LAST_STEP:
            self.report(CHECKLISTS_FILE, prefix, "last_step", step=LAST_STEP)
        self.step_keys[type_key] = keys
        return tuple(steps) if len(steps) == len(raw) else None

    def read_scripts(self) -> list[Script]:
        try:
            files = sorted(p for p in (self.dir / SCRIPTS_DIR).iterdir() if p.suffix == ".toml")
        except (FileNotFoundError, NotADirectoryError):
            files, why = [], say("scripts_dir_not_found")
        except OSError as e:
            files, why = [], _cannot_read(e)
        else:
            why = say("no_script_files")
        if not files:
            self.report(SCRIPTS_DIR, "", why)
            self.unread.add(SCRIPTS_DIR)
            return []
        result: list[Script] = []
        for path in files:
            result.extend(self.read_script_file(f"{SCRIPTS_DIR}/{path.name}"))
        return result

    def read_script_file(self, rel: str) -> list[Script]:
        doc = self.document(rel)
        if doc is None:
            return []
        root = _Table(self, rel, "", doc)
        if not isinstance(doc.get("script"), list):
            self.unread.add(SCRIPTS_DIR)
        result: list[Script] = []
        all_steps = {key for keys in self.step_keys.values() for key in keys}
        for t in root.items("script", "id"):
            script_id = t.ident("id")
            if script_id in self.script_files:
                t.report("id", "duplicate_script", file=self.script_files[script_id])
                script_id = None
            elif script_id is not None:
                self.script_files[script_id] = rel
            call_type = t.text("call_type")
            if call_type not in (None, ANY_CALL_TYPE) and self.unknown_type(call_type):
                t.report("call_type", "unknown_call_type", type=call_type)
                call_type = None
            if script_id is not None and call_type is not None:
                self.script_types[script_id] = call_type
            step = t.text("step", required=False, allow_empty=True)
            checklists_read = CHECKLISTS_FILE not in self.unread
            if step and call_type == ANY_CALL_TYPE and checklists_read and step not in all_steps:
                t.report("step", "step_in_no_checklist", step=step)
                step = None
            elif step and call_type in self.step_keys and step not in self.step_keys[call_type]:
                t.report("step", "step_not_in_checklist", step=step, type=call_type)
                step = None
            purpose = _choice(t, "purpose", PURPOSES, "purpose")
            title, text = t.text("title"), t.text("text")
            names = self.variables if PACK_FILE not in self.unread else None
            problems = template_problems(text or "", names if names is not None else _AnyName())
            for said in problems:
                t.report("text", said)
            if text is not None and not problems:
                values = {v.name: v.value for v in self.variables.values()}
                text = fill_pack_variables(text, values)
            elif problems:
                text = None
            method = _choice(t, "method", METHODS, "method", required=False)
            tags = t.texts("tags", required=False)
            not_for = t.texts("not_for", required=False)
            if not_for and call_type not in (None, ANY_CALL_TYPE):
                t.report("not_for", "not_for_needs_any", any=ANY_CALL_TYPE)
                not_for = None
            for i, type_key in enumerate(not_for or ()):
                if self.unknown_type(type_key):
                    t.report(f"not_for[{i}]", "unknown_call_type", type=type_key)
                    not_for = None
            t.done()
            fields = (script_id, call_type, step, purpose, title, text, method, tags, not_for)
            if all(f is not None for f in fields):
                result.append(Script(*fields))  # type: ignore[arg-type]  # none is None
        root.done()
        return result

    def check_step_scripts(self) -> None:
        """Checklist steps may only suggest scripts that exist and fit their call type."""
        if SCRIPTS_DIR in self.unread:
            return
        for key, script_id, type_key in self.step_script_refs:
            script_type = self.script_types.get(script_id)
            if script_id not in self.script_files:
                self.report(CHECKLISTS_FILE, key, "unknown_script", id=script_id)
            elif script_type not in (None, ANY_CALL_TYPE, type_key) and type_key in self.type_keys:
                self.report(
                    CHECKLISTS_FILE, key, "script_of_other_type", id=script_id, type=script_type
                )

    def read_reminder_rules(self) -> list[ReminderRule]:
        doc = self.document(REMINDER_RULES_FILE)
        if doc is None:
            return []
        root = _Table(self, REMINDER_RULES_FILE, "", doc)
        result: list[ReminderRule] = []
        keys: set[str] = set()
        for t in root.items("rule", "key"):
            key = t.ident("key")
            if key in keys:
                t.report("key", "duplicate_key")
                key = None
            elif key is not None:
                keys.add(key)
            kind = _choice(t, "kind", REMINDER_KINDS, "reminder kind")
            label = t.text("label")
            call_types = t.texts("call_types")
            for i, type_key in enumerate(call_types or ()):
                if self.unknown_type(type_key):
                    t.report(f"call_types[{i}]", "unknown_call_type", type=type_key)
                    call_types = None
            outcomes = t.texts("outcomes")
            for i, outcome in enumerate(outcomes or ()):
                if outcome not in OUTCOMES:
                    t.report(
                        f"outcomes[{i}]",
                        "unknown_outcome",
                        outcome=outcome,
                        allowed=", ".join(OUTCOMES),
                    )
                    outcomes = None
            offset = t.minutes("offset_minutes")
            repeat = t.minutes("repeat_minutes", default=0)
            office_hours = t.flag("office_hours", default=True)
            message = t.text("message", required=False, allow_empty=True)
            t.done()
            fields = (key, kind, label, call_types, outcomes, offset, repeat, office_hours, message)
            if all(f is not None for f in fields):
                result.append(ReminderRule(*fields))  # type: ignore[arg-type]  # none is None
        root.done()
        return result

    def read_phrases(self) -> list[PhraseRule]:
        doc = self.document(PHRASES_FILE)
        if doc is None:
            return []
        root = _Table(self, PHRASES_FILE, "", doc)
        result: list[PhraseRule] = []
        seen: set[str] = set()
        for t in root.items("phrase", None):
            phrase = t.text("phrase")
            if phrase in seen:
                t.report("phrase", "duplicate_phrase", phrase=phrase)
                phrase = None
            elif phrase is not None:
                seen.add(phrase)
            alternative = t.text("alternative")
            reason = t.text("reason", required=False, allow_empty=True)
            pattern = t.text("pattern", required=False)
            exceptions = t.texts("except", required=False)
            t.done()
            if phrase is None or alternative is None or reason is None:
                continue
            if pattern is None or exceptions is None:
                continue
            rule = PhraseRule(phrase, alternative, reason, pattern, exceptions)
            problems = rule_problems(rule)
            for name, said in problems:
                t.report(name, said)
            if not problems:
                result.append(rule)
        root.done()
        return result

    def read_intent_keywords(
        self,
    ) -> tuple[list[IntentKeyword], tuple[str, ...], tuple[str, ...]]:
        doc = self.document(INTENT_KEYWORDS_FILE)
        if doc is None:
            return [], (), ()
        root = _Table(self, INTENT_KEYWORDS_FILE, "", doc)
        signals = root.table("signals")
        complaint: tuple[str, ...] = ()
        escalation: tuple[str, ...] = ()
        if signals is not None:
            complaint = signals.texts("complaint") or ()
            escalation = signals.texts("escalation") or ()
            signals.done()
        result: list[IntentKeyword] = []
        by_type = root.table("keywords")
        root.done()
        if by_type is None:
            return result, complaint, escalation
        for type_key, words in by_type.data.items():
            if self.unknown_type(type_key):
                by_type.report(type_key, "unknown_call_type", type=type_key)
            if not isinstance(words, dict):
                by_type.report(type_key, "expected_weights")
                continue
            prefix = _join(by_type.prefix, type_key)
            for word, weight in words.items():
                key = _join(prefix, word)
                if not word.strip():
                    self.report(INTENT_KEYWORDS_FILE, key, "empty_word")
                elif (value := _positive_number(weight)) is None:
                    self.report(INTENT_KEYWORDS_FILE, key, "weight_not_positive")
                else:
                    result.append(IntentKeyword(word, type_key, value))
        return result, complaint, escalation
