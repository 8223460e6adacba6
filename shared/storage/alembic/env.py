"""Alembic environment shared by every service; each service passes its own metadata and versions."""

from __future__ import annotations

from alembic import context

config = context.config
target_metadata = config.attributes["target_metadata"]
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    version_table=config.get_main_option("version_table", "alembic_version"),
)
with context.begin_transaction():
    context.run_migrations()
