"""Where an uncached page's CPU goes: the method behind issue #20's page targets.

Run from the repository root:
    .venv/bin/python -m bench.profile_page /es/ /es/tienda/ [--requests 50] [--top 30]
        [--queries] [--signed-in] [--site /tmp/profile-site]

Sets up a production-settings site in a throw-away folder as bench.pages does (SQLite, the
demo site in 8 languages; about a minute), turns the page cache off, then for each path:
renders it a few times to warm up, counts its queries, times `--requests` renders, then
profiles as many with cProfile, in process (django.test.Client, no HTTP). Prints CPU ms per
request (unprofiled and profiled), the query count and the functions with the most
cumulative and own time. Nothing is written: commit what the profile taught, not its output.
With DATABASE_URL naming an empty PostgreSQL database, the site is set up there instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow `python bench/profile_page.py` as well as `-m`
    sys.path.insert(0, str(REPO_ROOT))

from bench.pages import prepare  # noqa: E402

WARMUP = 5


def profile(
    path: str, requests: int, top: int, show_queries: bool = False, signed_in: bool = False
) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    if signed_in:  # a site account (not staff), as bench.pages measures
        user, _created = get_user_model().objects.get_or_create(username="profile-visitor")
        client.force_login(user)
    for _ in range(WARMUP):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}; give a page that answers 200")
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    # A wrapper sees every query, whatever DEBUG is and however often the connection closes.
    with connection.execute_wrapper(count):
        client.get(path)
    started = time.process_time()
    for _ in range(requests):
        client.get(path)
    plain_ms = (time.process_time() - started) * 1000 / requests
    profiler = cProfile.Profile()
    started = time.process_time()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    cpu_ms = (time.process_time() - started) * 1000 / requests
    who = "signed in" if signed_in else "anonymous"
    print(
        f"\n==> {path} ({who}): {plain_ms:.1f} ms CPU/request, {cpu_ms:.1f} profiled, "
        f"{len(queries)} queries"
    )
    if show_queries:
        for number, sql in enumerate(queries, start=1):
            print(f"  {number:3}. {sql[:300]}")
    stats = pstats.Stats(profiler)
    for order in ("cumulative", "tottime"):
        print(f"--- by {order} time, top {top}")
        stats.sort_stats(order).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile_page",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", help="site paths, e.g. /es/ /es/tienda/tempo-3/")
    parser.add_argument("--requests", type=int, default=50, help="profiled renders per path")
    parser.add_argument("--top", type=int, default=30, help="functions listed per ordering")
    parser.add_argument("--queries", action="store_true", help="list each query's SQL too")
    parser.add_argument("--signed-in", action="store_true", help="as a signed-in site account")
    parser.add_argument(
        "--site",
        type=Path,
        help="keep the site in this folder and reuse it next time (skips the minute of setup "
        "when profiling step by step; delete the folder after changing migrations or demo data)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="croody-profile-") as tmp:
        site = args.site or Path(tmp) / "site"
        saved = site / "env.json"
        if saved.exists():
            env = json.loads(saved.read_text())
        else:
            database_url = os.environ.get("DATABASE_URL", "")
            on_postgres = database_url.startswith(("postgres://", "postgresql://"))
            database = "PostgreSQL" if on_postgres else "SQLite"
            print(f"setting up a production-settings site ({database}; about a minute)")
            # prepare() gives the site its own SQLite file unless told otherwise.
            env = prepare(
                site,
                PAGE_CACHE_SECONDS="0",
                **({"DATABASE_URL": database_url} if on_postgres else {}),
            )
            # Only what prepare() set, not the rest of this shell's environment.
            keep = {k: v for k, v in env.items() if os.environ.get(k) != v or k == "DATABASE_URL"}
            saved.write_text(json.dumps(keep))
        os.environ.update(env)
        import django

        django.setup()
        for path in args.paths:
            profile(path, args.requests, args.top, args.queries, args.signed_in)
    return 0


if __name__ == "__main__":
    sys.exit(main())
