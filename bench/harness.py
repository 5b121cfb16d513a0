"""What the benchmarks share: load from keep-alive client threads, the server's CPU time,
percentiles, a description of the machine, the targets a figure must meet, and the CMS the
services ask about API keys.

Servers are started with tests.servers (the same code the end-to-end tests use).
"""

from __future__ import annotations

import os
import platform
import secrets
import socket
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.servers import INTERNAL_SECRET, Server, seed_cms, start_cms

HOST_HEADER = "localhost"  # a name every settings module allows


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


@dataclass
class Load:
    """What a run of requests measured."""

    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    server_cpu_seconds: float = 0.0
    header_values: Counter = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def figures(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.elapsed, 2),
            "requests_per_second": round(self.requests / self.elapsed, 1),
            "server_cpu_ms_per_request": round(self.server_cpu_seconds * 1000 / self.requests, 3),
            "latency_ms_p50": round(statistics.median(self.latencies_ms), 2),
            "latency_ms_p95": round(percentile(self.latencies_ms, 95), 2),
        }


def run_load(
    base_url: str,
    path: str,
    *,
    concurrency: int = 8,
    requests: int | None = None,
    seconds: float | None = None,
    headers: dict[str, str] | None = None,
    server_pid: int | None = None,
    count_header: str | None = None,
) -> Load:
    """GET `path` from `concurrency` keep-alive clients, `requests` times in all or for
    `seconds`; every answer must be a 200. With `server_pid`, the CPU time the server (and
    its worker processes) spent meanwhile; with `count_header`, that header's values."""
    if (requests is None) == (seconds is None):
        raise ValueError("give requests or seconds")
    target = urlsplit(base_url)
    sent = {"Host": HOST_HEADER, **(headers or {})}
    load = Load()
    lock = threading.Lock()
    remaining = [requests if requests is not None else float("inf")]

    request = _request_bytes(path, sent)

    def client(deadline: float) -> None:
        connection = _Connection(target.hostname or "127.0.0.1", target.port or 80)
        latencies: list[float] = []
        values: Counter = Counter()
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
                started = time.perf_counter()
                status, headers = connection.get(request)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"{path}: HTTP {status}")
                if count_header:
                    values[headers.get(count_header.lower(), "")] += 1
        finally:
            connection.close()
            with lock:
                load.latencies_ms.extend(latencies)
                load.header_values.update(values)

    cpu_before = process_tree_cpu(server_pid) if server_pid else {}
    started = time.perf_counter()
    deadline = started + (seconds if seconds is not None else 3600)
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(client, deadline) for _ in range(concurrency)]:
            future.result()
    load.elapsed = time.perf_counter() - started
    if server_pid:
        load.server_cpu_seconds = cpu_spent(cpu_before, process_tree_cpu(server_pid))
    return load


def _request_bytes(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Connection:
    """A keep-alive HTTP/1.1 client that does as little as it can, so that on a small machine
    the client's CPU goes as little as possible against the server's (http.client spends
    several times more per request)."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def get(self, request: bytes) -> tuple[int, dict[str, str]]:
        """Send the request, read the whole response; (status, lower-cased headers)."""
        self.sock.sendall(request)
        head = self._read_until(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            self._read_exactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while size := int(self._read_until(b"\r\n"), 16):
                self._read_exactly(size + 2)
            self._read_until(b"\r\n")
        return int(status_line.split(" ", 2)[1]), headers

    def _fill(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def _read_until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self._fill()
        data, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return data

    def _read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def close(self) -> None:
        self.sock.close()


def process_tree_cpu(pid: int) -> dict[int, float]:
    """User + system CPU seconds of a process and each of its live descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return {member: times[member] for member in tree if member in times}


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two snapshots by the processes alive at the second."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def wait_until_idle(pid: int, timeout: float = 60, quiet_cpu_seconds: float = 0.05) -> None:
    """Until the server's processes use (almost) no CPU for half a second: every worker
    started and warmed up, so none of that is counted against the first page measured."""
    deadline = time.monotonic() + timeout
    before = process_tree_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        after = process_tree_cpu(pid)
        if cpu_spent(before, after) < quiet_cpu_seconds:
            return
        before = after


def machine() -> dict[str, Any]:
    import django
    import wagtail

    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        # Figures taken while something else ran are not comparable: say so in the result.
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }


# --- targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A figure an issue asks for: `value` must be at least (or at most) `limit`."""

    name: str
    value: float
    limit: float
    unit: str
    at_least: bool = False  # False: a ceiling (time, CPU, memory); True: a floor (throughput)

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": round(self.value, 3),
            "limit": self.limit,
            "unit": self.unit,
            "rule": "at least" if self.at_least else "at most",
            "met": self.met,
        }


def check_targets(targets: list[Target]) -> tuple[dict[str, dict[str, Any]], int]:
    """Print each target with its verdict; return them for the result file and the exit
    status `make bench` fails on (1 when any target is missed)."""
    for target in targets:
        rule = ">=" if target.at_least else "<="
        verdict = "met   " if target.met else "MISSED"
        print(
            f"  {verdict} {target.name}: {target.value:,.2f} {target.unit} "
            f"(target {rule} {target.limit:,} {target.unit})"
        )
    return {t.name: t.as_dict() for t in targets}, 0 if all(t.met for t in targets) else 1


# --- the CMS the services ask about keys -----------------------------------------------------

ACCOUNTS_SEED = Path(__file__).with_name("accounts_seed.py")


@dataclass
class Cms:
    """`python -m cms` on a database of its own, seeded by bench/accounts_seed.py: a service
    started with `service_env` verifies API keys by asking it at /internal/, as deployed."""

    server: Server
    accounts: dict[str, Any]  # what the seed made: users, robots, keys, probe keys
    session_secret: str  # API_SESSION_SECRET, shared by the CMS and the services
    seed_seconds: float

    def service_env(self, service: str) -> dict[str, str]:
        """The settings that point `service` (telemetry, ids) at this CMS."""
        return {
            f"{service.upper()}_CMS_URL": self.server.base_url,
            "INTERNAL_API_SECRET": INTERNAL_SECRET,
            "API_SESSION_SECRET": self.session_secret,
        }

    def introspection_ms(self, prefixes: list[str]) -> list[float]:
        """Milliseconds for each GET /internal/keys/<prefix>/, asked as a service asks (the
        internal secret, one keep-alive connection)."""
        target = urlsplit(self.server.base_url)
        connection = _Connection(target.hostname or "127.0.0.1", target.port or 80)
        took = []
        try:
            for prefix in prefixes:
                path = f"/internal/keys/{prefix}/"
                request = _request_bytes(
                    path, {"Host": "127.0.0.1", "Authorization": f"Bearer {INTERNAL_SECRET}"}
                )
                started = time.perf_counter()
                status, _ = connection.get(request)
                took.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"{path}: HTTP {status}")
        finally:
            connection.close()
        return took

    def stop(self) -> None:
        self.server.stop()


def start_accounts_cms(var_dir: Path) -> Cms:
    """Seed a CMS database (SQLite, full migrate) in `var_dir` and serve it with `python -m cms`."""
    database_url = f"sqlite:///{var_dir / 'cms.sqlite3'}"
    started = time.perf_counter()
    accounts = seed_cms(var_dir, ACCOUNTS_SEED, database_url)
    seed_seconds = time.perf_counter() - started
    session_secret = secrets.token_urlsafe(48)  # this run's servers only
    server = start_cms(
        var_dir, database_url, API_SESSION_SECRET=session_secret, LOG_LEVEL="WARNING"
    )
    return Cms(server, accounts, session_secret, seed_seconds)
