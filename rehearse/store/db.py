"""The production's SQLite database (`.rehearse/rehearse.db`): connection, pragmas, migrations.

WAL mode with `synchronous=FULL`: every committed rehearsal-log entry survives a killed process,
a closed lid or a lost SSH session. Several app instances may write to one production: writers
take the lock with `BEGIN IMMEDIATE` and wait for each other (busy timeout) instead of failing.
Schema changes are numbered migrations applied in order and recorded in `PRAGMA user_version`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rehearse.errors import Location, StoreError

Connection = sqlite3.Connection
"""An open production database (callers outside `store/` name the type by this, never by sqlite3)."""

STATE_DIR_NAME = ".rehearse"
DB_FILE_NAME = "rehearse.db"
BUSY_TIMEOUT_MS = 10_000

# Append only: never edit a migration that has shipped; add a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: rehearsal sessions and their log entries
    """
    CREATE TABLE log_session (
        id           INTEGER PRIMARY KEY,
        scene_id     TEXT NOT NULL,
        label        TEXT NOT NULL DEFAULT '',
        created_at   TEXT NOT NULL,           -- wall clock, ISO 8601 UTC
        closed_at    TEXT                     -- set when the session is ended on purpose
    );
    CREATE TABLE log_entry (
        id           INTEGER PRIMARY KEY,
        session_id   INTEGER NOT NULL REFERENCES log_session(id) ON DELETE CASCADE,
        t_s          REAL NOT NULL,           -- session clock, seconds
        beat_id      TEXT,                    -- beat current when the key was pressed
        kind         TEXT NOT NULL,
        text         TEXT NOT NULL DEFAULT '',
        created_at   TEXT NOT NULL,
        undone       INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX log_entry_session ON log_entry(session_id, id);
    """,
    # 2: the session clock's start/pause history, so a crashed session resumes its clock
    """
    CREATE TABLE clock_event (
        id           INTEGER PRIMARY KEY,
        session_id   INTEGER NOT NULL REFERENCES log_session(id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('start', 'pause')),
        wall_s       REAL NOT NULL            -- time.time() when it happened
    );
    CREATE INDEX clock_event_session ON clock_event(session_id, id);
    """,
    # 3: a logged session linked to a recorded take: take_time = session_time - offset_s
    """
    CREATE TABLE take_sync (
        session_id   INTEGER NOT NULL REFERENCES log_session(id) ON DELETE CASCADE,
        take_file    TEXT NOT NULL,           -- as written in the scene's take entry
        offset_s     REAL NOT NULL,
        method       TEXT NOT NULL CHECK (method IN ('manual', 'clap')),
        confidence   REAL,
        created_at   TEXT NOT NULL,
        PRIMARY KEY (session_id, take_file)
    );
    """,
    # 4: a take's neutral (rest) span, the baseline its blink/expression thresholds adapt to
    """
    CREATE TABLE neutral_mark (
        take_file    TEXT PRIMARY KEY,        -- as written in the scene's take entry
        start_s      REAL NOT NULL,           -- take clock, seconds
        end_s        REAL NOT NULL CHECK (end_s > start_s),
        created_at   TEXT NOT NULL
    );
    """,
    # 5: a session is one run-through of one take (shot + take number), with the camera's
    # timecode read at a known wall-clock instant; each entry keeps the wall time of its key
    """
    ALTER TABLE log_session ADD COLUMN shot TEXT;
    ALTER TABLE log_session ADD COLUMN take_number INTEGER;
    ALTER TABLE log_session ADD COLUMN timecode TEXT;          -- camera timecode HH:MM:SS:FF ...
    ALTER TABLE log_session ADD COLUMN timecode_wall_s REAL;   -- ... read at this time.time()
    ALTER TABLE log_session ADD COLUMN timecode_fps REAL;
    ALTER TABLE log_entry ADD COLUMN wall_s REAL;              -- time.time() of the key press
    """,
    # 6: events a person confirmed (ELAN/CSV corrections) that replace detections of their kinds
    """
    CREATE TABLE confirmed_events (
        take_file    TEXT PRIMARY KEY,        -- as written in the scene's take entry
        kinds        TEXT NOT NULL,           -- JSON list: event kinds the import covers
        events       TEXT NOT NULL,           -- JSON list of event records
        source       TEXT NOT NULL,           -- the imported file
        imported_at  TEXT NOT NULL
    );
    """,
)


def state_dir(production_root: Path) -> Path:
    """`.rehearse/` under the production folder (created on demand)."""
    return Path(production_root) / STATE_DIR_NAME


def database_path(production_root: Path) -> Path:
    """Where the production's database lives."""
    return state_dir(production_root) / DB_FILE_NAME


def connect(production_root: Path) -> sqlite3.Connection:
    """Open (and migrate) the production's database."""
    path = database_path(production_root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"cannot open the rehearsal database: {exc}",
            Location(path),
            hint="check that the production folder is writable",
        ) from None
    connection.row_factory = sqlite3.Row
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(f"SQLite refused WAL mode (got {mode!r})", Location(path))
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        migrate(connection)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise StoreError(
            f"the rehearsal database is not readable: {exc}",
            Location(path),
            hint="move the file aside; rehearse will start a new one",
        ) from None
    return connection


def schema_version(connection: sqlite3.Connection) -> int:
    """The number of migrations applied."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection) -> int:
    """Apply pending migrations, each in its own transaction; returns the new version."""
    while True:
        with write_transaction(connection):
            version = schema_version(connection)
            if version >= len(MIGRATIONS):
                if version > len(MIGRATIONS):
                    raise StoreError(
                        f"the rehearsal database has schema version {version}, newer than this "
                        f"rehearse knows ({len(MIGRATIONS)})",
                        hint="upgrade rehearse",
                    )
                return version
            for statement in _statements(MIGRATIONS[version]):
                connection.execute(statement)
            # PRAGMA cannot take parameters; version is our own integer.
            connection.execute(f"PRAGMA user_version = {version + 1}")


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT our transaction; run statement by statement instead.
    return [part.strip() for part in script.split(";") if part.strip() and not _only_comments(part)]


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())


@contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front so two writers queue cleanly."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    else:
        connection.execute("COMMIT")
