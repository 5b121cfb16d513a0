from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from apis.common.database import default_sqlite_url


class Settings(BaseSettings):
    """Read from IDS_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="IDS_")

    database_url: str = default_sqlite_url("ids")


@lru_cache
def get_settings() -> Settings:
    return Settings()
