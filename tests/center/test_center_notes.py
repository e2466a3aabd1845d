"""Notes search on the center (schema 3): a bigram GIN index narrows the rows, the substring
test decides; the browser's results are those of a plain substring scan."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop.services.center.connection import connect
from desktop.services.center.dialect import POSTGRES
from desktop.services.center.importer import import_bundle
from desktop.services.center.schema import migrate
from desktop.services.review.browser import CallBrowser, CallFilter
from desktop.services.review.period import Period
from tests.helpers.bundle_files import write_bundle
from tests.helpers.review_fixture import CHECKLISTS

NOTES = [
    "快递三天没到，客户要求退款",
    "咨询发票抬头",
    "快递员态度差",
    "",
    "退款已到账",
    "燃气有异味 已转应急",
    "递快",  # the same characters, not the word
]


def test_notes_search_uses_the_bigram_index_and_finds_substrings(
    tmp_path: Path, pg_url: str, segmenter
) -> None:
    calls = [
        {
            "id": f"N{k}", "phone": f"1390000{k:04d}", "caller_name": "", "started_at": f"2026-03-0{1 + k}T02:00:00.000Z",
            "status": "completed", "intent": "inquiry", "notes": note, "agent": "A",
            "updated_at": "2026-03-20T00:00:00.000Z",
        }
        for k, note in enumerate(NOTES)
    ]  # fmt: skip
    bundle = write_bundle(tmp_path / "n.bundle", {"calls": calls})
    with connect(pg_url) as pg:
        migrate(pg)
        import_bundle(pg, bundle, url=pg_url)
        browser = CallBrowser(
            pg, now=lambda: datetime(2026, 4, 1, tzinfo=UTC), checklists=CHECKLISTS,
            segmenter=segmenter, dialect=POSTGRES,
        )  # fmt: skip
        period = Period.parse("2026-03-01", "2026-03-31", "UTC")

        def found(words: str) -> list[str]:
            return sorted(r.id for r in browser.page(CallFilter(period=period, notes=words)))

        assert found("快递") == ["N0", "N2"]
        assert found("退款") == ["N0", "N4"]
        assert found("快递 退款") == ["N0"]
        assert found("应急") == ["N5"]
        assert found("发票抬头") == ["N1"]
        assert found("火箭") == []
        # the plan reads the bigram index (the table is tiny: forbid the scan to see it)
        pg.execute("SET enable_seqscan = off")
        cond, params = POSTGRES.notes_condition(pg, '"快递"', None)
        plan = "\n".join(
            r[0]
            for r in pg.execute(
                POSTGRES.sql(f"EXPLAIN SELECT c.id FROM calls c WHERE {cond}"), params
            ).fetchall()
        )
        assert "notes_bigrams" in plan and "Bitmap" in plan
        pg.rollback()
