"""the finance officers' claims: the server's copy of each, receipts once per unit, evidence, payment statements

Revision ID: 0007_claims
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007_claims'
down_revision = '0006'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'claims',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('unit_code', sa.String(32), nullable=False),
        sa.Column('state', sa.String(20), nullable=False),
        sa.Column('author_cid', sa.String(13), nullable=False),
        sa.Column('submission', sa.Integer, nullable=False),
        sa.Column('data', JSON, nullable=False),
        sa.Column('statement_id', sa.String(64)),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('claims_unit_state', 'claims', ['unit_code', 'state'])
    op.create_index('claims_state', 'claims', ['state'])
    op.create_table(
        'claim_receipts',
        sa.Column('unit_code', sa.String(32), primary_key=True),
        sa.Column('receipt_key', sa.String(400), primary_key=True),
        sa.Column('claim_id', sa.String(36), nullable=False),
    )
    op.create_index('ix_claim_receipts_claim_id', 'claim_receipts', ['claim_id'])
    op.create_table(
        'claim_evidence',
        sa.Column('sha256', sa.String(64), primary_key=True),
        sa.Column('claim_id', sa.String(36), primary_key=True),
        sa.Column('unit_code', sa.String(32), nullable=False),
    )
    op.create_index('claim_evidence_unit', 'claim_evidence', ['unit_code', 'sha256'])
    op.create_table(
        'payment_statements',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('unit_code', sa.String(32), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('body', JSON, nullable=False),
        sa.Column('signature', sa.Text, nullable=False),
        sa.Column('transfer', JSON),
        sa.Column('transfer_signature', sa.Text),
    )
    op.create_index('payment_statements_unit_month', 'payment_statements', ['unit_code', 'month'], unique=True)


def downgrade() -> None:
    op.drop_table('payment_statements')
    op.drop_table('claim_evidence')
    op.drop_table('claim_receipts')
    op.drop_table('claims')
