"""Processing a Slack delivery once, however many times it arrives."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.store.database import queued_session, queued_transaction
from bot.store.models import SeenRequest, utcnow


def first_delivery(session: Session, key: str) -> bool:
    """True the first time `key` is seen (and records it in the caller's transaction)."""
    try:
        with session.begin_nested():
            session.add(SeenRequest(key=key[:160]))
        return True
    except IntegrityError:
        return False


def claim_delivery(engine: Engine, key: str) -> bool:
    """`first_delivery` in a transaction of its own, for work that is not one unit of work.

    Every signed Slack request is claimed here before it is acted on, so it is one statement
    (an insert that does nothing on a conflict), not a session, a savepoint and a flush."""
    statement = claim_statement(engine.dialect.name)
    if statement is None:
        with queued_session(engine) as session:
            fresh = first_delivery(session, key)
            session.commit()
            return fresh
    with queued_transaction(engine) as connection:
        return connection.execute(statement, {"key": key[:160], "created_at": utcnow()}).first() is not None


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

