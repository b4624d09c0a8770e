"""Alembic's environment: run by server.db.migrate() with the connection it is given."""
from alembic import context

from server.db import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `lgo-central migrate` (server.db.migrate)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
