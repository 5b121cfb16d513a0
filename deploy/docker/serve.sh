#!/bin/sh
# Starts uvicorn with the given arguments.
set -eu

# Several workers (WEB_CONCURRENCY) share Prometheus counters through files,
# which must start empty.
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

# Health probes by IP address need no ALLOWED_HOSTS entry: the CMS answers /health/
# before host validation (cms.base.middleware.HealthCheckMiddleware).
exec uvicorn "$@"
