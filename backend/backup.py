"""Backups: SQLite through its online backup API, PostgreSQL through pg_dump / pg_restore.

The SQLite copy is made page by page by SQLite itself while the app keeps serving (WAL mode lets
readers and the backup run beside a writer), so it is consistent without stopping anything.
PostgreSQL is dumped in pg_dump's custom format, which pg_restore can restore selectively and in
parallel; the client tools must be the server's major version or newer.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why."""


def sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database:
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL pg_dump understands, and the password apart (in PGPASSWORD, not in `ps`)."""
    url = make_url(database_url).set(drivername="postgresql")
    env = {"PGPASSWORD": url.password} if url.password else {}
    return url.set(password=None).render_as_string(hide_password=False), env


def count_orders(db_file: Path) -> int:
    with sqlite3.connect(db_file) as conn:
        return conn.execute('SELECT count(*) FROM "order"').fetchone()[0]


def backup_sqlite(source: Path, target: Path) -> int:
    """Copies a live database to `target` and checks the copy; answers its number of orders."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=1024)
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("the copy failed SQLite's integrity check")
    finally:
        dst.close()
        src.close()
    partial.replace(target)  # a reader never sees a half-written backup under the final name
    return count_orders(target)


def restore_sqlite(backup: Path, target: Path) -> int:
    """Replaces the database at `target` by the backup (the app must be stopped)."""
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    try:
        with sqlite3.connect(backup) as check:
            intact = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        intact = False
    if not intact:
        raise BackupError(f"{backup} is not an intact SQLite backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(backup)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # also rewrites the target's WAL, unlike copying the file over it
    finally:
        dst.close()
        src.close()
    return count_orders(target)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return path


def backup_postgres(database_url: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    url, env = libpq_target(database_url)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target),
          "--dbname", url], env)  # fmt: skip


def restore_postgres(backup: Path, database_url: str) -> None:
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    url, env = libpq_target(database_url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
          "--single-transaction", "--dbname", url, str(backup)], env)  # fmt: skip


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603
        args, capture_output=True, text=True, check=False, env={**os.environ, **env}
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")
