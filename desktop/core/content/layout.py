"""The pack's files, in the order problems are reported; scripts/*.toml sort after checklists.

Apart from the loader so that comparing or copying a pack's files (the last-good copy at
every start) does not import the loader and its TOML parser.
"""

from __future__ import annotations

PACK_FILE = "pack.toml"
CALL_TYPES_FILE = "call_types.toml"
CHECKLISTS_FILE = "checklists.toml"
SCRIPTS_DIR = "scripts"
REMINDER_RULES_FILE = "reminder_rules.toml"
PHRASES_FILE = "phrases.toml"
INTENT_KEYWORDS_FILE = "intent_keywords.toml"
TOP_LEVEL_FILES = (
    PACK_FILE,
    CALL_TYPES_FILE,
    CHECKLISTS_FILE,
    REMINDER_RULES_FILE,
    PHRASES_FILE,
    INTENT_KEYWORDS_FILE,
)
