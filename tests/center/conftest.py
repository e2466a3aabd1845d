"""A real PostgreSQL 15 server for the center tests, started once per session.

Skipped (with the reason) only on a developer machine without the PostgreSQL binaries; in CI
(CI=true) a missing server is a failure: `scripts/dev test` installs the `postgresql` package.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from tests.helpers.pg import PgServer, PgUnavailable

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs a PostgreSQL server: {exc}")
        pytest.skip(f"{exc} (install Debian's postgresql package, or run scripts/dev test)")
    old = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(server.pgpass)
    os.environ.pop("PGPASSWORD", None)
    try:
        yield server
    finally:
        if old is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = old
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped after the test."""
    name = f"center_{os.getpid()}_{next(_names)}"
    url = pg_server.create_database(name)
    try:
        yield url
    finally:
        pg_server.drop_database(name)
