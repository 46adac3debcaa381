"""send claims carry their start; uninstalled workspaces and deactivated members

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import bot.store.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', bot.store.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uninstalled_at', bot.store.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', bot.store.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('uninstalled_at')
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
