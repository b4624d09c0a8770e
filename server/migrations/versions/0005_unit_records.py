"""each unit's basic data as a revisioned record of its own register

A unit's name, level, address, phone and e-mail change through a change set like any other record, so the
unit needs a record (type "unit", id = its code) with a revision to compare with. This seeds one from the
register of units for every unit that has none, with a feed item so the unit's PCs receive it.

Revision ID: 0005
Revises: 0004
"""
import datetime as _dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
units = sa.table('units', sa.column('code', sa.String), sa.column('rev', sa.Integer), sa.column('data', _json))
records = sa.table('records', sa.column('type', sa.String), sa.column('id', sa.String),
                   sa.column('unit_code', sa.String), sa.column('cid', sa.String), sa.column('other_cid', sa.String),
                   sa.column('rev', sa.Integer), sa.column('data', _json))
history = sa.table('record_history', sa.column('type', sa.String), sa.column('id', sa.String),
                   sa.column('rev', sa.Integer), sa.column('data', _json), sa.column('changeset_id', sa.String),
                   sa.column('at', sa.DateTime(timezone=True)))
feed = sa.table('feed', sa.column('unit_code', sa.String), sa.column('kind', sa.String),
                sa.column('record_type', sa.String), sa.column('key', sa.String), sa.column('rev', sa.Integer),
                sa.column('data', _json), sa.column('at', sa.DateTime(timezone=True)))


def upgrade() -> None:
    conn = op.get_bind()
    have = {code for (code,) in conn.execute(sa.select(records.c.id).where(records.c.type == 'unit'))}
    at = _dt.datetime.now(_dt.timezone.utc)
    for code, rev, data in conn.execute(sa.select(units.c.code, units.c.rev, units.c.data)).all():
        if code in have:
            continue
        conn.execute(records.insert().values(type='unit', id=code, unit_code=code, cid=None, other_cid=None,
                                             rev=rev, data=data))
        conn.execute(history.insert().values(type='unit', id=code, rev=rev, data=data, changeset_id=None, at=at))
        conn.execute(feed.insert().values(unit_code=code, kind='record', record_type='unit', key=code, rev=rev,
                                          data=data, at=at))


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(feed.delete().where(feed.c.record_type == 'unit'))
    conn.execute(history.delete().where(history.c.type == 'unit'))
    conn.execute(records.delete().where(records.c.type == 'unit'))
