"""The content pack as plain, immutable data: what the loader produces and the app reads.

Every object is frozen so a pack, once validated, can be shared across threads and swapped
atomically when a new one loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Variables a script may use; anything else in braces is a pack error.
SCRIPT_VARIABLES: frozenset[str] = frozenset(
    {"agent_name", "agent_id", "company", "customer_name", "promised_time", "hotline"}
)

# A script's call_type that fits every call type.
ANY_CALL_TYPE = "any"

# What a talk track is for; the script panel groups by these, in this order.
PURPOSES: tuple[str, ...] = (
    "greeting",
    "empathy",
    "apology",
    "clarify",
    "confirm",
    "solution",
    "progress",
    "refuse",  # saying no gracefully
    "transfer",
    "closing",
)

# Complaint-handling methods a script may be tagged with: the sequences (3F, CLEAR, LSCIA,
# the five stages of service recovery, the problem → solution → follow-up template).
METHODS: frozenset[str] = frozenset({"3F", "CLEAR", "LSCIA", "RECOVERY", "PSF"})

# Reminder kinds (db column `reminders.kind`).
REMINDER_KINDS: tuple[str, ...] = ("callback", "first_response", "progress", "revisit")

# Outcomes an agent picks at wrap-up (db column `calls.outcome`).
OUTCOMES: tuple[str, ...] = ("resolved", "follow_up", "transferred", "unrelated", "abandoned")

# Step keys every checklist starts and ends with.
FIRST_STEP = "greeting"
LAST_STEP = "close"


@dataclass(frozen=True, slots=True)
class CallType:
    key: str  # inquiry, complaint, help, order, booking, status, fault, unrelated
    label: str  # 咨询 …
    shortcut: str  # "F1" … "F8"
    color: str  # "#RRGGBB"
    description: str


@dataclass(frozen=True, slots=True)
class ChecklistStep:
    key: str
    label: str
    required: bool
    hint: str
    scripts: tuple[str, ...] = ()  # script ids suggested for this step, in order


@dataclass(frozen=True, slots=True)
class Script:
    id: str
    call_type: str  # a call type key, or "any"
    step: str  # a step key, or "" for the whole call
    purpose: str  # one of PURPOSES
    title: str
    text: str  # may contain {variable} placeholders from SCRIPT_VARIABLES (pack variables
    # are filled in by the loader)
    method: str = ""  # "", or one of METHODS
    tags: tuple[str, ...] = ()
    not_for: tuple[str, ...] = ()  # call types an "any" script is never offered on (the
    # satisfaction question on unrelated calls and complaints)


@dataclass(frozen=True, slots=True)
class ReminderRule:
    key: str
    kind: str  # one of REMINDER_KINDS
    label: str
    call_types: tuple[str, ...]  # which call types the rule applies to; () = all
    outcomes: tuple[str, ...]  # which wrap-up outcomes trigger it; () = all
    offset_minutes: int  # due this long after wrap-up (callback: after the promised time)
    repeat_minutes: int = 0  # >0: repeats at this interval while the case stays open
    office_hours: bool = True  # move into office hours if it falls outside them
    message: str = ""


@dataclass(frozen=True, slots=True)
class PhraseRule:
    phrase: str  # the negative wording to catch, as shown to the agent
    alternative: str  # what to say instead
    reason: str = ""
    pattern: str = ""  # variants to catch (desktop.core.text.phrases); "" = the phrase itself
    exceptions: tuple[str, ...] = ()  # polite idioms containing it that are not flagged


@dataclass(frozen=True, slots=True)
class IntentKeyword:
    word: str
    call_type: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class PackVariable:
    """A policy value a team lead sets once in pack.toml ([variables]) and scripts use as
    {name}: refund days, delivery days, a goodwill gift… Filled into script texts at load."""

    name: str
    label: str  # what it is, in Chinese, for the lead
    value: str


@dataclass(frozen=True, slots=True)
class ContentPack:
    locale: str
    version: str
    call_types: tuple[CallType, ...]
    checklists: dict[str, tuple[ChecklistStep, ...]]  # by call type key
    scripts: tuple[Script, ...]
    reminder_rules: tuple[ReminderRule, ...]
    phrases: tuple[PhraseRule, ...]
    intent_keywords: tuple[IntentKeyword, ...] = ()
    complaint_signals: tuple[str, ...] = ()  # words that start the priority path
    escalation_phrases: tuple[str, ...] = ()  # "找你们领导", "升级" …
    source_dir: str = ""
    variables: tuple[PackVariable, ...] = ()  # already filled into the script texts
    _scripts_by_id: dict[str, Script] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_scripts_by_id", {s.id: s for s in self.scripts})

    def call_type(self, key: str) -> CallType | None:
        return next((t for t in self.call_types if t.key == key), None)

    def script(self, script_id: str) -> Script | None:
        return self._scripts_by_id.get(script_id)

    def steps(self, call_type: str) -> tuple[ChecklistStep, ...]:
        return self.checklists.get(call_type, ())
