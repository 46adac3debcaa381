"""teams and their members; objectives and KPIs belong to the company, a team or a person;
objectives align to a parent objective or key result; digests per team

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.store.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'team',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=True),
        sa.Column('usergroup_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('usergroup_handle', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column('synced_at', bot.store.models.UTCDateTime(), nullable=True),
        sa.Column('created_at', bot.store.models.UTCDateTime(), nullable=False),
        sa.Column('archived_at', bot.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['lead_id'], ['member.id'], ),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'name_key'),
    )
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_workspace_id'), ['workspace_id'], unique=False)
    op.create_table(
        'team_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('from_group', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
        sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('team_id', 'member_id'),
    )
    with op.batch_alter_table('team_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_member_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_member_workspace_id'), ['workspace_id'], unique=False)
    # Every existing item stays where it was: at company level, aligned to nothing.
    with op.batch_alter_table('objective', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default='company'))
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parent_objective_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parent_key_result_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('align_weight', bot.store.models.ExactDecimal(), nullable=False, server_default='1'))
        batch_op.create_index(batch_op.f('ix_objective_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objective_parent_objective_id'), ['parent_objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objective_parent_key_result_id'), ['parent_key_result_id'], unique=False)
        batch_op.create_foreign_key('fk_objective_team', 'team', ['team_id'], ['id'])
        batch_op.create_foreign_key('fk_objective_parent_objective', 'objective', ['parent_objective_id'], ['id'])
        batch_op.create_foreign_key('fk_objective_parent_key_result', 'key_result', ['parent_key_result_id'], ['id'])
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default='company'))
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_kpi_team_id'), ['team_id'], unique=False)
        batch_op.create_foreign_key('fk_kpi_team', 'team', ['team_id'], ['id'])
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_subscription_team', 'team', ['team_id'], ['id'])
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('send', schema=None) as batch_op:
        batch_op.drop_column('team_id')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_constraint('fk_subscription_team', type_='foreignkey')
        batch_op.drop_column('team_id')
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_constraint('fk_kpi_team', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_kpi_team_id'))
        batch_op.drop_column('team_id')
        batch_op.drop_column('level')
    with op.batch_alter_table('objective', schema=None) as batch_op:
        batch_op.drop_constraint('fk_objective_parent_key_result', type_='foreignkey')
        batch_op.drop_constraint('fk_objective_parent_objective', type_='foreignkey')
        batch_op.drop_constraint('fk_objective_team', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_objective_parent_key_result_id'))
        batch_op.drop_index(batch_op.f('ix_objective_parent_objective_id'))
        batch_op.drop_index(batch_op.f('ix_objective_team_id'))
        for column in ('align_weight', 'parent_key_result_id', 'parent_objective_id', 'team_id', 'level'):
            batch_op.drop_column(column)
    op.drop_table('team_member')
    op.drop_table('team')
