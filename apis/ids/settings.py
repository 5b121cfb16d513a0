from functools import lru_cache
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from apis.common.settings import ServiceSettings
from apis.ids.artifact import DEFAULT_MODEL_DIR
from croody_core.paths import default_sqlite_url


class Settings(ServiceSettings):
    """Read from IDS_* environment variables (and the shared ones of ServiceSettings)."""

    model_config = SettingsConfigDict(env_prefix="IDS_", populate_by_name=True)

    database_url: str = default_sqlite_url("ids")
    # Folder holding ids_model.skops, metadata.json and confusion_matrix.svg.
    model_dir: Path = DEFAULT_MODEL_DIR
    # Requests per principal (key or signed-in user); a 10,000-record batch counts once.
    rate_limit: str = "600/minute"


@lru_cache
def get_settings() -> Settings:
    return Settings()
