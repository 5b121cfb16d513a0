"""The compose gateway's nginx configuration, run for real.

Debian's nginx is started with the templates and snippets from deploy/nginx,
rendered exactly as the image's entrypoint does, with only the upstream
addresses, listen ports, certificate and scratch paths changed. Two gateways:

- `stack`: in front of the three real services (the CMS under uvicorn,
  apis.telemetry and apis.ids, as the images run them) on loopback, with a
  migrated CMS database and real API keys: pages, health, an authenticated
  ingest, the live SSE stream and the body limits go through it.
- `gateway`: in front of small ASGI stand-ins (tests/deploy/fixture_app.py)
  that echo what nginx sent them, for what only nginx decides: forwarding
  headers, request ids, compression, TLS, the object store locations.
"""

import http.client
import json
import os
import queue
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import trustme

from tests.servers import REPO, Server, base_env, free_port, run_manage, start_server

NGINX_DIR = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
FIXTURE_SERVICES = ("cms", "telemetry", "ids", "objects")
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")  # nginx's own $request_id
MB = 1024 * 1024
HEARTBEAT_SECONDS = 0.5  # the live stream's heartbeat in the stack (TELEMETRY_HEARTBEAT_SECONDS)
INTERNAL_SECRET = "nginx-stack-tests-internal-secret-" + "i" * 16  # INTERNAL_API_SECRET
API_RATE = 8  # /api/v2/ requests a minute per client in the stack (API_THROTTLE_RATE)
LOGIN_FAILURE_LIMIT = 3  # failed sign-ins before the lockout in the stack
_free_port = free_port


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} never opened:\n{log.read_text()}")


def _parse_defaults() -> dict[str, str]:
    values = {}
    for line in (NGINX_DIR / "defaults.env").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def _render(template: str, values: dict[str, str]) -> str:
    """envsubst restricted to ${NGINX_*} names, as docker-entrypoint.sh does."""

    def replace(match: re.Match) -> str:
        return values[match.group(1)]  # KeyError: a name without a default

    return re.sub(r"\$\{(NGINX_[A-Z_]+)\}", replace, template)


def _replace_once(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/nginx.conf no longer contains {old!r}"
    return text.replace(old, new)


def _size(value: str) -> int:
    """An nginx size ("10m", "512k", "1024") in bytes."""
    units = {"k": 1024, "m": MB, "g": 1024 * MB}
    return int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)


