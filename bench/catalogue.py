"""Benchmark of the shop at scale: each URL with 25 products and with 10,000, in one run.

Run from the repository root:  .venv/bin/python -m bench.catalogue [--requests N]
Writes bench/results/catalogue.json.

1. A throw-away var/ folder with its own SQLite database, set up as `make run` does (8
   locales, the demo site and its 25 products, translated into every language); a copy of
   it is topped up to 10,000 products by `manage.py seed_catalogue` (aliases in the 7
   other locales: 80,000 product pages).
2. In process (django.test.Client, development settings, no page cache), for each URL: the
   queries of one request on each database, then CPU time (time.process_time, which counts
   SQLite's work too: it runs in this process) per request, in alternating rounds on the
   small and the large database so that a neighbour's load hits both alike.
3. Over HTTP, the large catalogue only: `python -m gateway --workers 2`, driven by
   keep-alive client threads.

Targets (issue #20, "Scale"; exit status 1 when one is missed): for each URL, CPU per
request with 10,000 products at most 1.3× that with 25 (medians), and the same number of
queries. The URLs are chosen so that both catalogues show a full page (12 products): the
ratio compares the same page with more products behind it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow `python bench/catalogue.py` as well as `-m`
    sys.path.insert(0, str(REPO_ROOT))

from bench import harness  # noqa: E402
from bench.harness import Target, percentile  # noqa: E402
from tests.servers import base_env, start_server  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "catalogue.json"
SMALL = 25  # the demo catalogue
LARGE = 10_000
WARMUP = 10
ROUNDS = 5  # alternations between the two databases per URL
CPU_RATIO_LIMIT = 1.3


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


def use_database(path: Path) -> None:
    """Point Django's default connection at another SQLite file (same schema and demo ids)."""
    from django.core.cache import cache, caches
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = str(path)
    # Nothing cached from one database answers for the other (product cards included).
    for store in (cache, caches["fragments"]):
        store.clear()


def seed(var_dir: Path) -> tuple[dict[str, Any], dict[int, Path]]:
    """The demo site as `make run` sets it up, and a copy topped up to LARGE products."""
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    from cms.shop.models import ProductIndexPage, ProductPage

    logging.getLogger("wagtail").setLevel(logging.WARNING)
    small, large = var_dir / "cms.sqlite3", var_dir / f"cms-{LARGE}.sqlite3"
    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("setup_croody", "--no-admin", stdout=open(os.devnull, "w"))  # noqa: SIM115
    data: dict[str, Any] = {"setup_croody_seconds": round(time.perf_counter() - started, 1)}
    use_database(small)  # closed, so the file is complete before it is copied
    shutil.copyfile(small, large)
    use_database(large)
    started = time.perf_counter()
    call_command("seed_catalogue", products=LARGE, stdout=sys.stdout)
    data["seed_catalogue_seconds"] = round(time.perf_counter() - started, 1)
    databases = {SMALL: small, LARGE: large}
    for size, path in databases.items():
        use_database(path)
        index = ProductIndexPage.objects.get(locale__language_code="es")
        data[f"{size}_products"] = {
            "products_in_catalogue": ProductPage.objects.child_of(index).live().count(),
            "product_pages_in_all_languages": ProductPage.objects.count(),
            "database_mb": round(path.stat().st_size / 1e6, 1),
        }
    return data, databases


def urls() -> dict[str, str]:
    """URLs that show a full page of 12 products with 25 products as with 10,000."""
    from cms.shop.models import ProductIndexPage, ProductPage

    index = ProductIndexPage.objects.get(locale__language_code="es")
    product = ProductPage.objects.get(locale=index.locale, slug="tempo-3")
    return {
        "catalogue": index.url,
        "catalogue_filtered": f"{index.url}?availability=in_stock&max_price=200&sort=price",
        "catalogue_page_2": f"{index.url}?page=2",
        "catalogue_search": f"{index.url}?q=peso",  # in 20 of the 25 demo products
        "catalogue_fragment": f"{index.url}?sort=-price",  # as search.js asks for it
        "product": product.url,
        "api_products": "/api/v2/products/?locale=es&limit=12",
    }


def headers_for(name: str) -> dict[str, str]:
    return {"X-Requested-With": "fetch"} if name == "catalogue_fragment" else {}


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """Every query run meanwhile, whatever DEBUG is and however often the connection closes."""
    from django.db import connection

    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield queries


