"""Benchmark of the shop with 200 products, uncached: CPU per request and requests/s.

Run from the repository root:  .venv/bin/python bench/catalogue.py [--requests N]
Writes bench/results/catalogue.json.

1. A throw-away var/ folder with its own SQLite database: migrated, set up as `make run`
   does (8 locales, demo site and its 25 products, aliases in every language), plus
   Spanish products up to 200 in the catalogue (bench-only, reusing the demo images).
2. In-process: Django's test Client with cms.settings.dev; after a warm-up (renditions
   are made on the first views), the CPU time (time.process_time) of each request.
3. Over HTTP: `python -m gateway --workers 2` on a free port, driven by threads with
   keep-alive http.client connections for a fixed number of requests per URL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow `python bench/catalogue.py` as well as `-m`
    sys.path.insert(0, str(REPO_ROOT))

from bench import harness  # noqa: E402
from bench.harness import percentile  # noqa: E402
from tests.servers import base_env, start_server  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "catalogue.json"
PRODUCTS = 200
WARMUP = 20


def configure(var_dir: Path) -> dict[str, str]:
    """The environment of this process and of the server: dev settings, a private var/."""
    (var_dir / "prometheus").mkdir(parents=True)
    env = base_env(
        var_dir,
        API_THROTTLE_RATE="",  # the API is measured, not rate limited
        LOG_LEVEL="WARNING",
        PAGE_CACHE_SECONDS="0",  # rendering is measured here; bench/pages.py measures the cache
        PROMETHEUS_MULTIPROC_DIR=str(var_dir / "prometheus"),
        WEB_CONCURRENCY="2",
    )
    os.environ.update(env)
    return env


def seed() -> dict[str, Any]:
    """Migrate, set up like `make run`, then add Spanish products up to PRODUCTS."""
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.utils import timezone

    from cms.shop.models import ProductCategory, ProductIndexPage, ProductPage

    logging.getLogger("wagtail").setLevel(logging.WARNING)
    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("setup_croody", "--no-admin", stdout=open(os.devnull, "w"))  # noqa: SIM115
    setup_seconds = time.perf_counter() - started

    index = ProductIndexPage.objects.get(locale__language_code="es")
    demo = list(ProductPage.objects.child_of(index).order_by("pk"))
    categories = list(ProductCategory.objects.filter(locale=index.locale))
    started = time.perf_counter()
    for number in range(len(demo), PRODUCTS):
        model = demo[number % len(demo)]
        index.add_child(
            instance=ProductPage(
                title=f"{model.title} · edición {number:03d}",
                slug=f"banco-{number:03d}",
                sku=f"CR-BENCH-{number:03d}",
                price=Decimal(5 + (number * 37) % 400) + Decimal("0.95"),
                stock=(number * 7) % 40,
                category=categories[number % len(categories)],
                summary=model.summary,
                search_description=model.summary,
                gallery=list(model.gallery.raw_data),
                description=list(model.description.raw_data),
                specifications=list(model.specifications.raw_data),
                first_published_at=timezone.now() - timedelta(minutes=number),
                locale=index.locale,
            )
        )
    return {
        "setup_croody_seconds": round(setup_seconds, 1),
        "bench_products_seconds": round(time.perf_counter() - started, 1),
        "products_in_catalogue": ProductPage.objects.child_of(index).live().count(),
        "pages_in_database": ProductPage.objects.count(),
    }


def urls() -> dict[str, str]:
    from cms.shop.models import ProductIndexPage, ProductPage

    index = ProductIndexPage.objects.get(locale__language_code="es")
    product = ProductPage.objects.get(locale=index.locale, slug="tempo-3")
    return {
        "catalogue": index.url,
        "catalogue_filtered": f"{index.url}?category=sensores&availability=in_stock&sort=price",
        "catalogue_page_5": f"{index.url}?page=5",
        "catalogue_search": f"{index.url}?q=zapatillas",
        "catalogue_fragment": f"{index.url}?sort=-price",  # as search.js asks for it
        "product": product.url,
        "api_products": "/api/v2/products/?locale=es&limit=12",
    }


def headers_for(name: str) -> dict[str, str]:
    return {"X-Requested-With": "fetch"} if name == "catalogue_fragment" else {}


def in_process(targets: dict[str, str], requests: int) -> dict[str, Any]:
    """CPU milliseconds per request (process_time), and queries per request."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    figures = {}
    for name, url in targets.items():
        extra = {f"HTTP_{key.upper().replace('-', '_')}": v for key, v in headers_for(name).items()}
        for _ in range(WARMUP):
            assert client.get(url, **extra).status_code == 200, url
        reset_queries()  # DEBUG keeps a log; request_started empties it mid-capture
        with CaptureQueriesContext(connection) as queries:
            client.get(url, **extra)
        cpu, wall = [], []
        for _ in range(requests):
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            response = client.get(url, **extra)
            cpu.append((time.process_time() - cpu_start) * 1000)
            wall.append((time.perf_counter() - wall_start) * 1000)
            assert response.status_code == 200
        figures[name] = {
            "url": url,
            "queries_per_request": len(queries),
            "cpu_ms_mean": round(statistics.fmean(cpu), 2),
            "cpu_ms_p50": round(statistics.median(cpu), 2),
            "cpu_ms_p95": round(percentile(cpu, 95), 2),
            "wall_ms_mean": round(statistics.fmean(wall), 2),
            "bytes": len(response.content),
        }
        print(f"  in-process {name:20} {figures[name]['cpu_ms_mean']:7.2f} ms CPU/request")
    return figures


def over_http(base_url: str, targets: dict[str, str], requests: int, concurrency: int) -> dict:
    """Requests per second through the real gateway, `concurrency` keep-alive clients."""
    figures = {}
    for name, url in targets.items():
        headers = headers_for(name)
        harness.run_load(base_url, url, requests=WARMUP, concurrency=concurrency, headers=headers)
        load = harness.run_load(
            base_url, url, requests=requests, concurrency=concurrency, headers=headers
        )
        figures[name] = {
            "requests": requests,
            "requests_per_second": round(requests / load.elapsed, 1),
            "latency_ms_p50": round(statistics.median(load.latencies_ms), 1),
            "latency_ms_p95": round(percentile(load.latencies_ms, 95), 1),
        }
        print(f"  http       {name:20} {figures[name]['requests_per_second']:7.1f} req/s")
    return figures


def machine() -> dict[str, Any]:
    from django.db import connection

    return {
        **harness.machine(),
        "database": connection.vendor,
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="measured requests per URL")
    parser.add_argument("--concurrency", type=int, default=8, help="HTTP client threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="croody-bench-") as tmp:
        var_dir = Path(tmp)
        env = configure(var_dir)
        print(f"Seeding {PRODUCTS} products in {var_dir} …")
        data = seed()
        targets = urls()
        print(f"  {data}")
        cpu = in_process(targets, args.requests)
        from django.db import connections

        connections.close_all()
        server = start_server("gateway", env, var_dir / "gateway.log")
        try:
            http_figures = over_http(server.base_url, targets, args.requests, args.concurrency)
        finally:
            server.stop()
        result = {
            "benchmark": "catalogue",
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": machine(),
            "data": data,
            "cache": "none (no page cache; renditions warm after the warm-up requests)",
            "in_process": {
                "client": "django.test.Client, same process, after warm-up",
                "measured_requests_per_url": args.requests,
                "urls": cpu,
            },
            "http": {
                "server": "python -m gateway --workers 2 (uvicorn, SQLite)",
                "client": f"{args.concurrency} threads, keep-alive http.client",
                "urls": http_figures,
            },
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
