"""`python -m apis.ids`: serve the Croody IDS API alone."""

from observability.server import serve

if __name__ == "__main__":
    serve("apis.ids.main:app", description=__doc__, default_port=9100)
