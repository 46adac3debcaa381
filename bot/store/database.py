"""Engine and sessions: SQLite embedded by default, PostgreSQL when `DATABASE_URL` says so."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from bot.store import models  # noqa: F401 - registers the tables on SQLModel.metadata


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        _WRITERS[engine] = threading.RLock()
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers work while a check-in is written; the busy timeout queues writers of
    other processes.

    pysqlite would begin transactions itself, lazily, so a savepoint taken before the first
    write committed on release; SQLAlchemy's recipe hands transaction control back to it."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the database; a power cut (not a crash of the bot) may
    # lose the last commits. It saves an fsync per check-in, which was a tenth of its time.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Take the write lock up front: SQLite has one writer, and a deferred transaction that
    reads, then writes after another process committed, fails at once instead of waiting."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


_WRITERS: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()


def _writer_turn(engine: Engine) -> AbstractContextManager:
    return _WRITERS.get(engine) or nullcontext()


@contextmanager
def queued_session(engine: Engine, **options) -> Iterator[Session]:
    """A Session opened in this process's turn for SQLite's one writer (every SQLite transaction
    begins IMMEDIATE); a plain Session on PostgreSQL. Threads queue on a lock, which wakes the
    next one the moment the last commits; left to SQLite's busy handler they would sleep in
    steps of up to 100 ms while the database sits idle, which made the slowest replies seconds
    long under load (README, Performance). Other processes still queue on busy_timeout."""
    with _writer_turn(engine), Session(engine, **options) as session:
        yield session


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One session per command: committed when the block ends, rolled back if it raises."""
    with queued_session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def queued_transaction(engine: Engine) -> Iterator:
    """A Core connection in a transaction, in this process's turn for SQLite's one writer: for the
    hot paths that need no ORM objects (a typed check-in). Committed when the block ends."""
    with _writer_turn(engine), engine.begin() as connection:
        yield connection
