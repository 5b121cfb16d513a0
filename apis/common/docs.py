"""OpenAPI docs served entirely from our own files (no CDN), under the API's prefix."""

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"
INIT_SCRIPT = Path(__file__).parent / "static" / "swagger-init.js"


def install_docs(app: FastAPI, prefix: str) -> None:
    docs = f"{prefix}/docs"
    app.mount(f"{docs}/assets", StaticFiles(directory=SWAGGER_ASSETS), name="docs-assets")

    @app.get(docs, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        title = escape(f"{app.title} · API")
        return HTMLResponse(
            f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{docs}/assets/swagger-ui.css">
<link rel="icon" href="{docs}/assets/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(str(app.openapi_url))}"></div>
<script src="{docs}/assets/swagger-ui-bundle.js"></script>
<script src="{docs}/init.js"></script>
</body>
</html>"""
        )

    @app.get(f"{docs}/init.js", include_in_schema=False)
    async def swagger_init() -> FileResponse:
        return FileResponse(INIT_SCRIPT, media_type="text/javascript")
