"""One JSON log format for Django, both APIs and uvicorn, each line carrying the request id."""

from typing import Any


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A dictConfig that writes one JSON object per line to stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {
                "()": "asgi_correlation_id.CorrelationIdFilter",
                "default_value": "-",
            },
        },
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
                "json_ensure_ascii": False,  # Arabic, CJK and Devanagari stay readable
                "rename_fields": {
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "correlation_id": "request_id",
                },
            },
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
            },
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Our access log replaces uvicorn's, which knows nothing of request ids.
            "uvicorn.access": {"handlers": [], "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": level, "propagate": False},
            "django": {"handlers": ["stderr"], "level": level, "propagate": False},
            # Security events (observability.security) are an audit trail: kept at INFO
            # whatever LOG_LEVEL says, so a quieter log never hides a key change.
            "croody.security": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "django.server": {"handlers": [], "propagate": False},
            # One line per background task run is noise; failures still come through.
            "django_tasks": {"level": "WARNING"},
        },
    }
