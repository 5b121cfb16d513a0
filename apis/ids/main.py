"""Croody IDS API: `uvicorn apis.ids.main:app` alone (port 9100) or through the gateway."""

from apis.common.app import create_api
from apis.ids.settings import get_settings
from observability import instrument

api = create_api(
    service="ids",
    title="Croody IDS",
    description=(
        "Scores network connection records with an intrusion-detection model "
        "and keeps every prediction for analysts."
    ),
    version="0.1.0",
    database_url=get_settings().database_url,
)
app = instrument(api, service="ids")
