"""Each service starts alone on its own settings, and never on a silently made-up secret in
production."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from apis.ids.settings import Settings as IdsSettings
from apis.telemetry.settings import Settings as TelemetrySettings
from tests.servers import REPO, base_env, free_port

STRONG = "s" * 48


@pytest.mark.parametrize("settings_class", [TelemetrySettings, IdsSettings])
@pytest.mark.parametrize("missing", ["API_SESSION_SECRET", "INTERNAL_API_SECRET"])
def test_production_settings_refuse_a_missing_or_short_secret(monkeypatch, settings_class, missing):
    monkeypatch.setenv("CROODY_ENVIRONMENT", "production")
    monkeypatch.setenv("API_SESSION_SECRET", STRONG)
    monkeypatch.setenv("INTERNAL_API_SECRET", STRONG)
    for value in ("", "short"):
        monkeypatch.setenv(missing, value)
        with pytest.raises(ValidationError, match=f"{missing} must be set"):
            settings_class()


def test_production_settings_take_the_secrets_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CROODY_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("CROODY_ENVIRONMENT", "production")
    monkeypatch.setenv("API_SESSION_SECRET", STRONG)
    monkeypatch.setenv("INTERNAL_API_SECRET", "i" * 40)
    settings = TelemetrySettings()
    assert (settings.session_secret, settings.internal_secret) == (STRONG, "i" * 40)
    assert not list(tmp_path.iterdir())  # nothing generated behind the operator's back
    assert STRONG not in repr(settings)


def test_development_shares_generated_secrets_through_the_var_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("CROODY_VAR_DIR", str(tmp_path))
    for name in ("CROODY_ENVIRONMENT", "API_SESSION_SECRET", "INTERNAL_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    telemetry, ids = TelemetrySettings(), IdsSettings()
    assert telemetry.session_secret == ids.session_secret != telemetry.internal_secret
    assert telemetry.internal_secret == (tmp_path / "internal-api-secret").read_text()


@pytest.mark.parametrize("service", ["apis.telemetry", "apis.ids"])
def test_a_service_in_production_without_secrets_exits_saying_what_to_set(service, tmp_path):
    env = base_env(tmp_path, CROODY_ENVIRONMENT="production")
    result = subprocess.run(
        [sys.executable, "-m", service, "--port", str(free_port())],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "API_SESSION_SECRET must be set" in result.stdout + result.stderr
    assert not (tmp_path / "api-session-secret").exists()
