"""A large agent database, generated once and cached in bench/.data (git-ignored).

The file is made by db.open_db (the real schema and migrations), then filled with calls over
three years and their customers in big executemany transactions, with realistic notes
composed from phrase fragments (bench.corpus), the bundled pack's checklist ticks (most
steps ticked, some skipped, a few unticked) and follow-up reminders (callbacks, complaint
first responses and progress) for the team lead's review. Then every note is indexed into the notes
full-text index with the app's own `index_calls`, in batches, as its backfill would.

The cache is keyed by row count, schema version and a hash of the schema, and generator
version (a JSON file beside the database); anything else is regenerated. The notes index is
redone when the app's indexing code changes (note_tokens and index_calls in
desktop/services/notes_search.py, and the text normalisation they use), not when only its
search query does. Run directly to (re)build it:

    python -m bench.calls_db 100000
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import DATA_DIR
from bench.corpus import call_note

GENERATOR_VERSION = 2  # 2: checklist ticks and follow-up reminders for the review
BATCH = 50_000
INDEX_BATCH = 5_000
SPAN_DAYS = 3 * 365
CALLS_PER_CUSTOMER = 5
INTENTS = ("inquiry", "complaint", "help", "order", "booking", "status", "fault", "unrelated")
INTENT_WEIGHTS = (8, 6, 4, 4, 3, 7, 5, 2)
OUTCOMES = ("resolved", "follow_up", "transferred", "unrelated", "abandoned")
OUTCOME_WEIGHTS = (70, 15, 8, 4, 3)


def _label(rows: int) -> str:
    return f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"


def db_path(rows: int) -> Path:
    """Named by schema version and fingerprint: checkouts on different schemas (a branch
    with a new migration) share one data folder without regenerating each other's file."""
    return DATA_DIR / f"calls-{_label(rows)}-v{_schema_version()}-{schema_fingerprint()}.sqlite3"


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _schema_version() -> int:
    from db.migrations import MIGRATIONS

    return len(MIGRATIONS)


