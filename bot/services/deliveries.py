"""Processing a Slack delivery once, however many times it arrives."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.store.database import queued_session
from bot.store.models import SeenRequest


def first_delivery(session: Session, key: str) -> bool:
    """True the first time `key` is seen (and records it in the caller's transaction)."""
    try:
        with session.begin_nested():
            session.add(SeenRequest(key=key[:160]))
        return True
    except IntegrityError:
        return False


def claim_delivery(engine: Engine, key: str) -> bool:
    """`first_delivery` in a transaction of its own, for work that is not one unit of work."""
    with queued_session(engine) as session:
        fresh = first_delivery(session, key)
        session.commit()
        return fresh
