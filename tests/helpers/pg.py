"""A real, throw-away PostgreSQL server for the tests and the bench.

`PgServer.start()` runs Debian's `initdb` into a temporary directory (as the unprivileged
`postgres` user when we are root: PostgreSQL refuses to run as root), listens only on
127.0.0.1 on a free port, and creates a password-authenticated role (scram-sha-256 in
pg_hba.conf for host 127.0.0.1) plus a database. The password reaches libpq through a
`.pgpass` file named by PGPASSFILE, as it would on a lead's machine; it is never in a URL.
`stop()` runs `pg_ctl stop -m fast` and removes the directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROLE = "callassist_test"
PASSWORD = "s3cret-test-pw"
SUPERUSER = "postgres"


def pg_bindir() -> Path | None:
    """The newest installed PostgreSQL server binaries (Debian: /usr/lib/postgresql/N/bin)."""
    override = os.environ.get("CALLASSIST_PG_BINDIR")
    if override:
        return Path(override) if (Path(override) / "initdb").exists() else None
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    run_as: str | None  # the system user running the server (None: ourselves)
    database: str = "center_test"
    keep: bool = False  # a persistent data dir (the bench's 10M-call center): stop() keeps it
    _started: bool = field(default=False, repr=False)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def pgpass(self) -> Path:
        return self.root / "pgpass"

    def url(self, database: str | None = None, role: str = ROLE) -> str:
        """A connection URL without a password (the only kind the product accepts)."""
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database or self.database}"

    # ---- life cycle ----------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        *,
        database: str = "center_test",
        settings: dict[str, str] | None = None,
        root: Path | None = None,
    ) -> PgServer:
        """A new server in a temporary directory, or with `root` a persistent one: made there
        the first time, started again (on a new free port) afterwards, kept by `stop()`."""
        bindir = pg_bindir()
        if bindir is None:
            raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        run_as = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(SUPERUSER)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", SUPERUSER], check=True)
            run_as = SUPERUSER
        if root is not None and (Path(root) / "data" / "PG_VERSION").exists():
            server = cls(bindir, Path(root), free_port(), run_as, database, keep=True)
            server._launch()
            server._write_pgpass()
            return server
        keep = root is not None
        if root is not None:
            Path(root).mkdir(parents=True)
        else:
            root = Path(tempfile.mkdtemp(prefix="callassist-pg-"))
        server = cls(bindir, Path(root), free_port(), run_as, database, keep=keep)
        try:
            server._init(settings or {})
            server._launch()
            server._create_role_and_db()
        except BaseException:
            server.keep = False
            server.stop()
            raise
        return server

    def _cmd(self, *args: str) -> list[str]:
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *args]
        return list(args)

    def _run(self, *args: str, input_text: str | None = None) -> str:
        done = subprocess.run(
            self._cmd(*args), input=input_text, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}"
            )
        return done.stdout

    def _init(self, settings: dict[str, str]) -> None:
        self.socket_dir.mkdir()
        os.chmod(self.root, 0o755)
        if self.run_as:
            info = pwd.getpwnam(self.run_as)
            os.chown(self.root, info.pw_uid, info.pw_gid)
            os.chown(self.socket_dir, info.pw_uid, info.pw_gid)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        conf = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "30",
            "shared_buffers": "128MB",
            "logging_collector": "off",
            "password_encryption": "'scram-sha-256'",
            **settings,
        }
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as handle:
            handle.write("\n# callassist test server\n")
            for key, value in conf.items():
                handle.write(f"{key} = {value}\n")
        # pg_hba: only the local socket (trust, for the superuser's set-up) and 127.0.0.1 with
        # a password; nothing else may connect.
        (self.datadir / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
            encoding="utf-8",
        )

    def _launch(self) -> None:
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "600",
            "-o",
            f"-p {self.port}",
            "start",
        )
        self._started = True

    def psql_admin(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser over the private socket (set-up and fault injection)."""
        return self._run(
            str(self.bindir / "psql"),
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            database,
            "-c",
            sql,
        )

    def _create_role_and_db(self) -> None:
        self.psql_admin(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
        self.psql_admin(f"CREATE DATABASE {self.database} OWNER {ROLE}")
        self._write_pgpass()

    def _write_pgpass(self) -> None:
        self.pgpass.write_text(f"127.0.0.1:{self.port}:*:{ROLE}:{PASSWORD}\n", encoding="utf-8")
        os.chmod(self.pgpass, 0o600)

    def create_database(self, name: str) -> str:
        """A fresh empty database owned by the test role; returns its URL."""
        self.psql_admin(f"CREATE DATABASE {name} OWNER {ROLE}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.psql_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def env(self) -> dict[str, str]:
        """Environment for a client (libpq reads the password from PGPASSFILE)."""
        return {"PGPASSFILE": str(self.pgpass)}

    def stop(self) -> None:
        try:
            if self._started:
                subprocess.run(
                    self._cmd(
                        str(self.bindir / "pg_ctl"),
                        "-D",
                        str(self.datadir),
                        "-m",
                        "fast",
                        "-w",
                        "stop",
                    ),
                    capture_output=True,
                    timeout=60,
                )
                self._started = False
        finally:
            if not self.keep:
                shutil.rmtree(self.root, ignore_errors=True)

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.psql_admin("SELECT 1")
                return
            except RuntimeError:
                time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not come up")
