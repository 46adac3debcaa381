"""measurement types, KPI baselines, OKR grading style, deferred cycle changes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 08:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.store.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('key_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False, server_default='increase'))
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False, server_default='increase'))
        batch_op.add_column(sa.Column('start', bot.store.models.ExactDecimal(), nullable=True))
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('okr_style', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False, server_default='stretch'))
        batch_op.add_column(sa.Column('next_cycle', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('next_cycle_from', sa.Date(), nullable=True))
    # Every existing item keeps the numbers it had: a key result whose target is below its start
    # was going down; a lower-is-better KPI decreases.
    op.execute("UPDATE key_result SET measure = 'decrease' WHERE target IS NOT NULL AND CAST(target AS NUMERIC) < CAST(start AS NUMERIC)")
    op.execute("UPDATE kpi SET measure = 'decrease' WHERE direction = 'lower'")
    for table in ('key_result', 'kpi'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('measure', server_default=None)
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.alter_column('okr_style', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('next_cycle_from')
        batch_op.drop_column('next_cycle')
        batch_op.drop_column('okr_style')
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_column('start')
        batch_op.drop_column('measure')
    with op.batch_alter_table('key_result', schema=None) as batch_op:
        batch_op.drop_column('measure')