class _Processes:
    """Subprocesses of one fixture: stopped (and their logs closed) together."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self.handles = []

    def start(self, command, log: Path, env=None, cwd=None) -> subprocess.Popen:
        handle = log.open("wb")
        self.handles.append(handle)
        process = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in self.handles:
            handle.close()


def _start_fixture_app(name: str, work: Path, processes: _Processes) -> int:
    port = _free_port()
    log = work / f"{name}.log"
    process = processes.start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "fixture_app:app",
            "--app-dir",
            str(Path(__file__).parent),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        log,
        {**os.environ, "FIXTURE_SERVICE": name},
    )
    _wait_for_port(port, process, log)
    return port


def _start_nginx(nginx: str, work: Path, ports: dict[str, int], processes: _Processes) -> dict:
    """Render deploy/nginx for `ports` (cms, telemetry, ids, objects) and start nginx."""
    authority = trustme.CA()
    cert = authority.issue_cert("localhost", "127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(work / "tls.crt"))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(work / "tls.crt"), append=True)
    cert.private_key_pem.write_to_path(str(work / "tls.key"))

    http_port, https_port = _free_port(), _free_port()
    conf = work / "conf"
    values = _parse_defaults()
    values.update(
        NGINX_HTTP_PORT=f"127.0.0.1:{http_port}",
        NGINX_HTTPS_PORT=f"127.0.0.1:{https_port}",
        NGINX_TLS_CERT=str(work / "tls.crt"),
        NGINX_TLS_KEY=str(work / "tls.key"),
        NGINX_CONF_DIR=str(conf),
        NGINX_ACCESS_LOG=str(work / "access.log"),
        NGINX_CMS_UPSTREAM=f"127.0.0.1:{ports['cms']}",
        NGINX_TELEMETRY_UPSTREAM=f"127.0.0.1:{ports['telemetry']}",
        NGINX_IDS_UPSTREAM=f"127.0.0.1:{ports['ids']}",
        NGINX_OBJECT_STORE_UPSTREAM=f"127.0.0.1:{ports['objects']}",
    )
    conf.mkdir()
    for template in sorted((NGINX_DIR / "templates").glob("*.template")):
        (conf / template.stem).write_text(_render(template.read_text(), values))
    shutil.copytree(NGINX_DIR / "snippets", conf / "snippets")
    (conf / "optional").mkdir()
    brotli = BROTLI_MODULE.exists()
    if brotli:  # same rule as the image: brotli settings only with the module
        shutil.copytree(NGINX_DIR / "optional", conf / "optional", dirs_exist_ok=True)

    main = (NGINX_DIR / "nginx.conf").read_text()
    main = _replace_once(main, "pid /tmp/nginx.pid;", f"pid {work}/nginx.pid;")
    main = _replace_once(
        main,
        "include /etc/nginx/modules/*.conf;",
        f"load_module {BROTLI_MODULE};" if brotli else "",
    )
    main = _replace_once(main, "/tmp/nginx/", f"{work}/temp/")
    main = _replace_once(main, "/etc/nginx/croody/croody.conf", f"{conf}/croody.conf")
    main = _replace_once(main, "error_log /dev/stderr warn;", f"error_log {work}/error.log info;")
    # As root, nginx would drop its workers to "nobody", who cannot use the
    # scratch directories; the container never runs nginx as root at all.
    prefix = "daemon off;\n" + ("user root;\n" if os.geteuid() == 0 else "")
    (work / "nginx.conf").write_text(prefix + main)
    (work / "temp").mkdir()

    command = [
        nginx,
        "-p",
        str(work),
        "-c",
        str(work / "nginx.conf"),
        "-e",
        str(work / "error.log"),
    ]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = processes.start(command, work / "nginx.out")
    _wait_for_port(https_port, process, work / "error.log")
    _wait_for_port(http_port, process, work / "error.log")

    context = ssl.create_default_context()
    authority.configure_trust(context)
    client = httpx.Client(base_url=f"https://127.0.0.1:{https_port}", verify=context, timeout=30)
    return {
        "client": client,
        "http_port": http_port,
        "https_port": https_port,
        "brotli": brotli,
        "authority": authority,
        "work": work,
        "limits": values,
    }


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, tool):
    """nginx in front of echoing stand-ins for every upstream."""
    nginx = tool("nginx", extra=(Path("/usr/sbin/nginx"),))
    work = tmp_path_factory.mktemp("gateway")
    processes = _Processes()
    try:
        ports = {name: _start_fixture_app(name, work, processes) for name in FIXTURE_SERVICES}
        started = _start_nginx(nginx, work, ports, processes)
        yield started
        started["client"].close()
    finally:
        processes.stop()


def _start_cms(env: dict[str, str], log: Path, processes: _Processes) -> Server:
    """The CMS alone, as its image runs it (uvicorn cms.asgi:application)."""
    port = free_port()
    process = processes.start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "cms.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-proxy-headers",  # as the image: TRUSTED_PROXIES finds the client
            "--no-server-header",
            "--log-level",
            "warning",
        ],
        log,
        env,
        cwd=REPO,
    )
    return Server(f"http://127.0.0.1:{port}", process, log)


def _seed_keys(env: dict[str, str]) -> dict[str, dict]:
    """Users, robots and API keys made by the CMS's own models (tests/telemetry's seed)."""
    result = subprocess.run(
        [sys.executable, "tests/telemetry/accounts_seed.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def stack(tmp_path_factory, tool):
    """nginx in front of the real CMS, telemetry and IDS services (object store: stand-in).

    Shaped as compose runs them: each process gets only its own database, and the APIs
    look API keys up at the CMS's /internal/ endpoints with the shared INTERNAL_API_SECRET
    (directly, not through nginx)."""
    nginx = tool("nginx", extra=(Path("/usr/sbin/nginx"),))
    work = tmp_path_factory.mktemp("stack")
    processes = _Processes()
    servers: list[Server] = []
    env = base_env(
        work,
        API_SESSION_SECRET="nginx-stack-tests-session-secret-" + "s" * 16,
        INTERNAL_API_SECRET=INTERNAL_SECRET,
        TELEMETRY_RATE_LIMIT="",
        IDS_RATE_LIMIT="",
        TELEMETRY_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
        TELEMETRY_LIVE_CHANNEL=f"croody-nginx-test:{os.getpid()}:live",
        LOG_LEVEL="WARNING",
        TRUSTED_PROXIES="1",  # nginx, as in compose.yaml
        API_THROTTLE_RATE=f"{API_RATE}/minute",
        LOGIN_FAILURE_LIMIT=str(LOGIN_FAILURE_LIMIT),
    )
    own_database = {
        "cms": "DATABASE_URL",
        "telemetry": "TELEMETRY_DATABASE_URL",
        "ids": "IDS_DATABASE_URL",
    }

    def only_own_database(service: str, **extra: str) -> dict[str, str]:
        others = set(own_database.values()) - {own_database[service]}
        return {**{key: value for key, value in env.items() if key not in others}, **extra}

    try:
        run_manage(env, "migrate", "--noinput", "-v", "0")
        run_manage(env, "setup_croody", "--no-demo", "--no-admin")
        seed = _seed_keys(env)
        # The CMS logs every request (INFO), so the client address in its log can be checked.
        cms_env = only_own_database("cms", LOG_LEVEL="INFO")
        cms = _start_cms(cms_env, work / "cms.log", processes)
        servers.append(
            start_server(
                "apis.telemetry",
                only_own_database("telemetry", TELEMETRY_CMS_URL=cms.base_url),
                work / "telemetry.log",
                "/healthz",
            )
        )
        servers.append(
            start_server(
                "apis.ids",
                only_own_database("ids", IDS_CMS_URL=cms.base_url),
                work / "ids.log",
                "/healthz",
            )
        )
        ports = {
            "cms": int(cms.base_url.rsplit(":", 1)[1]),
            "telemetry": int(servers[0].base_url.rsplit(":", 1)[1]),
            "ids": int(servers[1].base_url.rsplit(":", 1)[1]),
        }
        _wait_for_port(ports["cms"], cms.process, cms.log_path, timeout=60)
        ports["objects"] = _start_fixture_app("objects", work, processes)
        started = _start_nginx(nginx, work, ports, processes)
        started["seed"] = seed
        started["cms_url"] = cms.base_url
        started["cms_log"] = work / "cms.log"
        yield started
        started["client"].close()
    finally:
        for server in servers:
            server.stop()
        processes.stop()


def _key(stack, label: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack['seed']['keys'][label]['key']}"}


def _reading(robot_id: str, offset_ms: int = 0) -> dict:
    return {
        "robot_id": robot_id,
        "ts": int(time.time() * 1000) - 60_000 + offset_ms,
        "x": 1.5,
        "y": -2.0,
        "heading": 90.0,
        "speed": 0.5,
        "battery": 80.0,
        "status": "moving",
    }


def _assert_made_by_nginx(response: httpx.Response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "nginx" in response.text
    # Error pages nginx makes itself still carry the headers.
    assert REQUEST_ID.match(response.headers["x-request-id"])
    assert response.headers["x-content-type-options"] == "nosniff"


def _assert_made_by_the_api(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()


# --- the real services behind nginx --------------------------------------------------------


def test_cms_page_through_the_gateway(stack):
    sent = "page-check-000001"
    response = stack["client"].get("/es/", headers={"X-Request-ID": sent})
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == "es"
    assert response.headers.get_list("x-request-id") == [sent]
    headers = response.headers
    assert headers["strict-transport-security"].startswith("max-age=63072000")
    assert headers.get_list("x-content-type-options") == ["nosniff"]
    assert len(headers.get_list("x-frame-options")) == 1
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "content-security-policy" in headers
    assert "server" not in headers or "nginx/" not in headers["server"]


def test_cms_health_and_generated_request_id(stack):
    response = stack["client"].get("/health/")
    assert response.status_code == 200, response.text[:500]
    # nginx's id went upstream; the CMS answers with the same one, and only once.
    [request_id] = response.headers.get_list("x-request-id")
    assert REQUEST_ID.match(request_id)


@pytest.mark.parametrize("service", ["telemetry", "ids"])
def test_api_health_through_the_gateway(stack, service):
    response = stack["client"].get(f"/api/{service}/healthz")
    _assert_made_by_the_api(response, 200)
    assert REQUEST_ID.match(response.headers["x-request-id"])
    # The APIs' stricter choice is kept, not doubled.
    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]


def test_authenticated_ingest_through_the_gateway(stack):
    robot = stack["seed"]["robots"]["ana-rover-1"]
    client = stack["client"]
    response = client.post(
        "/api/telemetry/ingest", json=_reading(robot), headers=_key(stack, "ana1_write")
    )
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1
    latest = client.get("/api/telemetry/last", headers=_key(stack, "ana_read")).json()
    assert robot in {item["robot_id"] for item in latest["readings"]}
    assert client.post("/api/telemetry/ingest", json=_reading(robot)).status_code == 401


def test_the_internal_api_answers_the_services_but_not_the_gateway(stack):
    """The CMS answers /internal/ to whoever holds INTERNAL_API_SECRET on its own address
    (the services, on the compose network); through nginx the path does not exist, not
    even with the secret."""
    prefix = stack["seed"]["keys"]["ana1_write"]["prefix"]
    path = f"/internal/keys/{prefix}/"
    secret = {"Authorization": f"Bearer {INTERNAL_SECRET}"}
    direct = httpx.get(stack["cms_url"] + path, headers=secret)
    assert direct.status_code == 200, direct.text[:500]
    assert direct.json()["prefix"] == prefix
    for headers in (secret, {}):
        _assert_made_by_nginx(stack["client"].get(path, headers=headers), 404)


def _spoofed(n: int) -> dict[str, str]:
    """What a client sends to pass for someone else: a new address on every request."""
    address = f"198.51.100.{n}"
    return {"X-Forwarded-For": address, "X-Real-IP": address, "Forwarded": f"for={address}"}


def test_spoofed_addresses_do_not_escape_the_api_throttle(stack):
    """nginx appends the real address to whatever X-Forwarded-For the client sent; the CMS
    counts the right end (TRUSTED_PROXIES=1), so varying the left end buys nothing."""
    statuses = [
        stack["client"].get("/api/v2/pages/?limit=1", headers=_spoofed(n)).status_code
        for n in range(API_RATE + 1)
    ]
    assert 200 in statuses
    assert statuses[-1] == 429, statuses


def test_spoofed_addresses_do_not_escape_the_sign_in_lockout(stack):
    client = stack["client"]
    username = f"spoofer-{os.getpid()}-{time.monotonic_ns()}"
    statuses = []
    for n in range(LOGIN_FAILURE_LIMIT + 1):
        form = client.get("/es/account/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token, form.text[:500]
        response = client.post(
            "/es/account/login/",
            data={"username": username, "password": "wrong", "csrfmiddlewaretoken": token[1]},
            # nginx passes Host without the test's port, which Django compares Origin with.
            headers={**_spoofed(n), "Origin": "https://127.0.0.1"},
        )
        statuses.append(response.status_code)
    # The failure that reaches the limit is answered with the lockout page already.
    assert statuses == [200] * (LOGIN_FAILURE_LIMIT - 1) + [429, 429], statuses


def test_the_logs_name_the_real_client_not_the_spoofed_one(stack):
    stack["client"].get("/es/", headers=_spoofed(250))
    lines = [
        json.loads(line) for line in stack["cms_log"].read_text().splitlines() if line[:1] == "{"
    ]
    requests = [line for line in lines if line.get("logger") == "croody.access"]
    assert requests, "the CMS wrote no access log lines"
    assert {line["client"] for line in requests} == {"127.0.0.1"}


def test_ids_model_through_the_gateway(stack):
    response = stack["client"].get("/api/ids/model", headers=_key(stack, "ana_ids"))
    _assert_made_by_the_api(response, 200)
    assert response.json()["serving"]["loaded_at"]
    assert stack["client"].get("/api/ids/model").status_code == 401


def _read_stream(stack, path: str, headers: dict, lines: queue.Queue, stop: threading.Event):
    with stack["client"].stream("GET", path, headers=headers) as response:
        lines.put(("status", response.status_code, dict(response.headers)))
        for line in response.iter_lines():
            lines.put(("line", line, time.monotonic()))
            if stop.is_set():
                return


def test_live_sse_is_streamed_without_buffering(stack):
    """Heartbeats (a few bytes each) and a reading arrive as they are sent: a buffering
    proxy would hold them until its buffer filled or the stream ended. (The service also
    sends X-Accel-Buffering: no; test_sse_location_does_not_buffer checks the config alone.)"""
    lines: queue.Queue = queue.Queue()
    stop = threading.Event()
    headers = {**_key(stack, "ana_read"), "Accept-Encoding": "gzip, br"}
    reader = threading.Thread(
        target=_read_stream,
        args=(stack, "/api/telemetry/live", headers, lines, stop),
        daemon=True,
    )
    opened = time.monotonic()
    reader.start()
    _kind, status, response_headers = lines.get(timeout=20)
    assert status == 200
    assert response_headers["content-type"].startswith("text/event-stream")
    assert "content-encoding" not in response_headers

    def next_line(timeout: float) -> tuple[str, float]:
        _kind, line, at = lines.get(timeout=timeout)
        return line, at

    line, at = next_line(HEARTBEAT_SECONDS * 6)
    assert line.startswith(":"), line  # a heartbeat comment
    assert at - opened < HEARTBEAT_SECONDS * 6

    robot = stack["seed"]["robots"]["ana-rover-2"]
    posted = time.monotonic()
    response = stack["client"].post(
        "/api/telemetry/ingest", json=_reading(robot, 5), headers=_key(stack, "ana2_write")
    )
    assert response.status_code == 202, response.text
    deadline = posted + 5
    while True:
        line, at = next_line(max(deadline - time.monotonic(), 0.01))
        if line.startswith("data:"):
            break
    assert json.loads(line[5:])["robot_id"] == robot
    assert at - posted < 2, at - posted
    stop.set()  # the reader returns at the next heartbeat


def test_body_limits_are_the_configured_ones(stack):
    limits = stack["limits"]
    assert _size(limits["NGINX_TELEMETRY_MAX_BODY_SIZE"]) > 256 * 1024  # telemetry's own limit
    assert _size(limits["NGINX_IDS_MAX_BODY_SIZE"]) > 32 * MB  # the IDS's own limit
    assert _size(limits["NGINX_TELEMETRY_MAX_BODY_SIZE"]) <= 2 * MB  # kept tight
    conf = (stack["work"] / "conf" / "croody.conf").read_text()
    assert f"client_max_body_size {limits['NGINX_IDS_MAX_BODY_SIZE']};" in conf


def test_telemetry_answers_its_own_413_below_the_gateway_limit(stack):
    body = b"[" + b" " * (300 * 1024) + b"]"
    response = stack["client"].post(
        "/api/telemetry/ingest",
        content=body,
        headers={**_key(stack, "ana1_write"), "Content-Type": "application/json"},
    )
    _assert_made_by_the_api(response, 413)


def test_oversize_telemetry_body_is_refused_by_nginx(stack):
    size = _size(stack["limits"]["NGINX_TELEMETRY_MAX_BODY_SIZE"]) + 1
    response = stack["client"].post(
        "/api/telemetry/ingest",
        content=b"r" * size,
        headers={**_key(stack, "ana1_write"), "Content-Type": "application/json"},
    )
    _assert_made_by_nginx(response, 413)


def test_large_ids_batch_reaches_the_api(stack):
    """Bodies between the CMS's limit and the IDS's own 32 MB go to the IDS."""
    body = b"[" + b" " * (12 * MB) + b"]"  # over the CMS's 10 MB; an empty batch
    response = stack["client"].post(
        "/api/ids/predict",
        content=body,
        headers={**_key(stack, "ana_ids"), "Content-Type": "application/json"},
    )
    _assert_made_by_the_api(response, 422)


def test_ids_answers_its_own_413_below_the_gateway_limit(stack):
    body = b"[" + b" " * (32 * MB + 1024) + b"]"
    response = stack["client"].post(
        "/api/ids/predict",
        content=body,
        headers={**_key(stack, "ana_ids"), "Content-Type": "application/json"},
    )
    _assert_made_by_the_api(response, 413)


def test_oversize_ids_body_is_refused_by_nginx(stack):
    size = _size(stack["limits"]["NGINX_IDS_MAX_BODY_SIZE"]) + 1
    response = stack["client"].post(
        "/api/ids/predict",
        content=b"r" * size,
        headers={**_key(stack, "ana_ids"), "Content-Type": "application/json"},
    )
    _assert_made_by_nginx(response, 413)


def test_oversize_cms_body_is_refused_by_nginx(stack):
    size = _size(stack["limits"]["NGINX_CLIENT_MAX_BODY_SIZE"]) + 1
    response = stack["client"].post("/es/", content=b"r" * size)
    _assert_made_by_nginx(response, 413)


# --- nginx's own behaviour, in front of echoing stand-ins ----------------------------------


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/telemetry/ingest", "telemetry"),
        ("/api/telemetry/healthz", "telemetry"),
        ("/api/ids/predict", "ids"),
        ("/en/shop/", "cms"),
        ("/health/", "cms"),
        ("/admin/", "cms"),
        ("/api/v2/pages/", "cms"),
    ],
)
def test_routes_to_the_right_service(gateway, path, service):
    response = gateway["client"].get(path)
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["service"] == service
    assert echoed["path"] == path


def test_forwarding_headers(gateway):
    echoed = gateway["client"].get("/en/").json()
    headers = echoed["headers"]
    assert headers["x-forwarded-proto"] == "https"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-real-ip"] == "127.0.0.1"
    assert headers["host"] == "127.0.0.1"


def test_request_id_is_generated_and_passed_upstream(gateway):
    response = gateway["client"].get("/api/ids/stats")
    request_id = response.headers["x-request-id"]
    assert REQUEST_ID.match(request_id)
    assert response.json()["headers"]["x-request-id"] == request_id
    assert len(response.headers.get_list("x-request-id")) == 1
    other = gateway["client"].get("/api/ids/stats").headers["x-request-id"]
    assert other != request_id


def test_request_id_from_client_is_kept(gateway):
    sent = "robot-7.trace-0001"
    response = gateway["client"].get("/api/telemetry/last", headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent
    assert response.json()["headers"]["x-request-id"] == sent


@pytest.mark.parametrize("sent", ["no spaces allowed", "short", "x" * 129, "<script>"])
def test_malformed_request_id_is_replaced(gateway, sent):
    response = gateway["client"].get("/en/", headers={"X-Request-ID": sent})
    request_id = response.headers["x-request-id"]
    assert REQUEST_ID.match(request_id)
    assert response.json()["headers"]["x-request-id"] == request_id


def test_security_headers(gateway):
    response = gateway["client"].get("/en/")
    headers = response.headers
    assert headers["strict-transport-security"].startswith("max-age=63072000")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "server" not in headers or "nginx/" not in headers["server"]


def test_sse_location_does_not_buffer(gateway):
    """The config alone: the stand-in sends no X-Accel-Buffering header (the real
    service does), so only `proxy_buffering off` lets events through as they come."""
    started = time.monotonic()
    first_event_at = None
    events = []
    with gateway["client"].stream(
        "GET", "/api/telemetry/live", headers={"Accept-Encoding": "gzip, br"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        for line in response.iter_lines():
            if line.startswith("data:"):
                events.append(line)
                if first_event_at is None:
                    first_event_at = time.monotonic() - started
    finished_at = time.monotonic() - started
    assert len(events) == 3
    # The fixture sends an event every second: the first must arrive long
    # before the stream ends, i.e. nginx forwarded it instead of buffering.
    assert first_event_at is not None and first_event_at < 0.8, first_event_at
    assert finished_at >= 1.8


def test_gzip_for_text_responses(gateway):
    response = gateway["client"].get("/en/?pad=5000", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["padding"] == "x" * 5000
    assert "accept-encoding" in response.headers["vary"].lower()


def test_small_responses_are_not_compressed(gateway):
    response = gateway["client"].get("/en/", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers


def test_brotli_when_the_module_is_available(gateway):
    if not gateway["brotli"]:
        pytest.skip("libnginx-mod-http-brotli-filter is not installed")
    response = gateway["client"].get("/en/?pad=5000", headers={"Accept-Encoding": "br"})
    assert response.headers["content-encoding"] == "br"


@pytest.mark.parametrize(
    "path", ["/metrics", "/metrics/", "/api/telemetry/metrics", "/api/ids/metrics"]
)
def test_metrics_are_not_public(gateway, path):
    response = gateway["client"].get(path, headers={"Authorization": "Bearer guess"})
    assert response.status_code == 404
    assert "service" not in response.text


def _raw_get(gateway, path: str) -> tuple[int, str, str]:
    """GET `path` exactly as written (httpx would normalise dot segments first)."""
    context = ssl.create_default_context()
    gateway["authority"].configure_trust(context)
    connection = http.client.HTTPSConnection(
        "127.0.0.1", gateway["https_port"], context=context, timeout=10
    )
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("content-type", ""), response.read().decode()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "path",
    [
        "/internal/keys/crd_abc123/",
        "/internal/users/7/",
        "/internal/",
        "/internal",
        "//internal/keys/crd_abc123/",
        "/%69nternal/keys/crd_abc123/",
        "/./internal/users/7/",
        "/en/../internal/keys/crd_abc123/",
    ],
)
def test_internal_api_is_not_public(gateway, path):
    """The CMS's /internal/ endpoints answer the services on the compose network only:
    nginx itself answers 404, however the path is spelled (it matches the decoded,
    normalised URI)."""
    status, content_type, body = _raw_get(gateway, path)
    assert status == 404, (path, body[:300])
    assert content_type.startswith("text/html") and "nginx" in body
    assert "service" not in body


@pytest.mark.parametrize("path", ["/en/internal-news/", "/internals/", "/en/internal/"])
def test_pages_named_like_internal_still_reach_the_cms(gateway, path):
    response = gateway["client"].get(path)
    assert response.json()["service"] == "cms"


def test_pages_named_like_metrics_still_reach_the_cms(gateway):
    response = gateway["client"].get("/en/metrics-and-results/")
    assert response.json()["service"] == "cms"


@pytest.mark.parametrize(
    ("path", "upstream_path"),
    [
        ("/static/css/site.css", "/croody-static/static/css/site.css"),
        ("/media/images/robot.png", "/croody-media/media/images/robot.png"),
    ],
)
def test_static_and_media_come_from_the_object_store(gateway, path, upstream_path):
    response = gateway["client"].get(
        path, headers={"Cookie": "sessionid=secret", "Authorization": "Bearer secret"}
    )
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["service"] == "objects"
    assert echoed["path"] == upstream_path
    assert "cookie" not in echoed["headers"]
    assert "authorization" not in echoed["headers"]
    assert "set-cookie" not in response.headers
    assert "max-age=" in response.headers["cache-control"]


def test_object_store_is_read_only_through_the_gateway(gateway):
    response = gateway["client"].put("/media/images/robot.png", content=b"overwrite")
    assert response.status_code == 403


def test_plain_http_redirects_to_https(gateway):
    response = httpx.get(f"http://127.0.0.1:{gateway['http_port']}/en/shop/?page=2")
    assert response.status_code == 301
    assert response.headers["location"] == "https://127.0.0.1/en/shop/?page=2"


def test_container_health_endpoint(gateway):
    response = httpx.get(f"http://127.0.0.1:{gateway['http_port']}/nginx-health")
    assert response.status_code == 200


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_modern_tls_versions_negotiate(gateway, version):
    context = ssl.create_default_context()
    gateway["authority"].configure_trust(context)
    context.minimum_version = context.maximum_version = version
    address = ("127.0.0.1", gateway["https_port"])
    with (
        socket.create_connection(address, timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.version() == version.name.replace("_", ".")


def test_access_log_is_json_with_request_id(gateway):
    sent = "log-check-000001"
    gateway["client"].get("/en/", headers={"X-Request-ID": sent})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = (gateway["work"] / "access.log").read_text().splitlines()
        records = [json.loads(line) for line in lines]
        if any(record["request_id"] == sent for record in records):
            break
        time.sleep(0.1)
    else:
        pytest.fail("request id never appeared in the access log")
    record = next(record for record in records if record["request_id"] == sent)
    assert record["status"] == 200
    assert record["uri"] == "/en/"


def test_image_entrypoint_renders_what_the_tests_run(tmp_path, tool):
    """docker-entrypoint.sh (envsubst, defaults, self-signed fallback) yields
    the same files as this module's renderer, so the tested config is the
    shipped one. nginx itself is stubbed: the rendered upstreams are compose
    host names that only resolve inside the compose network."""
    for command in ("envsubst", "openssl"):
        if shutil.which(command) is None:
            pytest.fail(f"{command} not found; install it: apt-get install gettext-base openssl")
    source = tmp_path / "src"
    shutil.copytree(NGINX_DIR / "snippets", source / "snippets")
    shutil.copytree(NGINX_DIR / "optional", source / "optional")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nginx").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/nginx-calls\n')
    (bin_dir / "nginx").chmod(0o755)
    script = (NGINX_DIR / "docker-entrypoint.sh").read_text()
    for old, new in [
        ("/etc/nginx/croody-defaults.env", str(NGINX_DIR / "defaults.env")),
        ("/etc/nginx/croody-src", str(source)),
        ("/etc/nginx/templates", str(NGINX_DIR / "templates")),
        ("/tmp/nginx", str(tmp_path / "run")),
    ]:
        script = _replace_once(script, old, new)
    (tmp_path / "entrypoint.sh").write_text(script)
    conf = tmp_path / "conf"
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "NGINX_CONF_DIR": str(conf),
        "NGINX_TLS_CERT": str(tmp_path / "missing.crt"),  # forces the self-signed pair
        "NGINX_CLIENT_MAX_BODY_SIZE": "12m",  # the environment wins over defaults.env
    }
    result = subprocess.run(
        ["sh", str(tmp_path / "entrypoint.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    self_signed = tmp_path / "run" / "self-signed"
    assert (self_signed / "tls.crt").stat().st_size > 0
    assert (self_signed / "tls.key").stat().st_size > 0
    values = _parse_defaults()
    values.update(
        NGINX_CONF_DIR=str(conf),
        NGINX_TLS_CERT=str(self_signed / "tls.crt"),
        NGINX_TLS_KEY=str(self_signed / "tls.key"),
        NGINX_CLIENT_MAX_BODY_SIZE="12m",
    )
    for template in sorted((NGINX_DIR / "templates").glob("*.template")):
        assert (conf / template.stem).read_text() == _render(template.read_text(), values)
    assert (conf / "snippets" / "proxy.conf").exists()
    assert (conf / "optional" / "brotli.conf").exists()
    calls = (tmp_path / "nginx-calls").read_text().splitlines()
    assert calls == ["-e stderr -t -q", "-e stderr -g daemon off;"]
