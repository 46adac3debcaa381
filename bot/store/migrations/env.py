"""Alembic's entry point: the tables are SQLModel's metadata; the connection comes from
`bot.store.schema`, which hands it over in `config.attributes`."""

from alembic import context
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401 - registers every table

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
