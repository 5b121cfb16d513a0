# syntax=docker/dockerfile:1.7
# Croody application images. One file, one dependency set, three final
# targets (cms, telemetry, ids) that share every layer but the last few:
#   docker build -f deploy/docker/app.Dockerfile --target cms .
# Build context: repository root. No secret is read at build time; every
# credential arrives as an environment variable when the container starts.

# --- builder: dependencies into a venv, message catalogues compiled --------
FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

# gettext only for msgfmt below; it stays in this stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY cms/ cms/
COPY apis/ apis/
COPY croody_core/ croody_core/
COPY observability/ observability/
COPY manage.py ./

# Install exactly the locked dependencies, then drop the project's own
# distribution: the runtime runs from /app so templates, static files,
# catalogues and the IDS model are there as in the repository.
RUN pip install --no-cache-dir -c requirements.lock . \
    && pip uninstall -y "$(python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["name"])')"

# Compile .po catalogues without importing Django settings. The single
# quotes are deliberate: the inner sh expands $1, not this shell.
# hadolint ignore=SC2016
RUN find cms apis -name '*.po' -print0 \
    | xargs -0 -r -n1 sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1"' msgfmt

# --- runtime base: slim, non-root, no build tools ---------------------------
FROM python:3.11-slim-bookworm AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-metrics

RUN groupadd --system --gid 10001 croody \
    && useradd --system --uid 10001 --gid croody --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin croody

COPY --from=builder /opt/venv /opt/venv
COPY --chmod=0755 deploy/docker/healthcheck.py /usr/local/bin/croody-healthcheck
COPY --chmod=0755 deploy/docker/serve.sh /usr/local/bin/croody-serve

WORKDIR /app
# Source is owned by root and read-only for the app user.
COPY --from=builder /src/cms /app/cms
COPY --from=builder /src/apis /app/apis
COPY --from=builder /src/croody_core /app/croody_core
COPY --from=builder /src/observability /app/observability
COPY --from=builder /src/manage.py /app/manage.py

USER 10001:10001

# --- cms: Wagtail/Django under uvicorn workers -----------------------------
FROM runtime AS cms

# /app is root-owned and read-only (ECS: readonlyRootFilesystem); whatever Django
# keeps in its var directory (a page cache without Redis) goes to /tmp.
ENV DJANGO_SETTINGS_MODULE=cms.settings.production \
    WEB_CONCURRENCY=2 \
    CROODY_VAR_DIR=/tmp/croody

COPY --chmod=0755 deploy/docker/croody-release.sh /usr/local/bin/croody-release
COPY deploy/docker/ensure_databases.py /usr/local/lib/croody/ensure_databases.py

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
    CMD ["croody-healthcheck", "http://127.0.0.1:8000/health/"]

# uvicorn reads the worker count from WEB_CONCURRENCY. Its own proxy-header handling
# stays off: TRUSTED_PROXIES (observability.client_address) takes the client's address
# from the right end of X-Forwarded-For, where only our proxies write.
CMD ["croody-serve", "cms.asgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--no-proxy-headers", "--no-server-header"]

# --- telemetry API ---------------------------------------------------------
FROM runtime AS telemetry

ENV WEB_CONCURRENCY=1

EXPOSE 9000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["croody-healthcheck", "http://127.0.0.1:9000/healthz"]

# One worker: the live (SSE) fan-out is per process unless Redis is configured.
CMD ["croody-serve", "apis.telemetry.main:app", "--host", "0.0.0.0", "--port", "9000", \
     "--no-proxy-headers", "--no-server-header"]

# --- IDS API ---------------------------------------------------------------
FROM runtime AS ids

ENV WEB_CONCURRENCY=2

EXPOSE 9100
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["croody-healthcheck", "http://127.0.0.1:9100/healthz"]

CMD ["croody-serve", "apis.ids.main:app", "--host", "0.0.0.0", "--port", "9100", \
     "--no-proxy-headers", "--no-server-header"]
