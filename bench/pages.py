"""Benchmark of the page cache: home, catalogue, product and Buddy pages, uncached and cached.

Run from the repository root:  .venv/bin/python -m bench.pages [--quick]
Writes bench/results/pages.json; exits with 1 when a target is missed: a warm page at least
50x the cold requests/s, and a cold (uncached) page, anonymous or signed in, at most 12 ms of
server CPU (issue #20).

For each data path, SQLite with the file page cache, and PostgreSQL with Redis (when both
answer: BENCH_POSTGRES_URL or DATABASE_URL or postgres://postgres@127.0.0.1:5432/croody,
BENCH_REDIS_URL or REDIS_URL or redis://127.0.0.1:6379/0, under a key prefix of its own):

1. A throw-away var/ folder and database: migrated, set up as `make run` does (8 locales, the
   demo site and its 25 products), static files collected.
2. `python -m gateway --workers 2` (uvicorn) with production settings on a free port, twice:
   cache disabled (PAGE_CACHE_SECONDS=0: every request renders) and enabled (warmed with one
   request per page, then every answer must be a cache hit).
3. Keep-alive client threads request each page for a fixed time: requests/s, and the CPU
   the server's processes spent per request (from /proc), cold and warm, in one run; on the
   server with the cache on, also signed in as a site account (no staff): pages rendered for
   every request, as signed-in pages always are.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow `python bench/pages.py` as well as `-m`
    sys.path.insert(0, str(REPO_ROOT))

import psycopg2  # noqa: E402
import redis  # noqa: E402

from bench import harness  # noqa: E402
from tests.servers import Server, base_env, fresh_database_url, run_manage, start_server  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "pages.json"
PAGES = {  # the demo site's Spanish pages (cms/base/demo, cms/shop/demo.py)
    "home": "/es/",
    "catalogue": "/es/tienda/",
    "product": "/es/tienda/tempo-3/",
    "buddy": "/es/buddy/",
}
REQUIRED_SPEEDUP = 50
COLD_CPU_MS = 12.0
WARMUP = 10
SIGNED_IN_MARK = 'class="account-links__logout"'  # the sign-out form (includes/account_links)


def postgres_url() -> str | None:
    database_url = os.environ.get("DATABASE_URL", "")
    url = os.environ.get("BENCH_POSTGRES_URL") or (
        database_url
        if database_url.startswith(("postgres://", "postgresql://"))
        else "postgres://postgres@127.0.0.1:5432/croody"
    )
    try:
        psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except psycopg2.OperationalError:
        return None
    return url


def redis_url() -> str | None:
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get(
        "REDIS_URL", "redis://127.0.0.1:6379/0"
    )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return None
    return url


def prepare(var_dir: Path, **overrides: str) -> dict[str, str]:
    """Production settings in a var/ folder of its own, set up as `make run` does."""
    (var_dir / "prometheus").mkdir(parents=True)
    env = base_env(
        var_dir,
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        API_SESSION_SECRET=secrets.token_urlsafe(48),
        INTERNAL_API_SECRET=secrets.token_urlsafe(48),  # production requires it (/internal/)
        SECURE_SSL_REDIRECT="false",  # plain HTTP on the loopback
        LOG_LEVEL="WARNING",
        PROMETHEUS_MULTIPROC_DIR=str(var_dir / "prometheus"),
        **({"WEB_CONCURRENCY": "2"} | overrides),
    )
    started = time.perf_counter()
    run_manage(env, "migrate", "--noinput", "-v", "0")
    run_manage(env, "setup_croody", "--no-admin")
    run_manage(env, "collectstatic", "--noinput", "-v", "0")
    print(f"  set up in {time.perf_counter() - started:.0f} s")
    return env


def signed_in_cookie(env: dict[str, str]) -> str:
    """A session of a new site account (not staff), made as signing in makes one: the
    Cookie header's value."""
    script = (
        "from django.conf import settings\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.test import Client\n"
        "user = get_user_model().objects.create_user("
        f"'bench-{secrets.token_hex(4)}', 'bench@example.com', {secrets.token_urlsafe(16)!r})\n"
        "client = Client()\n"
        "client.force_login(user)\n"
        "name = settings.SESSION_COOKIE_NAME\n"
        "print(f'{name}={client.cookies[name].value}')\n"
    )
    return run_manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1]


