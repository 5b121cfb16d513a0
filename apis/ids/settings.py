from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from apis.common.database import default_sqlite_url
from apis.ids.artifact import DEFAULT_MODEL_DIR


class Settings(BaseSettings):
    """Read from IDS_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="IDS_")

    database_url: str = default_sqlite_url("ids")
    # Folder holding ids_model.skops, metadata.json and confusion_matrix.svg.
    model_dir: Path = DEFAULT_MODEL_DIR
    # Requests per principal (key or signed-in user); a 10,000-record batch counts once.
    rate_limit: str = "600/minute"


@lru_cache
def get_settings() -> Settings:
    return Settings()
