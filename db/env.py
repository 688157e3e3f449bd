"""Alembic environment: runs migrations on the engine the portal hands over."""

from alembic import context
from sqlalchemy import Connection

from portal.db import engine_create
from portal.models import Base
from portal.settings import settings_load

target_metadata = Base.metadata


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Switch SQLite's foreign key enforcement (only possible outside a transaction).

    Batch migrations copy a table and drop the original; with enforcement on, the drop
    would fire ON DELETE actions of the tables referring to it (or be refused).
    """
    raw = connection.connection.driver_connection
    assert raw is not None and not raw.in_transaction
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def run_migrations() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:
        engine = engine_create(settings_load().resolved_database_url())
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
                # One transaction for the whole upgrade (SQLite's DDL is transactional): a
                # second process starting at once waits for it, then finds nothing to do.
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"Migration left broken foreign keys: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                _sqlite_foreign_keys(connection, on=True)


run_migrations()
