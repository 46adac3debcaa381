"""key results and KPIs name their library metric, channel and segment; insight states

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.store.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('key_result', 'kpi'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('metric', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
            batch_op.add_column(sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
            batch_op.add_column(sa.Column('segment', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bonus_tiers', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
    op.create_table(
        'insight_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('dismissed_at', bot.store.models.UTCDateTime(), nullable=True),
        sa.Column('snoozed_until', sa.Date(), nullable=True),
        sa.Column('reported', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('reported_at', bot.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'key'),
    )
    with op.batch_alter_table('insight_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insight_state_workspace_id'), ['workspace_id'], unique=False)


def downgrade() -> None:
    op.drop_table('insight_state')
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('bonus_tiers')
    for table in ('kpi', 'key_result'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('segment')
            batch_op.drop_column('channel')
            batch_op.drop_column('metric')
