"""Memory: the resident size of the gateway (all three apps) and of a CMS worker, warmed up.

Run from the repository root:  .venv/bin/python -m bench.memory
Writes bench/results/memory.json; exits with 1 when the CMS worker has scikit-learn mapped.

1. A throw-away var/ folder set up as `make run` does, with production settings (as
   bench/pages.py does).
2. `python -m gateway` with one worker: the CMS, the telemetry and the IDS services in one
   process. Then `python -m cms` alone, as a CMS worker runs in production.
3. Each is warmed up with the pages in all eight languages, the catalogue, a product, the
   pages API and the services' health checks, then measured: VmRSS of every process of the
   server (from /proc), and whether any scikit-learn library is mapped into it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # allow `python bench/memory.py` as well as `-m`
    sys.path.insert(0, str(REPO_ROOT))

from bench import harness  # noqa: E402
from bench.pages import prepare  # noqa: E402
from tests.servers import Server, start_server  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "memory.json"
LANGUAGES = ("es", "en", "fr", "pt", "ar", "zh-hans", "ja", "hi")
WARM_UP = (
    *(f"/{code}/" for code in LANGUAGES),
    "/es/tienda/",
    "/es/tienda/tempo-3/",
    "/api/v2/pages/",
)
SERVICE_PROBES = ("/api/telemetry/healthz", "/api/ids/healthz")
ROUNDS = 5


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def warm_up(server: Server, paths: tuple[str, ...]) -> dict[str, int]:
    """Every path, ROUNDS times; the last status of each (a failed page fails the run)."""
    statuses: dict[str, int] = {}
    for _ in range(ROUNDS):
        for path in paths:
            statuses[path] = _get(server.base_url + path)
    bad = {path: status for path, status in statuses.items() if status >= 400}
    if bad:
        raise RuntimeError(f"warm-up requests failed: {bad}\n{server.log()}")
    harness.wait_until_idle(server.process.pid)
    return statuses


def _status_field(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])  # kB
    return 0


def _maps_sklearn(pid: int) -> bool:
    return "/sklearn/" in Path(f"/proc/{pid}/maps").read_text()


def measure(server: Server) -> dict[str, Any]:
    processes = []
    for pid in sorted(harness.process_tree_cpu(server.process.pid)):
        processes.append(
            {
                "pid": pid,
                "rss_mb": round(_status_field(pid, "VmRSS") / 1024, 1),
                "peak_rss_mb": round(_status_field(pid, "VmHWM") / 1024, 1),
                "sklearn_mapped": _maps_sklearn(pid),
            }
        )
    return {
        "rss_mb_total": round(sum(p["rss_mb"] for p in processes), 1),
        "sklearn_mapped": any(p["sklearn_mapped"] for p in processes),
        "processes": processes,
    }


def run(module: str, env: dict[str, str], paths: tuple[str, ...]) -> dict[str, Any]:
    var_dir = Path(env["CROODY_VAR_DIR"])
    server = start_server(module, env, var_dir / f"{module}.log")
    try:
        warm_up(server, paths)
        figures = measure(server)
    finally:
        server.stop()
    print(
        f"  {module:8} {figures['rss_mb_total']:7.1f} MB resident "
        f"({len(figures['processes'])} process(es)), scikit-learn mapped: "
        f"{figures['sklearn_mapped']}"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="croody-bench-memory-") as tmp:
        print("setting up a production-settings site (SQLite)")
        env = prepare(Path(tmp) / "sqlite", WEB_CONCURRENCY="1")
        gateway = run("gateway", env, WARM_UP + SERVICE_PROBES)
        cms = run("cms", env, WARM_UP)
    result = {
        "benchmark": "memory",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": harness.machine(),
        "settings": "cms.settings.production, SQLite, local-memory cache, one worker",
        "warm_up": f"{ROUNDS} rounds of: {', '.join(WARM_UP)}; the gateway also "
        f"{', '.join(SERVICE_PROBES)}",
        "rss": "VmRSS of every process of the server after warm-up (/proc), in MB",
        "gateway_all_three_apps": gateway,
        "cms_worker": cms,
        "cms_worker_loads_sklearn": cms["sklearn_mapped"],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {RESULTS.relative_to(REPO_ROOT)}")
    return 1 if cms["sklearn_mapped"] else 0


if __name__ == "__main__":
    sys.exit(main())
