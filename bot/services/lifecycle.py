"""What Slack tells us about the app's life in a workspace: uninstalled, tokens revoked, a person
who left. Nothing is deleted (history stays, and a reinstall picks up where it left off); what
changes is who gets posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.store.database import queued_session
from bot.store.models import Member, Workspace


def workspace_uninstalled(engine: Engine, team_id: str, now: datetime) -> None:
    """`app_uninstalled`, or `tokens_revoked` for the bot: every send to the workspace stops."""
    with queued_session(engine) as session:
        session.execute(update(Workspace).where(Workspace.team_id == team_id, col(Workspace.uninstalled_at).is_(None))
                        .values(uninstalled_at=now))
        session.commit()


def member_left(engine: Engine, team_id: str, user_id: str, left: bool, now: datetime) -> None:
    """`user_change` with `deleted`: no reminders for them, and they leave "not checked in";
    reactivated, they are back."""
    with queued_session(engine) as session:
        workspace_ids = session.exec(select(Workspace.id).where(Workspace.team_id == team_id)).all()
        if workspace_ids:
            session.execute(update(Member).where(col(Member.workspace_id).in_(workspace_ids), Member.user_id == user_id)
                            .values(deactivated_at=now if left else None))
            session.commit()
