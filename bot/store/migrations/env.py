"""Alembic's entry point: the tables are SQLModel's metadata; the connection comes from
`bot.store.schema`, which hands it over in `config.attributes`."""

from alembic import context
from sqlmodel import SQLModel

from bot.store.models import PLATFORM_TABLES  # importing the models registers every table


config = context.config
target_metadata = SQLModel.metadata


def ours(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate compares our tables only: the platforms' own (Slack's OAuth stores, created
    by migration 0003) are defined by their SDKs and left alone."""
    table = obj.table.name if type_ in ("index", "column", "unique_constraint", "foreign_key_constraint") and hasattr(obj, "table") else name
    return table not in PLATFORM_TABLES


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True, include_object=ours,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
