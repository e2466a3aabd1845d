"""Migration 3: a full-text index over call notes.

Chinese has no spaces, so the app stores jieba-segmented notes (space-separated words) in an
FTS5 table with the unicode61 tokenizer; rowid is the call's rowid in `calls`. The trigram
tokenizer was rejected because it cannot match two-character words such as 物流.
"""

from __future__ import annotations

from db.database import Database


def apply(db: Database) -> None:
    db.execute(
        "CREATE VIRTUAL TABLE notes_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0')"
    )