def browser_cookies(server: Server, cookie: str) -> str:
    """The Cookie header a browser sends once signed in: the session, plus what the first
    page sets (the services' croody_api token, the CSRF cookie), which are otherwise made
    again on every request. Checks that the session signs in (the sign-out button)."""
    url = server.base_url + PAGES["home"]  # http://127.0.0.1:port
    request = urllib.request.Request(url, headers={"Host": harness.HOST_HEADER, "Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        if SIGNED_IN_MARK not in response.read().decode():
            raise RuntimeError("the session cookie does not sign in")
        set_cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join([cookie, *(header.split(";", 1)[0] for header in set_cookies)])


def measure(
    server: Server, mode: str, seconds: float, concurrency: int, cookie: str | None = None
) -> dict[str, Any]:
    """`mode`: cold (cache off), warm (every answer a hit) or signed_in (with `cookie`)."""
    headers = {"Cookie": cookie} if cookie else None
    # Every worker up and through its first requests (renditions made, templates compiled,
    # pages and fragments stored) before anything is measured.
    for path in PAGES.values():
        harness.run_load(server.base_url, path, requests=WARMUP * 2, concurrency=4, headers=headers)
    harness.wait_until_idle(server.process.pid)
    figures = {}
    expected = "hit" if mode == "warm" else "bypass"
    for name, path in PAGES.items():
        load = harness.run_load(
            server.base_url,
            path,
            seconds=seconds,
            concurrency=concurrency,
            headers=headers,
            server_pid=server.process.pid,
            count_header="X-Page-Cache",
        )
        if set(load.header_values) != {expected}:
            raise RuntimeError(f"{path}: expected only {expected}, got {dict(load.header_values)}")
        figures[name] = {"path": path, **load.figures(), "load_average_1m": os.getloadavg()[0]}
        print(
            f"    {mode:9} {name:10} "
            f"{figures[name]['requests_per_second']:8.1f} req/s "
            f"{figures[name]['server_cpu_ms_per_request']:8.2f} ms CPU/request "
            f"(load {figures[name]['load_average_1m']:.1f})"
        )
    return figures


def bench_data_path(label: str, env: dict[str, str], args: argparse.Namespace) -> dict:
    var_dir = Path(env["CROODY_VAR_DIR"])
    cookie = signed_in_cookie(env)
    results: dict[str, Any] = {}
    for modes, seconds, cache_seconds in (
        (["cold"], args.cold_seconds, "0"),
        (["warm", "signed_in"], args.warm_seconds, "600"),
    ):
        server = start_server(
            "gateway",
            {**env, "PAGE_CACHE_SECONDS": cache_seconds},
            var_dir / f"gateway-{modes[0]}.log",
        )
        try:
            for mode in modes:
                if mode == "signed_in":
                    cookies = browser_cookies(server, cookie)
                    results[mode] = measure(
                        server, mode, args.cold_seconds, args.concurrency, cookies
                    )
                else:
                    results[mode] = measure(server, mode, seconds, args.concurrency)
        finally:
            server.stop()
    results["speedup"] = {
        name: round(
            results["warm"][name]["requests_per_second"]
            / results["cold"][name]["requests_per_second"],
            1,
        )
        for name in PAGES
    }
    print(f"  {label}: warm/cold requests/s {results['speedup']}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-seconds", type=float, default=10, help="measured time per page")
    parser.add_argument("--warm-seconds", type=float, default=5, help="measured time per page")
    parser.add_argument("--concurrency", type=int, default=16, help="HTTP client threads")
    parser.add_argument("--quick", action="store_true", help="3 s cold, 2 s warm: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.cold_seconds, args.warm_seconds = 3, 2

    runs: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="croody-bench-pages-") as tmp:
        print("SQLite, page cache in files (var/cache/pages)")
        env = prepare(Path(tmp) / "sqlite")
        runs["sqlite"] = bench_data_path("sqlite", env, args)

        pg, cache = postgres_url(), redis_url()
        if pg and cache:
            print("PostgreSQL and Redis")
            prefix = f"croody-bench-{os.getpid()}"
            database = fresh_database_url("bench_pages", pg) or ""
            try:
                env = prepare(
                    Path(tmp) / "postgres",
                    DATABASE_URL=database,
                    REDIS_URL=cache,
                    CACHE_KEY_PREFIX=prefix,
                )
                runs["postgres_redis"] = bench_data_path("postgres_redis", env, args)
            finally:
                client = redis.Redis.from_url(cache)
                for key in client.scan_iter(f"{prefix}*"):
                    client.delete(key)
                drop_database(database)
        else:
            skipped["postgres_redis"] = f"unreachable: PostgreSQL {bool(pg)}, Redis {bool(cache)}"
            print(f"PostgreSQL and Redis skipped ({skipped['postgres_redis']})")

    slowest = min(speedup for run in runs.values() for speedup in run["speedup"].values())
    result = {
        "benchmark": "pages",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": harness.machine(),
        "server": "python -m gateway --workers 2 (uvicorn), cms.settings.production",
        "client": f"{args.concurrency} threads, keep-alive HTTP/1.1 (bench/harness.py)",
        "cold": "PAGE_CACHE_SECONDS=0: every request renders the page",
        "warm": "page cache on, warmed by one request per page: every answer a cache hit",
        "signed_in": "page cache on, signed in as a site account: every request renders",
        "cpu": "user+system CPU of the server's processes per request (/proc), client excluded",
        "data": "demo site from setup_croody: 25 products, 8 languages",
        "slowest_speedup": slowest,
        "runs": runs,
        "skipped": skipped,
    }
    result["targets"], status = harness.check_targets(
        [
            target
            for label, run in runs.items()
            for name in PAGES
            for target in (
                harness.Target(f"{label}: {name}, cold CPU per request",
                               run["cold"][name]["server_cpu_ms_per_request"], COLD_CPU_MS, "ms"),
                harness.Target(f"{label}: {name}, signed-in CPU per request",
                               run["signed_in"][name]["server_cpu_ms_per_request"], COLD_CPU_MS,
                               "ms"),
                harness.Target(f"{label}: {name}, warm / cold requests/s",
                               run["speedup"][name], REQUIRED_SPEEDUP, "x", at_least=True),
            )
        ]
    )  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {RESULTS.relative_to(REPO_ROOT)}; slowest warm/cold: {slowest}x")
    return status


def drop_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


if __name__ == "__main__":
    sys.exit(main())