def schema_fingerprint() -> str:
    """A hash of the schema the migrations make today, so an edited (not only an added)
    migration also invalidates the cache."""
    import sqlite3

    from db.database import Database
    from db.migrations import migrate

    db = Database(sqlite3.connect(":memory:", isolation_level=None))
    try:
        migrate(db, backup_dir=None)
        return _file_fingerprint(db.conn)
    finally:
        db.close()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _read_meta(path: Path) -> dict | None:
    try:
        return json.loads(_meta_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def cached_meta(rows: int) -> dict | None:
    """The cache's description if it is current for this schema and generator, else None."""
    path = db_path(rows)
    meta = _read_meta(path)
    if meta is None:
        return None
    wanted = {
        "rows": rows,
        "schema_version": _schema_version(),
        "schema": schema_fingerprint(),
        "generator": GENERATOR_VERSION,
    }
    if not path.exists() or any(meta.get(k) != v for k, v in wanted.items()):
        return None
    return meta


def ensure(rows: int, segmenter_factory, log=print) -> tuple[Path, dict]:
    """The cached database with `rows` calls, generated first if missing or stale, its notes
    indexed by the app's current indexing code.

    `segmenter_factory()` gives a loaded Segmenter; it is only called when (re)indexing.
    """
    path = db_path(rows)
    meta = cached_meta(rows)
    if meta is None:
        older = _older_copy(rows)
        meta = _migrated_copy(*older, path, log) if older else None
    if meta is None:
        meta = _generate(path, rows, log)
    if not meta.get("indexed") or meta.get("indexer") != indexer_fingerprint():
        meta = _index(path, meta, segmenter_factory(), log)
    return path, meta


def indexer_fingerprint() -> str:
    """A hash of the code that decides what the notes index holds: the app's note_tokens and
    index_calls, and the normalisation module note_tokens runs. When it changes the cached
    index is redone; an edited search query (search_notes, match_expression) keeps it."""
    import hashlib
    import inspect

    from desktop.core.text import normalize as normalization
    from desktop.services.notes_search import index_calls, note_tokens

    parts = (note_tokens, index_calls, normalization)
    source = "\n".join(inspect.getsource(part) for part in parts)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _file_fingerprint(conn) -> str:
    import hashlib

    rows = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
    text = "\n".join(f"{t} {n} {sql}" for t, n, sql in rows.fetchall())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _older_copy(rows: int) -> tuple[Path, dict] | None:
    """The newest cached file of `rows` calls by this generator at an older schema version
    (a checkout before the newest migration made it), to migrate forward instead of
    generating a million calls again."""
    best: tuple[Path, dict] | None = None
    version = _schema_version()
    for candidate in DATA_DIR.glob(f"calls-{_label(rows)}*.sqlite3"):
        meta = _read_meta(candidate)
        if (
            meta
            and meta.get("rows") == rows
            and meta.get("generator") == GENERATOR_VERSION
            and isinstance(meta.get("schema_version"), int)
            and meta["schema_version"] < version
            and (best is None or meta["schema_version"] > best[1]["schema_version"])
        ):
            best = (candidate, meta)
    return best


def _migrated_copy(source: Path, meta: dict, path: Path, log) -> dict | None:
    """A consistent copy of `source` (SQLite's backup API), migrated by the app's own
    migrations, as an agent's file is on upgrade. None when the result's schema is not the
    one a fresh file gets (an edited migration): then the caller generates afresh."""
    import sqlite3

    from db import connect
    from db.migrations import migrate

    building = path.with_name(path.name + ".building")
    for leftover in path.parent.glob(building.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    src = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True)
    dest = sqlite3.connect(building)
    try:
        src.backup(dest)
    finally:
        dest.close()
        src.close()
    db = connect(building)
    try:
        migrate(db, backup_dir=None)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        matches = _file_fingerprint(db.conn) == schema_fingerprint()
    finally:
        db.close()
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    if not matches:
        building.unlink(missing_ok=True)
        log(f"calls_db: {source.name} migrated to a different schema; generating afresh")
        return None
    building.rename(path)
    meta = {
        **meta,
        "schema_version": _schema_version(),
        "schema": schema_fingerprint(),
        "migrated_from": source.name,
        "migrated_s": round(time.perf_counter() - started, 1),
    }
    _meta_path(path).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log(f"calls_db: migrated {source.name} in {meta['migrated_s']} s → {path}")
    return meta


def _generate(path: Path, rows: int, log) -> dict:
    from db import open_db

    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, _meta_path(path), *path.parent.glob(path.name + "-*")):
        stale.unlink(missing_ok=True)
    building = path.with_name(path.name + ".building")
    for leftover in path.parent.glob(building.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    db = open_db(building)
    try:
        conn = db.conn
        conn.execute("PRAGMA cache_size = -262144")  # 256 MB for the bulk load only
        _fill(conn, rows, log)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    building.rename(path)
    meta = {
        "rows": rows,
        "schema_version": version,
        "schema": schema_fingerprint(),
        "generator": GENERATOR_VERSION,
        "generated_s": round(time.perf_counter() - started, 1),
        "indexed": False,
    }
    _meta_path(path).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log(f"calls_db: generated {rows:,} calls in {meta['generated_s']} s → {path}")
    return meta


def _fill(conn, rows: int, log) -> None:
    rng = random.Random(1_000_000)
    customers = max(1, rows // CALLS_PER_CUSTOMER)
    phones = rng.sample(range(13_000_000_000, 19_999_999_999), customers)
    end = datetime(2026, 3, 1, tzinfo=UTC)
    start = end - timedelta(days=SPAN_DAYS)
    step = (end - start) / rows
    first_seen: dict[int, str] = {}
    last_seen: dict[int, str] = {}
    counts = [0] * customers
    columns = (
        "id, phone, caller_name, customer_id, started_at, answered_at, ended_at, completed_at, "
        "intent, priority, status, outcome, notes, notes_saved_at, skip_reason, agent, source"
    )
    insert = f"INSERT INTO calls ({columns}) VALUES ({', '.join('?' * 17)})"
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO customers (id, phone, name, first_seen_at, last_call_at, call_count) "
        "VALUES (?, ?, ?, '', '', 0)",
        ((i + 1, str(p), "") for i, p in enumerate(phones)),
    )
    conn.execute("COMMIT")
    done = 0
    while done < rows:
        batch = []
        for n in range(done, min(rows, done + BATCH)):
            customer = rng.randrange(customers)
            at = start + step * n + timedelta(seconds=rng.random() * 30)
            started = _iso(at)
            missed = rng.random() < 0.05
            intent = None if missed else rng.choices(INTENTS, INTENT_WEIGHTS)[0]
            ended = at + timedelta(seconds=rng.randint(30, 900))
            completed = ended + timedelta(seconds=rng.randint(10, 120))
            batch.append(
                (
                    uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                    str(phones[customer]),
                    "",
                    customer + 1,
                    started,
                    None if missed else started,
                    _iso(ended),
                    None if missed else _iso(completed),
                    intent,
                    "urgent" if intent == "complaint" and rng.random() < 0.3 else "normal",
                    "missed" if missed else "completed",
                    None if missed else rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0],
                    "" if missed else call_note(rng),
                    None if missed else _iso(completed),
                    None,
                    f"A{rng.randint(1, 40):03d}",
                    rng.choice(("softphone", "hook", "manual")),
                )
            )
            first_seen.setdefault(customer, started)
            last_seen[customer] = started
            counts[customer] += 1
        conn.execute("BEGIN")
        conn.executemany(insert, batch)
        conn.execute("COMMIT")
        done += len(batch)
        log(f"calls_db: {done:,}/{rows:,} calls")
    _fill_follow_ups(conn, log)
    conn.execute("BEGIN")
    conn.executemany(
        "UPDATE customers SET first_seen_at = ?, last_call_at = ?, call_count = ? WHERE id = ?",
        ((first_seen[c], last_seen[c], counts[c], c + 1) for c in first_seen),
    )
    conn.execute("COMMIT")


