from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from apis.common.settings import ServiceSettings
from croody_core.paths import default_sqlite_url


class Settings(ServiceSettings):
    """Read from TELEMETRY_* environment variables (and the shared ones of ServiceSettings)."""

    model_config = SettingsConfigDict(env_prefix="TELEMETRY_", populate_by_name=True)

    database_url: str = default_sqlite_url("telemetry")
    # Requests per API key (or signed-in user), e.g. 1200/minute; empty: no limit.
    rate_limit: str = "1200/minute"
    # Seconds between SSE heartbeats on `GET live` (keeps proxies from closing idle streams).
    heartbeat_seconds: float = Field(15.0, gt=0)
    # Seconds between re-checks of the key an open live stream was opened with: with the
    # directory's 20 s freshness, a revoked key's stream ends within 30 s.
    key_recheck_seconds: float = Field(10.0, gt=0, le=10)
    # Redis pub/sub channel of the live fan-out (with REDIS_URL); one per deployment.
    live_channel: str = "croody:telemetry:live"


@lru_cache
def get_settings() -> Settings:
    return Settings()
