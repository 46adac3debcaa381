"""advice numbered per workspace

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('advice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=False, server_default='0'))
    # Existing advice keeps its order: 1, 2, 3… within each workspace.
    op.execute("""
        UPDATE advice SET number = (
            SELECT COUNT(*) FROM advice AS earlier
            WHERE earlier.workspace_id = advice.workspace_id AND earlier.id <= advice.id
        )
    """)
    with op.batch_alter_table('advice', schema=None) as batch_op:
        batch_op.alter_column('number', server_default=None)
        batch_op.create_unique_constraint('uq_advice_workspace_id_number', ['workspace_id', 'number'])


def downgrade() -> None:
    with op.batch_alter_table('advice', schema=None) as batch_op:
        batch_op.drop_constraint('uq_advice_workspace_id_number', type_='unique')
        batch_op.drop_column('number')
