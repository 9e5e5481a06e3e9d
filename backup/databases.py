"""The whole database to one file and back: PostgreSQL with pg_dump (custom format) and
pg_restore, SQLite with its online backup API. Both count the rows of every table as saved, so
a restore can show it brought back exactly that."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ENGINE_LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# The connection settings of libpq's programs, as Django's OPTIONS name them.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in Chinese."""


def engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库，只支持 PostgreSQL 和 SQLite。")
    return connection.vendor


def dump(connection: BaseDatabaseWrapper, folder: Path) -> tuple[str, dict[str, int]]:
    """Write the database into `folder`; returns the file's name and the rows of every table in it."""
    name = DUMP_NAMES[engine(connection)]
    dumper = _dump_postgresql if connection.vendor == "postgresql" else _dump_sqlite
    return name, dumper(connection, folder / name)


def load(connection: BaseDatabaseWrapper, file: Path, *, replace: bool) -> None:
    """Put the database saved in `file` in place of the one `connection` reaches. `replace`:
    its tables are dropped first, in the same transaction (PostgreSQL) or page for page (SQLite)."""
    if engine(connection) == "postgresql":
        _load_postgresql(connection, file, replace=replace)
    else:
        _load_sqlite(connection, file)


def table_rows(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """The number of rows of every table of the database `connection` reaches."""
    with connection.cursor() as cursor:
        return _count(cursor, connection)


def _count(cursor, connection: BaseDatabaseWrapper) -> dict[str, int]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 1"
        )
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall()]
    rows = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        rows[table] = cursor.fetchone()[0]
    return rows


# --- PostgreSQL ----------------------------------------------------------------------------


def _dump_postgresql(connection: BaseDatabaseWrapper, path: Path) -> dict[str, int]:
    """pg_dump reads the snapshot of a transaction that counts the rows first, so the counts are
    those of the dump even while the site is being used."""
    snapshot_holder = connection.Database.connect(**connection.get_connection_params())
    try:
        with snapshot_holder.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            rows = _count(cursor, connection)
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
            _run([*command, f"--file={path}"], connection, "pg_dump")
    finally:
        snapshot_holder.rollback()
        snapshot_holder.close()
    return rows


def _load_postgresql(connection: BaseDatabaseWrapper, path: Path, *, replace: bool) -> None:
    """pg_restore turns the dump into an SQL script, which psql runs in one transaction, after
    dropping the existing tables when `replace`: a restore that fails leaves the database as it
    was. The script is written out whole first, so psql never commits half of one."""
    drop = []
    if replace:
        tables = list(table_rows(connection))
        if tables:
            drop = ["-c", f"DROP TABLE IF EXISTS {', '.join(map(connection.ops.quote_name, tables))} CASCADE"]
    with tempfile.TemporaryDirectory(prefix="restore-sql-") as folder:
        script = Path(folder) / "database.sql"
        _run(["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(path)], connection, "pg_restore")
        psql = ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction", *drop, f"--file={script}"]
        result = subprocess.run(_client(psql), env=_libpq_env(connection), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise BackupError(f"恢复数据库失败，数据库保持原样：{_tail(result.stderr)}")


def _run(command: list[str], connection: BaseDatabaseWrapper, program: str) -> None:
    result = subprocess.run(_client(command), env=_libpq_env(connection), capture_output=True)
    if result.returncode != 0:
        raise BackupError(f"{program} 失败：{_tail(result.stderr)}")


def _client(command: list[str]) -> list[str]:
    """`command` once its program is known to be installed."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 的客户端程序（Debian：postgresql-client）。")
    return command


def _libpq_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The environment pg_dump, pg_restore and psql connect with: the database Django uses
    (the password in the environment, not on the command line, where `ps` would show it)."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGDATABASE", "NAME"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"), ("PGHOST", "HOST"), ("PGPORT", "PORT")):
        if settings.get(key):
            env[variable] = str(settings[key])
    for option, variable in LIBPQ_OPTIONS.items():
        if settings["OPTIONS"].get(option):
            env[variable] = str(settings["OPTIONS"][option])
    return env


def _tail(stderr: bytes) -> str:
    return stderr.decode(errors="replace").strip()[-2000:] or "（没有说明）"


# --- SQLite --------------------------------------------------------------------------------


def _dump_sqlite(connection: BaseDatabaseWrapper, path: Path) -> dict[str, int]:
    """The online backup API copies a consistent database while the site runs (and works on the
    in-memory database of the tests, too)."""
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        with closing(copy.cursor()) as cursor:
            return _count(cursor, connection)


def _load_sqlite(connection: BaseDatabaseWrapper, path: Path) -> None:
    """The backup API copied the other way replaces the whole database, page for page."""
    connection.ensure_connection()
    try:
        with closing(sqlite3.connect(path)) as saved:
            saved.backup(connection.connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"恢复数据库失败，数据库保持原样：{error}") from None