def in_process(
    databases: dict[int, Path], targets: dict[str, str], requests: int
) -> dict[str, Any]:
    """Per URL and catalogue size: queries per request, CPU ms per request."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    figures: dict[str, Any] = {}
    per_round = max(1, requests // ROUNDS)
    for name, url in targets.items():
        extra = {f"HTTP_{key.upper().replace('-', '_')}": v for key, v in headers_for(name).items()}

        def get(url: str = url, extra: dict[str, str] = extra) -> Any:
            response = client.get(url, **extra)
            assert response.status_code == 200, (url, response.status_code)
            return response

        cpu: dict[int, list[float]] = {size: [] for size in databases}
        figures[name] = {"url": url}
        for size, path in databases.items():
            use_database(path)
            for _ in range(WARMUP):
                get()
            with counted_queries() as queries:
                response = get()
            figures[name][size] = {"queries": len(queries), "bytes": len(response.content)}
        for _ in range(ROUNDS):
            for size, path in databases.items():
                use_database(path)
                get()  # opens the connection: not a request's cost
                for _ in range(per_round):
                    started = time.process_time()
                    get()
                    cpu[size].append((time.process_time() - started) * 1000)
        for size in databases:
            figures[name][size].update(
                cpu_ms_p50=round(statistics.median(cpu[size]), 2),
                cpu_ms_mean=round(statistics.fmean(cpu[size]), 2),
                cpu_ms_p95=round(percentile(cpu[size], 95), 2),
            )
        small, large = figures[name][SMALL], figures[name][LARGE]
        figures[name]["cpu_ratio"] = round(large["cpu_ms_p50"] / small["cpu_ms_p50"], 3)
        print(
            f"  {name:20} {SMALL}: {small['cpu_ms_p50']:6.2f} ms, {small['queries']} queries"
            f" | {LARGE}: {large['cpu_ms_p50']:6.2f} ms, {large['queries']} queries"
            f" | ratio {figures[name]['cpu_ratio']:.2f}"
        )
    return {
        name: {
            key if isinstance(key, str) else f"{key}_products": value for key, value in f.items()
        }
        for name, f in figures.items()
    }


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
        print(f"  http {name:20} {figures[name]['requests_per_second']:7.1f} req/s")
    return figures


def scale_targets(figures: dict[str, Any]) -> list[Target]:
    targets = []
    for name, f in figures.items():
        small, large = f[f"{SMALL}_products"], f[f"{LARGE}_products"]
        targets += [
            Target(
                f"{name}: CPU per request, {LARGE:,} / {SMALL} products",
                f["cpu_ratio"],
                CPU_RATIO_LIMIT,
                "×",
            ),
            Target(
                f"{name}: extra queries with {LARGE:,} products",
                abs(large["queries"] - small["queries"]),
                0,
                "queries",
            ),
        ]
    return targets


def machine() -> dict[str, Any]:
    from django.db import connection

    return {
        **harness.machine(),
        "database": connection.vendor,
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=100, help="measured requests per URL and size"
    )
    parser.add_argument(
        "--http-requests", type=int, default=100, help="requests per URL over HTTP (0: skip)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="HTTP client threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="croody-bench-") as tmp:
        var_dir = Path(tmp)
        env = configure(var_dir)
        load_at_start = round(os.getloadavg()[0], 2)  # others' work shows here, not in CPU time
        print(f"Setting up the demo site, then {LARGE:,} products, in {var_dir} …")
        data, databases = seed(var_dir)
        print(f"  {data}")
        use_database(databases[SMALL])
        targets = urls()
        print(f"In process, CPU per request (median) and queries, {SMALL} vs {LARGE:,} products:")
        figures = in_process(databases, targets, args.requests)
        http_figures: dict[str, Any] = {}
        if args.http_requests:
            from django.db import connections

            connections.close_all()
            env = {**env, "DATABASE_URL": f"sqlite:///{databases[LARGE]}"}
            print(f"Over HTTP, {LARGE:,} products:")
            try:
                server = start_server("gateway", env, var_dir / "gateway.log")
            except RuntimeError as error:  # a loaded machine: keep the in-process figures
                print(f"  the gateway did not start, no HTTP figures: {error}")
                http_figures = {"error": str(error).splitlines()[0]}
            else:
                try:
                    http_figures = over_http(
                        server.base_url, targets, args.http_requests, args.concurrency
                    )
                finally:
                    server.stop()
        checked, status = harness.check_targets(scale_targets(figures))
        result = {
            "benchmark": "catalogue",
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {**machine(), "load_average_1m_at_start": load_at_start},
            "data": data,
            "cache": "none (no page cache; renditions warm after the warm-up requests)",
            "in_process": {
                "client": "django.test.Client, same process, after warm-up; CPU includes SQLite",
                "measured_requests_per_url_and_size": (args.requests // ROUNDS) * ROUNDS,
                "rounds": ROUNDS,
                "urls": figures,
            },
            "http": {
                "server": f"python -m gateway --workers 2 (uvicorn, SQLite, {LARGE:,} products)",
                "client": f"{args.concurrency} threads, keep-alive",
                "urls": http_figures,
            },
            "targets": checked,
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {RESULTS.relative_to(REPO_ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
