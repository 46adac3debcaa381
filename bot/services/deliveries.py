"""Processing a Slack delivery once, however many times it arrives."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.store.database import queued_session, queued_transaction
from bot.store.models import SeenRequest, utcnow

KEY_LENGTH = 160  # the column's width: a longer key is cut, consistently


def first_delivery(session: Session, key: str) -> bool:
    """True the first time `key` is seen (and records it in the caller's transaction)."""
    try:
        with session.begin_nested():
            session.add(SeenRequest(key=key[:KEY_LENGTH]))
        return True
    except IntegrityError:
        return False


def claim_delivery(engine: Engine, key: str) -> bool:
    """`first_delivery` in a transaction of its own, for work that is not one unit of work.

    Every signed Slack request is claimed before it is acted on, so it is one statement
    (an insert that does nothing on a conflict), not a session, a savepoint and a flush."""
    statement = claim_statement(engine.dialect.name)
    if statement is None:
        with queued_session(engine) as session:
            fresh = first_delivery(session, key)
            session.commit()
            return fresh
    with queued_transaction(engine) as connection:
        return connection.execute(statement, {"key": key[:KEY_LENGTH], "created_at": utcnow()}).first() is not None


def claim_within(connection: Connection, key: str) -> bool:
    """`first_delivery` in the caller's Core transaction: the claim commits, or rolls back, with
    the caller's own writes."""
    statement = claim_statement(connection.dialect.name)
    if statement is not None:
        return connection.execute(statement, {"key": key[:KEY_LENGTH], "created_at": utcnow()}).first() is not None
    try:
        with connection.begin_nested():
            connection.execute(SeenRequest.__table__.insert(), {"key": key[:KEY_LENGTH], "created_at": utcnow()})
        return True
    except IntegrityError:
        return False


class Delivery:
    """One signed request, to be acted on once. The edge that received it hands it to the work it
    starts instead of claiming it first: the typed check-in claims it inside its own transaction
    (one commit per check-in, not two: on PostgreSQL each commit waits for the disk), every other
    path claims it alone before acting (`claim`). `fresh` is None until it has been claimed."""

    def __init__(self, engine: Engine, key: str) -> None:
        self.engine, self.key = engine, key
        self.fresh: bool | None = None

    def claim(self) -> bool:
        """True if this is the first arrival: claimed now, or already by the work that took it."""
        if self.fresh is None:
            self.fresh = claim_delivery(self.engine, self.key)
        return self.fresh

    def claim_within(self, connection: Connection) -> bool:
        """Claimed in the caller's transaction; call `settled()` once that transaction commits."""
        return self.fresh if self.fresh is not None else claim_within(connection, self.key)

    def settled(self) -> None:
        self.fresh = True


@cache
def claim_statement(dialect: str) -> Insert | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING key, in the dialects that have it (the bot's own
    databases): a row back means this caller inserted it (psycopg reports no rowcount here)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        return None
    table = SeenRequest.__table__
    return insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
