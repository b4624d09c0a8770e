"""log-in tries counted per user name, spent refresh tokens, each record's owning unit

Lock-out moves from the accounts table to a count per user name (its SHA-256), taken before each password
check, for known and unknown names alike. Spent refresh tokens are remembered so one used again ends its
session. Every record already carries the unit that wrote it (records.unit_code): that is its owner.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(64), primary_key=True),
        sa.Column('failed', sa.Integer, nullable=False, server_default='0'),
        sa.Column('locked_until', sa.DateTime(timezone=True)),
    )
    op.create_table(
        'spent_refresh',
        sa.Column('hash', sa.String(64), primary_key=True),
        sa.Column('session_id', sa.String(36), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_spent_refresh_session_id', 'spent_refresh', ['session_id'])
    op.create_index('records_unit_code', 'records', ['unit_code'])


def downgrade() -> None:
    op.drop_index('records_unit_code', 'records')
    op.drop_table('spent_refresh')
    op.drop_table('login_throttle')
