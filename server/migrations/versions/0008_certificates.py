"""certificates of entitlement the units issued (issue 18 §4)

Revision ID: 0008
Revises: 0007_claims
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007_claims'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'certificates',
        sa.Column('unit_code', sa.String(length=32), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=False),
        sa.Column('cid', sa.String(length=13), nullable=False),
        sa.Column('relation', sa.String(length=16), nullable=False),
        sa.Column('via_cid', sa.String(length=13), nullable=False),
        sa.Column('admitted_on', sa.Date(), nullable=False),
        sa.Column('issued_by', sa.String(length=13), nullable=False),
        sa.Column('account_id', sa.String(length=36), nullable=False),
        sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('unit_code', 'number'),
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_cid'), ['cid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_cid'))
    op.drop_table('certificates')
