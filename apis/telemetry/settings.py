from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from apis.common.database import default_sqlite_url


class Settings(BaseSettings):
    """Read from TELEMETRY_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="TELEMETRY_")

    database_url: str = default_sqlite_url("telemetry")
    # Requests per API key (or signed-in user), e.g. 1200/minute; empty: no limit.
    rate_limit: str = "1200/minute"
    # Seconds between SSE heartbeats on `GET live` (keeps proxies from closing idle streams).
    heartbeat_seconds: float = Field(15.0, gt=0)
    # Redis pub/sub channel of the live fan-out (with REDIS_URL); one per deployment.
    live_channel: str = "croody:telemetry:live"


@lru_cache
def get_settings() -> Settings:
    return Settings()
