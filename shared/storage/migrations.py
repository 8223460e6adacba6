"""Per-service schema migrations with Alembic: one shared environment, one versions folder per service."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData

_ENV_DIR = Path(__file__).parent / "alembic"


def alembic_config(engine: Engine, metadata: MetaData, versions_dir: Path, service: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_ENV_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(versions_dir))
    config.set_main_option("version_table", f"alembic_version_{service}")
    config.attributes["target_metadata"] = metadata
    config.attributes["engine"] = engine
    return config


def _run(config: Config, engine: Engine, action: str, *args: object, **kwargs: object) -> None:
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, *args, **kwargs)


def upgrade(engine: Engine, metadata: MetaData, versions_dir: Path, service: str) -> None:
    """Bring the service's database to the newest schema (idempotent)."""
    _run(alembic_config(engine, metadata, versions_dir, service), engine, "upgrade", "head")


def autogenerate(engine: Engine, metadata: MetaData, versions_dir: Path, service: str, message: str) -> None:
    """Developer aid: write a new revision from the difference between metadata and database."""
    _run(
        alembic_config(engine, metadata, versions_dir, service), engine, "revision", message=message, autogenerate=True
    )
