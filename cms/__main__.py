"""`python -m cms`: serve the CMS alone (Wagtail site, admin, /api/v2/, /internal/) on :8000.

Deployed beside the services, it reads them at TELEMETRY_API_URL and IDS_API_URL. To serve
the whole system from one process in development, use `python -m gateway` (`make run`).
"""

from observability.server import serve

if __name__ == "__main__":
    serve("cms.asgi:application", description=__doc__, default_port=8000)
