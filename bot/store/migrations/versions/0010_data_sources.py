"""data sources: KPI and key-result actuals read on a schedule from CSV, JSON or SQL

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 22:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.store.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'source',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('key_result_id', sa.Integer(), nullable=True),
        sa.Column('kpi_id', sa.Integer(), nullable=True),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('settings', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('schedule', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', bot.store.models.UTCDateTime(), nullable=False),
        sa.Column('last_run_at', bot.store.models.UTCDateTime(), nullable=True),
        sa.Column('last_value', bot.store.models.ExactDecimal(), nullable=True),
        sa.Column('last_state', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column('failing_since', bot.store.models.UTCDateTime(), nullable=True),
        sa.Column('notified_at', bot.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['member.id'], ),
        sa.ForeignKeyConstraint(['key_result_id'], ['key_result.id'], ),
        sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], ),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'number'),
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_workspace_id'), ['workspace_id'], unique=False)


def downgrade() -> None:
    op.drop_table('source')
