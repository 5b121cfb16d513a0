"""Croody Telemetry API: `uvicorn apis.telemetry.main:app` alone (:9000) or via the gateway."""

from apis.common.app import create_api
from apis.telemetry.settings import get_settings
from observability import instrument

api = create_api(
    service="telemetry",
    title="Croody Telemetry",
    description="Robots post their readings; owners watch them live and query their history.",
    version="0.1.0",
    database_url=get_settings().database_url,
)
app = instrument(api, service="telemetry")
