"""Alembic environment: the URL comes from the caller's config (``engine.core.schema.upgrade``)."""

from alembic import context

from engine.models import Base

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        with create_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
            _run(conn)
    else:
        _run(connection)


# The search index of migration 0008 lives outside the models (an FTS5 table with its
# shadow tables, a PostgreSQL expression index): autogenerate must not offer to drop it.
_SEARCH_OBJECTS = ("documents_fts", "ix_documents_search")


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (reflected and compare_to is None and name is not None and name.startswith(_SEARCH_OBJECTS))


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      include_object=_include)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
