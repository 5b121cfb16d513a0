"""What every service reads besides its own TELEMETRY_*/IDS_* settings: where it runs, the
secrets it shares with the CMS and where the CMS answers key introspection."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from croody_core import introspection, session
from croody_core.paths import dev_secret

MIN_SECRET_LENGTH = 32


class ServiceSettings(BaseSettings):
    """Shared fields; a service's subclass sets `env_prefix` for its own."""

    model_config = SettingsConfigDict(populate_by_name=True)

    # production: the secrets must come from the environment; development makes its own.
    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="CROODY_ENVIRONMENT"
    )
    session_secret: str = Field("", validation_alias="API_SESSION_SECRET", repr=False)
    internal_secret: str = Field("", validation_alias=introspection.SECRET_VARIABLE, repr=False)
    database_url: str
    # Requests per principal (key or signed-in user), e.g. 600/minute; empty: no limit.
    rate_limit: str = ""
    # The CMS's internal base URL for key introspection; under the gateway (`make run`) the
    # CMS answers in process and this is not used.
    cms_url: str = "http://127.0.0.1:8000"
    cms_timeout_seconds: float = Field(3.0, gt=0)

    @model_validator(mode="after")
    def _secrets(self) -> Self:
        for name, file_name in (
            ("session_secret", session.SECRET_FILE),
            ("internal_secret", introspection.SECRET_FILE),
        ):
            value = getattr(self, name).strip()
            if self.environment == "production" and len(value) < MIN_SECRET_LENGTH:
                variable = ServiceSettings.model_fields[name].validation_alias
                raise ValueError(
                    f"{variable} must be set to a random string of at least "
                    f"{MIN_SECRET_LENGTH} characters in production (the CMS has the same), "
                    'e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"'
                )
            setattr(self, name, value or dev_secret(file_name))
        return self
