"""`python -m apis.telemetry`: serve the Croody Telemetry API alone."""

from observability.server import serve

if __name__ == "__main__":
    serve("apis.telemetry.main:app", description=__doc__, default_port=9000)
