"""A command line for running any Croody ASGI app under uvicorn with our JSON logs."""

import argparse
import os

import uvicorn

from observability.logging import logging_config


def serve(app: str, *, description: str | None, default_port: int) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", default_port)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    parser.add_argument("--reload", action="store_true", help="restart when code changes")
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    args = parser.parse_args()
    os.environ.setdefault("GC_FREEZE", "1")  # observability.heap; inherited by the workers
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        workers=None if args.reload else args.workers,
        reload=args.reload,
        log_config=logging_config(args.log_level.upper()),
        access_log=False,  # observability.instrument logs each request with its id
        proxy_headers=False,  # observability.client_address reads them (TRUSTED_PROXIES)
        server_header=False,
    )