def _fill_follow_ups(conn, log) -> None:
    """Ticks for the pack's checklist steps and reminders for follow-up calls, from their own
    random stream so the calls stay exactly as generator 1 made them."""
    from bench.text_setup import bundled_pack

    pack = bundled_pack()
    steps = {t.key: [s.key for s in pack.steps(t.key)] for t in pack.call_types}
    rng = random.Random(2_000_000)
    ticks: list[tuple] = []
    reminders: list[tuple] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO checklist_ticks (call_id, step_key, ticked_at, unticked_at) "
            "VALUES (?, ?, ?, ?)",
            ticks,
        )
        conn.executemany(
            "INSERT INTO reminders (id, call_id, case_id, call_type, phone, kind, due_at, "
            "target_at, status, created_at, fired_at, done_at, callback_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            reminders,
        )
        conn.execute("COMMIT")
        ticks.clear()
        reminders.clear()

    last = conn.execute("SELECT COALESCE(max(rowid), 0) FROM calls").fetchone()[0]
    for first in range(0, last + 1, BATCH):
        _follow_ups_of(conn, rng, steps, first, first + BATCH, ticks, reminders)
        flush()
        log(f"calls_db: follow-ups for {min(first + BATCH, last):,} calls")


def _follow_ups_of(conn, rng, steps, first, stop, ticks, reminders) -> None:
    rows = conn.execute(
        "SELECT id, intent, answered_at, completed_at, outcome, phone FROM calls "
        "WHERE status = 'completed' AND rowid >= ? AND rowid < ? ORDER BY rowid",
        [first, stop],
    ).fetchall()
    for call_id, intent, answered, completed, outcome, phone in rows:
        begin = datetime.fromisoformat(answered.replace("Z", "+00:00"))
        for n, step in enumerate(steps.get(intent, ())):
            if rng.random() < 0.06:
                continue  # skipped
            at = _iso(begin + timedelta(seconds=20 * (n + 1)))
            unticked = _iso(begin + timedelta(seconds=20 * n + 30)) if rng.random() < 0.01 else None
            ticks.append((call_id, step, at, unticked))
        if outcome in ("follow_up", "transferred"):
            end = datetime.fromisoformat(completed.replace("Z", "+00:00"))
            kind = "first_response" if intent == "complaint" else "callback"
            target = end + timedelta(minutes=15 if kind == "first_response" else 120)
            late = rng.random()
            back = None if late < 0.05 else target + timedelta(minutes=rng.choice((-5, 1, 10, 40)))
            reminders.append(
                (
                    uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                    call_id,
                    call_id,
                    intent,
                    phone,
                    kind,
                    _iso(target),
                    _iso(target),
                    "done" if back else "fired",
                    completed,
                    _iso(target),
                    _iso(back) if back else None,
                    _iso(back) if back else None,
                )
            )


def _index(path: Path, meta: dict, segmenter, log) -> dict:
    """Index every note with the app's own index_calls, in batches, like its backfill."""
    from db import open_db
    from desktop.services.notes_search import index_calls

    db = open_db(path)
    try:
        conn = db.conn
        conn.execute("DELETE FROM notes_fts")
        ids = [r[0] for r in conn.execute("SELECT id FROM calls WHERE notes != '' ORDER BY rowid")]
        started = time.perf_counter()
        for begin in range(0, len(ids), INDEX_BATCH):
            index_calls(conn, ids[begin : begin + INDEX_BATCH], segmenter)
            if begin % (INDEX_BATCH * 20) == 0:
                log(f"calls_db: indexed {begin + INDEX_BATCH:,}/{len(ids):,} notes")
        seconds = time.perf_counter() - started
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    meta = {
        **meta,
        "indexed": True,
        "indexer": indexer_fingerprint(),
        "index_s": round(seconds, 1),
        "indexed_notes": len(ids),
    }
    _meta_path(path).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log(f"calls_db: indexed {len(ids):,} notes in {seconds:.0f} s")
    return meta


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000

    def _segmenter():
        from bench.text_setup import loaded_segmenter

        return loaded_segmenter()

    print(ensure(count, _segmenter))
